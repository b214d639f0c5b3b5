/* `keel delete [--force] ID`, and the teardown shared with `run`. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroups.h"
#include "linux/proc.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/lifecycle_hooks.h"
#include "runtime/live_cgroups.h"

void wait_process_exit(int pid, unsigned long long start_time)
{
	cleanup_close int pidfd = linux_proc_pidfd(pid, start_time);
	if (pidfd < 0)
		return;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	while (poll(&p, 1, 10000) < 0 && errno == EINTR)
		;
}

int container_destroy(const char *root, struct oci_state *s, struct keel_error *err)
{
	/* every process at once (cgroup.kill, or freeze, kill, thaw): nothing
	 * forks meanwhile, and a paused container's tasks die too */
	static struct linux_cgroups cg;
	struct keel_error kill_err = {0};
	live_cgroups(s, &cg);
	linux_cgroup_kill_all(&cg, &kill_err);
	if (linux_proc_signal(s->pid, s->pid_start_time, SIGKILL) == 0)
		wait_process_exit(s->pid, s->pid_start_time);
	int rc = 0;
	for (size_t i = 0; i < s->cgroups_len; i++) {
		struct keel_error cerr = {0};
		if (s->own_cgroup) {
			if (linux_cgroup_destroy_dir(s->cgroups[i].path, &cerr) < 0 && rc == 0) {
				*err = cerr;
				rc = -1;
			}
		} else {
			linux_cgroup_signal_all(s->cgroups[i].path, SIGKILL, &cerr);
		}
	}
	container_dir_remove(root, s->id);
	lifecycle_poststop(s);
	return rc;
}

int cmd_delete(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	bool force = false;
	struct arg_option options[] = {{"force", "f", ARG_BOOL, &force}, {0}};
	const char *id;
	int i = 1;
	snprintf(g->context, sizeof g->context, "delete");
	if (args_parse(argc, argv, &i, options, err) < 0 ||
	    command_single_id(g, argc, argv, i, &id, err) < 0)
		return 1;
	struct oci_state *state = NULL;
	cleanup_close int lock = container_open(g->root, id, LOCK_EX, &state, err);
	if (lock < 0) {
		char dir[PATH_MAX];
		/* --force on a missing container succeeds, as with runc; a
		 * directory left without a state file is removed. Never for an
		 * invalid id: "../x" would name a directory outside the root. */
		if (force && container_id_validate(id, NULL) == 0 &&
		    container_dir_path(g->root, id, dir, NULL) == 0) {
			container_dir_remove_leftover(g->root, id);
			return 0;
		}
		return 1;
	}
	int rc = 0;
	enum oci_status status = container_refresh_status(g->root, state);
	if ((status == OCI_STATUS_RUNNING || status == OCI_STATUS_PAUSED) && !force) {
		keel_error_set(err, 0, "cannot delete container %s that is not stopped: %s", id,
			       oci_status_name(status));
		rc = 1;
	} else if (container_destroy(g->root, state, err) < 0) {
		rc = 1;
	}
	oci_state_free(state);
	return rc;
}
