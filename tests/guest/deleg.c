/* Delegation to S-mode: medeleg sends exceptions from U and S to the
 * S-mode handler (scause, stval, sepc, SPP), never those taken in M;
 * mideleg sends supervisor interrupts; sret and mret move between modes
 * according to SPP and MPP. */
#include "guest.h"

const char test_name[] = "deleg";

static u64 ecall_from_lower_mode(u64 unused)
{
	__asm__ volatile("li a7, 0\n\tecall" ::: "a7", "memory");
	return 0;
}

static u64 illegal_in_lower_mode(u64 unused)
{
	__asm__ volatile(".word 0x0000000b" ::: "memory");
	return 0;
}

static u64 breakpoint_in_lower_mode(u64 unused)
{
	__asm__ volatile("ebreak" ::: "memory");
	return 0;
}

static void test_medeleg(void)
{
	install_s_trap_handler();
	csr_write(medeleg, (1UL << CAUSE_USER_ECALL) | (1UL << CAUSE_ILLEGAL_INSTRUCTION) |
			       (1UL << CAUSE_BREAKPOINT));
	CHECK_EQ("medeleg holds the delegated bits", csr_read(medeleg),
		 (1UL << CAUSE_USER_ECALL) | (1UL << CAUSE_ILLEGAL_INSTRUCTION) |
		     (1UL << CAUSE_BREAKPOINT));

	trap_expect();
	s_trap_expect();
	run_in_mode(MODE_U, ecall_from_lower_mode, 0);
	CHECK_STRAP("U ecall delegated to S", CAUSE_USER_ECALL, 0);
	CHECK_EQ("SPP = U", last_strap.mode, MODE_U);
	CHECK_NO_TRAP("delegated U ecall skipped M");

	s_trap_expect();
	run_in_mode(MODE_U, illegal_in_lower_mode, 0);
	CHECK_STRAP("U illegal instruction delegated, stval = bits", CAUSE_ILLEGAL_INSTRUCTION,
		    0x0000000b);

	s_trap_expect();
	run_in_mode(MODE_S, breakpoint_in_lower_mode, 0);
	CHECK_STRAP("S ebreak delegated", CAUSE_BREAKPOINT, TVAL_ANY);
	CHECK_EQ("SPP = S", last_strap.mode, MODE_S);

	/* S ecall was not delegated: it goes to M. */
	trap_expect();
	run_in_mode(MODE_S, ecall_from_lower_mode, 0);
	CHECK_TRAP("S ecall not delegated goes to M", CAUSE_SUPERVISOR_ECALL, 0);

	/* Traps taken in M-mode are never delegated. */
	trap_expect();
	s_trap_expect();
	__asm__ volatile(".word 0x0000000b" ::: "memory");
	CHECK_TRAP("M illegal instruction stays in M", CAUSE_ILLEGAL_INSTRUCTION, 0x0000000b);
	CHECK_EQ("S handler not entered from M", last_strap.count, 0);
	csr_write(medeleg, 0);
}

/* In S: sret to U at the label; U then ecalls, which tells its mode. */
static u64 sret_to_user(u64 unused)
{
	csr_clear(sstatus, MSTATUS_SPP);
	__asm__ volatile("la t0, 1f\n\tcsrw sepc, t0\n\tsret\n1:" ::: "t0", "memory");
	__asm__ volatile("li a7, 0\n\tecall" ::: "a7", "memory");
	return 0;
}

/* In S: sret with SPP=S stays in S; SIE takes SPIE, SPIE becomes 1. */
static u64 sret_to_supervisor(u64 unused)
{
	csr_set(sstatus, MSTATUS_SPP | MSTATUS_SPIE);
	csr_clear(sstatus, MSTATUS_SIE);
	__asm__ volatile("la t0, 1f\n\tcsrw sepc, t0\n\tsret\n1:" ::: "t0", "memory");
	u64 status = csr_read(sstatus);
	csr_clear(sstatus, MSTATUS_SIE);
	__asm__ volatile("li a7, 0\n\tecall" ::: "a7", "memory");
	return status;
}

