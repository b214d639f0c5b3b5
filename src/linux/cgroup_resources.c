/* Where each controller lives, the write helper, and the order in which
 * linux.resources is written. */
#include "linux/cgroup_resources.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "linux/cgroup_write.h"
#include "linux/fileio.h"

static bool list_has(const char *list, const char *word, const char *seps)
{
	size_t n = strlen(word);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, seps);
		if (len == n && strncmp(p, word, n) == 0)
			return true;
		p += len;
		p += strspn(p, seps);
	}
	return false;
}

static const struct linux_cgroup_hierarchy *unified_of(const struct linux_cgroups *cg)
{
	for (size_t i = 0; i < cg->len; i++)
		if (cg->h[i].unified)
			return &cg->h[i];
	return NULL;
}

/* Whether the unified hierarchy offers a controller to the container
 * (its parent's cgroup.controllers; the container's own may not be made
 * yet when asked). */
static bool v2_offers(const struct linux_cgroup_hierarchy *h, const char *controller)
{
	char parent[PATH_MAX + 32];
	snprintf(parent, sizeof parent, "%s", h->path);
	char *slash = strrchr(parent, '/');
	if (!slash || (size_t)(slash - parent) < strlen(h->mountpoint))
		snprintf(parent, sizeof parent, "%s", h->mountpoint);
	else
		*slash = '\0';
	strncat(parent, "/cgroup.controllers", sizeof parent - strlen(parent) - 1);
	cleanup_free char *text = NULL;
	struct keel_error ignored;
	if (linux_read_file(parent, 1 << 16, &text, &ignored) < 0)
		return false;
	return list_has(text, controller, " \n");
}

const char *linux_cgroup_controller_dir(const struct linux_cgroups *cg, const char *controller,
					bool *v2)
{
	/* v1 and v2 names of the block controller */
	const char *v1_name = strcmp(controller, "io") == 0 ? "blkio" : controller;
	const char *v2_name = strcmp(controller, "blkio") == 0 ? "io" : controller;
	for (size_t i = 0; i < cg->len; i++)
		if (!cg->h[i].unified && list_has(cg->h[i].controllers, v1_name, ",")) {
			*v2 = false;
			return cg->h[i].path;
		}
	const struct linux_cgroup_hierarchy *u = unified_of(cg);
	if (!u)
		return NULL;
	/* freezer and devices are core features of v2, not controllers */
	bool core = strcmp(v2_name, "freezer") == 0 || strcmp(v2_name, "devices") == 0;
	if ((core && cg->layout == LINUX_CGROUP_UNIFIED) || v2_offers(u, v2_name)) {
		*v2 = true;
		return u->path;
	}
	return NULL;
}

void linux_cgroups_from_paths(struct linux_cgroups *cg, const char *const *controllers,
			      const char *const *paths, size_t n)
{
	memset(cg, 0, sizeof *cg);
	cg->layout = linux_cgroup_layout_detect(LINUX_CGROUP_ROOT);
	for (size_t i = 0; i < n && cg->len < LINUX_CGROUP_MAX_HIERARCHIES; i++) {
		struct linux_cgroup_hierarchy *h = &cg->h[cg->len];
		bool unified = !controllers[i][0] || strcmp(controllers[i], "unified") == 0;
		if (strlen(paths[i]) >= sizeof h->path ||
		    strlen(controllers[i]) >= sizeof h->controllers)
			continue;
		h->unified = unified;
		strcpy(h->controllers, unified ? "" : controllers[i]);
		strcpy(h->path, paths[i]);
		/* the mountpoint is what lies above: enough for v2_offers() */
		strcpy(h->mountpoint, unified && cg->layout == LINUX_CGROUP_HYBRID
					  ? LINUX_CGROUP_ROOT "/unified"
				      : unified ? LINUX_CGROUP_ROOT
						: "");
		h->first_created = -1;
		cg->len++;
	}
}

