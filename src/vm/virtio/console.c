/* virtio-console (device id 3), one port and no multiport control queue:
 * queue 0 (receiveq) carries bytes from the host input fd to the guest,
 * queue 1 (transmitq) from the guest to the host output fd.
 *
 * The input fd is watched only while the guest has receive buffers
 * posted; otherwise a level-triggered poll would spin on unread input. */
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
	int in_fd, out_fd;
	bool watching;
	bool in_eof;
};

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

static void transmit(struct virtio_console *con)
{
	struct virtq_chain chain;
	while (virtq_pop(con->dev, CONSOLE_TXQ, &chain) > 0) {
		for (unsigned i = 0; con->out_fd >= 0 && i < chain.nout; i++)
			write_all(con->out_fd, chain.bufs[i].ptr, chain.bufs[i].len);
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

struct virtio_mmio *virtio_console_create(int in_fd, int out_fd, struct vm_loop *loop,
					  struct keel_error *err)
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
	con->loop = loop;
	con->in_fd = in_fd;
	con->out_fd = out_fd;
	return dev;
}
