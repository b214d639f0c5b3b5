/* poststart and poststop hooks, run by keel from the state file's copy of
 * the hooks. Per the runtime-spec their failure is a warning: the
 * lifecycle goes on. */
#ifndef KEEL_RUNTIME_LIFECYCLE_HOOKS_H
#define KEEL_RUNTIME_LIFECYCLE_HOOKS_H

#include "oci/state.h"

void lifecycle_poststart(struct oci_state *state);
void lifecycle_poststop(struct oci_state *state);

#endif
