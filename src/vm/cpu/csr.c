/* Control and status registers: access rules and WARL write masks.
 *
 * PMP registers are stored and read back but not enforced: the machine
 * gives every hart the whole physical address space (documented limit). */
#include "vm/cpu/cpu.h"

enum {
	CSR_FFLAGS = 0x001,
	CSR_FRM = 0x002,
	CSR_FCSR = 0x003,
	CSR_CYCLE = 0xc00,
	CSR_TIME = 0xc01,
	CSR_INSTRET = 0xc02,
	CSR_HPM31 = 0xc1f,
	CSR_SSTATUS = 0x100,
	CSR_SIE = 0x104,
	CSR_STVEC = 0x105,
	CSR_SCOUNTEREN = 0x106,
	CSR_SENVCFG = 0x10a,
	CSR_SSCRATCH = 0x140,
	CSR_SEPC = 0x141,
	CSR_SCAUSE = 0x142,
	CSR_STVAL = 0x143,
	CSR_SIP = 0x144,
	CSR_STIMECMP = 0x14d,
	CSR_SATP = 0x180,
	CSR_MVENDORID = 0xf11,
	CSR_MARCHID = 0xf12,
	CSR_MIMPID = 0xf13,
	CSR_MHARTID = 0xf14,
	CSR_MCONFIGPTR = 0xf15,
	CSR_MSTATUS = 0x300,
	CSR_MISA = 0x301,
	CSR_MEDELEG = 0x302,
	CSR_MIDELEG = 0x303,
	CSR_MIE = 0x304,
	CSR_MTVEC = 0x305,
	CSR_MCOUNTEREN = 0x306,
	CSR_MENVCFG = 0x30a,
	CSR_MCOUNTINHIBIT = 0x320,
	CSR_MHPMEVENT3 = 0x323,
	CSR_MHPMEVENT31 = 0x33f,
	CSR_MSCRATCH = 0x340,
	CSR_MEPC = 0x341,
	CSR_MCAUSE = 0x342,
	CSR_MTVAL = 0x343,
	CSR_MIP = 0x344,
	CSR_PMPCFG0 = 0x3a0,
	CSR_PMPCFG15 = 0x3af,
	CSR_PMPADDR0 = 0x3b0,
	CSR_PMPADDR63 = 0x3ef,
	CSR_MCYCLE = 0xb00,
	CSR_MINSTRET = 0xb02,
	CSR_MHPM3 = 0xb03,
	CSR_MHPM31 = 0xb1f,
};

#define MSTATUS_WRITABLE                                                                           \
	(MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |     \
	 MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |        \
	 MSTATUS_TSR)
#define SSTATUS_VISIBLE                                                                            \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_XS | MSTATUS_SUM |        \
	 MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WRITABLE                                                                           \
	(MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

#define ALL_INTERRUPTS (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)
#define S_INTERRUPTS   (MIP_SSIP | MIP_STIP | MIP_SEIP)
/* exceptions that may be delegated: all but ECALL from M and reserved 10, 14 */
#define MEDELEG_WRITABLE 0xb3ffull

static uint64_t with_sd(uint64_t st)
{
	st &= ~MSTATUS_SD;
	if ((st & MSTATUS_FS) == MSTATUS_FS_DIRTY)
		st |= MSTATUS_SD;
	return st;
}

/* counters readable below M only where mcounteren (and, for U, scounteren) allow */
static bool counter_allowed(const struct hart *h, unsigned csr)
{
	unsigned bit = csr & 31;
	if (h->s.priv < PRIV_M && !((h->s.mcounteren >> bit) & 1))
		return false;
	if (h->s.priv == PRIV_U && !((h->s.scounteren >> bit) & 1))
		return false;
	return true;
}

static bool stimecmp_allowed(const struct hart *h)
{
	if (h->s.priv == PRIV_M)
		return true;
	return (h->s.menvcfg & MENVCFG_STCE) && ((h->s.mcounteren >> 1) & 1);
}

static bool access_allowed(const struct hart *h, unsigned csr)
{
	if (h->s.priv < ((csr >> 8) & 3))
		return false;
	if (csr <= CSR_FCSR && fs_off(h))
		return false;
	if (csr >= CSR_CYCLE && csr <= CSR_HPM31)
		return counter_allowed(h, csr);
	if (csr == CSR_SATP && h->s.priv == PRIV_S && (h->s.mstatus & MSTATUS_TVM))
		return false;
	if (csr == CSR_STIMECMP)
		return stimecmp_allowed(h);
	return true;
}

static bool csr_is_writable(unsigned csr)
{
	return (csr >> 10) != 3;
}

static bool read_counters(struct hart *h, unsigned csr, uint64_t *v)
{
	switch (csr) {
	case CSR_CYCLE:
	case CSR_MCYCLE:
	case CSR_INSTRET:
	case CSR_MINSTRET:
		*v = h->s.minstret;
		return true;
	case CSR_TIME:
		*v = h->env.read_time ? h->env.read_time(h->env.opaque) : 0;
		return true;
	}
	if ((csr > CSR_INSTRET && csr <= CSR_HPM31) || (csr >= CSR_MHPM3 && csr <= CSR_MHPM31) ||
	    (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
		*v = 0;
		return true;
	}
	return false;
}

static bool read_pmp(const struct hart *h, unsigned csr, uint64_t *v)
{
	if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15 && !(csr & 1)) {
		*v = h->s.pmpcfg[csr - CSR_PMPCFG0];
		return true;
	}
	if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
		*v = h->s.pmpaddr[csr - CSR_PMPADDR0];
		return true;
	}
	return false;
}

