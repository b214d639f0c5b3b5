/* Decoded-instruction cache: lazily decoded pages, revalidated after fences. */
#include "vm/cpu/icache.h"

#include <stdlib.h>
#include <string.h>

#include "vm/machine/bus.h"

int icache_init(struct icache *c, const struct vm_bus *bus)
{
	c->npages = bus->ram_size >> 12;
	c->pages = calloc(c->npages ? c->npages : 1, sizeof(*c->pages));
	c->generation = 1;
	return c->pages ? 0 : -1;
}

static void free_pages(struct icache *c)
{
	for (uint64_t i = 0; i < c->npages; i++) {
		free(c->pages[i]);
		c->pages[i] = NULL;
	}
	c->allocated = 0;
	c->full = false;
}

void icache_free(struct icache *c)
{
	if (c->pages)
		free_pages(c);
	free(c->pages);
	c->pages = NULL;
}

bool icache_reclaim(struct icache *c)
{
	if (!c->full)
		return false;
	free_pages(c);
	return true;
}

static void reset_slots(struct icache *c, struct code_page *p)
{
	/* every slot knows its offset, also the sentinels past the end (where
	 * execution continues on the next page) */
	for (unsigned i = 0; i < ICACHE_SLOTS + 2; i++) {
		p->slots[i].handler = i < ICACHE_SLOTS ? c->decode_handler : c->end_handler;
		p->slots[i].pc_off = (uint16_t)(2 * i);
	}
}

void icache_revalidate(struct icache *c, struct code_page *p)
{
	/* a fence happened since: redecode only if the bytes changed */
	if (memcmp(p->bytes, p->host, sizeof(p->bytes)) != 0) {
		memcpy(p->bytes, p->host, sizeof(p->bytes));
		reset_slots(c, p);
	}
	p->generation = c->generation;
}

struct code_page *icache_page(struct icache *c, const struct vm_bus *bus, uint64_t pa)
{
	uint64_t idx = (pa - bus->ram_base) >> 12;
	if (pa < bus->ram_base || idx >= c->npages)
		return NULL;
	struct code_page *p = c->pages[idx];
	if (p) {
		icache_validate(c, p);
		return p;
	}
	if (c->allocated >= ICACHE_MAX_PAGES) {
		c->full = true;
		return NULL; /* executed uncached until the reclaim */
	}
	p = malloc(sizeof(*p));
	if (!p)
		return NULL;
	c->allocated++;
	p->pa = bus->ram_base + (idx << 12);
	p->stores = 0;
	p->demoted = false;
	p->host = bus->ram + (idx << 12);
	memcpy(p->bytes, p->host, sizeof(p->bytes));
	reset_slots(c, p);
	p->generation = c->generation;
	c->pages[idx] = p;
	return p;
}

void icache_store(struct code_page *p, uint64_t pa, unsigned size, const void *decode_handler)
{
	unsigned off = pa & 0xfff;
	/* a 4-byte instruction starting 2 bytes before also covers off */
	unsigned first = off >= 2 ? (off - 2) / 2 : 0;
	unsigned last = (off + size - 1) / 2;
	for (unsigned i = first; i <= last && i < ICACHE_SLOTS; i++)
		p->slots[i].handler = decode_handler;
	if (++p->stores >= ICACHE_DEMOTE_STORES)
		p->demoted = true;
}

void icache_flush(struct icache *c)
{
	c->generation++;
}
