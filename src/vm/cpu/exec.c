/* The interpreter: threaded dispatch (GCC labels as values) over decoded
 * instructions held in the icache.
 *
 * Locals carry the hot state: ip (the current slot), the current decoded
 * page (its slots and virtual address), the TLBs of the current context,
 * the instruction budget. The pc is not kept per instruction: it is the
 * page's virtual address plus the slot's offset (PC), and the local `pc`
 * is only meaningful on the way into `lookup`. Each handler ends with its
 * own indirect jump (NEXT: ip += STEP; the handlers exist once per
 * instruction length, see exec_handlers.inc). Falling off the page end hits a
 * sentinel slot; a taken branch inside the page indexes the slot array
 * directly, to another page it tries the fetch TLB inline; anything else
 * goes through `lookup`, which also polls interrupts, the exit request and
 * the budget. The budget is counted per instruction (exact instret) but
 * only tested at taken branches and lookups, so a run may overshoot by the
 * straight-line code left in a page. */
#include "vm/cpu/cpu.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* handlers by op, for 32-bit and for compressed instructions */
static const void *const *op_table, *const *op_table_c;

static const void *handler_for(const struct insn *in)
{
	return (in->len == 2 ? op_table_c : op_table)[in->op];
}

const void *const *cpu_op_handlers(void)
{
	if (!op_table)
		cpu_exec(NULL, 0);
	return op_table;
}

/* the instruction bits at pc, for the tval of an illegal instruction */
static uint64_t insn_bits(struct hart *h, uint64_t pc, unsigned len)
{
	uint64_t pa, v = 0;
	if (mmu_translate(h, pc, ACC_FETCH, &pa) != 0)
		return 0;
	const uint8_t *p = vm_ram_ptr(h->env.bus, pa, len);
	if (p)
		memcpy(&v, p, len);
	return v;
}

/* Fetches the raw instruction at pc outside the icache (MMIO, page
 * crossing, tracing). Returns 0 or an exception cause, *tval set. */
static int fetch_raw(struct hart *h, uint64_t pc, uint32_t *raw, uint64_t *tval)
{
	uint32_t v = 0;
	for (unsigned half = 0; half < 2; half++) {
		uint64_t va = pc + 2 * half, pa, part;
		*tval = va;
		int r = mmu_translate(h, va, ACC_FETCH, &pa);
		if (r)
			return r;
		const uint8_t *p = vm_ram_ptr(h->env.bus, pa, 2);
		if (p) {
			uint16_t w;
			memcpy(&w, p, 2);
			part = w;
		} else if (!vm_bus_load(h->env.bus, pa, 2, &part)) {
			return EXC_INSN_ACCESS;
		}
		v |= (uint32_t)(part & 0xffff) << (16 * half);
		if (half == 0 && insn_length(v) == 2)
			break;
	}
	*raw = v;
	return 0;
}

/* Decodes one instruction into the hart's out-of-page slot. */
static int decode_uncached(struct hart *h, uint64_t pc, uint64_t *tval)
{
	uint32_t raw;
	int r = fetch_raw(h, pc, &raw, tval);
	if (r)
		return r;
	struct insn *in = &h->xpage[0];
	cpu_decode(raw, in);
	in->handler = handler_for(in);
	for (unsigned i = 0; i < 3; i++)
		h->xpage[i].pc_off = (uint16_t)((pc & (PAGE_SIZE - 1)) + 2 * i);
	if (h->trace)
		fprintf(stderr, "keel-vm: hart %u %c %016" PRIx64 " %08" PRIx32 "\n",
			(unsigned)h->s.mhartid, "US?M"[h->s.priv], pc, raw);
	return 0;
}

/* Fetch translation for a page; fills the fetch TLB with its code page.
 * *cp is NULL when the page is not RAM (execute uncached). */
