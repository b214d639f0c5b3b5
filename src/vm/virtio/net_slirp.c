/* User-mode networking through libslirp (QEMU's network stack): the guest
 * sees 10.0.2.0/24 with the gateway at 10.0.2.2, DNS at 10.0.2.3 and DHCP
 * handing out 10.0.2.15; its connections become host sockets. libslirp is
 * driven from the machine's loop by a fill/dispatch hook; its timers are
 * kept here and fired from dispatch. */
#include <arpa/inet.h>
#include <errno.h>
#include <slirp/libslirp.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "vm/virtio/net_backend.h"

struct slirp_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
	struct slirp_timer *next;
};

struct slirp_backend {
	struct net_backend base;
	Slirp *slirp;
	struct slirp_timer *timers;
};

static int64_t now_ms(void)
{
	return vm_loop_now_ns() / 1000000;
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct slirp_backend *sb = opaque;
	net_backend_deliver(&sb->base, buf, len);
	return (ssize_t)len;
}

static void cb_guest_error(const char *msg, void *opaque)
{
	log_warn("virtio-net user: guest error: %s", msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	return vm_loop_now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct slirp_backend *sb = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));
	if (!t)
		abort(); /* libslirp cannot handle a failed timer_new */
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = sb->timers;
	sb->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct slirp_backend *sb = opaque;
	for (struct slirp_timer **p = &sb->timers; *p; p = &(*p)->next)
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
}

static void cb_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	((struct slirp_timer *)timer)->expire_ms = expire_ms;
}

/* Sockets are polled afresh on every loop iteration through the hook. */
static void cb_register_poll_fd(int fd, void *opaque)
{
}

static void cb_unregister_poll_fd(int fd, void *opaque)
{
}

static void cb_notify(void *opaque)
{
}

static const SlirpCb slirp_callbacks = {
    .send_packet = cb_send_packet,
    .guest_error = cb_guest_error,
    .clock_get_ns = cb_clock_get_ns,
    .timer_new = cb_timer_new,
    .timer_free = cb_timer_free,
    .timer_mod = cb_timer_mod,
    .register_poll_fd = cb_register_poll_fd,
    .unregister_poll_fd = cb_unregister_poll_fd,
    .notify = cb_notify,
};

