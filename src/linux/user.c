#include "linux/process.h"

#include <errno.h>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

int linux_user_switch(const struct oci_user *user, struct keel_error *err)
{
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return keel_error_errno(err, "process.user: keep capabilities");
	if (setgroups(user->additional_gids_len, user->additional_gids) < 0)
		return keel_error_errno(err, "process.user.additionalGids");
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return keel_error_errno(err, "process.user.gid %u", user->gid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return keel_error_errno(err, "process.user.uid %u", user->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return keel_error_errno(err, "process.user: keep capabilities");
	return 0;
}
