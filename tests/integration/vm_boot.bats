#!/usr/bin/env bats
# keel-vm boots the fixed reference guest (Linux 6.1 Image + a static /init,
# see shared/guest/README.md) to its final marker and exits 0 when the guest
# powers off; the guest's CPU workloads compute exactly what they compute on
# QEMU; bad inputs give one line and a non-zero exit.
#
# Under ASan (KEEL_ASAN=1) only the plain boot runs: the ASan keel-vm is
# several times slower and the workloads add nothing it can catch there.

bats_require_minimum_version 1.5.0

# Checksums printed by the reference guest's workloads ("check=" values),
# recorded once from QEMU 7.2 (qemu-system-riscv64 -M virt -m 256M
# -nographic -bios default -kernel Image -initrd initramfs.cpio
# -append "console=ttyS0 keel.bench=cpu"). They depend only on what the
# guest computes, never on timing.
QEMU_CHECKS=(
	"sieve 544501644261"
	"sort 17917908598667481308"
	"mandel 3662279"
	"memcpy 737100"
	"fork 200"
)

load lib/vm

setup_file() {
	local root
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export KEEL_VM=${KEEL_BUILD:-$root/build}/keel-vm
	export GUEST_DIR=${KEEL_SHARED:-$root/../shared}/guest
}

setup() {
	[ -x "$KEEL_VM" ] || {
		echo "no keel-vm binary at $KEEL_VM" >&2
		return 1
	}
	[ -f "$GUEST_DIR/Image" ] && [ -f "$GUEST_DIR/initramfs.cpio" ] || {
		echo "reference guest not found in $GUEST_DIR (set KEEL_SHARED)" >&2
		return 1
	}
}

teardown() {
	rm -f "$BATS_TEST_TMPDIR"/*.img
}

boot_reference_guest() {
	local append=$1
	shift
	run timeout 300 "$KEEL_VM" --kernel "$GUEST_DIR/Image" --initrd "$GUEST_DIR/initramfs.cpio" \
		--append "$append" "$@" </dev/null
	echo "$output" | grep -a -E 'KEEL-|Linux version|reboot:|smp:|panic' || true
	[ "$status" -ne 124 ] || echo "keel-vm timed out"
}

@test "boot: reference guest reaches KEEL-GUEST-DONE and keel-vm exits 0 on power-off" {
	boot_reference_guest "console=ttyS0"
	[ "$status" -eq 0 ]
	[[ $output == *"Linux version 6.1"* ]]
	[[ $output == *KEEL-GUEST-BOOTED* ]]
	[[ $output == *KEEL-GUEST-DONE* ]]
	[[ $output != *"Kernel panic"* ]]
}

@test "boot: the guest's CPU workloads give QEMU's checksums" {
	[ -z "${KEEL_ASAN:-}" ] || skip "heavy boot test: release build only"
	boot_reference_guest "console=ttyS0 keel.bench=cpu"
	[ "$status" -eq 0 ]
	[[ $output == *KEEL-GUEST-DONE* ]]
	local expected name value line
	for expected in "${QEMU_CHECKS[@]}"; do
		name=${expected% *}
		value=${expected#* }
		line=$(grep -a "KEEL-GUEST-RESULT $name " <<<"$output" | tr -d '\r')
		[[ $line == *" check=$value" ]] || {
			echo "workload $name: got '${line:-no result line}', QEMU gives check=$value"
			return 1
		}
	done
}

@test "boot: two harts come up (--cpus 2)" {
	[ -z "${KEEL_ASAN:-}" ] || skip "heavy boot test: release build only"
	boot_reference_guest "console=ttyS0" --cpus 2
	[ "$status" -eq 0 ]
	[[ $output == *"smp: Brought up 1 node, 2 CPUs"* ]]
	[[ $output == *KEEL-GUEST-DONE* ]]
}

@test "bad input: missing kernel file" {
	run timeout 60 "$KEEL_VM" --kernel "$BATS_TEST_TMPDIR/no-such-kernel" </dev/null
	assert_one_error_line
	[[ $output == *no-such-kernel* ]]
}

@test "bad input: garbage kernel" {
	head -c 65536 /dev/urandom >"$BATS_TEST_TMPDIR/garbage.img"
	run timeout 60 "$KEEL_VM" --kernel "$BATS_TEST_TMPDIR/garbage.img" </dev/null
	assert_one_error_line
	[[ $output == *garbage.img* ]]
}

@test "bad input: empty kernel" {
	: >"$BATS_TEST_TMPDIR/empty.img"
	run timeout 60 "$KEEL_VM" --kernel "$BATS_TEST_TMPDIR/empty.img" </dev/null
	assert_one_error_line
}

@test "bad input: --mem below the minimum" {
	run timeout 60 "$KEEL_VM" --kernel "$GUEST_DIR/Image" --mem 1M </dev/null
	assert_one_error_line
	[[ $output == *--mem* ]]
}

@test "bad input: --mem too small for the kernel and initrd" {
	run timeout 60 "$KEEL_VM" --kernel "$GUEST_DIR/Image" --initrd "$GUEST_DIR/initramfs.cpio" \
		--mem 4M </dev/null
	assert_one_error_line
	[[ $output == *--mem* || $output == *memory* || $output == *small* ]]
}

@test "bad input: no --kernel at all" {
	run timeout 60 "$KEEL_VM" </dev/null
	assert_one_error_line
}
