/* Unit tests of the keel-vm board: PLIC, CLINT, UART, console, RTC,
 * syscon, SBI, FDT, option parsing and kernel loading. The CPU is the fake
 * hart of test_machine_fakes.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <elf.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_machine_fakes.h"
#include "vm/machine/clint.h"
#include "vm/machine/console.h"
#include "vm/machine/fdt.h"
#include "vm/machine/loader.h"
#include "vm/machine/options.h"
#include "vm/machine/plic.h"
#include "vm/machine/rtc.h"
#include "vm/machine/sbi.h"
#include "vm/machine/syscon.h"
#include "vm/machine/uart.h"

/* In the sanitizer build, undefined behaviour the guest can cause in a
 * device (an overflow) stops the suite instead of a line on stderr. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

/* ---- fixtures ---------------------------------------------------------- */

static struct hart fake_harts[VM_MAX_CPUS];
static struct hart *hart_ptrs[VM_MAX_CPUS];

static void setup_harts(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		fake_hart_init(&fake_harts[i], i);
		hart_ptrs[i] = &fake_harts[i];
	}
}

static int64_t fake_now_ns;
static int64_t fake_clock(void)
{
	return fake_now_ns;
}

/* an interrupt line recorder */
static int irq_levels[PLIC_NUM_SOURCES];
static void record_level(void *plic, unsigned irq, int level)
{
	(void)plic;
	irq_levels[irq] = level;
}
static struct vm_irq recorded_line(unsigned irq)
{
	irq_levels[irq] = 0;
	return (struct vm_irq){.set_level = record_level, .irq = irq};
}

/* ---- PLIC -------------------------------------------------------------- */

static void plic_w(struct plic *p, uint64_t off, uint32_t v)
{
	plic_write(p, off, v, 4);
}
static uint32_t plic_r(struct plic *p, uint64_t off)
{
	return (uint32_t)plic_read(p, off, 4);
}
#define ENABLE(ctx)    (PLIC_ENABLE + (ctx)*PLIC_ENABLE_STRIDE)
#define THRESHOLD(ctx) (PLIC_CONTEXT + (ctx)*PLIC_CONTEXT_STRIDE)
#define CLAIM(ctx)     (THRESHOLD(ctx) + 4)

static void test_plic_priority_threshold(void **state)
{
	struct plic p;
	setup_harts(1);
	plic_init(&p, hart_ptrs, 1);
	plic_w(&p, PLIC_PRIORITY + 4 * 10, 3);
	plic_w(&p, ENABLE(1), 1u << 10);
	plic_set_level(&p, 10, 1);
	assert_true(fake_harts[0].mip & MIP_SEIP);
	assert_false(fake_harts[0].mip & MIP_MEIP); /* not enabled for M */
	assert_int_equal(plic_r(&p, PLIC_PENDING), 1u << 10);
	plic_w(&p, THRESHOLD(1), 3); /* priority must exceed the threshold */
	assert_false(fake_harts[0].mip & MIP_SEIP);
	plic_w(&p, THRESHOLD(1), 2);
	assert_true(fake_harts[0].mip & MIP_SEIP);
	plic_w(&p, PLIC_PRIORITY + 4 * 10, 0); /* priority 0 never interrupts */
	assert_false(fake_harts[0].mip & MIP_SEIP);
	assert_int_equal(plic_r(&p, CLAIM(1)), 0);
	/* priorities are 3 bits wide */
	plic_w(&p, PLIC_PRIORITY + 4 * 10, 0xff);
	assert_int_equal(plic_r(&p, PLIC_PRIORITY + 4 * 10), 7);
}

static void test_plic_claim_complete(void **state)
{
	struct plic p;
	setup_harts(1);
	plic_init(&p, hart_ptrs, 1);
	for (unsigned src = 1; src <= 3; src++)
		plic_w(&p, PLIC_PRIORITY + 4 * src, src == 1 ? 1 : 5);
	plic_w(&p, ENABLE(1), 0xe);
	plic_set_level(&p, 1, 1);
	plic_set_level(&p, 3, 1);
	plic_set_level(&p, 2, 1);
	/* highest priority first; ties go to the lowest id */
	assert_int_equal(plic_r(&p, CLAIM(1)), 2);
	assert_int_equal(plic_r(&p, CLAIM(1)), 3);
	assert_int_equal(plic_r(&p, CLAIM(1)), 1);
	assert_int_equal(plic_r(&p, CLAIM(1)), 0);
	assert_false(fake_harts[0].mip & MIP_SEIP);
	/* a claimed source stays quiet until completed, even if re-raised */
	plic_set_level(&p, 2, 0);
	plic_set_level(&p, 2, 1);
	assert_int_equal(plic_r(&p, PLIC_PENDING) & 4, 0);
	/* completion with the line still high pends it again */
	plic_w(&p, CLAIM(1), 2);
	assert_int_equal(plic_r(&p, PLIC_PENDING) & 4, 4);
	assert_true(fake_harts[0].mip & MIP_SEIP);
	/* a line that dropped does not come back */
	plic_set_level(&p, 3, 0);
	plic_w(&p, CLAIM(1), 3);
	assert_int_equal(plic_r(&p, PLIC_PENDING) & 8, 0);
	/* completing a source not enabled for the context is ignored */
	plic_w(&p, CLAIM(0), 1);
	plic_set_level(&p, 1, 1);
	assert_int_equal(plic_r(&p, PLIC_PENDING) & 2, 0);
}

static void test_plic_contexts_and_bounds(void **state)
{
	struct plic p;
	setup_harts(2);
	plic_init(&p, hart_ptrs, 2);
	plic_w(&p, PLIC_PRIORITY + 4 * 33, 1);
	plic_w(&p, ENABLE(2) + 4, 1u << 1); /* hart 1, M-mode, source 33 */
	plic_set_level(&p, 33, 1);
	assert_true(fake_harts[1].mip & MIP_MEIP);
	assert_false(fake_harts[0].mip & (MIP_MEIP | MIP_SEIP));
	assert_int_equal(plic_r(&p, CLAIM(2)), 33);
	/* source 0 cannot be enabled; contexts past the last hart read 0 */
	plic_w(&p, ENABLE(1), 0xffffffff);
	assert_int_equal(plic_r(&p, ENABLE(1)), 0xfffffffe);
	assert_int_equal(plic_r(&p, THRESHOLD(4)), 0);
	plic_w(&p, THRESHOLD(4), 1); /* no crash, no effect */
	plic_set_level(&p, 0, 1);
	plic_set_level(&p, PLIC_NUM_SOURCES, 1);
	plic_set_level(&p, 1000, 1);
	assert_int_equal(plic_r(&p, PLIC_PENDING), 0);
	/* odd sizes and offsets are ignored */
	assert_int_equal(plic_read(&p, CLAIM(2), 1), 0);
	assert_int_equal(plic_read(&p, PLIC_PRIORITY + 2, 4), 0);
}

