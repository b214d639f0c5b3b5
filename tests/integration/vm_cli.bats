#!/usr/bin/env bats
# keel-vm's command line: option errors, kernel validation, the device tree
# it generates, exit statuses, the serial console (pipes, Ctrl-a x, a real
# tty) and booting the reference Linux guest (built-in SBI and OpenSBI).
#
# Needs: KEEL_BUILD (build dir holding keel-vm), dtc (device-tree-compiler),
# riscv64-linux-gnu-gcc for the small bare-metal programs, script(1).

# the reference guest in shared/ beside the clone, wherever it is (as
# vm_boot.bats finds it)
GUEST=${KEEL_GUEST_DIR:-${KEEL_SHARED:-$BATS_TEST_DIRNAME/../../../shared}/guest}
OPENSBI=/usr/lib/riscv64-linux-gnu/opensbi/generic

load lib/vm

setup_file() {
	export VM="$KEEL_BUILD/keel-vm"
	[ -x "$VM" ] || {
		echo "keel-vm not built in $KEEL_BUILD" >&2
		return 1
	}
	build_programs "$BATS_FILE_TMPDIR"
}

# Tiny M-mode programs linked at the base of RAM, run as bare-metal ELFs.
build_programs() {
	local dir=$1
	command -v riscv64-linux-gnu-gcc >/dev/null || return 0
	# echo: prints READY, echoes input upper-cased, powers off on 'q'
	cat >"$dir/echo.S" <<'EOF'
	.globl _start
_start:	li t0, 0x10000000
	li t1, 0x100000
	la a0, msg
1:	lbu a1, 0(a0)
	beqz a1, 2f
	sb a1, 0(t0)
	addi a0, a0, 1
	j 1b
2:	lbu a1, 5(t0)
	andi a1, a1, 1
	beqz a1, 2b
	lbu a1, 0(t0)
	li a2, 'q'
	beq a1, a2, 3f
	li a2, 'a'
	blt a1, a2, 4f
	li a2, 'z'
	bgt a1, a2, 4f
	addi a1, a1, -32
4:	sb a1, 0(t0)
	j 2b
3:	li a1, 0x5555
	sw a1, 0(t1)
5:	wfi
	j 5b
msg:	.asciz "READY\n"
EOF
	# fail7: reports failure code 7 through the test device
	cat >"$dir/fail7.S" <<'EOF'
	.globl _start
_start:	li t1, 0x100000
	li a1, (7 << 16) | 0x3333
	sw a1, 0(t1)
1:	wfi
	j 1b
EOF
	# reboot: prints BOOT then asks for a reboot, forever
	cat >"$dir/reboot.S" <<'EOF'
	.globl _start
_start:	li t0, 0x10000000
	li t1, 0x100000
	la a0, msg
1:	lbu a1, 0(a0)
	beqz a1, 2f
	sb a1, 0(t0)
	addi a0, a0, 1
	j 1b
2:	li a1, 0x7777
	sw a1, 0(t1)
3:	wfi
	j 3b
msg:	.asciz "BOOT\n"
EOF
	# a Linux /init that echoes console lines (tests the interrupt-driven
	# UART path and that piped input is not lost while Linux starts)
	cat >"$dir/echo-init.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	char line[256];
	printf("KEEL-ECHO-READY\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = 0;
		if (!strcmp(line, "quit"))
			break;
		printf("ECHO:%s\n", line);
		fflush(stdout);
	}
	printf("KEEL-ECHO-END\n");
	fflush(stdout);
	reboot(RB_POWER_OFF);
	return 0;
}
EOF
	mkdir -p "$dir/ir/dev" "$dir/ir/proc"
	if riscv64-linux-gnu-gcc -static -O2 -o "$dir/ir/init" "$dir/echo-init.c" 2>/dev/null; then
		(cd "$dir/ir" && find . | cpio -o -H newc --quiet) >"$dir/echo.cpio"
	fi
	# a Linux /init that says hello and reboots (SBI system reset)
	cat >"$dir/reboot-init.c" <<'EOF'
