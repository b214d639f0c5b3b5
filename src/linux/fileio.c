#include "linux/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

int linux_read_file_at(int dirfd, const char *path, size_t max, char **out, size_t *len,
		       struct keel_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	size_t cap = 4096, used = 0;
	cleanup_free char *buf = malloc(cap + 1);
	if (!buf)
		return keel_error_set(err, ENOMEM, "%s", path);
	for (;;) {
		if (used == cap) {
			if (cap >= max)
				return keel_error_set(err, EFBIG, "%s", path);
			cap *= 2;
			char *bigger = realloc(buf, cap + 1);
			if (!bigger)
				return keel_error_set(err, ENOMEM, "%s", path);
			buf = bigger;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keel_error_errno(err, "read %s", path);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	if (len)
		*len = used;
	*out = steal_pointer(&buf);
	return 0;
}

int linux_read_file(const char *path, size_t max, char **out, struct keel_error *err)
{
	return linux_read_file_at(AT_FDCWD, path, max, out, NULL, err);
}

int linux_write_file_at(int dirfd, const char *path, const char *text, struct keel_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	return linux_write_fd(fd, path, text, err);
}

int linux_write_fd(int fd, const char *path, const char *text, struct keel_error *err)
{
	size_t len = strlen(text);
	ssize_t n;
	do
		n = write(fd, text, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return keel_error_errno(err, "write %s", path);
	if ((size_t)n != len)
		return keel_error_set(err, EIO, "write %s: short write", path);
	return 0;
}

int linux_write_file(const char *path, const char *text, struct keel_error *err)
{
	return linux_write_file_at(AT_FDCWD, path, text, err);
}
