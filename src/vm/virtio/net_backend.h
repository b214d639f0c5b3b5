/* virtio-net backends: where the guest's frames go and come from. The
 * device hands each transmitted Ethernet frame (without virtio_net_hdr) to
 * send(); the backend delivers received frames through deliver(). */
#ifndef KEEL_VM_VIRTIO_NET_BACKEND_H
#define KEEL_VM_VIRTIO_NET_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vm/machine/loop.h"
#include "vm/virtio/net_spec.h"

/* The largest frame carried either way (no GSO is offered). */
#define NET_MAX_FRAME 65550u

struct net_backend;

struct net_backend_ops {
	void (*send)(struct net_backend *be, const uint8_t *frame, size_t len);
	void (*free)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	/* Set by the device: called with each frame for the guest. */
	void (*deliver)(void *opaque, const uint8_t *frame, size_t len);
	void *deliver_opaque;
};

static inline void net_backend_deliver(struct net_backend *be, const uint8_t *frame, size_t len)
{
	if (be->deliver)
		be->deliver(be->deliver_opaque, frame, len);
}

struct net_backend *net_slirp_create(const struct net_spec *spec, struct vm_loop *loop,
				     struct keel_error *err);
struct net_backend *net_tap_create(const struct net_spec *spec, struct vm_loop *loop,
				   struct keel_error *err);

struct virtio_mmio;
/* A virtio-net with MAC address mac on an already created backend (which it
 * then owns); used by virtio_net_create() and the fuzzer's loopback backend. */
struct virtio_mmio *virtio_net_create_on(struct net_backend *be, const uint8_t mac[6],
					 struct keel_error *err);

#endif
