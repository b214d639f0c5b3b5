/* virtio-rng (device id 4): fills each writable buffer from getrandom(). */
#include <errno.h>
#include <stdlib.h>
#include <sys/random.h>

#include "vm/virtio/virtio_dev.h"
#include "vm/virtio/virtqueue.h"

#define RNG_QUEUE_SIZE 64u
/* A request larger than this is served partially, as the spec allows. */
#define RNG_MAX_REQUEST (64u * 1024)

static size_t fill_random(uint8_t *p, size_t len)
{
	size_t done = 0;
	while (done < len) {
		ssize_t n = getrandom(p + done, len - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	return done;
}

/* Readable descriptors are ignored: the device never writes into them. */
static uint32_t fill_chain(const struct virtq_chain *chain)
{
	uint32_t total = 0;
	for (unsigned i = chain->nout; i < chain->nout + chain->nin; i++) {
		const struct virtq_buf *b = &chain->bufs[i];
		size_t want = b->len;
		if (want > RNG_MAX_REQUEST - total)
			want = RNG_MAX_REQUEST - total;
		size_t got = fill_random(b->ptr, want);
		total += (uint32_t)got;
		if (got < b->len)
			break;
	}
	return total;
}

static void rng_notify(struct virtio_mmio *dev, unsigned q)
{
	struct virtq_chain chain;
	while (virtq_pop(dev, q, &chain) > 0)
		virtq_push(dev, q, &chain, fill_chain(&chain));
	virtq_notify(dev, q);
}

static const struct virtio_device_ops rng_ops = {
    .name = "virtio-rng",
    .device_id = 4,
    .num_queues = 1,
    .notify = rng_notify,
};

struct virtio_mmio *virtio_rng_create(struct keel_error *err)
{
	struct virtio_mmio *dev = virtio_mmio_new(&rng_ops, NULL, 0, RNG_QUEUE_SIZE, 0);
	if (!dev)
		keel_error_errno(err, "virtio-rng");
	return dev;
}
