#!/usr/bin/env bats
# keel-vm's CPU against the bare-metal ISA tests of tests/guest (one ELF per
# instruction group, entered in M-mode with no firmware). Each must power
# the machine off through the sifive test device with status 0 after
# printing "PASS <name>"; a failing check prints a line naming it.
# The same ELFs also run once under qemu-system-riscv64 -bios none, which
# proves the tests themselves right (skipped without QEMU).

bats_require_minimum_version 1.5.0

setup_file() {
	export REPO_ROOT
	REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	export KEEL_VM=${KEEL_BUILD:-$REPO_ROOT/build}/keel-vm
	export ISA_OUT=$REPO_ROOT/tests/guest/out
	# Incremental: a no-op when the ELFs are up to date.
	"$REPO_ROOT/tests/guest/build.sh"
}

setup() {
	[ -x "$KEEL_VM" ] || {
		echo "no keel-vm binary at $KEEL_VM" >&2
		return 1
	}
}

# Runs one ISA test on keel-vm (extra keel-vm arguments after the name);
# the console output is in $output.
run_isa_test() {
	local name=$1
	shift
	[ -f "$ISA_OUT/$name.elf" ] || {
		echo "missing $ISA_OUT/$name.elf" >&2
		return 1
	}
	run timeout 300 "$KEEL_VM" --kernel "$ISA_OUT/$name.elf" "$@" </dev/null
	echo "$output"
	if [ "$status" -ne 0 ]; then
		[ "$status" -ne 124 ] || echo "keel-vm timed out"
		echo "keel-vm exited with status $status"
		return 1
	fi
	[[ $output == *"PASS $name ("* ]] || {
		echo "no 'PASS $name' line"
		return 1
	}
	[[ $output != *FAIL* ]]
}

@test "isa rv64i: integer ops, W forms, shifts, branches, jumps, loads/stores, fence.i" {
	run_isa_test rv64i
}

@test "isa rv64m: mul/mulh*, div/rem by zero and overflow, W forms" {
	run_isa_test rv64m
}

@test "isa rv64a: LR/SC success and failure, every AMO W and D" {
	run_isa_test rv64a
}

@test "isa rv64f: arithmetic, 5 rounding modes, fflags, NaN boxing, fmin/fmax, fcvt, fclass, fmadd, FS" {
	run_isa_test rv64f
}

@test "isa rv64d: arithmetic, rounding modes, fflags, canonical NaN, conversions, fclass, fmadd" {
	run_isa_test rv64d
}

@test "isa rvc: every compressed form, 32-bit instruction across a page" {
	run_isa_test rvc
}

@test "isa zicsr: csrrw/s/c and immediates, read-only CSR write is illegal, counters, views" {
	run_isa_test zicsr
}

@test "isa traps: ecall U/S/M, ebreak, illegal (mtval), misaligned, access faults, mret" {
	run_isa_test traps
}

@test "isa deleg: medeleg/mideleg to S-mode, sret/mret with SPP/MPP" {
	run_isa_test deleg
}

@test "isa interrupts: CLINT timer and msip, priority, WFI wake, preemption of S/U" {
	run_isa_test interrupts
}

@test "isa sv39: translation, superpages, U/S with SUM, MXR, page faults, A/D, sfence.vma" {
	run_isa_test sv39
}

@test "isa sv48: the paging test with four-level tables" {
	run_isa_test sv48
}

@test "isa: every test program in tests/guest has a case in this file" {
	local elf name missing=0
	for elf in "$ISA_OUT"/*.elf; do
		name=$(basename "$elf" .elf)
		[ "$name" != harness_fail ] || continue
		grep -qE "^	run_isa_test $name( |\$)" "$BATS_TEST_FILENAME" || {
			echo "tests/guest/out/$name.elf is not run by vm_isa.bats"
			missing=1
		}
	done
	[ "$missing" -eq 0 ]
}

@test "isa plic: UART interrupt through the PLIC, priority/threshold, claim/complete, M and S contexts" {
	run_isa_test plic
}

@test "isa smp: IPIs through msip both ways, AMOs and an LR/SC lock from two harts" {
	run_isa_test smp --cpus 2
}

@test "isa negative control: a failing check names itself and exits 1" {
	run timeout 300 "$KEEL_VM" --kernel "$ISA_OUT/harness_fail.elf" </dev/null
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"FAIL harness_fail: deliberate failure"* ]]
	[[ $output != *"FAIL harness_fail: passing check"* ]]
}

@test "isa tests are right: each passes on qemu-system-riscv64 -bios none" {
	[ -z "${KEEL_ASAN:-}" ] || skip "QEMU cross-check runs in the release pass only"
	command -v qemu-system-riscv64 >/dev/null || skip "qemu-system-riscv64 not installed"
	local elf name failed=0
	for elf in "$ISA_OUT"/*.elf; do
		name=$(basename "$elf" .elf)
		[ "$name" != harness_fail ] || continue
		# Two harts for all: the other tests keep hart 1 parked.
		run timeout 120 qemu-system-riscv64 -M virt -smp 2 -bios none -nographic -monitor none \
			-kernel "$elf" </dev/null
		if [ "$status" -ne 0 ] || [[ $output != *"PASS $name ("* ]]; then
			echo "QEMU: $name failed (status $status):"
			echo "$output"
			failed=1
		fi
	done
	[ "$failed" -eq 0 ]
}