/* ---- CLINT ------------------------------------------------------------- */

static void test_clint_timer(void **state)
{
	struct clint c;
	setup_harts(2);
	fake_now_ns = 1000000000;
	clint_init(&c, hart_ptrs, 2);
	c.clock_ns = fake_clock;
	c.state.mtime_offset = (uint64_t)fake_now_ns / CLINT_NS_PER_TICK;
	assert_int_equal(clint_read(&c, CLINT_MTIME, 8), 0);
	fake_now_ns += 1000; /* 1 us = 10 ticks at 10 MHz */
	assert_int_equal(clint_read(&c, CLINT_MTIME, 8), 10);
	assert_int_equal(clint_next_deadline(&c), UINT64_MAX);
	clint_write(&c, CLINT_MTIMECMP + 8, 100, 8);
	assert_false(fake_harts[1].mip & MIP_MTIP);
	assert_int_equal(clint_next_deadline(&c), 100);
	fake_now_ns += 9000; /* mtime 100 */
	clint_update_timers(&c);
	assert_true(fake_harts[1].mip & MIP_MTIP);
	assert_false(fake_harts[0].mip & MIP_MTIP);
	/* 32-bit halves, as rv32 firmware writes them */
	clint_write(&c, CLINT_MTIMECMP + 8 + 4, 1, 4);
	assert_int_equal(clint_read(&c, CLINT_MTIMECMP + 8, 8), (1ull << 32) | 100);
	assert_int_equal(clint_read(&c, CLINT_MTIMECMP + 8 + 4, 4), 1);
	assert_false(fake_harts[1].mip & MIP_MTIP);
	/* writing mtime moves the time base */
	clint_write(&c, CLINT_MTIME, 5000, 8);
	assert_int_equal(clint_mtime(&c), 5000);
	fake_now_ns += 100;
	assert_int_equal(clint_mtime(&c), 5001);
}

static void test_clint_msip(void **state)
{
	struct clint c;
	setup_harts(2);
	clint_init(&c, hart_ptrs, 2);
	clint_write(&c, CLINT_MSIP + 4, 1, 4);
	assert_true(fake_harts[1].mip & MIP_MSIP);
	assert_int_equal(clint_read(&c, CLINT_MSIP + 4, 4), 1);
	clint_write(&c, CLINT_MSIP + 4, 2, 4); /* only bit 0 exists */
	assert_false(fake_harts[1].mip & MIP_MSIP);
	clint_write(&c, CLINT_MSIP + 8, 1, 4); /* no hart 2: ignored */
	assert_int_equal(clint_read(&c, CLINT_MSIP + 8, 4), 0);
}

/* ---- UART -------------------------------------------------------------- */

static uint8_t tx_log[64];
static size_t tx_count;
static void record_tx(void *opaque, uint8_t byte)
{
	(void)opaque;
	if (tx_count < sizeof(tx_log))
		tx_log[tx_count++] = byte;
}

static void new_uart(struct uart *u)
{
	tx_count = 0;
	uart_init(u, recorded_line(UART_IRQ), record_tx, NULL);
}

static void test_uart_transmit_and_thre(void **state)
{
	struct uart u;
	new_uart(&u);
	assert_int_equal(uart_read(&u, UART_LSR, 1) & (UART_LSR_THRE | UART_LSR_TEMT),
			 UART_LSR_THRE | UART_LSR_TEMT);
	assert_int_equal(uart_read(&u, UART_IIR, 1), UART_IIR_NO_INT);
	uart_write(&u, UART_THR, 'h', 1);
	uart_write(&u, UART_THR, 'i', 1);
	assert_int_equal(tx_count, 2);
	assert_memory_equal(tx_log, "hi", 2);
	assert_int_equal(irq_levels[UART_IRQ], 0); /* THRI not enabled */
	uart_write(&u, UART_IER, UART_IER_THRI, 1);
	assert_int_equal(irq_levels[UART_IRQ], 1);
	assert_int_equal(uart_read(&u, UART_IIR, 1), UART_IIR_THRI);
	/* reading IIR acknowledged it */
	assert_int_equal(irq_levels[UART_IRQ], 0);
	assert_int_equal(uart_read(&u, UART_IIR, 1), UART_IIR_NO_INT);
	uart_write(&u, UART_THR, '!', 1); /* THR empties again at once */
	assert_int_equal(irq_levels[UART_IRQ], 1);
	uart_write(&u, UART_IER, 0, 1);
	assert_int_equal(irq_levels[UART_IRQ], 0);
}

static void test_uart_receive(void **state)
{
	struct uart u;
	new_uart(&u);
	const uint8_t text[20] = "abcdefghijklmnopqrst";
	/* without FIFOs a single byte fits */
	assert_int_equal(uart_receive(&u, text, 20), 1);
	assert_int_equal(uart_rx_room(&u), 0);
	assert_true(uart_read(&u, UART_LSR, 1) & UART_LSR_DR);
	assert_int_equal(uart_read(&u, UART_RBR, 1), 'a');
	assert_false(uart_read(&u, UART_LSR, 1) & UART_LSR_DR);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX, 1);
	assert_int_equal(uart_read(&u, UART_IIR, 1) & 0xc0, UART_IIR_FIFO);
	assert_int_equal(uart_receive(&u, text, 20), UART_RX_FIFO);
	assert_int_equal(irq_levels[UART_IRQ], 0);
	uart_write(&u, UART_IER, UART_IER_RDI, 1);
	assert_int_equal(irq_levels[UART_IRQ], 1);
	assert_int_equal(uart_read(&u, UART_IIR, 1) & 0x0f, UART_IIR_RDI);
	for (unsigned i = 0; i < UART_RX_FIFO; i++)
		assert_int_equal(uart_read(&u, UART_RBR, 1), text[i]);
	assert_int_equal(irq_levels[UART_IRQ], 0);
	assert_int_equal(uart_read(&u, UART_RBR, 1), 0); /* empty reads 0 */
	/* clearing the FIFO drops what is queued */
	uart_receive(&u, text, 3);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX, 1);
	assert_false(uart_read(&u, UART_LSR, 1) & UART_LSR_DR);
}

