/* Unit tests for src/vm/virtio: a fake guest RAM and bus, virtqueues laid
 * out by hand, and the MMIO registers driven the way a driver drives them.
 * Hostile layouts must leave the device in DEVICE_NEEDS_RESET without
 * touching memory outside RAM (run under ASan to check the latter: RAM is
 * a heap block here, so any stray access is caught). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "vm/machine/bus.h"
#include "vm/machine/loop.h"
#include "vm/virtio/net_spec.h"
#include "vm/virtio/virtio.h"
#include "vm/virtio/virtio_state.h"

/* ---- test double of the machine's event loop ---------------------------- */

struct vm_loop {
	struct {
		int fd;
		void (*cb)(void *opaque, short revents);
		void *opaque;
	} watch[8];
	int nwatch;
	struct vm_loop_hook hooks[4];
	int nhooks;
};

int vm_pollset_add(struct vm_pollset *set, int fd, short events)
{
	if (set->n >= VM_LOOP_MAX_FDS)
		return -1;
	set->fds[set->n] = (struct pollfd){fd, events, 0};
	return set->n++;
}

int vm_loop_watch_fd(struct vm_loop *loop, int fd, short events,
		     void (*cb)(void *opaque, short revents), void *opaque)
{
	if (loop->nwatch == 8)
		return -1;
	loop->watch[loop->nwatch].fd = fd;
	loop->watch[loop->nwatch].cb = cb;
	loop->watch[loop->nwatch].opaque = opaque;
	loop->nwatch++;
	return 0;
}

void vm_loop_unwatch_fd(struct vm_loop *loop, int fd)
{
	for (int i = 0; i < loop->nwatch; i++)
		if (loop->watch[i].fd == fd) {
			loop->watch[i] = loop->watch[--loop->nwatch];
			return;
		}
}

int vm_loop_add_hook(struct vm_loop *loop, const struct vm_loop_hook *hook)
{
	if (loop->nhooks == 4)
		return -1;
	loop->hooks[loop->nhooks++] = *hook;
	return 0;
}

int64_t vm_loop_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One pass of the loop with a zero timeout: hooks and watches. */
static void loop_run_once(struct vm_loop *loop)
{
	struct vm_pollset set = {.n = 0};
	int timeout = 0;
	for (int i = 0; i < loop->nhooks; i++)
		loop->hooks[i].fill(loop->hooks[i].opaque, &set, &timeout);
	int r = poll(set.fds, (nfds_t)set.n, 0);
	for (int i = 0; i < loop->nhooks; i++)
		loop->hooks[i].dispatch(loop->hooks[i].opaque, &set, r);
	for (int i = 0; i < loop->nwatch; i++) {
		struct pollfd p = {loop->watch[i].fd, POLLIN, 0};
		if (poll(&p, 1, 0) > 0)
			loop->watch[i].cb(loop->watch[i].opaque, p.revents);
	}
}

/* ---- fake machine: RAM, bus, interrupt line ----------------------------- */

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1u << 20)
#define DEV_BASE 0x10001000ull

/* guest-physical layout used by the tests */
#define Q0_DESC	   (RAM_BASE + 0x0000)
#define Q0_AVAIL   (RAM_BASE + 0x1000)
#define Q0_USED	   (RAM_BASE + 0x2000)
#define Q1_DESC	   (RAM_BASE + 0x4000)
#define Q1_AVAIL   (RAM_BASE + 0x5000)
#define Q1_USED	   (RAM_BASE + 0x6000)
#define INDIRECT   (RAM_BASE + 0x8000)
#define DATA	   (RAM_BASE + 0x10000)
#define QUEUE_SIZE 16

/* MMIO register offsets (virtio 1.1, 4.2.2) */
enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
	R_VENDOR = 0x00c,
	R_DEV_FEAT = 0x010,
	R_DEV_FEAT_SEL = 0x014,
	R_DRV_FEAT = 0x020,
	R_DRV_FEAT_SEL = 0x024,
	R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM_MAX = 0x034,
	R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050,
	R_INT_STATUS = 0x060,
	R_INT_ACK = 0x064,
	R_STATUS = 0x070,
	R_DESC_LO = 0x080,
	R_DESC_HI = 0x084,
	R_DRIVER_LO = 0x090,
	R_DRIVER_HI = 0x094,
	R_DEVICE_LO = 0x0a0,
	R_DEVICE_HI = 0x0a4,
	R_CONFIG = 0x100,
};

#define S_ACK	      1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 64u

#define F_INDIRECT  (1ull << 28)
#define F_EVENT_IDX (1ull << 29)
#define F_VERSION_1 (1ull << 32)

#define D_NEXT	   1
#define D_WRITE	   2
#define D_INDIRECT 4

struct fixture {
	struct vm_bus bus;
	struct vm_loop loop;
	struct virtio_mmio *dev;
	int irq_level;
	char image[64];
	int image_fd;
};

static struct fixture *fx;

static void set_level(void *plic, unsigned irq, int level)
{
	((struct fixture *)plic)->irq_level = level;
}

static int setup(void **state)
{
	fx = calloc(1, sizeof(*fx));
	fx->bus.ram = calloc(1, RAM_SIZE);
	fx->bus.ram_base = RAM_BASE;
	fx->bus.ram_size = RAM_SIZE;
	fx->image_fd = -1;
	return 0;
}

static int teardown(void **state)
{
	virtio_mmio_free(fx->dev);
	if (fx->image_fd >= 0)
		close(fx->image_fd);
	if (fx->image[0])
		unlink(fx->image);
	free(fx->bus.ram);
	free(fx);
	fx = NULL;
	return 0;
}

static void attach(struct virtio_mmio *dev)
{
	struct keel_error err = {0};
	assert_non_null(dev);
	fx->dev = dev;
	struct vm_irq irq = {set_level, fx, 1};
	assert_int_equal(virtio_mmio_attach(dev, &fx->bus, DEV_BASE, irq, &err), 0);
}

static uint32_t rd(uint64_t off)
{
	uint64_t v = 0;
	assert_true(vm_bus_load(&fx->bus, DEV_BASE + off, 4, &v));
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	assert_true(vm_bus_store(&fx->bus, DEV_BASE + off, 4, v));
}

static uint8_t *ram(uint64_t gpa)
{
	return fx->bus.ram + (gpa - RAM_BASE);
}

static uint16_t ram16(uint64_t gpa)
{
	uint16_t v;
	memcpy(&v, ram(gpa), 2);
	return v;
}

static void put16(uint64_t gpa, uint16_t v)
{
	memcpy(ram(gpa), &v, 2);
}

static uint64_t device_features(void)
{
	wr(R_DEV_FEAT_SEL, 0);
	uint64_t lo = rd(R_DEV_FEAT);
	wr(R_DEV_FEAT_SEL, 1);
	return lo | (uint64_t)rd(R_DEV_FEAT) << 32;
}

