/* A bare-metal virtio-net driver for vm_virtio_hostile.bats: checks the
 * user-mode network end to end through keel-vm's event loop.
 *
 * It brings up the first virtio device (keel-vm --net user,...), sends
 * frames the device must drop (shorter than the header, larger than any
 * frame), then an ARP request for the gateway 10.0.2.2, and expects the
 * reply. It prints KEEL-NET-READY and waits: the test then connects to the
 * host port forwarded to 10.0.2.15:2222 and sends a datagram to the one
 * forwarded to 10.0.2.15:2223 (udp); libslirp, polled by the machine loop,
 * must deliver a TCP SYN for port 2222 and the UDP datagram for 2223. ARP
 * requests for 10.0.2.15 are answered on the way. */
#include <stdbool.h>

#include "guest.h"

const char test_name[] = "virtio_net";

#define VIRTIO_BASE 0x10001000UL
#define QSIZE	    16
#define RX_BUFS	    8
#define BUF_SIZE    2048
#define HDR	    12

enum {
	R_DEVICE_ID = 0x008,
	R_DEV_FEAT_SEL = 0x014,
	R_DEV_FEAT = 0x010,
	R_DRV_FEAT = 0x020,
	R_DRV_FEAT_SEL = 0x024,
	R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050,
	R_STATUS = 0x070,
	R_DESC_LO = 0x080,
	R_DRIVER_LO = 0x090,
	R_DEVICE_LO = 0x0a0,
	R_CONFIG = 0x100,
};

struct desc {
	u64 addr;
	u32 len;
	u16 flags, next;
};

struct queue {
	struct desc desc[QSIZE];
	struct {
		u16 flags, idx, ring[QSIZE], used_event;
	} avail;
	struct {
		u16 flags, idx;
		struct {
			u32 id, len;
		} ring[QSIZE];
		u16 avail_event;
	} used __attribute__((aligned(4)));
	u16 last_used;
};

static struct queue rxq __attribute__((aligned(4096)));
static struct queue txq __attribute__((aligned(4096)));
static u8 rx_buf[RX_BUFS][BUF_SIZE];
static u8 tx_buf[BUF_SIZE];
static u8 huge[70000];
static u8 mac[6];

static const u8 guest_ip[4] = {10, 0, 2, 15};
static const u8 gateway_ip[4] = {10, 0, 2, 2};

static void set(u32 off, u32 v)
{
	mmio_write32(VIRTIO_BASE + off, v);
}

static u32 reg(u32 off)
{
	return mmio_read32(VIRTIO_BASE + off);
}

static void copy(void *dst, const void *src, u64 n)
{
	for (u64 i = 0; i < n; i++)
		((u8 *)dst)[i] = ((const u8 *)src)[i];
}

static bool same(const void *a, const void *b, u64 n)
{
	for (u64 i = 0; i < n; i++)
		if (((const u8 *)a)[i] != ((const u8 *)b)[i])
			return false;
	return true;
}

static void setup_queue(unsigned q, struct queue *vq)
{
	set(R_QUEUE_SEL, q);
	set(R_QUEUE_NUM, QSIZE);
	set(R_DESC_LO, (u32)(u64)&vq->desc);
	set(R_DRIVER_LO, (u32)(u64)&vq->avail);
	set(R_DEVICE_LO, (u32)(u64)&vq->used);
	set(R_QUEUE_READY, 1);
}

static void publish(struct queue *vq, u16 head)
{
	vq->avail.ring[vq->avail.idx % QSIZE] = head;
	__sync_synchronize();
	vq->avail.idx++;
	__sync_synchronize();
}

static void post_rx(u16 i)
{
	rxq.desc[i] = (struct desc){(u64)rx_buf[i], BUF_SIZE, 2 /* WRITE */, 0};
	publish(&rxq, i);
	set(R_QUEUE_NOTIFY, 0);
}

static void bring_up(void)
{
	CHECK_EQ("device id", reg(R_DEVICE_ID), 1);
	set(R_STATUS, 0);
	set(R_STATUS, 3);
	set(R_DRV_FEAT_SEL, 0);
	set(R_DRV_FEAT, 1u << 5); /* MAC */
	set(R_DRV_FEAT_SEL, 1);
	set(R_DRV_FEAT, 1); /* VERSION_1 */
	set(R_STATUS, 11);
	CHECK("features accepted", reg(R_STATUS) & 8);
	setup_queue(0, &rxq);
	setup_queue(1, &txq);
	set(R_STATUS, 15);
	for (int i = 0; i < 6; i++)
		mac[i] = *(volatile u8 *)(VIRTIO_BASE + R_CONFIG + i);
	for (u16 i = 0; i < RX_BUFS; i++)
		post_rx(i);
}