#include <stdio.h>
#include <sys/reboot.h>

int main(void)
{
	printf("KEEL-REBOOT-INIT\n");
	fflush(stdout);
	reboot(RB_AUTOBOOT);
	return 0;
}
EOF
	mkdir -p "$dir/ir2/dev" "$dir/ir2/proc"
	if riscv64-linux-gnu-gcc -static -O2 -o "$dir/ir2/init" "$dir/reboot-init.c" 2>/dev/null; then
		(cd "$dir/ir2" && find . | cpio -o -H newc --quiet) >"$dir/reboot.cpio"
	fi
	local p
	for p in echo fail7 reboot; do
		riscv64-linux-gnu-gcc -nostdlib -nostartfiles -static -march=rv64gc -mabi=lp64d \
			-Wl,-N -Wl,--build-id=none -Wl,--no-warn-rwx-segments \
			-Wl,-Ttext=0x80000000 -o "$dir/$p.elf" "$dir/$p.S" || return 1
	done
}

need_programs() {
	[ -f "$BATS_FILE_TMPDIR/echo.elf" ] || skip "riscv64-linux-gnu-gcc not installed"
}

need_guest() {
	[ -f "$GUEST/Image" ] && [ -f "$GUEST/initramfs.cpio" ] || skip "no reference guest in $GUEST"
}

teardown() {
	if [ -n "${bg_pid:-}" ]; then
		kill -KILL "$bg_pid" 2>/dev/null || true
		wait "$bg_pid" 2>/dev/null || true
		bg_pid=
	fi
}

@test "--help prints the usage and exits 0" {
	run "$VM" --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"--kernel IMAGE"* ]]
	[[ "$output" == *"Ctrl-a x"* ]]
	run "$VM" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "keel-vm "* ]]
}

@test "no --kernel is an error" {
	run "$VM"
	assert_one_error_line "missing --kernel"
}

@test "unknown options and stray arguments are errors" {
	run "$VM" --kernel x --bogus
	assert_one_error_line "unknown option --bogus"
	run "$VM" --kernel x stray
	assert_one_error_line "unexpected argument 'stray'"
	run "$VM" --kernel
	assert_one_error_line "missing argument"
}

@test "bad --mem and --cpus values name the option and the value" {
	run "$VM" --kernel x --mem 12Q
	assert_one_error_line "--mem 12Q"
	run "$VM" --kernel x --mem 0
	assert_one_error_line "--mem 0"
	run "$VM" --kernel x --mem 1M
	assert_one_error_line "--mem 1M: must be between"
	run "$VM" --kernel x --cpus 9
	assert_one_error_line "--cpus 9"
	run "$VM" --kernel x --cpus zero
	assert_one_error_line "--cpus zero"
}

@test "a missing kernel file is reported with its path" {
	run "$VM" --kernel "$BATS_TEST_TMPDIR/nope"
	assert_one_error_line "kernel $BATS_TEST_TMPDIR/nope: No such file or directory"
}

@test "a file that is neither a Linux Image nor an ELF is refused" {
	head -c 4096 /dev/urandom >"$BATS_TEST_TMPDIR/junk"
	run "$VM" --kernel "$BATS_TEST_TMPDIR/junk"
	assert_one_error_line "not a RISC-V Linux Image or ELF"
	: >"$BATS_TEST_TMPDIR/empty"
	run "$VM" --kernel "$BATS_TEST_TMPDIR/empty"
	assert_one_error_line "not a RISC-V Linux Image or ELF"
}

@test "an ELF for another machine is refused" {
	run "$VM" --kernel /bin/true
	assert_one_error_line "not RISC-V"
}

@test "--mem too small for kernel and initrd says what does not fit" {
	need_guest
	run "$VM" --kernel "$GUEST/Image" --initrd "$GUEST/initramfs.cpio" --mem 4M
	assert_one_error_line "--mem 4M: too small for kernel ("
	[[ "$output" == *"and initrd (561 KiB)"* ]]
}