/* Reset, acknowledge, negotiate `want & offered`; returns the status read back. */
static uint32_t negotiate(uint64_t want)
{
	wr(R_STATUS, 0);
	wr(R_STATUS, S_ACK);
	wr(R_STATUS, S_ACK | S_DRIVER);
	uint64_t f = device_features() & want;
	wr(R_DRV_FEAT_SEL, 0);
	wr(R_DRV_FEAT, (uint32_t)f);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, (uint32_t)(f >> 32));
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	return rd(R_STATUS);
}

static void setup_queue(unsigned q, uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(R_QUEUE_SEL, q);
	wr(R_QUEUE_NUM, num);
	wr(R_DESC_LO, (uint32_t)desc);
	wr(R_DESC_HI, (uint32_t)(desc >> 32));
	wr(R_DRIVER_LO, (uint32_t)avail);
	wr(R_DRIVER_HI, (uint32_t)(avail >> 32));
	wr(R_DEVICE_LO, (uint32_t)used);
	wr(R_DEVICE_HI, (uint32_t)(used >> 32));
	wr(R_QUEUE_READY, 1);
}

/* Full driver bring-up of queues 0 (and 1 if nq == 2). */
static void driver_start(uint64_t want, unsigned nq)
{
	memset(fx->bus.ram, 0, 0x10000);
	assert_true(negotiate(want | F_VERSION_1) & S_FEATURES_OK);
	setup_queue(0, QUEUE_SIZE, Q0_DESC, Q0_AVAIL, Q0_USED);
	if (nq > 1)
		setup_queue(1, QUEUE_SIZE, Q1_DESC, Q1_AVAIL, Q1_USED);
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(rd(R_STATUS), S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void desc_at(uint64_t table, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		    uint16_t next)
{
	uint8_t *p = ram(table + 16 * i);
	memcpy(p, &addr, 8);
	memcpy(p + 8, &len, 4);
	memcpy(p + 12, &flags, 2);
	memcpy(p + 14, &next, 2);
}

static void desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	desc_at(Q0_DESC, i, addr, len, flags, next);
}

/* Makes head available on queue q (rings at avail) and kicks. */
static void submit_on(unsigned q, uint64_t avail, uint16_t head)
{
	uint16_t idx = ram16(avail + 2);
	put16(avail + 4 + 2 * (idx % QUEUE_SIZE), head);
	put16(avail + 2, idx + 1);
	wr(R_QUEUE_NOTIFY, q);
}

static void submit(uint16_t head)
{
	submit_on(0, Q0_AVAIL, head);
}

static uint16_t used_idx(uint64_t used)
{
	return ram16(used + 2);
}

static void used_elem(uint64_t used, unsigned i, uint32_t *id, uint32_t *len)
{
	memcpy(id, ram(used + 4 + 8 * (i % QUEUE_SIZE)), 4);
	memcpy(len, ram(used + 8 + 8 * (i % QUEUE_SIZE)), 4);
}

static void assert_needs_reset(void)
{
	assert_true(rd(R_STATUS) & S_NEEDS_RESET);
	assert_true(rd(R_INT_STATUS) & 2); /* configuration change */
	assert_int_equal(fx->irq_level, 1);
}

/* ---- transport ------------------------------------------------------------ */

static void mmio_identifies_device(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	assert_int_equal(rd(R_MAGIC), 0x74726976);
	assert_int_equal(rd(R_VERSION), 2);
	assert_int_equal(rd(R_DEVICE_ID), 4);
	uint64_t f = device_features();
	assert_true(f & F_VERSION_1);
	assert_true(f & F_EVENT_IDX);
	assert_true(f & F_INDIRECT);
	wr(R_QUEUE_SEL, 0);
	assert_true(rd(R_QUEUE_NUM_MAX) >= QUEUE_SIZE);
	wr(R_QUEUE_SEL, 5); /* no such queue */
	assert_int_equal(rd(R_QUEUE_NUM_MAX), 0);
}

static void mmio_refuses_legacy_and_unknown_features(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	assert_false(negotiate(0) & S_FEATURES_OK); /* no VERSION_1 */
	wr(R_STATUS, 0);
	wr(R_STATUS, S_ACK | S_DRIVER);
	wr(R_DRV_FEAT_SEL, 1);
	wr(R_DRV_FEAT, 1 | 0x80000000u); /* VERSION_1 + an unoffered bit */
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	assert_false(rd(R_STATUS) & S_FEATURES_OK);
	/* and DRIVER_OK cannot sneak past it */
	wr(R_STATUS, S_ACK | S_DRIVER | S_DRIVER_OK);
	assert_false(rd(R_STATUS) & S_DRIVER_OK);
}

static void mmio_reset_clears_queues_and_interrupts(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	driver_start(0, 1);
	desc(0, DATA, 16, D_WRITE, 0);
	submit(0);
	assert_int_equal(rd(R_INT_STATUS), 1);
	assert_int_equal(fx->irq_level, 1);
	wr(R_INT_ACK, 1);
	assert_int_equal(fx->irq_level, 0);
	submit(0);
	assert_int_equal(fx->irq_level, 1);
	wr(R_STATUS, 0);
	assert_int_equal(rd(R_STATUS), 0);
	assert_int_equal(rd(R_INT_STATUS), 0);
	assert_int_equal(fx->irq_level, 0);
	wr(R_QUEUE_SEL, 0);
	assert_int_equal(rd(R_QUEUE_READY), 0);
}

static void kick_before_driver_ok_is_served_at_driver_ok(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	assert_true(negotiate(F_VERSION_1) & S_FEATURES_OK);
	setup_queue(0, QUEUE_SIZE, Q0_DESC, Q0_AVAIL, Q0_USED);
	desc(0, DATA, 8, D_WRITE, 0);
	submit(0); /* too early: not served */
	assert_int_equal(used_idx(Q0_USED), 0);
	wr(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	assert_int_equal(used_idx(Q0_USED), 1);
	assert_int_equal(fx->irq_level, 1);
}

/* ---- virtio-rng ------------------------------------------------------------- */

static void rng_fills_writable_buffers(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	driver_start(0, 1);
	desc(0, DATA, 64, D_WRITE | D_NEXT, 1);
	desc(1, DATA + 64, 64, D_WRITE, 0);
	submit(0);
	assert_int_equal(used_idx(Q0_USED), 1);
	uint32_t id, len;
	used_elem(Q0_USED, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 128);
	static const uint8_t zero[64];
	assert_memory_not_equal(ram(DATA), zero, 64);
	assert_memory_not_equal(ram(DATA + 64), zero, 64);
}

static void rng_never_writes_readable_buffers(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	driver_start(0, 1);
	desc(0, DATA, 64, 0, 0);
	submit(0);
	uint32_t id, len;
	used_elem(Q0_USED, 0, &id, &len);
	assert_int_equal(len, 0);
	static const uint8_t zero[64];
	assert_memory_equal(ram(DATA), zero, 64);
}

/* ---- hostile queues ----------------------------------------------------------- */

static void start_rng(void)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	driver_start(F_INDIRECT, 1);
}

static void hostile_descriptor_outside_ram(void **state)
{
	start_rng();
	desc(0, RAM_BASE + RAM_SIZE - 8, 16, D_WRITE, 0); /* crosses the end */
	submit(0);
	assert_int_equal(used_idx(Q0_USED), 0);
	assert_needs_reset();
	/* broken until reset: further kicks are ignored */
	desc(0, DATA, 16, D_WRITE, 0);
	submit(0);
	assert_int_equal(used_idx(Q0_USED), 0);
	/* and a reset brings it back */
	driver_start(F_INDIRECT, 1);
	assert_int_equal(fx->irq_level, 0);
	desc(0, DATA, 16, D_WRITE, 0);
	submit(0);
	assert_int_equal(used_idx(Q0_USED), 1);
}

static void hostile_address_wraps_around(void **state)
{
	start_rng();
	desc(0, UINT64_MAX - 4, 16, D_WRITE, 0);
	submit(0);
	assert_needs_reset();
}

static void hostile_huge_length(void **state)
{
	start_rng();
	desc(0, DATA, UINT32_MAX, D_WRITE, 0);
	submit(0);
	assert_int_equal(used_idx(Q0_USED), 0);
	assert_needs_reset();
}

static void zero_length_descriptors_are_harmless(void **state)
{
	start_rng();
	desc(0, UINT64_MAX, 0, D_WRITE | D_NEXT, 1); /* zero length, address ignored */
	desc(1, DATA, 8, D_WRITE, 0);
	submit(0);
	uint32_t id, len;
	used_elem(Q0_USED, 0, &id, &len);
	assert_int_equal(len, 8);
	assert_false(rd(R_STATUS) & S_NEEDS_RESET);
}

static void hostile_chain_loop(void **state)
{
	start_rng();
	desc(0, DATA, 8, D_WRITE | D_NEXT, 1);
	desc(1, DATA + 8, 8, D_WRITE | D_NEXT, 0);
	submit(0);
	assert_int_equal(used_idx(Q0_USED), 0);
	assert_needs_reset();
}

static void hostile_next_out_of_range(void **state)
{
	start_rng();
	desc(0, DATA, 8, D_WRITE | D_NEXT, QUEUE_SIZE);
	submit(0);
	assert_needs_reset();
}

static void hostile_head_out_of_range(void **state)
{
	start_rng();
	submit(0xffff);
	assert_needs_reset();
}

static void hostile_avail_idx_jump(void **state)
{
	start_rng();
	desc(0, DATA, 8, D_WRITE, 0);
	put16(Q0_AVAIL + 2, QUEUE_SIZE + 1);
	wr(R_QUEUE_NOTIFY, 0);
	assert_int_equal(used_idx(Q0_USED), 0);
	assert_needs_reset();
}

static void hostile_readable_after_writable(void **state)
{
	start_rng();
	desc(0, DATA, 8, D_WRITE | D_NEXT, 1);
	desc(1, DATA + 8, 8, 0, 0);
	submit(0);
	assert_needs_reset();
}

static void indirect_table_is_followed(void **state)
{
	start_rng();
	desc_at(INDIRECT, 0, DATA, 8, D_WRITE | D_NEXT, 1);
	desc_at(INDIRECT, 1, DATA + 100, 8, D_WRITE, 0);
	desc(0, INDIRECT, 32, D_INDIRECT, 0);
	submit(0);
	uint32_t id, len;
	used_elem(Q0_USED, 0, &id, &len);
	assert_int_equal(len, 16);
	assert_false(rd(R_STATUS) & S_NEEDS_RESET);
}

static void hostile_indirect_table_outside_ram(void **state)
{
	start_rng();
	desc(0, RAM_BASE + RAM_SIZE - 16, 32, D_INDIRECT, 0);
	submit(0);
	assert_needs_reset();
}

static void hostile_indirect_nested(void **state)
{
	start_rng();
	desc_at(INDIRECT, 0, INDIRECT, 16, D_INDIRECT, 0);
	desc(0, INDIRECT, 16, D_INDIRECT, 0);
	submit(0);
	assert_needs_reset();
}

static void hostile_indirect_too_big_or_chained(void **state)
{
	start_rng();
	desc(0, INDIRECT, 16 * (QUEUE_SIZE + 1), D_INDIRECT, 0);
	submit(0);
	assert_needs_reset();

	driver_start(F_INDIRECT, 1);
	desc_at(INDIRECT, 0, DATA, 8, D_WRITE, 0);
	desc(0, INDIRECT, 16, D_INDIRECT | D_NEXT, 1);
	desc(1, DATA, 8, D_WRITE, 0);
	submit(0);
	assert_needs_reset();

	driver_start(F_INDIRECT, 1);
	desc(0, INDIRECT, 17, D_INDIRECT, 0); /* not a whole number of descriptors */
	submit(0);
	assert_needs_reset();
}

static void hostile_indirect_loop(void **state)
{
	start_rng();
	desc_at(INDIRECT, 0, DATA, 8, D_WRITE | D_NEXT, 1);
	desc_at(INDIRECT, 1, DATA, 8, D_WRITE | D_NEXT, 0);
	desc(0, INDIRECT, 32, D_INDIRECT, 0);
	submit(0);
	assert_needs_reset();
}

static void hostile_indirect_without_feature(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	driver_start(0, 1);
	desc_at(INDIRECT, 0, DATA, 8, D_WRITE, 0);
	desc(0, INDIRECT, 16, D_INDIRECT, 0);
	submit(0);
	assert_needs_reset();
}

static void hostile_rings_outside_ram(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	assert_true(negotiate(F_VERSION_1) & S_FEATURES_OK);
	setup_queue(0, QUEUE_SIZE, RAM_BASE + RAM_SIZE - 64, Q0_AVAIL, Q0_USED);
	assert_int_equal(rd(R_QUEUE_READY), 0);
	assert_true(rd(R_STATUS) & S_NEEDS_RESET);
	/* a queue larger than the device allows is refused too */
	assert_true(negotiate(F_VERSION_1) & S_FEATURES_OK);
	setup_queue(0, 4096, Q0_DESC, Q0_AVAIL, Q0_USED);
	assert_int_equal(rd(R_QUEUE_READY), 0);
	/* and so is one that is not a power of two */
	assert_true(negotiate(F_VERSION_1) & S_FEATURES_OK);
	setup_queue(0, 12, Q0_DESC, Q0_AVAIL, Q0_USED);
	assert_int_equal(rd(R_QUEUE_READY), 0);
	assert_true(rd(R_STATUS) & S_NEEDS_RESET);
}

/* ---- interrupt suppression --------------------------------------------------- */

static void event_idx_suppresses_interrupts(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	driver_start(F_EVENT_IDX, 1);
	put16(Q0_AVAIL + 4 + 2 * QUEUE_SIZE, 2); /* used_event: wake me after the 3rd */
	desc(0, DATA, 8, D_WRITE, 0);
	submit(0); /* first completion always signals */
	assert_int_equal(fx->irq_level, 1);
	wr(R_INT_ACK, 1);
	submit(0); /* used idx 2: not past used_event yet */
	assert_int_equal(fx->irq_level, 0);
	submit(0); /* used idx 3: crosses used_event 2 */
	assert_int_equal(fx->irq_level, 1);
	/* the device told us when to kick: avail_event = next avail index */
	assert_int_equal(ram16(Q0_USED + 4 + 8 * QUEUE_SIZE), 3);
}

static void no_interrupt_flag_is_honoured(void **state)
{
	struct keel_error err = {0};
	attach(virtio_rng_create(&err));
	driver_start(0, 1);
	put16(Q0_AVAIL, 1); /* VIRTQ_AVAIL_F_NO_INTERRUPT */
	desc(0, DATA, 8, D_WRITE, 0);
	submit(0);
	assert_int_equal(used_idx(Q0_USED), 1);
	assert_int_equal(fx->irq_level, 0);
}

/* ---- virtio-blk ------------------------------------------------------------------ */

#define SECTORS 64

static void make_image(void)
{
	strcpy(fx->image, "/tmp/keel-test-blk-XXXXXX");
	fx->image_fd = mkstemp(fx->image);
	assert_true(fx->image_fd >= 0);
	uint8_t sector[512];
	for (int s = 0; s < SECTORS; s++) {
		memset(sector, s, sizeof(sector));
		assert_int_equal(write(fx->image_fd, sector, sizeof(sector)), sizeof(sector));
	}
}

static void start_blk(const char *opts)
{
	struct keel_error err = {0};
	char spec[128];
	make_image();
	snprintf(spec, sizeof(spec), "%s%s", fx->image, opts);
	attach(virtio_blk_create(spec, &err));
	driver_start(F_INDIRECT, 1);
}

#define HDR    (DATA)
#define BUF    (DATA + 0x100)
#define STATUS (DATA + 0x80)

/* header, one data buffer (device-writable for reads), status; returns status */
static uint8_t blk_request(uint32_t type, uint64_t sector, uint32_t len, bool device_writes)
{
	uint8_t hdr[16] = {0};
	memcpy(hdr, &type, 4);
	memcpy(hdr + 8, &sector, 8);
	memcpy(ram(HDR), hdr, 16);
	*ram(STATUS) = 0xee;
	desc(0, HDR, 16, D_NEXT, 1);
	if (len) {
		desc(1, BUF, len, D_NEXT | (device_writes ? D_WRITE : 0), 2);
		desc(2, STATUS, 1, D_WRITE, 0);
	} else {
		desc(1, STATUS, 1, D_WRITE, 0);
	}
	uint16_t before = used_idx(Q0_USED);
	submit(0);
	assert_int_equal(used_idx(Q0_USED), before + 1);
	return *ram(STATUS);
}

static uint32_t last_used_len(void)
{
	uint32_t id, len;
	used_elem(Q0_USED, used_idx(Q0_USED) - 1, &id, &len);
	return len;
}

static void blk_reports_capacity(void **state)
{
	start_blk("");
	uint64_t cap = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t b = 0;
		vm_bus_load(&fx->bus, DEV_BASE + R_CONFIG + i, 1, &b);
		cap |= b << (8 * i);
	}
	assert_int_equal(cap, SECTORS);
	assert_int_equal(rd(R_DEVICE_ID), 2);
	assert_false(device_features() & (1u << 5)); /* not read-only */
}