static void test_uart_registers(void **state)
{
	struct uart u;
	new_uart(&u);
	uart_write(&u, UART_LCR, UART_LCR_DLAB | 3, 1);
	uart_write(&u, UART_DLL, 0x12, 1);
	uart_write(&u, UART_DLM, 0x34, 1);
	assert_int_equal(tx_count, 0); /* DLAB: not a transmission */
	assert_int_equal(uart_read(&u, UART_DLL, 1), 0x12);
	assert_int_equal(uart_read(&u, UART_DLM, 1), 0x34);
	uart_write(&u, UART_LCR, 3, 1);
	assert_int_equal(uart_read(&u, UART_LCR, 1), 3);
	assert_int_equal(uart_read(&u, UART_IER, 1), 0);
	uart_write(&u, UART_SCR, 0x5a, 1);
	assert_int_equal(uart_read(&u, UART_SCR, 1), 0x5a);
	/* loopback: transmitted bytes come back, modem lines follow MCR */
	uart_write(&u, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS, 1);
	uart_write(&u, UART_THR, 'x', 1);
	assert_int_equal(tx_count, 0);
	assert_int_equal(uart_read(&u, UART_RBR, 1), 'x');
	assert_int_equal(uart_read(&u, UART_MSR, 1) & 0xf0, UART_MSR_CTS);
	uart_write(&u, UART_MCR, 0, 1);
	assert_int_equal(uart_read(&u, UART_MSR, 1) & 0xf0,
			 UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

static void test_uart_input_policy(void **state)
{
	struct uart u;
	new_uart(&u);
	/* nobody asked for input yet: host bytes wait */
	assert_int_equal(uart_input_room(&u), 0);
	/* a loop polling LSR gets it */
	for (int i = 0; i < UART_POLLING_READS; i++)
		uart_read(&u, UART_LSR, 1);
	assert_int_equal(uart_input_room(&u), 1);
	/* a driver printing (LSR read, THR write) is not polling for input */
	uart_write(&u, UART_THR, 'x', 1);
	assert_int_equal(uart_input_room(&u), 0);
	for (int i = 0; i < UART_POLLING_READS - 1; i++) {
		uart_read(&u, UART_LSR, 1);
		uart_read(&u, UART_LSR, 1);
		uart_write(&u, UART_THR, 'x', 1);
	}
	assert_int_equal(uart_input_room(&u), 0);
	/* a driver with its receive interrupt on gets input at once */
	uart_write(&u, UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RX, 1);
	uart_write(&u, UART_IER, UART_IER_RDI | UART_IER_RLSI, 1);
	assert_int_equal(uart_input_room(&u), UART_RX_FIFO);
	uart_write(&u, UART_IER, 0, 1); /* port closed */
	assert_int_equal(uart_input_room(&u), 0);
}

/* ---- console ----------------------------------------------------------- */

static void test_console_escape(void **state)
{
	struct uart u;
	struct console con;
	new_uart(&u);
	uart_write(&u, UART_FCR, UART_FCR_ENABLE, 1);
	uart_write(&u, UART_IER, UART_IER_RDI, 1);
	console_init(&con, &u, -1, -1);
	console_input(&con,
		      (const uint8_t *)"a\x01\x01"
				       "b\x01q",
		      6);
	console_feed_uart(&con);
	assert_int_equal(uart_read(&u, UART_RBR, 1), 'a');
	assert_int_equal(uart_read(&u, UART_RBR, 1), 0x01); /* Ctrl-a Ctrl-a */
	assert_int_equal(uart_read(&u, UART_RBR, 1), 'b');
	assert_int_equal(uart_read(&u, UART_RBR, 1), 0x01); /* unknown: both pass */
	assert_int_equal(uart_read(&u, UART_RBR, 1), 'q');
	assert_false(con.quit);
	console_input(&con, (const uint8_t *)"z\x01xy", 4);
	assert_true(con.quit);
	console_feed_uart(&con);
	assert_int_equal(uart_read(&u, UART_RBR, 1), 'z');
	assert_false(uart_read(&u, UART_LSR, 1) & UART_LSR_DR); /* nothing after x */
}

static void test_console_pipe_flow(void **state)
{
	struct uart u;
	struct console con;
	int in[2], out[2];
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	new_uart(&u);
	uart_write(&u, UART_IER, UART_IER_RDI, 1);
	console_init(&con, &u, in[0], out[1]);
	struct vm_loop *loop = vm_loop_new();
	assert_non_null(loop);
	assert_int_equal(console_attach_loop(&con, loop), 0);
	assert_int_equal(write(in[1], "xyz", 3), 3);
	close(in[1]);
	/* FIFO off: one byte at a time; the rest waits, nothing is lost */
	char got[4] = {0};
	for (int i = 0; i < 3; i++) {
		vm_loop_poll(loop, 1000);
		got[i] = (char)uart_read(&u, UART_RBR, 1);
	}
	assert_string_equal(got, "xyz");
	vm_loop_poll(loop, 1000); /* EOF: input closes, no spinning on it */
	assert_false(con.in_open);
	/* output is buffered, then flushed by the loop */
	uart_write(&u, UART_THR, 'o', 1);
	uart_write(&u, UART_THR, 'k', 1);
	vm_loop_poll(loop, 0);
	char outbuf[4] = {0};
	assert_int_equal(read(out[0], outbuf, sizeof(outbuf)), 2);
	assert_string_equal(outbuf, "ok");
	vm_loop_free(loop);
	close(in[0]);
	close(out[0]);
	close(out[1]);
}

/* ---- event loop -------------------------------------------------------- */

struct watch_log {
	struct vm_loop *loop;
	int fd;
	int calls;
	short revents;
	bool unwatch;
};

static void on_readable(void *opaque, short revents)
{
	struct watch_log *log = opaque;
	log->calls++;
	log->revents = revents;
	if (log->unwatch)
		vm_loop_unwatch_fd(log->loop, log->fd);
}

static int hook_fills, hook_dispatches, hook_last_result;
static void hook_fill(void *opaque, struct vm_pollset *set, int *timeout_ms)
{
	hook_fills++;
	*timeout_ms = 0; /* "a timer is due now" */
}
static void hook_dispatch(void *opaque, struct vm_pollset *set, int result)
{
	hook_dispatches++;
	hook_last_result = result;
}

static void test_loop_watch_and_hooks(void **state)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	struct vm_loop *loop = vm_loop_new();
	struct watch_log log = {.loop = loop, .fd = p[0], .unwatch = true};
	assert_int_equal(vm_loop_watch_fd(loop, p[0], POLLIN, on_readable, &log), 0);
	assert_int_equal(vm_loop_poll(loop, 0), 0); /* nothing to read yet */
	assert_int_equal(log.calls, 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(vm_loop_poll(loop, 1000), 1);
	assert_int_equal(log.calls, 1);
	assert_true(log.revents & POLLIN);
	/* it unwatched itself: the still readable fd is not reported again */
	vm_loop_poll(loop, 0);
	assert_int_equal(log.calls, 1);
	/* a hook's timeout wins over an infinite wait, and it is dispatched */
	struct vm_loop_hook hook = {.fill = hook_fill, .dispatch = hook_dispatch};
	assert_int_equal(vm_loop_add_hook(loop, &hook), 0);
	assert_int_equal(vm_loop_poll(loop, -1), 0);
	assert_int_equal(hook_fills, 1);
	assert_int_equal(hook_dispatches, 1);
	assert_int_equal(hook_last_result, 0);
	/* the watch table has a limit */
	int added = 0;
	while (vm_loop_watch_fd(loop, p[0], POLLIN, on_readable, &log) == 0)
		added++;
	assert_int_equal(added, VM_LOOP_MAX_FDS);
	vm_loop_free(loop);
	close(p[0]);
	close(p[1]);
}

/* ---- RTC and syscon ---------------------------------------------------- */

static void test_rtc(void **state)
{
	struct rtc r;
	rtc_init(&r, recorded_line(RTC_IRQ));
	r.wall_ns = fake_clock;
	fake_now_ns = 0x123456789abcdefll;
	uint64_t lo = rtc_read(&r, RTC_TIME_LOW, 4);
	fake_now_ns += 1ll << 40; /* HIGH comes from the latch */
	uint64_t hi = rtc_read(&r, RTC_TIME_HIGH, 4);
	assert_int_equal((hi << 32) | lo, 0x123456789abcdefull);
	/* alarm: fires when its time comes, with the irq enabled */
	uint64_t alarm = (uint64_t)fake_now_ns + 1000;
	rtc_write(&r, RTC_IRQ_ENABLED, 1, 4);
	rtc_write(&r, RTC_ALARM_HIGH, alarm >> 32, 4);
	rtc_write(&r, RTC_ALARM_LOW, (uint32_t)alarm, 4);
	assert_int_equal(rtc_read(&r, RTC_ALARM_STATUS, 4), 1);
	rtc_update(&r);
	assert_int_equal(irq_levels[RTC_IRQ], 0);
	fake_now_ns += 1000;
	rtc_update(&r);
	assert_int_equal(irq_levels[RTC_IRQ], 1);
	assert_int_equal(rtc_read(&r, RTC_ALARM_STATUS, 4), 0);
	rtc_write(&r, RTC_CLEAR_INTERRUPT, 1, 4);
	assert_int_equal(irq_levels[RTC_IRQ], 0);
}

/* The guest may set the clock anywhere: to the last ns of int64 and past
 * the last of uint64, as time goes on (the offset arithmetic overflowed,
 * undefined behaviour that UBSan stops this suite on). */
static void test_rtc_clock_set_anywhere(void **state)
{
	struct rtc r;
	rtc_init(&r, recorded_line(RTC_IRQ));
	r.wall_ns = fake_clock;
	fake_now_ns = 1000000000;
	rtc_write(&r, RTC_TIME_HIGH, 0x7fffffff, 4);
	rtc_write(&r, RTC_TIME_LOW, 0xffffffff, 4);
	fake_now_ns += 1000;
	uint64_t lo = rtc_read(&r, RTC_TIME_LOW, 4), hi = rtc_read(&r, RTC_TIME_HIGH, 4);
	assert_int_equal((hi << 32) | lo, 0x7fffffffffffffffull + 1000);
	rtc_write(&r, RTC_TIME_HIGH, 0xffffffff, 4);
	rtc_write(&r, RTC_TIME_LOW, 0xffffffff, 4);
	fake_now_ns += 10;
	lo = rtc_read(&r, RTC_TIME_LOW, 4);
	hi = rtc_read(&r, RTC_TIME_HIGH, 4);
	assert_int_equal((hi << 32) | lo, 9); /* wrapped */
	rtc_write(&r, RTC_TIME_HIGH, 0x80000000, 4);
	rtc_write(&r, RTC_TIME_LOW, 0, 4);
	fake_now_ns += 5;
	lo = rtc_read(&r, RTC_TIME_LOW, 4);
	hi = rtc_read(&r, RTC_TIME_HIGH, 4);
	assert_int_equal((hi << 32) | lo, 0x8000000000000005ull);
}

static enum vm_power_event last_event;
static int last_code;
static void record_power(void *opaque, enum vm_power_event event, int code)
{
	(void)opaque;
	last_event = event;
	last_code = code;
}

static void test_syscon(void **state)
{
	struct syscon s = {.request = record_power};
	last_event = VM_RUNNING;
	syscon_write(&s, 0, 0x1234, 4);
	assert_int_equal(last_event, VM_RUNNING);
	syscon_write(&s, 0, SYSCON_POWEROFF, 4);
	assert_int_equal(last_event, VM_POWEROFF);
	syscon_write(&s, 0, (42u << 16) | SYSCON_FAIL, 4);
	assert_int_equal(last_event, VM_FAILURE);
	assert_int_equal(last_code, 42);
	syscon_write(&s, 0, SYSCON_FAIL, 4);
	assert_int_equal(last_code, 1); /* never a failure with status 0 */
	syscon_write(&s, 0, SYSCON_REBOOT, 4);
	assert_int_equal(last_event, VM_REBOOT);
}

/* ---- SBI --------------------------------------------------------------- */

static uint64_t fake_mtime;
static uint64_t read_fake_mtime(void *opaque)
{
	(void)opaque;
	return fake_mtime;
}

static uint8_t sbi_ram[4096];
static struct vm_bus sbi_bus = {.ram = sbi_ram, .ram_base = VM_RAM_BASE, .ram_size = 4096};

static void new_sbi(struct sbi *sbi, unsigned n)
{
	static struct syscon power = {.request = record_power};
	setup_harts(n);
	sbi_init(sbi, hart_ptrs, n);
	sbi->bus = &sbi_bus;
	sbi->mtime = read_fake_mtime;
	sbi->power = &power;
	last_event = VM_RUNNING;
}

/* Makes an ecall from hart h; returns a0 (error), *value = a1. */
static int64_t ecall(struct sbi *sbi, unsigned h, uint64_t eid, uint64_t fid, uint64_t a0,
		     uint64_t a1, uint64_t a2, uint64_t *value)
{
	struct hart *hart = &fake_harts[h];
	hart->x[17] = eid;
	hart->x[16] = fid;
	hart->x[10] = a0;
	hart->x[11] = a1;
	hart->x[12] = a2;
	assert_true(sbi_call(sbi, hart));
	if (value)
		*value = hart->x[11];
	return (int64_t)hart->x[10];
}

static void test_sbi_base(void **state)
{
	struct sbi sbi;
	uint64_t v;
	new_sbi(&sbi, 1);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_BASE, 0, 0, 0, 0, &v), 0);
	assert_int_equal(v, SBI_SPEC_VERSION);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_BASE, 3, SBI_EXT_HSM, 0, 0, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_BASE, 3, 0x504d55 /* PMU */, 0, 0, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ecall(&sbi, 0, 0x12345678, 0, 0, 0, 0, NULL), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_BASE, 99, 0, 0, 0, NULL), SBI_ERR_NOT_SUPPORTED);
}

