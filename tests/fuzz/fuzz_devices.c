/* libFuzzer target: a hostile guest against the board's devices and the
 * built-in SBI, everything but virtio (fuzz_virtqueue) and the CPU.
 *
 * The guest controls every MMIO access to CLINT, PLIC, UART, RTC and the
 * syscon, every register of an SBI call, and (through the PLIC) sees the
 * interrupt lines devices raise. The harts are the unit suite's fake harts
 * (tests/unit/test_machine_fakes.c); time is a fake clock the input moves.
 *
 * The input is a 1-byte header (number of harts - 1, modulo 8) and a list
 * of operations:
 *
 *   op 0 STORE  u8 region, u16 offset, u8 size, u64 value   bus store
 *   op 1 LOAD   u8 region, u16 offset, u8 size              bus load
 *   op 2 SBI    u8 hart, u8 ext, u8 fid, 3 x u64 a0..a2     ecall from S-mode
 *   op 3 IRQ    u8 source, u8 level                         a device line
 *   op 4 TIME   u32 ns                                      the clock moves
 *   op 5 INPUT  u8 n, n bytes                               host console input
 *
 * region: 0 CLINT, 1 PLIC (offset scaled to cover its 6 MiB), 2 UART,
 * 3 RTC, 4 syscon, 5 RAM; offsets run a little past each region. ext picks
 * one of the SBI extensions (legacy 0..8 and the v1 ones) or, past the
 * table, the byte itself. Guest RAM is a heap block of exactly RAM_SIZE
 * bytes, so ASan catches any access outside it (SBI DBCN, HSM). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/test_machine_fakes.h"
#include "common/log.h"
#include "vm/machine/bus.h"
#include "vm/machine/clint.h"
#include "vm/machine/console.h"
#include "vm/machine/plic.h"
#include "vm/machine/rtc.h"
#include "vm/machine/sbi.h"
#include "vm/machine/syscon.h"
#include "vm/machine/uart.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000u

static int64_t now_ns;

static int64_t fake_clock(void)
{
	return now_ns;
}

static void power_request(void *opaque, enum vm_power_event event, int code)
{
	*(enum vm_power_event *)opaque = event;
	(void)code;
}

static uint64_t sbi_mtime(void *opaque)
{
	return clint_mtime(opaque);
}

struct board {
	struct vm_bus bus;
	struct hart harts[VM_MAX_CPUS];
	struct hart *hart_ptrs[VM_MAX_CPUS];
	unsigned nharts;
	struct clint clint;
	struct plic plic;
	struct uart uart;
	struct rtc rtc;
	struct syscon syscon;
	struct console console;
	struct sbi sbi;
	enum vm_power_event power;
};

static const uint64_t region_base[] = {CLINT_BASE, PLIC_BASE,	UART_BASE,
				       RTC_BASE,   SYSCON_BASE, RAM_BASE};
static const uint64_t region_size[] = {CLINT_SIZE, PLIC_SIZE,	UART_SIZE,
				       RTC_SIZE,   SYSCON_SIZE, RAM_SIZE};

/* legacy 0..8, then the v1 extensions */
static const uint64_t sbi_exts[] = {
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    SBI_EXT_BASE,
    SBI_EXT_TIME,
    SBI_EXT_IPI,
    SBI_EXT_RFENCE,
    SBI_EXT_HSM,
    SBI_EXT_SRST,
    SBI_EXT_DBCN,
};

static int null_fd = -1;

static void board_init(struct board *b, unsigned nharts)
{
	struct keel_error err = {0};
	memset(b, 0, sizeof(*b));
	b->nharts = nharts;
	for (unsigned i = 0; i < nharts; i++) {
		fake_hart_init(&b->harts[i], i);
		b->hart_ptrs[i] = &b->harts[i];
	}
	b->bus.ram = malloc(RAM_SIZE);
	memset(b->bus.ram, 0, RAM_SIZE);
	b->bus.ram_base = RAM_BASE;
	b->bus.ram_size = RAM_SIZE;
	clint_init(&b->clint, b->hart_ptrs, nharts);
	b->clint.clock_ns = fake_clock;
	plic_init(&b->plic, b->hart_ptrs, nharts);
	uart_init(&b->uart, plic_irq_line(&b->plic, UART_IRQ), NULL, NULL);
	rtc_init(&b->rtc, plic_irq_line(&b->plic, RTC_IRQ));
	b->rtc.wall_ns = fake_clock;
	b->syscon = (struct syscon){.request = power_request, .opaque = &b->power};
	console_init(&b->console, &b->uart, -1, null_fd);
	sbi_init(&b->sbi, b->hart_ptrs, nharts);
	b->sbi.bus = &b->bus;
	b->sbi.console = &b->console;
	b->sbi.mtime = sbi_mtime;
	b->sbi.mtime_opaque = &b->clint;
	b->sbi.power = &b->syscon;
	if (clint_attach(&b->clint, &b->bus, &err) < 0 ||
	    plic_attach(&b->plic, &b->bus, &err) < 0 || uart_attach(&b->uart, &b->bus, &err) < 0 ||
	    rtc_attach(&b->rtc, &b->bus, &err) < 0 || syscon_attach(&b->syscon, &b->bus, &err) < 0)
		abort();
}

