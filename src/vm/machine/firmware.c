/* The machine-mode setup a firmware performs before it enters an S-mode
 * kernel. hart.h has no CSR accessor, so this one file reaches into the
 * CPU's internal state (vm/cpu/cpu.h); it runs on a freshly reset hart. */
#include "vm/cpu/cpu.h"
#include "vm/machine/sbi.h"

/* Every exception except the ecalls from S and M (which are the SBI) and
 * reserved causes: with no M-mode trap handler, anything else must reach
 * the kernel. (OpenSBI delegates fewer, as it emulates some in M-mode.) */
#define FIRMWARE_MEDELEG                                                                           \
	((1ull << EXC_INSN_MISALIGNED) | (1ull << EXC_INSN_ACCESS) | (1ull << EXC_ILLEGAL) |       \
	 (1ull << EXC_BREAKPOINT) | (1ull << EXC_LOAD_MISALIGNED) | (1ull << EXC_LOAD_ACCESS) |    \
	 (1ull << EXC_STORE_MISALIGNED) | (1ull << EXC_STORE_ACCESS) | (1ull << EXC_ECALL_U) |     \
	 (1ull << EXC_INSN_PAGE) | (1ull << EXC_LOAD_PAGE) | (1ull << EXC_STORE_PAGE))
#define FIRMWARE_MIDELEG  (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define COUNTERS_CY_TM_IR 0x7 /* cycle, time, instret */
#define PMP_NAPOT_RWX	  0x1f

void sbi_prepare_hart(struct hart *hart)
{
	struct hart_state *s = &hart->s;
	/* added to what hart_reset() may already have set for an SBI hart */
	s->medeleg |= FIRMWARE_MEDELEG;
	s->mideleg |= FIRMWARE_MIDELEG;
	s->mcounteren |= COUNTERS_CY_TM_IR;
	/* user-mode rdtime/rdcycle (the vDSO's clock_gettime) */
	s->scounteren |= COUNTERS_CY_TM_IR;
	s->menvcfg |= MENVCFG_STCE;
	/* one PMP entry granting S and U the whole address space, as
	 * OpenSBI leaves it */
	s->pmpaddr[0] = (1ull << 54) - 1;
	s->pmpcfg[0] = PMP_NAPOT_RWX;
	hart->irq_check = true;
}
