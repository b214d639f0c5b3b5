/* External interrupts through the PLIC (0x0c000000, QEMU virt layout):
 * the UART's transmitter-empty interrupt (source 10) routed to hart 0's
 * M-mode context (0) and S-mode context (1), priority against threshold,
 * claim and complete, and a trap with mcause = machine external. */
#include "guest.h"

const char test_name[] = "plic";

#define PLIC_BASE	    0x0c000000UL
#define PLIC_PRIORITY(src)  (PLIC_BASE + 4 * (src))
#define PLIC_PENDING	    (PLIC_BASE + 0x1000)
#define PLIC_ENABLE(ctx)    (PLIC_BASE + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC_BASE + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)	    (PLIC_BASE + 0x200004 + 0x1000 * (ctx))
#define CTX_M		    0
#define CTX_S		    1

#define UART_SOURCE   10
#define UART_IER      (UART0_BASE + 1)
#define UART_IER_THRE 0x02

#define MEIP (1UL << IRQ_M_EXT)
#define SEIP (1UL << IRQ_S_EXT)

static void uart_thre_interrupt(int on)
{
	*(volatile u8 *)UART_IER = on ? UART_IER_THRE : 0;
}

static int spin_until(u64 mask)
{
	for (int i = 0; i < 100000; i++)
		if (csr_read(mip) & mask)
			return 1;
	return 0;
}

static volatile u64 external_interrupts, claimed_source;

void on_interrupt(u64 cause)
{
	if (cause != IRQ_M_EXT)
		return;
	external_interrupts++;
	claimed_source = mmio_read32(PLIC_CLAIM(CTX_M));
	uart_thre_interrupt(0); /* quiet the device before completing */
	mmio_write32(PLIC_CLAIM(CTX_M), (u32)claimed_source);
}

static void plic_reset(void)
{
	mmio_write32(PLIC_ENABLE(CTX_M), 0);
	mmio_write32(PLIC_ENABLE(CTX_S), 0);
	mmio_write32(PLIC_THRESHOLD(CTX_M), 0);
	mmio_write32(PLIC_THRESHOLD(CTX_S), 0);
	mmio_write32(PLIC_PRIORITY(UART_SOURCE), 1);
}

static void test_pending_and_claim(void)
{
	plic_reset();
	uart_thre_interrupt(1);
	CHECK("UART source pending in the PLIC", mmio_read32(PLIC_PENDING) & (1u << UART_SOURCE));
	CHECK("not routed: MEIP stays low", !spin_until(MEIP));
	mmio_write32(PLIC_ENABLE(CTX_M), 1u << UART_SOURCE);
	CHECK_EQ("enable bits read back", mmio_read32(PLIC_ENABLE(CTX_M)), 1u << UART_SOURCE);
	/* QEMU 7.2 does not re-evaluate its outputs on an enable write, only on
	 * device, priority and claim events: toggle the device's line so the
	 * check holds on both machines. */
	uart_thre_interrupt(0);
	uart_thre_interrupt(1);
	CHECK("enabled: MEIP rises", spin_until(MEIP));
	u32 source = mmio_read32(PLIC_CLAIM(CTX_M));
	CHECK_EQ("claim returns the UART source", source, UART_SOURCE);
	CHECK("claimed: no longer pending", !(mmio_read32(PLIC_PENDING) & (1u << UART_SOURCE)));
	CHECK_EQ("a second claim finds nothing", mmio_read32(PLIC_CLAIM(CTX_M)), 0);
	uart_thre_interrupt(0);
	mmio_write32(PLIC_CLAIM(CTX_M), source);
	CHECK("completed with the device quiet: MEIP low", !(csr_read(mip) & MEIP));
}

static void test_priority_threshold(void)
{
	plic_reset();
	mmio_write32(PLIC_ENABLE(CTX_M), 1u << UART_SOURCE);
	mmio_write32(PLIC_THRESHOLD(CTX_M), 1);
	uart_thre_interrupt(1);
	CHECK("priority 1 with threshold 1 is masked", !spin_until(MEIP));
	mmio_write32(PLIC_PRIORITY(UART_SOURCE), 2);
	CHECK("priority 2 over threshold 1 is delivered", spin_until(MEIP));
	mmio_write32(PLIC_PRIORITY(UART_SOURCE), 0);
	CHECK("priority 0 never interrupts", !spin_until(MEIP));
	uart_thre_interrupt(0);
	plic_reset();
}

static void test_supervisor_context(void)
{
	plic_reset();
	mmio_write32(PLIC_ENABLE(CTX_S), 1u << UART_SOURCE);
	uart_thre_interrupt(1);
	CHECK("S context: SEIP rises", spin_until(SEIP));
	CHECK("S context: MEIP stays low", !(csr_read(mip) & MEIP));
	u32 source = mmio_read32(PLIC_CLAIM(CTX_S));
	CHECK_EQ("S context claim", source, UART_SOURCE);
	uart_thre_interrupt(0);
	mmio_write32(PLIC_CLAIM(CTX_S), source);
	CHECK("S context: SEIP low after complete", !(csr_read(mip) & SEIP));
	plic_reset();
}

static void test_external_interrupt_trap(void)
{
	plic_reset();
	external_interrupts = 0;
	mmio_write32(PLIC_ENABLE(CTX_M), 1u << UART_SOURCE);
	csr_write(mie, MEIP);
	csr_set(mstatus, MSTATUS_MIE);
	uart_thre_interrupt(1);
	for (int i = 0; i < 100000 && !external_interrupts; i++)
		;
	csr_clear(mstatus, MSTATUS_MIE);
	csr_write(mie, 0);
	CHECK_EQ("machine external interrupt taken once", external_interrupts, 1);
	CHECK_EQ("handler claimed the UART", claimed_source, UART_SOURCE);
	plic_reset();
}

void test_main(void)
{
	test_pending_and_claim();
	test_priority_threshold();
	test_supervisor_context();
	test_external_interrupt_trap();
}
