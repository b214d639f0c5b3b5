/* Split virtqueues, device side: pop chains from the available ring, push
 * them to the used ring, decide on interrupts (EVENT_IDX aware).
 *
 * Ring layout (virtio 1.1, 2.6):
 *   descriptor table: num x { le64 addr; le32 len; le16 flags; le16 next; }
 *   available ring:   le16 flags; le16 idx; le16 ring[num]; le16 used_event;
 *   used ring:        le16 flags; le16 idx; { le32 id; le32 len; }[num]; le16 avail_event;
 *
 * The guest may rewrite any of this at any time: each field is loaded once
 * into a local and checked before it is used. */
#include "vm/virtio/virtqueue.h"

#include <string.h>

#define VIRTQ_DESC_F_NEXT     1u
#define VIRTQ_DESC_F_WRITE    2u
#define VIRTQ_DESC_F_INDIRECT 4u

#define VIRTQ_AVAIL_F_NO_INTERRUPT 1u

#define VIRTQ_DESC_SIZE 16u

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "guest and host are little-endian");

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

static bool guest_load16(const struct virtio_mmio *dev, uint64_t gpa, uint16_t *v)
{
	const void *p = vm_ram_ptr(dev->bus, gpa, sizeof(*v));
	if (!p)
		return false;
	memcpy(v, p, sizeof(*v));
	return true;
}

static bool guest_store16(const struct virtio_mmio *dev, uint64_t gpa, uint16_t v)
{
	void *p = vm_ram_ptr(dev->bus, gpa, sizeof(v));
	if (!p)
		return false;
	memcpy(p, &v, sizeof(v));
	return true;
}

bool virtq_rings_valid(const struct virtio_mmio *dev, unsigned q)
{
	const struct virtq_state *vq = &dev->state.queues[q];
	uint64_t num = vq->num;
	/* A power of two (virtio 1.1, 2.6): ring positions are free-running
	 * 16-bit indices modulo num, which only wrap evenly for those. */
	if (num == 0 || num > dev->queue_max || (num & (num - 1)))
		return false;
	if (vq->desc_addr % 16 || vq->driver_addr % 2 || vq->device_addr % 4)
		return false;
	return vm_ram_ptr(dev->bus, vq->desc_addr, VIRTQ_DESC_SIZE * num) &&
	       vm_ram_ptr(dev->bus, vq->driver_addr, 6 + 2 * num) &&
	       vm_ram_ptr(dev->bus, vq->device_addr, 6 + 8 * num);
}

static int read_desc(struct virtio_mmio *dev, unsigned q, uint64_t table, uint16_t i,
		     struct virtq_desc *d)
{
	const uint8_t *p =
	    vm_ram_ptr(dev->bus, table + (uint64_t)i * VIRTQ_DESC_SIZE, VIRTQ_DESC_SIZE);
	if (!p)
		return virtio_guest_error(dev, "queue %u: descriptor %u outside RAM", q, i);
	memcpy(&d->addr, p, 8);
	memcpy(&d->len, p + 8, 4);
	memcpy(&d->flags, p + 12, 2);
	memcpy(&d->next, p + 14, 2);
	return 0;
}

/* Appends one direct descriptor's buffer to the chain, enforcing that the
 * device-writable buffers come after the device-readable ones. */
static int add_buffer(struct virtio_mmio *dev, unsigned q, struct virtq_chain *chain,
		      const struct virtq_desc *d)
{
	bool writable = d->flags & VIRTQ_DESC_F_WRITE;
	if (!writable && chain->nin > 0)
		return virtio_guest_error(dev, "queue %u: readable descriptor after a writable one",
					  q);
	if (d->len == 0)
		return 0;
	uint8_t *ptr = vm_ram_ptr(dev->bus, d->addr, d->len);
	if (!ptr)
		return virtio_guest_error(dev, "queue %u: buffer 0x%llx+%u outside RAM", q,
					  (unsigned long long)d->addr, d->len);
	unsigned slot = chain->nout + chain->nin;
	if (slot >= VIRTIO_QUEUE_MAX_SIZE) /* cannot happen: the walk is bounded */
		return virtio_guest_error(dev, "queue %u: chain too long", q);
	chain->bufs[slot] = (struct virtq_buf){ptr, d->len};
	if (writable) {
		chain->nin++;
		chain->in_len += d->len;
	} else {
		chain->nout++;
		chain->out_len += d->len;
	}
	return 0;
}

