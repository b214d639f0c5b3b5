/* A hostile virtio-blk driver, run bare-metal in keel-vm by
 * vm_virtio_hostile.bats (built there with the cross compiler and the ISA
 * tests' library in tests/guest/common).
 *
 * It first uses the disk properly (read the sector the test wrote, write
 * one back, flush, get id, out-of-range sector), then breaks the queue in
 * every way the spec forbids: buffers outside RAM or on MMIO registers,
 * chain loops, a jumping available index, nested and oversized indirect
 * tables, rings outside RAM. After each it checks that the device reports
 * DEVICE_NEEDS_RESET with a configuration interrupt, never completes the
 * request, and works again after a reset. keel-vm must neither crash nor
 * write outside guest RAM (the ASan run checks the host side). */
#include <stdbool.h>

#include "guest.h"

const char test_name[] = "virtio_hostile";

#define VIRTIO_BASE 0x10001000UL		      /* slot 0: the first --disk */
#define RAM_END	    (0x80000000UL + 64 * 1024 * 1024) /* keel-vm -m 64M */

enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
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

#define S_ACK	      1
#define S_DRIVER      2
#define S_DRIVER_OK   4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 64

#define D_NEXT	   1
#define D_WRITE	   2
#define D_INDIRECT 4

#define QSIZE 16

struct desc {
	u64 addr;
	u32 len;
	u16 flags;
	u16 next;
};

struct ring {
	struct desc desc[QSIZE];
	struct {
		u16 flags, idx, ring[QSIZE], used_event;
	} avail __attribute__((aligned(2)));
	struct {
		u16 flags, idx;
		struct {
			u32 id, len;
		} ring[QSIZE];
		u16 avail_event;
	} used __attribute__((aligned(4)));
	struct desc indirect[4] __attribute__((aligned(16)));
	u8 hdr[16];
	u8 status;
	u8 data[512] __attribute__((aligned(8)));
};

static struct ring q __attribute__((aligned(4096)));
static bool read_only;

static u32 reg(u32 off)
{
	return mmio_read32(VIRTIO_BASE + off);
}

static void set(u32 off, u32 v)
{
	mmio_write32(VIRTIO_BASE + off, v);
}

static void zero(void *p, u64 n)
{
	for (u64 i = 0; i < n; i++)
		((volatile u8 *)p)[i] = 0;
}