/* Lets one level delegate every controller it has to its children. */
static void enable_level(const char *dir)
{
	char file[PATH_MAX + 32];
	cleanup_free char *offered = NULL;
	struct keel_error ignored;
	snprintf(file, sizeof file, "%s/cgroup.controllers", dir);
	if (linux_read_file(file, 1 << 16, &offered, &ignored) < 0)
		return;
	snprintf(file, sizeof file, "%s/cgroup.subtree_control", dir);
	char *save = NULL;
	for (char *c = strtok_r(offered, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		char plus[64];
		snprintf(plus, sizeof plus, "+%s", c);
		/* EBUSY: the level holds processes; the container's files then
		 * miss and writing them names the field */
		linux_write_file(file, plus, &ignored);
	}
}

void linux_cgroup_v2_enable_controllers(const struct linux_cgroups *cg)
{
	const struct linux_cgroup_hierarchy *u = unified_of(cg);
	if (!u)
		return;
	const char *path = u->path;
	size_t end = strlen(u->mountpoint);
	if (strncmp(path, u->mountpoint, end) != 0)
		return;
	/* top down: each level can only pass on what its parent gave it */
	while (path[end] == '/') {
		char dir[PATH_MAX];
		snprintf(dir, sizeof dir, "%.*s", (int)end, path);
		enable_level(dir);
		end += 1 + strcspn(path + end + 1, "/");
	}
}

/* ---- writing ------------------------------------------------------ */

bool cg_file_exists(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

int cg_write(const char *dir, const char *file, const char *value, const char *field,
	     struct keel_error *err)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	if (linux_write_file(path, value, err) == 0)
		return 0;
	if (err->errnum == ENOENT)
		return keel_error_set(err, 0, "%s: %s: not supported by this host's kernel", field,
				      path);
	return keel_error_prefix(err, "%s", field);
}

int cg_write_u64(const char *dir, const char *file, uint64_t value, const char *field,
		 struct keel_error *err)
{
	char text[32];
	snprintf(text, sizeof text, "%" PRIu64, value);
	return cg_write(dir, file, text, field, err);
}

int cg_write_i64(const char *dir, const char *file, int64_t value, const char *field,
		 struct keel_error *err)
{
	char text[32];
	snprintf(text, sizeof text, "%" PRId64, value);
	return cg_write(dir, file, text, field, err);
}

const char *cg_need(const struct linux_cgroups *cg, const char *controller, const char *field,
		    bool *v2, struct keel_error *err)
{
	const char *dir = linux_cgroup_controller_dir(cg, controller, v2);
	if (!dir)
		keel_error_set(err, 0, "%s: no %s cgroup controller on this host (%s)", field,
			       controller, linux_cgroup_layout_name(cg->layout));
	return dir;
}

/* ---- the order ---------------------------------------------------- */

static bool memory_given(const struct oci_resources *r)
{
	const struct oci_memory *m = &r->memory;
	return r->has_memory &&
	       (m->has_limit || m->has_reservation || m->has_swap || m->has_swappiness ||
		m->has_disable_oom_killer || m->has_kernel || m->has_kernel_tcp);
}

static int apply_memory(const struct linux_cgroups *cg, const struct oci_resources *r,
			struct keel_error *err)
{
	if (!memory_given(r))
		return 0;
	bool v2;
	const char *dir = cg_need(cg, "memory", "linux.resources.memory", &v2, err);
	if (!dir)
		return -1;
	return v2 ? cg_v2_memory(dir, &r->memory, err) : cg_v1_memory(dir, &r->memory, err);
}

static bool cpu_given(const struct oci_cpu *c)
{
	return c->has_shares || c->has_quota || c->has_period || c->has_burst ||
	       c->has_realtime_runtime || c->has_realtime_period || c->has_idle;
}

static int apply_cpuset(const struct linux_cgroups *cg, const struct oci_cpu *c,
			struct keel_error *err)
{
	if (!(c->cpus && *c->cpus) && !(c->mems && *c->mems))
		return 0;
	bool v2;
	const char *dir = cg_need(cg, "cpuset", "linux.resources.cpu.cpus", &v2, err);
	if (!dir)
		return -1;
	if (c->cpus && *c->cpus &&
	    cg_write(dir, "cpuset.cpus", c->cpus, "linux.resources.cpu.cpus", err) < 0)
		return -1;
	if (c->mems && *c->mems &&
	    cg_write(dir, "cpuset.mems", c->mems, "linux.resources.cpu.mems", err) < 0)
		return -1;
	return 0;
}

static int apply_cpu(const struct linux_cgroups *cg, const struct oci_resources *r,
		     struct keel_error *err)
{
	if (!r->has_cpu)
		return 0;
	if (apply_cpuset(cg, &r->cpu, err) < 0)
		return -1;
	if (!cpu_given(&r->cpu))
		return 0;
	bool v2;
	const char *dir = cg_need(cg, "cpu", "linux.resources.cpu", &v2, err);
	if (!dir)
		return -1;
	return v2 ? cg_v2_cpu(dir, &r->cpu, err) : cg_v1_cpu(dir, &r->cpu, err);
}

static int apply_pids(const struct linux_cgroups *cg, const struct oci_resources *r,
		      struct keel_error *err)
{
	if (!r->pids.has_limit)
		return 0;
	bool v2;
	const char *field = "linux.resources.pids.limit";
	const char *dir = cg_need(cg, "pids", field, &v2, err);
	if (!dir)
		return -1;
	if (r->pids.limit <= 0)
		return cg_write(dir, "pids.max", "max", field, err);
	return cg_write_i64(dir, "pids.max", r->pids.limit, field, err);
}

static bool block_io_given(const struct oci_block_io *b)
{
	return b->has_weight || b->has_leaf_weight || b->weight_device_len ||
	       b->throttle_read_bps.len || b->throttle_write_bps.len || b->throttle_read_iops.len ||
	       b->throttle_write_iops.len;
}

static int apply_block_io(const struct linux_cgroups *cg, const struct oci_resources *r,
			  struct keel_error *err)
{
	if (!r->has_block_io || !block_io_given(&r->block_io))
		return 0;
	bool v2;
	const char *dir = cg_need(cg, "blkio", "linux.resources.blockIO", &v2, err);
	if (!dir)
		return -1;
	return v2 ? cg_v2_io(dir, &r->block_io, err) : cg_v1_blkio(dir, &r->block_io, err);
}

static int apply_hugetlb(const struct linux_cgroups *cg, const struct oci_resources *r,
			 struct keel_error *err)
{
	if (!r->hugepage_limits_len)
		return 0;
	bool v2;
	const char *dir = cg_need(cg, "hugetlb", "linux.resources.hugepageLimits", &v2, err);
	if (!dir)
		return -1;
	return v2 ? cg_v2_hugetlb(dir, r->hugepage_limits, r->hugepage_limits_len, err)
		  : cg_v1_hugetlb(dir, r->hugepage_limits, r->hugepage_limits_len, err);
}

static int apply_network(const struct linux_cgroups *cg, const struct oci_resources *r,
			 struct keel_error *err)
{
	if (!r->has_network || (!r->network.has_class_id && !r->network.priorities_len))
		return 0;
	return cg_v1_network(cg, &r->network, err);
}

/* rdma.max has the same form on v1 and v2: "DEVICE hca_handle=N hca_object=N" */
static int apply_rdma(const struct linux_cgroups *cg, const struct oci_resources *r,
		      struct keel_error *err)
{
	if (!r->rdma_len)
		return 0;
	bool v2;
	const char *dir = cg_need(cg, "rdma", "linux.resources.rdma", &v2, err);
	if (!dir)
		return -1;
	for (size_t i = 0; i < r->rdma_len; i++) {
		const struct oci_rdma_limit *l = &r->rdma[i];
		char text[256], handles[32] = "max", objects[32] = "max", f[160];
		if (l->has_hca_handles)
			snprintf(handles, sizeof handles, "%u", l->hca_handles);
		if (l->has_hca_objects)
			snprintf(objects, sizeof objects, "%u", l->hca_objects);
		snprintf(text, sizeof text, "%.128s hca_handle=%s hca_object=%s", l->device,
			 handles, objects);
		snprintf(f, sizeof f, "linux.resources.rdma[\"%.100s\"]", l->device);
		if (cg_write(dir, "rdma.max", text, f, err) < 0)
			return -1;
	}
	return 0;
}

static int apply_unified(const struct linux_cgroups *cg, const struct oci_resources *r,
			 struct keel_error *err)
{
	if (!r->unified.len)
		return 0;
	const struct linux_cgroup_hierarchy *u = unified_of(cg);
	if (!u)
		return keel_error_set(err, 0,
				      "linux.resources.unified: needs cgroup v2 (this host is %s)",
				      linux_cgroup_layout_name(cg->layout));
	return cg_v2_unified(u->path, &r->unified, err);
}

static int apply_devices(const struct linux_cgroups *cg, const struct oci_resources *r,
			 const struct oci_linux *lin, struct keel_error *err)
{
	bool v2;
	const char *dir = linux_cgroup_controller_dir(cg, "devices", &v2);
	if (!dir) {
		if (!r->devices_len)
			return 0; /* nothing asked, and no controller to enforce a default */
		return keel_error_set(err, 0,
				      "linux.resources.devices: no devices cgroup controller on "
				      "this host (%s)",
				      linux_cgroup_layout_name(cg->layout));
	}
	size_t n;
	cleanup_free struct oci_device_rule *rules = linux_device_rules_effective(r, lin, &n);
	if (!rules)
		return keel_error_set(err, ENOMEM, "linux.resources.devices");
	return v2 ? linux_devices_bpf_apply(dir, rules, n, err)
		  : linux_devices_v1_apply(dir, rules, n, err);
}

int linux_cgroup_resources_apply(const struct linux_cgroups *cg, const struct oci_resources *r,
				 const struct oci_linux *lin, enum linux_resources_mode mode,
				 struct keel_error *err)
{
	static const struct oci_resources none;
	if (!r)
		r = &none;
	if (apply_memory(cg, r, err) < 0 || apply_cpu(cg, r, err) < 0 ||
	    apply_pids(cg, r, err) < 0 || apply_block_io(cg, r, err) < 0 ||
	    apply_hugetlb(cg, r, err) < 0 || apply_network(cg, r, err) < 0 ||
	    apply_rdma(cg, r, err) < 0)
		return -1;
	if (mode == LINUX_RESOURCES_CREATE && apply_devices(cg, r, lin, err) < 0)
		return -1;
	return apply_unified(cg, r, err);
}

int linux_cgroups_configure(const struct linux_cgroups *cg, const struct oci_linux *lin,
			    struct keel_error *err)
{
	linux_cgroup_v2_enable_controllers(cg);
	return linux_cgroup_resources_apply(cg, lin->has_resources ? &lin->resources : NULL, lin,
					    LINUX_RESOURCES_CREATE, err);
}

int linux_cgroup_pids(const struct linux_cgroups *cg, pid_t **pids, size_t *n,
		      struct keel_error *err)
{
	*pids = NULL;
	*n = 0;
	if (!cg->len)
		return keel_error_set(err, 0, "the container has no cgroup");
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/cgroup.procs", cg->h[0].path);
	cleanup_free char *text = NULL;
	if (linux_read_file(path, 1 << 24, &text, err) < 0)
		return -1;
	size_t cap = 16;
	pid_t *out = malloc(cap * sizeof *out);
	if (!out)
		return keel_error_set(err, ENOMEM, "%s", path);
	char *save = NULL;
	for (char *t = strtok_r(text, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		if (*n == cap) {
			pid_t *bigger = realloc(out, (cap *= 2) * sizeof *out);
			if (!bigger) {
				free(out);
				return keel_error_set(err, ENOMEM, "%s", path);
			}
			out = bigger;
		}
		out[(*n)++] = (pid_t)strtol(t, NULL, 10);
	}
	*pids = out;
	return 0;
}