static void blk_reads_sectors(void **state)
{
	start_blk("");
	assert_int_equal(blk_request(0, 3, 1024, true), 0);
	assert_int_equal(last_used_len(), 1025);
	assert_int_equal(ram(BUF)[0], 3);
	assert_int_equal(ram(BUF)[1023], 4);
}

static void blk_writes_sectors(void **state)
{
	start_blk("");
	memset(ram(BUF), 0xab, 512);
	assert_int_equal(blk_request(1, 5, 512, false), 0);
	assert_int_equal(last_used_len(), 1);
	uint8_t back[512];
	assert_int_equal(pread(fx->image_fd, back, 512, 5 * 512), 512);
	assert_int_equal(back[0], 0xab);
	assert_int_equal(back[511], 0xab);
	assert_int_equal(pread(fx->image_fd, back, 1, 6 * 512), 1);
	assert_int_equal(back[0], 6);
}

static void blk_data_split_over_descriptors(void **state)
{
	start_blk("");
	uint32_t type = 0;
	uint64_t sector = 2;
	memcpy(ram(HDR), &type, 4);
	memcpy(ram(HDR + 8), &sector, 8);
	desc(0, HDR, 16, D_NEXT, 1);
	desc(1, BUF, 100, D_WRITE | D_NEXT, 2);
	desc(2, BUF + 0x1000, 412, D_WRITE | D_NEXT, 3);
	desc(3, STATUS, 1, D_WRITE, 0);
	submit(0);
	assert_int_equal(*ram(STATUS), 0);
	assert_int_equal(ram(BUF)[99], 2);
	assert_int_equal(ram(BUF + 0x1000)[411], 2);
}

