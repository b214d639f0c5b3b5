/* The guest physical address space: one RAM block plus MMIO regions.
 *
 * Shared contract between the CPU (src/vm/cpu), the machine and the devices.
 * Guest addresses are untrusted: every RAM access from a device goes through
 * vm_ram_ptr(), which checks the whole range without integer overflow. */
#ifndef KEEL_VM_BUS_H
#define KEEL_VM_BUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VM_BUS_MAX_REGIONS 32

struct vm_mmio_region {
	const char *name;
	uint64_t base;
	uint64_t size;
	/* size is 1, 2, 4 or 8; offset is relative to base and < region size */
	uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
	void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
	void *opaque;
};

struct vm_bus {
	uint8_t *ram; /* host mapping of guest RAM */
	uint64_t ram_base;
	uint64_t ram_size;
	struct vm_mmio_region regions[VM_BUS_MAX_REGIONS];
	int nregions;
};

/* Host pointer for guest-physical [gpa, gpa+len) if it lies wholly in RAM,
 * else NULL. Overflow-safe: len may be anything the guest wrote. */
static inline void *vm_ram_ptr(const struct vm_bus *bus, uint64_t gpa, uint64_t len)
{
	uint64_t off = gpa - bus->ram_base;
	if (gpa < bus->ram_base || off > bus->ram_size || len > bus->ram_size - off)
		return NULL;
	return bus->ram + off;
}

/* Registers an MMIO region; -1 if the table is full or it overlaps another. */
int vm_bus_add_mmio(struct vm_bus *bus, const struct vm_mmio_region *region);

/* The region holding addr, or NULL. */
const struct vm_mmio_region *vm_bus_find_mmio(const struct vm_bus *bus, uint64_t addr);

/* Slow-path physical accesses (RAM or MMIO) for the CPU. They return false
 * for an address that maps to nothing (the CPU raises an access fault). */
bool vm_bus_load(struct vm_bus *bus, uint64_t pa, unsigned size, uint64_t *value);
bool vm_bus_store(struct vm_bus *bus, uint64_t pa, unsigned size, uint64_t value);

/* An interrupt line into the PLIC: devices hold one and raise/lower it. */
struct vm_irq {
	void (*set_level)(void *plic, unsigned irq, int level);
	void *plic;
	unsigned irq;
};

static inline void vm_irq_set(const struct vm_irq *line, int level)
{
	if (line->set_level)
		line->set_level(line->plic, line->irq, level);
}

#endif
