/* Creating a container: everything from config.json to an init process
 * that waits, in its namespaces and rootfs, for `start` (the exec fifo) or,
 * in a foreground `run`, for keel's START message.
 *
 * The parent side (create.c) registers an undo step for every change it
 * makes to the host; the child side (init.c) reports failure as one line
 * over the sync socket and exits, and the parent then unwinds. */
#ifndef KEEL_RUNTIME_CREATE_H
#define KEEL_RUNTIME_CREATE_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"
#include "linux/cgroups.h"
#include "oci/config.h"
#include "runtime/undo.h"

struct create_opts {
	const char *root; /* --root */
	const char *id;
	const char *bundle; /* NULL: current directory */
	const char *pid_file;
	const char *console_socket;
	bool no_pivot;
	bool no_new_keyring;
	unsigned int preserve_fds;
	bool foreground; /* run: no exec fifo, START message */
	bool attached;	 /* run without --detach: a terminal without console
			  * socket comes back to keel (console_peer) */
	bool systemd_cgroup;
};

struct container_ctx {
	const struct create_opts *opts;
	struct oci_config *config;
	char bundle[PATH_MAX];
	char dir[PATH_MAX]; /* state directory */
	int dir_fd;	    /* the state directory, locked */
	struct linux_cgroups cgroups;
	int fifo_fd;		 /* O_PATH of the exec fifo (create mode) */
	int console_fd;		 /* connected console socket, -1 when none */
	int console_peer;	 /* keel's end when keel itself gets the terminal */
	int ns_fd[OCI_NS_COUNT]; /* namespaces joined by path, -1 otherwise */
	bool ns_new[OCI_NS_COUNT];
	unsigned int listen_fds; /* LISTEN_FDS passed through */
	int own_pid_ns;		 /* keel's own PID and time namespaces, to go back */
	int own_time_ns;	 /* to after the clone (-1: never left) */
	int sync_fd[2];		 /* [0] keel's end, [1] the init's */
	pid_t pid;
	int pidfd;
	struct undo_stack undo;
};

/* Creates the container. On success the init waits (see above), the state
 * file and --pid-file are written, and ctx holds the child (pid, pidfd,
 * sync socket). On failure nothing is left behind. */
int container_create(const struct create_opts *opts, struct container_ctx *ctx,
		     struct keel_error *err);

/* Releases what ctx holds in this process (fds, config); the container
 * itself is untouched. */
void container_ctx_release(struct container_ctx *ctx);

/* A joined user namespace must own the new PID namespace: the first child
 * joins it, unshares the PID namespace and forks the real init. */
static inline bool container_init_forks_twice(const struct container_ctx *ctx)
{
	return ctx->ns_fd[OCI_NS_USER] >= 0 && ctx->ns_new[OCI_NS_PID];
}

/* The init's side, in the cloned child. Never returns. */
__attribute__((noreturn)) void container_init(struct container_ctx *ctx);

#endif
