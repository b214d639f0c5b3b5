#!/usr/bin/env bats
# keel-vm --console uart|virtio: which device the host's stdin/stdout are
# connected to. With virtio, the project's guest (scripts/build-guest.sh)
# gets its shell on the virtio-console, driven through a fifo as in
# vm_guest.bats (helpers in lib/vm.bash); the same raw mode and Ctrl-a
# escapes apply. Command-line errors are one line and a non-zero status.
#
# The guest kernel has CONFIG_HVC_RISCV_SBI=y, which in Linux 6.1 always
# takes hvc0 (the SBI console); the virtio-console is therefore hvc1, and
# the guest is booted with console=hvc1.
#
# Under ASan (KEEL_ASAN=1) one boot runs: the shell over virtio-console.

bats_require_minimum_version 1.5.0

load lib/vm

VIRTIO_APPEND="console=hvc1 quiet keel.net=off"

setup_file() { vm_guest_setup_file; }
setup() { vm_guest_setup; }
teardown() { vm_guest_teardown; }

@test "console: --console virtio gives the guest its shell on the virtio-console" {
	vm_start "$VIRTIO_APPEND" --console virtio
	vm_wait "KEEL-GUEST-SHELL"
	vm_run 'echo "sum=$((40 + 2)) tty=$(tty)"'
	console_text | grep -qx "sum=42 tty=/dev/hvc1"
	# hvc1 is the virtio-console driver's (not the SBI's hvc0)
	vm_run 'echo "consoles=$(cut -d" " -f1 /proc/consoles | tr "\n" ,)"'
	console_text | grep -qx "consoles=hvc1,"
	vm_run 'echo "bound=$(ls /sys/bus/virtio/drivers/virtio_console | grep -c ^virtio)"'
	console_text | grep -qx "bound=1"
	# the UART is still on the board, only not connected to stdin
	vm_run '[ -c /dev/ttyS0 ]'
	vm_power_off poweroff
}

@test "console: Ctrl-a x quits with --console virtio as with the UART" {
	[ -z "${KEEL_ASAN:-}" ] || skip "boot tests run in the release pass"
	vm_start "$VIRTIO_APPEND" --console virtio
	vm_wait "KEEL-GUEST-SHELL"
	vm_run "true"
	printf '\001x' >&"$VM_IN"
	vm_wait_exit
	[ "$VM_STATUS" -eq 0 ]
	grep -aq "terminated (Ctrl-a x)" "$VM_DIR/console"
}

@test "console: --console uart keeps the shell on the serial port" {
	[ -z "${KEEL_ASAN:-}" ] || skip "boot tests run in the release pass"
	vm_start "console=ttyS0 quiet keel.net=off" --console uart
	vm_wait "KEEL-GUEST-SHELL"
	vm_run 'echo "tty=$(tty)"'
	console_text | grep -qx "tty=/dev/ttyS0"
	vm_power_off
}

@test "console: the device tree has one more virtio slot with --console virtio" {
	local dir=$BATS_TEST_TMPDIR
	"$KEEL_VM" --kernel "$KEEL_GUEST_KERNEL" --dump-dtb "$dir/uart.dtb"
	"$KEEL_VM" --kernel "$KEEL_GUEST_KERNEL" --console virtio --dump-dtb "$dir/virtio.dtb"
	[ "$(dtc -I dtb -O dts "$dir/uart.dtb" 2>/dev/null | grep -c 'virtio_mmio@')" -eq 1 ]
	[ "$(dtc -I dtb -O dts "$dir/virtio.dtb" 2>/dev/null | grep -c 'virtio_mmio@')" -eq 2 ]
}

@test "console: a bad --console value is one line and a usage status" {
	run -2 "$KEEL_VM" --kernel "$KEEL_GUEST_KERNEL" --console serial
	assert_one_error_line "--console serial: expected uart or virtio"
	run -2 "$KEEL_VM" --kernel "$KEEL_GUEST_KERNEL" --console virtio --console uart
	assert_one_error_line "--console given twice"
	run -2 "$KEEL_VM" --kernel "$KEEL_GUEST_KERNEL" --console
	assert_one_error_line "--console: missing argument"
}

@test "console: --console virtio takes one of the disk and network slots" {
	local d=$BATS_TEST_TMPDIR/d.img i args=()
	truncate -s 1M "$d"
	for i in 1 2 3 4 5 6 7; do args+=(--disk "$d,ro"); done
	run -2 "$KEEL_VM" --kernel "$KEEL_GUEST_KERNEL" --console virtio "${args[@]}"
	assert_one_error_line "--console virtio: at most 6 disks and networks"
}
