#include "runtime/lifecycle_hooks.h"

#include <stdlib.h>

#include "common/log.h"
#include "linux/hooks.h"

static void run_list(struct oci_state *state, enum oci_status status,
		     const struct oci_hook_list *list, const char *name)
{
	if (!state->has_hooks || list->len == 0)
		return;
	enum oci_status saved = state->status;
	state->status = status;
	char *json = oci_state_spec_json_compact(state);
	state->status = saved;
	/* runtime-spec: a failing poststart or poststop hook is a warning,
	 * and the remaining hooks still run */
	for (size_t i = 0; json && i < list->len; i++) {
		struct keel_error err = {0};
		if (linux_hook_run(&list->items[i], json, &err) < 0)
			log_warn("%s %s: hooks.%s[%zu]: %s", name, state->id, name, i, err.msg);
	}
	free(json);
}

void lifecycle_poststart(struct oci_state *state)
{
	run_list(state, OCI_STATUS_RUNNING, &state->hooks.poststart, "poststart");
}

void lifecycle_poststop(struct oci_state *state)
{
	run_list(state, OCI_STATUS_STOPPED, &state->hooks.poststop, "poststop");
}
