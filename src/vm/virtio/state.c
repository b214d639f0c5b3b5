/* The guest-visible state of a virtio-mmio device: its field table (see
 * virtio_state.h), saving it and loading it back. */
#include "vm/virtio/virtio_state.h"

#include <string.h>

#include "vm/virtio/virtio_dev.h"
#include "vm/virtio/virtqueue.h"

#define FIELD(member, n)                                                                           \
	{                                                                                          \
#member, offsetof(struct virtio_mmio_state, member),                               \
		    sizeof(((struct virtio_mmio_state *)0)->member) / (n), (n)                     \
	}
#define QUEUE_FIELD(i, member) FIELD(queues[i].member, 1)
#define QUEUE_FIELDS(i)                                                                            \
	QUEUE_FIELD(i, num), QUEUE_FIELD(i, ready), QUEUE_FIELD(i, desc_addr),                     \
	    QUEUE_FIELD(i, driver_addr), QUEUE_FIELD(i, device_addr),                              \
	    QUEUE_FIELD(i, last_avail_idx), QUEUE_FIELD(i, used_idx),                              \
	    QUEUE_FIELD(i, signalled_used), QUEUE_FIELD(i, signalled_valid)

_Static_assert(VIRTIO_MAX_QUEUES == 2, "add QUEUE_FIELDS for the new queues below");

const struct virtio_state_field virtio_mmio_state_fields[] = {
    FIELD(status, 1),
    FIELD(device_features_sel, 1),
    FIELD(driver_features_sel, 1),
    FIELD(queue_sel, 1),
    FIELD(driver_features, 1),
    FIELD(interrupt_status, 1),
    FIELD(config_generation, 1),
    FIELD(config, VIRTIO_CONFIG_MAX),
    QUEUE_FIELDS(0),
    QUEUE_FIELDS(1),
};

const size_t virtio_mmio_state_nfields =
    sizeof(virtio_mmio_state_fields) / sizeof(virtio_mmio_state_fields[0]);

uint32_t virtio_mmio_device_id(const struct virtio_mmio *dev)
{
	return dev->ops->device_id;
}

const struct virtio_mmio_state *virtio_mmio_save_state(const struct virtio_mmio *dev)
{
	return &dev->state;
}

/* A snapshot file is as untrusted as the guest: every queue it marks ready
 * must fit the device and lie in RAM before the device may use it. */
static int check_queues(struct virtio_mmio *dev, struct keel_error *err)
{
	for (unsigned q = 0; q < VIRTIO_MAX_QUEUES; q++) {
		const struct virtq_state *vq = &dev->state.queues[q];
		if (!vq->ready)
			continue;
		if (q >= dev->ops->num_queues || !virtq_rings_valid(dev, q))
			return keel_error_set(err, 0, "%s: queue %u: size %u or rings invalid",
					      dev->ops->name, q, vq->num);
	}
	return 0;
}

int virtio_mmio_load_state(struct virtio_mmio *dev, const struct virtio_mmio_state *state,
			   struct keel_error *err)
{
	if (!dev->attached)
		return keel_error_set(err, 0, "%s: load state before attach", dev->ops->name);
	struct virtio_mmio_state saved = dev->state;
	dev->state = *state;
	if (check_queues(dev, err) < 0) {
		dev->state = saved;
		return -1;
	}
	vm_irq_set(&dev->irq, dev->state.interrupt_status != 0);
	if (virtio_is_live(dev))
		virtio_mmio_driver_ready(dev); /* e.g. the console watches its input again */
	return 0;
}
