#include "linux/mounts.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/lsm.h"
#include "linux/resolve.h"

/* Flags that a bind remount takes; the rest are for new filesystems. */
#define BIND_REMOUNT_FLAGS                                                                         \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)

int linux_mount_at_fd(const char *source, int target_fd, const char *fstype, unsigned long flags,
		      const char *data, struct keel_error *err)
{
	char target[64];
	linux_fd_path(target_fd, target, sizeof target);
	if (mount(source, target, fstype, flags, data) < 0)
		return keel_error_errno(err, "mount %s", source ? source : fstype);
	return 0;
}

/* Flags a bind remount must keep: in a user namespace the kernel locks
 * nosuid/nodev/noexec/atime flags of the source. */
static unsigned long current_mount_flags(int fd)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return 0;
	unsigned long flags = 0;
	if (sv.f_flag & ST_RDONLY)
		flags |= MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	return flags;
}

int linux_remount_in_root(int rootfd, const char *path, unsigned long flags, struct keel_error *err)
{
	cleanup_close int fd = linux_open_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	unsigned long keep = current_mount_flags(fd) & ~MS_RDONLY & ~(flags & BIND_REMOUNT_FLAGS);
	/* An atime mode is one choice: an explicit one replaces the old. */
	if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME))
		keep &= ~(MS_NOATIME | MS_RELATIME | MS_STRICTATIME);
	unsigned long all = MS_REMOUNT | MS_BIND | (flags & BIND_REMOUNT_FLAGS) | keep;
	if (linux_mount_at_fd(NULL, fd, NULL, all, NULL, err) < 0)
		return keel_error_prefix(err, "remount %s", path);
	return 0;
}

int linux_mount_apply_extras(int rootfd, const char *path, const struct linux_mount_opts *opts,
			     struct keel_error *err)
{
	if (!opts->propagation && !opts->attr_set && !opts->attr_clr)
		return 0;
	cleanup_close int fd = linux_open_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	if (opts->propagation &&
	    linux_mount_at_fd(NULL, fd, NULL, opts->propagation, NULL, err) < 0)
		return keel_error_prefix(err, "propagation of %s", path);
	if (opts->attr_set || opts->attr_clr) {
		struct mount_attr attr = {.attr_set = opts->attr_set, .attr_clr = opts->attr_clr};
		if (opts->attr_set & MOUNT_ATTR__ATIME)
			attr.attr_clr |= MOUNT_ATTR__ATIME;
		if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr,
			    sizeof attr) < 0)
			return keel_error_errno(err, "recursive attributes of %s", path);
	}
	return 0;
}

/* Files of procfs that may be mounted over (lxcfs binds its own
 * versions there); the list runc allows. */
static const char *const proc_overmounts[] = {
    "/proc/cpuinfo",
    "/proc/diskstats",
    "/proc/meminfo",
    "/proc/stat",
    "/proc/swaps",
    "/proc/uptime",
    "/proc/loadavg",
    "/proc/slabinfo",
    "/proc/net/dev",
    "/proc/sys/kernel/ns_last_pid",
    "/proc/sys/crypto/fips_enabled",
};

/* Whether dest, resolved again with no symlink followed at all, is the
 * object st describes. */
static bool reached_without_symlinks(int rootfd, const char *dest, const struct stat *st)
{
	struct open_how how = {
	    .flags = O_PATH | O_CLOEXEC,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
	};
	while (*dest == '/')
		dest++;
	cleanup_close int fd =
	    (int)syscall(SYS_openat2, rootfd, *dest ? dest : ".", &how, sizeof how);
	struct stat again;
	return fd >= 0 && fstat(fd, &again) == 0 && again.st_dev == st->st_dev &&
	       again.st_ino == st->st_ino;
}

/* The target of a mount, before anything is mounted on it:
 * - proc and sysfs go on a directory reached without symlinks (CVE-2023-28642:
 *   a /proc that is a link put procfs elsewhere, out of an LSM profile's
 *   reach);
 * - nothing but proc goes over procfs (CVE-2019-16884, CVE-2019-19921: a
 *   volume whose destination leads into /proc, through a link of the image,
 *   replaced /proc/self/attr and the other files keel writes), except a
 *   regular file of proc_overmounts named as such. */
