/* M-mode interrupts from the CLINT: mtime/mtimecmp and MTIP, the timer
 * interrupt, the software interrupt through msip, priority between them,
 * WFI waking with interrupts globally disabled, and interrupts that
 * preempt a lower mode whatever mstatus.MIE says. */
#include "guest.h"

const char test_name[] = "interrupts";

#define MTIP	    (1UL << IRQ_M_TIMER)
#define MSIP	    (1UL << IRQ_M_SOFT)
#define TIMER_NEVER (~0UL)
/* Spins are bounded so a missing interrupt fails instead of hanging. */
#define SPIN_LIMIT 20000000

static volatile u64 interrupt_count;
static volatile u64 interrupt_order[4];
static volatile u64 interrupt_epc;

static u64 mtime_now(void)
{
	return mmio_read64(CLINT_MTIME);
}
static void timer_set(u64 when)
{
	mmio_write64(CLINT_MTIMECMP(0), when);
}

void on_interrupt(u64 cause)
{
	if (interrupt_count < 4)
		interrupt_order[interrupt_count] = cause;
	interrupt_count++;
	interrupt_epc = csr_read(mepc);
	if (cause == IRQ_M_TIMER)
		timer_set(TIMER_NEVER);
	else if (cause == IRQ_M_SOFT)
		mmio_write32(CLINT_MSIP(0), 0);
}

static void reset_interrupts(void)
{
	interrupt_count = 0;
	for (int i = 0; i < 4; i++)
		interrupt_order[i] = 0;
}

static void test_mtime_and_mtip(void)
{
	u64 a = mtime_now();
	for (volatile int i = 0; i < 10000; i++)
		;
	CHECK("mtime advances", mtime_now() > a);
	CHECK("time CSR follows mtime", csr_read(time) >= a);

	timer_set(TIMER_NEVER);
	CHECK("MTIP clear with mtimecmp in the future", !(csr_read(mip) & MTIP));
	timer_set(mtime_now() + 100);
	int spins = 0;
	while (!(csr_read(mip) & MTIP) && spins < SPIN_LIMIT)
		spins++;
	CHECK("MTIP rises when mtime reaches mtimecmp (interrupts off)", csr_read(mip) & MTIP);
	timer_set(TIMER_NEVER);
	CHECK("writing mtimecmp lowers MTIP", !(csr_read(mip) & MTIP));
	CHECK_EQ("mtimecmp reads back", mmio_read64(CLINT_MTIMECMP(0)), TIMER_NEVER);
}

static void test_timer_interrupt(void)
{
	reset_interrupts();
	csr_write(mie, MTIP);
	timer_set(mtime_now() + 1000);
	csr_set(mstatus, MSTATUS_MIE);
	for (int i = 0; i < SPIN_LIMIT && !interrupt_count; i++)
		__asm__ volatile("wfi");
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ("timer interrupt taken once", interrupt_count, 1);
	CHECK_EQ("mcause = machine timer", interrupt_order[0], IRQ_M_TIMER);
	csr_write(mie, 0);
}

/* WFI returns on a pending enabled interrupt even with MIE=0; the
 * interrupt is then taken as soon as MIE is set. */
static void test_wfi_wakes_with_interrupts_disabled(void)
{
	reset_interrupts();
	csr_clear(mstatus, MSTATUS_MIE);
	csr_write(mie, MTIP);
	timer_set(mtime_now() + 1000);
	for (int i = 0; i < SPIN_LIMIT && !(csr_read(mip) & MTIP); i++)
		__asm__ volatile("wfi");
	CHECK("WFI woke with the timer pending", csr_read(mip) & MTIP);
	CHECK_EQ("no interrupt taken while MIE=0", interrupt_count, 0);
	u64 pc;
	__asm__ volatile("la %0, 1f\n\tcsrsi mstatus, 8\n1:\tnop" : "=r"(pc)::"memory");
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ("taken right after MIE is set", interrupt_count, 1);
	CHECK_EQ("mepc is the next instruction", interrupt_epc, pc);
	csr_write(mie, 0);
}

static void test_software_interrupt(void)
{
	reset_interrupts();
	csr_write(mie, MSIP);
	mmio_write32(CLINT_MSIP(0), 1);
	CHECK("msip raises MSIP", csr_read(mip) & MSIP);
	CHECK_EQ("msip reads back", mmio_read32(CLINT_MSIP(0)), 1);
	csr_set(mstatus, MSTATUS_MIE);
	__asm__ volatile("nop");
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ("software interrupt taken", interrupt_count, 1);
	CHECK_EQ("mcause = machine software", interrupt_order[0], IRQ_M_SOFT);
	CHECK("clearing msip lowers MSIP", !(csr_read(mip) & MSIP));
	csr_write(mie, 0);
}

/* Both pending at once: software (3) has priority over timer (7). */
static void test_priority(void)
{
	reset_interrupts();
	csr_write(mie, MSIP | MTIP);
	mmio_write32(CLINT_MSIP(0), 1);
	timer_set(0);
	csr_set(mstatus, MSTATUS_MIE);
	__asm__ volatile("nop\n\tnop");
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ("two interrupts taken", interrupt_count, 2);
	CHECK_EQ("software first", interrupt_order[0], IRQ_M_SOFT);
	CHECK_EQ("timer second", interrupt_order[1], IRQ_M_TIMER);
	csr_write(mie, 0);
}

/* Disabled in mie: pending but never taken. */
static void test_mie_masks(void)
{
	reset_interrupts();
	csr_write(mie, 0);
	mmio_write32(CLINT_MSIP(0), 1);
	csr_set(mstatus, MSTATUS_MIE);
	__asm__ volatile("nop\n\tnop");
	csr_clear(mstatus, MSTATUS_MIE);
	CHECK_EQ("interrupt masked by mie", interrupt_count, 0);
	mmio_write32(CLINT_MSIP(0), 0);
}

static u64 spin_until_interrupted(u64 unused)
{
	for (int i = 0; i < SPIN_LIMIT && !interrupt_count; i++)
		;
	return interrupt_count;
}

/* In S or U, M-mode interrupts are enabled whatever mstatus.MIE says. */
static void test_preempts_lower_modes(void)
{
	u64 modes[] = {MODE_S, MODE_U};
	for (int m = 0; m < 2; m++) {
		reset_interrupts();
		csr_clear(mstatus, MSTATUS_MIE);
		csr_write(mie, MTIP);
		timer_set(mtime_now() + 1000);
		u64 seen = run_in_mode(modes[m], spin_until_interrupted, 0);
		CHECK_EQ(m == 0 ? "timer preempts S with MIE=0" : "timer preempts U with MIE=0",
			 seen, 1);
		csr_write(mie, 0);
	}
}

void test_main(void)
{
	timer_set(TIMER_NEVER);
	test_mtime_and_mtip();
	test_timer_interrupt();
	test_wfi_wakes_with_interrupts_disabled();
	test_software_interrupt();
	test_priority();
	test_mie_masks();
	test_preempts_lower_modes();
}
