/* A container's state directory (<root>/<id>/): creation, locking, the
 * persisted state and the status derived from the live system. */
#ifndef KEEL_RUNTIME_CONTAINER_H
#define KEEL_RUNTIME_CONTAINER_H

#include <limits.h>
#include <stdbool.h>

#include "common/error.h"
#include "oci/state.h"

#define KEEL_DEFAULT_ROOT "/run/keel"
#define EXEC_FIFO	  "exec.fifo"

/* runc's rules: 1..1024 characters of [A-Za-z0-9_+.-], not "." or "..". */
int container_id_validate(const char *id, struct keel_error *err);

/* <root>/<id> into out (PATH_MAX). */
int container_dir_path(const char *root, const char *id, char *out, struct keel_error *err);

/* Makes <root> (0700) if needed and <root>/<id>; fails with "container with
 * id exists: ID" when it is there. Returns an fd of the directory, locked
 * exclusively (flock) for the rest of the command. */
int container_dir_create(const char *root, const char *id, struct keel_error *err);

/* Opens an existing container's directory, takes the lock (LOCK_EX or
 * LOCK_SH) and reads its state. "container does not exist" otherwise. */
int container_open(const char *root, const char *id, int lock_op, struct oci_state **state,
		   struct keel_error *err);

/* Removes <root>/<id> and what it holds (a flat directory). */
void container_dir_remove(const char *root, const char *id);

/* Removes <root>/<id> when nothing holds its lock (a create that died, a
 * state file that cannot be read); a directory in use is left alone. */
void container_dir_remove_leftover(const char *root, const char *id);

/* created / running / stopped, from the init's liveness (pid and recorded
 * start time) and the exec fifo's presence. Updates state->status. */
enum oci_status container_refresh_status(const char *root, struct oci_state *state);

#endif