static int walk_table(struct virtio_mmio *dev, unsigned q, uint64_t table, uint32_t n,
		      uint16_t first, bool indirect, struct virtq_chain *chain);

/* An indirect descriptor stands for the whole chain (it may neither be
 * chained nor nested); its table holds at most a queue's worth of entries. */
static int follow_indirect(struct virtio_mmio *dev, unsigned q, const struct virtq_desc *d,
			   bool is_head, struct virtq_chain *chain)
{
	uint32_t num = dev->state.queues[q].num;
	if (!virtio_has_feature(dev, VIRTIO_F_INDIRECT_DESC))
		return virtio_guest_error(dev, "queue %u: indirect descriptor not negotiated", q);
	if (!is_head || (d->flags & VIRTQ_DESC_F_NEXT))
		return virtio_guest_error(dev, "queue %u: indirect descriptor inside a chain", q);
	if (d->len == 0 || d->len % VIRTQ_DESC_SIZE || d->len / VIRTQ_DESC_SIZE > num)
		return virtio_guest_error(dev, "queue %u: indirect table of %u bytes", q, d->len);
	if (!vm_ram_ptr(dev->bus, d->addr, d->len))
		return virtio_guest_error(dev, "queue %u: indirect table outside RAM", q);
	return walk_table(dev, q, d->addr, d->len / VIRTQ_DESC_SIZE, 0, true, chain);
}

/* Walks a chain through a table of n descriptors. A chain visits at most n
 * descriptors, so a loop is caught when the budget runs out. */
static int walk_table(struct virtio_mmio *dev, unsigned q, uint64_t table, uint32_t n,
		      uint16_t first, bool indirect, struct virtq_chain *chain)
{
	uint16_t i = first;
	for (uint32_t budget = n;; budget--) {
		struct virtq_desc d = {0}; /* (gcc cannot see read_desc fill it) */
		if (i >= n)
			return virtio_guest_error(dev, "queue %u: descriptor index %u >= %u", q, i,
						  n);
		if (budget == 0)
			return virtio_guest_error(dev, "queue %u: descriptor chain loops", q);
		if (read_desc(dev, q, table, i, &d) < 0)
			return -1;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (indirect)
				return virtio_guest_error(dev, "queue %u: nested indirect table",
							  q);
			return follow_indirect(dev, q, &d, budget == n, chain);
		}
		if (add_buffer(dev, q, chain, &d) < 0)
			return -1;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		i = d.next;
	}
}

/* Under EVENT_IDX, tells the driver to kick again once it adds anything
 * past what we consumed. */
static void publish_avail_event(struct virtio_mmio *dev, unsigned q)
{
	const struct virtq_state *vq = &dev->state.queues[q];
	if (virtio_has_feature(dev, VIRTIO_F_EVENT_IDX))
		guest_store16(dev, vq->device_addr + 4 + 8 * (uint64_t)vq->num, vq->last_avail_idx);
}

