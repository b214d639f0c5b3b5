#include "linux/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

int linux_proc_stat_parse(const char *text, char *state, uint64_t *start_time)
{
	const char *p = strrchr(text, ')');
	if (!p || p[1] != ' ' || !p[2])
		return -1;
	p += 2;
	*state = *p;
	/* p is at field 3; field 22 is 19 fields further */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	if (end == p)
		return -1;
	*start_time = v;
	return 0;
}

bool linux_proc_alive(pid_t pid, uint64_t start_time)
{
	if (pid <= 0)
		return false;
	char path[64], text[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, text, sizeof text - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	char state;
	uint64_t started;
	if (linux_proc_stat_parse(text, &state, &started) < 0)
		return false;
	if (state == 'Z' || state == 'X')
		return false;
	return start_time == 0 || started == start_time;
}

int linux_proc_pidfd(pid_t pid, uint64_t start_time)
{
	if (pid <= 0)
		return errno = ESRCH, -1;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -1;
	/* the pidfd pins whatever process has pid now: make sure it is ours */
	if (!linux_proc_alive(pid, start_time)) {
		close(pidfd);
		return errno = ESRCH, -1;
	}
	return pidfd;
}

int linux_proc_signal(pid_t pid, uint64_t start_time, int sig)
{
	int pidfd = linux_proc_pidfd(pid, start_time);
	if (pidfd < 0) {
		if (errno != ENOSYS)
			return -1;
		if (!linux_proc_alive(pid, start_time))
			return errno = ESRCH, -1;
		return kill(pid, sig);
	}
	int rc = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	int saved = errno;
	close(pidfd);
	errno = saved;
	return rc;
}

#define PROC_ROOT_INO 1

int linux_proc_self_open(const char *rel, int flags)
{
	int proc = open("/proc", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (proc < 0)
		return -1;
	struct statfs sfs;
	struct stat st;
	if (fstatfs(proc, &sfs) < 0 || fstat(proc, &st) < 0 || sfs.f_type != PROC_SUPER_MAGIC ||
	    st.st_ino != PROC_ROOT_INO) {
		close(proc);
		return errno = EXDEV, -1;
	}
	/* the pid in the procfs that is mounted here: this process's pid in
	 * its own PID namespace, as "self" would give (a procfs of another
	 * namespace has another process there, or none: the kernel refuses
	 * attribute writes to another task) */
	char path[256];
	int n = snprintf(path, sizeof path, "%d/%s", (int)getpid(), rel);
	if (n < 0 || (size_t)n >= sizeof path) {
		close(proc);
		return errno = ENAMETOOLONG, -1;
	}
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve =
		RESOLVE_BENEATH | RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	int fd = (int)syscall(SYS_openat2, proc, path, &how, sizeof how);
	int saved = errno;
	close(proc);
	errno = saved;
	return fd;
}
