/* virtio-blk (device id 2) over a raw image: read, write, flush, get id,
 * and (blk_zero.c) discard and write-zeroes. Requests are served synchronously, straight between
 * the image and the guest buffers of the chain.
 *
 * A request is a readable header { le32 type; le32 reserved; le64 sector; },
 * readable data (writes, discard segments) or writable data (reads, id), and
 * a final writable status byte. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vm/virtio/blk.h"
#include "vm/virtio/virtio_dev.h"

#define VIRTIO_BLK_F_SIZE_MAX	  1
#define VIRTIO_BLK_F_SEG_MAX	  2
#define VIRTIO_BLK_F_RO		  5
#define VIRTIO_BLK_F_BLK_SIZE	  6
#define VIRTIO_BLK_F_FLUSH	  9
#define VIRTIO_BLK_F_DISCARD	  13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN		  0
#define VIRTIO_BLK_T_OUT	  1
#define VIRTIO_BLK_T_FLUSH	  4
#define VIRTIO_BLK_T_GET_ID	  8
#define VIRTIO_BLK_T_DISCARD	  11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

/* config space offsets */
#define CFG_CAPACITY		     0
#define CFG_SIZE_MAX		     8
#define CFG_SEG_MAX		     12
#define CFG_BLK_SIZE		     20
#define CFG_MAX_DISCARD_SECTORS	     36
#define CFG_MAX_DISCARD_SEG	     40
#define CFG_DISCARD_SECTOR_ALIGN     44
#define CFG_MAX_WRITE_ZEROES_SECTORS 48
#define CFG_MAX_WRITE_ZEROES_SEG     52
#define CFG_WRITE_ZEROES_MAY_UNMAP   56
#define CFG_LEN			     60

#define BLK_QUEUE_SIZE 128u
#define BLK_SEG_MAX    (BLK_QUEUE_SIZE - 2) /* header and status take two */
#define BLK_SIZE_MAX   (1u << 20)
#define BLK_MAX_DATA   ((uint64_t)BLK_SEG_MAX * BLK_SIZE_MAX)
#define BLK_ID_LEN     20u

struct blk_request {
	uint32_t type;
	uint64_t sector;
};

/* Reads or writes len bytes at image offset pos, to/from the chain's
 * writable (read request) or readable (write request) part from skip on. */
static int transfer(struct virtio_blk *blk, const struct virtq_chain *chain, bool to_image,
		    uint64_t pos, uint64_t skip, uint64_t len)
{
	unsigned first = to_image ? 0 : chain->nout;
	unsigned end = to_image ? chain->nout : chain->nout + chain->nin;
	for (unsigned i = first; i < end && len > 0; i++) {
		const struct virtq_buf *b = &chain->bufs[i];
		if (skip >= b->len) {
			skip -= b->len;
			continue;
		}
		uint64_t n = b->len - skip;
		if (n > len)
			n = len;
		for (uint64_t done = 0; done < n;) {
			ssize_t r = to_image ? pwrite(blk->img.fd, b->ptr + skip + done, n - done,
						      (off_t)(pos + done))
					     : pread(blk->img.fd, b->ptr + skip + done, n - done,
						     (off_t)(pos + done));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1; /* error, or the image shrank under us */
			done += (uint64_t)r;
		}
		pos += n;
		len -= n;
		skip = 0;
	}
	return len == 0 ? 0 : -1;
}

bool blk_range_ok(const struct virtio_blk *blk, uint64_t sector, uint64_t bytes)
{
	uint64_t sectors = bytes / SECTOR;
	return bytes % SECTOR == 0 && sector <= blk->capacity && sectors <= blk->capacity - sector;
}

