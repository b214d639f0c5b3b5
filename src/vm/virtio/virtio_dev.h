/* Inside the virtio devices: what the mmio transport offers to the device
 * models (blk, net, rng, console) and what they provide to it. Not for the
 * machine: it uses virtio.h. */
#ifndef KEEL_VM_VIRTIO_DEV_H
#define KEEL_VM_VIRTIO_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/virtio/virtio.h"
#include "vm/virtio/virtio_state.h"

#define VIRTIO_MMIO_MAGIC  0x74726976u
#define VIRTIO_MMIO_VENDOR 0x4c45454bu /* "KEEL" */
#define VIRTIO_MMIO_SIZE   0x200u

#define VIRTIO_STATUS_ACKNOWLEDGE 1u
#define VIRTIO_STATUS_DRIVER	  2u
#define VIRTIO_STATUS_DRIVER_OK	  4u
#define VIRTIO_STATUS_FEATURES_OK 8u
#define VIRTIO_STATUS_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED	  128u

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

#define VIRTIO_INT_USED	  1u
#define VIRTIO_INT_CONFIG 2u

#define BIT64(n) (UINT64_C(1) << (n))

struct virtio_mmio;

struct virtio_device_ops {
	const char *name; /* "virtio-blk", ... for messages */
	uint32_t device_id;
	unsigned num_queues;
	/* The driver kicked queue q (q < num_queues; the device is live). */
	void (*notify)(struct virtio_mmio *dev, unsigned q);
	/* Optional: the driver set DRIVER_OK. */
	void (*driver_ok)(struct virtio_mmio *dev);
	/* Optional: the device was reset (status 0); queues are already cleared. */
	void (*reset)(struct virtio_mmio *dev);
	/* Releases dev->impl. */
	void (*free)(struct virtio_mmio *dev);
};

struct virtio_mmio {
	const struct virtio_device_ops *ops;
	void *impl;		  /* the device model's host-side state */
	uint64_t device_features; /* device-specific bits; the transport adds its own */
	uint16_t queue_max;
	uint32_t config_len; /* bytes of state.config the guest sees */
	struct virtio_mmio_state state;
	/* host side, not part of the guest-visible state */
	struct vm_bus *bus;
	struct vm_irq irq;
	uint64_t base;
	bool attached;
	unsigned guest_errors_logged; /* bounded, so a guest cannot flood the log */
};

/* Allocates a transport for a device model; NULL on ENOMEM. */
struct virtio_mmio *virtio_mmio_new(const struct virtio_device_ops *ops, void *impl,
				    uint64_t device_features, uint16_t queue_max,
				    uint32_t config_len);

/* The driver is (again) ready: tells the device model and serves every
 * live queue, as if kicked (after DRIVER_OK, and after loading a state). */
void virtio_mmio_driver_ready(struct virtio_mmio *dev);

/* Negotiated feature bit. */
static inline bool virtio_has_feature(const struct virtio_mmio *dev, unsigned bit)
{
	return (dev->state.driver_features & BIT64(bit)) != 0;
}

/* The driver finished setup and the device is not broken. */
bool virtio_is_live(const struct virtio_mmio *dev);
/* Queue q is live and ready. */
bool virtio_queue_is_live(const struct virtio_mmio *dev, unsigned q);

void virtio_raise_interrupt(struct virtio_mmio *dev, uint32_t bits);
/* Config space changed under the driver: bump generation, interrupt. */
void virtio_config_changed(struct virtio_mmio *dev);

/* The guest broke the protocol: log once, set DEVICE_NEEDS_RESET, raise a
 * config interrupt, and stop processing until the driver resets us.
 * Returns -1 so callers can `return virtio_guest_error(...)`. */
int virtio_guest_error(struct virtio_mmio *dev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Little-endian config space writers for the device models. */
void virtio_config_put16(struct virtio_mmio *dev, uint32_t off, uint16_t v);
void virtio_config_put32(struct virtio_mmio *dev, uint32_t off, uint32_t v);
void virtio_config_put64(struct virtio_mmio *dev, uint32_t off, uint64_t v);

#endif