static void blk_flush_and_get_id(void **state)
{
	start_blk("");
	assert_int_equal(blk_request(4, 0, 0, false), 0);
	memset(ram(BUF), 0, 20);
	assert_int_equal(blk_request(8, 0, 20, true), 0);
	const char *base = strrchr(fx->image, '/') + 1;
	assert_memory_equal(ram(BUF), base, strlen(base) < 20 ? strlen(base) : 20);
}

static void blk_read_only_refuses_writes(void **state)
{
	start_blk(",ro");
	assert_true(device_features() & (1u << 5));
	memset(ram(BUF), 0xab, 512);
	assert_int_equal(blk_request(1, 0, 512, false), 1); /* IOERR */
	uint8_t back;
	assert_int_equal(pread(fx->image_fd, &back, 1, 0), 1);
	assert_int_equal(back, 0);
	assert_int_equal(blk_request(0, 1, 512, true), 0); /* reads still work */
}

static void blk_out_of_range_sectors(void **state)
{
	start_blk("");
	assert_int_equal(blk_request(0, SECTORS, 512, true), 1);
	assert_int_equal(blk_request(0, SECTORS - 1, 1024, true), 1);
	assert_int_equal(blk_request(0, UINT64_MAX, 512, true), 1);
	assert_int_equal(blk_request(0, UINT64_MAX / 512 + 1, 512, true), 1);
	assert_int_equal(blk_request(1, SECTORS, 512, false), 1);
	assert_int_equal(blk_request(0, 0, 100, true), 1); /* not whole sectors */
	assert_int_equal(blk_request(0, SECTORS - 1, 512, true), 0);
}

static void blk_unknown_request_unsupported(void **state)
{
	start_blk("");
	assert_int_equal(blk_request(99, 0, 0, false), 2);
}

static void blk_short_header_is_ioerr(void **state)
{
	start_blk("");
	desc(0, HDR, 8, D_NEXT, 1);
	desc(1, STATUS, 1, D_WRITE, 0);
	submit(0);
	assert_int_equal(*ram(STATUS), 1);
}

