/* libFuzzer target: a hostile driver against the virtio devices.
 *
 * The input is a 4-byte header and a list of operations on a 16 KiB fake
 * guest RAM and one device's MMIO registers:
 *
 *   header: device (0 rng, 1 blk, 2 net on a loopback backend, 3 console),
 *           features (bit 0 INDIRECT_DESC, 1 EVENT_IDX, 2 MRG_RXBUF),
 *           queue 0 size, queue 1 size (see queue_size())
 *   op 0 WRITE   u16 ram offset, u8 n, n bytes   copy bytes into RAM
 *   op 1 KICK    u8 queue                        QueueNotify
 *   op 2 RESTART u8 features                     reset and bring up again
 *   op 3 INJECT  u8 n                            n*8 bytes from the host (net, console)
 *   op 4 MMIO    u8 reg/4, u32 value             raw register write
 *   op 5 READ    u16 offset, u8 size             raw register/config read
 *
 * The driver brings queues up at fixed places (queue 0 rings at 0x0000,
 * 0x0200, 0x0300; queue 1 at 0x0800, 0x0a00, 0x0b00; buffers from 0x1000),
 * so WRITE ops shape descriptors, rings and requests. Guest RAM is a heap
 * block of exactly RAM_SIZE bytes, so ASan catches any device access
 * outside it. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "vm/machine/bus.h"
#include "vm/machine/loop.h"
#include "vm/virtio/net_backend.h"
#include "vm/virtio/virtio.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x4000u
#define DEV_BASE 0x10001000ull

/* ---- loop test double: one watched fd is enough here ---------------------- */

struct vm_loop {
	int fd;
	void (*cb)(void *opaque, short revents);
	void *opaque;
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
	loop->fd = fd;
	loop->cb = cb;
	loop->opaque = opaque;
	return 0;
}

void vm_loop_unwatch_fd(struct vm_loop *loop, int fd)
{
	if (loop->fd == fd)
		loop->cb = NULL;
}

int vm_loop_add_hook(struct vm_loop *loop, const struct vm_loop_hook *hook)
{
	return -1;
}

int64_t vm_loop_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- loopback net backend: every transmitted frame comes straight back ---- */

static void loopback_send(struct net_backend *be, const uint8_t *frame, size_t len)
{
	net_backend_deliver(be, frame, len);
}

static void loopback_free(struct net_backend *be)
{
	free(be);
}

static const struct net_backend_ops loopback_ops = {loopback_send, loopback_free};

/* ---- the harness --------------------------------------------------------------- */

struct run {
	struct vm_bus bus;
	struct vm_loop loop;
	struct virtio_mmio *dev;
	struct net_backend *loopback;
	int console_in[2];
	uint8_t qnum[2];
	const uint8_t *p, *end;
};

static int blk_fd = -1;

static void set_level(void *plic, unsigned irq, int level)
{
}

static uint32_t rd(struct run *r, uint64_t off, unsigned size)
{
	uint64_t v = 0;
	vm_bus_load(&r->bus, DEV_BASE + off, size, &v);
	return (uint32_t)v;
}

static void wr(struct run *r, uint64_t off, uint32_t v)
{
	vm_bus_store(&r->bus, DEV_BASE + off, 4, v);
}

/* Mostly a power of two up to 32 (what a device accepts); with the top bit
 * set, any size up to 63 (what it must refuse). */
static uint32_t queue_size(uint8_t v)
{
	uint32_t num = v & 0x3f;
	if ((v & 0x80) || num == 0)
		return num;
	return 1u << (31 - __builtin_clz(num));
}

static void bring_up(struct run *r, uint8_t feature_bits)
{
	uint64_t want = 1ull << 32;
	if (feature_bits & 1)
		want |= 1ull << 28;
	if (feature_bits & 2)
		want |= 1ull << 29;
	if (feature_bits & 4)
		want |= 1ull << 15;
	wr(r, 0x70, 0);
	wr(r, 0x70, 3);
	wr(r, 0x14, 0);
	uint64_t offered = rd(r, 0x10, 4);
	wr(r, 0x14, 1);
	offered |= (uint64_t)rd(r, 0x10, 4) << 32;
	want &= offered;
	wr(r, 0x24, 0);
	wr(r, 0x20, (uint32_t)want);
	wr(r, 0x24, 1);
	wr(r, 0x20, (uint32_t)(want >> 32));
	wr(r, 0x70, 11);
	static const uint32_t rings[2][3] = {{0x0000, 0x0200, 0x0300}, {0x0800, 0x0a00, 0x0b00}};
	for (unsigned q = 0; q < 2; q++) {
		wr(r, 0x30, q);
		wr(r, 0x38, queue_size(r->qnum[q]));
		wr(r, 0x80, (uint32_t)(RAM_BASE + rings[q][0]));
		wr(r, 0x84, (uint32_t)(RAM_BASE >> 32));
		wr(r, 0x90, (uint32_t)(RAM_BASE + rings[q][1]));
		wr(r, 0x94, (uint32_t)(RAM_BASE >> 32));
		wr(r, 0xa0, (uint32_t)(RAM_BASE + rings[q][2]));
		wr(r, 0xa4, (uint32_t)(RAM_BASE >> 32));
		wr(r, 0x44, 1);
	}
	wr(r, 0x70, 15);
}