static int check_target(int rootfd, const char *dest, const char *type, int fd,
			struct keel_error *err)
{
	struct statfs sfs;
	struct stat st;
	if (fstatfs(fd, &sfs) < 0 || fstat(fd, &st) < 0)
		return keel_error_errno(err, "%s", dest);
	bool kernel_fs = strcmp(type, "proc") == 0 || strcmp(type, "sysfs") == 0;
	if (kernel_fs && (!S_ISDIR(st.st_mode) || !reached_without_symlinks(rootfd, dest, &st)))
		return keel_error_set(
		    err, 0, "%s must be mounted on a directory reached without symlinks", type);
	if (sfs.f_type != PROC_SUPER_MAGIC || strcmp(type, "proc") == 0)
		return 0;
	for (size_t i = 0; i < sizeof proc_overmounts / sizeof proc_overmounts[0]; i++)
		if (strcmp(dest, proc_overmounts[i]) == 0 && S_ISREG(st.st_mode) &&
		    reached_without_symlinks(rootfd, dest, &st))
			return 0;
	return keel_error_set(err, 0, "refusing to mount over procfs");
}

/* The per-mount flags of a bind (ro, nosuid, nodev, noexec, atime) as
 * mount_setattr attributes: they are only ever set, so what the source
 * mount has (a read-only host bind, flags the kernel locked in a user
 * namespace) is kept. */
