/* Guest-visible state of a virtio-mmio device, as plain data.
 *
 * Everything the guest can observe of a device (feature selections, status,
 * queue addresses and indices, config space, pending interrupts) lives in
 * these structs and nowhere else, with no host pointers, so that a snapshot
 * or a migration stream can serialize them from the one field table below
 * and restore them into a freshly created device. */
#ifndef KEEL_VM_VIRTIO_STATE_H
#define KEEL_VM_VIRTIO_STATE_H

#include <stddef.h>
#include <stdint.h>

#define VIRTIO_MAX_QUEUES     2
#define VIRTIO_QUEUE_MAX_SIZE 256
#define VIRTIO_CONFIG_MAX     64

/* One split virtqueue as the transport and the device see it. */
struct virtq_state {
	uint32_t num;	/* QueueNum chosen by the driver */
	uint32_t ready; /* QueueReady */
	uint64_t desc_addr;
	uint64_t driver_addr; /* available ring */
	uint64_t device_addr; /* used ring */
	uint16_t last_avail_idx;
	uint16_t used_idx;
	uint16_t signalled_used; /* used_idx when we last decided on an interrupt */
	uint16_t signalled_valid;
};

struct virtio_mmio_state {
	uint32_t status;
	uint32_t device_features_sel;
	uint32_t driver_features_sel;
	uint32_t queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status;
	uint32_t config_generation;
	uint8_t config[VIRTIO_CONFIG_MAX];
	struct virtq_state queues[VIRTIO_MAX_QUEUES];
};

/* The one description of the state, for the snapshot writer and reader:
 * each entry is a little-endian scalar of `size` bytes repeated `count`
 * times at `offset` in struct virtio_mmio_state. */
struct virtio_state_field {
	const char *name;
	size_t offset;
	size_t size;
	size_t count;
};

extern const struct virtio_state_field virtio_mmio_state_fields[];
extern const size_t virtio_mmio_state_nfields;

#endif
