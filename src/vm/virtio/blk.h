/* Inside virtio-blk: what the request handlers share. */
#ifndef KEEL_VM_VIRTIO_BLK_H
#define KEEL_VM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "vm/virtio/blk_image.h"
#include "vm/virtio/virtqueue.h"

#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define SECTOR	    512u
#define BLK_HDR_LEN 16u

/* Discard and write-zeroes limits (config space and checks agree). */
#define BLK_ZERO_SEGS	 16u
#define BLK_ZERO_MAX_SEC (UINT32_C(1) << 22) /* sectors per segment: 2 GiB */

struct virtio_blk {
	struct blk_image img;
	uint64_t capacity; /* sectors */
};

/* [sector, sector + bytes / 512) is whole sectors within the disk. */
bool blk_range_ok(const struct virtio_blk *blk, uint64_t sector, uint64_t bytes);

/* VIRTIO_BLK_T_DISCARD and VIRTIO_BLK_T_WRITE_ZEROES: the segments after
 * the header; return the request status. */
uint8_t blk_discard(struct virtio_blk *blk, const struct virtq_chain *chain);
uint8_t blk_write_zeroes(struct virtio_blk *blk, const struct virtq_chain *chain);

#endif
