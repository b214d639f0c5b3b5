/* Small whole-file helpers for /proc, /sys and cgroup files. */
#ifndef KEEL_LINUX_FILEIO_H
#define KEEL_LINUX_FILEIO_H

#include <stddef.h>

#include "common/error.h"

/* Reads a whole file (at most max bytes) into a malloc'd NUL-terminated
 * buffer. dirfd AT_FDCWD for a plain path. Returns -1 with err set. */
int linux_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
		       struct keel_error *err);
int linux_read_file(const char *path, size_t max, char **out, struct keel_error *err);

/* Writes text to an existing file (O_WRONLY, no create) in one write(2),
 * as /proc and /sys files want it. */
/* Writes text to fd in one write(2) (the kernel takes a /proc or /sys
 * value in one call and rejects partial writes); path names it in errors. */
int linux_write_fd(int fd, const char *path, const char *text, struct keel_error *err);
int linux_write_file_at(int dirfd, const char *path, const char *text, struct keel_error *err);
int linux_write_file(const char *path, const char *text, struct keel_error *err);

#endif
