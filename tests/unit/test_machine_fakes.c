/* Fake hart: just enough of hart.h for the device models and the SBI. */
#include "test_machine_fakes.h"

#include <string.h>

void fake_hart_init(struct hart *h, unsigned id)
{
	memset(h, 0, sizeof(*h));
	h->id = id;
}

void hart_set_irq(struct hart *h, uint64_t bits, bool level)
{
	h->mip = level ? h->mip | bits : h->mip & ~bits;
}

void hart_reset(struct hart *h, uint64_t pc, enum hart_priv priv)
{
	h->pc = pc;
	h->priv = priv;
	h->mip = 0;
}

void hart_request_exit(struct hart *h)
{
	h->exit_requested = true;
}

bool hart_is_stopped(const struct hart *h)
{
	return h->stopped;
}

void hart_set_stopped(struct hart *h, bool stopped)
{
	h->stopped = stopped;
}

bool hart_is_waiting(const struct hart *h)
{
	return h->waiting;
}

unsigned hart_id(const struct hart *h)
{
	return h->id;
}

uint64_t hart_get_reg(const struct hart *h, unsigned reg)
{
	return reg && reg < 32 ? h->x[reg] : 0;
}

void hart_set_reg(struct hart *h, unsigned reg, uint64_t value)
{
	if (reg && reg < 32)
		h->x[reg] = value;
}

void hart_flush_tlb(struct hart *h)
{
	h->tlb_flushes++;
}

void hart_flush_icache(struct hart *h)
{
	h->icache_flushes++;
}

/* firmware.c is not linked in the suite: record the call instead */
void sbi_prepare_hart(struct hart *h)
{
	(void)h;
}
