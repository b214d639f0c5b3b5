/* Guest physical address space: RAM fast path, MMIO region lookup. */
#include "vm/machine/bus.h"

#include <string.h>

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int vm_bus_add_mmio(struct vm_bus *bus, const struct vm_mmio_region *region)
{
	if (bus->nregions >= VM_BUS_MAX_REGIONS || region->size == 0 ||
	    region->base + region->size < region->base)
		return -1;
	if (bus->ram_size &&
	    ranges_overlap(region->base, region->size, bus->ram_base, bus->ram_size))
		return -1;
	for (int i = 0; i < bus->nregions; i++)
		if (ranges_overlap(region->base, region->size, bus->regions[i].base,
				   bus->regions[i].size))
			return -1;
	bus->regions[bus->nregions++] = *region;
	return 0;
}

const struct vm_mmio_region *vm_bus_find_mmio(const struct vm_bus *bus, uint64_t addr)
{
	for (int i = 0; i < bus->nregions; i++) {
		const struct vm_mmio_region *r = &bus->regions[i];
		if (addr - r->base < r->size)
			return r;
	}
	return NULL;
}

bool vm_bus_load(struct vm_bus *bus, uint64_t pa, unsigned size, uint64_t *value)
{
	const uint8_t *p = vm_ram_ptr(bus, pa, size);
	if (p) {
		uint64_t v = 0;
		memcpy(&v, p, size); /* little-endian host, as the guest */
		*value = v;
		return true;
	}
	const struct vm_mmio_region *r = vm_bus_find_mmio(bus, pa);
	if (!r || pa - r->base > r->size - size)
		return false;
	*value = r->read ? r->read(r->opaque, pa - r->base, size) : 0;
	return true;
}

bool vm_bus_store(struct vm_bus *bus, uint64_t pa, unsigned size, uint64_t value)
{
	uint8_t *p = vm_ram_ptr(bus, pa, size);
	if (p) {
		memcpy(p, &value, size);
		return true;
	}
	const struct vm_mmio_region *r = vm_bus_find_mmio(bus, pa);
	if (!r || pa - r->base > r->size - size)
		return false;
	if (r->write)
		r->write(r->opaque, pa - r->base, value, size);
	return true;
}