static void blk_without_status_byte_needs_reset(void **state)
{
	start_blk("");
	memset(ram(HDR), 0, 16);
	desc(0, HDR, 16, 0, 0);
	submit(0);
	assert_needs_reset();
}

static bool punch_hole_works(int fd)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, SECTORS * 512, 4096) == 0;
}

static void blk_discard_punches_holes(void **state)
{
	start_blk("");
	bool offered = device_features() & (1u << 13);
	assert_int_equal(offered, punch_hole_works(fx->image_fd));
	if (!offered) {
		assert_int_equal(blk_request(11, 0, 0, false), 2);
		return;
	}
	uint8_t seg[16] = {0};
	uint64_t sector = 8;
	uint32_t num = 8;
	memcpy(seg, &sector, 8);
	memcpy(seg + 8, &num, 4);
	memcpy(ram(BUF), seg, 16);
	assert_int_equal(blk_request(11, 0, 16, false), 0);
	uint8_t back[512];
	assert_int_equal(pread(fx->image_fd, back, 512, 8 * 512), 512);
	assert_int_equal(back[0], 0);
	assert_int_equal(back[511], 0);
	/* out of range discard */
	sector = SECTORS;
	memcpy(ram(BUF), &sector, 8);
	assert_int_equal(blk_request(11, 0, 16, false), 1);
}

static void put_segment(uint64_t gpa, uint64_t sector, uint32_t num, uint32_t flags)
{
	memcpy(ram(gpa), &sector, 8);
	memcpy(ram(gpa + 8), &num, 4);
	memcpy(ram(gpa + 12), &flags, 4);
}

static bool sector_is(uint64_t sector, uint8_t value)
{
	uint8_t back[512];
	assert_int_equal(pread(fx->image_fd, back, 512, (off_t)sector * 512), 512);
	for (int i = 0; i < 512; i++)
		if (back[i] != value)
			return false;
	return true;
}

static void blk_write_zeroes_zeroes_ranges(void **state)
{
	start_blk("");
	assert_true(device_features() & (1u << 14));
	put_segment(BUF, 10, 2, 0);
	put_segment(BUF + 16, 20, 1, 1); /* may unmap */
	assert_int_equal(blk_request(13, 0, 32, false), 0);
	assert_true(sector_is(9, 9));
	assert_true(sector_is(10, 0));
	assert_true(sector_is(11, 0));
	assert_true(sector_is(12, 12));
	assert_true(sector_is(20, 0));
	assert_true(sector_is(21, 21));
	put_segment(BUF, 30, 1, 2); /* unknown flag */
	assert_int_equal(blk_request(13, 0, 16, false), 2);
	put_segment(BUF, SECTORS - 1, 2, 0); /* past the end */
	assert_int_equal(blk_request(13, 0, 16, false), 1);
	assert_int_equal(blk_request(13, 0, 17, false), 1); /* not whole segments */
	assert_true(sector_is(30, 30));
	assert_true(sector_is(SECTORS - 1, SECTORS - 1));
}

static void blk_write_zeroes_refused_read_only(void **state)
{
	start_blk(",ro");
	assert_false(device_features() & (1u << 14));
	put_segment(BUF, 10, 2, 0);
	assert_int_equal(blk_request(13, 0, 16, false), 1);
	assert_true(sector_is(10, 10));
}

static void blk_open_errors_name_the_file(void **state)
{
	struct keel_error err = {0};
	assert_null(virtio_blk_create("/nonexistent/disk.img", &err));
	assert_non_null(strstr(err.msg, "cannot open")); /* the caller adds the file */
	assert_non_null(strstr(err.msg, "No such file"));
	make_image();
	char spec[128];
	snprintf(spec, sizeof(spec), "%s,bogus", fx->image);
	assert_null(virtio_blk_create(spec, &err));
	assert_non_null(strstr(err.msg, "bogus"));
	assert_null(virtio_blk_create("", &err));
}

static void blk_image_is_locked_while_in_use(void **state)
{
	struct keel_error err = {0};
	start_blk("");
	assert_null(virtio_blk_create(fx->image, &err));
	assert_non_null(strstr(err.msg, "in use"));
	char spec[128];
	snprintf(spec, sizeof(spec), "%s,ro", fx->image);
	assert_null(virtio_blk_create(spec, &err));
	virtio_mmio_free(fx->dev);
	fx->dev = virtio_blk_create(spec, &err); /* free again: readers share */
	assert_non_null(fx->dev);
	struct virtio_mmio *second = virtio_blk_create(spec, &err);
	assert_non_null(second);
	virtio_mmio_free(second);
	assert_null(virtio_blk_create(fx->image, &err)); /* but exclude writers */
}

/* ---- virtio-net ------------------------------------------------------------------- */

#define NET_HDR	   12
#define RXBUF	   (DATA + 0x1000)
#define RXBUF_SIZE 2048
#define TXBUF	   (DATA + 0x8000)

static const uint8_t guest_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

static void start_net(uint64_t features)
{
	struct keel_error err = {0};
	attach(virtio_net_create("user", &fx->loop, &err));
	assert_int_equal(rd(R_DEVICE_ID), 1);
	driver_start(features, 2);
}

/* Posts n receive chains of size bytes each on queue 0. */
static void post_rx(unsigned n, uint32_t size)
{
	for (unsigned i = 0; i < n; i++) {
		desc_at(Q0_DESC, i, RXBUF + i * RXBUF_SIZE, size, D_WRITE, 0);
		uint16_t idx = ram16(Q0_AVAIL + 2);
		put16(Q0_AVAIL + 4 + 2 * (idx % QUEUE_SIZE), (uint16_t)i);
		put16(Q0_AVAIL + 2, idx + 1);
	}
	wr(R_QUEUE_NOTIFY, 0);
}

static void transmit(const uint8_t *frame, size_t len)
{
	memset(ram(TXBUF), 0, NET_HDR);
	memcpy(ram(TXBUF + NET_HDR), frame, len);
	desc_at(Q1_DESC, 0, TXBUF, (uint32_t)(NET_HDR + len), 0, 0);
	uint16_t before = used_idx(Q1_USED);
	submit_on(1, Q1_AVAIL, 0);
	assert_int_equal(used_idx(Q1_USED), before + 1);
}

