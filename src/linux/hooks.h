/* OCI hooks: each runs as path with args and env, the container state
 * JSON on its stdin, and an optional timeout. A hook fails on a non-zero
 * exit, death by signal, or timeout. */
#ifndef KEEL_LINUX_HOOKS_H
#define KEEL_LINUX_HOOKS_H

#include "common/error.h"
#include "oci/config.h"

/* Runs one hook. Returns -1 with err naming the hook's path. */
int linux_hook_run(const struct oci_hook *hook, const char *state_json, struct keel_error *err);

/* Runs every hook of a list in order, stopping at the first failure; err
 * is prefixed with "<name>[i]" ("createRuntime[0]"). */
int linux_hooks_run(const struct oci_hook_list *list, const char *name, const char *state_json,
		    struct keel_error *err);

#endif