static bool take(struct run *r, void *dst, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return false;
	memcpy(dst, r->p, n);
	r->p += n;
	return true;
}

static void inject(struct run *r, unsigned n)
{
	uint8_t frame[255 * 8];
	for (unsigned i = 0; i < n * 8; i++)
		frame[i] = (uint8_t)i;
	if (r->loopback)
		net_backend_deliver(r->loopback, frame, n * 8);
	if (r->console_in[1] >= 0 && n) {
		if (write(r->console_in[1], frame, n * 8) < 0)
			return;
		if (r->loop.cb)
			r->loop.cb(r->loop.opaque, POLLIN);
	}
}

static bool step(struct run *r)
{
	uint8_t op, b, n, buf[256];
	uint16_t off;
	uint32_t v;
	if (!take(r, &op, 1))
		return false;
	switch (op % 6) {
	case 0:
		if (!take(r, &off, 2) || !take(r, &n, 1) || !take(r, buf, n))
			return false;
		off %= RAM_SIZE;
		memcpy(r->bus.ram + off, buf, n <= RAM_SIZE - off ? n : RAM_SIZE - off);
		return true;
	case 1:
		if (!take(r, &b, 1))
			return false;
		wr(r, 0x50, b & 3);
		return true;
	case 2:
		if (!take(r, &b, 1))
			return false;
		bring_up(r, b);
		return true;
	case 3:
		if (!take(r, &n, 1))
			return false;
		inject(r, n);
		return true;
	case 4:
		if (!take(r, &b, 1) || !take(r, &v, 4))
			return false;
		wr(r, (b % 64) * 4u, v);
		return true;
	default:
		if (!take(r, &off, 2) || !take(r, &b, 1))
			return false;
		static const unsigned sizes[4] = {1, 2, 4, 8};
		rd(r, off % 0x200 & ~(uint64_t)(sizes[b % 4] - 1), sizes[b % 4]);
		return true;
	}
}

static struct virtio_mmio *create(struct run *r, uint8_t which)
{
	struct keel_error err = {0};
	char spec[64];
	switch (which % 4) {
	case 0:
		return virtio_rng_create(&err);
	case 1:
		snprintf(spec, sizeof(spec), "/proc/self/fd/%d", blk_fd);
		return virtio_blk_create(spec, &err);
	case 2:
		r->loopback = calloc(1, sizeof(*r->loopback));
		r->loopback->ops = &loopback_ops;
		return virtio_net_create_on(r->loopback, (const uint8_t[6]){2, 0, 0, 0, 0, 1},
					    &err);
	default:
		if (pipe2(r->console_in, O_NONBLOCK | O_CLOEXEC) < 0)
			abort();
		return virtio_console_create(r->console_in[0], -1, &r->loop, &err);
	}
}

/* Undefined behaviour (an overflow, a misaligned load) is a finding that
 * stops the run, not a line on stderr that a passing run hides. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (blk_fd < 0) {
		keel_log_open("/dev/null", KEEL_LOG_TEXT, false); /* guest errors are expected */
		blk_fd = memfd_create("fuzz-disk", 0);
		if (blk_fd < 0 || ftruncate(blk_fd, 64 * 1024) < 0)
			abort();
	}
	if (size < 4)
		return 0;
	struct run r = {.console_in = {-1, -1}, .p = data + 4, .end = data + size};
	r.bus.ram = calloc(1, RAM_SIZE);
	r.bus.ram_base = RAM_BASE;
	r.bus.ram_size = RAM_SIZE;
	r.qnum[0] = data[2];
	r.qnum[1] = data[3];
	r.dev = create(&r, data[0]);
	if (!r.dev)
		abort();
	struct keel_error err = {0};
	if (virtio_mmio_attach(r.dev, &r.bus, DEV_BASE, (struct vm_irq){set_level, NULL, 1}, &err) <
	    0)
		abort();
	bring_up(&r, data[1]);
	for (int i = 0; i < 4096 && step(&r); i++)
		;
	virtio_mmio_free(r.dev);
	for (int i = 0; i < 2; i++)
		if (r.console_in[i] >= 0)
			close(r.console_in[i]);
	free(r.bus.ram);
	return 0;
}