static void test_sbi_timer(void **state)
{
	struct sbi sbi;
	new_sbi(&sbi, 2);
	fake_mtime = 100;
	fake_harts[1].mip = MIP_STIP;
	assert_int_equal(ecall(&sbi, 1, SBI_EXT_TIME, 0, 500, 0, 0, NULL), 0);
	assert_false(fake_harts[1].mip & MIP_STIP); /* set_timer clears it */
	assert_int_equal(sbi_next_deadline(&sbi), 500);
	sbi_update_timers(&sbi, 499);
	assert_false(fake_harts[1].mip & MIP_STIP);
	sbi_update_timers(&sbi, 500);
	assert_true(fake_harts[1].mip & MIP_STIP);
	assert_false(fake_harts[0].mip & MIP_STIP);
	assert_int_equal(sbi_next_deadline(&sbi), UINT64_MAX);
	/* a deadline in the past fires at once; legacy call 0 too */
	ecall(&sbi, 0, 0x00, 0, 50, 0, 0, NULL);
	assert_true(fake_harts[0].mip & MIP_STIP);
}

static void test_sbi_ipi_and_fences(void **state)
{
	struct sbi sbi;
	new_sbi(&sbi, 4);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_IPI, 0, 0x5, 1, 0, NULL), 0); /* harts 1, 3 */
	assert_false(fake_harts[0].mip & MIP_SSIP);
	assert_true(fake_harts[1].mip & MIP_SSIP);
	assert_false(fake_harts[2].mip & MIP_SSIP);
	assert_true(fake_harts[3].mip & MIP_SSIP);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_IPI, 0, 0x1, 4, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_IPI, 0, 0x4, 2, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_RFENCE, 1, 0, UINT64_MAX, 0, NULL), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(fake_harts[i].tlb_flushes, 1);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_RFENCE, 0, 0x2, 0, 0, NULL), 0);
	assert_int_equal(fake_harts[1].icache_flushes, 2);
	assert_int_equal(fake_harts[0].icache_flushes, 1);
}

