/* `keel start`: opens the exec fifo, which lets the waiting init exec. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/proc.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/lifecycle_hooks.h"

/* The init writes one byte into the fifo once start has opened it. */
static bool got_byte(int fd)
{
	char byte;
	return read(fd, &byte, 1) == 1;
}

/* Waits for the init's byte on the fifo, or for the init to die (then the
 * fifo would never be written). The byte may already be there from an
 * init that wrote it and went on to exec and exit at once: the fifo is
 * read before the init is declared gone. */
static int release_init(const char *fifo, const struct oci_state *state, struct keel_error *err)
{
	cleanup_close int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "exec fifo");
	cleanup_close int pidfd = (int)syscall(SYS_pidfd_open, state->pid, 0);
	struct pollfd fds[2] = {{.fd = fd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
	for (;;) {
		if (got_byte(fd))
			return 0;
		if (pidfd < 0 || !linux_proc_alive(state->pid, state->pid_start_time) ||
		    (fds[1].revents & POLLIN))
			return got_byte(fd)
				   ? 0
				   : keel_error_set(err, 0, "container init exited before start");
		if (poll(fds, 2, -1) < 0 && errno != EINTR)
			return keel_error_errno(err, "exec fifo");
	}
}

int cmd_start(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	struct arg_option options[] = {{0}};
	const char *id;
	int i = 1;
	snprintf(g->context, sizeof g->context, "start");
	if (args_parse(argc, argv, &i, options, err) < 0 ||
	    command_single_id(g, argc, argv, i, &id, err) < 0)
		return 1;
	struct oci_state *state = NULL;
	cleanup_close int lock = container_open(g->root, id, LOCK_EX, &state, err);
	if (lock < 0)
		return 1;
	int rc = 1;
	switch (container_refresh_status(g->root, state)) {
	case OCI_STATUS_CREATED: {
		char fifo[PATH_MAX + 32];
		snprintf(fifo, sizeof fifo, "%s/%s/%s", g->root, id, EXEC_FIFO);
		if (release_init(fifo, state, err) == 0) {
			unlink(fifo);
			lifecycle_poststart(state);
			rc = 0;
		}
		break;
	}
	case OCI_STATUS_STOPPED:
		keel_error_set(err, 0, "cannot start a container that has stopped");
		break;
	case OCI_STATUS_RUNNING:
		keel_error_set(err, 0, "cannot start an already running container");
		break;
	default:
		keel_error_set(err, 0, "cannot start a container in the %s state",
			       oci_status_name(state->status));
	}
	oci_state_free(state);
	return rc;
}
