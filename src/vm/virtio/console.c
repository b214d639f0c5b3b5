/* virtio-console (device id 3), one port and no multiport control queue:
 * queue 0 (receiveq) carries bytes from the host to the guest, queue 1
 * (transmitq) from the guest to the host.
 *
 * Two host sides: plain fds (the device reads and writes them itself), or
 * the machine's console (keel-vm --console virtio), which pushes input in
 * with virtio_console_receive() and takes output through a callback.
 *
 * An input fd is watched only while the guest has receive buffers posted;
 * otherwise a level-triggered poll would spin on unread input. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vm/virtio/virtio_dev.h"
#include "vm/virtio/virtqueue.h"

#define CONSOLE_RXQ	   0
#define CONSOLE_TXQ	   1
#define CONSOLE_QUEUE_SIZE 64u
#define CFG_LEN		   12 /* cols, rows, max_nr_ports, emerg_wr: none offered */

struct virtio_console {
	struct virtio_mmio *dev;
	struct vm_loop *loop;
	int in_fd, out_fd;		 /* -1: none (always -1 with a host console) */
	struct virtio_console_host host; /* where guest output goes */
	bool watching;
	bool in_eof;
};

static const struct virtio_device_ops console_ops;

static void console_readable(void *opaque, short revents);

static void watch_input(struct virtio_console *con, bool on)
{
	if (con->in_fd < 0 || con->in_eof || con->watching == on || !con->loop)
		return;
	if (on)
		con->watching =
		    vm_loop_watch_fd(con->loop, con->in_fd, POLLIN, console_readable, con) == 0;
	else {
		vm_loop_unwatch_fd(con->loop, con->in_fd);
		con->watching = false;
	}
}

/* One read straight into the guest's buffers of one chain. */
static void console_readable(void *opaque, short revents)
{
	struct virtio_console *con = opaque;
	struct virtq_chain chain;
	if (virtq_pop(con->dev, CONSOLE_RXQ, &chain) <= 0) {
		watch_input(con, false); /* re-armed when the guest posts buffers */
		return;
	}
	if (chain.nin == 0) { /* nothing to write into: hand it back empty */
		virtq_push(con->dev, CONSOLE_RXQ, &chain, 0);
		virtq_notify(con->dev, CONSOLE_RXQ);
		return;
	}
	struct iovec iov[VIRTIO_QUEUE_MAX_SIZE];
	for (unsigned i = 0; i < chain.nin; i++)
		iov[i] =
		    (struct iovec){chain.bufs[chain.nout + i].ptr, chain.bufs[chain.nout + i].len};
	ssize_t n = readv(con->in_fd, iov, (int)chain.nin);
	if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
		virtq_unpop(con->dev, CONSOLE_RXQ, 1);
		return;
	}
	if (n <= 0) {
		virtq_unpop(con->dev, CONSOLE_RXQ, 1);
		watch_input(con, false);
		con->in_eof = true;
		return;
	}
	virtq_push(con->dev, CONSOLE_RXQ, &chain, (uint32_t)n);
	virtq_notify(con->dev, CONSOLE_RXQ);
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			struct pollfd pfd = {fd, POLLOUT, 0};
			if (poll(&pfd, 1, 1000) > 0)
				continue;
		}
		if (n <= 0)
			return; /* the output is gone: the bytes are lost */
		p += n;
		len -= (size_t)n;
	}
}

/* The host side of the fd flavour. */
static void write_out_fd(void *opaque, const uint8_t *buf, size_t len)
{
	struct virtio_console *con = opaque;
	if (con->out_fd >= 0)
		write_all(con->out_fd, buf, len);
}

static void transmit(struct virtio_console *con)
{
	struct virtq_chain chain;
	while (virtq_pop(con->dev, CONSOLE_TXQ, &chain) > 0) {
		for (unsigned i = 0; i < chain.nout; i++)
			con->host.write(con->host.opaque, chain.bufs[i].ptr, chain.bufs[i].len);
		virtq_push(con->dev, CONSOLE_TXQ, &chain, 0);
	}
	virtq_notify(con->dev, CONSOLE_TXQ);
}

static void console_notify(struct virtio_mmio *dev, unsigned q)
{
	struct virtio_console *con = dev->impl;
	if (q == CONSOLE_TXQ)
		transmit(con);
	else
		watch_input(con, true);
}

static void console_reset(struct virtio_mmio *dev)
{
	watch_input(dev->impl, false);
}

static void console_free(struct virtio_mmio *dev)
{
	watch_input(dev->impl, false);
	free(dev->impl);
}

static const struct virtio_device_ops console_ops = {
    .name = "virtio-console",
    .device_id = 3,
    .num_queues = 2,
    .notify = console_notify,
    .reset = console_reset,
    .free = console_free,
};

static struct virtio_console *console_new(struct keel_error *err)
{
	struct virtio_console *con = calloc(1, sizeof(*con));
	struct virtio_mmio *dev =
	    con ? virtio_mmio_new(&console_ops, con, 0, CONSOLE_QUEUE_SIZE, CFG_LEN) : NULL;
	if (!dev) {
		keel_error_errno(err, "virtio-console");
		free(con);
		return NULL;
	}
	con->dev = dev;
	con->in_fd = con->out_fd = -1;
	return con;
}

struct virtio_mmio *virtio_console_create(int in_fd, int out_fd, struct vm_loop *loop,
					  struct keel_error *err)
{
	struct virtio_console *con = console_new(err);
	if (!con)
		return NULL;
	con->loop = loop;
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	con->host = (struct virtio_console_host){.write = write_out_fd, .opaque = con};
	return con->dev;
}

struct virtio_mmio *virtio_console_create_host(const struct virtio_console_host *host,
					       struct keel_error *err)
{
	struct virtio_console *con = console_new(err);
	if (!con)
		return NULL;
	con->host = *host;
	return con->dev;
}

size_t virtio_console_input_room(struct virtio_mmio *dev)
{
	struct virtq_chain chain;
	if (dev->ops != &console_ops || virtq_pop(dev, CONSOLE_RXQ, &chain) <= 0)
		return 0;
	virtq_unpop(dev, CONSOLE_RXQ, 1);
	/* a chain with no room still counts: receiving hands it back empty */
	return chain.in_len ? chain.in_len : 1;
}

size_t virtio_console_receive(struct virtio_mmio *dev, const uint8_t *buf, size_t len)
{
	struct virtq_chain chain;
	size_t done = 0;
	bool pushed = false;
	if (dev->ops != &console_ops)
		return 0;
	while (done < len && virtq_pop(dev, CONSOLE_RXQ, &chain) > 0) {
		size_t n = virtq_chain_write(&chain, 0, buf + done, len - done);
		virtq_push(dev, CONSOLE_RXQ, &chain, (uint32_t)n);
		done += n;
		pushed = true;
	}
	if (pushed)
		virtq_notify(dev, CONSOLE_RXQ);
	return done;
}
