/* virtio-mmio transport, version 2 (virtio 1.1 section 4.2): the register
 * file a driver programs, feature negotiation, device status and reset,
 * queue setup, notifications and the interrupt line. */
#include "vm/virtio/virtio_dev.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vm/virtio/virtqueue.h"

enum {
	REG_MAGIC = 0x000,
	REG_VERSION = 0x004,
	REG_DEVICE_ID = 0x008,
	REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010,
	REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020,
	REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030,
	REG_QUEUE_NUM_MAX = 0x034,
	REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044,
	REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060,
	REG_INTERRUPT_ACK = 0x064,
	REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080,
	REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090,
	REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0,
	REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_SHM_SEL = 0x0ac,
	REG_SHM_LEN_LOW = 0x0b0,
	REG_SHM_LEN_HIGH = 0x0b4,
	REG_SHM_BASE_LOW = 0x0b8,
	REG_SHM_BASE_HIGH = 0x0bc,
	REG_CONFIG_GENERATION = 0x0fc,
	REG_CONFIG = 0x100,
};

/* Features the transport itself offers on top of the device's. */
#define TRANSPORT_FEATURES                                                                         \
	(BIT64(VIRTIO_F_VERSION_1) | BIT64(VIRTIO_F_EVENT_IDX) | BIT64(VIRTIO_F_INDIRECT_DESC))

static uint64_t offered_features(const struct virtio_mmio *dev)
{
	return dev->device_features | TRANSPORT_FEATURES;
}

struct virtio_mmio *virtio_mmio_new(const struct virtio_device_ops *ops, void *impl,
				    uint64_t device_features, uint16_t queue_max,
				    uint32_t config_len)
{
	struct virtio_mmio *dev = calloc(1, sizeof(*dev));
	if (!dev)
		return NULL;
	dev->ops = ops;
	dev->impl = impl;
	dev->device_features = device_features;
	dev->queue_max = queue_max > VIRTIO_QUEUE_MAX_SIZE ? VIRTIO_QUEUE_MAX_SIZE : queue_max;
	dev->config_len = config_len > VIRTIO_CONFIG_MAX ? VIRTIO_CONFIG_MAX : config_len;
	return dev;
}

void virtio_mmio_free(struct virtio_mmio *dev)
{
	if (!dev)
		return;
	if (dev->ops->free)
		dev->ops->free(dev);
	free(dev);
}

bool virtio_is_live(const struct virtio_mmio *dev)
{
	uint32_t s = dev->state.status;
	return (s & VIRTIO_STATUS_DRIVER_OK) &&
	       !(s & (VIRTIO_STATUS_NEEDS_RESET | VIRTIO_STATUS_FAILED));
}

bool virtio_queue_is_live(const struct virtio_mmio *dev, unsigned q)
{
	return q < dev->ops->num_queues && dev->state.queues[q].ready && virtio_is_live(dev);
}

static void update_irq(struct virtio_mmio *dev)
{
	if (dev->attached)
		vm_irq_set(&dev->irq, dev->state.interrupt_status != 0);
}

void virtio_raise_interrupt(struct virtio_mmio *dev, uint32_t bits)
{
	dev->state.interrupt_status |= bits;
	update_irq(dev);
}

void virtio_config_changed(struct virtio_mmio *dev)
{
	dev->state.config_generation++;
	virtio_raise_interrupt(dev, VIRTIO_INT_CONFIG);
}

/* A guest that breaks and resets its device in a loop would flood the
 * log: each device logs its first few guest errors only. */
#define GUEST_ERRORS_LOGGED_MAX 32

static void log_guest_error(struct virtio_mmio *dev, const char *fmt, va_list ap)
{
	if (dev->guest_errors_logged > GUEST_ERRORS_LOGGED_MAX)
		return;
	char msg[256];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_warn("%s at 0x%llx: guest error: %s; device needs reset%s", dev->ops->name,
		 (unsigned long long)dev->base, msg,
		 dev->guest_errors_logged++ == GUEST_ERRORS_LOGGED_MAX
		     ? " (further guest errors of this device are not logged)"
		     : "");
}

int virtio_guest_error(struct virtio_mmio *dev, const char *fmt, ...)
{
	if (dev->state.status & VIRTIO_STATUS_NEEDS_RESET)
		return -1; /* already reported */
	va_list ap;
	va_start(ap, fmt);
	log_guest_error(dev, fmt, ap);
	va_end(ap);
	dev->state.status |= VIRTIO_STATUS_NEEDS_RESET;
	virtio_config_changed(dev);
	return -1;
}

static void config_put(struct virtio_mmio *dev, uint32_t off, uint64_t v, unsigned size)
{
	if (off <= dev->config_len && size <= dev->config_len - off)
		memcpy(dev->state.config + off, &v, size);
}

