/* sifive,test device at 0x100000 (QEMU virt's "test"): the guest writes
 * 0x5555 to power off, (code << 16) | 0x3333 to stop with a failure code,
 * 0x7777 to reboot. The DT's syscon-poweroff/-reboot nodes point here. */
#ifndef KEEL_VM_SYSCON_H
#define KEEL_VM_SYSCON_H

#include <stdint.h>

#include "common/error.h"
#include "vm/machine/bus.h"

#define SYSCON_BASE	0x100000ull
#define SYSCON_SIZE	0x1000ull
#define SYSCON_POWEROFF 0x5555
#define SYSCON_FAIL	0x3333
#define SYSCON_REBOOT	0x7777

enum vm_power_event { VM_RUNNING = 0, VM_POWEROFF, VM_FAILURE, VM_REBOOT };

struct syscon {
	/* Asks the machine to stop (exit_code for VM_FAILURE). */
	void (*request)(void *opaque, enum vm_power_event event, int exit_code);
	void *opaque;
};

int syscon_attach(struct syscon *syscon, struct vm_bus *bus, struct keel_error *err);
void syscon_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

#endif
