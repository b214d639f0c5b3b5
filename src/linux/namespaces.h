/* Namespaces: joining one by path (setns), user namespace ID maps written
 * by the parent, and time namespace offsets. Creation itself happens in
 * the clone of the init (see clone.h) or by unshare(2) in the init. */
#ifndef KEEL_LINUX_NAMESPACES_H
#define KEEL_LINUX_NAMESPACES_H

#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"

/* Opens a namespace file and checks that it is a namespace of the type
 * (CLONE_NEW* flag). Returns the fd or -1 with err set. */
int linux_ns_open(const char *path, int clone_flag, struct keel_error *err);

/* setns(fd, clone_flag); path only names it in the error. */
int linux_ns_join(int fd, int clone_flag, const char *path, struct keel_error *err);

/* Renders mappings as uid_map/gid_map text ("0 1000 1\n..."). Returns -1
 * when it does not fit. */
int linux_id_map_text(const struct oci_id_mappings *maps, char *out, size_t size);

/* Writes /proc/<pid>/uid_map and gid_map of a child that just entered a
 * new user namespace. */
int linux_write_id_maps(pid_t pid, const struct oci_id_mappings *uid_maps,
			const struct oci_id_mappings *gid_maps, struct keel_error *err);

/* Creates a new time namespace for this process's future children and sets
 * its clock offsets (must happen before any process enters it). */
int linux_time_ns_prepare(const struct oci_time_offset *monotonic,
			  const struct oci_time_offset *boottime, struct keel_error *err);

#endif
