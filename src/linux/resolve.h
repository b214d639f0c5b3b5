/* Paths inside a container's root filesystem.
 *
 * Every lookup is done by the kernel with openat2(RESOLVE_IN_ROOT |
 * RESOLVE_NO_MAGICLINKS) relative to an fd of the rootfs, so a symlink
 * planted in the image ("/etc -> /../../host") resolves inside the rootfs,
 * never outside. Mounts are then made onto the resolved fd through
 * /proc/self/fd/N, never onto a concatenated string. */
#ifndef KEEL_LINUX_RESOLVE_H
#define KEEL_LINUX_RESOLVE_H

#include <stdbool.h>
#include <sys/types.h>

#include "common/error.h"

/* Opens path (absolute or relative, both taken from rootfd) inside the root.
 * flags are open flags (O_PATH, O_DIRECTORY, ...; O_CLOEXEC is added).
 * Returns the fd or -1 with errno set (no error object: callers decide
 * whether ENOENT is an error). */
int linux_open_in_root(int rootfd, const char *path, int flags);

/* Creates every missing directory of path inside the root (mode for new
 * ones) and returns an O_PATH fd of the last one, or -1 with err set. */
int linux_mkdir_in_root(int rootfd, const char *path, mode_t mode, struct keel_error *err);

/* Makes sure path exists inside the root as a directory (is_dir) or as a
 * file (created empty, parents created as directories) and returns an
 * O_PATH fd of it; an existing object of either kind is accepted, as a
 * mount target may be. -1 with err set on failure. */
int linux_make_target_in_root(int rootfd, const char *path, bool is_dir, struct keel_error *err);

/* "/proc/self/fd/N" for fd into buf (>= 32 bytes); returns buf. */
char *linux_fd_path(int fd, char *buf, size_t size);

/* Splits path into the directory part and the last component, both written
 * into caller buffers of size PATH_MAX. "/a/b/" -> "/a", "b"; "/x" -> "/",
 * "x"; "/" -> "/", "". Returns -1 when the path is too long. */
int linux_split_path(const char *path, char *dir, char *base);

/* chdir to cwd, resolved in the current root ("/") with symlinks kept
 * inside it and magic links refused; the permission checks of chdir(2). */
int linux_chdir_in_root(const char *cwd, struct keel_error *err);

#endif
