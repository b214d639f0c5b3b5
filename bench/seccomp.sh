#!/usr/bin/env bash
# What a seccomp profile costs a container start, side by side in one
# hyperfine run: `run` of /bin/true on the busybox bundle by keel without a
# profile and with podman's default profile (converted by
# scripts/seccomp-profile.sh), keel with a cold cache of compiled filters
# (a fresh state root per run), and the same two rows for runc. Prints each
# mean and the with/without ratio per runtime (keel's target: within 10 %),
# then the same ratios in CPU time (perf stat task-clock), which a busy
# machine disturbs less than wall clock.
#   bench/seccomp.sh               keel from $KEEL_BUILD, else <repo>/build
#   BENCH_RUNS=50 bench/seccomp.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keel=${KEEL_BUILD:-$root/build}/keel
runs=${BENCH_RUNS:-30}

for tool in hyperfine jq runc bc; do
	command -v "$tool" >/dev/null || { echo "bench: $tool missing (make deps)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/keel-bench-seccomp.XXXXXX)
trap 'rm -rf "$work"' EXIT

plain=$work/plain
filtered=$work/seccomp
"$root/scripts/make-bundle.sh" "$plain" /bin/true >/dev/null
cp -a "$plain" "$filtered"
profile=$("$root/scripts/seccomp-profile.sh" --bundle "$plain")
jq --argjson s "$profile" '.linux.seccomp = $s' "$plain/config.json" >"$filtered/config.json"
echo "podman's default profile: $(jq '[.syscalls[].names[]] | length' <<<"$profile") syscall names," \
	"$(jq -c .architectures <<<"$profile")"

# name|command (each iteration runs in a fresh shell, so $$ is a unique id).
rows=()
if [ -x "$keel" ]; then
	rows+=("keel|$keel --root $work/keel-state run --bundle $plain b\$\$")
	rows+=("keel + podman profile|$keel --root $work/keel-state run --bundle $filtered s\$\$")
	# a fresh state root per run: no compiled program cached yet
	rows+=("keel + profile, cold cache|$keel --root $work/cold-\$\$ run --bundle $filtered c\$\$")
else
	echo "bench: $keel not built; keel rows left out" >&2
fi
rows+=("runc|runc --root $work/runc-state run --bundle $plain b\$\$")
rows+=("runc + podman profile|runc --root $work/runc-state run --bundle $filtered s\$\$")

args=()
for row in "${rows[@]}"; do
	args+=(--command-name "${row%%|*}" "${row#*|}")
done
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/result.json" "${args[@]}" >&2

mean_ms() {
	jq -r --arg n "$1" '.results[] | select(.command == $n) | .mean * 1000' "$work/result.json"
}
sd_ms() {
	jq -r --arg n "$1" '.results[] | select(.command == $n) | .stddev * 1000' "$work/result.json"
}

printf '\n%-28s %12s %12s %12s %10s\n' "wall clock (hyperfine)" "no profile" "profile" "± ms" "ratio"
row() { # name, row without, row with
	local without with
	without=$(mean_ms "$2")
	with=$(mean_ms "$3")
	printf '%-28s %9.2f ms %9.2f ms %12.2f %9.3fx\n' "$1" "$without" "$with" \
		"$(sd_ms "$3")" "$(echo "$with / $without" | bc -l)"
}
if [ -x "$keel" ]; then
	row keel keel "keel + podman profile"
	row "keel, cold cache" keel "keel + profile, cold cache"
fi
row runc runc "runc + podman profile"

# CPU time is steadier than wall clock on a busy machine.
command -v perf >/dev/null || exit 0
cpu_ms() { # command with $$ for a unique id; one run first (warm cache)
	sh -c "$1" >/dev/null 2>&1 || true
	perf stat -r "$runs" -e task-clock -x, sh -c "$1" 2>&1 >/dev/null | awk -F, '/task-clock/ { print $1 }'
}
printf '\n%-28s %12s %12s %10s\n' "CPU time (perf task-clock)" "no profile" "profile" "ratio"
for rt in keel runc; do
	[ "$rt" = runc ] || [ -x "$keel" ] || continue
	bin=$keel
	[ "$rt" = runc ] && bin=runc
	without=$(cpu_ms "$bin --root $work/cpu-$rt run --bundle $plain p\$\$")
	with=$(cpu_ms "$bin --root $work/cpu-$rt run --bundle $filtered q\$\$")
	printf '%-28s %9.2f ms %9.2f ms %9.3fx\n' "$rt" "$without" "$with" "$(echo "$with / $without" | bc -l)"
done
