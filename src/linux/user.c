#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <grp.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static bool setgroups_denied(void)
{
	char buf[8] = "";
	int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n > 0 && strncmp(buf, "deny", 4) == 0;
}

int linux_user_switch(const struct oci_user *user, struct keel_error *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return keel_error_errno(err, "process.user: keep capabilities");
	/* a rootless user namespace with only the caller's gid mapped has
	 * setgroups denied: nothing to drop there unless groups were asked */
	if (setgroups(user->additional_gids_len, user->additional_gids) < 0 &&
	    (errno != EPERM || user->additional_gids_len || !setgroups_denied()))
		return keel_error_errno(err, "process.user.additionalGids");
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return keel_error_errno(err, "process.user.gid %u", user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return keel_error_errno(err, "process.user.uid %u", user->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return keel_error_errno(err, "process.user: keep capabilities");
	return 0;
}

#define KEYCTL_JOIN_SESSION_KEYRING 1

void linux_join_session_keyring(const char *id)
{
	char name[1100];
	snprintf(name, sizeof name, "_ses.%s", id);
	/* best effort, as runc: some kernels or user namespaces refuse it */
	syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, name, 0, 0, 0);
}
