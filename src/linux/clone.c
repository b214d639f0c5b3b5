#include "linux/process.h"

#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

pid_t linux_clone(unsigned long flags, int *pidfd, struct keel_error *err)
{
	int fd = -1;
	struct clone_args args;
	memset(&args, 0, sizeof args);
	args.flags = flags | (pidfd ? CLONE_PIDFD : 0);
	args.exit_signal = SIGCHLD;
	args.pidfd = (uint64_t)(uintptr_t)&fd;
	long pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid < 0 && errno == ENOSYS && !pidfd)
		pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0)
		return keel_error_errno(err, "clone");
	if (pid > 0 && pidfd)
		*pidfd = fd;
	return (pid_t)pid;
}