@test "a missing initrd or disk is reported" {
	need_guest
	run "$VM" --kernel "$GUEST/Image" --initrd "$BATS_TEST_TMPDIR/none.cpio"
	assert_one_error_line "initrd $BATS_TEST_TMPDIR/none.cpio"
	run "$VM" --kernel "$GUEST/Image" --disk "$BATS_TEST_TMPDIR/none.img"
	assert_one_error_line "--disk $BATS_TEST_TMPDIR/none.img"
}

@test "--dump-dtb writes a valid device tree of the virt board" {
	command -v dtc >/dev/null || skip "dtc not installed"
	run "$VM" --dump-dtb "$BATS_TEST_TMPDIR/vm.dtb" --cpus 3 --mem 512M \
		--append "console=ttyS0 quiet"
	[ "$status" -eq 0 ]
	run dtc -I dtb -O dts -o "$BATS_TEST_TMPDIR/vm.dts" "$BATS_TEST_TMPDIR/vm.dtb"
	[ "$status" -eq 0 ]
	# dtc's checks (bus rules, interrupt providers...) find nothing to say
	[ -z "$output" ] || {
		echo "dtc: $output"
		return 1
	}
	local dts=$BATS_TEST_TMPDIR/vm.dts
	[ "$(grep -c 'device_type = "cpu"' "$dts")" -eq 3 ]
	grep -q 'timebase-frequency = <0x989680>' "$dts"
	grep -q 'riscv,isa = "rv64imafdc' "$dts"
	grep -q 'bootargs = "console=ttyS0 quiet"' "$dts"
	grep -q 'stdout-path = "/soc/serial@10000000"' "$dts"
	# 512 MiB at 0x80000000
	grep -q 'reg = <0x00 0x80000000 0x00 0x20000000>' "$dts"
	grep -q 'plic@c000000' "$dts"
	grep -q 'clint@2000000' "$dts"
	grep -q 'compatible = "syscon-poweroff"' "$dts"
	grep -q 'compatible = "google,goldfish-rtc"' "$dts"
	# only the rng: one virtio slot populated
	[ "$(grep -c 'virtio,mmio' "$dts")" -eq 1 ]
}

@test "--dump-dtb with a kernel and initrd places the initrd inside RAM" {
	need_guest
	command -v dtc >/dev/null || skip "dtc not installed"
	run "$VM" --kernel "$GUEST/Image" --initrd "$GUEST/initramfs.cpio" --mem 64M \
		--dump-dtb "$BATS_TEST_TMPDIR/vm.dtb"
	[ "$status" -eq 0 ]
	dtc -I dtb -O dts -o "$BATS_TEST_TMPDIR/vm.dts" "$BATS_TEST_TMPDIR/vm.dtb"
	local start end size
	start=$(sed -n 's/.*linux,initrd-start = <\(0x[0-9a-f]*\) \(0x[0-9a-f]*\)>.*/\1\2/p' \
		"$BATS_TEST_TMPDIR/vm.dts" | sed 's/0x//2')
	end=$(sed -n 's/.*linux,initrd-end = <\(0x[0-9a-f]*\) \(0x[0-9a-f]*\)>.*/\1\2/p' \
		"$BATS_TEST_TMPDIR/vm.dts" | sed 's/0x//2')
	size=$(stat -c %s "$GUEST/initramfs.cpio")
	[ $((end - start)) -eq "$size" ]
	[ $((start)) -ge $((0x80000000 + 0x200000)) ]
	[ $((end)) -le $((0x80000000 + 64 * 1024 * 1024)) ]
}

@test "--dump-dtb into a directory that does not exist fails" {
	run "$VM" --dump-dtb "$BATS_TEST_TMPDIR/no/such/dir/x.dtb"
	assert_one_error_line "--dump-dtb $BATS_TEST_TMPDIR/no/such/dir/x.dtb"
}

