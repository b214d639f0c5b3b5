/* Cgroup placement: one cgroup per container in every mounted hierarchy
 * (each v1 hierarchy and the unified one), the init process moved into it,
 * and removal on delete. Resource limits are written by a later module on
 * top of struct linux_cgroups (each hierarchy's directory is known here).
 *
 * The layout is detected at run time (statfs of /sys/fs/cgroup):
 *   unified  cgroup2 mounted at /sys/fs/cgroup
 *   hybrid   v1 controllers + cgroup2 at /sys/fs/cgroup/unified
 *   legacy   v1 controllers only */
#ifndef KEEL_LINUX_CGROUPS_H
#define KEEL_LINUX_CGROUPS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"

#define LINUX_CGROUP_ROOT	     "/sys/fs/cgroup"
#define LINUX_CGROUP_MAX_HIERARCHIES 24

enum linux_cgroup_layout {
	LINUX_CGROUP_NONE,
	LINUX_CGROUP_LEGACY,
	LINUX_CGROUP_HYBRID,
	LINUX_CGROUP_UNIFIED,
};

const char *linux_cgroup_layout_name(enum linux_cgroup_layout layout);

/* statfs-based detection under root (normally LINUX_CGROUP_ROOT). */
enum linux_cgroup_layout linux_cgroup_layout_detect(const char *root);
/* The decision itself, from the filesystem magics of root and root/unified
 * (0 when it does not exist). */
enum linux_cgroup_layout linux_cgroup_layout_from_magic(long root_magic, long unified_magic);

struct linux_cgroup_hierarchy {
	char controllers[128]; /* "memory", "cpu,cpuacct", "name=systemd"; "" for cgroup2 */
	char mountpoint[PATH_MAX];
	char mount_root[PATH_MAX]; /* the hierarchy path mounted there (mountinfo field 4) */
	bool unified;
	char path[PATH_MAX]; /* the container's directory: mountpoint + inner path */
	bool created;	     /* keel made the leaf directory */
	int first_created;   /* offset in path of the first directory keel made, -1: none */
};

struct linux_cgroups {
	enum linux_cgroup_layout layout;
	char inner[PATH_MAX]; /* the container's cgroup path inside each hierarchy */
	size_t len;
	struct linux_cgroup_hierarchy h[LINUX_CGROUP_MAX_HIERARCHIES];
};

/* Fills cg->h[] (mountpoints, controllers) from /proc/self/mountinfo text.
 * Each hierarchy is listed once (its first mount). */
int linux_cgroup_parse_mountinfo(const char *text, struct linux_cgroups *cg,
				 struct keel_error *err);

/* The path of the process's own cgroup in a hierarchy, from
 * /proc/self/cgroup text ("4:memory:/a/b", "0::/x"). Returns -1 when the
 * hierarchy is not listed. */
int linux_cgroup_own_path(const char *proc_cgroup, const struct linux_cgroup_hierarchy *h,
			  char *out, size_t size);

/* The container's cgroup path inside a hierarchy: linux.cgroupsPath when
 * absolute; relative to own_path when relative; own_path/<id> when empty
 * (as runc does for its cgroupfs driver). ".." cannot climb above "/".
 * Returns -1 when the result is too long. */
int linux_cgroup_inner_path(const char *cgroups_path, const char *id, const char *own_path,
			    char *out, size_t size);

/* --systemd-cgroup: cgroupsPath "slice:prefix:name" as the path systemd
 * would give the unit, "/system.slice/keel-web1.scope"; nested slices
 * expand ("a-b.slice" -> "/a.slice/a-b.slice"). Empty: system.slice,
 * prefix "keel", the id. Returns -1 for a malformed spec. */
int linux_cgroup_systemd_path(const char *spec, const char *id, char *out, size_t size);

/* Lexically cleans an absolute path in place ("//a/./b/../c/" -> "/a/c"). */
void linux_path_clean(char *path);

/* Discovers the hierarchies of this host and computes every directory of
 * the container (nothing is created). */
int linux_cgroups_prepare(struct linux_cgroups *cg, const char *cgroups_path, const char *id,
			  struct keel_error *err);

/* Creates the directories (copying cpuset.cpus/mems into new v1 cpuset
 * levels so that tasks can join them). On failure removes what it made. */
int linux_cgroups_create(struct linux_cgroups *cg, struct keel_error *err);

/* Moves pid into the container's cgroup in every hierarchy. */
int linux_cgroups_enter(const struct linux_cgroups *cg, pid_t pid, struct keel_error *err);

/* Removes the directories keel created (undo of create). */
void linux_cgroups_remove_created(struct linux_cgroups *cg);

/* Kills every process left in the directory (SIGKILL) and removes it,
 * waiting for the kernel to release the emptied cgroup. ENOENT is not an
 * error (already gone). */
int linux_cgroup_destroy_dir(const char *dir, struct keel_error *err);

/* Sends signum to every process in the directory's cgroup.procs. */
int linux_cgroup_signal_all(const char *dir, int signum, struct keel_error *err);

#endif