static size_t build_arp_request(uint8_t *f)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	const uint8_t arp[8] = {0, 1, 8, 0, 6, 4, 0, 1}; /* ethernet/IPv4 request */
	memcpy(f + 14, arp, 8);
	memcpy(f + 22, guest_mac, 6);
	const uint8_t sender_ip[4] = {10, 0, 2, 15}, target_ip[4] = {10, 0, 2, 2};
	memcpy(f + 28, sender_ip, 4);
	memset(f + 32, 0, 6);
	memcpy(f + 38, target_ip, 4);
	return 42;
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static size_t build_dhcp_discover(uint8_t *f)
{
	memset(f, 0, 400);
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	f[12] = 0x08, f[13] = 0x00;
	uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
	size_t bootp_len = 300, udp_len = 8 + bootp_len, ip_len = 20 + udp_len;
	ip[0] = 0x45;
	ip[2] = (uint8_t)(ip_len >> 8), ip[3] = (uint8_t)ip_len;
	ip[8] = 64, ip[9] = 17;
	memset(ip + 16, 0xff, 4); /* 0.0.0.0 -> 255.255.255.255 */
	uint16_t sum = ip_checksum(ip, 20);
	ip[10] = (uint8_t)(sum >> 8), ip[11] = (uint8_t)sum;
	udp[1] = 68, udp[3] = 67;
	udp[4] = (uint8_t)(udp_len >> 8), udp[5] = (uint8_t)udp_len;
	bootp[0] = 1, bootp[1] = 1, bootp[2] = 6; /* BOOTREQUEST, ethernet */
	bootp[4] = 0x12, bootp[5] = 0x34;	  /* xid */
	memcpy(bootp + 28, guest_mac, 6);
	const uint8_t magic_and_opts[] = {99, 130, 83, 99, 53, 1, 1, 255}; /* DISCOVER */
	memcpy(bootp + 236, magic_and_opts, sizeof(magic_and_opts));
	return 14 + ip_len;
}

/* Frame received into chain i (after the virtio_net_hdr). */
static const uint8_t *rx_frame(unsigned i)
{
	return ram(RXBUF + i * RXBUF_SIZE + NET_HDR);
}

static void net_arp_request_gets_reply(void **state)
{
	start_net(0);
	post_rx(4, RXBUF_SIZE);
	uint8_t frame[64];
	transmit(frame, build_arp_request(frame));
	assert_int_equal(used_idx(Q0_USED), 1);
	uint32_t id, len;
	used_elem(Q0_USED, 0, &id, &len);
	assert_true(len >= NET_HDR + 42);
	const uint8_t *f = rx_frame(id);
	assert_memory_equal(f, guest_mac, 6);	     /* to us */
	assert_true(f[12] == 0x08 && f[13] == 0x06); /* ARP */
	assert_true(f[20] == 0 && f[21] == 2);	     /* reply */
	const uint8_t gw[4] = {10, 0, 2, 2};
	assert_memory_equal(f + 28, gw, 4);			  /* sender: the gateway */
	assert_int_equal(ram16(RXBUF + id * RXBUF_SIZE + 10), 1); /* num_buffers */
	assert_int_equal(fx->irq_level, 1);
}

static const uint8_t *find_dhcp_type(const uint8_t *bootp, size_t len)
{
	for (size_t i = 240; i + 2 < len;) {
		if (bootp[i] == 255)
			return NULL;
		if (bootp[i] == 0) {
			i++;
			continue;
		}
		if (bootp[i] == 53)
			return bootp + i + 2;
		i += 2 + bootp[i + 1];
	}
	return NULL;
}

static void check_dhcp_offer(const uint8_t *f, size_t len)
{
	assert_true(len > 14 + 20 + 8 + 240);
	assert_true(f[12] == 0x08 && f[13] == 0x00);
	const uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
	assert_int_equal(ip[9], 17);
	assert_int_equal(udp[1], 67); /* from the server port */
	assert_int_equal(udp[3], 68);
	assert_int_equal(bootp[0], 2); /* BOOTREPLY */
	const uint8_t offered[4] = {10, 0, 2, 15};
	assert_memory_equal(bootp + 16, offered, 4); /* yiaddr */
	const uint8_t *type = find_dhcp_type(bootp, len - 42);
	assert_non_null(type);
	assert_int_equal(*type, 2); /* DHCPOFFER */
}

static void net_dhcp_discover_gets_offer(void **state)
{
	start_net(0);
	post_rx(4, RXBUF_SIZE);
	uint8_t frame[512];
	transmit(frame, build_dhcp_discover(frame));
	loop_run_once(&fx->loop);
	assert_true(used_idx(Q0_USED) >= 1);
	uint32_t id, len;
	used_elem(Q0_USED, 0, &id, &len);
	check_dhcp_offer(rx_frame(id), len - NET_HDR);
}

static void net_mergeable_rx_spreads_frame(void **state)
{
	start_net(1ull << 15); /* MRG_RXBUF */
	post_rx(8, 128);
	uint8_t frame[512];
	transmit(frame, build_dhcp_discover(frame));
	uint16_t n = ram16(RXBUF + 10); /* num_buffers in the first chain's header */
	assert_true(n > 1);
	assert_int_equal(used_idx(Q0_USED), n);
	/* reassemble */
	uint8_t whole[8 * 128];
	size_t total = 0;
	for (unsigned i = 0; i < n; i++) {
		uint32_t id, len;
		used_elem(Q0_USED, i, &id, &len);
		assert_int_equal(id, i);
		memcpy(whole + total, ram(RXBUF + id * RXBUF_SIZE), len);
		total += len;
	}
	check_dhcp_offer(whole + NET_HDR, total - NET_HDR);
}

static int free_tcp_port(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &len), 0);
	close(s);
	return ntohs(a.sin_port);
}

/* A TCP SYN for guest port among the received frames. */
static bool rx_has_syn_to(unsigned port)
{
	for (uint16_t i = 0; i < used_idx(Q0_USED); i++) {
		uint32_t id, len;
		used_elem(Q0_USED, i, &id, &len);
		const uint8_t *f = rx_frame(id), *tcp = f + 14 + 20;
		if (len >= NET_HDR + 54 && f[12] == 0x08 && f[13] == 0x00 && f[14 + 9] == 6 &&
		    (tcp[2] << 8 | tcp[3]) == (int)port && (tcp[13] & 0x02))
			return true;
	}
	return false;
}

/* The host connects to the forwarded port: libslirp, driven by the loop
 * hook (its sockets in the poll set), sends the guest a SYN. */