static struct mount_attr bind_attr(unsigned long flags)
{
	struct mount_attr a = {0};
	if (flags & MS_RDONLY)
		a.attr_set |= MOUNT_ATTR_RDONLY;
	if (flags & MS_NOSUID)
		a.attr_set |= MOUNT_ATTR_NOSUID;
	if (flags & MS_NODEV)
		a.attr_set |= MOUNT_ATTR_NODEV;
	if (flags & MS_NOEXEC)
		a.attr_set |= MOUNT_ATTR_NOEXEC;
	if (flags & MS_NODIRATIME)
		a.attr_set |= MOUNT_ATTR_NODIRATIME;
	if (flags & (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)) {
		a.attr_clr |= MOUNT_ATTR__ATIME;
		a.attr_set |= (flags & MS_NOATIME)	 ? MOUNT_ATTR_NOATIME
			      : (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME
							 : MOUNT_ATTR_RELATIME;
	}
	return a;
}

/* A bind mount is made whole before it is attached: a detached copy of
 * the source (open_tree), its flags and recursive attributes set on that
 * copy, then moved onto the target fd, and its propagation set through
 * the copy's own fd. Nothing is looked up by name once the target is
 * open: a remount by the destination's name, as keel did, was resolved
 * again through the new mount's contents (a volume's link, a "..") and
 * could land on another mount, leaving a "ro" volume writable
 * (CVE-2021-30465's class); and the remount cleared a read-only flag the
 * source mount had. */
static int bind_detached(const char *source, int target_fd, const struct linux_mount_opts *opts,
			 struct keel_error *err)
{
	bool rec = opts->flags & MS_REC;
	cleanup_close int tree =
	    (int)syscall(SYS_open_tree, AT_FDCWD, source,
			 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		return keel_error_errno(err, "mount %s", source);
	struct mount_attr top = bind_attr(opts->flags & BIND_REMOUNT_FLAGS);
	if ((top.attr_set || top.attr_clr) &&
	    syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &top, sizeof top) < 0)
		return keel_error_errno(err, "flags of the bind of %s", source);
	if (opts->attr_set || opts->attr_clr) {
		struct mount_attr all = {.attr_set = opts->attr_set, .attr_clr = opts->attr_clr};
		if (opts->attr_set & MOUNT_ATTR__ATIME)
			all.attr_clr |= MOUNT_ATTR__ATIME;
		if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE, &all,
			    sizeof all) < 0)
			return keel_error_errno(err, "recursive attributes of the bind of %s",
						source);
	}
	if (syscall(SYS_move_mount, tree, "", target_fd, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return keel_error_errno(err, "mount %s", source);
	if (opts->propagation &&
	    linux_mount_at_fd(NULL, tree, NULL, opts->propagation, NULL, err) < 0)
		return keel_error_prefix(err, "propagation");
	return 0;
}

static int mount_bind(const struct linux_mount_ctx *ctx, const struct oci_mount *m,
		      const struct linux_mount_opts *opts, struct keel_error *err)
{
	const char *source = m->source;
	if (!source)
		return keel_error_set(err, 0, "bind mount without source");
	struct stat st;
	if (stat(source, &st) < 0)
		return keel_error_errno(err, "source %s", source);
	cleanup_close int fd =
	    linux_make_target_in_root(ctx->rootfd, m->destination, S_ISDIR(st.st_mode), err);
	if (fd < 0 || check_target(ctx->rootfd, m->destination, "bind", fd, err) < 0)
		return -1;
	return bind_detached(source, fd, opts, err);
}

static int mount_filesystem(const struct linux_mount_ctx *ctx, const struct oci_mount *m,
			    const struct linux_mount_opts *opts, struct keel_error *err)
{
	cleanup_close int fd = linux_make_target_in_root(ctx->rootfd, m->destination, true, err);
	if (fd < 0 || check_target(ctx->rootfd, m->destination, m->type, fd, err) < 0)
		return -1;
	unsigned long flags = opts->flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
	const char *source = m->source ? m->source : m->type;
	const char *data = opts->data[0] ? opts->data : NULL;
	if (linux_mount_at_fd(source, fd, m->type, flags, data, err) == 0)
		return 0;
	/* sysfs cannot be mounted without owning the network namespace (a
	 * joined one, or a user namespace alone): bind the host's, as runc does. */
	if (err->errnum == EPERM && strcmp(m->type, "sysfs") == 0) {
		keel_error_clear(err);
		struct linux_mount_opts bind = {
		    .flags = MS_BIND | MS_REC | (flags & BIND_REMOUNT_FLAGS) | MS_NOSUID |
			     MS_NODEV | MS_NOEXEC,
		};
		return bind_detached("/sys", fd, &bind, err);
	}
	return -1;
}

/* The name of a hierarchy under the container's cgroup mount: "memory",
 * "cpu,cpuacct", "systemd" (for name=systemd), "unified". */
static void hierarchy_dir_name(const struct linux_cgroup_hierarchy *h, char *out, size_t size)
{
	if (h->unified)
		snprintf(out, size, "unified");
	else if (strncmp(h->controllers, "name=", 5) == 0)
		snprintf(out, size, "%s", h->controllers + 5);
	else
		snprintf(out, size, "%s", h->controllers);
}

static int mount_cgroup_hierarchy(const struct linux_mount_ctx *ctx, const char *dest,
				  const struct linux_cgroup_hierarchy *h, unsigned long flags,
				  struct keel_error *err)
{
	char name[160], path[PATH_MAX + 200];
	hierarchy_dir_name(h, name, sizeof name);
	snprintf(path, sizeof path, "%s/%s", dest, name);
	cleanup_close int fd = linux_mkdir_in_root(ctx->rootfd, path, 0755, err);
	if (fd < 0)
		return -1;
	if (ctx->new_cgroupns) {
		/* In its own cgroup namespace the container sees its cgroup as the root. */
		const char *type = h->unified ? "cgroup2" : "cgroup";
		const char *data = h->unified ? NULL : h->controllers;
		if (linux_mount_at_fd("cgroup", fd, type, flags, data, err) < 0)
			return keel_error_prefix(err, "%s", path);
		return 0;
	}
	if (linux_mount_at_fd(h->path, fd, NULL, MS_BIND, NULL, err) < 0)
		return keel_error_prefix(err, "%s", path);
	return linux_remount_in_root(ctx->rootfd, path, flags, err);
}

static int mount_cgroup_v2(const struct linux_mount_ctx *ctx, const struct oci_mount *m,
			   const struct linux_cgroup_hierarchy *h, unsigned long flags,
			   struct keel_error *err)
{
	cleanup_close int fd = linux_mkdir_in_root(ctx->rootfd, m->destination, 0755, err);
	if (fd < 0 || check_target(ctx->rootfd, m->destination, "cgroup2", fd, err) < 0)
		return -1;
	if (ctx->new_cgroupns)
		return linux_mount_at_fd("cgroup", fd, "cgroup2", flags, NULL, err);
	if (linux_mount_at_fd(h->path, fd, NULL, MS_BIND, NULL, err) < 0)
		return -1;
	return linux_remount_in_root(ctx->rootfd, m->destination, flags, err);
}

/* "cgroup" mounts show the container's own cgroups, in the host's layout:
 * cgroup2 alone on a unified host; otherwise a tmpfs holding one directory
 * per hierarchy. */
static int mount_cgroup(const struct linux_mount_ctx *ctx, const struct oci_mount *m,
			const struct linux_mount_opts *opts, struct keel_error *err)
{
	const struct linux_cgroups *cg = ctx->cgroups;
	unsigned long flags = opts->flags & BIND_REMOUNT_FLAGS;
	if (!cg || cg->len == 0)
		return keel_error_set(err, 0, "no cgroup hierarchy on this host");
	if (cg->layout == LINUX_CGROUP_UNIFIED)
		return mount_cgroup_v2(ctx, m, &cg->h[0], flags, err);
	cleanup_close int fd = linux_mkdir_in_root(ctx->rootfd, m->destination, 0755, err);
	if (fd < 0 || check_target(ctx->rootfd, m->destination, "cgroup", fd, err) < 0)
		return -1;
	if (linux_mount_at_fd("tmpfs", fd, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755",
			      err) < 0)
		return -1;
	for (size_t i = 0; i < cg->len; i++)
		if (mount_cgroup_hierarchy(ctx, m->destination, &cg->h[i], flags, err) < 0)
			return -1;
	if (flags & MS_RDONLY)
		return linux_remount_in_root(ctx->rootfd, m->destination,
					     MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err);
	return 0;
}

/* linux.mountLabel goes on filesystems keel makes (tmpfs, devpts, mqueue
 * ...), not on binds nor on the kernel's own proc, sysfs and cgroup trees. */
static bool takes_mount_label(const char *type, const struct linux_mount_opts *opts)
{
	static const char *const unlabeled[] = {"proc", "sysfs", "cgroup", "cgroup2"};
	if (opts->flags & MS_BIND)
		return false;
	for (size_t i = 0; i < sizeof unlabeled / sizeof unlabeled[0]; i++)
		if (strcmp(type, unlabeled[i]) == 0)
			return false;
	return true;
}

int linux_mount_one(const struct linux_mount_ctx *ctx, const struct oci_mount *m,
		    struct keel_error *err)
{
	struct linux_mount_opts opts;
	if (linux_mount_opts_parse((const char *const *)m->options.items, m->options.len, &opts,
				   err) < 0)
		return -1;
	const char *type = m->type ? m->type : "";
	if (strcmp(type, "bind") == 0)
		opts.flags |= MS_BIND;
	if (takes_mount_label(type, &opts) &&
	    linux_lsm_mount_data(opts.data, sizeof opts.data, ctx->mount_label, err) < 0)
		return -1;
	int rc;
	if (opts.flags & MS_BIND)
		return mount_bind(ctx, m, &opts, err); /* extras included */
	else if (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0)
		rc = mount_cgroup(ctx, m, &opts, err);
	else if (!*type)
		return keel_error_set(err, 0, "type: missing (and not a bind mount)");
	else
		rc = mount_filesystem(ctx, m, &opts, err);
	if (rc < 0)
		return -1;
	return linux_mount_apply_extras(ctx->rootfd, m->destination, &opts, err);
}
