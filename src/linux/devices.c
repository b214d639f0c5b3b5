#include "linux/devices.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/mounts.h"
#include "linux/resolve.h"

static const struct oci_device default_devices[] = {
    {.type = 'c', .path = "/dev/null", .major = 1, .minor = 3},
    {.type = 'c', .path = "/dev/zero", .major = 1, .minor = 5},
    {.type = 'c', .path = "/dev/full", .major = 1, .minor = 7},
    {.type = 'c', .path = "/dev/random", .major = 1, .minor = 8},
    {.type = 'c', .path = "/dev/urandom", .major = 1, .minor = 9},
    {.type = 'c', .path = "/dev/tty", .major = 5, .minor = 0},
};

static mode_t device_type_bits(char type)
{
	switch (type) {
	case 'b':
		return S_IFBLK;
	case 'p':
		return S_IFIFO;
	default: /* 'c' and 'u' */
		return S_IFCHR;
	}
}

static int bind_device(int rootfd, const struct oci_device *dev, struct keel_error *err)
{
	cleanup_close int fd = linux_make_target_in_root(rootfd, dev->path, false, err);
	if (fd < 0)
		return -1;
	return linux_mount_at_fd(dev->path, fd, NULL, MS_BIND, NULL, err);
}

static int mknod_device(int rootfd, const struct oci_device *dev, struct keel_error *err)
{
	char dir[PATH_MAX], base[PATH_MAX];
	if (linux_split_path(dev->path, dir, base) < 0 || !*base)
		return keel_error_set(err, EINVAL, "bad path");
	cleanup_close int parent = linux_mkdir_in_root(rootfd, dir, 0755, err);
	if (parent < 0)
		return -1;
	mode_t perm = dev->has_file_mode ? (dev->file_mode & 07777) : 0666;
	dev_t devno = makedev((unsigned)dev->major, (unsigned)dev->minor);
	/* a node already there (from the image) is replaced by the configured one */
	if (unlinkat(parent, base, 0) < 0 && errno != ENOENT)
		return keel_error_errno(err, "replace %s", dev->path);
	/* the exact mode at mknod (umask off for it: the init is one thread)
	 * rather than a chmod by name after it, which a link swapped in
	 * meanwhile could take out of the rootfs */
	mode_t saved_umask = umask(0);
	int rc = mknodat(parent, base, device_type_bits(dev->type) | perm, devno);
	umask(saved_umask);
	if (rc < 0)
		return keel_error_errno(err, "mknod %s", dev->path);
	uid_t uid = dev->has_uid ? dev->uid : 0;
	gid_t gid = dev->has_gid ? dev->gid : 0;
	if (fchownat(parent, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return keel_error_errno(err, "chown %s", dev->path);
	return 0;
}

int linux_device_create(int rootfd, const struct oci_device *dev, bool bind, struct keel_error *err)
{
	if (!dev->path || dev->path[0] != '/')
		return keel_error_set(err, 0, "path: must be absolute");
	int rc = bind ? bind_device(rootfd, dev, err) : mknod_device(rootfd, dev, err);
	if (rc < 0)
		return keel_error_prefix(err, "device %s", dev->path);
	return 0;
}

int linux_devices_create(int rootfd, const struct oci_device *devs, size_t n, bool bind,
			 struct keel_error *err)
{
	for (size_t i = 0; i < sizeof default_devices / sizeof default_devices[0]; i++) {
		bool overridden = false;
		for (size_t j = 0; j < n && !overridden; j++)
			overridden = strcmp(devs[j].path, default_devices[i].path) == 0;
		if (!overridden && linux_device_create(rootfd, &default_devices[i], bind, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (linux_device_create(rootfd, &devs[i], bind, err) < 0)
			return keel_error_prefix(err, "linux.devices[%zu]", i);
	return 0;
}

static int symlink_in_dev(int devfd, const char *target, const char *name, bool replace,
			  struct keel_error *err)
{
	if (replace && unlinkat(devfd, name, 0) < 0 && errno != ENOENT)
		return keel_error_errno(err, "replace /dev/%s", name);
	if (symlinkat(target, devfd, name) < 0 && errno != EEXIST)
		return keel_error_errno(err, "symlink /dev/%s", name);
	return 0;
}

int linux_dev_symlinks(int rootfd, struct keel_error *err)
{
	cleanup_close int devfd = linux_mkdir_in_root(rootfd, "/dev", 0755, err);
	if (devfd < 0)
		return -1;
	static const char *const links[][2] = {
	    {"/proc/self/fd", "fd"},
	    {"/proc/self/fd/0", "stdin"},
	    {"/proc/self/fd/1", "stdout"},
	    {"/proc/self/fd/2", "stderr"},
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlink_in_dev(devfd, links[i][0], links[i][1], false, err) < 0)
			return -1;
	if (access("/proc/kcore", F_OK) == 0 &&
	    symlink_in_dev(devfd, "/proc/kcore", "core", false, err) < 0)
		return -1;
	/* the container's ptmx is its own devpts instance's */
	return symlink_in_dev(devfd, "pts/ptmx", "ptmx", true, err);
}