static void net_hostfwd_connection_reaches_guest(void **state)
{
	struct keel_error err = {0};
	char spec[96];
	int port = free_tcp_port();
	snprintf(spec, sizeof(spec), "user,hostfwd=tcp:127.0.0.1:%d-:2222", port);
	attach(virtio_net_create(spec, &fx->loop, &err));
	driver_start(0, 2);
	post_rx(8, RXBUF_SIZE);
	uint8_t frame[64];
	transmit(frame, build_arp_request(frame)); /* the gateway learns our MAC */
	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {.sin_family = AF_INET,
				.sin_port = htons((uint16_t)port),
				.sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int r = connect(c, (struct sockaddr *)&a, sizeof(a));
	assert_true(r == 0 || errno == EINPROGRESS);
	for (int i = 0; i < 100 && !rx_has_syn_to(2222); i++) {
		poll(NULL, 0, 20);
		loop_run_once(&fx->loop);
	}
	assert_true(rx_has_syn_to(2222));
	close(c);
}

static void net_without_rx_buffers_drops(void **state)
{
	start_net(0);
	uint8_t frame[64];
	transmit(frame, build_arp_request(frame));
	assert_int_equal(used_idx(Q0_USED), 0);
	assert_false(rd(R_STATUS) & S_NEEDS_RESET);
	/* too small a buffer: dropped, buffer left for later */
	post_rx(1, 20);
	transmit(frame, build_arp_request(frame));
	assert_int_equal(used_idx(Q0_USED), 0);
}

static void net_config_has_mac_and_link(void **state)
{
	start_net(0);
	uint64_t f = device_features();
	assert_true(f & (1u << 5));  /* MAC */
	assert_true(f & (1u << 16)); /* STATUS */
	uint64_t b;
	vm_bus_load(&fx->bus, DEV_BASE + R_CONFIG, 1, &b);
	assert_int_equal(b, 0x52);
	vm_bus_load(&fx->bus, DEV_BASE + R_CONFIG + 6, 2, &b);
	assert_int_equal(b, 1); /* link up */
}

static void net_spec_errors_are_one_line(void **state)
{
	struct keel_error err = {0};
	struct net_spec spec;
	assert_int_equal(net_spec_parse("user,hostfwd=tcp:127.0.0.1:2222-:22,hostfwd=udp::5353-:53",
					&spec, &err),
			 0);
	assert_int_equal(spec.nhostfwd, 2);
	assert_int_equal(spec.hostfwd[0].host_port, 2222);
	assert_int_equal(spec.hostfwd[0].guest_port, 22);
	assert_int_equal(ntohl(spec.hostfwd[0].host_addr.s_addr), 0x7f000001);
	assert_int_equal(ntohl(spec.hostfwd[0].guest_addr.s_addr), 0x0a00020f);
	assert_true(spec.hostfwd[1].udp);
	assert_int_equal(net_spec_parse("tap,ifname=tap7", &spec, &err), 0);
	assert_string_equal(spec.ifname, "tap7");
	assert_int_equal(spec.mac[5], 0x56); /* default */
	assert_int_equal(net_spec_parse("tap,ifname=t0,mac=02:00:00:aa:bb:cc", &spec, &err), 0);
	assert_int_equal(spec.mac[0], 0x02);
	assert_int_equal(spec.mac[5], 0xcc);

	const char *bad[] = {"",
			     "bridge",
			     "user,hostfwd=tcp:1.2.3.4:99999-:22",
			     "user,hostfwd=sctp::1-:2",
			     "user,hostfwd=tcp::22",
			     "tap",
			     "tap,ifname="
			     "waytoolonginterfacename",
			     "user,foo=bar",
			     "user,ifname=x"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		keel_error_clear(&err);
		assert_int_equal(net_spec_parse(bad[i], &spec, &err), -1);
		assert_true(err.msg[0] != '\0');
		assert_null(strchr(err.msg, '\n'));
	}
	assert_null(virtio_net_create("nonsense", &fx->loop, &err));
	assert_non_null(strstr(err.msg, "expected user"));
}

/* ---- TAP backend (needs root and /dev/net/tun; the interface is never
 * addressed or bridged, so frames stay on this host) ---- */

#define ETH_P_KEEL_TEST 0x88b5 /* IEEE local experimental ethertype */

static int tap_packet_socket(const char *ifname)
{
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr = {0};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	int ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_KEEL_TEST));
	assert_true(ps >= 0);
	struct sockaddr_ll sll = {.sll_family = AF_PACKET,
				  .sll_protocol = htons(ETH_P_KEEL_TEST),
				  .sll_ifindex = (int)if_nametoindex(ifname)};
	assert_int_equal(bind(ps, (struct sockaddr *)&sll, sizeof(sll)), 0);
	return ps;
}

static size_t test_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src, const char *text)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETH_P_KEEL_TEST >> 8, f[13] = ETH_P_KEEL_TEST & 0xff;
	memset(f + 14, 0, 46);
	memcpy(f + 14, text, strlen(text));
	return 60;
}

static bool rx_has_frame(const char *text)
{
	for (uint16_t i = 0; i < used_idx(Q0_USED); i++) {
		uint32_t id, len;
		used_elem(Q0_USED, i, &id, &len);
		const uint8_t *f = rx_frame(id);
		if (len >= NET_HDR + 14 + strlen(text) && f[12] == ETH_P_KEEL_TEST >> 8 &&
		    memcmp(f + 14, text, strlen(text)) == 0)
			return true;
	}
	return false;
}

static void net_tap_carries_frames_both_ways(void **state)
{
	struct keel_error err = {0};
	char ifname[IFNAMSIZ], spec[64];
	snprintf(ifname, sizeof(ifname), "keelt%d", (int)(getpid() % 100000));
	snprintf(spec, sizeof(spec), "tap,ifname=%s", ifname);
	struct virtio_mmio *dev = virtio_net_create(spec, &fx->loop, &err);
	if (!dev && (err.errnum == EPERM || err.errnum == ENOENT || err.errnum == EACCES))
		skip(); /* not root, or no /dev/net/tun */
	attach(dev);
	driver_start(0, 2);
	int ps = tap_packet_socket(ifname);
	post_rx(8, RXBUF_SIZE);

	/* guest -> host */
	static const uint8_t host_mac[6] = {0x02, 0, 0, 0, 0, 0x01};
	uint8_t frame[64], got[128];
	transmit(frame, test_frame(frame, host_mac, guest_mac, "keel-tap-out"));
	bool seen = false;
	for (int i = 0; i < 50 && !seen; i++) {
		struct pollfd p = {ps, POLLIN, 0};
		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t n = recv(ps, got, sizeof(got), 0);
		seen = n >= 26 && memcmp(got + 14, "keel-tap-out", 12) == 0;
	}
	assert_true(seen);

	/* host -> guest, through the loop's watch on the tap fd */
	size_t len = test_frame(frame, guest_mac, host_mac, "keel-tap-in");
	assert_int_equal(send(ps, frame, len, 0), (ssize_t)len);
	for (int i = 0; i < 50 && !rx_has_frame("keel-tap-in"); i++) {
		struct pollfd p = {fx->loop.watch[0].fd, POLLIN, 0};
		poll(&p, 1, 100);
		loop_run_once(&fx->loop);
	}
	assert_true(rx_has_frame("keel-tap-in"));
	close(ps);
}

/* ---- virtio-console -------------------------------------------------------------- */

