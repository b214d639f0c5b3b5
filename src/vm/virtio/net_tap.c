/* TAP backend: frames go to and come from a host tap interface
 * (/dev/net/tun, IFF_TAP | IFF_NO_PI), its fd watched by the machine loop. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "vm/virtio/net_backend.h"

/* Frames read per wakeup, so one busy interface cannot starve the guest. */
#define TAP_BURST 64

struct tap_backend {
	struct net_backend base;
	struct vm_loop *loop;
	int fd;
	uint8_t frame[NET_MAX_FRAME];
};

static void tap_readable(void *opaque, short revents)
{
	struct tap_backend *tb = opaque;
	for (int i = 0; i < TAP_BURST; i++) {
		ssize_t n = read(tb->fd, tb->frame, sizeof(tb->frame));
		if (n <= 0)
			return; /* EAGAIN, or an error the next poll reports again */
		net_backend_deliver(&tb->base, tb->frame, (size_t)n);
	}
}

static void tap_send(struct net_backend *be, const uint8_t *frame, size_t len)
{
	struct tap_backend *tb = (struct tap_backend *)be;
	ssize_t n;
	do
		n = write(tb->fd, frame, len);
	while (n < 0 && errno == EINTR);
	/* A full host queue drops the frame, as a wire would. */
}

static void tap_free(struct net_backend *be)
{
	struct tap_backend *tb = (struct tap_backend *)be;
	if (tb->fd >= 0) {
		if (tb->loop)
			vm_loop_unwatch_fd(tb->loop, tb->fd);
		close(tb->fd);
	}
	free(tb);
}

static const struct net_backend_ops tap_backend_ops = {
    .send = tap_send,
    .free = tap_free,
};

static int open_tap(const char *ifname, struct keel_error *err)
{
	cleanup_close int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "open /dev/net/tun");
	struct ifreq ifr = {0};
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return keel_error_errno(err, "tap %s", ifname);
	return steal_fd(&fd);
}

struct net_backend *net_tap_create(const struct net_spec *spec, struct vm_loop *loop,
				   struct keel_error *err)
{
	struct tap_backend *tb = calloc(1, sizeof(*tb));
	if (!tb) {
		keel_error_errno(err, "tap");
		return NULL;
	}
	tb->base.ops = &tap_backend_ops;
	tb->fd = open_tap(spec->ifname, err);
	if (tb->fd < 0) {
		free(tb);
		return NULL;
	}
	if (vm_loop_watch_fd(loop, tb->fd, POLLIN, tap_readable, tb) < 0) {
		keel_error_set(err, 0, "event loop full");
		tap_free(&tb->base);
		return NULL;
	}
	tb->loop = loop;
	return &tb->base;
}