static void test_sret(void)
{
	trap_expect();
	run_in_mode(MODE_S, sret_to_user, 0);
	CHECK_TRAP("after sret with SPP=U the ecall is from U", CAUSE_USER_ECALL, 0);

	trap_expect();
	u64 status = run_in_mode(MODE_S, sret_to_supervisor, 0);
	CHECK_TRAP("after sret with SPP=S the ecall is from S", CAUSE_SUPERVISOR_ECALL, 0);
	CHECK("sret: SIE = old SPIE", status & MSTATUS_SIE);
	CHECK("sret: SPIE = 1", status & MSTATUS_SPIE);
	CHECK_EQ("sret: SPP = U", status & MSTATUS_SPP, 0);
}

/* mret honours MPP: to S, the mode then shows in an ecall cause. */
static void test_mret_to_each_mode(void)
{
	trap_expect();
	run_in_mode(MODE_S, ecall_from_lower_mode, 0);
	CHECK_TRAP("mret with MPP=S runs S", CAUSE_SUPERVISOR_ECALL, 0);
	trap_expect();
	run_in_mode(MODE_U, ecall_from_lower_mode, 0);
	CHECK_TRAP("mret with MPP=U runs U", CAUSE_USER_ECALL, 0);
}

static volatile u64 s_interrupts_seen;
static volatile u64 s_interrupt_cause;

void on_s_interrupt(u64 cause)
{
	s_interrupts_seen++;
	s_interrupt_cause = cause;
	if (cause == IRQ_S_SOFT)
		csr_clear(sip, 1UL << IRQ_S_SOFT);
	else /* STIP is raised by M: mask it until M lowers it */
		csr_clear(sie, 1UL << IRQ_S_TIMER);
}

static u64 wait_for_s_interrupt(u64 enable_sie)
{
	if (enable_sie)
		csr_set(sstatus, MSTATUS_SIE);
	for (int i = 0; i < 1000000 && !s_interrupts_seen; i++)
		;
	if (enable_sie) /* only then: U-mode may not touch sstatus */
		csr_clear(sstatus, MSTATUS_SIE);
	return s_interrupts_seen;
}

static void test_mideleg(void)
{
	install_s_trap_handler();
	csr_write(mideleg, (1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER));
	csr_write(mie, (1UL << IRQ_S_SOFT) | (1UL << IRQ_S_TIMER));

	/* Pending while in M: a lower-privilege interrupt is not taken. */
	s_interrupts_seen = 0;
	csr_set(mip, 1UL << IRQ_S_SOFT);
	csr_set(mstatus, MSTATUS_SIE | MSTATUS_MIE);
	for (volatile int i = 0; i < 1000; i++)
		;
	csr_clear(mstatus, MSTATUS_SIE | MSTATUS_MIE);
	CHECK_EQ("S interrupt not taken in M", s_interrupts_seen, 0);

	CHECK_EQ("delegated SSIP taken in S", run_in_mode(MODE_S, wait_for_s_interrupt, 1), 1);
	CHECK_EQ("scause = supervisor software", s_interrupt_cause, IRQ_S_SOFT);

	/* Masked by sstatus.SIE in S. */
	s_interrupts_seen = 0;
	csr_set(mip, 1UL << IRQ_S_SOFT);
	CHECK_EQ("SIE=0 masks it in S", run_in_mode(MODE_S, wait_for_s_interrupt, 0), 0);
	/* Always enabled in U, whatever SIE says. */
	CHECK_EQ("taken in U regardless of SIE", run_in_mode(MODE_U, wait_for_s_interrupt, 0), 1);
	csr_clear(mip, 1UL << IRQ_S_SOFT);

	/* STIP is set by M (as SBI firmware does for the timer). */
	s_interrupts_seen = 0;
	csr_set(mip, 1UL << IRQ_S_TIMER);
	CHECK("sip shows STIP", csr_read(sip) & (1UL << IRQ_S_TIMER));
	CHECK_EQ("delegated STIP taken in S", run_in_mode(MODE_S, wait_for_s_interrupt, 1), 1);
	CHECK_EQ("scause = supervisor timer", s_interrupt_cause, IRQ_S_TIMER);
	csr_clear(mip, 1UL << IRQ_S_TIMER);
	csr_write(mie, 0);
	csr_write(mideleg, 0);
}

void test_main(void)
{
	test_medeleg();
	test_sret();
	test_mret_to_each_mode();
	test_mideleg();
}
