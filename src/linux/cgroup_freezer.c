/* Pause, resume and kill-all on a container's cgroups: v1 freezer.state,
 * v2 cgroup.freeze / cgroup.events / cgroup.kill. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroup_write.h"
#include "linux/fileio.h"

#define SETTLE_ATTEMPTS 2000 /* x 1 ms: a freeze that takes longer is reported */

static void sleep_ms(long ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&t, NULL);
}

static bool read_contains(const char *dir, const char *file, const char *needle)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	cleanup_free char *text = NULL;
	struct keel_error ignored;
	if (linux_read_file(path, 1 << 16, &text, &ignored) < 0)
		return false;
	return strstr(text, needle) != NULL;
}

/* v1: FREEZING until every task stopped; writing FROZEN again retries the
 * tasks that were busy (in a vfork, in the middle of a fork ...). */
static int v1_freeze(const char *dir, bool frozen, struct keel_error *err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	for (int i = 0; i < SETTLE_ATTEMPTS; i++) {
		if (cg_write(dir, "freezer.state", want, frozen ? "pause" : "resume", err) < 0)
			return -1;
		if (read_contains(dir, "freezer.state", want))
			return 0;
		sleep_ms(1);
	}
	return keel_error_set(err, EBUSY, "%s: %s/freezer.state did not become %s",
			      frozen ? "pause" : "resume", dir, want);
}

static int v2_freeze(const char *dir, bool frozen, struct keel_error *err)
{
	if (cg_write(dir, "cgroup.freeze", frozen ? "1" : "0", frozen ? "pause" : "resume", err) <
	    0)
		return -1;
	const char *want = frozen ? "frozen 1" : "frozen 0";
	for (int i = 0; i < SETTLE_ATTEMPTS; i++) {
		if (read_contains(dir, "cgroup.events", want))
			return 0;
		sleep_ms(1);
	}
	return keel_error_set(err, EBUSY, "%s: %s/cgroup.events did not report %s",
			      frozen ? "pause" : "resume", dir, want);
}

int linux_cgroup_freeze(const struct linux_cgroups *cg, bool frozen, struct keel_error *err)
{
	bool v2;
	const char *dir = linux_cgroup_controller_dir(cg, "freezer", &v2);
	if (!dir)
		return keel_error_set(err, 0, "%s: no freezer cgroup on this host (%s)",
				      frozen ? "pause" : "resume",
				      linux_cgroup_layout_name(cg->layout));
	return v2 ? v2_freeze(dir, frozen, err) : v1_freeze(dir, frozen, err);
}

bool linux_cgroup_is_frozen(const struct linux_cgroups *cg)
{
	bool v2;
	const char *dir = linux_cgroup_controller_dir(cg, "freezer", &v2);
	if (!dir)
		return false;
	if (v2)
		return read_contains(dir, "cgroup.freeze", "1");
	return read_contains(dir, "freezer.state", "FROZEN") ||
	       read_contains(dir, "freezer.state", "FREEZING");
}

int linux_cgroup_kill_all(const struct linux_cgroups *cg, struct keel_error *err)
{
	if (!cg->len)
		return 0;
	bool v2 = false;
	const char *freezer = linux_cgroup_controller_dir(cg, "freezer", &v2);
	/* cgroup.kill also kills v2-frozen tasks; a v1-frozen task (hybrid
	 * hosts have both) only dies once thawed */
	if (freezer && v2 && cg_file_exists(freezer, "cgroup.kill"))
		return cg_write(freezer, "cgroup.kill", "1", "kill", err);
	/* frozen tasks cannot fork while they are signalled */
	struct keel_error ignored;
	if (freezer)
		linux_cgroup_freeze(cg, true, &ignored);
	int rc = linux_cgroup_signal_all(cg->h[0].path, SIGKILL, err);
	if (freezer)
		linux_cgroup_freeze(cg, false, &ignored);
	return rc;
}
