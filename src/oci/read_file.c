#include "oci/read_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

int oci_read_file(const char *path, char **text, size_t *len, struct keel_error *err)
{
	return oci_read_file_at(AT_FDCWD, path, 0, text, len, err);
}

int oci_read_file_at(int dirfd, const char *path, int flags, char **text, size_t *len,
		     struct keel_error *err)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | flags);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return keel_error_errno(err, "%s", path);
	if (!S_ISREG(st.st_mode))
		return keel_error_set(err, 0, "%s: not a regular file", path);
	if ((unsigned long long)st.st_size > OCI_FILE_MAX)
		return keel_error_set(err, 0, "%s: larger than %u bytes", path, OCI_FILE_MAX);
	size_t cap = (size_t)st.st_size + 1, used = 0;
	cleanup_free char *buf = malloc(cap);
	if (!buf)
		return keel_error_set(err, ENOMEM, "%s", path);
	for (;;) {
		/* The file may grow while we read it: stop at the bound. */
		if (used + 1 >= cap) {
			if (cap > OCI_FILE_MAX)
				return keel_error_set(err, 0, "%s: larger than %u bytes", path,
						      OCI_FILE_MAX);
			char *bigger = realloc(buf, cap * 2);
			if (!bigger)
				return keel_error_set(err, ENOMEM, "%s", path);
			buf = bigger;
			cap *= 2;
		}
		ssize_t n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keel_error_errno(err, "%s", path);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*text = steal_pointer(&buf);
	*len = used;
	return 0;
}
