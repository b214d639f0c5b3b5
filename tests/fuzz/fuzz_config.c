/* libFuzzer target: config.json (and process.json) parsing. Any input must
 * either parse or fail with a message; nothing may crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci/config.h"

static void check_error(int rc, const struct keel_error *err)
{
	/* A failure without a message would print an empty line to the user. */
	if (rc < 0 && strncmp(err->msg, "config.json: ", 13) != 0 &&
	    strncmp(err->msg, "process.json: ", 14) != 0)
		abort();
}

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
	struct oci_config *config = NULL;
	int rc =
	    oci_config_parse("config.json", (const char *)data, size, "/bundle", &config, &err);
	check_error(rc, &err);
	if (rc == 0) {
		/* Walk what the runtime reads first. */
		for (int t = 0; t < OCI_NS_COUNT; t++)
			oci_config_has_namespace(config, (enum oci_namespace_type)t, NULL);
		if (config->has_root && config->root.path[0] != '/')
			abort();
		struct oci_hooks copy;
		if (oci_hooks_copy(&copy, &config->hooks, &err) == 0)
			oci_hooks_clear(&copy);
		oci_config_free(config);
	}
	struct oci_process *process = NULL;
	keel_error_clear(&err);
	rc = oci_process_parse("process.json", (const char *)data, size, &process, &err);
	check_error(rc, &err);
	if (rc == 0) {
		if (process->args.len == 0 || process->args.items[process->args.len])
			abort();
		oci_process_free(process);
	}
	return 0;
}
