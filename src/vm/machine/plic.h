/* SiFive-compatible PLIC at 0xc000000 (as on QEMU virt): 96 sources (1..95
 * usable), two contexts per hart (2*hart = M-mode, 2*hart+1 = S-mode),
 * level-triggered gateways. Drives MIP_MEIP / MIP_SEIP. */
#ifndef KEEL_VM_PLIC_H
#define KEEL_VM_PLIC_H

#include <stdint.h>

#include "common/error.h"
#include "vm/machine/bus.h"
#include "vm/machine/options.h"

#define PLIC_BASE	    0xc000000ull
#define PLIC_SIZE	    0x600000ull
#define PLIC_NUM_SOURCES    96
#define PLIC_WORDS	    (PLIC_NUM_SOURCES / 32)
#define PLIC_MAX_CONTEXTS   (2 * VM_MAX_CPUS)
#define PLIC_PRIORITY	    0x0
#define PLIC_PENDING	    0x1000
#define PLIC_ENABLE	    0x2000
#define PLIC_ENABLE_STRIDE  0x80
#define PLIC_CONTEXT	    0x200000
#define PLIC_CONTEXT_STRIDE 0x1000
#define PLIC_PRIORITY_MASK  7u

struct hart;

/* Guest-visible state: plain data, serializable as is. */
struct plic_state {
	uint32_t priority[PLIC_NUM_SOURCES];
	uint32_t pending[PLIC_WORDS];
	uint32_t level[PLIC_WORDS];	 /* current input line levels */
	uint32_t in_service[PLIC_WORDS]; /* claimed, not yet completed */
	uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_WORDS];
	uint32_t threshold[PLIC_MAX_CONTEXTS];
};

struct plic {
	struct plic_state state;
	struct hart **harts;
	unsigned nharts;
};

void plic_init(struct plic *plic, struct hart **harts, unsigned nharts);
int plic_attach(struct plic *plic, struct vm_bus *bus, struct keel_error *err);

/* vm_irq.set_level for devices: plic is a struct plic *. */
void plic_set_level(void *plic, unsigned irq, int level);
/* The interrupt line of source irq, to hand to a device. */
struct vm_irq plic_irq_line(struct plic *plic, unsigned irq);

uint64_t plic_read(void *opaque, uint64_t offset, unsigned size);
void plic_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

#endif