/* Reset and bring the device up with queue 0 at the given rings. */
static void bring_up(u64 desc, u64 avail, u64 used)
{
	set(R_STATUS, 0);
	zero(&q, sizeof(q));
	set(R_STATUS, S_ACK | S_DRIVER);
	set(R_DEV_FEAT_SEL, 0);
	read_only = reg(R_DEV_FEAT) & (1u << 5);
	set(R_DRV_FEAT_SEL, 0);
	set(R_DRV_FEAT, 1u << 28); /* INDIRECT_DESC */
	set(R_DRV_FEAT_SEL, 1);
	set(R_DRV_FEAT, 1); /* VERSION_1 */
	set(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	CHECK("features accepted", reg(R_STATUS) & S_FEATURES_OK);
	set(R_QUEUE_SEL, 0);
	CHECK("queue size", reg(R_QUEUE_NUM_MAX) >= QSIZE);
	set(R_QUEUE_NUM, QSIZE);
	set(R_DESC_LO, (u32)desc);
	set(R_DESC_HI, (u32)(desc >> 32));
	set(R_DRIVER_LO, (u32)avail);
	set(R_DRIVER_HI, (u32)(avail >> 32));
	set(R_DEVICE_LO, (u32)used);
	set(R_DEVICE_HI, (u32)(used >> 32));
	set(R_QUEUE_READY, 1);
	set(R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

static void start(void)
{
	bring_up((u64)&q.desc, (u64)&q.avail, (u64)&q.used);
	CHECK_EQ("queue ready", reg(R_QUEUE_READY), 1);
}

static void set_desc(struct desc *d, u64 addr, u32 len, u16 flags, u16 next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Publishes head and kicks; the device serves it during the MMIO write. */
static void kick(u16 head)
{
	q.avail.ring[q.avail.idx % QSIZE] = head;
	__sync_synchronize();
	q.avail.idx++;
	__sync_synchronize();
	set(R_QUEUE_NOTIFY, 0);
	__sync_synchronize();
}

static void header(u32 type, u64 sector)
{
	zero(q.hdr, sizeof(q.hdr));
	*(volatile u32 *)q.hdr = type;
	*(volatile u64 *)(q.hdr + 8) = sector;
}

/* header + data + status; returns the status byte (0xee if not completed). */
static u8 request(u32 type, u64 sector, u64 data, u32 len, bool device_writes)
{
	header(type, sector);
	q.status = 0xee;
	set_desc(&q.desc[0], (u64)q.hdr, 16, D_NEXT, 1);
	set_desc(&q.desc[1], data, len, D_NEXT | (device_writes ? D_WRITE : 0), 2);
	set_desc(&q.desc[2], (u64)&q.status, 1, D_WRITE, 0);
	kick(0);
	return q.status;
}

static u64 capacity(void)
{
	return mmio_read32(VIRTIO_BASE + R_CONFIG) | (u64)mmio_read32(VIRTIO_BASE + R_CONFIG + 4)
							 << 32;
}

static void proper_use(void)
{
	start();
	CHECK_EQ("magic", reg(R_MAGIC), 0x74726976);
	CHECK_EQ("version", reg(R_VERSION), 2);
	CHECK_EQ("device id", reg(R_DEVICE_ID), 2);
	CHECK_EQ("capacity", capacity(), 2048); /* the 1 MiB image */
	CHECK_EQ("read sector 0", request(0, 0, (u64)q.data, 512, true), 0);
	CHECK("sector 0 content", q.data[0] == 'K' && q.data[4] == 'D' && q.data[511] == '!');
	CHECK_EQ("used len of a read", q.used.ring[0].len, 513);
	const char msg[] = "HOSTILE-OK";
	for (unsigned i = 0; i < 512; i++)
		q.data[i] = i < sizeof(msg) - 1 ? (u8)msg[i] : '.';
	CHECK_EQ("write sector 1", request(1, 1, (u64)q.data, 512, false), read_only ? 1 : 0);
	header(4, 0);
	q.status = 0xee;
	set_desc(&q.desc[0], (u64)q.hdr, 16, D_NEXT, 1);
	set_desc(&q.desc[1], (u64)&q.status, 1, D_WRITE, 0);
	kick(0);
	CHECK_EQ("flush", q.status, 0);
	CHECK_EQ("get id", request(8, 0, (u64)q.data, 20, true), 0);
	CHECK_EQ("read past the end", request(0, capacity(), (u64)q.data, 512, true), 1);
	CHECK_EQ("read across the end", request(0, capacity() - 1, (u64)q.data, 1024, true), 1);
	CHECK_EQ("unknown request", request(0x77, 0, (u64)q.data, 512, true), 2);
	CHECK_EQ("no reset needed", reg(R_STATUS) & S_NEEDS_RESET, 0);
}

/* The device refused the queue: nothing completed, NEEDS_RESET and a
 * configuration change interrupt; after a reset it serves reads again. */
static void expect_broken(const char *what)
{
	uart_puts("# hostile: ");
	uart_puts(what);
	uart_puts("\n");
	CHECK(what, reg(R_STATUS) & S_NEEDS_RESET);
	CHECK(what, reg(R_INT_STATUS) & 2);
	CHECK_EQ(what, q.used.idx, 0);
	set(R_INT_ACK, 3);
	start();
	CHECK_EQ("works after reset", request(0, 0, (u64)q.data, 512, true), 0);
	CHECK_EQ("sector 0 after reset", q.data[0], 'K');
	start();
}

static void hostile(void)
{
	start();
	request(0, 0, 0x1000, 512, true); /* low memory: not RAM */
	expect_broken("buffer below RAM");

	request(0, 0, 0x10000000UL, 8, true); /* the UART's registers */
	expect_broken("buffer on MMIO registers");

	request(0, 0, RAM_END - 16, 512, true);
	expect_broken("buffer across the end of RAM");

	request(0, 0, (u64)q.data, 0xffffffffu, true);
	expect_broken("4 GiB buffer");

	request(0, 0, ~0UL - 8, 512, true);
	expect_broken("address wrapping around");

	header(0, 0);
	set_desc(&q.desc[0], (u64)q.hdr, 16, D_NEXT, 1);
	set_desc(&q.desc[1], (u64)q.data, 512, D_NEXT, 0);
	kick(0);
	expect_broken("descriptor loop");

	set_desc(&q.desc[0], (u64)q.hdr, 16, D_NEXT, 200);
	kick(0);
	expect_broken("next out of range");

	set_desc(&q.desc[0], (u64)q.data, 512, D_WRITE, 0);
	q.avail.idx += 100;
	__sync_synchronize();
	set(R_QUEUE_NOTIFY, 0);
	expect_broken("available index jump");

	set_desc(&q.indirect[0], (u64)q.indirect, 16, D_INDIRECT, 0);
	set_desc(&q.desc[0], (u64)q.indirect, 16, D_INDIRECT, 0);
	kick(0);
	expect_broken("nested indirect table");

	set_desc(&q.desc[0], (u64)q.indirect, 16 * 1000, D_INDIRECT, 0);
	kick(0);
	expect_broken("oversized indirect table");

	set_desc(&q.desc[0], RAM_END - 8, 64, D_INDIRECT, 0);
	kick(0);
	expect_broken("indirect table outside RAM");

	set_desc(&q.desc[0], (u64)q.hdr, 16, D_NEXT | D_WRITE, 1);
	set_desc(&q.desc[1], (u64)q.data, 16, D_NEXT, 2);
	set_desc(&q.desc[2], (u64)&q.status, 1, D_WRITE, 0);
	kick(0);
	expect_broken("readable after writable");

	bring_up(RAM_END - 64, (u64)&q.avail, (u64)&q.used);
	CHECK_EQ("rings outside RAM refused", reg(R_QUEUE_READY), 0);
	expect_broken("rings outside RAM");
}

void test_main(void)
{
	proper_use();
	hostile();
	CHECK_EQ("final read", request(0, 0, (u64)q.data, 512, true), 0);
	test_finish();
}