static void test_sbi_hsm(void **state)
{
	struct sbi sbi;
	uint64_t v;
	new_sbi(&sbi, 2);
	fake_harts[1].stopped = true;
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_HSM, 2, 1, 0, 0, &v), 0);
	assert_int_equal(v, SBI_HSM_STOPPED);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_HSM, 0, 1, VM_RAM_BASE + 0x100, 0xabc, NULL), 0);
	assert_false(fake_harts[1].stopped);
	assert_int_equal(fake_harts[1].pc, VM_RAM_BASE + 0x100);
	assert_int_equal(fake_harts[1].priv, PRIV_S);
	assert_int_equal(fake_harts[1].x[10], 1);
	assert_int_equal(fake_harts[1].x[11], 0xabc);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_HSM, 0, 1, VM_RAM_BASE, 0, NULL),
			 SBI_ERR_ALREADY_AVAILABLE);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_HSM, 0, 7, VM_RAM_BASE, 0, NULL),
			 SBI_ERR_INVALID_PARAM);
	/* hart_stop stops the caller */
	assert_int_equal(ecall(&sbi, 1, SBI_EXT_HSM, 1, 0, 0, 0, NULL), 0);
	assert_true(fake_harts[1].stopped);
	assert_true(fake_harts[1].exit_requested);
	/* a start address outside RAM is refused */
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_HSM, 0, 1, 0x1000, 0, NULL),
			 SBI_ERR_INVALID_ADDRESS);
}