void virtio_config_put16(struct virtio_mmio *dev, uint32_t off, uint16_t v)
{
	config_put(dev, off, v, 2);
}

void virtio_config_put32(struct virtio_mmio *dev, uint32_t off, uint32_t v)
{
	config_put(dev, off, v, 4);
}

void virtio_config_put64(struct virtio_mmio *dev, uint32_t off, uint64_t v)
{
	config_put(dev, off, v, 8);
}

static void reset_device(struct virtio_mmio *dev)
{
	struct virtio_mmio_state *s = &dev->state;
	s->status = 0;
	s->device_features_sel = s->driver_features_sel = s->queue_sel = 0;
	s->driver_features = 0;
	s->interrupt_status = 0;
	memset(s->queues, 0, sizeof(s->queues));
	update_irq(dev);
	if (dev->ops->reset)
		dev->ops->reset(dev);
}

/* FEATURES_OK is only kept if the driver asked for a subset of what we
 * offer and speaks virtio 1 (no legacy interface here). */
static bool features_acceptable(const struct virtio_mmio *dev)
{
	uint64_t f = dev->state.driver_features;
	return (f & ~offered_features(dev)) == 0 && (f & BIT64(VIRTIO_F_VERSION_1));
}

/* Kicks that came before DRIVER_OK were ignored: serve what is queued. */
void virtio_mmio_driver_ready(struct virtio_mmio *dev)
{
	if (dev->ops->driver_ok)
		dev->ops->driver_ok(dev);
	for (unsigned q = 0; q < dev->ops->num_queues; q++)
		if (virtio_queue_is_live(dev, q) && dev->ops->notify)
			dev->ops->notify(dev, q);
}

