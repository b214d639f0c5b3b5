/* The architectural state of a hart: plain data, no host pointers, what a
 * snapshot saves and a migration stream carries (see hart_arch_state()).
 * Field order and sizes are fixed by this definition; a snapshot format
 * should serialize fields by name, not this struct's bytes. */
#ifndef KEEL_VM_HART_STATE_H
#define KEEL_VM_HART_STATE_H

#include <stdbool.h>
#include <stdint.h>

struct hart_state {
	uint64_t x[33]; /* x[32] is a write sink: decode turns rd=x0 into 32 */
	uint64_t f[32];
	uint64_t pc;
	uint8_t priv;
	bool wfi;
	bool stopped;
	bool reservation_valid;
	uint64_t reservation; /* virtual address of the LR reservation */
	uint32_t fflags, frm;

	uint64_t mhartid;
	uint64_t mstatus, misa, medeleg, mideleg, mie, mip;
	uint64_t mtvec, mscratch, mepc, mcause, mtval, mcounteren, menvcfg;
	uint64_t mcountinhibit, mcycle, minstret;
	uint64_t stvec, sscratch, sepc, scause, stval, satp, scounteren, senvcfg;
	uint64_t stimecmp;
	uint64_t pmpcfg[16], pmpaddr[64];
};

#endif
