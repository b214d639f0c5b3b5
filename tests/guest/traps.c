/* Synchronous traps taken to M-mode: ecall from each mode, breakpoints,
 * illegal instructions (mtval = the instruction bits), misaligned and
 * faulting accesses, privileged instructions in the wrong mode, and the
 * mstatus stack (MIE/MPIE/MPP) across a trap and mret. */
#include "guest.h"

const char test_name[] = "traps";

/* Far above RAM and every device of the board. */
#define UNMAPPED_ADDRESS 0x10000000000UL

static u64 do_ecall(u64 unused)
{
	__asm__ volatile("li a7, 0\n\tecall" ::: "a7", "memory");
	return 0;
}

static void test_ecall(void)
{
	u64 pc;
	trap_expect();
	__asm__ volatile("la %0, 1f\n1:\tecall" : "=r"(pc)::"memory");
	CHECK_TRAP("ecall from M", CAUSE_MACHINE_ECALL, 0);
	CHECK_EQ("mepc of ecall", last_trap.epc, pc);
	trap_expect();
	run_in_mode(MODE_S, do_ecall, 0);
	CHECK_TRAP("ecall from S", CAUSE_SUPERVISOR_ECALL, 0);
	CHECK_EQ("MPP after ecall from S", last_trap.mode, MODE_S);
	trap_expect();
	run_in_mode(MODE_U, do_ecall, 0);
	CHECK_TRAP("ecall from U", CAUSE_USER_ECALL, 0);
	CHECK_EQ("MPP after ecall from U", last_trap.mode, MODE_U);
}

static void test_breakpoint(void)
{
	u64 pc, after;
	trap_expect();
	__asm__ volatile("la %0, 1f\n1:\tebreak\n\tla %1, 1b" : "=&r"(pc), "=r"(after)::"memory");
	CHECK_TRAP("ebreak", CAUSE_BREAKPOINT, TVAL_ANY);
	CHECK_EQ("mepc of ebreak", last_trap.epc, pc);
	CHECK("mtval of ebreak is 0 or the pc", last_trap.tval == 0 || last_trap.tval == pc);
	trap_expect();
	__asm__ volatile(".option push\n\t.option rvc\n\tla %0, 1f\n1:\tc.ebreak\n\t.option pop"
			 : "=r"(pc)::"memory");
	CHECK_TRAP("c.ebreak", CAUSE_BREAKPOINT, TVAL_ANY);
	CHECK_EQ("mepc of c.ebreak", last_trap.epc, pc);
}

static void test_illegal_instructions(void)
{
	trap_expect();
	__asm__ volatile(".word 0x0000000b" ::: "memory"); /* custom-0 opcode */
	CHECK_TRAP("custom-0 opcode", CAUSE_ILLEGAL_INSTRUCTION, 0x0000000b);
	trap_expect();
	__asm__ volatile(".word 0xc0001073" ::: "memory"); /* unimp: csrrw x0, cycle, x0 */
	CHECK_TRAP("unimp (write to cycle)", CAUSE_ILLEGAL_INSTRUCTION, 0xc0001073);
	trap_expect();
	__asm__ volatile(".half 0x0000" ::: "memory"); /* all zeros is illegal */
	CHECK_TRAP("all-zero 16-bit instruction", CAUSE_ILLEGAL_INSTRUCTION, 0);
	trap_expect();
	__asm__ volatile(".half 0x6101" ::: "memory"); /* c.addi16sp with imm 0: reserved */
	CHECK_TRAP("reserved c.addi16sp", CAUSE_ILLEGAL_INSTRUCTION, 0x6101);
	trap_expect();
	__asm__ volatile(".word 0x0200003b" ::: "memory"); /* mulw zero, zero, zero */
	CHECK_NO_TRAP("mulw zero, zero, zero is legal");
	trap_expect();
	__asm__ volatile(".word 0x4000103b" ::: "memory"); /* sllw with funct7=0x20 */
	CHECK_TRAP("sllw with reserved funct7", CAUSE_ILLEGAL_INSTRUCTION, 0x4000103b);
}

static volatile u64 aligned_cells[4] __attribute__((aligned(16)));

/* A misaligned load or store may be done by the hardware or trap with the
 * address in mtval; either way the result must be right. */
static void test_misaligned_access(void)
{
	u64 base = (u64)aligned_cells, v;
	aligned_cells[0] = 0x8877665544332211UL;
	aligned_cells[1] = 0x00ffeeddccbbaa99UL;
	trap_expect();
	__asm__ volatile("lw %0, 1(%1)" : "=r"(v) : "r"(base) : "memory");
	if (last_trap.count) {
		CHECK_TRAP("misaligned lw traps with the address", CAUSE_MISALIGNED_LOAD, base + 1);
	} else {
		CHECK_NO_TRAP("misaligned lw done in hardware");
		CHECK_EQ("misaligned lw value", v, 0x0000000055443322UL);
	}
	trap_expect();
	__asm__ volatile("ld %0, 6(%1)" : "=r"(v) : "r"(base) : "memory");
	if (last_trap.count) {
		CHECK_TRAP("misaligned ld traps with the address", CAUSE_MISALIGNED_LOAD, base + 6);
	} else {
		CHECK_EQ("misaligned ld across words", v, 0xeeddccbbaa998877UL);
	}
	trap_expect();
	__asm__ volatile("sh %0, 3(%1)" ::"r"(0xabcdUL), "r"(base) : "memory");
	if (last_trap.count) {
		CHECK_TRAP("misaligned sh traps with the address", CAUSE_MISALIGNED_STORE,
			   base + 3);
	} else {
		CHECK_EQ("misaligned sh", aligned_cells[0], 0x887766abcd332211UL);
	}

	/* Atomics must not be split: a misaligned AMO or LR traps (the spec
	 * allows address-misaligned or access fault), with the address. */
	trap_expect();
	__asm__ volatile("amoadd.w %0, %1, (%2)" : "=r"(v) : "r"(1UL), "r"(base + 2) : "memory");
	CHECK("misaligned amoadd.w traps",
	      last_trap.count == 1 && (last_trap.cause == CAUSE_MISALIGNED_STORE ||
				       last_trap.cause == CAUSE_STORE_ACCESS ||
				       /* QEMU 7.2 reports a load fault here (its bug): accepted
					* so the test can still be checked against QEMU. */
				       last_trap.cause == CAUSE_MISALIGNED_LOAD));
	CHECK_EQ("misaligned amoadd.w mtval", last_trap.tval, base + 2);
	trap_expect();
	__asm__ volatile("lr.d %0, (%1)" : "=r"(v) : "r"(base + 4) : "memory");
	CHECK("misaligned lr.d traps",
	      last_trap.count == 1 && (last_trap.cause == CAUSE_MISALIGNED_LOAD ||
				       last_trap.cause == CAUSE_LOAD_ACCESS));
	CHECK_EQ("misaligned lr.d mtval", last_trap.tval, base + 4);
}

