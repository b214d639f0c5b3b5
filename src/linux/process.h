/* The container process's own attributes, applied by the init just before
 * exec: credentials, capabilities, rlimits, sysctls, the executable lookup
 * and the file descriptors it keeps. */
#ifndef KEEL_LINUX_PROCESS_H
#define KEEL_LINUX_PROCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "common/error.h"
#include "oci/config.h"

/* clone3 (fork semantics: the child returns 0) with CLONE_NEW* flags.
 * *pidfd gets a pidfd of the child when not NULL. Returns the pid or -1. */
pid_t linux_clone(unsigned long flags, int *pidfd, struct keel_error *err);

/* Drops every capability not in the bounding set of caps (all of them when
 * caps is NULL). Needs CAP_SETPCAP: runs before the user switch. */
int linux_caps_drop_bounding(const struct oci_capabilities *caps, struct keel_error *err);

/* Switches to user (gid, additional gids, uid), keeping capabilities over
 * the switch so that linux_caps_apply() can set exactly what was asked. */
int linux_user_switch(const struct oci_user *user, struct keel_error *err);

/* Sets effective, permitted, inheritable and ambient sets exactly as given
 * (empty when caps is NULL). */
int linux_caps_apply(const struct oci_capabilities *caps, struct keel_error *err);

/* setrlimit for each; a hard limit above the current one without
 * CAP_SYS_RESOURCE gives an error naming the limit. */
int linux_rlimits_apply(const struct oci_rlimit *limits, size_t n, struct keel_error *err);

/* Validates a linux.sysctl key against the namespaces the container owns
 * (net.* needs a network namespace, kernel.shm* an IPC one ...) and turns it
 * into a path under /proc/sys. Returns -1 with err set. */
int linux_sysctl_path(const char *key, bool own_net, bool own_ipc, bool own_uts, char *out,
		      size_t size, struct keel_error *err);

/* Writes every linux.sysctl entry under /proc/sys. */
int linux_sysctl_apply(const struct oci_map *sysctl, bool own_net, bool own_ipc, bool own_uts,
		       struct keel_error *err);

/* Writes /proc/self/oom_score_adj. */
int linux_oom_score_adj(int value, struct keel_error *err);

/* The path execvp would run for file with env's PATH (runc's default PATH
 * when env has none). Fails with "executable file not found in $PATH". */
int linux_find_executable(const char *file, char *const *env, char *out, size_t size,
			  struct keel_error *err);

/* Keeps fds 0..2+preserve open across exec and marks every other fd
 * close-on-exec (close_range), so nothing of keel leaks into the container.
 * In 3..2+preserve only the caller's fds (not close-on-exec) survive: an fd
 * keel opened in a hole of that range is still closed at exec. */
int linux_fds_prepare_exec(unsigned int preserve, struct keel_error *err);

/* Joins the container's own session keyring, "_ses.<id>" (made when
 * missing), so that the process does not keep its caller's: the init
 * (unless --no-new-keyring) and every exec'd process. Best effort. */
void linux_join_session_keyring(const char *id);

#endif
