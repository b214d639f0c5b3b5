/* Address translation (Bare, Sv39, Sv48), the software TLB and the slow
 * paths of loads and stores (TLB misses, MMIO, accesses crossing a page).
 *
 * TLB entries exist only for RAM pages: a hit is a tag compare and an add.
 * A store entry is filled only once the PTE's D bit is set, a load entry
 * once A is set, so the fast paths never need to update PTEs. */
#include "vm/cpu/cpu.h"

#include <string.h>

#define PTE_V	     (1ull << 0)
#define PTE_R	     (1ull << 1)
#define PTE_W	     (1ull << 2)
#define PTE_X	     (1ull << 3)
#define PTE_U	     (1ull << 4)
#define PTE_A	     (1ull << 6)
#define PTE_D	     (1ull << 7)
#define PTE_PPN_MASK ((1ull << 44) - 1)
#define PTE_RESERVED (0x3ffull << 54)

void mmu_flush_all(struct hart *h)
{
	if (h->tlb_log_n <= TLB_LOG_SIZE) {
		for (unsigned i = 0; i < h->tlb_log_n; i++)
			h->tlb_log[i]->tag = TLB_INVALID;
	} else {
		memset(h->tlb, 0xff, sizeof(h->tlb));
	}
	h->tlb_log_n = 0;
}

void mmu_flush_fetch(struct hart *h)
{
	for (int c = 0; c < CTX_COUNT; c++)
		memset(h->tlb[c][ACC_FETCH], 0xff, sizeof(h->tlb[c][ACC_FETCH]));
}

void mmu_flush_page(struct hart *h, uint64_t va)
{
	unsigned idx = (va >> PAGE_SHIFT) & (TLB_SIZE - 1);
	for (int c = 0; c < CTX_COUNT; c++)
		for (int a = 0; a < 3; a++)
			h->tlb[c][a][idx].tag = TLB_INVALID;
}

static int page_fault(enum access acc)
{
	static const int causes[3] = {EXC_INSN_PAGE, EXC_LOAD_PAGE, EXC_STORE_PAGE};
	return causes[acc];
}

static int access_fault(enum access acc)
{
	static const int causes[3] = {EXC_INSN_ACCESS, EXC_LOAD_ACCESS, EXC_STORE_ACCESS};
	return causes[acc];
}

static bool leaf_permits(const struct hart *h, uint64_t pte, enum access acc, unsigned priv)
{
	if (priv == PRIV_U && !(pte & PTE_U))
		return false;
	if (priv == PRIV_S && (pte & PTE_U) && (acc == ACC_FETCH || !(h->s.mstatus & MSTATUS_SUM)))
		return false;
	switch (acc) {
	case ACC_FETCH:
		return pte & PTE_X;
	case ACC_LOAD:
		return (pte & PTE_R) || ((h->s.mstatus & MSTATUS_MXR) && (pte & PTE_X));
	case ACC_STORE:
		return pte & PTE_W;
	}
	return false;
}

/* Walks the page table; on success *pa is the physical address of va. */
static int walk(struct hart *h, uint64_t va, enum access acc, unsigned priv, uint64_t *pa)
{
	unsigned levels = (h->s.satp >> 60) == 9 ? 4 : 3;
	unsigned va_bits = 12 + 9 * levels;
	if ((uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va)
		return page_fault(acc);
	uint64_t table = (h->s.satp & PTE_PPN_MASK) << PAGE_SHIFT;
	for (int level = (int)levels - 1; level >= 0; level--) {
		uint64_t index = (va >> (PAGE_SHIFT + 9 * level)) & 0x1ff;
		uint64_t *slot = vm_ram_ptr(h->env.bus, table + index * 8, 8);
		if (!slot)
			return access_fault(acc);
		uint64_t pte = *slot;
		if (!(pte & PTE_V) || ((pte & PTE_W) && !(pte & PTE_R)) || (pte & PTE_RESERVED))
			return page_fault(acc);
		uint64_t ppn = (pte >> 10) & PTE_PPN_MASK;
		if (!(pte & (PTE_R | PTE_X))) {
			table = ppn << PAGE_SHIFT;
			continue;
		}
		if (!leaf_permits(h, pte, acc, priv))
			return page_fault(acc);
		uint64_t low_mask = (1ull << (9 * level)) - 1;
		if (ppn & low_mask)
			return page_fault(acc); /* misaligned superpage */
		uint64_t want = PTE_A | (acc == ACC_STORE ? PTE_D : 0);
		if ((pte & want) != want)
			*slot = pte | want; /* hardware A/D update */
		ppn |= (va >> PAGE_SHIFT) & low_mask;
		*pa = ppn << PAGE_SHIFT | (va & (PAGE_SIZE - 1));
		return 0;
	}
	return page_fault(acc);
}

int mmu_translate(struct hart *h, uint64_t va, enum access acc, uint64_t *pa)
{
	unsigned priv = acc == ACC_FETCH ? h->s.priv : mmu_data_priv(h);
	if (priv == PRIV_M || (h->s.satp >> 60) == 0) {
		*pa = va;
		return 0;
	}
	return walk(h, va, acc, priv, pa);
}

static void tlb_fill(struct hart *h, enum tlb_ctx ctx, enum access acc, uint64_t va, uint64_t pa)
{
	uint8_t *host = vm_ram_ptr(h->env.bus, pa & PAGE_MASK, PAGE_SIZE);
	if (!host)
		return;
	if (acc == ACC_STORE && icache_watched(&h->icache, h->env.bus->ram_base, pa))
		return; /* stores to decoded code take the slow path */
	struct tlb_entry *e = &h->tlb[ctx][acc][(va >> PAGE_SHIFT) & (TLB_SIZE - 1)];
	mmu_tlb_set(h, e, va & PAGE_MASK, (uintptr_t)host - (va & PAGE_MASK));
}

/* Translates and fills the TLB of the current data context. */
void mmu_forget_store_page(struct hart *h, const uint8_t *host_page)
{
	for (int c = 0; c < CTX_COUNT; c++) {
		struct tlb_entry *tlb = h->tlb[c][ACC_STORE];
		for (unsigned i = 0; i < TLB_SIZE; i++)
			if (tlb[i].tag != TLB_INVALID &&
			    (const uint8_t *)(tlb[i].addend + tlb[i].tag) == host_page)
				tlb[i].tag = TLB_INVALID;
	}
}

/* keeps decoded instructions in step with a store into RAM at pa */
static void note_code_store(struct hart *h, uint64_t pa, unsigned size)
{
	struct code_page *cp = icache_watched(&h->icache, h->env.bus->ram_base, pa);
	if (cp)
		icache_store(cp, pa, size, h->icache.decode_handler);
}

static int translate_data(struct hart *h, uint64_t va, enum access acc, uint64_t *pa)
{
	int r = mmu_translate(h, va, acc, pa);
	if (r == 0)
		tlb_fill(h, mmu_data_ctx(h), acc, va, *pa);
	return r;
}

static int load_bytewise(struct hart *h, uint64_t va, unsigned size, uint64_t *value)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++) {
		uint64_t b;
		int r = mmu_load_slow(h, va + i, 1, &b);
		if (r)
			return r;
		v |= b << (8 * i);
	}
	*value = v;
	return 0;
}

