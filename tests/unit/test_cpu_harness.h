/* Harness of the CPU suite: a RAM-only machine with one hart, and test
 * programs assembled at run time with the cross binutils. */
#ifndef KEEL_TEST_CPU_HARNESS_H
#define KEEL_TEST_CPU_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vm/cpu/cpu.h"

#define TEST_RAM_BASE 0x80000000ull
#define TEST_RAM_SIZE (4ull << 20)

struct cpu_fixture {
	struct vm_bus bus;
	struct hart *hart;
	uint64_t time;
};

int cpu_fixture_setup(void **state);
int cpu_fixture_teardown(void **state);

/* Assembles src (GNU as syntax, rv64gc, linked at TEST_RAM_BASE) into RAM
 * and resets the hart there in M-mode. Skips the test without binutils. */
void cpu_load(struct cpu_fixture *f, const char *src);
/* Same, without compressed instructions. */
void cpu_load_norvc(struct cpu_fixture *f, const char *src);

/* Runs until the program stops in WFI (the test programs end with
 * "wfi" and leave mie = 0); fails the test if it does not. */
void cpu_run(struct cpu_fixture *f);

uint64_t cpu_x(struct cpu_fixture *f, unsigned reg);
uint64_t *cpu_ram64(struct cpu_fixture *f, uint64_t pa);

#endif
