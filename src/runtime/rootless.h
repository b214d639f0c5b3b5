/* Rootless keel: an unprivileged user runs containers in a user namespace
 * that maps its own uid and gid (and the subordinate ids /etc/subuid and
 * /etc/subgid grant it, through the setuid helpers newuidmap/newgidmap
 * from the uidmap package). Its state lives under $XDG_RUNTIME_DIR/keel.
 * Cgroups are made only where a writable (delegated) cgroup exists, and
 * are otherwise skipped quietly, as runc does; but resource limits asked
 * for in config.json that cannot be applied fail create. Root behaves as
 * before. */
#ifndef KEEL_RUNTIME_ROOTLESS_H
#define KEEL_RUNTIME_ROOTLESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "linux/cgroups.h"
#include "oci/config.h"

/* True when keel runs without root's privileges (euid != 0). */
bool rootless_active(void);

/* The state root when --root is not given: /run/keel for root; for another
 * user $XDG_RUNTIME_DIR/keel, or /run/user/<euid>/keel without it. */
const char *rootless_default_root(char *buf, size_t size);

/* Writes uid_map and gid_map of pid. Root writes them itself; another user
 * writes a mapping of only its own id itself (after "deny" to setgroups,
 * which the kernel requires), and anything else through newuidmap and
 * newgidmap, which check /etc/subuid and /etc/subgid. */
int rootless_write_id_maps(pid_t pid, const struct oci_linux *l, struct keel_error *err);

/* True when config.json asks for a limit that needs a cgroup (device rules
 * alone do not: without a device cgroup the user namespace already keeps
 * the container from making device nodes). */
bool rootless_wants_limits(const struct oci_linux *l);

/* linux_cgroups_create(), except that a rootless keel keeps only the
 * hierarchies it may write to and makes no cgroup in the others. Fails
 * when one is dropped while l asks for limits. */
int rootless_cgroups_create(struct linux_cgroups *cg, const struct oci_linux *l,
			    struct keel_error *err);

#endif
