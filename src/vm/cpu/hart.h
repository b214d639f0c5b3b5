/* One RISC-V RV64GC hart: the interface the machine uses.
 *
 * All harts of a machine run on one host thread, round-robin in slices, so
 * nothing here is atomic. Guest-visible architectural state lives in
 * struct hart_state (plain data, no host pointers) so that snapshot and
 * migration can serialize it as is; caches (TLB, decoded blocks) live
 * beside it and are rebuilt after a restore. */
#ifndef KEEL_VM_HART_H
#define KEEL_VM_HART_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/machine/bus.h"

enum hart_priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

/* mip bits the machine drives */
#define MIP_SSIP (1ull << 1)
#define MIP_MSIP (1ull << 3)
#define MIP_STIP (1ull << 5)
#define MIP_MTIP (1ull << 7)
#define MIP_SEIP (1ull << 9)
#define MIP_MEIP (1ull << 11)

struct hart;

/* What the machine provides to a hart. */
struct hart_env {
	struct vm_bus *bus;
	/* CLINT mtime, in timebase ticks (10 MHz, as on QEMU virt) */
	uint64_t (*read_time)(void *opaque);
	/* Built-in firmware: called for ECALL from S-mode when non-NULL. It
	 * handles the SBI call (reading a0-a7, writing a0/a1) and returns
	 * true; false lets the CPU take the normal environment-call trap. */
	bool (*sbi_call)(void *opaque, struct hart *hart);
	void *opaque;
};

struct hart *hart_new(unsigned hartid, const struct hart_env *env);
void hart_free(struct hart *hart);

/* Sets pc and privilege mode, clears pending state (reset or HSM start).
 * With a built-in firmware (env->sbi_call set) it also sets up what an SBI
 * firmware leaves for S-mode: delegable exceptions and S interrupts
 * delegated, counters and Sstc (menvcfg.STCE) enabled. */
void hart_reset(struct hart *hart, uint64_t pc, enum hart_priv priv);

/* Executes about budget instructions (the budget is tested at taken
 * branches and page boundaries, so a run may go past it by the straight
 * code left in a page, at most 2048). Returns the number executed; returns
 * early when the hart enters WFI with nothing pending, or after
 * hart_request_exit(). */
uint64_t hart_run(struct hart *hart, uint64_t budget);
void hart_request_exit(struct hart *hart);

/* Raises or lowers mip bits driven by devices (CLINT, PLIC). */
void hart_set_irq(struct hart *hart, uint64_t mip_bits, bool level);
/* True while the hart sleeps in WFI (wakes when an interrupt is pending). */
bool hart_is_waiting(const struct hart *hart);
/* True if the hart is stopped (HSM: not started yet, or stopped). */
bool hart_is_stopped(const struct hart *hart);
void hart_set_stopped(struct hart *hart, bool stopped);

/* Next time (mtime ticks) at which stimecmp fires, UINT64_MAX if none;
 * lets the loop sleep until then while every hart waits. */
uint64_t hart_next_timer(const struct hart *hart);

unsigned hart_id(const struct hart *hart);
uint64_t hart_get_pc(const struct hart *hart);
void hart_set_pc(struct hart *hart, uint64_t pc);
uint64_t hart_get_reg(const struct hart *hart, unsigned reg); /* x0..x31 */
void hart_set_reg(struct hart *hart, unsigned reg, uint64_t value);
enum hart_priv hart_get_priv(const struct hart *hart);

/* The architectural state (vm/cpu/hart_state.h) for snapshot and restore.
 * After writing it, call hart_state_changed() to drop the host caches. */
struct hart_state *hart_arch_state(struct hart *hart);
void hart_state_changed(struct hart *hart);

/* Debugging: KEEL_VM_TRACE=1 in the environment logs every executed
 * instruction (hart, privilege, pc, bits) to stderr, slowly. */

/* Drops cached translations (SBI RFENCE remote sfence.vma / fence.i). */
void hart_flush_tlb(struct hart *hart);
void hart_flush_icache(struct hart *hart);

#endif
