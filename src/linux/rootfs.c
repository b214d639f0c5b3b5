#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/mounts.h"
#include "linux/resolve.h"

/* Makes the mount that holds path private: walk up to the mount point
 * (where the parent has another st_dev... or a mount of its own) and set
 * MS_PRIVATE there. Using mountinfo would be exact; this is the cheap form:
 * try the path and its parents until one is a mount point. */
static int make_parent_mount_private(const char *path, struct keel_error *err)
{
	char p[PATH_MAX];
	if (strlen(path) >= sizeof p)
		return keel_error_set(err, ENAMETOOLONG, "root.path");
	strcpy(p, path);
	for (;;) {
		if (mount(NULL, p, NULL, MS_PRIVATE, NULL) == 0)
			return 0;
		if (errno != EINVAL)
			return keel_error_errno(err, "make %s private", p);
		/* EINVAL: not a mount point; try the parent */
		char *slash = strrchr(p, '/');
		if (!slash)
			return keel_error_set(err, 0, "no mount holds %s", path);
		if (slash == p) {
			if (p[1] == '\0')
				return keel_error_errno(err, "make / private");
			p[1] = '\0';
		} else {
			*slash = '\0';
		}
	}
}

int linux_rootfs_prepare(const char *rootfs, unsigned long propagation, struct keel_error *err)
{
	if (!propagation)
		propagation = MS_SLAVE | MS_REC;
	/* A value without MS_REC ("private", "slave", "unbindable") would
	 * leave every mount below "/" a peer of the host's: mounts made
	 * under a bind of a host shared mount (a tmpfs mount of the config,
	 * or the container's own) appeared on the host and stayed after
	 * delete. The whole tree becomes a slave first, then "/" gets the
	 * value asked for. */
	if (!(propagation & MS_REC) && mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return keel_error_errno(err, "rootfsPropagation");
	/* pivot_root refuses shared mounts: share again after the switch */
	unsigned long first = (propagation & MS_SHARED) ? (MS_PRIVATE | MS_REC) : propagation;
	if (mount(NULL, "/", NULL, first, NULL) < 0)
		return keel_error_errno(err, "rootfsPropagation");
	if (make_parent_mount_private(rootfs, err) < 0)
		return -1;
	if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return keel_error_errno(err, "bind root.path %s", rootfs);
	int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "root.path %s", rootfs);
	return fd;
}

static int pivot(const char *rootfs, struct keel_error *err)
{
	cleanup_close int oldroot = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int newroot = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0)
		return keel_error_errno(err, "open %s", rootfs);
	if (fchdir(newroot) < 0)
		return keel_error_errno(err, "chdir %s", rootfs);
	/* pivot_root(".", "."): the old root ends up stacked under the new
	 * one, with no put_old directory needed in the image. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return keel_error_errno(err, "pivot_root %s", rootfs);
	if (fchdir(oldroot) < 0)
		return keel_error_errno(err, "chdir old root");
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return keel_error_errno(err, "old root propagation");
	if (umount2(".", MNT_DETACH) < 0)
		return keel_error_errno(err, "unmount old root");
	if (chdir("/") < 0)
		return keel_error_errno(err, "chdir /");
	return 0;
}

static int move_and_chroot(const char *rootfs, struct keel_error *err)
{
	if (chdir(rootfs) < 0)
		return keel_error_errno(err, "chdir %s", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return keel_error_errno(err, "move %s to /", rootfs);
	if (chroot(".") < 0)
		return keel_error_errno(err, "chroot %s", rootfs);
	if (chdir("/") < 0)
		return keel_error_errno(err, "chdir /");
	return 0;
}

int linux_rootfs_switch(const char *rootfs, bool no_pivot, struct keel_error *err)
{
	return no_pivot ? move_and_chroot(rootfs, err) : pivot(rootfs, err);
}

int linux_rootfs_finish(bool readonly, unsigned long propagation, struct keel_error *err)
{
	if (readonly) {
		/* On the mount by fd: a remount by /proc/self/fd/N would
		 * resolve that name in the container's /proc, which a bind
		 * of the config may have replaced with links to another
		 * mount (that one went read-only, the root stayed writable). */
		cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (root < 0)
			return keel_error_errno(err, "open /");
		struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};
		if (syscall(SYS_mount_setattr, root, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0)
			return keel_error_errno(err, "root.readonly");
	}
	if ((propagation & MS_SHARED) && mount(NULL, "/", NULL, propagation, NULL) < 0)
		return keel_error_errno(err, "rootfsPropagation");
	return 0;
}

int linux_mask_path(int rootfd, const char *path, struct keel_error *err)
{
	cleanup_close int fd = linux_open_in_root(rootfd, path, O_PATH);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return keel_error_errno(err, "maskedPaths: %s", path);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return keel_error_errno(err, "maskedPaths: %s", path);
	int rc = S_ISDIR(st.st_mode)
		     ? linux_mount_at_fd("tmpfs", fd, "tmpfs", MS_RDONLY, "size=0k", err)
		     : linux_mount_at_fd("/dev/null", fd, NULL, MS_BIND, NULL, err);
	if (rc < 0)
		return keel_error_prefix(err, "maskedPaths: %s", path);
	return 0;
}

int linux_readonly_path(int rootfd, const char *path, struct keel_error *err)
{
	cleanup_close int fd = linux_open_in_root(rootfd, path, O_PATH);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return keel_error_errno(err, "readonlyPaths: %s", path);
	}
	char self[64];
	if (linux_mount_at_fd(linux_fd_path(fd, self, sizeof self), fd, NULL, MS_BIND | MS_REC,
			      NULL, err) < 0 ||
	    linux_remount_in_root(rootfd, path, MS_RDONLY, err) < 0)
		return keel_error_prefix(err, "readonlyPaths: %s", path);
	return 0;
}
