/* config.json "mounts". */
#include <stdlib.h>

#include "oci/parse.h"

static int parse_mount(struct parse_ctx *c, const json_t *v, const struct json_path *p, void *out_)
{
	struct oci_mount *out = out_;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "destination") < 0 ||
	    get_abs_path(c, v, p, "destination", &out->destination) < 0 ||
	    get_string(c, v, p, "type", &out->type) < 0 ||
	    get_string(c, v, p, "source", &out->source) < 0 ||
	    get_strings(c, v, p, "options", &out->options) < 0 ||
	    get_id_mappings(c, v, p, "uidMappings", &out->uid_mappings) < 0 ||
	    get_id_mappings(c, v, p, "gidMappings", &out->gid_mappings) < 0)
		return -1;
	return 0;
}

int parse_mounts(struct parse_ctx *c, const json_t *arr, const struct json_path *p,
		 struct oci_config *out)
{
	if (value_array(c, arr, p) < 0)
		return -1;
	return parse_items(c, arr, p, sizeof *out->mounts, parse_mount, (void **)&out->mounts,
			   &out->mounts_len);
}

void mounts_clear(struct oci_config *config)
{
	for (size_t i = 0; i < config->mounts_len; i++) {
		struct oci_mount *m = &config->mounts[i];
		free(m->destination);
		free(m->type);
		free(m->source);
		oci_strings_clear(&m->options);
		oci_id_mappings_clear(&m->uid_mappings);
		oci_id_mappings_clear(&m->gid_mappings);
	}
	free(config->mounts);
	config->mounts = NULL;
	config->mounts_len = 0;
}
