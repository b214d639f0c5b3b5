/* libFuzzer target: keel's persisted state.json (untrusted: anyone who can
 * write the state directory controls it). A file that parses must survive
 * a write/read round trip unchanged in its text form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/state.h"

/* Undefined behaviour (an overflow, a misaligned load) is a finding that
 * stops the run, not a line on stderr that a passing run hides. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct keel_error err = {0};
	struct oci_state *state = NULL;
	if (oci_state_parse((const char *)data, size, &state, &err) < 0) {
		if (strncmp(err.msg, "state.json: ", 12) != 0)
			abort();
		return 0;
	}
	char *text = oci_state_to_json(state);
	char *spec = oci_state_spec_json(state);
	if (text) {
		struct oci_state *again = NULL;
		if (oci_state_parse(text, strlen(text), &again, &err) < 0)
			abort(); /* we cannot read what we wrote */
		char *text2 = oci_state_to_json(again);
		if (!text2 || strcmp(text, text2) != 0)
			abort();
		free(text2);
		oci_state_free(again);
	}
	free(text);
	free(spec);
	oci_state_free(state);
	return 0;
}