@test "the guest's failure code becomes the exit status" {
	need_programs
	run "$VM" --kernel "$BATS_FILE_TMPDIR/fail7.elf"
	[ "$status" -eq 7 ]
}

@test "console input from a pipe reaches the guest and power-off exits 0" {
	need_programs
	run bash -c "printf 'hello q' | '$VM' --kernel '$BATS_FILE_TMPDIR/echo.elf'"
	[ "$status" -eq 0 ]
	[[ "$output" == *"READY"* ]]
	[[ "$output" == *"HELLO"* ]]
}

@test "Ctrl-a x quits; Ctrl-a Ctrl-a sends one Ctrl-a" {
	need_programs
	run bash -c "printf 'a\001\001b\001x' | '$VM' --kernel '$BATS_FILE_TMPDIR/echo.elf' | od -An -c"
	[ "$status" -eq 0 ]
	[[ "$output" == *"terminated (Ctrl-a x)"* ]]
	run bash -c "printf 'a\001\001bq' | '$VM' --kernel '$BATS_FILE_TMPDIR/echo.elf' | od -An -tx1"
	[ "$status" -eq 0 ]
	# A, 0x01, B echoed back
	[[ "$output" == *"41 01 42"* ]]
}

@test "end of input does not stop the machine; a reboot starts it from scratch" {
	need_programs
	# stdin at EOF: the guest keeps running until it reboots itself;
	# the reboot program proves two boots happen with no input at all
	"$VM" --kernel "$BATS_FILE_TMPDIR/reboot.elf" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
	bg_pid=$!
	local deadline=$((SECONDS + WAIT_SECONDS))
	while [ "$(grep -c BOOT "$BATS_TEST_TMPDIR/out")" -lt 3 ] && [ $SECONDS -lt $deadline ]; do
		kill -0 "$bg_pid" 2>/dev/null || break
		sleep 0.1
	done
	# reboot reloads the program and runs it again from scratch
	[ "$(grep -c BOOT "$BATS_TEST_TMPDIR/out")" -ge 3 ]
	kill -0 "$bg_pid"
}

