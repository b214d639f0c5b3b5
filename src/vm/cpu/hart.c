/* The hart's public interface (hart.h): life cycle, run loop, interrupts. */
#include "vm/cpu/cpu.h"

#include <fenv.h>
#include <stdlib.h>
#include <string.h>

/* RV64 with A C D F I M S U */
#define MISA_RV64GC                                                                                \
	((2ull << 62) | (1u << 0) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 8) | (1u << 12) |   \
	 (1u << 18) | (1u << 20))
#define MSTATUS_XL64 ((2ull << 32) | (2ull << 34))

struct hart *hart_new(unsigned hartid, const struct hart_env *env)
{
	struct hart *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->env = *env;
	if (icache_init(&h->icache, env->bus) < 0) {
		free(h);
		return NULL;
	}
	const void *const *handlers = cpu_op_handlers();
	h->icache.decode_handler = handlers[OP_decode];
	h->icache.end_handler = handlers[OP_page_end];
	h->xpage[1].handler = handlers[OP_page_end];
	h->xpage[2].handler = handlers[OP_page_end];
	const char *trace = getenv("KEEL_VM_TRACE");
	h->trace = trace && *trace && strcmp(trace, "0") != 0 ? trace : NULL;
	h->tracing = h->trace != NULL;
	h->tlb_log_n = TLB_LOG_SIZE + 1; /* everything to clear at the first flush */
	h->s.mhartid = hartid;
	h->s.misa = MISA_RV64GC;
	hart_reset(h, 0, PRIV_M);
	return h;
}

void hart_free(struct hart *h)
{
	if (!h)
		return;
	icache_free(&h->icache);
	free(h);
}

/* What an SBI firmware would have set up before entering S-mode: every
 * delegable trap and the S-level interrupts go to S, counters and Sstc are
 * open to S. With the built-in firmware there is no M-mode code to run. */
static void setup_builtin_firmware(struct hart *h)
{
	struct hart_state *s = &h->s;
	s->medeleg = 0xb3ffull;
	s->mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
	s->mcounteren = 7;
	s->menvcfg = MENVCFG_STCE;
	s->stimecmp = UINT64_MAX;
}

void hart_reset(struct hart *h, uint64_t pc, enum hart_priv priv)
{
	struct hart_state *s = &h->s;
	s->pc = pc;
	s->priv = (uint8_t)priv;
	s->wfi = false;
	s->reservation_valid = false;
	s->mstatus = MSTATUS_XL64;
	s->mip &= MIP_MEIP | MIP_SEIP | MIP_MTIP | MIP_MSIP; /* device lines stay */
	s->satp = 0;
	s->stimecmp = UINT64_MAX;
	if (h->env.sbi_call)
		setup_builtin_firmware(h);
	mmu_flush_all(h);
	h->irq_check = true;
}

uint64_t hart_run(struct hart *h, uint64_t budget)
{
	struct hart_state *s = &h->s;
	if (h->exit_request) {
		h->exit_request = false;
		return 0;
	}
	if (s->stopped)
		return 0;
	cpu_update_stip(h);
	if (s->wfi) {
		if (!(s->mip & s->mie))
			return 0;
		s->wfi = false;
	}
	if (icache_reclaim(&h->icache))
		mmu_flush_fetch(h);
	h->irq_check = true;
	feclearexcept(FE_ALL_EXCEPT);
	h->host_rm = 0; /* the host runs round-to-nearest outside the guest */
	uint64_t n = cpu_exec(h, budget);
	fpu_host_enter(h);
	/* another hart may run before the matching SC: fail it (allowed) */
	s->reservation_valid = false;
	h->exit_request = false;
	return n;
}

void hart_request_exit(struct hart *h)
{
	h->exit_request = true;
}

void hart_set_irq(struct hart *h, uint64_t mip_bits, bool level)
{
	if (level)
		h->s.mip |= mip_bits;
	else
		h->s.mip &= ~mip_bits;
	h->irq_check = true;
}

bool hart_is_waiting(const struct hart *h)
{
	return h->s.wfi;
}

bool hart_is_stopped(const struct hart *h)
{
	return h->s.stopped;
}

void hart_set_stopped(struct hart *h, bool stopped)
{
	h->s.stopped = stopped;
	h->stopped_flag = stopped;
}

uint64_t hart_next_timer(const struct hart *h)
{
	if (!(h->s.menvcfg & MENVCFG_STCE))
		return UINT64_MAX;
	return h->s.stimecmp;
}

unsigned hart_id(const struct hart *h)
{
	return (unsigned)h->s.mhartid;
}

uint64_t hart_get_pc(const struct hart *h)
{
	return h->s.pc;
}

void hart_set_pc(struct hart *h, uint64_t pc)
{
	h->s.pc = pc;
}

uint64_t hart_get_reg(const struct hart *h, unsigned reg)
{
	return reg < 32 ? h->s.x[reg] : 0;
}

void hart_set_reg(struct hart *h, unsigned reg, uint64_t value)
{
	if (reg > 0 && reg < 32)
		h->s.x[reg] = value;
}

enum hart_priv hart_get_priv(const struct hart *h)
{
	return (enum hart_priv)h->s.priv;
}

struct hart_state *hart_arch_state(struct hart *h)
{
	return &h->s;
}

void hart_state_changed(struct hart *h)
{
	h->s.x[0] = 0;
	h->stopped_flag = h->s.stopped;
	h->irq_check = true;
	mmu_flush_all(h);
	hart_flush_icache(h);
}

void hart_flush_tlb(struct hart *h)
{
	mmu_flush_all(h);
}

void hart_flush_icache(struct hart *h)
{
	icache_flush(&h->icache);
	mmu_flush_fetch(h);
}