static void console_transmits_and_receives(void **state)
{
	struct keel_error err = {0};
	int in[2], out[2];
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	attach(virtio_console_create(in[0], out[1], &fx->loop, &err));
	assert_int_equal(rd(R_DEVICE_ID), 3);
	driver_start(0, 2);
	/* TX: guest -> out pipe */
	memcpy(ram(TXBUF), "hello", 5);
	desc_at(Q1_DESC, 0, TXBUF, 5, 0, 0);
	submit_on(1, Q1_AVAIL, 0);
	char got[8] = {0};
	assert_int_equal(read(out[0], got, sizeof(got)), 5);
	assert_string_equal(got, "hello");
	/* RX: in pipe -> guest, once a buffer is posted */
	desc(0, RXBUF, 64, D_WRITE, 0);
	submit(0);
	assert_int_equal(write(in[1], "world", 5), 5);
	loop_run_once(&fx->loop);
	assert_int_equal(used_idx(Q0_USED), 1);
	assert_int_equal(last_used_len(), 5);
	assert_memory_equal(ram(RXBUF), "world", 5);
	/* no buffer left: input waits in the pipe, the fd is no longer watched */
	assert_int_equal(write(in[1], "again", 5), 5);
	loop_run_once(&fx->loop);
	assert_int_equal(fx->loop.nwatch, 0);
	submit(0);
	loop_run_once(&fx->loop);
	assert_int_equal(used_idx(Q0_USED), 2);
	assert_memory_equal(ram(RXBUF), "again", 5);
	virtio_mmio_free(fx->dev);
	fx->dev = NULL;
	close(in[0]), close(in[1]), close(out[0]), close(out[1]);
}

/* ---- state description ------------------------------------------------------------- */

static void state_fields_cover_the_struct(void **state)
{
	size_t covered = 0;
	for (size_t i = 0; i < virtio_mmio_state_nfields; i++) {
		const struct virtio_state_field *f = &virtio_mmio_state_fields[i];
		assert_true(f->offset + f->size * f->count <= sizeof(struct virtio_mmio_state));
		covered += f->size * f->count;
	}
	/* every byte but padding is described */
	size_t payload =
	    4 * 4 + 8 + 4 + 4 + VIRTIO_CONFIG_MAX + VIRTIO_MAX_QUEUES * (4 + 4 + 8 * 3 + 2 * 4);
	assert_int_equal(covered, payload);
}

static void state_saves_and_loads_into_a_new_device(void **state)
{
	struct keel_error err = {0};
	start_rng();
	desc(0, DATA, 8, D_WRITE, 0);
	submit(0);
	submit(0);
	struct virtio_mmio_state saved = *virtio_mmio_save_state(fx->dev);
	assert_int_equal(saved.queues[0].used_idx, 2);
	virtio_mmio_free(fx->dev);
	fx->bus.nregions = 0;
	fx->irq_level = 0;
	attach(virtio_rng_create(&err));
	assert_int_equal(virtio_mmio_load_state(fx->dev, &saved, &err), 0);
	assert_int_equal(fx->irq_level, 1); /* the pending interrupt came back */
	assert_int_equal(rd(R_STATUS), saved.status);
	submit(0); /* the driver carries on where it was */
	assert_int_equal(used_idx(Q0_USED), 3);
	assert_false(rd(R_STATUS) & S_NEEDS_RESET);

	/* a hostile snapshot: a ready queue with rings outside RAM */
	saved.queues[0].desc_addr = RAM_BASE + RAM_SIZE - 16;
	assert_int_equal(virtio_mmio_load_state(fx->dev, &saved, &err), -1);
	assert_non_null(strstr(err.msg, "queue 0"));
	saved.queues[0].desc_addr = Q0_DESC;
	saved.queues[0].num = 100000;
	assert_int_equal(virtio_mmio_load_state(fx->dev, &saved, &err), -1);
	/* the device kept its own state */
	assert_int_equal(virtio_mmio_save_state(fx->dev)->queues[0].num, QUEUE_SIZE);
}

static void state_load_resumes_console_input(void **state)
{
	struct keel_error err = {0};
	int in[2];
	assert_int_equal(pipe(in), 0);
	attach(virtio_console_create(in[0], -1, &fx->loop, &err));
	driver_start(0, 2);
	desc(0, RXBUF, 64, D_WRITE, 0);
	submit(0);
	assert_int_equal(fx->loop.nwatch, 1);
	struct virtio_mmio_state saved = *virtio_mmio_save_state(fx->dev);
	virtio_mmio_free(fx->dev);
	fx->bus.nregions = 0;
	assert_int_equal(fx->loop.nwatch, 0);
	attach(virtio_console_create(in[0], -1, &fx->loop, &err));
	assert_int_equal(virtio_mmio_load_state(fx->dev, &saved, &err), 0);
	assert_int_equal(fx->loop.nwatch, 1); /* watching again, without a new kick */
	assert_int_equal(write(in[1], "x", 1), 1);
	loop_run_once(&fx->loop);
	assert_int_equal(used_idx(Q0_USED), 1);
	assert_int_equal(*ram(RXBUF), 'x');
	virtio_mmio_free(fx->dev);
	fx->dev = NULL;
	close(in[0]), close(in[1]);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(mmio_identifies_device),
	    T(mmio_refuses_legacy_and_unknown_features),
	    T(mmio_reset_clears_queues_and_interrupts),
	    T(kick_before_driver_ok_is_served_at_driver_ok),
	    T(rng_fills_writable_buffers),
	    T(rng_never_writes_readable_buffers),
	    T(hostile_descriptor_outside_ram),
	    T(hostile_address_wraps_around),
	    T(hostile_huge_length),
	    T(zero_length_descriptors_are_harmless),
	    T(hostile_chain_loop),
	    T(hostile_next_out_of_range),
	    T(hostile_head_out_of_range),
	    T(hostile_avail_idx_jump),
	    T(hostile_readable_after_writable),
	    T(indirect_table_is_followed),
	    T(hostile_indirect_table_outside_ram),
	    T(hostile_indirect_nested),
	    T(hostile_indirect_too_big_or_chained),
	    T(hostile_indirect_loop),
	    T(hostile_indirect_without_feature),
	    T(hostile_rings_outside_ram),
	    T(event_idx_suppresses_interrupts),
	    T(no_interrupt_flag_is_honoured),
	    T(blk_reports_capacity),
	    T(blk_reads_sectors),
	    T(blk_writes_sectors),
	    T(blk_data_split_over_descriptors),
	    T(blk_flush_and_get_id),
	    T(blk_read_only_refuses_writes),
	    T(blk_out_of_range_sectors),
	    T(blk_unknown_request_unsupported),
	    T(blk_short_header_is_ioerr),
	    T(blk_without_status_byte_needs_reset),
	    T(blk_discard_punches_holes),
	    T(blk_write_zeroes_zeroes_ranges),
	    T(blk_write_zeroes_refused_read_only),
	    T(blk_open_errors_name_the_file),
	    T(blk_image_is_locked_while_in_use),
	    T(net_arp_request_gets_reply),
	    T(net_dhcp_discover_gets_offer),
	    T(net_mergeable_rx_spreads_frame),
	    T(net_hostfwd_connection_reaches_guest),
	    T(net_without_rx_buffers_drops),
	    T(net_config_has_mac_and_link),
	    T(net_spec_errors_are_one_line),
	    T(net_tap_carries_frames_both_ways),
	    T(console_transmits_and_receives),
	    T(state_fields_cover_the_struct),
	    T(state_saves_and_loads_into_a_new_device),
	    T(state_load_resumes_console_input),
	};
	return cmocka_run_group_tests_name("virtio", tests, NULL, NULL);
}
