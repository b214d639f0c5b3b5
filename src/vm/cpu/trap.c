/* Traps: exceptions and interrupts, delegation to S-mode, xRET. */
#include "vm/cpu/cpu.h"

static uint64_t trap_vector(uint64_t tvec, uint64_t cause)
{
	uint64_t base = tvec & ~3ull;
	if ((tvec & 3) == 1 && (cause & CAUSE_INTERRUPT))
		return base + 4 * (cause & 63);
	return base;
}

static void trap_to_s(struct hart *h, uint64_t cause, uint64_t tval)
{
	struct hart_state *s = &h->s;
	s->scause = cause;
	s->sepc = s->pc;
	s->stval = tval;
	uint64_t st = s->mstatus & ~(MSTATUS_SPP | MSTATUS_SPIE | MSTATUS_SIE);
	if (s->priv == PRIV_S)
		st |= MSTATUS_SPP;
	if (s->mstatus & MSTATUS_SIE)
		st |= MSTATUS_SPIE;
	s->mstatus = st;
	s->priv = PRIV_S;
	s->pc = trap_vector(s->stvec, cause);
}

static void trap_to_m(struct hart *h, uint64_t cause, uint64_t tval)
{
	struct hart_state *s = &h->s;
	s->mcause = cause;
	s->mepc = s->pc;
	s->mtval = tval;
	uint64_t st = s->mstatus & ~(MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE);
	st |= (uint64_t)s->priv << 11;
	if (s->mstatus & MSTATUS_MIE)
		st |= MSTATUS_MPIE;
	s->mstatus = st;
	s->priv = PRIV_M;
	s->pc = trap_vector(s->mtvec, cause);
}

/* s->pc must hold the address of the trapping instruction (or, for an
 * interrupt, of the next one to execute). */
void cpu_take_trap(struct hart *h, uint64_t cause, uint64_t tval)
{
	struct hart_state *s = &h->s;
	uint64_t deleg = (cause & CAUSE_INTERRUPT) ? s->mideleg : s->medeleg;
	s->reservation_valid = false;
	s->wfi = false;
	if (s->priv <= PRIV_S && ((deleg >> (cause & 63)) & 1))
		trap_to_s(h, cause, tval);
	else
		trap_to_m(h, cause, tval);
}

/* priority order of the spec: MEI, MSI, MTI, SEI, SSI, STI */
static int highest_interrupt(uint64_t bits)
{
	static const int order[] = {11, 3, 7, 9, 1, 5};
	for (unsigned i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (bits & (1ull << order[i]))
			return order[i];
	return -1;
}

bool cpu_check_interrupts(struct hart *h)
{
	struct hart_state *s = &h->s;
	uint64_t pending = s->mip & s->mie;
	if (likely(!pending))
		return false;
	bool m_on = s->priv < PRIV_M || (s->mstatus & MSTATUS_MIE);
	bool s_on = s->priv < PRIV_S || (s->priv == PRIV_S && (s->mstatus & MSTATUS_SIE));
	uint64_t m_bits = m_on ? pending & ~s->mideleg : 0;
	uint64_t s_bits = s_on ? pending & s->mideleg : 0;
	int irq = highest_interrupt(m_bits);
	if (irq < 0)
		irq = highest_interrupt(s_bits);
	if (irq < 0)
		return false;
	cpu_take_trap(h, CAUSE_INTERRUPT | (uint64_t)irq, 0);
	return true;
}

void cpu_mret(struct hart *h)
{
	struct hart_state *s = &h->s;
	uint64_t st = s->mstatus;
	unsigned mpp = (st >> 11) & 3;
	st &= ~(MSTATUS_MIE | MSTATUS_MPP);
	if (st & MSTATUS_MPIE)
		st |= MSTATUS_MIE;
	st |= MSTATUS_MPIE;
	if (mpp != PRIV_M)
		st &= ~MSTATUS_MPRV;
	s->mstatus = st;
	s->priv = (uint8_t)mpp;
	s->pc = s->mepc;
}

void cpu_sret(struct hart *h)
{
	struct hart_state *s = &h->s;
	uint64_t st = s->mstatus;
	unsigned spp = (st & MSTATUS_SPP) ? PRIV_S : PRIV_U;
	st &= ~(MSTATUS_SIE | MSTATUS_SPP | MSTATUS_MPRV);
	if (st & MSTATUS_SPIE)
		st |= MSTATUS_SIE;
	st |= MSTATUS_SPIE;
	s->mstatus = st;
	s->priv = (uint8_t)spp;
	s->pc = s->sepc;
}

/* Sstc: STIP follows time >= stimecmp while menvcfg.STCE is set */
void cpu_update_stip(struct hart *h)
{
	struct hart_state *s = &h->s;
	if (!(s->menvcfg & MENVCFG_STCE) || !h->env.read_time)
		return;
	if (h->env.read_time(h->env.opaque) >= s->stimecmp)
		s->mip |= MIP_STIP;
	else
		s->mip &= ~MIP_STIP;
}
