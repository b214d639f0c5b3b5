/* Container state: the runtime-spec state document (`keel state`, hooks'
 * stdin) and keel's own persisted state file (<root>/<id>/state.json).
 *
 * The persisted file is written atomically (temp file + rename, no fsync:
 * runtime state need not outlive a reboot) and
 * read back as untrusted input: every field is type- and bounds-checked. */
#ifndef KEEL_OCI_STATE_H
#define KEEL_OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"

#define OCI_STATE_FILE "state.json"

enum oci_status {
	OCI_STATUS_CREATING,
	OCI_STATUS_CREATED,
	OCI_STATUS_RUNNING,
	OCI_STATUS_PAUSED, /* runc's addition, reported by `state` */
	OCI_STATUS_STOPPED,
};

const char *oci_status_name(enum oci_status status);
int oci_status_parse(const char *name); /* enum value or -1 */

/* One cgroup directory of the container: controller "" (or "unified") for
 * the v2 hierarchy, "memory", "cpu,cpuacct" ... for v1 hierarchies. */
struct oci_cgroup_path {
	char *controller;
	char *path; /* absolute, e.g. /sys/fs/cgroup/memory/keel/web1 */
};

/* What keel remembers about a container between commands. */
struct oci_state {
	char *oci_version; /* of the config; written as OCI_VERSION when NULL */
	char *id;
	enum oci_status status;
	pid_t pid;		 /* init process; 0 when none */
	uint64_t pid_start_time; /* /proc/PID/stat field 22, guards against PID reuse */
	char *bundle;		 /* absolute */
	char *rootfs;		 /* absolute */
	char *created;		 /* RFC 3339 with nanoseconds, UTC */
	char *owner;		 /* user name, "" when unknown (runc prints it) */
	char *cgroups_path;	 /* linux.cgroupsPath as given */
	struct oci_cgroup_path *cgroups;
	size_t cgroups_len;
	bool systemd_cgroup; /* --systemd-cgroup at create */
	bool rootless;
	bool terminal;	 /* process.terminal */
	bool no_pivot;	 /* --no-pivot at create */
	bool own_cgroup; /* keel created the cgroups (remove them on delete) */
	/* namespaces the container has, with /proc/<pid>/ns/... or the joined path */
	struct oci_namespace *namespaces;
	size_t namespaces_len;
	bool has_hooks;
	struct oci_hooks hooks; /* poststart/poststop run after create */
	struct oci_map annotations;
};

/* RFC 3339 UTC with nanoseconds ("2026-11-26T05:12:46.123456789Z") of the
 * current time into buf (>= 40 bytes). */
void oci_state_now(char *buf, size_t size);

/* Reads /proc/<pid>/stat field 22 (starttime in clock ticks). Returns -1
 * with err set when the process is gone or the file is malformed. */
int oci_proc_start_time(pid_t pid, uint64_t *start_time, struct keel_error *err);

/* The runtime-spec state document, as `keel state` prints it and hooks get
 * it on stdin: ociVersion, id, status, pid, bundle, annotations, plus runc's
 * rootfs, created, owner. Pretty-printed (2 spaces); malloc'd; NULL on ENOMEM. */
char *oci_state_spec_json(const struct oci_state *state);
/* Compact form of the same (one line, for hooks' stdin). */
char *oci_state_spec_json_compact(const struct oci_state *state);

/* The persisted file's text (all fields). malloc'd; NULL on ENOMEM. */
char *oci_state_to_json(const struct oci_state *state);

/* Writes oci_state_to_json() to <dir>/state.json atomically. */
int oci_state_write(const char *dir, const struct oci_state *state, struct keel_error *err);

/* Reads <dir>/state.json. On success *out is released with oci_state_free(). */
int oci_state_read(const char *dir, struct oci_state **out, struct keel_error *err);
/* Same through an open directory fd (dir only names it in messages), so the
 * file read is the one in the directory the caller locked. Not through a
 * symbolic link (ELOOP). */
int oci_state_read_at(int dirfd, const char *dir, struct oci_state **out, struct keel_error *err);

/* Parses the persisted form from memory (untrusted). */
int oci_state_parse(const char *text, size_t len, struct oci_state **out, struct keel_error *err);

void oci_state_free(struct oci_state *state);

#endif