static bool read_plain(struct hart *h, unsigned csr, uint64_t *v)
{
	const struct hart_state *s = &h->s;
	switch (csr) {
	case CSR_FFLAGS:
		fpu_sync_flags(h);
		*v = s->fflags;
		return true;
	case CSR_FRM:
		*v = s->frm;
		return true;
	case CSR_FCSR:
		fpu_sync_flags(h);
		*v = s->frm << 5 | s->fflags;
		return true;
	case CSR_SSTATUS:
		*v = with_sd(s->mstatus) & SSTATUS_VISIBLE;
		return true;
	case CSR_SIE:
		*v = s->mie & s->mideleg;
		return true;
	case CSR_STVEC:
		*v = s->stvec;
		return true;
	case CSR_SCOUNTEREN:
		*v = s->scounteren;
		return true;
	case CSR_SENVCFG:
		*v = s->senvcfg;
		return true;
	case CSR_SSCRATCH:
		*v = s->sscratch;
		return true;
	case CSR_SEPC:
		*v = s->sepc;
		return true;
	case CSR_SCAUSE:
		*v = s->scause;
		return true;
	case CSR_STVAL:
		*v = s->stval;
		return true;
	case CSR_SIP:
		*v = s->mip & s->mideleg;
		return true;
	case CSR_STIMECMP:
		*v = s->stimecmp;
		return true;
	case CSR_SATP:
		*v = s->satp;
		return true;
	case CSR_MVENDORID:
	case CSR_MARCHID:
	case CSR_MIMPID:
	case CSR_MCONFIGPTR:
		*v = 0;
		return true;
	case CSR_MHARTID:
		*v = s->mhartid;
		return true;
	case CSR_MSTATUS:
		*v = with_sd(s->mstatus);
		return true;
	case CSR_MISA:
		*v = s->misa;
		return true;
	case CSR_MEDELEG:
		*v = s->medeleg;
		return true;
	case CSR_MIDELEG:
		*v = s->mideleg;
		return true;
	case CSR_MIE:
		*v = s->mie;
		return true;
	case CSR_MTVEC:
		*v = s->mtvec;
		return true;
	case CSR_MCOUNTEREN:
		*v = s->mcounteren;
		return true;
	case CSR_MENVCFG:
		*v = s->menvcfg;
		return true;
	case CSR_MCOUNTINHIBIT:
		*v = s->mcountinhibit;
		return true;
	case CSR_MSCRATCH:
		*v = s->mscratch;
		return true;
	case CSR_MEPC:
		*v = s->mepc;
		return true;
	case CSR_MCAUSE:
		*v = s->mcause;
		return true;
	case CSR_MTVAL:
		*v = s->mtval;
		return true;
	case CSR_MIP:
		*v = s->mip;
		return true;
	}
	return false;
}

bool csr_read(struct hart *h, unsigned csr, uint64_t *value)
{
	if (!access_allowed(h, csr))
		return false;
	if (csr == CSR_SIP || csr == CSR_MIP)
		cpu_update_stip(h);
	return read_plain(h, csr, value) || read_counters(h, csr, value) || read_pmp(h, csr, value);
}

static uint64_t tvec_value(uint64_t v)
{
	return (v & 3) >= 2 ? v & ~3ull : v;
}

static void write_mstatus(struct hart *h, uint64_t v, uint64_t mask)
{
	uint64_t old = h->s.mstatus;
	if (((v >> 11) & 3) == 2)
		v &= ~MSTATUS_MPP; /* reserved MPP value: WARL to U */
	h->s.mstatus = with_sd((old & ~mask) | (v & mask));
	if ((old ^ h->s.mstatus) & MSTATUS_MXR)
		mmu_flush_all(h);
	h->irq_check = true;
}