static void write_status(struct virtio_mmio *dev, uint32_t value)
{
	struct virtio_mmio_state *s = &dev->state;
	if (value == 0) {
		reset_device(dev);
		return;
	}
	uint32_t old = s->status;
	value &= 0xff & ~VIRTIO_STATUS_NEEDS_RESET; /* the device owns that bit */
	if ((value & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK) &&
	    !features_acceptable(dev))
		value &= ~VIRTIO_STATUS_FEATURES_OK;
	/* DRIVER_OK without accepted features is a driver bug: refuse it. */
	if (!(value & VIRTIO_STATUS_FEATURES_OK))
		value &= ~VIRTIO_STATUS_DRIVER_OK;
	s->status = value | (old & VIRTIO_STATUS_NEEDS_RESET);
	if ((value & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		virtio_mmio_driver_ready(dev);
}

static struct virtq_state *selected_queue(struct virtio_mmio *dev)
{
	if (dev->state.queue_sel >= dev->ops->num_queues)
		return NULL;
	return &dev->state.queues[dev->state.queue_sel];
}

static void set_low(uint64_t *v, uint32_t lo)
{
	*v = (*v & ~UINT64_C(0xffffffff)) | lo;
}

static void set_high(uint64_t *v, uint32_t hi)
{
	*v = (*v & UINT64_C(0xffffffff)) | ((uint64_t)hi << 32);
}

static void write_queue_ready(struct virtio_mmio *dev, struct virtq_state *vq, uint32_t value)
{
	if (!(value & 1)) {
		vq->ready = 0;
		return;
	}
	if (vq->ready)
		return;
	if (!virtq_rings_valid(dev, dev->state.queue_sel)) {
		virtio_guest_error(dev, "queue %u: size %u or ring addresses invalid",
				   dev->state.queue_sel, vq->num);
		return;
	}
	vq->ready = 1;
}

/* Queue layout registers are writable only while the queue is not ready. */
static void write_queue_reg(struct virtio_mmio *dev, uint64_t off, uint32_t value)
{
	struct virtq_state *vq = selected_queue(dev);
	if (!vq)
		return;
	if (off == REG_QUEUE_READY) {
		write_queue_ready(dev, vq, value);
		return;
	}
	if (vq->ready)
		return;
	switch (off) {
	case REG_QUEUE_NUM:
		vq->num = value;
		break;
	case REG_QUEUE_DESC_LOW:
		set_low(&vq->desc_addr, value);
		break;
	case REG_QUEUE_DESC_HIGH:
		set_high(&vq->desc_addr, value);
		break;
	case REG_QUEUE_DRIVER_LOW:
		set_low(&vq->driver_addr, value);
		break;
	case REG_QUEUE_DRIVER_HIGH:
		set_high(&vq->driver_addr, value);
		break;
	case REG_QUEUE_DEVICE_LOW:
		set_low(&vq->device_addr, value);
		break;
	case REG_QUEUE_DEVICE_HIGH:
		set_high(&vq->device_addr, value);
		break;
	}
}

static void write_driver_features(struct virtio_mmio *dev, uint32_t value)
{
	struct virtio_mmio_state *s = &dev->state;
	if (s->status & VIRTIO_STATUS_FEATURES_OK)
		return; /* frozen once accepted */
	if (s->driver_features_sel == 0)
		set_low(&s->driver_features, value);
	else if (s->driver_features_sel == 1)
		set_high(&s->driver_features, value);
}

static void queue_notify(struct virtio_mmio *dev, uint32_t value)
{
	unsigned q = value & 0xffff; /* upper half: notification data, not negotiated */
	if (virtio_queue_is_live(dev, q) && dev->ops->notify)
		dev->ops->notify(dev, q);
}

static void register_write(struct virtio_mmio *dev, uint64_t off, uint32_t value)
{
	struct virtio_mmio_state *s = &dev->state;
	switch (off) {
	case REG_DEVICE_FEATURES_SEL:
		s->device_features_sel = value;
		break;
	case REG_DRIVER_FEATURES:
		write_driver_features(dev, value);
		break;
	case REG_DRIVER_FEATURES_SEL:
		s->driver_features_sel = value;
		break;
	case REG_QUEUE_SEL:
		s->queue_sel = value;
		break;
	case REG_QUEUE_NOTIFY:
		queue_notify(dev, value);
		break;
	case REG_INTERRUPT_ACK:
		s->interrupt_status &= ~value;
		update_irq(dev);
		break;
	case REG_STATUS:
		write_status(dev, value);
		break;
	case REG_QUEUE_NUM:
	case REG_QUEUE_READY:
	case REG_QUEUE_DESC_LOW:
	case REG_QUEUE_DESC_HIGH:
	case REG_QUEUE_DRIVER_LOW:
	case REG_QUEUE_DRIVER_HIGH:
	case REG_QUEUE_DEVICE_LOW:
	case REG_QUEUE_DEVICE_HIGH:
		write_queue_reg(dev, off, value);
		break;
	}
}

static uint32_t read_device_features(const struct virtio_mmio *dev)
{
	uint64_t f = offered_features(dev);
	switch (dev->state.device_features_sel) {
	case 0:
		return (uint32_t)f;
	case 1:
		return (uint32_t)(f >> 32);
	default:
		return 0;
	}
}

static uint32_t register_read(struct virtio_mmio *dev, uint64_t off)
{
	struct virtio_mmio_state *s = &dev->state;
	struct virtq_state *vq = selected_queue(dev);
	switch (off) {
	case REG_MAGIC:
		return VIRTIO_MMIO_MAGIC;
	case REG_VERSION:
		return 2;
	case REG_DEVICE_ID:
		return dev->ops->device_id;
	case REG_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case REG_DEVICE_FEATURES:
		return read_device_features(dev);
	case REG_QUEUE_NUM_MAX:
		return vq ? dev->queue_max : 0;
	case REG_QUEUE_READY:
		return vq ? vq->ready : 0;
	case REG_INTERRUPT_STATUS:
		return s->interrupt_status;
	case REG_STATUS:
		return s->status;
	case REG_SHM_LEN_LOW:
	case REG_SHM_LEN_HIGH:
		return 0xffffffffu; /* no shared memory regions */
	case REG_CONFIG_GENERATION:
		return s->config_generation;
	default:
		return 0;
	}
}

static uint64_t config_read(const struct virtio_mmio *dev, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	if (off <= dev->config_len && size <= dev->config_len - off)
		memcpy(&v, dev->state.config + off, size);
	return v;
}

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
	struct virtio_mmio *dev = opaque;
	if (offset >= REG_CONFIG)
		return config_read(dev, offset - REG_CONFIG, size);
	if (size != 4 || offset % 4)
		return 0; /* registers are 32-bit only */
	return register_read(dev, offset);
}

static void mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct virtio_mmio *dev = opaque;
	/* Config space is read-only for our devices (no writable fields offered). */
	if (offset >= REG_CONFIG || size != 4 || offset % 4)
		return;
	register_write(dev, offset, (uint32_t)value);
}

int virtio_mmio_attach(struct virtio_mmio *dev, struct vm_bus *bus, uint64_t base,
		       struct vm_irq irq, struct keel_error *err)
{
	struct vm_mmio_region region = {
	    .name = dev->ops->name,
	    .base = base,
	    .size = VIRTIO_MMIO_SIZE,
	    .read = mmio_read,
	    .write = mmio_write,
	    .opaque = dev,
	};
	if (vm_bus_add_mmio(bus, &region) < 0)
		return keel_error_set(err, 0, "%s: cannot map registers at 0x%llx", dev->ops->name,
				      (unsigned long long)base);
	dev->bus = bus;
	dev->irq = irq;
	dev->base = base;
	dev->attached = true;
	return 0;
}
