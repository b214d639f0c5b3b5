/* CLINT: software interrupts and the machine timer. */
#include "vm/machine/clint.h"

#include "vm/cpu/hart.h"
#include "vm/machine/loop.h"

void clint_init(struct clint *clint, struct hart **harts, unsigned nharts)
{
	*clint = (struct clint){.harts = harts, .nharts = nharts, .clock_ns = vm_loop_now_ns};
	for (unsigned i = 0; i < VM_MAX_CPUS; i++)
		clint->state.mtimecmp[i] = UINT64_MAX;
	/* mtime starts at 0 when the machine is built (as on reset) */
	clint->state.mtime_offset = (uint64_t)clint->clock_ns() / CLINT_NS_PER_TICK;
}

int clint_attach(struct clint *clint, struct vm_bus *bus, struct keel_error *err)
{
	struct vm_mmio_region region = {.name = "clint",
					.base = CLINT_BASE,
					.size = CLINT_SIZE,
					.read = clint_read,
					.write = clint_write,
					.opaque = clint};
	if (vm_bus_add_mmio(bus, &region) < 0)
		return keel_error_set(err, 0, "clint: cannot map at 0x%llx", CLINT_BASE);
	return 0;
}

uint64_t clint_mtime(const struct clint *clint)
{
	return (uint64_t)clint->clock_ns() / CLINT_NS_PER_TICK - clint->state.mtime_offset;
}

void clint_update_timers(struct clint *clint)
{
	uint64_t now = clint_mtime(clint);
	for (unsigned i = 0; i < clint->nharts; i++)
		hart_set_irq(clint->harts[i], MIP_MTIP, now >= clint->state.mtimecmp[i]);
}

uint64_t clint_next_deadline(const struct clint *clint)
{
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < clint->nharts; i++)
		if (clint->state.mtimecmp[i] < next)
			next = clint->state.mtimecmp[i];
	return next;
}

/* Accesses of 1..8 bytes at any offset inside a 64-bit register read the
 * aligned register and pick the bytes (rv32 firmware uses two 4-byte ones). */
static uint64_t extract(uint64_t reg, uint64_t offset, unsigned size)
{
	uint64_t v = reg >> ((offset & 7) * 8);
	return size >= 8 ? v : v & ((1ull << (size * 8)) - 1);
}

static uint64_t merge(uint64_t reg, uint64_t offset, uint64_t value, unsigned size)
{
	unsigned shift = (offset & 7) * 8;
	uint64_t mask = size >= 8 ? ~0ull : ((1ull << (size * 8)) - 1);
	if (shift + size * 8 > 64)
		return reg; /* straddles two registers: ignored */
	return (reg & ~(mask << shift)) | ((value & mask) << shift);
}

uint64_t clint_read(void *opaque, uint64_t offset, unsigned size)
{
	struct clint *clint = opaque;
	if (offset < CLINT_MSIP + 4 * clint->nharts)
		return offset & 3 ? 0 : clint->state.msip[offset / 4] & 1;
	if (offset >= CLINT_MTIMECMP && offset < CLINT_MTIMECMP + 8 * clint->nharts) {
		unsigned hart = (offset - CLINT_MTIMECMP) / 8;
		return extract(clint->state.mtimecmp[hart], offset, size);
	}
	if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8)
		return extract(clint_mtime(clint), offset, size);
	return 0;
}

static void write_msip(struct clint *clint, unsigned hart, uint64_t value)
{
	clint->state.msip[hart] = value & 1;
	hart_set_irq(clint->harts[hart], MIP_MSIP, value & 1);
}

void clint_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct clint *clint = opaque;
	if (offset < CLINT_MSIP + 4 * clint->nharts) {
		if ((offset & 3) == 0)
			write_msip(clint, offset / 4, value);
		return;
	}
	if (offset >= CLINT_MTIMECMP && offset < CLINT_MTIMECMP + 8 * clint->nharts) {
		unsigned hart = (offset - CLINT_MTIMECMP) / 8;
		clint->state.mtimecmp[hart] =
		    merge(clint->state.mtimecmp[hart], offset, value, size);
		clint_update_timers(clint);
		return;
	}
	if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
		uint64_t host = (uint64_t)clint->clock_ns() / CLINT_NS_PER_TICK;
		uint64_t mtime = merge(host - clint->state.mtime_offset, offset, value, size);
		clint->state.mtime_offset = host - mtime;
		clint_update_timers(clint);
	}
}
