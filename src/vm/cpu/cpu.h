/* Internals of the RISC-V hart shared by the files of src/vm/cpu.
 *
 * struct hart_state is the architectural state (plain data, what a snapshot
 * saves). struct hart adds the host-only caches: the software TLBs (one per
 * translation context and access type, holding host-pointer addends for RAM
 * pages) and the decoded-instruction cache (see icache.h). */
#ifndef KEEL_VM_CPU_H
#define KEEL_VM_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/cpu/hart.h"
#include "vm/cpu/hart_state.h"
#include "vm/cpu/icache.h"

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* exception causes */
enum {
	EXC_INSN_MISALIGNED = 0,
	EXC_INSN_ACCESS = 1,
	EXC_ILLEGAL = 2,
	EXC_BREAKPOINT = 3,
	EXC_LOAD_MISALIGNED = 4,
	EXC_LOAD_ACCESS = 5,
	EXC_STORE_MISALIGNED = 6,
	EXC_STORE_ACCESS = 7,
	EXC_ECALL_U = 8,
	EXC_ECALL_S = 9,
	EXC_ECALL_M = 11,
	EXC_INSN_PAGE = 12,
	EXC_LOAD_PAGE = 13,
	EXC_STORE_PAGE = 15,
};

#define CAUSE_INTERRUPT (1ull << 63)

/* mstatus fields */
#define MSTATUS_SIE  (1ull << 1)
#define MSTATUS_MIE  (1ull << 3)
#define MSTATUS_SPIE (1ull << 5)
#define MSTATUS_UBE  (1ull << 6)
#define MSTATUS_MPIE (1ull << 7)
#define MSTATUS_SPP  (1ull << 8)
#define MSTATUS_MPP  (3ull << 11)
#define MSTATUS_FS   (3ull << 13)
#define MSTATUS_XS   (3ull << 15)
#define MSTATUS_MPRV (1ull << 17)
#define MSTATUS_SUM  (1ull << 18)
#define MSTATUS_MXR  (1ull << 19)
#define MSTATUS_TVM  (1ull << 20)
#define MSTATUS_TW   (1ull << 21)
#define MSTATUS_TSR  (1ull << 22)
#define MSTATUS_UXL  (3ull << 32)
#define MSTATUS_SXL  (3ull << 34)
#define MSTATUS_SD   (1ull << 63)

#define MSTATUS_FS_DIRTY (3ull << 13)

#define MENVCFG_STCE (1ull << 63)

/* access types, also the index of the TLB array */
enum access { ACC_FETCH = 0, ACC_LOAD = 1, ACC_STORE = 2 };

/* translation contexts: a TLB per effective privilege, S split by SUM so
 * that Linux toggling SUM around user copies costs no flush */
enum tlb_ctx { CTX_U = 0, CTX_S = 1, CTX_S_SUM = 2, CTX_M = 3, CTX_COUNT = 4 };

#define TLB_BITS   8
#define TLB_SIZE   (1u << TLB_BITS)
#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ull << PAGE_SHIFT)
#define PAGE_MASK  (~(PAGE_SIZE - 1))

struct tlb_entry {
	uint64_t tag;	  /* virtual page address; TLB_INVALID when empty */
	uintptr_t addend; /* host pointer = addend + guest virtual address */
};
#define TLB_INVALID  (~0ull)
#define TLB_LOG_SIZE 256

struct hart {
	struct hart_state s;
	struct hart_env env;
	/* reasons to leave the fast path, tested together at every lookup */
	union {
		struct {
			bool exit_request;
			bool irq_check; /* state changed that may unmask an interrupt */
			bool tracing;
			bool stopped_flag; /* mirrors s.stopped */
		};
		uint32_t attention;
	};
	unsigned host_rm;  /* rounding mode currently set in the host FPU */
	const char *trace; /* KEEL_VM_TRACE: log every executed instruction */

