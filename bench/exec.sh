#!/usr/bin/env bash
# exec into a running container, and the smallest memory a container can
# start in, keel vs runc vs crun, side by side in one run:
#   1. latency of `exec ID /bin/true` into a running busybox container
#      (hyperfine, one run with every runtime);
#   2. the smallest linux.resources.memory.limit (swap the same: no swap)
#      under which `run` of /bin/true succeeds, found by bisection (64 KiB
#      steps). The runtime's own init joins the cgroup before the exec, so
#      its footprint counts: crun advertises 512 KiB, runc fails at 4 MiB.
#   bench/exec.sh                 keel from $KEEL_BUILD, else <repo>/build
#   BENCH_RUNS=50 bench/exec.sh
#
# crun 1.8.1 refuses this hybrid-cgroup host; as in bench/containers.sh it
# runs in a mount namespace without the cgroup2 mount, entered with nsenter
# (its rows include one nsenter exec: see the floor row).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keel=${KEEL_BUILD:-$root/build}/keel
runs=${BENCH_RUNS:-30}

for tool in hyperfine jq runc crun nsenter unshare; do
	command -v "$tool" >/dev/null || { echo "bench: $tool missing (make deps)" >&2; exit 1; }
done
[ -x "$keel" ] || { echo "bench: $keel not built" >&2; exit 1; }

work=$(mktemp -d /tmp/keel-bench-exec.XXXXXX)
nsfile=$work/ns/crun-mnt
crun_ns() { nsenter --mount="$nsfile" "$@"; }
cleanup() {
	"$keel" --root "$work/keel-state" delete -f kx 2>/dev/null || true
	runc --root "$work/runc-state" delete -f rx 2>/dev/null || true
	crun_ns crun --root "$work/crun-state" delete -f cx 2>/dev/null || true
	umount "$nsfile" 2>/dev/null || true
	umount "$work/ns" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

"$root/scripts/make-bundle.sh" "$work/bundle" sleep 100000 >/dev/null
bundle=$work/bundle
mkdir -p "$work/ns"
mount --bind "$work/ns" "$work/ns"
mount --make-private "$work/ns"
touch "$nsfile"
unshare --mount="$nsfile" --propagation private umount /sys/fs/cgroup/unified

# ---- 1. exec latency --------------------------------------------------

# distinct ids: the default cgroup path is the id
"$keel" --root "$work/keel-state" run -d --bundle "$bundle" kx </dev/null
runc --root "$work/runc-state" run -d --bundle "$bundle" rx </dev/null
crun_ns crun --root "$work/crun-state" run -d --bundle "$bundle" cx </dev/null

hyperfine -N --style basic --warmup 3 --runs "$runs" --export-json "$work/exec.json" \
	--command-name keel "$keel --root $work/keel-state exec kx /bin/true" \
	--command-name runc "runc --root $work/runc-state exec rx /bin/true" \
	--command-name crun "nsenter --mount=$nsfile crun --root $work/crun-state exec cx /bin/true" \
	--command-name "nsenter /bin/true (crun's wrapper)" "nsenter --mount=$nsfile /bin/true" >&2

echo "exec ID /bin/true into a running container ($runs runs each)"
printf '%-36s %10s %10s %8s\n' runtime "mean ms" "stddev" "x keel"
keel_mean=$(jq '.results[] | select(.command == "keel") | .mean' "$work/exec.json")
jq -r --argjson k "$keel_mean" '.results[] |
	[.command, (.mean * 1000 | . * 100 | round / 100), (.stddev * 1000 | . * 100 | round / 100),
	 (.mean / $k | . * 100 | round / 100)] | @tsv' "$work/exec.json" |
	while IFS=$'\t' read -r name mean sd ratio; do
		printf '%-36s %10s %10s %8s\n' "$name" "$mean" "$sd" "$ratio"
	done

# ---- 2. the smallest memory limit -------------------------------------

mkdir -p "$work/mem"

# starts RUNTIME-COMMAND KIB: run /bin/true under a limit of KIB KiB
starts() {
	local kib=$1
	shift
	jq --argjson l $((kib * 1024)) --arg root "$bundle/rootfs" '.process.args = ["/bin/true"] |
		.root.path = $root | .linux.resources.memory = {"limit": $l, "swap": $l}' \
		"$bundle/config.json" >"$work/mem/config.json"
	"$@" run --bundle "$work/mem" "m$$" </dev/null >/dev/null 2>&1
	local rc=$?
	"$@" delete -f "m$$" >/dev/null 2>&1 || true
	return $rc
}

smallest() {
	local lo=0 hi=65536 mid
	starts $hi "$@" || { echo "> $hi"; return; }
	while [ $((hi - lo)) -gt 64 ]; do
		mid=$(((lo + hi) / 2 / 64 * 64))
		[ "$mid" -le "$lo" ] && mid=$((lo + 64))
		if starts "$mid" "$@"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}

echo
echo "smallest memory limit (KiB) under which run of /bin/true succeeds"
printf '%-8s %10s\n' runtime KiB
printf '%-8s %10s\n' keel "$(smallest "$keel" --root "$work/keel-state")"
printf '%-8s %10s\n' runc "$(smallest runc --root "$work/runc-state")"
printf '%-8s %10s\n' crun "$(smallest nsenter --mount="$nsfile" crun --root "$work/crun-state")"
