/* A stand-in for src/vm/cpu in the machine's unit tests: records the
 * interrupt lines and registers the devices and the SBI touch. */
#ifndef KEEL_TEST_MACHINE_FAKES_H
#define KEEL_TEST_MACHINE_FAKES_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/cpu/hart.h"

struct hart {
	unsigned id;
	uint64_t mip;
	uint64_t x[32];
	uint64_t pc;
	enum hart_priv priv;
	bool stopped, waiting, exit_requested;
	unsigned tlb_flushes, icache_flushes;
};

void fake_hart_init(struct hart *h, unsigned id);

#endif
