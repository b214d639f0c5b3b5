/* The state of a container being created, as the state file, `state` and
 * hooks see it, built from the create context. */
#ifndef KEEL_RUNTIME_CREATE_STATE_H
#define KEEL_RUNTIME_CREATE_STATE_H

#include "oci/state.h"
#include "runtime/create.h"

/* A new state (release with oci_state_free) with the given status; NULL
 * with err set on failure. */
struct oci_state *create_state_make(struct container_ctx *ctx, enum oci_status status,
				    struct keel_error *err);

/* The state with status creating as compact runtime-spec JSON (free it),
 * what the createRuntime-time hooks and the seccomp listener get; NULL with
 * err set, naming what, on failure. */
char *create_state_creating_json(struct container_ctx *ctx, const char *what,
				 struct keel_error *err);

/* Writes <state dir>/state.json with status created. */
int create_state_write(struct container_ctx *ctx, struct keel_error *err);

#endif
