#!/usr/bin/env bash
# Container start-up cost, side by side in one hyperfine run: `run` of
# /bin/true on the same busybox bundle by keel, runc and crun, and the bare
# floor `unshare -fpiumn /bin/true`. Prints mean ms, ratio to crun and peak
# RSS of the runtime (/usr/bin/time -f %M).
#   bench/containers.sh            keel from $KEEL_BUILD, else <repo>/build
#   BENCH_RUNS=50 bench/containers.sh
#
# crun 1.8.1 refuses this hybrid-cgroup host; it runs in a mount namespace
# prepared once (cgroup2 at /sys/fs/cgroup/unified unmounted) and entered
# with nsenter, so its row includes one nsenter exec (see the floor rows).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keel=${KEEL_BUILD:-$root/build}/keel
runs=${BENCH_RUNS:-30}

for tool in hyperfine jq runc crun unshare nsenter /usr/bin/time; do
	command -v "$tool" >/dev/null || { echo "bench: $tool missing (make deps)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/keel-bench.XXXXXX)
nsfile=$work/ns/crun-mnt
cleanup() {
	umount "$nsfile" 2>/dev/null || true
	umount "$work/ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

"$root/scripts/make-bundle.sh" "$work/bundle" /bin/true
bundle=$work/bundle

# A persistent mount namespace for crun, without the cgroup2 mount.
mkdir -p "$work/ns"
mount --bind "$work/ns" "$work/ns"
mount --make-private "$work/ns"
touch "$nsfile"
unshare --mount="$nsfile" --propagation private umount /sys/fs/cgroup/unified

# name|command (each iteration runs in a fresh shell, so $$ is a unique id).
rows=()
if [ -x "$keel" ]; then
	rows+=("keel|$keel --root $work/keel-state run --bundle $bundle b\$\$")
else
	echo "bench: $keel not built; keel row left out" >&2
fi
rows+=("runc|runc --root $work/runc-state run --bundle $bundle b\$\$")
rows+=("crun|nsenter --mount=$nsfile crun --root $work/crun-state run --bundle $bundle b\$\$")
rows+=("unshare -fpiumn (floor)|unshare -fpiumn /bin/true")
rows+=("nsenter /bin/true (crun's wrapper)|nsenter --mount=$nsfile /bin/true")

args=()
for row in "${rows[@]}"; do
	args+=(--command-name "${row%%|*}" "${row#*|}")
done
hyperfine --style basic --warmup 3 --runs "$runs" --export-json "$work/result.json" "${args[@]}" >&2

# Peak RSS in KiB: the largest of a few runs under /usr/bin/time.
peak_rss() {
	local max=0 i kb
	for i in 1 2 3 4 5; do
		kb=$(/usr/bin/time -f %M sh -c "$1" 2>&1 >/dev/null | tail -1)
		[ "$kb" -gt "$max" ] && max=$kb
	done
	echo "$max"
}

crun_mean=$(jq '.results[] | select(.command == "crun") | .mean' "$work/result.json")
printf '\n%-36s %10s %8s %10s %12s\n' runtime "mean ms" "± ms" "vs crun" "peak RSS KiB"
for row in "${rows[@]}"; do
	name=${row%%|*}
	cmd=${row#*|}
	read -r mean sd < <(jq -r --arg n "$name" \
		'.results[] | select(.command == $n) | "\(.mean) \(.stddev)"' "$work/result.json")
	printf '%-36s %10.2f %8.2f %9.2fx %12s\n' "$name" \
		"$(echo "$mean * 1000" | bc -l)" "$(echo "$sd * 1000" | bc -l)" \
		"$(echo "$mean / $crun_mean" | bc -l)" "$(peak_rss "${cmd//\$\$/rss\$\$}")"
done
