/* The machine's host event loop. keel-vm runs all harts in one host thread;
 * between slices of guest execution (and while every hart waits in WFI) it
 * polls host file descriptors and calls back the devices that own them.
 *
 * Contract between the machine (owner of the loop) and the devices: a device
 * registers either plain fd watches or a fill/dispatch hook pair (libslirp
 * style: the hook adds its own fds to the poll set and may shorten the
 * timeout, then is given the results). Callbacks run on the vCPU thread, so
 * devices need no locks. */
#ifndef KEEL_VM_LOOP_H
#define KEEL_VM_LOOP_H

#include <poll.h>
#include <stdint.h>

#define VM_LOOP_MAX_FDS	  64
#define VM_LOOP_MAX_HOOKS 16

struct vm_pollset {
	struct pollfd fds[VM_LOOP_MAX_FDS];
	int n;
};

/* Adds fd to the set; returns its index (for reading revents) or -1 if full. */
int vm_pollset_add(struct vm_pollset *set, int fd, short events);

struct vm_loop_hook {
	/* Add fds; lower *timeout_ms (-1 = infinite) if a timer is due sooner. */
	void (*fill)(void *opaque, struct vm_pollset *set, int *timeout_ms);
	/* Called after poll() (also on timeout) to handle results and timers. */
	void (*dispatch)(void *opaque, struct vm_pollset *set, int poll_result);
	void *opaque;
};

struct vm_loop;

/* Plain watch: cb runs when fd reports any of events. Returns -1 if full. */
int vm_loop_watch_fd(struct vm_loop *loop, int fd, short events,
		     void (*cb)(void *opaque, short revents), void *opaque);
void vm_loop_unwatch_fd(struct vm_loop *loop, int fd);
int vm_loop_add_hook(struct vm_loop *loop, const struct vm_loop_hook *hook);

/* Monotonic host time in nanoseconds (used for device timers). */
int64_t vm_loop_now_ns(void);

/* Owner side (the machine): create, poll once, free. vm_loop_poll() builds
 * the poll set from the watches and hooks, waits at most timeout_ms (-1 =
 * until an event, 0 = just look), then runs the callbacks. Returns poll()'s
 * result (-1 only on an error other than EINTR). */
struct vm_loop *vm_loop_new(void);
void vm_loop_free(struct vm_loop *loop);
int vm_loop_poll(struct vm_loop *loop, int timeout_ms);
/* Same with a timeout in nanoseconds (-1 = until an event), for timers
 * finer than a millisecond. */
int vm_loop_poll_ns(struct vm_loop *loop, int64_t timeout_ns);

#endif