static int fetch_page(struct hart *h, struct tlb_entry *tlb, uint64_t pc, struct code_page **cp)
{
	uint64_t pa;
	int r = mmu_translate(h, pc, ACC_FETCH, &pa);
	if (r)
		return r;
	unsigned pages_before = h->icache.allocated;
	*cp = icache_page(&h->icache, h->env.bus, pa & PAGE_MASK);
	if (*cp && h->icache.allocated != pages_before)
		mmu_forget_store_page(h, (*cp)->host);
	if (*cp) {
		struct tlb_entry *e = &tlb[(pc >> PAGE_SHIFT) & (TLB_SIZE - 1)];
		mmu_tlb_set(h, e, pc & PAGE_MASK, (uintptr_t)*cp);
	}
	return 0;
}

static void decode_slot(struct code_page *cp, struct insn *slot)
{
	unsigned off = slot->pc_off;
	uint32_t raw = 0;
	memcpy(&raw, cp->host + off, off == PAGE_SIZE - 2 ? 2 : 4);
	cpu_decode(raw, slot);
	slot->handler = handler_for(slot);
	slot->pc_off = (uint16_t)off;
	if ((slot->op >= OP_beq && slot->op <= OP_bgeu) || slot->op == OP_jal) {
		int64_t target = (int64_t)off + slot->imm;
		slot->near = target >= 0 && target < (int64_t)PAGE_SIZE;
	}
}

/* The value an AMO stores, for a width of 32 or 64 bits (old and src
 * zero-extended from it): MIN/MAX compare as signed numbers of that width,
 * MINU/MAXU as unsigned ones. */
static uint64_t amo_result(unsigned kind, uint64_t old, uint64_t src, unsigned bits)
{
	int64_t sold = bits == 32 ? (int32_t)old : (int64_t)old;
	int64_t ssrc = bits == 32 ? (int32_t)src : (int64_t)src;
	switch (kind) {
	case AMO_SWAP:
		return src;
	case AMO_ADD:
		return old + src;
	case AMO_XOR:
		return old ^ src;
	case AMO_AND:
		return old & src;
	case AMO_OR:
		return old | src;
	case AMO_MIN:
		return sold < ssrc ? old : src;
	case AMO_MAX:
		return sold > ssrc ? old : src;
	case AMO_MINU:
		return old < src ? old : src;
	default:
		return old > src ? old : src;
	}
}

static uint64_t div64(int64_t a, int64_t b)
{
	if (b == 0)
		return UINT64_MAX;
	if (a == INT64_MIN && b == -1)
		return (uint64_t)a;
	return (uint64_t)(a / b);
}

static uint64_t rem64(int64_t a, int64_t b)
{
	if (b == 0)
		return (uint64_t)a;
	if (a == INT64_MIN && b == -1)
		return 0;
	return (uint64_t)(a % b);
}

static uint64_t sext32(uint64_t v)
{
	return (uint64_t)(int64_t)(int32_t)v;
}

static uint64_t divw(int32_t a, int32_t b)
{
	if (b == 0)
		return UINT64_MAX;
	if (a == INT32_MIN && b == -1)
		return sext32((uint32_t)a);
	return sext32((uint32_t)(a / b));
}

static uint64_t remw(int32_t a, int32_t b)
{
	if (b == 0)
		return sext32((uint32_t)a);
	if (a == INT32_MIN && b == -1)
		return 0;
	return sext32((uint32_t)(a % b));
}

static uint64_t mulhsu(int64_t a, uint64_t b)
{
	return (uint64_t)(((__int128)a * (unsigned __int128)b) >> 64);
}

/* ECALL with the built-in firmware: true if the SBI call was handled */
static bool firmware_call(struct hart *h)
{
	if (h->s.priv != PRIV_S || !h->env.sbi_call)
		return false;
	fpu_host_enter(h);
	bool handled = h->env.sbi_call(h->env.opaque, h);
	fpu_host_leave(h);
	return handled;
}

static int csr_op(struct hart *h, const struct insn *in, uint64_t operand, bool write_only,
		  bool set_clear, bool clear)
{
	unsigned csr = (unsigned)in->imm & 0xfff;
	uint64_t old = 0;
	if (!write_only || in->rs3 != 0) {
		if (!csr_read(h, csr, &old))
			return -1;
	}
	uint64_t nv = operand;
	if (set_clear) {
		if (in->rs1 == 0) /* rs1 = x0 / uimm = 0: no write at all */
			goto done;
		nv = clear ? old & ~operand : old | operand;
	}
	if (!csr_write(h, csr, nv))
		return -1;
done:
	h->s.x[in->rd] = old;
	return 0;
}

