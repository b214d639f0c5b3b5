/* PLIC: gateways, priorities, per-context enables, claim/complete. */
#include "vm/machine/plic.h"

#include <stdbool.h>

#include "vm/cpu/hart.h"

static bool bit_get(const uint32_t *words, unsigned n)
{
	return words[n / 32] >> (n % 32) & 1;
}

static void bit_put(uint32_t *words, unsigned n, bool value)
{
	if (value)
		words[n / 32] |= 1u << (n % 32);
	else
		words[n / 32] &= ~(1u << (n % 32));
}

void plic_init(struct plic *plic, struct hart **harts, unsigned nharts)
{
	*plic = (struct plic){.harts = harts, .nharts = nharts};
}

int plic_attach(struct plic *plic, struct vm_bus *bus, struct keel_error *err)
{
	struct vm_mmio_region region = {.name = "plic",
					.base = PLIC_BASE,
					.size = PLIC_SIZE,
					.read = plic_read,
					.write = plic_write,
					.opaque = plic};
	if (vm_bus_add_mmio(bus, &region) < 0)
		return keel_error_set(err, 0, "plic: cannot map at 0x%llx", PLIC_BASE);
	return 0;
}

struct vm_irq plic_irq_line(struct plic *plic, unsigned irq)
{
	return (struct vm_irq){.set_level = plic_set_level, .plic = plic, .irq = irq};
}

/* Highest-priority pending source enabled for ctx above its threshold
 * (ties go to the lowest id), or 0. */
static unsigned best_source(const struct plic *plic, unsigned ctx)
{
	const struct plic_state *s = &plic->state;
	unsigned best = 0, best_prio = s->threshold[ctx];
	for (unsigned w = 0; w < PLIC_WORDS; w++) {
		uint32_t ready = s->pending[w] & s->enable[ctx][w];
		while (ready) {
			unsigned src = w * 32 + (unsigned)__builtin_ctz(ready);
			ready &= ready - 1;
			if (src && s->priority[src] > best_prio) {
				best = src;
				best_prio = s->priority[src];
			}
		}
	}
	return best;
}

static void update_outputs(struct plic *plic)
{
	for (unsigned ctx = 0; ctx < 2 * plic->nharts; ctx++) {
		uint64_t bit = ctx & 1 ? MIP_SEIP : MIP_MEIP;
		hart_set_irq(plic->harts[ctx / 2], bit, best_source(plic, ctx) != 0);
	}
}

void plic_set_level(void *opaque, unsigned irq, int level)
{
	struct plic *plic = opaque;
	if (irq == 0 || irq >= PLIC_NUM_SOURCES)
		return;
	bit_put(plic->state.level, irq, level);
	/* The gateway forwards a level while the source is not being served. */
	if (!bit_get(plic->state.in_service, irq))
		bit_put(plic->state.pending, irq, level);
	update_outputs(plic);
}

static uint32_t claim(struct plic *plic, unsigned ctx)
{
	unsigned src = best_source(plic, ctx);
	if (src) {
		bit_put(plic->state.pending, src, false);
		bit_put(plic->state.in_service, src, true);
		update_outputs(plic);
	}
	return src;
}

static void complete(struct plic *plic, unsigned ctx, uint32_t src)
{
	if (src == 0 || src >= PLIC_NUM_SOURCES || !bit_get(plic->state.enable[ctx], src))
		return; /* the spec says completions of sources not enabled are ignored */
	bit_put(plic->state.in_service, src, false);
	if (bit_get(plic->state.level, src))
		bit_put(plic->state.pending, src, true);
	update_outputs(plic);
}

uint64_t plic_read(void *opaque, uint64_t offset, unsigned size)
{
	struct plic *plic = opaque;
	unsigned nctx = 2 * plic->nharts;
	if (size != 4 || offset & 3)
		return 0;
	if (offset < PLIC_PENDING)
		return offset / 4 < PLIC_NUM_SOURCES ? plic->state.priority[offset / 4] : 0;
	if (offset < PLIC_ENABLE)
		return offset - PLIC_PENDING < 4 * PLIC_WORDS
			   ? plic->state.pending[(offset - PLIC_PENDING) / 4]
			   : 0;
	if (offset < PLIC_CONTEXT) {
		uint64_t ctx = (offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
		uint64_t word = (offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
		return ctx < nctx && word < PLIC_WORDS ? plic->state.enable[ctx][word] : 0;
	}
	uint64_t ctx = (offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
	uint64_t reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
	if (ctx >= nctx)
		return 0;
	if (reg == 0)
		return plic->state.threshold[ctx];
	if (reg == 4)
		return claim(plic, (unsigned)ctx);
	return 0;
}

void plic_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct plic *plic = opaque;
	unsigned nctx = 2 * plic->nharts;
	if (size != 4 || offset & 3)
		return;
	if (offset < PLIC_PENDING) {
		if (offset / 4 < PLIC_NUM_SOURCES && offset != 0)
			plic->state.priority[offset / 4] = (uint32_t)value & PLIC_PRIORITY_MASK;
	} else if (offset < PLIC_ENABLE) {
		return; /* pending bits are read-only */
	} else if (offset < PLIC_CONTEXT) {
		uint64_t ctx = (offset - PLIC_ENABLE) / PLIC_ENABLE_STRIDE;
		uint64_t word = (offset - PLIC_ENABLE) % PLIC_ENABLE_STRIDE / 4;
		if (ctx >= nctx || word >= PLIC_WORDS)
			return;
		/* source 0 does not exist: its enable bit is hardwired to 0 */
		plic->state.enable[ctx][word] = (uint32_t)value & (word == 0 ? ~1u : ~0u);
	} else {
		uint64_t ctx = (offset - PLIC_CONTEXT) / PLIC_CONTEXT_STRIDE;
		uint64_t reg = (offset - PLIC_CONTEXT) % PLIC_CONTEXT_STRIDE;
		if (ctx >= nctx)
			return;
		if (reg == 4) {
			complete(plic, (unsigned)ctx, (uint32_t)value);
			return;
		}
		if (reg != 0)
			return;
		plic->state.threshold[ctx] = (uint32_t)value & PLIC_PRIORITY_MASK;
	}
	update_outputs(plic);
}
