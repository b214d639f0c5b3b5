#!/usr/bin/env bash
# What a seccomp profile costs a container start, side by side in one
# hyperfine run: `run` of /bin/true on the busybox bundle by keel without a
# profile and with podman's default profile (converted by
# scripts/seccomp-profile.sh), keel with a cold cache of compiled filters
# (a fresh state root per run), and the same two rows for runc. Prints each
# mean and the with/without ratio per runtime (keel's target: within 10 %),
# then the same ratios in CPU time (perf stat task-clock), which a busy
# machine disturbs less than wall clock, and last both again from runs that
# alternate (without, with, without, ...: load that comes and goes on a
# shared machine hits both alike), as medians.
#   bench/seccomp.sh               keel from $KEEL_BUILD, else <repo>/build
#   BENCH_RUNS=50 bench/seccomp.sh
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keel=${KEEL_BUILD:-$root/build}/keel
runs=${BENCH_RUNS:-30}

for tool in hyperfine jq runc bc python3; do
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

# Alternating runs, medians: wall clock, and CPU time as wait4() reports it
# (the runtime and every process it waited for, the container included).
alternate() { # name, command without, command with ($$ replaced by a run id)
	python3 - "$runs" "$@" <<'PY'
import os, statistics, subprocess, sys, time
runs, name, cmds = int(sys.argv[1]), sys.argv[2], sys.argv[3:5]
wall, cpu = ([], []), ([], [])
for i in range(runs + 2):
	for j, cmd in enumerate(cmds):
		t = time.monotonic()
		p = subprocess.Popen(cmd.replace("$$", "a%d_%d_%d" % (os.getpid(), i, j)), shell=True,
				     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
		_, status, ru = os.wait4(p.pid, 0)
		if status:
			sys.exit("bench: %s failed" % cmd)
		if i >= 2:  # warm-up
			wall[j].append((time.monotonic() - t) * 1000)
			cpu[j].append((ru.ru_utime + ru.ru_stime) * 1000)
w = [statistics.median(x) for x in wall]
c = [statistics.median(x) for x in cpu]
print("%-28s %9.2f ms %9.2f ms %9.3fx %9.2f ms %9.2f ms %9.3fx" %
      (name, w[0], w[1], w[1] / w[0], c[0], c[1], c[1] / c[0]))
PY
}
printf '\n%-28s %12s %12s %10s %12s %12s %10s\n' "alternating, medians" "wall, none" "profile" \
	"ratio" "CPU, none" "profile" "ratio"
if [ -x "$keel" ]; then
	alternate keel "$keel --root $work/alt-keel run --bundle $plain p\$\$" \
		"$keel --root $work/alt-keel run --bundle $filtered q\$\$"
fi
alternate runc "runc --root $work/alt-runc run --bundle $plain p\$\$" \
	"runc --root $work/alt-runc run --bundle $filtered q\$\$"

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