@test "a tty is put in raw mode and restored on exit and on SIGTERM" {
	need_programs
	command -v script >/dev/null || skip "script(1) not installed"
	local d=$BATS_TEST_TMPDIR
	# exit through the guest: stty settings before and after must match
	printf 'q' | script -qec "stty -g >'$d/before'; '$VM' --kernel '$BATS_FILE_TMPDIR/echo.elf' \
		>'$d/out1'; echo \$? >'$d/rc1'; stty -g >'$d/after'" /dev/null >/dev/null
	[ "$(cat "$d/rc1")" -eq 0 ]
	grep -q READY "$d/out1"
	[ -s "$d/before" ]
	diff "$d/before" "$d/after"
	# killed by SIGTERM while raw: still restored
	script -qec "stty -g >'$d/before2'; '$VM' --kernel '$BATS_FILE_TMPDIR/echo.elf' >'$d/out2' &
		pid=\$!; for i in \$(seq 300); do [ \"\$(stty -g)\" != \"\$(cat '$d/before2')\" ] && break;
		sleep 0.1; done; stty -g >'$d/raw'; kill -TERM \$pid; wait \$pid; echo \$? >'$d/rc2';
		stty -g >'$d/after2'" /dev/null </dev/null >/dev/null
	# it was raw while running, and is back after the signal
	! diff -q "$d/before2" "$d/raw" >/dev/null
	diff "$d/before2" "$d/after2"
	[ "$(cat "$d/rc2")" -eq $((128 + 15)) ]
}

@test "the reference Linux guest boots with the built-in SBI and powers off" {
	need_guest
	run timeout 600 "$VM" --kernel "$GUEST/Image" --initrd "$GUEST/initramfs.cpio" \
		--append "console=ttyS0" </dev/null
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	[[ "$output" == *"KEEL-GUEST-BOOTED"* ]]
	[[ "$output" == *"KEEL-GUEST-DONE"* ]]
}

@test "Linux reads every byte piped to its serial console" {
	need_guest
	[ -f "$BATS_FILE_TMPDIR/echo.cpio" ] || skip "no riscv64 static libc to build the echo init"
	run bash -c "printf 'hello\nworld\nquit\n' | timeout 600 '$VM' --kernel '$GUEST/Image' \
		--initrd '$BATS_FILE_TMPDIR/echo.cpio' --append 'console=ttyS0 quiet'"
	echo "$output" | tail -8
	[ "$status" -eq 0 ]
	# the first byte too: input waits until the driver is ready for it
	[[ "$output" == *"ECHO:hello"* ]]
	[[ "$output" == *"ECHO:world"* ]]
	[[ "$output" == *"KEEL-ECHO-END"* ]]
}

@test "Linux's SBI console (hvc0) reads piped input through the built-in SBI" {
	need_guest
	[ -f "$BATS_FILE_TMPDIR/echo.cpio" ] || skip "no riscv64 static libc to build the echo init"
	run bash -c "printf 'hello\nquit\n' | timeout 600 '$VM' --kernel '$GUEST/Image' \
		--initrd '$BATS_FILE_TMPDIR/echo.cpio' --append 'console=hvc0'"
	echo "$output" | tail -8
	[ "$status" -eq 0 ]
	[[ "$output" == *"console [hvc0] enabled"* ]]
	[[ "$output" == *"ECHO:hello"* ]]
}

@test "Linux reboots through the SBI and boots again" {
	need_guest
	[ -f "$BATS_FILE_TMPDIR/reboot.cpio" ] || skip "no riscv64 static libc to build the init"
	"$VM" --cpus 2 --kernel "$GUEST/Image" --initrd "$BATS_FILE_TMPDIR/reboot.cpio" \
		--append "console=ttyS0 quiet" </dev/null >"$BATS_TEST_TMPDIR/out" 2>&1 &
	bg_pid=$!
	local deadline=$((SECONDS + 2 * WAIT_SECONDS))
	while [ "$(grep -ac KEEL-REBOOT-INIT "$BATS_TEST_TMPDIR/out")" -lt 2 ] && [ $SECONDS -lt $deadline ]; do
		kill -0 "$bg_pid" 2>/dev/null || break
		sleep 0.2
	done
	tail -5 "$BATS_TEST_TMPDIR/out"
	[ "$(grep -ac KEEL-REBOOT-INIT "$BATS_TEST_TMPDIR/out")" -ge 2 ]
	grep -aq "reboot: Restarting system" "$BATS_TEST_TMPDIR/out"
	kill -0 "$bg_pid"
}

@test "the reference Linux guest boots on 2 harts" {
	need_guest
	run timeout 600 "$VM" --cpus 2 --kernel "$GUEST/Image" --initrd "$GUEST/initramfs.cpio" \
		--append "console=ttyS0" </dev/null
	echo "$output" | tail -20
	[ "$status" -eq 0 ]
	[[ "$output" == *"Brought up 1 node, 2 CPUs"* ]]
	[[ "$output" == *"KEEL-GUEST-DONE"* ]]
}

@test "the reference Linux guest boots under OpenSBI fw_dynamic and fw_jump" {
	need_guest
	[ -f "$OPENSBI/fw_dynamic.bin" ] || skip "opensbi not installed"
	local fw
	for fw in fw_dynamic.bin fw_jump.bin; do
		run timeout 600 "$VM" --bios "$OPENSBI/$fw" --kernel "$GUEST/Image" \
			--initrd "$GUEST/initramfs.cpio" --append "console=ttyS0" </dev/null
		echo "$fw: $(echo "$output" | tail -5)"
		[ "$status" -eq 0 ]
		[[ "$output" == *"OpenSBI"* ]]
		[[ "$output" == *"KEEL-GUEST-DONE"* ]]
	done
}
