#include "runtime/rootless.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/fileio.h"
#include "linux/namespaces.h"
#include "runtime/container.h"

bool rootless_active(void)
{
	return geteuid() != 0;
}

const char *rootless_default_root(char *buf, size_t size)
{
	if (!rootless_active())
		return KEEL_DEFAULT_ROOT;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg)
		snprintf(buf, size, "%s/keel", xdg);
	else
		snprintf(buf, size, "/run/user/%u/keel", (unsigned)geteuid());
	return buf;
}

/* ---- id mappings ---------------------------------------------------------- */

/* One mapping of exactly the caller's own id: the kernel lets an
 * unprivileged process write that one itself. */
static bool only_own_id(const struct oci_id_mappings *maps, unsigned int own)
{
	return maps->len == 1 && maps->items[0].host_id == own && maps->items[0].size == 1;
}

/* Runs HELPER pid (cid hid size)... and returns its failure, with the
 * first line it wrote on stderr, as one line. */
static int run_map_helper(const char *helper, pid_t pid, const struct oci_id_mappings *maps,
			  struct keel_error *err)
{
	char *argv[3 + 3 * 64 + 1], nums[3 * 64][16], pidbuf[16];
	if (maps->len > 64)
		return keel_error_set(err, 0, "%s: too many mappings", helper);
	size_t n = 0;
	snprintf(pidbuf, sizeof pidbuf, "%d", (int)pid);
	argv[n++] = (char *)helper;
	argv[n++] = pidbuf;
	for (size_t i = 0; i < maps->len; i++) {
		const struct oci_id_mapping *m = &maps->items[i];
		unsigned int v[3] = {m->container_id, m->host_id, m->size};
		for (int k = 0; k < 3; k++) {
			snprintf(nums[3 * i + k], sizeof nums[0], "%u", v[k]);
			argv[n++] = nums[3 * i + k];
		}
	}
	argv[n] = NULL;
	int out[2];
	if (pipe2(out, O_CLOEXEC) < 0)
		return keel_error_errno(err, "%s", helper);
	pid_t child = fork();
	if (child < 0) {
		close(out[0]);
		close(out[1]);
		return keel_error_errno(err, "%s", helper);
	}
	if (child == 0) {
		dup2(out[1], 1);
		dup2(out[1], 2);
		execvp(helper, argv);
		dprintf(2, "%s: %s (install the uidmap package)", helper, strerror(errno));
		_exit(127);
	}
	close(out[1]);
	char msg[512] = "";
	ssize_t got = read(out[0], msg, sizeof msg - 1);
	close(out[0]);
	msg[got > 0 ? got : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return keel_error_errno(err, "%s", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	return keel_error_set(err, 0, "%s failed: %s", helper, msg[0] ? msg : "no message");
}

static int deny_setgroups(pid_t pid, struct keel_error *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/setgroups", (int)pid);
	return linux_write_file(path, "deny", err);
}

int rootless_write_id_maps(pid_t pid, const struct oci_linux *l, struct keel_error *err)
{
	if (!rootless_active())
		return linux_write_id_maps(pid, &l->uid_mappings, &l->gid_mappings, err);
	const struct oci_id_mappings none = {0};
	if (l->uid_mappings.len == 0)
		return keel_error_set(err, 0,
				      "config.json: linux.uidMappings: a rootless container needs "
				      "one (keel spec --rootless writes it)");
	if (only_own_id(&l->uid_mappings, geteuid())) {
		if (linux_write_id_maps(pid, &l->uid_mappings, &none, err) < 0)
			return keel_error_prefix(err, "linux.uidMappings");
	} else if (run_map_helper("newuidmap", pid, &l->uid_mappings, err) < 0) {
		return keel_error_prefix(err, "linux.uidMappings");
	}
	if (l->gid_mappings.len == 0)
		return 0;
	if (only_own_id(&l->gid_mappings, getegid())) {
		if (deny_setgroups(pid, err) < 0 ||
		    linux_write_id_maps(pid, &none, &l->gid_mappings, err) < 0)
			return keel_error_prefix(err, "linux.gidMappings");
	} else if (run_map_helper("newgidmap", pid, &l->gid_mappings, err) < 0) {
		return keel_error_prefix(err, "linux.gidMappings");
	}
	return 0;
}

/* ---- cgroups -------------------------------------------------------------- */

bool rootless_wants_limits(const struct oci_linux *l)
{
	if (!l->has_resources)
		return false;
	const struct oci_resources *r = &l->resources;
	return r->has_memory || r->has_cpu || r->pids.has_limit || r->has_block_io ||
	       r->hugepage_limits_len || r->has_network || r->rdma_len || r->unified.len;
}

/* The nearest existing ancestor of the container's directory is writable
 * by us: someone delegated that part of the hierarchy. */
static bool delegated(const struct linux_cgroup_hierarchy *h)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", h->path);
	for (;;) {
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return false;
		*slash = '\0';
		if (access(dir, F_OK) == 0)
			return access(dir, W_OK) == 0;
	}
}

int rootless_cgroups_create(struct linux_cgroups *cg, const struct oci_linux *l,
			    struct keel_error *err)
{
	if (!rootless_active())
		return linux_cgroups_create(cg, err);
	size_t kept = 0;
	bool dropped = false;
	for (size_t i = 0; i < cg->len; i++) {
		if (!delegated(&cg->h[i])) {
			dropped = true;
			continue;
		}
		if (kept != i)
			cg->h[kept] = cg->h[i];
		kept++;
	}
	cg->len = kept;
	if (dropped && rootless_wants_limits(l))
		return keel_error_set(
		    err, 0,
		    "config.json: linux.resources: cannot be applied rootless: no "
		    "writable delegated cgroup on this host");
	return linux_cgroups_create(cg, err);
}