static void test_sbi_reset_and_console(void **state)
{
	struct sbi sbi;
	struct uart u;
	struct console con;
	new_sbi(&sbi, 1);
	new_uart(&u);
	console_init(&con, &u, -1, -1);
	sbi.console = &con;
	ecall(&sbi, 0, 0x01, 0, 'Z', 0, 0, NULL); /* legacy console_putchar */
	assert_int_equal(con.out_len, 1);
	assert_int_equal(con.out_buf[0], 'Z');
	assert_int_equal(ecall(&sbi, 0, 0x02, 0, 0, 0, 0, NULL), -1); /* no input */
	console_input(&con, (const uint8_t *)"k", 1);
	assert_int_equal(ecall(&sbi, 0, 0x02, 0, 0, 0, 0, NULL), 'k');
	memcpy(sbi_ram, "dbcn", 4);
	uint64_t v;
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_DBCN, 0, 4, VM_RAM_BASE, 0, &v), 0);
	assert_int_equal(v, 4);
	assert_memory_equal(con.out_buf + 1, "dbcn", 4);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_DBCN, 0, 8192, VM_RAM_BASE, 0, NULL),
			 SBI_ERR_INVALID_PARAM);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_SRST, 0, 5, 0, 0, NULL), SBI_ERR_INVALID_PARAM);
	assert_int_equal(last_event, VM_RUNNING);
	assert_int_equal(ecall(&sbi, 0, SBI_EXT_SRST, 0, 1, 0, 0, NULL), 0);
	assert_int_equal(last_event, VM_REBOOT);
	ecall(&sbi, 0, SBI_EXT_SRST, 0, 0, 1, 0, NULL); /* shutdown, system failure */
	assert_int_equal(last_event, VM_FAILURE);
	ecall(&sbi, 0, SBI_EXT_SRST, 0, 0, 0, 0, NULL);
	assert_int_equal(last_event, VM_POWEROFF);
}

/* ---- FDT --------------------------------------------------------------- */

static const void *prop(const void *fdt, const char *path, const char *name, int *len)
{
	int node = fdt_path_offset(fdt, path);
	assert_true(node >= 0);
	const void *p = fdt_getprop(fdt, node, name, len);
	assert_non_null(p);
	return p;
}

static uint32_t prop_u32(const void *fdt, const char *path, const char *name)
{
	int len;
	const fdt32_t *p = prop(fdt, path, name, &len);
	assert_int_equal(len, 4);
	return fdt32_to_cpu(*p);
}

static uint64_t prop_u64(const void *fdt, const char *path, const char *name)
{
	int len;
	const void *p = prop(fdt, path, name, &len);
	assert_int_equal(len, 8);
	fdt64_t v; /* DT properties are only 4-byte aligned */
	memcpy(&v, p, sizeof v);
	return fdt64_to_cpu(v);
}

