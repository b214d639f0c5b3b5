/* Decoded-instruction cache, keyed by guest physical page.
 *
 * Each RAM page that holds executed code gets an array of struct insn, one
 * slot per 2-byte parcel, decoded lazily (an undecoded slot's handler is the
 * interpreter's "decode" label), followed by two end-of-page sentinels so
 * that falling through the page end needs no bounds check.
 *
 * Invalidation:
 * - stores of the hart: a page with decoded code is kept out of the store
 *   TLB, so stores to it take the slow path, which re-arms the slots they
 *   overlap (self-modifying code works even without fence.i, as on QEMU).
 *   A page that keeps being written (code and hot data side by side, or a
 *   freed code page reused for data) is demoted after ICACHE_DEMOTE_STORES
 *   stores: its stores go back to the fast path, and fence.i (which the
 *   architecture requires anyway) is what makes them visible;
 * - fence.i (and the SBI remote fence.i, which calls hart_flush_icache)
 *   bumps a generation; a page whose generation is stale is compared with
 *   the copy of its bytes taken when it was decoded and re-decoded only if
 *   it changed. This also catches RAM written by devices (DMA) and by
 *   other harts. */
#ifndef KEEL_VM_CPU_ICACHE_H
#define KEEL_VM_CPU_ICACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/cpu/decode.h"

#define ICACHE_SLOTS 2048 /* 4 KiB page / 2-byte parcels */

struct code_page {
	uint64_t generation;
	uint32_t stores;     /* slow-path stores seen, for the demotion */
	bool demoted;	     /* stores may use the TLB again */
	uint64_t pa;	     /* guest physical address of the page */
	const uint8_t *host; /* the page in guest RAM */
	uint8_t bytes[4096]; /* the page as decoded */
	struct insn slots[ICACHE_SLOTS + 2];
};

/* decoded pages a hart may hold (about 53 KiB each): a guest jumping
 * through all of its RAM must not make the host allocate 13x its size */
#define ICACHE_MAX_PAGES     4096
#define ICACHE_DEMOTE_STORES 1024

struct icache {
	struct code_page **pages; /* indexed by RAM page number */
	uint64_t npages;
	unsigned allocated;
	bool full; /* the cap was hit: icache_reclaim() at the next safe point */
	uint64_t generation;
	const void *decode_handler;
	const void *end_handler;
};

struct vm_bus;

int icache_init(struct icache *c, const struct vm_bus *bus);
void icache_free(struct icache *c);
/* The decoded page for RAM page address pa (page aligned), created or
 * revalidated as needed; NULL if out of memory or pa is not RAM. */
struct code_page *icache_page(struct icache *c, const struct vm_bus *bus, uint64_t pa);
void icache_flush(struct icache *c);

/* The code page holding RAM page pa if stores to it must take the slow
 * path, else NULL. */
static inline struct code_page *icache_watched(const struct icache *c, uint64_t ram_base,
					       uint64_t pa)
{
	uint64_t idx = (pa - ram_base) >> 12;
	if (pa < ram_base || idx >= c->npages || !c->pages[idx] || c->pages[idx]->demoted)
		return NULL;
	return c->pages[idx];
}

/* A store of size bytes at pa (in one page) is about to change a watched
 * page: re-arms the slots it overlaps. */
void icache_store(struct code_page *p, uint64_t pa, unsigned size, const void *decode_handler);
/* Frees every decoded page if the cap was hit. Only when nothing points
 * into the pages (between runs, with the fetch TLB flushed). Returns true
 * if it freed them. */
bool icache_reclaim(struct icache *c);
/* Re-checks a page after a fence (see above). */
void icache_revalidate(struct icache *c, struct code_page *p);

static inline void icache_validate(struct icache *c, struct code_page *p)
{
	if (__builtin_expect(p->generation != c->generation, 0))
		icache_revalidate(c, p);
}

#endif
