/* mounts[] of config.json, each made inside the container's rootfs. */
#ifndef KEEL_LINUX_MOUNTS_H
#define KEEL_LINUX_MOUNTS_H

#include <stdbool.h>

#include "common/error.h"
#include "linux/cgroups.h"
#include "linux/mount_options.h"
#include "oci/config.h"

struct linux_mount_ctx {
	int rootfd;			     /* O_PATH fd of the (bind-mounted) rootfs */
	const struct linux_cgroups *cgroups; /* the container's cgroups, for "cgroup" mounts */
	bool new_cgroupns;		     /* the container has its own cgroup namespace */
	const char *mount_label;	     /* SELinux context for non-bind mounts, or NULL */
};

/* Mounts one entry. Relative bind sources are taken from the current
 * directory (the bundle). */
int linux_mount_one(const struct linux_mount_ctx *ctx, const struct oci_mount *m,
		    struct keel_error *err);

/* Mounts source (or fstype/data) onto the object at target_fd:
 * the low-level step shared by mounts, devices and masks. */
int linux_mount_at_fd(const char *source, int target_fd, const char *fstype, unsigned long flags,
		      const char *data, struct keel_error *err);

/* Applies flags of a bind mount (ro, nosuid ...) with a bind remount of
 * the mount at path (resolved in the root again, so that the new mount is
 * what gets changed), keeping flags the kernel locked. */
int linux_remount_in_root(int rootfd, const char *path, unsigned long flags,
			  struct keel_error *err);

/* Propagation and recursive attributes of opts, applied to path. */
int linux_mount_apply_extras(int rootfd, const char *path, const struct linux_mount_opts *opts,
			     struct keel_error *err);

#endif
