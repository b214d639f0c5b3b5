/* virtio-blk discard and write-zeroes: both carry segments
 * { le64 sector; le32 num_sectors; le32 flags; } after the header.
 * Discard punches holes (offered only where the file can); write-zeroes
 * zeroes the range, by the cheapest means the file system has. */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <unistd.h>

#include "vm/virtio/blk.h"

#define SEG_LEN			16u
#define WRITE_ZEROES_FLAG_UNMAP 1u

struct zero_segment {
	uint64_t sector;
	uint32_t num;
	uint32_t flags;
};

typedef uint8_t (*segment_fn)(struct virtio_blk *blk, const struct zero_segment *seg);

/* Checks the segment list as a whole, then applies fn to each segment. */
static uint8_t for_each_segment(struct virtio_blk *blk, const struct virtq_chain *chain,
				segment_fn fn)
{
	uint64_t len = chain->out_len - BLK_HDR_LEN;
	if (len == 0 || len % SEG_LEN || len / SEG_LEN > BLK_ZERO_SEGS)
		return VIRTIO_BLK_S_IOERR;
	for (uint64_t off = BLK_HDR_LEN; off < chain->out_len; off += SEG_LEN) {
		uint8_t raw[SEG_LEN];
		struct zero_segment seg;
		virtq_chain_read(chain, off, raw, sizeof(raw));
		memcpy(&seg.sector, raw, 8);
		memcpy(&seg.num, raw + 8, 4);
		memcpy(&seg.flags, raw + 12, 4);
		if (seg.num > BLK_ZERO_MAX_SEC ||
		    !blk_range_ok(blk, seg.sector, (uint64_t)seg.num * SECTOR))
			return VIRTIO_BLK_S_IOERR;
		uint8_t status = seg.num ? fn(blk, &seg) : VIRTIO_BLK_S_OK;
		if (status != VIRTIO_BLK_S_OK)
			return status;
	}
	return VIRTIO_BLK_S_OK;
}

static int punch_hole(struct virtio_blk *blk, const struct zero_segment *seg)
{
	return fallocate(blk->img.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 (off_t)(seg->sector * SECTOR), (off_t)seg->num * SECTOR);
}

static uint8_t discard_segment(struct virtio_blk *blk, const struct zero_segment *seg)
{
	if (seg->flags != 0) /* the unmap flag belongs to write-zeroes */
		return VIRTIO_BLK_S_UNSUPP;
	return punch_hole(blk, seg) == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

/* Plain writes of zeroes, for files that can neither zero nor punch. */
static int write_zero_bytes(int fd, uint64_t pos, uint64_t len)
{
	static const uint8_t zeroes[64 * 1024];
	while (len > 0) {
		size_t n = len < sizeof(zeroes) ? (size_t)len : sizeof(zeroes);
		ssize_t r = pwrite(fd, zeroes, n, (off_t)pos);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		pos += (uint64_t)r;
		len -= (uint64_t)r;
	}
	return 0;
}

static uint8_t zero_segment(struct virtio_blk *blk, const struct zero_segment *seg)
{
	if (seg->flags & ~WRITE_ZEROES_FLAG_UNMAP)
		return VIRTIO_BLK_S_UNSUPP;
	if ((seg->flags & WRITE_ZEROES_FLAG_UNMAP) && blk->img.can_discard &&
	    punch_hole(blk, seg) == 0)
		return VIRTIO_BLK_S_OK;
	off_t pos = (off_t)(seg->sector * SECTOR), len = (off_t)seg->num * SECTOR;
	if (fallocate(blk->img.fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, pos, len) == 0)
		return VIRTIO_BLK_S_OK;
	if (blk->img.can_discard && punch_hole(blk, seg) == 0) /* holes read as zeroes */
		return VIRTIO_BLK_S_OK;
	return write_zero_bytes(blk->img.fd, (uint64_t)pos, (uint64_t)len) == 0
		   ? VIRTIO_BLK_S_OK
		   : VIRTIO_BLK_S_IOERR;
}

uint8_t blk_discard(struct virtio_blk *blk, const struct virtq_chain *chain)
{
	if (!blk->img.can_discard)
		return VIRTIO_BLK_S_UNSUPP;
	return for_each_segment(blk, chain, discard_segment);
}

uint8_t blk_write_zeroes(struct virtio_blk *blk, const struct virtq_chain *chain)
{
	if (blk->img.read_only)
		return VIRTIO_BLK_S_IOERR;
	return for_each_segment(blk, chain, zero_segment);
}
