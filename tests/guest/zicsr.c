/* Zicsr: the six CSR instructions and their read/write side effects,
 * read-only and missing CSRs (illegal instruction, mtval = the bits),
 * privilege checks, counters, and the S-mode views of M-mode CSRs. */
#include "guest.h"

const char test_name[] = "zicsr";

static void test_register_forms(void)
{
	u64 old;
	csr_write(sscratch, 0x1234);
	__asm__ volatile("csrrw %0, sscratch, %1" : "=r"(old) : "r"(0xff00UL));
	CHECK_EQ("csrrw returns old", old, 0x1234);
	CHECK_EQ("csrrw writes", csr_read(sscratch), 0xff00);
	__asm__ volatile("csrrs %0, sscratch, %1" : "=r"(old) : "r"(0x00ffUL));
	CHECK_EQ("csrrs returns old", old, 0xff00);
	CHECK_EQ("csrrs sets bits", csr_read(sscratch), 0xffff);
	__asm__ volatile("csrrc %0, sscratch, %1" : "=r"(old) : "r"(0x0ff0UL));
	CHECK_EQ("csrrc returns old", old, 0xffff);
	CHECK_EQ("csrrc clears bits", csr_read(sscratch), 0xf00f);
	__asm__ volatile("csrrw zero, sscratch, %0" ::"r"(-1UL));
	CHECK_EQ("csrrw with rd=x0 writes", csr_read(sscratch), -1UL);
}

static void test_immediate_forms(void)
{
	u64 old;
	csr_write(sscratch, 0);
	__asm__ volatile("csrrwi %0, sscratch, 31" : "=r"(old));
	CHECK_EQ("csrrwi returns old", old, 0);
	CHECK_EQ("csrrwi zero-extends the immediate", csr_read(sscratch), 31);
	__asm__ volatile("csrrci %0, sscratch, 5" : "=r"(old));
	CHECK_EQ("csrrci returns old", old, 31);
	CHECK_EQ("csrrci clears", csr_read(sscratch), 26);
	__asm__ volatile("csrrsi %0, sscratch, 1" : "=r"(old));
	CHECK_EQ("csrrsi returns old", old, 26);
	CHECK_EQ("csrrsi sets", csr_read(sscratch), 27);
}

static u32 insn_at(u64 addr)
{
	return *(volatile u16 *)addr | (u32)(*(volatile u16 *)(addr + 2)) << 16;
}

/* Writing a read-only CSR is illegal, and mtval holds the instruction. */
static void test_read_only_csrs(void)
{
	u64 v, pc;
	trap_expect();
	__asm__ volatile("la %0, 1f\n1:\tcsrw mvendorid, %1" : "=&r"(pc) : "r"(1UL));
	CHECK_TRAP("csrw mvendorid", CAUSE_ILLEGAL_INSTRUCTION, insn_at(pc));
	trap_expect();
	__asm__ volatile("la %0, 1f\n1:\tcsrrwi %1, mhartid, 0" : "=&r"(pc), "=r"(v));
	CHECK_TRAP("csrrwi mhartid", CAUSE_ILLEGAL_INSTRUCTION, insn_at(pc));
	trap_expect();
	__asm__ volatile("la %0, 1f\n1:\tcsrrs %1, cycle, %2" : "=&r"(pc), "=r"(v) : "r"(1UL));
	CHECK_TRAP("csrrs cycle with rs1!=x0", CAUSE_ILLEGAL_INSTRUCTION, insn_at(pc));

	/* Set/clear with x0 or a zero immediate do not write: legal. */
	trap_expect();
	__asm__ volatile("csrrs %0, mhartid, zero" : "=r"(v));
	__asm__ volatile("csrrsi %0, mvendorid, 0" : "=r"(v));
	__asm__ volatile("csrrc %0, marchid, zero" : "=r"(v));
	CHECK_NO_TRAP("csrrs/csrrsi/csrrc without a write");
	CHECK_EQ("mhartid of the boot hart", csr_read(mhartid), 0);

	trap_expect();
	__asm__ volatile("la %0, 1f\n1:\tcsrr %1, 0xfff" : "=&r"(pc), "=r"(v));
	CHECK_TRAP("missing CSR 0xfff", CAUSE_ILLEGAL_INSTRUCTION, insn_at(pc));
}