int mmu_load_slow(struct hart *h, uint64_t va, unsigned size, uint64_t *value)
{
	if ((va & (PAGE_SIZE - 1)) + size > PAGE_SIZE)
		return load_bytewise(h, va, size, value);
	uint64_t pa = 0;
	int r = translate_data(h, va, ACC_LOAD, &pa);
	if (r)
		return r;
	const uint8_t *p = vm_ram_ptr(h->env.bus, pa, size);
	if (p) {
		uint64_t v = 0;
		memcpy(&v, p, size);
		*value = v;
		return 0;
	}
	if (va & (size - 1))
		return load_bytewise(h, va, size, value);
	fpu_host_enter(h);
	bool ok = vm_bus_load(h->env.bus, pa, size, value);
	fpu_host_leave(h);
	return ok ? 0 : EXC_LOAD_ACCESS;
}

static int store_bytewise(struct hart *h, uint64_t va, unsigned size, uint64_t value)
{
	/* translate every byte first so that a fault leaves memory untouched */
	for (unsigned i = 0; i < size; i++) {
		uint64_t pa = 0;
		int r = translate_data(h, va + i, ACC_STORE, &pa);
		if (r)
			return r;
	}
	for (unsigned i = 0; i < size; i++) {
		int r = mmu_store_slow(h, va + i, 1, value >> (8 * i));
		if (r)
			return r;
	}
	return 0;
}

int mmu_store_slow(struct hart *h, uint64_t va, unsigned size, uint64_t value)
{
	if ((va & (PAGE_SIZE - 1)) + size > PAGE_SIZE)
		return store_bytewise(h, va, size, value);
	uint64_t pa = 0;
	int r = translate_data(h, va, ACC_STORE, &pa);
	if (r)
		return r;
	uint8_t *p = vm_ram_ptr(h->env.bus, pa, size);
	if (p) {
		note_code_store(h, pa, size);
		memcpy(p, &value, size);
		return 0;
	}
	if (va & (size - 1))
		return store_bytewise(h, va, size, value);
	fpu_host_enter(h);
	bool ok = vm_bus_store(h->env.bus, pa, size, value);
	fpu_host_leave(h);
	h->irq_check = true; /* a device may have raised an interrupt */
	return ok ? 0 : EXC_STORE_ACCESS;
}

int mmu_atomic_ptr(struct hart *h, uint64_t va, unsigned size, bool write, void **ptr)
{
	enum access acc = write ? ACC_STORE : ACC_LOAD;
	if (va & (size - 1))
		return write ? EXC_STORE_MISALIGNED : EXC_LOAD_MISALIGNED;
	struct tlb_entry *e = &h->tlb[mmu_data_ctx(h)][acc][(va >> PAGE_SHIFT) & (TLB_SIZE - 1)];
	if (e->tag == (va & PAGE_MASK)) {
		*ptr = (void *)(e->addend + va);
		return 0;
	}
	uint64_t pa = 0;
	int r = translate_data(h, va, acc, &pa);
	if (r)
		return r;
	*ptr = vm_ram_ptr(h->env.bus, pa, size);
	if (*ptr && write)
		note_code_store(h, pa, size);
	return *ptr ? 0 : access_fault(acc);
}