static short to_poll_events(int slirp_events)
{
	short ev = 0;
	if (slirp_events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (slirp_events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (slirp_events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	return ev;
}

static int from_poll_events(short ev)
{
	int r = 0;
	if (ev & POLLIN)
		r |= SLIRP_POLL_IN;
	if (ev & POLLOUT)
		r |= SLIRP_POLL_OUT;
	if (ev & POLLPRI)
		r |= SLIRP_POLL_PRI;
	if (ev & (POLLERR | POLLNVAL))
		r |= SLIRP_POLL_ERR;
	if (ev & POLLHUP)
		r |= SLIRP_POLL_HUP;
	return r;
}

static int add_poll(int fd, int events, void *opaque)
{
	return vm_pollset_add(opaque, fd, to_poll_events(events));
}

static int get_revents(int idx, void *opaque)
{
	struct vm_pollset *set = opaque;
	if (idx < 0 || idx >= set->n)
		return 0;
	return from_poll_events(set->fds[idx].revents);
}

static void hook_fill(void *opaque, struct vm_pollset *set, int *timeout_ms)
{
	struct slirp_backend *sb = opaque;
	uint32_t timeout = *timeout_ms < 0 ? UINT32_MAX : (uint32_t)*timeout_ms;
	slirp_pollfds_fill(sb->slirp, &timeout, add_poll, set);
	int64_t now = now_ms();
	for (struct slirp_timer *t = sb->timers; t; t = t->next) {
		if (t->expire_ms < 0)
			continue;
		int64_t left = t->expire_ms > now ? t->expire_ms - now : 0;
		if (left < (int64_t)timeout)
			timeout = (uint32_t)left;
	}
	*timeout_ms = timeout == UINT32_MAX ? -1 : (int)(timeout > INT32_MAX ? INT32_MAX : timeout);
}

/* Fires due timers, one per pass since a callback may free or re-arm
 * timers; bounded, so one re-armed for the past cannot stall the loop (it
 * fires again on the next dispatch). */
#define TIMER_PASSES_MAX 64

static void run_timers(struct slirp_backend *sb)
{
	bool fired = true;
	for (int pass = 0; fired && pass < TIMER_PASSES_MAX; pass++) {
		fired = false;
		int64_t now = now_ms();
		for (struct slirp_timer *t = sb->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				fired = true;
				break;
			}
		}
	}
}

static void hook_dispatch(void *opaque, struct vm_pollset *set, int poll_result)
{
	struct slirp_backend *sb = opaque;
	slirp_pollfds_poll(sb->slirp, poll_result < 0, get_revents, set);
	run_timers(sb);
}

static void slirp_send(struct net_backend *be, const uint8_t *frame, size_t len)
{
	struct slirp_backend *sb = (struct slirp_backend *)be;
	if (len <= INT32_MAX)
		slirp_input(sb->slirp, frame, (int)len);
}

static void slirp_free(struct net_backend *be)
{
	struct slirp_backend *sb = (struct slirp_backend *)be;
	if (sb->slirp)
		slirp_cleanup(sb->slirp);
	while (sb->timers) {
		struct slirp_timer *t = sb->timers;
		sb->timers = t->next;
		free(t);
	}
	free(sb);
}

static const struct net_backend_ops slirp_backend_ops = {
    .send = slirp_send,
    .free = slirp_free,
};

static void fill_config(SlirpConfig *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = 4;
	cfg->restricted = 0;
	cfg->in_enabled = true;
	inet_pton(AF_INET, "10.0.2.0", &cfg->vnetwork);
	inet_pton(AF_INET, "255.255.255.0", &cfg->vnetmask);
	inet_pton(AF_INET, "10.0.2.2", &cfg->vhost);
	inet_pton(AF_INET, "10.0.2.15", &cfg->vdhcp_start);
	inet_pton(AF_INET, "10.0.2.3", &cfg->vnameserver);
	cfg->if_mtu = 1500;
	cfg->if_mru = 1500;
}

static int add_forwards(struct slirp_backend *sb, const struct net_spec *spec,
			struct keel_error *err)
{
	for (unsigned i = 0; i < spec->nhostfwd; i++) {
		const struct net_hostfwd *f = &spec->hostfwd[i];
		if (slirp_add_hostfwd(sb->slirp, f->udp, f->host_addr, f->host_port, f->guest_addr,
				      f->guest_port) < 0) {
			char addr[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &f->host_addr, addr, sizeof(addr));
			return keel_error_set(err, 0,
					      "hostfwd %s:%s:%d: cannot listen (address in use?)",
					      f->udp ? "udp" : "tcp", addr, f->host_port);
		}
	}
	return 0;
}

struct net_backend *net_slirp_create(const struct net_spec *spec, struct vm_loop *loop,
				     struct keel_error *err)
{
	struct slirp_backend *sb = calloc(1, sizeof(*sb));
	if (!sb) {
		keel_error_errno(err, "user networking");
		return NULL;
	}
	sb->base.ops = &slirp_backend_ops;
	SlirpConfig cfg;
	fill_config(&cfg);
	sb->slirp = slirp_new(&cfg, &slirp_callbacks, sb);
	if (!sb->slirp) {
		keel_error_set(err, 0, "cannot start libslirp");
		goto fail;
	}
	if (add_forwards(sb, spec, err) < 0)
		goto fail;
	struct vm_loop_hook hook = {hook_fill, hook_dispatch, sb};
	if (vm_loop_add_hook(loop, &hook) < 0) {
		keel_error_set(err, 0, "event loop full");
		goto fail;
	}
	return &sb->base;
fail:
	slirp_free(&sb->base);
	return NULL;
}
