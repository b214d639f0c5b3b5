/* Host event loop: fd watches and libslirp-style fill/dispatch hooks. */
#include "vm/machine/loop.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

struct vm_loop_watch {
	int fd;
	short events;
	bool active;
	void (*cb)(void *opaque, short revents);
	void *opaque;
};

struct vm_loop {
	struct vm_loop_watch watches[VM_LOOP_MAX_FDS];
	int nwatches;
	struct vm_loop_hook hooks[VM_LOOP_MAX_HOOKS];
	int nhooks;
};

int vm_pollset_add(struct vm_pollset *set, int fd, short events)
{
	if (set->n >= VM_LOOP_MAX_FDS)
		return -1;
	set->fds[set->n] = (struct pollfd){.fd = fd, .events = events};
	return set->n++;
}

int64_t vm_loop_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct vm_loop *vm_loop_new(void)
{
	return calloc(1, sizeof(struct vm_loop));
}

void vm_loop_free(struct vm_loop *loop)
{
	free(loop);
}

int vm_loop_watch_fd(struct vm_loop *loop, int fd, short events,
		     void (*cb)(void *opaque, short revents), void *opaque)
{
	struct vm_loop_watch *slot = NULL;
	for (int i = 0; i < loop->nwatches && !slot; i++)
		if (!loop->watches[i].active)
			slot = &loop->watches[i];
	if (!slot) {
		if (loop->nwatches >= VM_LOOP_MAX_FDS)
			return -1;
		slot = &loop->watches[loop->nwatches++];
	}
	*slot = (struct vm_loop_watch){
	    .fd = fd, .events = events, .active = true, .cb = cb, .opaque = opaque};
	return 0;
}

void vm_loop_unwatch_fd(struct vm_loop *loop, int fd)
{
	/* Only marks the slot free: safe from inside a callback. */
	for (int i = 0; i < loop->nwatches; i++)
		if (loop->watches[i].active && loop->watches[i].fd == fd)
			loop->watches[i].active = false;
}

int vm_loop_add_hook(struct vm_loop *loop, const struct vm_loop_hook *hook)
{
	if (loop->nhooks >= VM_LOOP_MAX_HOOKS)
		return -1;
	loop->hooks[loop->nhooks++] = *hook;
	return 0;
}

/* index[i] is the pollset entry of watch i (-1 if it was inactive); only
 * the first n watches took part in this round (callbacks may add more). */
static void dispatch_watches(struct vm_loop *loop, struct vm_pollset *set, const int *index, int n)
{
	for (int i = 0; i < n; i++) {
		struct vm_loop_watch *w = &loop->watches[i];
		if (index[i] < 0 || !w->active)
			continue;
		short revents = set->fds[index[i]].revents;
		if (revents)
			w->cb(w->opaque, revents);
	}
}

int vm_loop_poll(struct vm_loop *loop, int timeout_ms)
{
	return vm_loop_poll_ns(loop, timeout_ms < 0 ? -1 : (int64_t)timeout_ms * 1000000);
}

/* Hooks speak milliseconds: the earlier of theirs and ours wins. */
static int64_t hook_timeout_ns(struct vm_loop *loop, struct vm_pollset *set, int64_t timeout_ns)
{
	for (int i = 0; i < loop->nhooks; i++) {
		int ms = -1;
		loop->hooks[i].fill(loop->hooks[i].opaque, set, &ms);
		if (ms >= 0 && (timeout_ns < 0 || (int64_t)ms * 1000000 < timeout_ns))
			timeout_ns = (int64_t)ms * 1000000;
	}
	return timeout_ns;
}

int vm_loop_poll_ns(struct vm_loop *loop, int64_t timeout_ns)
{
	struct vm_pollset set = {.n = 0};
	int index[VM_LOOP_MAX_FDS];
	int nwatches = loop->nwatches;
	for (int i = 0; i < nwatches; i++)
		index[i] = loop->watches[i].active
			       ? vm_pollset_add(&set, loop->watches[i].fd, loop->watches[i].events)
			       : -1;
	timeout_ns = hook_timeout_ns(loop, &set, timeout_ns);
	struct timespec ts = {.tv_sec = timeout_ns / 1000000000,
			      .tv_nsec = timeout_ns % 1000000000};
	int r = ppoll(set.fds, (nfds_t)set.n, timeout_ns < 0 ? NULL : &ts, NULL);
	if (r < 0) {
		if (errno != EINTR)
			return -1;
		r = 0;
		for (int i = 0; i < set.n; i++)
			set.fds[i].revents = 0;
	}
	dispatch_watches(loop, &set, index, nwatches);
	for (int i = 0; i < loop->nhooks; i++)
		loop->hooks[i].dispatch(loop->hooks[i].opaque, &set, r);
	return r;
}
