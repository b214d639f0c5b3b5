/* The cgroups of a live container, from its state file: what pause,
 * resume, update, ps, events and exec work on. */
#ifndef KEEL_RUNTIME_LIVE_CGROUPS_H
#define KEEL_RUNTIME_LIVE_CGROUPS_H

#include "linux/cgroups.h"
#include "oci/state.h"

/* cg is large (one PATH_MAX triple per hierarchy): callers keep it static
 * or on the heap. */
void live_cgroups(const struct oci_state *s, struct linux_cgroups *cg);

/* True when the container's cgroup is frozen (status "paused"). */
bool live_cgroups_frozen(const struct oci_state *s);

#endif
