/* Decoded-instruction cache, keyed by guest physical page.
 *
 * Each RAM page that holds executed code gets an array of struct insn, one
 * slot per 2-byte parcel, decoded lazily (an undecoded slot's handler is the
 * interpreter's "decode" label), followed by two end-of-page sentinels so
 * that falling through the page end needs no bounds check.
 *
 * Invalidation follows the architecture: stores are made visible to
 * instruction fetch by fence.i (and the SBI remote fence.i, which calls
 * hart_flush_icache). A fence bumps a generation; a page whose generation
 * is stale is compared against the copy of its bytes taken when it was
 * decoded and re-decoded only if it changed. This also catches RAM written
 * by devices (DMA) without a write barrier on every store. */
#ifndef KEEL_VM_CPU_ICACHE_H
#define KEEL_VM_CPU_ICACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/cpu/decode.h"

#define ICACHE_SLOTS 2048 /* 4 KiB page / 2-byte parcels */

struct code_page {
	uint64_t generation;
	uint64_t pa;	     /* guest physical address of the page */
	const uint8_t *host; /* the page in guest RAM */
	uint8_t bytes[4096]; /* the page as decoded */
	struct insn slots[ICACHE_SLOTS + 2];
};

/* decoded pages a hart may hold (about 53 KiB each): a guest jumping
 * through all of its RAM must not make the host allocate 13x its size */
#define ICACHE_MAX_PAGES 4096

struct icache {
	struct code_page **pages; /* indexed by RAM page number */
	uint64_t npages;
	unsigned allocated;
	bool full; /* the cap was hit: icache_reclaim() at the next safe point */
	uint64_t generation;
	const void *decode_handler;
	const void *end_handler;
	const void *cross_handler;
};

struct vm_bus;

int icache_init(struct icache *c, const struct vm_bus *bus);
void icache_free(struct icache *c);
/* The decoded page for RAM page address pa (page aligned), created or
 * revalidated as needed; NULL if out of memory or pa is not RAM. */
struct code_page *icache_page(struct icache *c, const struct vm_bus *bus, uint64_t pa);
void icache_flush(struct icache *c);
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
