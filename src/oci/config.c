/* Stub; the parser lands in the next commits. */
#include "oci/config.h"
#include "oci/state.h"
#include "oci/spec.h"

void oci_config_free(struct oci_config *config)
{
	(void)config;
}