__attribute__((optimize("no-crossjumping", "no-gcse"))) uint64_t cpu_exec(struct hart *h,
									  uint64_t budget)
{
#define LABEL(name)   [OP_##name] = &&op_##name,
#define LABEL_C(name) [OP_##name] = &&op_c_##name,
	static const void *const labels[OP_COUNT] = {CPU_SPECIAL_OPS(LABEL) CPU_HANDLER_OPS(LABEL)};
	static const void *const labels_c[OP_COUNT] = {CPU_SPECIAL_OPS(LABEL)
							   CPU_HANDLER_OPS(LABEL_C)};
#undef LABEL
#undef LABEL_C
	if (!h) {
		op_table = labels;
		op_table_c = labels_c;
		return 0;
	}

	struct hart_state *const s = &h->s;
	uint64_t *const x = s->x;
	uint64_t pc = s->pc;
	int64_t left = (int64_t)budget, left_synced = left;
	const struct insn *ip;
	struct insn *slots = NULL;
	struct code_page *cur_cp = NULL;
	uint64_t page_va = ~0ull; /* for in-page jumps; ~0 when uncached */
	uint64_t page_base = 0;	  /* virtual page of ip, so pc = PC */
	struct tlb_entry *tlb_ld, *tlb_fe;
	/* the store TLB follows the load TLB of the same context: one register */
#define tlb_st (tlb_ld + TLB_SIZE)
	uint64_t cause = 0, tval = 0;

#define SYNC_CTX()                                                                                 \
	do {                                                                                       \
		enum tlb_ctx dc_ = mmu_data_ctx(h);                                                \
		tlb_ld = h->tlb[dc_][ACC_LOAD];                                                    \
		tlb_fe = h->tlb[mmu_fetch_ctx(h)][ACC_FETCH];                                      \
	} while (0)
#define SYNC_INSTRET()                                                                             \
	do {                                                                                       \
		s->minstret += (uint64_t)(left_synced - left);                                     \
		left_synced = left;                                                                \
	} while (0)
#define DISPATCH() goto * ip->handler
#define NEXT()                                                                                     \
	do {                                                                                       \
		left--;                                                                            \
		ip += STEP;                                                                        \
		DISPATCH();                                                                        \
	} while (0)
	/* ends the instruction and re-enters through lookup (state changed) */
#define NEXT_LOOKUP()                                                                              \
	do {                                                                                       \
		left--;                                                                            \
		pc = PC + ip->len;                                                                 \
		goto lookup;                                                                       \
	} while (0)
	/* a taken branch or jump: inside the page, index the slots; to another
	 * page, the fetch TLB inline (its own indirect jump per handler
	 * predicts better than the shared one in lookup); else lookup. Like
	 * loops inside a page, this path leaves `attention` to the next
	 * lookup: whatever sets it synchronously (CSR writes, xRET, MMIO
	 * stores, SBI calls) goes through lookup itself, the rest waits at
	 * most until the budget runs out. Tracing never fills the fetch TLB. */
#define JUMP(target)                                                                               \
	do {                                                                                       \
		uint64_t t_ = (target);                                                            \
		left--;                                                                            \
		if (likely((t_ & PAGE_MASK) == page_va && left > 0)) {                             \
			ip = slots + ((t_ & (PAGE_SIZE - 1)) >> 1);                                \
			DISPATCH();                                                                \
		}                                                                                  \
		pc = t_;                                                                           \
		if (likely(left > 0)) {                                                            \
			struct tlb_entry *e_ = &tlb_fe[(t_ >> PAGE_SHIFT) & (TLB_SIZE - 1)];       \
			if (likely(e_->tag == (t_ & PAGE_MASK))) {                                 \
				cur_cp = (struct code_page *)e_->addend;                           \
				slots = cur_cp->slots;                                             \
				page_va = page_base = t_ & PAGE_MASK;                              \
				ip = slots + ((t_ & (PAGE_SIZE - 1)) >> 1);                        \
				DISPATCH();                                                        \
			}                                                                          \
		}                                                                                  \
		goto lookup;                                                                       \
	} while (0)
	/* a direct branch or jal: a target in the same page (known at decode)
	 * is a slot offset from ip */
#define BRANCH()                                                                                   \
	do {                                                                                       \
		if (likely(ip->near && left > 1)) {                                                \
			left--;                                                                    \
			ip += ip->imm >> 1;                                                        \
			DISPATCH();                                                                \
		}                                                                                  \
		JUMP(PC + (uint64_t)IMM);                                                          \
	} while (0)
	/* in a handler: pc becomes that of the instruction */
#define EXCEPTION(c, t)                                                                            \
	do {                                                                                       \
		cause = (c);                                                                       \
		tval = (t);                                                                        \
		pc = PC;                                                                           \
		goto exception;                                                                    \
	} while (0)
	/* outside handlers (lookup): pc is already right */
#define FETCH_EXCEPTION(c, t)                                                                      \
	do {                                                                                       \
		cause = (c);                                                                       \
		tval = (t);                                                                        \
		goto exception;                                                                    \
	} while (0)
#define PC	  (page_base + ip->pc_off)
#define ILLEGAL() EXCEPTION(EXC_ILLEGAL, insn_bits(h, PC, ip->len))
#define RD	  x[ip->rd]
#define RS1	  x[ip->rs1]
#define RS2	  x[ip->rs2]
#define IMM	  ((int64_t)ip->imm)
#define TLB_HIT(tlb, va, size)                                                                     \
	(&(tlb)[((va) >> PAGE_SHIFT) & (TLB_SIZE - 1)])->tag == ((va) & (PAGE_MASK | ((size)-1)))
#define TLB_HOST(tlb, va) ((tlb)[((va) >> PAGE_SHIFT) & (TLB_SIZE - 1)].addend + (va))
#define LOAD(T)                                                                                    \
	do {                                                                                       \
		uint64_t va_ = RS1 + IMM;                                                          \
		if (likely(TLB_HIT(tlb_ld, va_, sizeof(T)))) {                                     \
			RD = (uint64_t)(int64_t) * (T *)TLB_HOST(tlb_ld, va_);                     \
			NEXT();                                                                    \
		}                                                                                  \
		uint64_t v_;                                                                       \
		s->pc = PC;                                                                        \
		int r_ = mmu_load_slow(h, va_, sizeof(T), &v_);                                    \
		if (unlikely(r_))                                                                  \
			EXCEPTION(r_, va_);                                                        \
		RD = (uint64_t)(int64_t)(T)v_;                                                     \
		NEXT();                                                                            \
	} while (0)
#define STORE_VALUE(T, value)                                                                      \
	do {                                                                                       \
		uint64_t va_ = RS1 + IMM;                                                          \
		if (likely(TLB_HIT(tlb_st, va_, sizeof(T)))) {                                     \
			*(T *)TLB_HOST(tlb_st, va_) = (T)(value);                                  \
			NEXT();                                                                    \
		}                                                                                  \
		s->pc = PC;                                                                        \
		int r_ = mmu_store_slow(h, va_, sizeof(T), (value));                               \
		if (unlikely(r_))                                                                  \
			EXCEPTION(r_, va_);                                                        \
		if (unlikely(h->irq_check || h->exit_request))                                     \
			NEXT_LOOKUP();                                                             \
		NEXT();                                                                            \
	} while (0)
#define STORE(T) STORE_VALUE(T, RS2)
	/* double-precision fast paths: FS already Dirty, the rounding mode
	 * already set in the host, no NaN involved; else the general code */
#define FP_FAST_ENTRY()                                                                            \
	if (unlikely((s->mstatus & MSTATUS_FS) != MSTATUS_FS_DIRTY ||                              \
		     (ip->rm == 7 ? s->frm : ip->rm) != h->host_rm))                               \
		goto L(fp);
#define FP_FAST_RESULT(expr)                                                                       \
	do {                                                                                       \
		double a_, b_, r_;                                                                 \
		FP_FAST_ENTRY();                                                                   \
		memcpy(&a_, &s->f[ip->rs1], 8);                                                    \
		memcpy(&b_, &s->f[ip->rs2], 8);                                                    \
		r_ = (expr);                                                                       \
		if (unlikely(__builtin_isnan(r_)))                                                 \
			goto L(fp);                                                                \
		memcpy(&s->f[ip->rd], &r_, 8);                                                     \
		NEXT();                                                                            \
	} while (0)
#define FP_FAST_COMPARE(expr)                                                                      \
	do {                                                                                       \
		double a_, b_;                                                                     \
		FP_FAST_ENTRY();                                                                   \
		memcpy(&a_, &s->f[ip->rs1], 8);                                                    \
		memcpy(&b_, &s->f[ip->rs2], 8);                                                    \
		if (unlikely(__builtin_isnan(a_) || __builtin_isnan(b_)))                          \
			goto L(fp);                                                                \
		RD = (expr);                                                                       \
		NEXT();                                                                            \
	} while (0)

	SYNC_CTX();

lookup:
	if (unlikely(left <= 0 || h->attention)) {
		if (left <= 0 || h->exit_request || s->stopped)
			goto out;
		if (h->irq_check) {
			h->irq_check = false;
			s->pc = pc;
			if (cpu_check_interrupts(h)) {
				pc = s->pc;
				SYNC_CTX();
			}
		}
		if (unlikely(h->tracing))
			goto uncached;
	}
	{
		/* fetch TLB entries point at code pages valid for the current
		 * icache generation (fence.i flushes them) */
		struct tlb_entry *e = &tlb_fe[(pc >> PAGE_SHIFT) & (TLB_SIZE - 1)];
		struct code_page *cp;
		if (likely(e->tag == (pc & PAGE_MASK))) {
			cp = (struct code_page *)e->addend;
		} else {
			s->pc = pc;
			int r = fetch_page(h, tlb_fe, pc, &cp);
			if (r)
				FETCH_EXCEPTION(r, pc);
			if (!cp)
				goto uncached;
		}
		cur_cp = cp;
		slots = cp->slots;
		page_va = pc & PAGE_MASK;
		page_base = page_va;
		ip = slots + ((pc & (PAGE_SIZE - 1)) >> 1);
		DISPATCH();
	}

uncached:
	/* MMIO code, page-crossing instruction, or tracing: decode every time */
	{
		s->pc = pc;
		int r = decode_uncached(h, pc, &tval);
		if (r)
			FETCH_EXCEPTION(r, tval);
		page_va = ~0ull;
		page_base = pc & PAGE_MASK;
		ip = &h->xpage[0];
		DISPATCH();
	}

exception:
	s->pc = pc;
	cpu_take_trap(h, cause, tval);
	left--;
	pc = s->pc;
	SYNC_CTX();
	goto lookup;

op_decode:
	decode_slot(cur_cp, (struct insn *)ip);
	if (ip->pc_off == PAGE_SIZE - 2 && ip->len == 4)
		((struct insn *)ip)->handler = &&op_cross_page;
	DISPATCH();
op_cross_page:
	pc = PC;
	goto uncached;
op_page_end:
	pc = PC; /* the sentinels' offsets continue past the page end */
	goto lookup;
op_illegal:
	EXCEPTION(EXC_ILLEGAL, (uint32_t)ip->imm & (ip->len == 2 ? 0xffffu : 0xffffffffu));

#define STEP	1
#define L(name) op_c_##name
#include "vm/cpu/exec_handlers.inc"
#undef STEP
#undef L
#define STEP	2
#define L(name) op_##name
#include "vm/cpu/exec_handlers.inc"
#undef STEP
#undef L

out:
	s->pc = pc;
	SYNC_INSTRET();
	return (uint64_t)((int64_t)budget - left);
}