/* Returns the status; *written counts data bytes put in the chain. */
static uint8_t do_read(struct virtio_blk *blk, const struct virtq_chain *chain,
		       const struct blk_request *req, uint32_t *written)
{
	uint64_t len = chain->in_len - 1;
	if (len > BLK_MAX_DATA || !blk_range_ok(blk, req->sector, len))
		return VIRTIO_BLK_S_IOERR;
	if (transfer(blk, chain, false, req->sector * SECTOR, 0, len) < 0)
		return VIRTIO_BLK_S_IOERR;
	*written = (uint32_t)len;
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_write(struct virtio_blk *blk, const struct virtq_chain *chain,
			const struct blk_request *req)
{
	uint64_t len = chain->out_len - BLK_HDR_LEN;
	if (blk->img.read_only || len > BLK_MAX_DATA || !blk_range_ok(blk, req->sector, len))
		return VIRTIO_BLK_S_IOERR;
	if (transfer(blk, chain, true, req->sector * SECTOR, BLK_HDR_LEN, len) < 0)
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_flush(struct virtio_blk *blk)
{
	if (blk->img.read_only)
		return VIRTIO_BLK_S_OK;
	return fdatasync(blk->img.fd) == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

static uint8_t do_get_id(struct virtio_blk *blk, const struct virtq_chain *chain, uint32_t *written)
{
	char id[BLK_ID_LEN] = {0};
	const char *base = strrchr(blk->img.path, '/');
	base = base ? base + 1 : blk->img.path;
	size_t n = strlen(base);
	memcpy(id, base,
	       n < sizeof(id) ? n : sizeof(id)); /* no NUL when 20 long, as the spec says */
	uint64_t room = chain->in_len - 1;
	*written = (uint32_t)virtq_chain_write(chain, 0, id, room < sizeof(id) ? room : sizeof(id));
	return VIRTIO_BLK_S_OK;
}

static uint8_t execute(struct virtio_blk *blk, const struct virtq_chain *chain, uint32_t *written)
{
	uint8_t hdr[BLK_HDR_LEN];
	struct blk_request req;
	if (virtq_chain_read(chain, 0, hdr, sizeof(hdr)) != sizeof(hdr))
		return VIRTIO_BLK_S_IOERR;
	memcpy(&req.type, hdr, 4);
	memcpy(&req.sector, hdr + 8, 8);
	switch (req.type) {
	case VIRTIO_BLK_T_IN:
		return do_read(blk, chain, &req, written);
	case VIRTIO_BLK_T_OUT:
		return do_write(blk, chain, &req);
	case VIRTIO_BLK_T_FLUSH:
		return do_flush(blk);
	case VIRTIO_BLK_T_GET_ID:
		return do_get_id(blk, chain, written);
	case VIRTIO_BLK_T_DISCARD:
		return blk_discard(blk, chain);
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return blk_write_zeroes(blk, chain);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static void handle_request(struct virtio_mmio *dev, struct virtq_chain *chain)
{
	if (chain->in_len == 0) {
		virtio_guest_error(dev, "block request without a status byte");
		return;
	}
	uint32_t written = 0;
	uint8_t status = execute(dev->impl, chain, &written);
	const struct virtq_buf *last = &chain->bufs[chain->nout + chain->nin - 1];
	last->ptr[last->len - 1] = status;
	virtq_push(dev, 0, chain, written + 1);
}

static void blk_notify(struct virtio_mmio *dev, unsigned q)
{
	struct virtq_chain chain;
	while (virtq_pop(dev, q, &chain) > 0)
		handle_request(dev, &chain);
	virtq_notify(dev, q);
}

static void blk_free(struct virtio_mmio *dev)
{
	struct virtio_blk *blk = dev->impl;
	blk_image_close(&blk->img);
	free(blk);
}

static const struct virtio_device_ops blk_ops = {
    .name = "virtio-blk",
    .device_id = 2,
    .num_queues = 1,
    .notify = blk_notify,
    .free = blk_free,
};

static uint64_t blk_features(const struct blk_image *img)
{
	uint64_t f = BIT64(VIRTIO_BLK_F_SIZE_MAX) | BIT64(VIRTIO_BLK_F_SEG_MAX) |
		     BIT64(VIRTIO_BLK_F_BLK_SIZE) | BIT64(VIRTIO_BLK_F_FLUSH);
	if (img->read_only)
		f |= BIT64(VIRTIO_BLK_F_RO);
	else
		f |= BIT64(VIRTIO_BLK_F_WRITE_ZEROES);
	if (img->can_discard)
		f |= BIT64(VIRTIO_BLK_F_DISCARD);
	return f;
}

static void fill_config(struct virtio_mmio *dev, const struct virtio_blk *blk)
{
	virtio_config_put64(dev, CFG_CAPACITY, blk->capacity);
	virtio_config_put32(dev, CFG_SIZE_MAX, BLK_SIZE_MAX);
	virtio_config_put32(dev, CFG_SEG_MAX, BLK_SEG_MAX);
	virtio_config_put32(dev, CFG_BLK_SIZE, SECTOR);
	if (blk->img.can_discard) {
		virtio_config_put32(dev, CFG_MAX_DISCARD_SECTORS, BLK_ZERO_MAX_SEC);
		virtio_config_put32(dev, CFG_MAX_DISCARD_SEG, BLK_ZERO_SEGS);
		virtio_config_put32(dev, CFG_DISCARD_SECTOR_ALIGN, 4096 / SECTOR);
	}
	if (!blk->img.read_only) {
		virtio_config_put32(dev, CFG_MAX_WRITE_ZEROES_SECTORS, BLK_ZERO_MAX_SEC);
		virtio_config_put32(dev, CFG_MAX_WRITE_ZEROES_SEG, BLK_ZERO_SEGS);
		dev->state.config[CFG_WRITE_ZEROES_MAY_UNMAP] = blk->img.can_discard;
	}
}

struct virtio_mmio *virtio_blk_create(const char *spec, struct keel_error *err)
{
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	if (!blk) {
		keel_error_errno(err, "virtio-blk");
		return NULL;
	}
	if (blk_image_open(spec, &blk->img, err) < 0) {
		free(blk);
		return NULL;
	}
	blk->capacity = blk->img.size / SECTOR;
	struct virtio_mmio *dev =
	    virtio_mmio_new(&blk_ops, blk, blk_features(&blk->img), BLK_QUEUE_SIZE, CFG_LEN);
	if (!dev) {
		keel_error_errno(err, "virtio-blk");
		blk_image_close(&blk->img);
		free(blk);
		return NULL;
	}
	fill_config(dev, blk);
	return dev;
}