static void write_satp(struct hart *h, uint64_t v)
{
	uint64_t mode = v >> 60;
	if (mode != 0 && mode != 8 && mode != 9)
		return; /* unsupported mode: the write has no effect */
	/* no ASID bits: Linux then never relies on ASID-tagged entries */
	h->s.satp = v & (0xfull << 60 | ((1ull << 44) - 1));
	mmu_flush_all(h);
}

static void write_mip(struct hart *h, uint64_t v, uint64_t mask)
{
	if (h->s.menvcfg & MENVCFG_STCE)
		mask &= ~MIP_STIP;
	h->s.mip = (h->s.mip & ~mask) | (v & mask);
	h->irq_check = true;
}

static bool write_fp(struct hart *h, unsigned csr, uint64_t v)
{
	fpu_sync_flags(h);
	if (csr == CSR_FFLAGS || csr == CSR_FCSR)
		h->s.fflags = v & 0x1f;
	if (csr == CSR_FRM)
		h->s.frm = v & 7;
	if (csr == CSR_FCSR)
		h->s.frm = (v >> 5) & 7;
	fs_mark_dirty(h);
	return true;
}

static bool write_s(struct hart *h, unsigned csr, uint64_t v)
{
	struct hart_state *s = &h->s;
	switch (csr) {
	case CSR_SSTATUS:
		write_mstatus(h, v, SSTATUS_WRITABLE);
		return true;
	case CSR_SIE:
		s->mie = (s->mie & ~s->mideleg) | (v & s->mideleg & ALL_INTERRUPTS);
		h->irq_check = true;
		return true;
	case CSR_STVEC:
		s->stvec = tvec_value(v);
		return true;
	case CSR_SCOUNTEREN:
		s->scounteren = v & 0xffffffff;
		return true;
	case CSR_SENVCFG:
		s->senvcfg = v & 1;
		return true;
	case CSR_SSCRATCH:
		s->sscratch = v;
		return true;
	case CSR_SEPC:
		s->sepc = v & ~1ull;
		return true;
	case CSR_SCAUSE:
		s->scause = v;
		return true;
	case CSR_STVAL:
		s->stval = v;
		return true;
	case CSR_SIP:
		write_mip(h, v, s->mideleg & MIP_SSIP);
		return true;
	case CSR_STIMECMP:
		s->stimecmp = v;
		cpu_update_stip(h);
		h->irq_check = true;
		return true;
	case CSR_SATP:
		write_satp(h, v);
		return true;
	}
	return false;
}

static bool write_m(struct hart *h, unsigned csr, uint64_t v)
{
	struct hart_state *s = &h->s;
	switch (csr) {
	case CSR_MSTATUS:
		write_mstatus(h, v, MSTATUS_WRITABLE);
		return true;
	case CSR_MISA:
		return true; /* fixed */
	case CSR_MEDELEG:
		s->medeleg = v & MEDELEG_WRITABLE;
		return true;
	case CSR_MIDELEG:
		s->mideleg = v & S_INTERRUPTS;
		h->irq_check = true;
		return true;
	case CSR_MIE:
		s->mie = v & ALL_INTERRUPTS;
		h->irq_check = true;
		return true;
	case CSR_MTVEC:
		s->mtvec = tvec_value(v);
		return true;
	case CSR_MCOUNTEREN:
		s->mcounteren = v & 0xffffffff;
		return true;
	case CSR_MENVCFG:
		s->menvcfg = v & (MENVCFG_STCE | 1);
		cpu_update_stip(h);
		h->irq_check = true;
		return true;
	case CSR_MCOUNTINHIBIT:
		s->mcountinhibit = v & 5;
		return true;
	case CSR_MSCRATCH:
		s->mscratch = v;
		return true;
	case CSR_MEPC:
		s->mepc = v & ~1ull;
		return true;
	case CSR_MCAUSE:
		s->mcause = v;
		return true;
	case CSR_MTVAL:
		s->mtval = v;
		return true;
	case CSR_MIP:
		write_mip(h, v, MIP_SSIP | MIP_STIP | MIP_SEIP);
		return true;
	case CSR_MCYCLE:
	case CSR_MINSTRET:
		s->minstret = v;
		return true;
	}
	if ((csr >= CSR_MHPM3 && csr <= CSR_MHPM31) ||
	    (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31))
		return true;
	if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15 && !(csr & 1)) {
		s->pmpcfg[csr - CSR_PMPCFG0] = v;
		return true;
	}
	if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
		s->pmpaddr[csr - CSR_PMPADDR0] = v & ((1ull << 54) - 1);
		return true;
	}
	return false;
}

bool csr_write(struct hart *h, unsigned csr, uint64_t value)
{
	if (!access_allowed(h, csr) || !csr_is_writable(csr))
		return false;
	if (csr <= CSR_FCSR)
		return write_fp(h, csr, value);
	return write_s(h, csr, value) || write_m(h, csr, value);
}
