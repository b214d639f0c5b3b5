/* virtio-net (device id 1): queue 0 receives, queue 1 transmits. Every
 * frame carries a 12-byte virtio_net_hdr (VERSION_1 layout) in front; we
 * offer no offloads, so on transmit it is skipped and on receive it is
 * zero but for num_buffers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vm/virtio/net_backend.h"
#include "vm/virtio/virtio_dev.h"
#include "vm/virtio/virtqueue.h"

#define VIRTIO_NET_F_MAC       5
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS    16

#define VIRTIO_NET_S_LINK_UP 1

#define NET_RXQ		    0
#define NET_TXQ		    1
#define NET_QUEUE_SIZE	    256u
#define NET_HDR_LEN	    12u
#define NET_HDR_NUM_BUFFERS 10u

#define CFG_MAC	   0
#define CFG_STATUS 6
#define CFG_LEN	   12

struct virtio_net {
	struct net_backend *backend;
	uint8_t tx_frame[NET_MAX_FRAME];
};

/* Writes bytes [pos, pos + len) of "header then frame" into a chain at offset. */
static void write_packet_range(const struct virtq_chain *chain, size_t offset, const uint8_t *hdr,
			       const uint8_t *frame, size_t pos, size_t len)
{
	if (pos < NET_HDR_LEN) {
		size_t n = NET_HDR_LEN - pos < len ? NET_HDR_LEN - pos : len;
		virtq_chain_write(chain, offset, hdr + pos, n);
		offset += n;
		pos += n;
		len -= n;
	}
	if (len)
		virtq_chain_write(chain, offset, frame + (pos - NET_HDR_LEN), len);
}

/* Without MRG_RXBUF each frame takes exactly one chain. */
static void receive_single(struct virtio_mmio *dev, const uint8_t *hdr, const uint8_t *frame,
			   size_t len)
{
	struct virtq_chain chain;
	if (virtq_pop(dev, NET_RXQ, &chain) <= 0)
		return; /* no buffer: drop, TCP retransmits */
	if (chain.in_len < NET_HDR_LEN + len) {
		virtq_unpop(dev, NET_RXQ, 1); /* too small for this one: drop */
		return;
	}
	write_packet_range(&chain, 0, hdr, frame, 0, NET_HDR_LEN + len);
	virtq_push(dev, NET_RXQ, &chain, (uint32_t)(NET_HDR_LEN + len));
}

/* With MRG_RXBUF a frame spreads over as many chains as it needs; the
 * header of the first says how many. All or nothing. */
static void receive_mergeable(struct virtio_mmio *dev, const uint8_t *hdr, const uint8_t *frame,
			      size_t len)
{
	struct virtq_chain first, chain, *c = &first;
	uint16_t heads[NET_QUEUE_SIZE];
	uint32_t lens[NET_QUEUE_SIZE];
	size_t total = NET_HDR_LEN + len, pos = 0;
	unsigned n = 0;
	if (virtq_pop(dev, NET_RXQ, &first) <= 0)
		return;
	if (first.in_len < NET_HDR_LEN) {
		virtq_unpop(dev, NET_RXQ, 1);
		return;
	}
	for (;;) {
		size_t take = total - pos < c->in_len ? total - pos : (size_t)c->in_len;
		write_packet_range(c, 0, hdr, frame, pos, take);
		heads[n] = c->head;
		lens[n++] = (uint32_t)take;
		pos += take;
		if (pos == total)
			break;
		c = &chain;
		int r = n < NET_QUEUE_SIZE ? virtq_pop(dev, NET_RXQ, c) : 0;
		if (r < 0)
			return; /* device broken: nothing more to do */
		if (r == 0) {
			virtq_unpop(dev, NET_RXQ, n); /* not enough room: drop */
			return;
		}
	}
	uint16_t num_buffers = (uint16_t)n;
	virtq_chain_write(&first, NET_HDR_NUM_BUFFERS, &num_buffers, sizeof(num_buffers));
	for (unsigned i = 0; i < n; i++)
		virtq_push_used(dev, NET_RXQ, heads[i], lens[i]);
}

static void net_deliver(void *opaque, const uint8_t *frame, size_t len)
{
	struct virtio_mmio *dev = opaque;
	uint8_t hdr[NET_HDR_LEN] = {0};
	hdr[NET_HDR_NUM_BUFFERS] = 1;
	if (len > NET_MAX_FRAME || !virtio_queue_is_live(dev, NET_RXQ))
		return;
	if (virtio_has_feature(dev, VIRTIO_NET_F_MRG_RXBUF))
		receive_mergeable(dev, hdr, frame, len);
	else
		receive_single(dev, hdr, frame, len);
	virtq_notify(dev, NET_RXQ);
}

static void transmit(struct virtio_mmio *dev)
{
	struct virtio_net *net = dev->impl;
	struct virtq_chain chain;
	while (virtq_pop(dev, NET_TXQ, &chain) > 0) {
		if (chain.out_len >= NET_HDR_LEN && chain.out_len - NET_HDR_LEN <= NET_MAX_FRAME) {
			size_t n = virtq_chain_read(&chain, NET_HDR_LEN, net->tx_frame,
						    chain.out_len - NET_HDR_LEN);
			net->backend->ops->send(net->backend, net->tx_frame, n);
		}
		virtq_push(dev, NET_TXQ, &chain, 0);
	}
	virtq_notify(dev, NET_TXQ);
}

static void net_notify(struct virtio_mmio *dev, unsigned q)
{
	if (q == NET_TXQ)
		transmit(dev);
	/* New receive buffers: frames that found none were dropped already. */
}

static void net_free(struct virtio_mmio *dev)
{
	struct virtio_net *net = dev->impl;
	net->backend->ops->free(net->backend);
	free(net);
}

static const struct virtio_device_ops net_ops = {
    .name = "virtio-net",
    .device_id = 1,
    .num_queues = 2,
    .notify = net_notify,
    .free = net_free,
};

struct virtio_mmio *virtio_net_create_on(struct net_backend *be, const uint8_t mac[6],
					 struct keel_error *err)
{
	struct virtio_net *net = calloc(1, sizeof(*net));
	uint64_t features =
	    BIT64(VIRTIO_NET_F_MAC) | BIT64(VIRTIO_NET_F_STATUS) | BIT64(VIRTIO_NET_F_MRG_RXBUF);
	struct virtio_mmio *dev =
	    net ? virtio_mmio_new(&net_ops, net, features, NET_QUEUE_SIZE, CFG_LEN) : NULL;
	if (!dev) {
		keel_error_errno(err, "virtio-net");
		free(net);
		be->ops->free(be);
		return NULL;
	}
	net->backend = be;
	be->deliver = net_deliver;
	be->deliver_opaque = dev;
	memcpy(dev->state.config + CFG_MAC, mac, 6);
	virtio_config_put16(dev, CFG_STATUS, VIRTIO_NET_S_LINK_UP);
	return dev;
}

struct virtio_mmio *virtio_net_create(const char *text, struct vm_loop *loop,
				      struct keel_error *err)
{
	struct net_spec spec;
	if (net_spec_parse(text, &spec, err) < 0)
		return NULL;
	struct net_backend *be = spec.kind == NET_USER ? net_slirp_create(&spec, loop, err)
						       : net_tap_create(&spec, loop, err);
	if (!be)
		return NULL;
	return virtio_net_create_on(be, spec.mac, err);
}
