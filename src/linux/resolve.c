#include "linux/resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"

int linux_open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

char *linux_fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
	return buf;
}

int linux_split_path(const char *path, char *dir, char *base)
{
	size_t len = strlen(path);
	if (len >= PATH_MAX)
		return -1;
	while (len > 1 && path[len - 1] == '/')
		len--;
	size_t slash = len;
	while (slash > 0 && path[slash - 1] != '/')
		slash--;
	memcpy(base, path + slash, len - slash);
	base[len - slash] = '\0';
	size_t dlen = slash;
	while (dlen > 1 && path[dlen - 1] == '/')
		dlen--;
	if (dlen == 0) {
		strcpy(dir, path[0] == '/' ? "/" : ".");
	} else {
		memcpy(dir, path, dlen);
		dir[dlen] = '\0';
	}
	return 0;
}

static int mkdir_in_root(int rootfd, const char *path, mode_t mode, int depth,
			 struct keel_error *err);

/* name in parentfd is a symlink whose target is missing (an image's
 * "/var/run -> /run" with no /run): create the target, inside the root. */
static int create_symlink_target(int rootfd, int parentfd, const char *prefix, const char *name,
				 mode_t mode, int depth, struct keel_error *err)
{
	char target[PATH_MAX], path[2 * PATH_MAX];
	ssize_t n = readlinkat(parentfd, name, target, sizeof target - 1);
	if (n < 0)
		return keel_error_errno(err, "%s", prefix);
	target[n] = '\0';
	if (target[0] == '/')
		snprintf(path, sizeof path, "%s", target);
	else
		snprintf(path, sizeof path, "%.*s/%s", (int)(strlen(prefix) - strlen(name)), prefix,
			 target);
	int fd = mkdir_in_root(rootfd, path, mode, depth + 1, err);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Opens the directory prefix, creating its last component in parentfd
 * when missing. A component that exists but is not a directory fails. */
static int open_or_create_dir(int rootfd, int parentfd, const char *prefix, const char *name,
			      mode_t mode, int depth, struct keel_error *err)
{
	int fd = linux_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return keel_error_errno(err, "%s", prefix);
	if (mkdirat(parentfd, name, mode) < 0) {
		if (errno != EEXIST)
			return keel_error_errno(err, "mkdir %s", prefix);
		fd = linux_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return keel_error_errno(err, "%s", prefix);
		if (create_symlink_target(rootfd, parentfd, prefix, name, mode, depth, err) < 0)
			return -1;
	}
	fd = linux_open_in_root(rootfd, prefix, O_PATH | O_DIRECTORY);
	if (fd < 0)
		return keel_error_errno(err, "%s", prefix);
	return fd;
}

static int mkdir_in_root(int rootfd, const char *path, mode_t mode, int depth,
			 struct keel_error *err)
{
	if (depth > 40)
		return keel_error_set(err, ELOOP, "%s", path);
	if (strlen(path) >= PATH_MAX)
		return keel_error_set(err, ENAMETOOLONG, "%.64s...", path);
	cleanup_close int cur = linux_open_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
	if (cur < 0)
		return keel_error_errno(err, "rootfs");
	char prefix[PATH_MAX + 2] = "";
	size_t plen = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		char name[NAME_MAX + 1];
		if (n > NAME_MAX)
			return keel_error_set(err, ENAMETOOLONG, "%s", path);
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (strcmp(name, ".") == 0)
			continue;
		prefix[plen++] = '/';
		memcpy(prefix + plen, name, n + 1);
		plen += n;
		int next = open_or_create_dir(rootfd, cur, prefix, name, mode, depth, err);
		if (next < 0)
			return -1;
		close(cur);
		cur = next;
	}
	return steal_fd(&cur);
}

int linux_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct keel_error *err)
{
	/* the common cases in one or three lookups: the directory exists, or
	 * only its last component is missing; otherwise walk from the root */
	int fd = linux_open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : mkdir_in_root(rootfd, path, mode, 0, err);
	char dir[PATH_MAX], base[PATH_MAX];
	if (linux_split_path(path, dir, base) == 0 && *base && strcmp(base, ".") != 0 &&
	    strcmp(base, "..") != 0) {
		cleanup_close int parent = linux_open_in_root(rootfd, dir, O_PATH | O_DIRECTORY);
		if (parent >= 0 && mkdirat(parent, base, mode) == 0) {
			fd = linux_open_in_root(rootfd, path, O_PATH | O_DIRECTORY);
			if (fd >= 0)
				return fd;
		}
	}
	return mkdir_in_root(rootfd, path, mode, 0, err);
}

int linux_make_target_in_root(int rootfd, const char *path, bool is_dir, struct keel_error *err)
{
	if (is_dir)
		return linux_mkdir_in_root(rootfd, path, 0755, err);
	int fd = linux_open_in_root(rootfd, path, O_PATH);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT)
		return keel_error_errno(err, "%s", path);
	char dir[PATH_MAX], base[PATH_MAX];
	if (linux_split_path(path, dir, base) < 0 || !*base)
		return keel_error_set(err, EINVAL, "%s", path);
	cleanup_close int parent = linux_mkdir_in_root(rootfd, dir, 0755, err);
	if (parent < 0)
		return -1;
	/* O_EXCL does not follow a (dangling) symlink at the last component. */
	int created =
	    openat(parent, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (created < 0 && errno != EEXIST)
		return keel_error_errno(err, "create %s", path);
	if (created >= 0)
		close(created);
	fd = linux_open_in_root(rootfd, path, O_PATH);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	return fd;
}

int linux_chdir_in_root(const char *cwd, struct keel_error *err)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* no magic links: "/proc/self/fd/N" (or a link of the container to
	 * it) cannot lead out of the rootfs to a directory keel or its caller
	 * has open (CVE-2024-21626) */
	cleanup_close int fd = root < 0 ? -1 : linux_open_in_root(root, cwd, O_PATH | O_DIRECTORY);
	if (fd < 0 || fchdir(fd) < 0)
		return keel_error_errno(err, "cwd %s", cwd);
	return 0;
}
