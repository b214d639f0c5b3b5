/* Split virtqueues (virtio 1.1 section 2.6), device side.
 *
 * Every descriptor is read once into host memory, checked against guest
 * RAM with vm_ram_ptr() and turned into a host (pointer, length) buffer; a
 * device model only ever touches guest memory through those buffers, which
 * are known to lie wholly inside RAM. A malformed queue (bad index, loop,
 * address outside RAM, readable after writable, nested indirect table...)
 * puts the device into DEVICE_NEEDS_RESET instead of being processed. */
#ifndef KEEL_VM_VIRTQUEUE_H
#define KEEL_VM_VIRTQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "vm/virtio/virtio_dev.h"

struct virtq_buf {
	uint8_t *ptr; /* inside guest RAM, valid for len bytes */
	uint32_t len;
};

/* One popped descriptor chain: the device-readable buffers come first
 * (bufs[0..nout)), then the device-writable ones (bufs[nout..nout+nin)).
 * Zero-length descriptors are dropped. */
struct virtq_chain {
	uint16_t head;
	unsigned nout, nin;
	uint64_t out_len, in_len; /* total readable / writable bytes */
	struct virtq_buf bufs[VIRTIO_QUEUE_MAX_SIZE];
};

/* Takes the next available chain of queue q. Returns 1 with *chain filled,
 * 0 if the queue is empty (or not live), -1 if the guest broke the queue
 * (the device is then in DEVICE_NEEDS_RESET). */
int virtq_pop(struct virtio_mmio *dev, unsigned q, struct virtq_chain *chain);

/* Gives back the last n popped chains (not yet pushed), e.g. when a packet
 * turned out not to fit. */
void virtq_unpop(struct virtio_mmio *dev, unsigned q, unsigned n);

/* Returns a chain to the driver with `written` bytes written into it
 * (clamped to the chain's writable length). */
void virtq_push(struct virtio_mmio *dev, unsigned q, const struct virtq_chain *chain,
		uint32_t written);
/* Same by head index; written must not exceed the chain's writable length. */
void virtq_push_used(struct virtio_mmio *dev, unsigned q, uint16_t head, uint32_t written);

/* After a batch of pushes: interrupts the driver unless it asked not to be
 * (VIRTQ_AVAIL_F_NO_INTERRUPT, or used_event under EVENT_IDX). */
void virtq_notify(struct virtio_mmio *dev, unsigned q);

/* Checks that the rings of queue q lie in guest RAM (QueueReady time). */
bool virtq_rings_valid(const struct virtio_mmio *dev, unsigned q);

/* Copies from the readable part of a chain starting at byte offset;
 * returns the bytes copied (short at the end of the chain). */
size_t virtq_chain_read(const struct virtq_chain *chain, size_t offset, void *dst, size_t len);
/* Copies into the writable part of a chain starting at byte offset. */
size_t virtq_chain_write(const struct virtq_chain *chain, size_t offset, const void *src,
			 size_t len);

#endif