static void test_access_faults(void)
{
	u64 v;
	trap_expect();
	__asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(UNMAPPED_ADDRESS) : "memory");
	CHECK_TRAP("load from nowhere", CAUSE_LOAD_ACCESS, UNMAPPED_ADDRESS);
	trap_expect();
	__asm__ volatile("sw zero, 8(%0)" ::"r"(UNMAPPED_ADDRESS) : "memory");
	CHECK_TRAP("store to nowhere", CAUSE_STORE_ACCESS, UNMAPPED_ADDRESS + 8);
	trap_expect();
	__asm__ volatile("la t0, 1f\n\t"
			 "la t1, trap_resume_pc\n\t"
			 "sd t0, 0(t1)\n\t"
			 "jalr %0\n"
			 "1:" ::"r"(UNMAPPED_ADDRESS)
			 : "t0", "t1", "ra", "memory");
	CHECK_TRAP("fetch from nowhere", CAUSE_FETCH_ACCESS, UNMAPPED_ADDRESS);
	CHECK_EQ("mepc of a fetch fault", last_trap.epc, UNMAPPED_ADDRESS);
}

static u64 do_mret(u64 unused)
{
	__asm__ volatile("mret" ::: "memory");
	return 0;
}

static u64 do_sret(u64 unused)
{
	__asm__ volatile("sret" ::: "memory");
	return 0;
}

static u64 do_sfence(u64 unused)
{
	__asm__ volatile("sfence.vma" ::: "memory");
	return 0;
}

static u64 do_satp_read(u64 unused)
{
	return csr_read(satp);
}

static void test_privileged_instructions(void)
{
	trap_expect();
	run_in_mode(MODE_S, do_mret, 0);
	CHECK_TRAP("mret in S", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	trap_expect();
	run_in_mode(MODE_U, do_sret, 0);
	CHECK_TRAP("sret in U", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	trap_expect();
	run_in_mode(MODE_U, do_sfence, 0);
	CHECK_TRAP("sfence.vma in U", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);

	/* mstatus.TSR traps sret in S; TVM traps satp and sfence.vma in S. */
	csr_set(mstatus, 1UL << 22);
	trap_expect();
	run_in_mode(MODE_S, do_sret, 0);
	CHECK_TRAP("sret in S with TSR", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	csr_clear(mstatus, 1UL << 22);
	csr_set(mstatus, 1UL << 20);
	trap_expect();
	run_in_mode(MODE_S, do_sfence, 0);
	CHECK_TRAP("sfence.vma in S with TVM", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	trap_expect();
	run_in_mode(MODE_S, do_satp_read, 0);
	CHECK_TRAP("satp in S with TVM", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	csr_clear(mstatus, 1UL << 20);
	trap_expect();
	run_in_mode(MODE_S, do_sfence, 0);
	run_in_mode(MODE_S, do_satp_read, 0);
	CHECK_NO_TRAP("sfence.vma and satp in S without TVM");
}

/* mret to M-mode itself: MIE takes MPIE, MPIE becomes 1, MPP becomes U. */
static void test_mret_status_stack(void)
{
	u64 status;
	csr_clear(mstatus, MSTATUS_MIE);
	csr_set(mstatus, MSTATUS_MPIE | MSTATUS_MPP);
	__asm__ volatile("la t0, 1f\n\tcsrw mepc, t0\n\tmret\n1:" ::: "t0", "memory");
	status = csr_read(mstatus);
	CHECK("mret: MIE = old MPIE", status & MSTATUS_MIE);
	CHECK("mret: MPIE = 1", status & MSTATUS_MPIE);
	CHECK_EQ("mret: MPP = U", status & MSTATUS_MPP, 0);
	csr_clear(mstatus, MSTATUS_MIE);

	/* A trap pushes: MPIE = MIE (0 here), MIE = 0, MPP = M. */
	csr_set(mstatus, MSTATUS_MPIE);
	trap_expect();
	__asm__ volatile("ecall" ::: "memory");
	status = csr_read(mstatus);
	CHECK_TRAP("ecall for the status stack", CAUSE_MACHINE_ECALL, 0);
	CHECK_EQ("after trap+mret from M: MPP", last_trap.mode, MODE_M);
	CHECK("after trap+mret: MIE still 0", !(status & MSTATUS_MIE));
}

void test_main(void)
{
	test_ecall();
	test_breakpoint();
	test_illegal_instructions();
	test_misaligned_access();
	test_access_faults();
	test_privileged_instructions();
	test_mret_status_stack();
}