/* Sends one chain; the device completes it during the notify. */
static void transmit(u64 addr, u32 len)
{
	u16 before = txq.used.idx;
	txq.desc[0] = (struct desc){addr, len, 0, 0};
	publish(&txq, 0);
	set(R_QUEUE_NOTIFY, 1);
	__sync_synchronize(); /* the device wrote the used ring meanwhile */
	CHECK_EQ("tx completed", (u16)(txq.used.idx - before), 1);
}

static void send_arp(u16 op, const u8 *dst_mac, const u8 *target_ip)
{
	u8 *f = tx_buf + HDR;
	for (int i = 0; i < HDR; i++)
		tx_buf[i] = 0;
	copy(f, dst_mac, 6);
	copy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;
	const u8 arp[8] = {0, 1, 8, 0, 6, 4, 0, (u8)op};
	copy(f + 14, arp, 8);
	copy(f + 22, mac, 6);
	copy(f + 28, guest_ip, 4);
	copy(f + 32, op == 2 ? dst_mac : (const u8 *)"\0\0\0\0\0\0", 6);
	copy(f + 38, target_ip, 4);
	transmit((u64)tx_buf, HDR + 42);
}

/* Waits for the next received frame; returns its buffer index. */
static u16 receive(u32 *len)
{
	while (rxq.last_used == *(volatile u16 *)&rxq.used.idx)
		;
	__sync_synchronize();
	u16 slot = rxq.last_used++ % QSIZE;
	*len = rxq.used.ring[slot].len;
	return (u16)rxq.used.ring[slot].id;
}

/* Answers ARP requests for us; other frames are left to the caller. */
static bool answer_arp(const u8 *f, u32 len)
{
	if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[21] != 1 || !same(f + 38, guest_ip, 4))
		return false;
	u8 asker[6], ip[4];
	copy(asker, f + 6, 6);
	copy(ip, f + 28, 4);
	send_arp(2, asker, ip);
	return true;
}

/* The IPv4 protocol (6 TCP, 17 UDP) and destination port of a frame, or 0. */
static unsigned ip_dest_port(const u8 *f, u32 len, u8 proto)
{
	if (len < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 || f[14 + 9] != proto)
		return 0;
	const u8 *l4 = f + 14 + (f[14] & 0xf) * 4;
	if (l4 + 14 > f + len)
		return 0;
	return (unsigned)l4[2] << 8 | l4[3];
}

static bool is_tcp_syn_to(const u8 *f, u32 len, unsigned port)
{
	const u8 *tcp = f + 14 + (f[14] & 0xf) * 4;
	return ip_dest_port(f, len, 6) == port && (tcp[13] & 0x02);
}

void test_main(void)
{
	bring_up();
	/* frames the device must drop without harm */
	transmit((u64)tx_buf, 4);
	transmit((u64)huge, sizeof(huge));

	static const u8 broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	send_arp(1, broadcast, gateway_ip);
	u32 len;
	u16 id = receive(&len);
	const u8 *f = rx_buf[id] + HDR;
	CHECK("arp reply length", len >= HDR + 42);
	CHECK("arp reply", f[12] == 0x08 && f[13] == 0x06 && f[21] == 2);
	CHECK("from the gateway", same(f + 28, gateway_ip, 4));
	CHECK("to us", same(f, mac, 6));
	post_rx(id);
	if (checks_failed)
		test_finish();

	uart_puts("KEEL-NET-READY\n");
	bool syn = false, udp = false;
	while (!syn || !udp) {
		id = receive(&len);
		f = rx_buf[id] + HDR;
		len = len > HDR ? len - HDR : 0;
		if (!answer_arp(f, len) && !syn && is_tcp_syn_to(f, len, 2222)) {
			syn = true;
			uart_puts("KEEL-NET-SYN\n");
		}
		if (!udp && ip_dest_port(f, len, 17) == 2223) {
			udp = true;
			uart_puts("KEEL-NET-UDP\n");
		}
		post_rx(id);
	}
	test_finish();
}
