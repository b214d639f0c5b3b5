#!/usr/bin/env bats
# keel-vm's virtio-blk against a hostile bare-metal driver
# (vm_virtio_hostile.c): proper requests work, every forbidden queue layout
# leaves the device in DEVICE_NEEDS_RESET and keel-vm alive, and no byte is
# written outside guest RAM (the KEEL_ASAN=1 run checks the host side).
# Also: --disk and --net mistakes give one clear line.

bats_require_minimum_version 1.5.0

setup_file() {
	export KEEL_VM=${KEEL_BUILD:?KEEL_BUILD must name a build directory}/keel-vm
	local cross=${CROSS_COMPILE:-riscv64-linux-gnu-}
	local root common
	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	common=$root/tests/guest/common
	command -v "${cross}gcc" >/dev/null || return 0
	export GUEST_ELF=$BATS_FILE_TMPDIR/virtio_hostile.elf
	"${cross}gcc" -march=rv64gc -mabi=lp64d -mcmodel=medany -O2 -std=gnu11 -ffreestanding \
		-fno-builtin -fno-pie -fno-stack-protector -fno-common -fno-asynchronous-unwind-tables \
		-nostdlib -nostartfiles -static -no-pie -T "$common/link.ld" -Wl,--build-id=none \
		-Wl,--no-warn-rwx-segments -I"$common" -o "$GUEST_ELF" \
		"$BATS_TEST_DIRNAME/vm_virtio_hostile.c" "$common"/*.c "$common"/*.S \
		"$("${cross}gcc" -march=rv64gc -mabi=lp64d -print-libgcc-file-name)"
}

setup() {
	[ -x "$KEEL_VM" ] || skip "no keel-vm in $KEEL_BUILD"
	DISK=$BATS_TEST_TMPDIR/disk.img
	# option errors come before the kernel is run, but it must be a real one
	KERNEL=${GUEST_ELF:-}
	[ -f "$KERNEL" ] || skip "no riscv64 cross compiler"
	# 1 MiB; sector 0 starts "KEELDISK" and ends with '!'; sector 1 is zero.
	truncate -s 1M "$DISK"
	printf 'KEELDISK' | dd of="$DISK" conv=notrunc status=none
	printf '!' | dd of="$DISK" bs=1 seek=511 conv=notrunc status=none
}

teardown() {
	rm -f "$BATS_TEST_TMPDIR/disk.img"
}

run_guest() {
	[ -n "${GUEST_ELF:-}" ] && [ -f "$GUEST_ELF" ] || skip "no riscv64 cross compiler"
	# the console is stdout; keel-vm's warnings about the guest go to stderr
	run --separate-stderr timeout 300 "$KEEL_VM" -m 64M --kernel "$GUEST_ELF" --disk "$@" </dev/null
	echo "$output"
	echo "$stderr"
}

@test "hostile virtio-blk driver: refused queues need reset, keel-vm survives" {
	run_guest "$DISK"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS virtio_hostile"* ]]
	[[ $output != *FAIL* ]]
	# every hostile case was reached, and each was reported on the host
	[ "$(grep -c '^# hostile:' <<<"$output")" -eq 13 ]
	[ "$(grep -c 'device needs reset' <<<"$stderr")" -eq 13 ]
	# the proper write landed in sector 1, and nowhere else
	[ "$(dd if="$DISK" bs=1 skip=512 count=10 status=none)" = HOSTILE-OK ]
	[ "$(dd if="$DISK" bs=1 count=8 status=none)" = KEELDISK ]
	[ "$(dd if="$DISK" bs=512 skip=2 status=none | tr -d '\0' | wc -c)" -eq 0 ]
}

@test "read-only disk: the guest's write fails with IOERR and the image is unchanged" {
	local before
	before=$(sha256sum <"$DISK")
	run_guest "$DISK,ro"
	[ "$status" -eq 0 ]
	[[ $output == *"PASS virtio_hostile"* ]]
	[ "$(sha256sum <"$DISK")" = "$before" ]
}

@test "--disk with a missing file: one line naming the file" {
	run --separate-stderr "$KEEL_VM" --kernel "$KERNEL" --disk "$BATS_TEST_TMPDIR/nope.img"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *"$BATS_TEST_TMPDIR/nope.img"* ]]
	[[ $stderr == *"No such file"* ]]
}

@test "--disk with an unknown option: one line naming it" {
	run --separate-stderr "$KEEL_VM" --kernel "$KERNEL" --disk "$DISK,bogus"
	[ "$status" -ne 0 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == *bogus* ]]
}

@test "bad --net specs: one line each" {
	local spec
	for spec in bridge "user,hostfwd=tcp:127.0.0.1:99999-:22" "user,hostfwd=sctp::1-:2" \
		tap "user,mac=01:00:00:00:00:01"; do
		run --separate-stderr "$KEEL_VM" --kernel "$KERNEL" --net "$spec"
		echo "$spec -> $status: $stderr"
		[ "$status" -ne 0 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ $stderr == *"--net"* ]]
	done
}