struct input {
	const uint8_t *p, *end;
};

static bool take(struct input *in, void *dst, size_t n)
{
	if ((size_t)(in->end - in->p) < n)
		return false;
	memcpy(dst, in->p, n);
	in->p += n;
	return true;
}

static uint64_t address(uint8_t region, uint16_t offset)
{
	region %= sizeof(region_base) / sizeof(region_base[0]);
	uint64_t span = region_size[region] + 16, off = offset;
	if (region == 1) /* the PLIC's contexts lie megabytes in */
		off = (uint64_t)offset * 0x61;
	return region_base[region] + off % span;
}

static void sbi_op(struct board *b, uint8_t hart, uint8_t ext, uint8_t fid, const uint64_t a[3])
{
	struct hart *h = &b->harts[hart % b->nharts];
	size_t next = sizeof(sbi_exts) / sizeof(sbi_exts[0]);
	h->x[17] = ext < next ? sbi_exts[ext] : ext; /* a7 */
	h->x[16] = fid;				     /* a6 */
	/* addresses in a1 mostly land in RAM, so DBCN and HSM do work */
	h->x[10] = a[0];
	h->x[11] = (a[1] & 1) ? RAM_BASE + (a[1] >> 1) % (RAM_SIZE + 64) : a[1];
	h->x[12] = a[2];
	sbi_call(&b->sbi, h);
}

static void tick(struct board *b, uint32_t ns)
{
	now_ns += ns;
	clint_update_timers(&b->clint);
	rtc_update(&b->rtc);
	sbi_update_timers(&b->sbi, clint_mtime(&b->clint));
}

static bool step(struct board *b, struct input *in)
{
	uint8_t op, region, size, x, y, fid;
	uint16_t off;
	uint64_t v, a[3];
	uint32_t ns;
	uint8_t buf[255];
	static const unsigned sizes[] = {1, 2, 4, 8};
	if (!take(in, &op, 1))
		return false;
	switch (op % 6) {
	case 0:
		if (!take(in, &region, 1) || !take(in, &off, 2) || !take(in, &size, 1) ||
		    !take(in, &v, 8))
			return false;
		vm_bus_store(&b->bus, address(region, off), sizes[size % 4], v);
		break;
	case 1:
		if (!take(in, &region, 1) || !take(in, &off, 2) || !take(in, &size, 1))
			return false;
		vm_bus_load(&b->bus, address(region, off), sizes[size % 4], &v);
		break;
	case 2:
		if (!take(in, &x, 1) || !take(in, &y, 1) || !take(in, &fid, 1) || !take(in, a, 24))
			return false;
		sbi_op(b, x, y, fid, a);
		break;
	case 3:
		if (!take(in, &x, 1) || !take(in, &y, 1))
			return false;
		plic_set_level(&b->plic, x, y & 1);
		break;
	case 4:
		if (!take(in, &ns, 4))
			return false;
		tick(b, ns);
		break;
	case 5:
		if (!take(in, &x, 1) || !take(in, buf, x))
			return false;
		console_input(&b->console, buf, x);
		console_feed(&b->console);
		break;
	}
	return true;
}

/* Undefined behaviour a guest can cause (an overflow) is a finding, not a
 * line on stderr. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct board b;
	if (null_fd < 0) {
		null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		keel_log_open("/dev/null", KEEL_LOG_TEXT, false);
	}
	if (size < 1)
		return 0;
	now_ns = 1000000000;
	board_init(&b, data[0] % VM_MAX_CPUS + 1);
	struct input in = {data + 1, data + size};
	while (step(&b, &in))
		;
	console_flush(&b.console);
	free(b.bus.ram);
	return 0;
}
