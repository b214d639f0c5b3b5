#include "linux/namespaces.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/fileio.h"

int linux_ns_open(const char *path, int clone_flag, struct keel_error *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "namespace %s", path);
	int type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return keel_error_errno(err, "namespace %s: not a namespace file", path);
	if (type != clone_flag)
		return keel_error_set(err, 0, "namespace %s: wrong namespace type", path);
	return steal_fd(&fd);
}

int linux_ns_join(int fd, int clone_flag, const char *path, struct keel_error *err)
{
	if (setns(fd, clone_flag) < 0)
		return keel_error_errno(err, "join namespace %s", path);
	return 0;
}

int linux_id_map_text(const struct oci_id_mappings *maps, char *out, size_t size)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < maps->len; i++) {
		const struct oci_id_mapping *m = &maps->items[i];
		int n = snprintf(out + used, size - used, "%u %u %u\n", m->container_id, m->host_id,
				 m->size);
		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

static int write_map(pid_t pid, const char *file, const struct oci_id_mappings *maps,
		     struct keel_error *err)
{
	if (maps->len == 0)
		return 0;
	char text[4096], path[64];
	if (linux_id_map_text(maps, text, sizeof text) < 0)
		return keel_error_set(err, 0, "%s: too many mappings", file);
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	if (linux_write_file(path, text, err) < 0)
		return keel_error_prefix(err, "user namespace");
	return 0;
}

int linux_write_id_maps(pid_t pid, const struct oci_id_mappings *uid_maps,
			const struct oci_id_mappings *gid_maps, struct keel_error *err)
{
	if (write_map(pid, "uid_map", uid_maps, err) < 0)
		return -1;
	return write_map(pid, "gid_map", gid_maps, err);
}

int linux_time_ns_prepare(const struct oci_time_offset *monotonic,
			  const struct oci_time_offset *boottime, struct keel_error *err)
{
	if (unshare(CLONE_NEWTIME) < 0)
		return keel_error_errno(err, "time namespace");
	char text[128] = "";
	size_t used = 0;
	if (monotonic)
		used += (size_t)snprintf(text + used, sizeof text - used, "monotonic %lld %u\n",
					 (long long)monotonic->secs, monotonic->nanosecs);
	if (boottime)
		snprintf(text + used, sizeof text - used, "boottime %lld %u\n",
			 (long long)boottime->secs, boottime->nanosecs);
	if (!*text)
		return 0;
	if (linux_write_file("/proc/self/timens_offsets", text, err) < 0)
		return keel_error_prefix(err, "time namespace offsets");
	return 0;
}
