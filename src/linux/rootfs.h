/* The container's root filesystem: its own mount tree, the switch of the
 * root (pivot_root, or MS_MOVE + chroot with --no-pivot), masked and
 * read-only paths, and the final read-only remount of "/". */
#ifndef KEEL_LINUX_ROOTFS_H
#define KEEL_LINUX_ROOTFS_H

#include <stdbool.h>

#include "common/error.h"

/* Sets the propagation of the whole mount tree (rootfsPropagation; 0:
 * rslave, runc's default) so nothing the container mounts reaches the host,
 * makes the mount holding rootfs private (pivot_root wants that), and binds
 * rootfs onto itself. Returns an O_PATH fd of the new rootfs mount. */
int linux_rootfs_prepare(const char *rootfs, unsigned long propagation, struct keel_error *err);

/* Makes rootfs the root of this mount namespace. */
int linux_rootfs_switch(const char *rootfs, bool no_pivot, struct keel_error *err);

/* After the switch: remount "/" read-only, then re-apply a shared
 * rootfsPropagation (pivot_root needed it private). */
int linux_rootfs_finish(bool readonly, unsigned long propagation, struct keel_error *err);

/* maskedPaths: /dev/null over files, an empty read-only tmpfs over
 * directories; missing paths are skipped. */
int linux_mask_path(int rootfd, const char *path, struct keel_error *err);

/* readonlyPaths: bind each onto itself read-only; missing paths skipped. */
int linux_readonly_path(int rootfd, const char *path, struct keel_error *err);

#endif
