#include "runtime/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"

int pidfile_write(const char *path, pid_t pid, struct keel_error *err)
{
	char abs[PATH_MAX], tmp[PATH_MAX + 32], cwd[PATH_MAX];
	int n;
	if (path[0] == '/') {
		n = snprintf(abs, sizeof abs, "%s", path);
	} else {
		if (!getcwd(cwd, sizeof cwd))
			return keel_error_errno(err, "pid file %s", path);
		n = snprintf(abs, sizeof abs, "%s/%s", cwd, path);
	}
	/* a truncated path would name another file */
	if (n < 0 || n >= (int)sizeof abs)
		return keel_error_set(err, ENAMETOOLONG, "pid file %.256s...", path);
	char *slash = strrchr(abs, '/');
	/* The directory may be anyone's (/tmp): a fresh file of our own
	 * (O_EXCL, random name), never one a link points to. */
	snprintf(tmp, sizeof tmp, "%.*s/.%s.XXXXXX", (int)(slash - abs), abs, slash + 1);
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "pid file %s", abs);
	char text[32];
	n = snprintf(text, sizeof text, "%d", (int)pid);
	if (fchmod(fd, 0644) < 0 || write(fd, text, (size_t)n) != n) {
		keel_error_errno(err, "pid file %s", abs);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, abs) < 0) {
		keel_error_errno(err, "pid file %s", abs);
		unlink(tmp);
		return -1;
	}
	return 0;
}
