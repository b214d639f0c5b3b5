/* `keel kill [--all] ID [SIGNAL]`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroups.h"
#include "linux/proc.h"
#include "linux/signals.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/live_cgroups.h"

static int signal_container(const struct oci_state *s, int sig, bool all, struct keel_error *err)
{
	if (!all || s->cgroups_len == 0) {
		if (linux_proc_signal(s->pid, s->pid_start_time, sig) < 0)
			return keel_error_errno(err, "kill %d", (int)s->pid);
		return 0;
	}
	if (sig == SIGKILL) {
		/* cgroup.kill, or freeze, kill, thaw: no fork escapes */
		static struct linux_cgroups cg;
		live_cgroups(s, &cg);
		return linux_cgroup_kill_all(&cg, err);
	}
	/* every process of the container sits in each of its cgroups */
	return linux_cgroup_signal_all(s->cgroups[0].path, sig, err);
}

int cmd_kill(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	bool all = false;
	struct arg_option options[] = {{"all", "a", ARG_BOOL, &all}, {0}};
	int i = 1;
	snprintf(g->context, sizeof g->context, "kill");
	if (args_parse(argc, argv, &i, options, err) < 0)
		return 1;
	if (i >= argc || i + 2 < argc) {
		keel_error_set(err, 0,
			       "\"kill\" requires a minimum of 1 and a maximum of 2 arguments");
		return 1;
	}
	const char *id = argv[i];
	snprintf(g->context, sizeof g->context, "kill %s", id);
	int sig = SIGTERM;
	if (i + 1 < argc) {
		sig = linux_signal_parse(argv[i + 1]);
		if (sig < 0)
			return keel_error_set(err, 0, "unknown signal \"%s\"", argv[i + 1]), 1;
	}
	struct oci_state *state = NULL;
	cleanup_close int lock = container_open(g->root, id, LOCK_SH, &state, err);
	if (lock < 0)
		return 1;
	int rc = 1;
	if (container_refresh_status(g->root, state) == OCI_STATUS_STOPPED && !all)
		keel_error_set(err, 0, "container not running");
	else if (signal_container(state, sig, all, err) == 0)
		rc = 0;
	oci_state_free(state);
	return rc;
}
