#include "linux/process.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "linux/fileio.h"
#include "linux/proc.h"

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Only sysctls that belong to a namespace the container owns may be set:
 * anything else would change the host. */
static bool sysctl_allowed(const char *key, bool own_net, bool own_ipc, bool own_uts)
{
	static const char *const ipc_keys[] = {
	    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
	    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
	if (starts_with(key, "net."))
		return own_net;
	if (starts_with(key, "fs.mqueue."))
		return own_ipc;
	for (size_t i = 0; i < sizeof ipc_keys / sizeof ipc_keys[0]; i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			return own_ipc;
	if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
		return own_uts;
	return false;
}

int linux_sysctl_path(const char *key, bool own_net, bool own_ipc, bool own_uts, char *out,
		      size_t size, struct keel_error *err)
{
	char norm[256];
	size_t len = strlen(key);
	if (len == 0 || len >= sizeof norm)
		return keel_error_set(err, 0, "linux.sysctl: %.64s: invalid name", key);
	for (size_t i = 0; i <= len; i++) {
		char c = key[i];
		bool ok = c == '\0' || c == '.' || c == '/' || c == '_' || c == '-' ||
			  (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9');
		if (!ok)
			return keel_error_set(err, 0, "linux.sysctl: %s: invalid name", key);
		norm[i] = c == '/' ? '.' : c;
	}
	if (norm[0] == '.' || strstr(norm, ".."))
		return keel_error_set(err, 0, "linux.sysctl: %s: invalid name", key);
	if (!sysctl_allowed(norm, own_net, own_ipc, own_uts))
		return keel_error_set(err, 0,
				      "linux.sysctl: %s: not in a namespace of the container, "
				      "refusing to change the host",
				      key);
	int n = snprintf(out, size, "/proc/sys/%s", norm);
	if (n < 0 || (size_t)n >= size)
		return keel_error_set(err, 0, "linux.sysctl: %s: name too long", key);
	/* net.ipv4.conf.eth0.1 (VLAN) is ambiguous; like runc, dots are separators */
	for (char *p = out + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

int linux_sysctl_apply(const struct oci_map *sysctl, bool own_net, bool own_ipc, bool own_uts,
		       struct keel_error *err)
{
	for (size_t i = 0; i < sysctl->len; i++) {
		char path[512];
		if (linux_sysctl_path(sysctl->keys[i], own_net, own_ipc, own_uts, path, sizeof path,
				      err) < 0)
			return -1;
		if (linux_write_file(path, sysctl->values[i], err) < 0)
			return keel_error_prefix(err, "linux.sysctl: %s", sysctl->keys[i]);
	}
	return 0;
}

/* After the root switch: through linux_proc_self_open, so that a /proc
 * the container replaced cannot take the value elsewhere. */
int linux_oom_score_adj(int value, struct keel_error *err)
{
	char text[16];
	snprintf(text, sizeof text, "%d", value);
	const char *path = "/proc/self/oom_score_adj";
	int fd = linux_proc_self_open("oom_score_adj", O_WRONLY);
	int rc = fd < 0 ? keel_error_errno(err, "%s", path) : linux_write_fd(fd, path, text, err);
	if (fd >= 0)
		close(fd);
	return rc < 0 ? keel_error_prefix(err, "process.oomScoreAdj") : 0;
}
