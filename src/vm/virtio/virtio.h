/* virtio devices over the virtio-mmio (version 2) transport: the interface
 * the machine uses to create them and place them in the virt board's slots
 * (0x10001000 + n * 0x1000, PLIC IRQ 1 + n).
 *
 * Everything a guest puts in a virtqueue is hostile: descriptors are
 * checked against guest RAM through vm_ram_ptr(), chains are bounded.
 *
 * Creation errors do not repeat the argument: the caller prefixes it
 * ("--disk d.img: cannot open: No such file or directory"). */
#ifndef KEEL_VM_VIRTIO_H
#define KEEL_VM_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vm/machine/bus.h"
#include "vm/machine/loop.h"

struct virtio_mmio;

/* Parses one --disk argument ("FILE[,ro]") and creates a virtio-blk. */
struct virtio_mmio *virtio_blk_create(const char *spec, struct keel_error *err);
/* --net argument: "user[,hostfwd=tcp:HOSTIP:HOSTPORT-:GUESTPORT]..." or "tap,ifname=NAME". */
struct virtio_mmio *virtio_net_create(const char *spec, struct vm_loop *loop,
				      struct keel_error *err);
struct virtio_mmio *virtio_rng_create(struct keel_error *err);
/* virtio-console on the host fds given (-1 for none). */
struct virtio_mmio *virtio_console_create(int in_fd, int out_fd, struct vm_loop *loop,
					  struct keel_error *err);

/* virtio-console on a host console of the caller's (keel-vm's own, with its
 * raw mode and escapes): guest output goes to write(); input is handed in
 * with virtio_console_receive() as the guest posts buffers. */
struct virtio_console_host {
	void (*write)(void *opaque, const uint8_t *buf, size_t len);
	void *opaque;
};
struct virtio_mmio *virtio_console_create_host(const struct virtio_console_host *host,
					       struct keel_error *err);
/* Bytes the guest's next receive buffer holds (at least 1 when one is
 * posted), 0 if none is: input can wait on the host until then. */
size_t virtio_console_input_room(struct virtio_mmio *dev);
/* Copies input into posted receive buffers; returns the bytes taken. */
size_t virtio_console_receive(struct virtio_mmio *dev, const uint8_t *buf, size_t len);

/* Maps the device's registers at base on bus, interrupts through irq. */
int virtio_mmio_attach(struct virtio_mmio *dev, struct vm_bus *bus, uint64_t base,
		       struct vm_irq irq, struct keel_error *err);
void virtio_mmio_free(struct virtio_mmio *dev);

/* Snapshots: the device's whole guest-visible state as plain data
 * (struct virtio_mmio_state and its field table, in virtio_state.h). */
struct virtio_mmio_state;
uint32_t virtio_mmio_device_id(const struct virtio_mmio *dev);
const struct virtio_mmio_state *virtio_mmio_save_state(const struct virtio_mmio *dev);
/* Loads a saved state into an attached device created with the same
 * arguments. The state is checked like guest input (queue sizes, rings in
 * RAM); the interrupt line is driven to match it. */
int virtio_mmio_load_state(struct virtio_mmio *dev, const struct virtio_mmio_state *state,
			   struct keel_error *err);

#endif
