#!/usr/bin/env bash
# keel-vm against QEMU, side by side in one run, on the fixed reference guest
# (shared/guest: Linux Image + initramfs.cpio whose /init can run CPU
# workloads, see shared/guest/README.md):
#
#   1. boot to power-off wall time (hyperfine when installed, else a loop)
#   2. the guest-reported per-workload times of keel.bench=cpu
#
# Prints tables with the keel-vm/QEMU ratio (below 1.00: keel-vm faster).
# Usage: bench/vm.sh [runs]     (default 5 boot runs, 3 workload runs)
# Environment: KEEL_BUILD (keel-vm is $KEEL_BUILD/keel-vm, default build/),
#              KEEL_SHARED (default ../shared beside the repository).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
keel_vm=${KEEL_BUILD:-$root/build}/keel-vm
guest=${KEEL_SHARED:-$root/../shared}/guest
boot_runs=${1:-5}
cpu_runs=${KEEL_BENCH_CPU_RUNS:-3}
workloads=(sieve sort mandel memcpy fork total)

die() {
	echo "bench/vm.sh: $*" >&2
	exit 1
}

[ -x "$keel_vm" ] || die "no keel-vm at $keel_vm (build it, or set KEEL_BUILD)"
[ -f "$guest/Image" ] || die "no reference guest in $guest (set KEEL_SHARED)"
command -v qemu-system-riscv64 >/dev/null || die "qemu-system-riscv64 not installed (qemu-system-misc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Both machines get the same guest, memory and command line.
keel_cmd() {
	printf '%q ' "$keel_vm" --kernel "$guest/Image" --initrd "$guest/initramfs.cpio" \
		--mem 256M --append "$1"
	printf '</dev/null'
}
qemu_cmd() {
	printf '%q ' qemu-system-riscv64 -M virt -m 256M -nographic -bios default \
		-kernel "$guest/Image" -initrd "$guest/initramfs.cpio" -append "$1"
	printf '</dev/null'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# --- boot to power-off ------------------------------------------------------

# Prints "mean_seconds stddev_seconds" for a command run $boot_runs times.
time_boot_loop() {
	local cmd=$1 i start end
	for ((i = 0; i < boot_runs; i++)); do
		start=$(date +%s.%N)
		bash -c "$cmd" >/dev/null 2>&1 || die "boot failed: $cmd"
		end=$(date +%s.%N)
		echo "$start $end"
	done | awk '{ t = $2 - $1; s += t; ss += t * t; n++ }
		END { m = s / n; v = ss / n - m * m; printf "%.3f %.3f\n", m, (v > 0 ? sqrt(v) : 0) }'
}

bench_boot() {
	local append="console=ttyS0 quiet"
	local keel qemu keel_mean keel_sd qemu_mean qemu_sd
	keel=$(keel_cmd "$append")
	qemu=$(qemu_cmd "$append")
	if command -v hyperfine >/dev/null; then
		hyperfine --style none --warmup 1 --runs "$boot_runs" --export-csv "$work/boot.csv" \
			-n keel-vm "$keel" -n qemu "$qemu" >"$work/hyperfine.log" 2>&1 ||
			{
				cat "$work/hyperfine.log" >&2
				die "hyperfine failed"
			}
		# CSV columns: command,mean,stddev,median,user,system,min,max
		read -r keel_mean keel_sd < <(awk -F, '$1 == "keel-vm" { print $2, $3 }' "$work/boot.csv")
		read -r qemu_mean qemu_sd < <(awk -F, '$1 == "qemu" { print $2, $3 }' "$work/boot.csv")
	else
		bash -c "$keel" >/dev/null 2>&1 || die "keel-vm failed to boot the guest"
		read -r keel_mean keel_sd < <(time_boot_loop "$keel")
		read -r qemu_mean qemu_sd < <(time_boot_loop "$qemu")
	fi
	echo "Boot to power-off, wall time ($boot_runs runs, ${append})"
	printf '  %-14s %12s %12s %8s\n' "" keel-vm QEMU ratio
	printf '  %-14s %10.3f s %10.3f s %8s\n' "mean" "$keel_mean" "$qemu_mean" \
		"$(ratio "$keel_mean" "$qemu_mean")"
	printf '  %-14s %10.3f s %10.3f s\n' "stddev" "$keel_sd" "$qemu_sd"
	echo
}

# --- guest CPU workloads ----------------------------------------------------

# One guest run: appends "<workload> <ms>" lines to $work/<name>.all.
run_workloads_once() {
	local name=$1 cmd=$2
	bash -c "$cmd" >"$work/$name.console" 2>&1 || die "$name: guest run failed"
	grep -q KEEL-GUEST-DONE "$work/$name.console" || die "$name: guest did not finish"
	tr -d '\r' <"$work/$name.console" |
		sed -n 's/^KEEL-GUEST-RESULT \([a-z]*\) ms=\([0-9.]*\).*/\1 \2/p' >>"$work/$name.all"
}

# "<workload> <median ms>" lines from $work/<name>.all.
median_per_workload() {
	local name=$1 w
	for w in "${workloads[@]}"; do
		awk -v w="$w" '$1 == w { print $2 }' "$work/$name.all" | sort -n |
			awk -v w="$w" '{ v[NR] = $1 } END { if (NR) print w, v[int((NR + 1) / 2)] }'
	done
}

bench_cpu() {
	local append="console=ttyS0 quiet keel.bench=cpu" i
	: >"$work/keel.all"
	: >"$work/qemu.all"
	# Alternate the two so that a change in machine load hits both alike.
	for ((i = 0; i < cpu_runs; i++)); do
		run_workloads_once keel "$(keel_cmd "$append")"
		run_workloads_once qemu "$(qemu_cmd "$append")"
	done
	median_per_workload keel >"$work/keel.ms"
	median_per_workload qemu >"$work/qemu.ms"
	echo "Guest CPU workloads (keel.bench=cpu), guest-reported ms, median of $cpu_runs runs"
	printf '  %-14s %12s %12s %8s\n' workload keel-vm QEMU ratio
	local w k q
	for w in "${workloads[@]}"; do
		k=$(awk -v w="$w" '$1 == w { print $2 }' "$work/keel.ms")
		q=$(awk -v w="$w" '$1 == w { print $2 }' "$work/qemu.ms")
		printf '  %-14s %9s ms %9s ms %8s\n' "$w" "${k:--}" "${q:--}" "$(ratio "${k:-0}" "${q:-0}")"
	done
	echo
}

echo "keel-vm: $keel_vm"
echo "QEMU:    $(qemu-system-riscv64 --version | head -1)"
echo "guest:   $guest"
echo
bench_boot
bench_cpu