static void test_counters(void)
{
	u64 a, b;
	a = csr_read(instret);
	b = csr_read(instret);
	CHECK("instret counts", b > a);
	a = csr_read(cycle);
	for (volatile int i = 0; i < 100; i++)
		;
	b = csr_read(cycle);
	CHECK("cycle counts", b > a);
	CHECK_EQ("mcycle mirrors cycle", csr_read(mcycle) >= b, 1);
	a = csr_read(time);
	CHECK("time reads mtime", a <= mmio_read64(CLINT_MTIME));
}

static void test_misa_and_status(void)
{
	u64 misa = csr_read(misa);
	const char *ext = "IMAFDCSU";
	for (const char *e = ext; *e; e++)
		CHECK("misa lists IMAFDCSU", misa & (1UL << (*e - 'A')));
	u64 status = csr_read(mstatus);
	CHECK_EQ("mstatus.UXL is 64", (status >> 32) & 3, 2);
	CHECK_EQ("mstatus.SXL is 64", (status >> 34) & 3, 2);
}

/* sstatus, sie and sip are restricted views of mstatus, mie and mip. */
static void test_supervisor_views(void)
{
	csr_clear(mstatus, MSTATUS_SIE | MSTATUS_MIE);
	csr_set(sstatus, MSTATUS_SIE);
	CHECK("sstatus.SIE sets mstatus.SIE", csr_read(mstatus) & MSTATUS_SIE);
	csr_set(sstatus, MSTATUS_MIE);
	CHECK("sstatus cannot set MIE", !(csr_read(mstatus) & MSTATUS_MIE));
	csr_clear(sstatus, MSTATUS_SIE);
	CHECK_EQ("sstatus hides MPP", csr_read(sstatus) & MSTATUS_MPP, 0);

	csr_write(mie, 0);
	csr_write(mideleg, 1UL << IRQ_S_TIMER);
	csr_write(sie, -1UL);
	CHECK_EQ("sie writes only delegated bits", csr_read(mie), 1UL << IRQ_S_TIMER);
	CHECK_EQ("sie reads through", csr_read(sie), 1UL << IRQ_S_TIMER);
	csr_write(mie, 0);
	csr_write(mideleg, 0);
}

static u64 read_mstatus_from_lower_mode(u64 unused)
{
	u64 v;
	__asm__ volatile("csrr %0, mstatus" : "=r"(v));
	return v;
}

static u64 read_sstatus(u64 unused)
{
	u64 v;
	__asm__ volatile("csrr %0, sstatus" : "=r"(v));
	return v;
}

static u64 read_cycle(u64 unused)
{
	u64 v;
	__asm__ volatile("rdcycle %0" : "=r"(v));
	return v;
}

static void test_privilege_checks(void)
{
	trap_expect();
	run_in_mode(MODE_S, read_mstatus_from_lower_mode, 0);
	CHECK_TRAP("S-mode reads mstatus", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	CHECK_EQ("trap came from S", last_trap.mode, MODE_S);
	trap_expect();
	run_in_mode(MODE_U, read_sstatus, 0);
	CHECK_TRAP("U-mode reads sstatus", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	CHECK_EQ("trap came from U", last_trap.mode, MODE_U);

	/* mcounteren/scounteren gate the counters for lower modes. */
	csr_write(mcounteren, 0);
	trap_expect();
	run_in_mode(MODE_S, read_cycle, 0);
	CHECK_TRAP("S rdcycle with mcounteren.CY=0", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	csr_write(mcounteren, 7);
	csr_write(scounteren, 0);
	trap_expect();
	run_in_mode(MODE_S, read_cycle, 0);
	CHECK_NO_TRAP("S rdcycle with mcounteren.CY=1");
	run_in_mode(MODE_U, read_cycle, 0);
	CHECK_TRAP("U rdcycle with scounteren.CY=0", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	csr_write(scounteren, 7);
	trap_expect();
	CHECK("U rdcycle with both enabled", run_in_mode(MODE_U, read_cycle, 0) != 0);
	CHECK_NO_TRAP("no trap for U rdcycle when enabled");
}

void test_main(void)
{
	test_register_forms();
	test_immediate_forms();
	test_read_only_csrs();
	test_counters();
	test_misa_and_status();
	test_supervisor_views();
	test_privilege_checks();
}
