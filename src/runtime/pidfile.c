#include "runtime/pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cleanup.h"

int pidfile_write(const char *path, pid_t pid, struct keel_error *err)
{
	char abs[PATH_MAX], tmp[PATH_MAX + 32], cwd[PATH_MAX];
	if (path[0] == '/') {
		snprintf(abs, sizeof abs, "%s", path);
	} else {
		if (!getcwd(cwd, sizeof cwd))
			return keel_error_errno(err, "pid file %s", path);
		if (snprintf(abs, sizeof abs, "%s/%s", cwd, path) >= (int)sizeof abs)
			return keel_error_set(err, ENAMETOOLONG, "pid file %s", path);
	}
	char *slash = strrchr(abs, '/');
	snprintf(tmp, sizeof tmp, "%.*s/.%s.%d", (int)(slash - abs), abs, slash + 1, (int)getpid());
	cleanup_close int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return keel_error_errno(err, "pid file %s", abs);
	char text[32];
	int n = snprintf(text, sizeof text, "%d", (int)pid);
	if (write(fd, text, (size_t)n) != n) {
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
