/* sifive,test power control. */
#include "vm/machine/syscon.h"

void syscon_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct syscon *syscon = opaque;
	if (offset != 0 || size < 2) /* OpenSBI writes 16 bits, Linux 32 */
		return;
	uint32_t v = (uint32_t)value;
	switch (v & 0xffff) {
	case SYSCON_POWEROFF:
		syscon->request(syscon->opaque, VM_POWEROFF, 0);
		break;
	case SYSCON_FAIL: {
		int code = (int)(v >> 16);
		/* a failure must not look like success: code 0 becomes 1 */
		syscon->request(syscon->opaque, VM_FAILURE, code ? code : 1);
		break;
	}
	case SYSCON_REBOOT:
		syscon->request(syscon->opaque, VM_REBOOT, 0);
		break;
	}
}

int syscon_attach(struct syscon *syscon, struct vm_bus *bus, struct keel_error *err)
{
	struct vm_mmio_region region = {.name = "test",
					.base = SYSCON_BASE,
					.size = SYSCON_SIZE,
					.write = syscon_write,
					.opaque = syscon};
	if (vm_bus_add_mmio(bus, &region) < 0)
		return keel_error_set(err, 0, "test device: cannot map at 0x%llx", SYSCON_BASE);
	return 0;
}
