#include "linux/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/fileio.h"
#include "linux/proc.h"

const struct linux_lsm_paths linux_lsm_host_paths = {
    .apparmor_enabled = "/sys/module/apparmor/parameters/enabled",
    .selinux_fs = "/sys/fs/selinux",
    .apparmor_exec = "/proc/self/attr/apparmor/exec",
    .exec = "/proc/self/attr/exec",
};

bool linux_apparmor_enabled(const struct linux_lsm_paths *paths)
{
	cleanup_close int fd = open(paths->apparmor_enabled, O_RDONLY | O_CLOEXEC);
	char c = 0;
	return fd >= 0 && read(fd, &c, 1) == 1 && c == 'Y';
}

bool linux_selinux_enabled(const struct linux_lsm_paths *paths)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/enforce", paths->selinux_fs);
	return access(path, F_OK) == 0;
}

static bool is_set(const char *s)
{
	return s && *s;
}

int linux_lsm_check(const struct linux_lsm_paths *paths, const struct oci_process *p,
		    struct keel_error *err)
{
	if (is_set(p->apparmor_profile) && !linux_apparmor_enabled(paths))
		return keel_error_set(err, 0,
				      "config.json: process.apparmorProfile: %s: AppArmor is not "
				      "enabled on this host",
				      p->apparmor_profile);
	if (is_set(p->selinux_label) && !linux_selinux_enabled(paths))
		return keel_error_set(err, 0,
				      "config.json: process.selinuxLabel: %s: SELinux is not "
				      "enabled on this host",
				      p->selinux_label);
	return 0;
}

#define PROC_SELF "/proc/self/"

/* A file of /proc/self is opened through linux_proc_self_open: the init
 * and exec write the labels after entering the container's root, whose
 * /proc the container may have replaced or mounted over (CVE-2019-16884,
 * CVE-2025-52881): the label would go to a file of its choosing, or into
 * another procfs file, and the process would run unconfined. */
static int open_attr(const char *path, int flags)
{
	if (strncmp(path, PROC_SELF, strlen(PROC_SELF)) == 0)
		return linux_proc_self_open(path + strlen(PROC_SELF), flags);
	return open(path, flags | O_CLOEXEC | O_NOFOLLOW);
}

/* One write(2) of the whole value: the kernel takes an attribute in one
 * call and rejects partial writes. */
static int write_attr(const char *path, const char *value, struct keel_error *err)
{
	cleanup_close int fd = open_attr(path, O_WRONLY);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	return linux_write_fd(fd, path, value, err);
}

static int set_apparmor(const struct linux_lsm_paths *paths, const char *profile,
			struct keel_error *err)
{
	char value[4096];
	if (snprintf(value, sizeof value, "exec %s", profile) >= (int)sizeof value)
		return keel_error_set(err, 0, "process.apparmorProfile: too long");
	/* the per-LSM file exists since Linux 5.8; older kernels have only
	 * the shared one */
	int probe = open_attr(paths->apparmor_exec, O_PATH);
	const char *path = probe >= 0 ? paths->apparmor_exec : paths->exec;
	if (probe >= 0)
		close(probe);
	if (write_attr(path, value, err) < 0)
		return keel_error_prefix(err, "process.apparmorProfile");
	return 0;
}

int linux_lsm_set_exec(const struct linux_lsm_paths *paths, const char *apparmor_profile,
		       const char *selinux_label, struct keel_error *err)
{
	if (is_set(apparmor_profile) && set_apparmor(paths, apparmor_profile, err) < 0)
		return -1;
	if (is_set(selinux_label) && write_attr(paths->exec, selinux_label, err) < 0)
		return keel_error_prefix(err, "process.selinuxLabel");
	return 0;
}

int linux_lsm_mount_data(char *data, size_t size, const char *label, struct keel_error *err)
{
	if (!is_set(label))
		return 0;
	/* quoted because MCS categories hold commas (s0:c1,c2) */
	if (strchr(label, '"'))
		return keel_error_set(err, 0, "linux.mountLabel: %s: quote in label", label);
	size_t used = strlen(data);
	int n = snprintf(data + used, size - used, "%scontext=\"%s\"", used ? "," : "", label);
	if (n < 0 || (size_t)n >= size - used)
		return keel_error_set(err, 0, "linux.mountLabel: mount data too long");
	return 0;
}
