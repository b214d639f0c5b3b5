/* Linux security modules: process.apparmorProfile, process.selinuxLabel and
 * linux.mountLabel.
 *
 * Both labels take effect at the init's execve: keel writes them to the
 * task's "exec" attribute (AppArmor: "exec <profile>" to
 * /proc/self/attr/apparmor/exec, or /proc/self/attr/exec on kernels without
 * the per-LSM directory; SELinux: the context to /proc/self/attr/exec). The
 * mount label becomes the context="..." option of every mount that is not a
 * bind mount. A profile or label asked for on a host whose kernel lacks the
 * LSM fails create before anything is made; a mountLabel there is ignored,
 * as runc does. */
#ifndef KEEL_LINUX_LSM_H
#define KEEL_LINUX_LSM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"
#include "oci/config.h"

/* Where the kernel tells what is enabled and takes the labels; tests point
 * them at temp files. */
struct linux_lsm_paths {
	const char *apparmor_enabled; /* "Y" when AppArmor is on */
	const char *selinux_fs;	      /* selinuxfs mount point, "enforce" inside */
	const char *apparmor_exec;    /* per-LSM exec attribute */
	const char *exec;	      /* the shared exec attribute */
};

/* The real paths under /sys and /proc/self. */
extern const struct linux_lsm_paths linux_lsm_host_paths;

bool linux_apparmor_enabled(const struct linux_lsm_paths *paths);
bool linux_selinux_enabled(const struct linux_lsm_paths *paths);

/* Create-time check: a profile or label in the config needs its LSM. */
int linux_lsm_check(const struct linux_lsm_paths *paths, const struct oci_process *p,
		    struct keel_error *err);

/* Writes the exec attributes for the profile and label that are set
 * (NULL or "" for none). Call last before execve: they apply to the next
 * exec of this task. */
int linux_lsm_set_exec(const struct linux_lsm_paths *paths, const char *apparmor_profile,
		       const char *selinux_label, struct keel_error *err);

/* Appends context="label" to the comma-separated mount data (size bytes,
 * NUL-terminated). A label holding a quote is refused. Nothing for NULL
 * or "". */
int linux_lsm_mount_data(char *data, size_t size, const char *label, struct keel_error *err);

#endif