int virtq_pop(struct virtio_mmio *dev, unsigned q, struct virtq_chain *chain)
{
	if (!virtio_queue_is_live(dev, q))
		return 0;
	struct virtq_state *vq = &dev->state.queues[q];
	uint16_t avail_idx, head;
	if (!guest_load16(dev, vq->driver_addr + 2, &avail_idx))
		return virtio_guest_error(dev, "queue %u: available ring outside RAM", q);
	uint16_t pending = avail_idx - vq->last_avail_idx;
	if (pending > vq->num)
		return virtio_guest_error(dev, "queue %u: available index jumped from %u to %u", q,
					  vq->last_avail_idx, avail_idx);
	if (pending == 0) {
		publish_avail_event(dev, q);
		return 0;
	}
	/* Read the ring entry only after seeing the index that covers it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (!guest_load16(dev, vq->driver_addr + 4 + 2 * (uint64_t)(vq->last_avail_idx % vq->num),
			  &head))
		return virtio_guest_error(dev, "queue %u: available ring outside RAM", q);
	chain->head = head;
	chain->nout = chain->nin = 0;
	chain->out_len = chain->in_len = 0;
	if (walk_table(dev, q, vq->desc_addr, vq->num, head, false, chain) < 0)
		return -1;
	vq->last_avail_idx++;
	publish_avail_event(dev, q);
	return 1;
}

void virtq_unpop(struct virtio_mmio *dev, unsigned q, unsigned n)
{
	dev->state.queues[q].last_avail_idx -= n;
	publish_avail_event(dev, q);
}

void virtq_push(struct virtio_mmio *dev, unsigned q, const struct virtq_chain *chain,
		uint32_t written)
{
	if (written > chain->in_len)
		written = (uint32_t)chain->in_len;
	virtq_push_used(dev, q, chain->head, written);
}

void virtq_push_used(struct virtio_mmio *dev, unsigned q, uint16_t head, uint32_t written)
{
	if (!virtio_queue_is_live(dev, q))
		return;
	struct virtq_state *vq = &dev->state.queues[q];
	uint8_t *elem =
	    vm_ram_ptr(dev->bus, vq->device_addr + 4 + 8 * (uint64_t)(vq->used_idx % vq->num), 8);
	if (!elem) {
		virtio_guest_error(dev, "queue %u: used ring outside RAM", q);
		return;
	}
	uint32_t id = head;
	memcpy(elem, &id, 4);
	memcpy(elem + 4, &written, 4);
	/* The element must be visible before the index that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq->used_idx++;
	guest_store16(dev, vq->device_addr + 2, vq->used_idx);
}

/* virtio 1.1 2.6.7.2: interrupt if new_idx passed used_event since old. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

void virtq_notify(struct virtio_mmio *dev, unsigned q)
{
	if (!virtio_queue_is_live(dev, q))
		return;
	struct virtq_state *vq = &dev->state.queues[q];
	uint16_t old = vq->signalled_used, new_idx = vq->used_idx;
	if (old == new_idx)
		return; /* nothing used since the last decision (or the reset) */
	/* Our used idx store must be ordered before reading the driver's flags. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	bool need;
	uint16_t v = 0;
	if (virtio_has_feature(dev, VIRTIO_F_EVENT_IDX)) {
		guest_load16(dev, vq->driver_addr + 4 + 2 * (uint64_t)vq->num, &v);
		need = !vq->signalled_valid || need_event(v, new_idx, old);
	} else {
		guest_load16(dev, vq->driver_addr, &v);
		need = !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	vq->signalled_used = new_idx;
	vq->signalled_valid = 1;
	if (need)
		virtio_raise_interrupt(dev, VIRTIO_INT_USED);
}

/* Copies between host memory and buffers [first, end) of a chain, from
 * byte offset into them: into to_host if it is not NULL, else from
 * from_host into the buffers. */
static size_t chain_copy(const struct virtq_chain *chain, unsigned first, unsigned end,
			 size_t offset, uint8_t *to_host, const uint8_t *from_host, size_t len)
{
	size_t done = 0;
	for (unsigned i = first; i < end && done < len; i++) {
		const struct virtq_buf *b = &chain->bufs[i];
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		size_t n = b->len - offset;
		if (n > len - done)
			n = len - done;
		if (to_host)
			memcpy(to_host + done, b->ptr + offset, n);
		else
			memcpy(b->ptr + offset, from_host + done, n);
		done += n;
		offset = 0;
	}
	return done;
}

size_t virtq_chain_read(const struct virtq_chain *chain, size_t offset, void *dst, size_t len)
{
	return chain_copy(chain, 0, chain->nout, offset, dst, NULL, len);
}

size_t virtq_chain_write(const struct virtq_chain *chain, size_t offset, const void *src,
			 size_t len)
{
	return chain_copy(chain, chain->nout, chain->nout + chain->nin, offset, NULL, src, len);
}
