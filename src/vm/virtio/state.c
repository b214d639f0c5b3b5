/* The field table of struct virtio_mmio_state (see virtio_state.h). */
#include "vm/virtio/virtio_state.h"

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
