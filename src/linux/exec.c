#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *env_path(char *const *env)
{
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			return env[i] + 5;
	return DEFAULT_PATH;
}

static bool is_executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int linux_find_executable(const char *file, char *const *env, char *out, size_t size,
			  struct keel_error *err)
{
	if (!file || !*file)
		return keel_error_set(err, 0, "process.args[0]: empty");
	if (strchr(file, '/')) {
		if (!is_executable_file(file))
			return keel_error_errno(err, "exec: \"%s\"", file);
		snprintf(out, size, "%s", file);
		return 0;
	}
	const char *p = env_path(env);
	for (;;) {
		size_t n = strcspn(p, ":");
		/* an empty PATH element is the current directory */
		int len = n ? snprintf(out, size, "%.*s/%s", (int)n, p, file)
			    : snprintf(out, size, "./%s", file);
		if (len > 0 && (size_t)len < size && is_executable_file(out))
			return 0;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	keel_error_set(err, 0, "exec: \"%s\": executable file not found in $PATH", file);
	err->errnum = ENOENT;
	return -1;
}

int linux_fds_prepare_exec(unsigned int preserve, struct keel_error *err)
{
	unsigned int first = 3 + preserve;
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return keel_error_errno(err, "close_range");
	/* Fds 3..first-1 are left as they are. A preserved fd is the
	 * caller's: it came through keel's own execve, so it is not
	 * close-on-exec and stays open. Any other fd there was opened by keel
	 * in a hole of the range (the sync socket, the host's /proc/<pid>/fd,
	 * the state directory), always close-on-exec: clearing the flag, as
	 * keel once did, handed those to the container (CVE-2024-21626's
	 * class: a host directory or procfs fd, a way to talk to keel). */
	return 0;
}