static void test_fdt_contents(void **state)
{
	static uint8_t fdt[VM_FDT_MAX_SIZE];
	struct keel_error err = {0};
	struct vm_fdt_desc desc = {.cpus = 2,
				   .mem_size = 256ull << 20,
				   .bootargs = "console=ttyS0 quiet",
				   .initrd_start = 0x8f000000,
				   .initrd_end = 0x8f080000,
				   .virtio_slots = 0x7,
				   .mmu_type = "riscv,sv48"};
	assert_int_equal(vm_fdt_build(&desc, fdt, sizeof(fdt), &err), 0);
	assert_int_equal(fdt_check_header(fdt), 0);
	assert_true(vm_fdt_size(fdt) <= VM_FDT_MAX_SIZE - 0x1000);
	assert_int_equal(prop_u32(fdt, "/cpus", "timebase-frequency"), 10000000);
	assert_string_equal(prop(fdt, "/cpus/cpu@1", "riscv,isa", NULL), VM_RISCV_ISA);
	assert_string_equal(prop(fdt, "/cpus/cpu@1", "mmu-type", NULL), "riscv,sv48");
	assert_true(fdt_path_offset(fdt, "/cpus/cpu@2") < 0);
	assert_string_equal(prop(fdt, "/chosen", "bootargs", NULL), "console=ttyS0 quiet");
	assert_string_equal(prop(fdt, "/chosen", "stdout-path", NULL), "/soc/serial@10000000");
	assert_int_equal(prop_u64(fdt, "/chosen", "linux,initrd-start"), 0x8f000000);
	assert_int_equal(prop_u64(fdt, "/chosen", "linux,initrd-end"), 0x8f080000);
	int len;
	const fdt64_t *reg = prop(fdt, "/memory@80000000", "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_to_cpu(reg[0]), 0x80000000);
	assert_int_equal(fdt64_to_cpu(reg[1]), 256ull << 20);
	/* the PLIC reaches each hart's M and S external interrupt */
	const fdt32_t *ext = prop(fdt, "/soc/plic@c000000", "interrupts-extended", &len);
	assert_int_equal(len, 2 * 4 * 4);
	uint32_t intc1 = prop_u32(fdt, "/cpus/cpu@1/interrupt-controller", "phandle");
	assert_int_equal(fdt32_to_cpu(ext[4]), intc1);
	assert_int_equal(fdt32_to_cpu(ext[5]), 11);
	assert_int_equal(fdt32_to_cpu(ext[7]), 9);
	assert_int_equal(prop_u32(fdt, "/soc/plic@c000000", "riscv,ndev"), 95);
	uint32_t plic = prop_u32(fdt, "/soc/plic@c000000", "phandle");
	assert_int_equal(prop_u32(fdt, "/soc/serial@10000000", "interrupts"), 10);
	assert_int_equal(prop_u32(fdt, "/soc/serial@10000000", "interrupt-parent"), plic);
	assert_int_equal(prop_u32(fdt, "/soc/rtc@101000", "interrupts"), 11);
	assert_int_equal(prop_u32(fdt, "/poweroff", "value"), 0x5555);
	assert_int_equal(prop_u32(fdt, "/reboot", "value"), 0x7777);
	assert_int_equal(prop_u32(fdt, "/poweroff", "regmap"),
			 prop_u32(fdt, "/soc/test@100000", "phandle"));
	assert_int_equal(prop_u32(fdt, "/soc/virtio_mmio@10003000", "interrupts"), 3);
	assert_true(fdt_path_offset(fdt, "/soc/virtio_mmio@10004000") < 0);
	const char *clint = prop(fdt, "/soc/clint@2000000", "compatible", NULL);
	assert_string_equal(clint, "sifive,clint0");
}

static void test_fdt_errors(void **state)
{
	uint8_t small[256];
	static uint8_t fdt[VM_FDT_MAX_SIZE];
	struct keel_error err = {0};
	struct vm_fdt_desc desc = {.cpus = 1, .mem_size = 1 << 30};
	assert_true(vm_fdt_build(&desc, small, sizeof(small), &err) < 0);
	assert_non_null(strstr(err.msg, "device tree"));
	desc.cpus = 9;
	assert_true(vm_fdt_build(&desc, fdt, sizeof(fdt), &err) < 0);
	/* no initrd, no bootargs: the properties are absent */
	desc.cpus = 1;
	assert_int_equal(vm_fdt_build(&desc, fdt, sizeof(fdt), &err), 0);
	int chosen = fdt_path_offset(fdt, "/chosen");
	assert_null(fdt_getprop(fdt, chosen, "linux,initrd-start", NULL));
	assert_null(fdt_getprop(fdt, chosen, "bootargs", NULL));
}

/* ---- options ----------------------------------------------------------- */

static int parse(struct vm_options *o, struct keel_error *err, ...)
{
	char *argv[32] = {"keel-vm"};
	int argc = 1;
	va_list ap;
	va_start(ap, err);
	char *a;
	while ((a = va_arg(ap, char *)) && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	return vm_options_parse(o, argc, argv, err);
}

static void test_options_good(void **state)
{
	struct vm_options o;
	struct keel_error err = {0};
	assert_int_equal(parse(&o, &err, "--kernel", "Image", NULL), 0);
	assert_int_equal(o.mem_size, 256ull << 20);
	assert_int_equal(o.cpus, 1);
	assert_int_equal(parse(&o, &err, "--kernel", "Image", "--mem", "1G", "--cpus", "4",
			       "--initrd", "i.cpio", "--append", "console=ttyS0", "--disk",
			       "a.img,ro", "--disk", "b.img", "--net", "user", NULL),
			 0);
	assert_int_equal(o.mem_size, 1ull << 30);
	assert_int_equal(o.cpus, 4);
	assert_string_equal(o.initrd, "i.cpio");
	assert_int_equal(o.ndisks, 2);
	assert_string_equal(o.disks[1], "b.img");
	assert_int_equal(o.nnets, 1);
	assert_int_equal(parse(&o, &err, "-m", "512M", "-c", "2", "--kernel=Image", NULL), 0);
	assert_int_equal(o.mem_size, 512ull << 20);
	assert_int_equal(parse(&o, &err, "--help", NULL), 0);
	assert_true(o.help);
	assert_int_equal(parse(&o, &err, "--dump-dtb", "x.dtb", NULL), 0);
	uint64_t size;
	assert_int_equal(vm_parse_size("65536K", &size), 0);
	assert_int_equal(size, 64ull << 20);
	assert_int_equal(vm_parse_size("2MiB", &size), 0);
	assert_int_equal(size, 2ull << 20);
}

static void expect_error(const char *needle, int r, const struct keel_error *err)
{
	assert_true(r < 0);
	if (!strstr(err->msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err->msg, needle);
}

static void test_options_errors(void **state)
{
	struct vm_options o;
	struct keel_error err = {0};
	expect_error("missing --kernel", parse(&o, &err, NULL), &err);
	expect_error("--mem 1X", parse(&o, &err, "--kernel", "I", "--mem", "1X", NULL), &err);
	expect_error("--mem 0", parse(&o, &err, "--kernel", "I", "--mem", "0", NULL), &err);
	expect_error("--mem -5M", parse(&o, &err, "--kernel", "I", "--mem", "-5M", NULL), &err);
	expect_error("--mem 99999999999G",
		     parse(&o, &err, "--kernel", "I", "--mem", "99999999999G", NULL), &err);
	expect_error("--mem 1M", parse(&o, &err, "--kernel", "I", "--mem", "1M", NULL), &err);
	expect_error("--cpus 9", parse(&o, &err, "--kernel", "I", "--cpus", "9", NULL), &err);
	expect_error("--cpus 0", parse(&o, &err, "--kernel", "I", "--cpus", "0", NULL), &err);
	expect_error("--cpus two", parse(&o, &err, "--kernel", "I", "--cpus", "two", NULL), &err);
	expect_error("unknown option --frobnicate",
		     parse(&o, &err, "--kernel", "I", "--frobnicate", NULL), &err);
	expect_error("unknown option -z", parse(&o, &err, "--kernel", "I", "-z", NULL), &err);
	expect_error("missing argument", parse(&o, &err, "--kernel", NULL), &err);
	expect_error("--kernel given twice",
		     parse(&o, &err, "--kernel", "I", "--kernel", "J", NULL), &err);
	expect_error("unexpected argument 'stray'", parse(&o, &err, "--kernel", "I", "stray", NULL),
		     &err);
	expect_error("at most 7",
		     parse(&o, &err, "--kernel", "I", "--disk", "1", "--disk", "2", "--disk", "3",
			   "--disk", "4", "--net", "user", "--disk", "5", "--disk", "6", "--disk",
			   "7", NULL),
		     &err);
}

/* ---- loader ------------------------------------------------------------ */

static struct vm_file image_file(uint64_t image_size, size_t len)
{
	struct vm_file f = {.data = calloc(1, len), .len = len};
	struct vm_image_header h = {.text_offset = 0x200000, .image_size = image_size};
	memcpy(&h.magic, "RISCV\0\0\0", 8);
	memcpy(&h.magic2, "RSC\x05", 4);
	memcpy(f.data, &h, len < sizeof(h) ? len : sizeof(h));
	return f;
}

static void test_image_header(void **state)
{
	struct keel_error err = {0};
	uint64_t size;
	struct vm_file f = image_file(0x40d000, 4096);
	assert_int_equal(vm_image_check(&f, &size, &err), 0);
	assert_int_equal(size, 0x40d000);
	assert_false(vm_is_elf(&f));
	/* only the deprecated magic, as in early kernels */
	memset(f.data + 0x38, 0, 4);
	assert_int_equal(vm_image_check(&f, &size, &err), 0);
	memset(f.data + 0x30, 0, 8);
	expect_error("not a RISC-V Linux Image", vm_image_check(&f, &size, &err), &err);
	vm_file_free(&f);
	f = image_file(100, 4096); /* image_size smaller than the file */
	expect_error("image_size", vm_image_check(&f, &size, &err), &err);
	vm_file_free(&f);
	f = image_file(0, 32); /* truncated header */
	expect_error("not a RISC-V Linux Image", vm_image_check(&f, &size, &err), &err);
	vm_file_free(&f);
}

/* A minimal RISC-V ELF64 with one PT_LOAD of 16 bytes + 16 of bss. */
static struct vm_file elf_file(uint64_t paddr, uint64_t entry)
{
	size_t len = sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 16;
	struct vm_file f = {.data = calloc(1, len), .len = len};
	Elf64_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = EM_RISCV,
			 .e_version = EV_CURRENT,
			 .e_entry = entry,
			 .e_phoff = sizeof(Elf64_Ehdr),
			 .e_ehsize = sizeof(Elf64_Ehdr),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = 1};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	Elf64_Phdr ph = {.p_type = PT_LOAD,
			 .p_offset = sizeof(eh) + sizeof(ph),
			 .p_vaddr = paddr,
			 .p_paddr = paddr,
			 .p_filesz = 16,
			 .p_memsz = 32};
	memcpy(f.data, &eh, sizeof(eh));
	memcpy(f.data + sizeof(eh), &ph, sizeof(ph));
	memcpy(f.data + sizeof(eh) + sizeof(ph), "0123456789abcdef", 16);
	return f;
}

static void test_elf_load(void **state)
{
	struct keel_error err = {0};
	uint64_t entry, end;
	memset(sbi_ram, 0xff, sizeof(sbi_ram));
	struct vm_file f = elf_file(VM_RAM_BASE + 0x100, VM_RAM_BASE + 0x104);
	assert_true(vm_is_elf(&f));
	assert_int_equal(vm_elf_load(&sbi_bus, &f, &entry, &end, &err), 0);
	assert_int_equal(entry, VM_RAM_BASE + 0x104);
	assert_int_equal(end, VM_RAM_BASE + 0x120);
	assert_memory_equal(sbi_ram + 0x100, "0123456789abcdef", 16);
	assert_int_equal(sbi_ram[0x110], 0); /* bss zeroed */
	assert_int_equal(sbi_ram[0x11f], 0);
	assert_int_equal(sbi_ram[0x120], 0xff);
	vm_file_free(&f);
	f = elf_file(VM_RAM_BASE + 4090, VM_RAM_BASE); /* runs past RAM */
	expect_error("outside guest RAM", vm_elf_load(&sbi_bus, &f, &entry, &end, &err), &err);
	vm_file_free(&f);
	f = elf_file(VM_RAM_BASE, 0x1000); /* entry outside RAM */
	expect_error("entry point", vm_elf_load(&sbi_bus, &f, &entry, &end, &err), &err);
	/* a program header table past the end of the file */
	Elf64_Ehdr *eh = (Elf64_Ehdr *)f.data;
	eh->e_phoff = 1u << 30;
	expect_error("program headers", vm_elf_load(&sbi_bus, &f, &entry, &end, &err), &err);
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_machine = EM_X86_64;
	expect_error("not RISC-V", vm_elf_load(&sbi_bus, &f, &entry, &end, &err), &err);
	vm_file_free(&f);
}

static void test_layout(void **state)
{
	struct keel_error err = {0};
	struct vm_layout l;
	uint64_t ram = 256ull << 20, kaddr = VM_RAM_BASE + VM_KERNEL_OFFSET;
	assert_int_equal(
	    vm_layout_plan(&l, VM_RAM_BASE, ram, kaddr, kaddr + (4 << 20), 574464, "256M", &err),
	    0);
	assert_int_equal(l.dtb_addr, VM_RAM_BASE + ram - VM_FDT_MAX_SIZE);
	assert_int_equal(l.initrd_end - l.initrd_start, 574464);
	assert_true(l.initrd_end <= l.dtb_addr);
	assert_int_equal(l.initrd_start % 4096, 0);
	assert_true(l.initrd_start >= l.kernel_end);
	assert_true(l.fw_info_addr + sizeof(struct vm_fw_dynamic_info) <= VM_RAM_BASE + ram);
	expect_error(
	    "--mem 8M: too small for kernel (20 MiB) and initrd (561 KiB)",
	    vm_layout_plan(&l, VM_RAM_BASE, 8 << 20, kaddr, kaddr + (20 << 20), 574464, "8M", &err),
	    &err);
	expect_error(
	    "--mem 4M: too small for kernel (4 MiB)",
	    vm_layout_plan(&l, VM_RAM_BASE, 4 << 20, kaddr, kaddr + (4 << 20), 0, "4M", &err),
	    &err);
	/* the initrd alone larger than RAM */
	expect_error(
	    "too small",
	    vm_layout_plan(&l, VM_RAM_BASE, 8 << 20, kaddr, kaddr + 4096, 1ull << 40, "8M", &err),
	    &err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plic_priority_threshold),
	    cmocka_unit_test(test_plic_claim_complete),
	    cmocka_unit_test(test_plic_contexts_and_bounds),
	    cmocka_unit_test(test_clint_timer),
	    cmocka_unit_test(test_clint_msip),
	    cmocka_unit_test(test_uart_transmit_and_thre),
	    cmocka_unit_test(test_uart_receive),
	    cmocka_unit_test(test_uart_registers),
	    cmocka_unit_test(test_uart_input_policy),
	    cmocka_unit_test(test_console_escape),
	    cmocka_unit_test(test_console_pipe_flow),
	    cmocka_unit_test(test_loop_watch_and_hooks),
	    cmocka_unit_test(test_rtc),
	    cmocka_unit_test(test_rtc_clock_set_anywhere),
	    cmocka_unit_test(test_syscon),
	    cmocka_unit_test(test_sbi_base),
	    cmocka_unit_test(test_sbi_timer),
	    cmocka_unit_test(test_sbi_ipi_and_fences),
	    cmocka_unit_test(test_sbi_hsm),
	    cmocka_unit_test(test_sbi_reset_and_console),
	    cmocka_unit_test(test_fdt_contents),
	    cmocka_unit_test(test_fdt_errors),
	    cmocka_unit_test(test_options_good),
	    cmocka_unit_test(test_options_errors),
	    cmocka_unit_test(test_image_header),
	    cmocka_unit_test(test_elf_load),
	    cmocka_unit_test(test_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
