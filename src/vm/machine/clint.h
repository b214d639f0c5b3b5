/* CLINT (SiFive core-local interruptor) at 0x2000000: per-hart msip and
 * mtimecmp, and mtime at 10 MHz derived from the host monotonic clock. */
#ifndef KEEL_VM_CLINT_H
#define KEEL_VM_CLINT_H

#include <stdint.h>

#include "common/error.h"
#include "vm/machine/bus.h"
#include "vm/machine/options.h"

#define CLINT_BASE	  0x2000000ull
#define CLINT_SIZE	  0x10000ull
#define CLINT_MSIP	  0x0
#define CLINT_MTIMECMP	  0x4000
#define CLINT_MTIME	  0xbff8
#define CLINT_TIMEBASE_HZ 10000000ull
#define CLINT_NS_PER_TICK (1000000000ull / CLINT_TIMEBASE_HZ)

struct hart;

/* Guest-visible state: plain data, serializable as is. */
struct clint_state {
	uint32_t msip[VM_MAX_CPUS];
	uint64_t mtimecmp[VM_MAX_CPUS];
	/* mtime = host ticks - mtime_offset (a guest write to mtime moves it) */
	uint64_t mtime_offset;
};

struct clint {
	struct clint_state state;
	struct hart **harts;
	unsigned nharts;
	int64_t (*clock_ns)(void); /* host monotonic clock; tests replace it */
};

void clint_init(struct clint *clint, struct hart **harts, unsigned nharts);
int clint_attach(struct clint *clint, struct vm_bus *bus, struct keel_error *err);

uint64_t clint_mtime(const struct clint *clint);
/* Raises or lowers MIP_MTIP of each hart from mtime vs mtimecmp. */
void clint_update_timers(struct clint *clint);
/* Earliest mtimecmp over the harts (UINT64_MAX when none is armed). */
uint64_t clint_next_deadline(const struct clint *clint);

uint64_t clint_read(void *opaque, uint64_t offset, unsigned size);
void clint_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

#endif