	struct tlb_entry tlb[CTX_COUNT][3][TLB_SIZE];
	/* entries filled since the last full flush, so that a flush (every
	 * satp write, every sfence.vma of the whole space) touches only
	 * those; past TLB_LOG_SIZE fills it clears everything */
	struct tlb_entry *tlb_log[TLB_LOG_SIZE];
	unsigned tlb_log_n;
	struct icache icache;
	/* a page-crossing instruction is decoded here each time, followed by
	 * two end-of-page sentinels */
	struct insn xpage[3];
};

/* trap.c */
void cpu_take_trap(struct hart *h, uint64_t cause, uint64_t tval);
/* Takes the highest priority pending and enabled interrupt; true if one was. */
bool cpu_check_interrupts(struct hart *h);
void cpu_mret(struct hart *h);
void cpu_sret(struct hart *h);
void cpu_update_stip(struct hart *h);

/* csr.c: return false for an illegal access (the caller raises it) */
bool csr_read(struct hart *h, unsigned csr, uint64_t *value);
bool csr_write(struct hart *h, unsigned csr, uint64_t value);

/* mmu.c: return 0 or an exception cause (tval is the virtual address) */
int mmu_translate(struct hart *h, uint64_t va, enum access acc, uint64_t *pa);
int mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *value);
int mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t value);
/* host pointer for an aligned atomic access of size at va (store permission
 * when write), or an exception cause */
int mmu_atomic_ptr(struct hart *h, uint64_t va, unsigned size, bool write, void **ptr);
void mmu_flush_all(struct hart *h);
/* drops store translations to a RAM page that just got decoded code */
void mmu_forget_store_page(struct hart *h, const uint8_t *host_page);
static inline void mmu_tlb_set(struct hart *h, struct tlb_entry *e, uint64_t tag, uintptr_t addend)
{
	if (h->tlb_log_n < TLB_LOG_SIZE)
		h->tlb_log[h->tlb_log_n++] = e;
	else
		h->tlb_log_n = TLB_LOG_SIZE + 1; /* overflowed: the next flush clears all */
	e->tag = tag;
	e->addend = addend;
}
void mmu_flush_page(struct hart *h, uint64_t va);
/* fence.i: drops fetch translations so that every page is revalidated
 * against the icache generation on its next lookup */
void mmu_flush_fetch(struct hart *h);

/* effective privilege of loads and stores (MPRV) and the TLB contexts */
static inline unsigned mmu_data_priv(const struct hart *h)
{
	if (h->s.priv == PRIV_M && (h->s.mstatus & MSTATUS_MPRV))
		return (h->s.mstatus >> 11) & 3;
	return h->s.priv;
}

static inline enum tlb_ctx mmu_ctx_of(unsigned priv, uint64_t mstatus)
{
	if (priv == PRIV_M)
		return CTX_M;
	if (priv == PRIV_U)
		return CTX_U;
	return (mstatus & MSTATUS_SUM) ? CTX_S_SUM : CTX_S;
}

static inline enum tlb_ctx mmu_data_ctx(const struct hart *h)
{
	return mmu_ctx_of(mmu_data_priv(h), h->s.mstatus);
}

static inline enum tlb_ctx mmu_fetch_ctx(const struct hart *h)
{
	return mmu_ctx_of(h->s.priv, 0);
}

/* fpu.c */
void fpu_host_enter(struct hart *h);
void fpu_host_leave(struct hart *h);
/* Folds the host's sticky exception flags into fflags. */
void fpu_sync_flags(struct hart *h);
/* Executes one OP-FP / FMA instruction; false if illegal. */
bool fpu_execute(struct hart *h, const struct insn *in);

/* exec.c */
uint64_t cpu_exec(struct hart *h, uint64_t budget);
const void *const *cpu_op_handlers(void);

static inline bool fs_off(const struct hart *h)
{
	return (h->s.mstatus & MSTATUS_FS) == 0;
}

static inline void fs_mark_dirty(struct hart *h)
{
	h->s.mstatus |= MSTATUS_FS_DIRTY | MSTATUS_SD;
}

#endif
