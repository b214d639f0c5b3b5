/* `keel pause ID` and `keel resume ID`: freeze and thaw every process of
 * the container through its cgroup (v1 freezer, v2 cgroup.freeze). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/live_cgroups.h"

void live_cgroups(const struct oci_state *s, struct linux_cgroups *cg)
{
	const char *controllers[LINUX_CGROUP_MAX_HIERARCHIES], *paths[LINUX_CGROUP_MAX_HIERARCHIES];
	size_t n = 0;
	for (size_t i = 0; i < s->cgroups_len && n < LINUX_CGROUP_MAX_HIERARCHIES; i++, n++) {
		controllers[n] = s->cgroups[i].controller ? s->cgroups[i].controller : "";
		paths[n] = s->cgroups[i].path;
	}
	linux_cgroups_from_paths(cg, controllers, paths, n);
}

bool live_cgroups_frozen(const struct oci_state *s)
{
	static struct linux_cgroups cg;
	if (!s->cgroups_len)
		return false;
	live_cgroups(s, &cg);
	return linux_cgroup_is_frozen(&cg);
}

static int freeze_command(struct global_opts *g, int argc, char **argv, bool frozen,
			  struct keel_error *err)
{
	struct arg_option options[] = {{0}};
	const char *id;
	int i = 1;
	snprintf(g->context, sizeof g->context, "%s", argv[0]);
	if (args_parse(argc, argv, &i, options, err) < 0 ||
	    command_single_id(g, argc, argv, i, &id, err) < 0)
		return 1;
	struct oci_state *state = NULL;
	cleanup_close int lock = container_open(g->root, id, LOCK_EX, &state, err);
	if (lock < 0)
		return 1;
	enum oci_status status = container_refresh_status(g->root, state);
	int rc = 1;
	if (frozen && status != OCI_STATUS_RUNNING && status != OCI_STATUS_CREATED)
		keel_error_set(err, 0, "container not running");
	else if (!frozen && status != OCI_STATUS_PAUSED)
		keel_error_set(err, 0, "container not paused");
	else {
		static struct linux_cgroups cg;
		live_cgroups(state, &cg);
		rc = linux_cgroup_freeze(&cg, frozen, err) < 0 ? 1 : 0;
	}
	oci_state_free(state);
	return rc;
}

int cmd_pause(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	return freeze_command(g, argc, argv, true, err);
}

int cmd_resume(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	return freeze_command(g, argc, argv, false, err);
}
