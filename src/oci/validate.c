/* Checks across sections of config.json, the ones runc makes too: settings
 * that only mean something inside a namespace the config does not ask for.
 * They run after parsing, so messages still carry a path and position. */
#include "oci/parse.h"

static int require_namespace(struct parse_ctx *c, const struct oci_config *config,
			     enum oci_namespace_type type, const struct json_path *p,
			     const char *what)
{
	if (oci_config_has_namespace(config, type, NULL))
		return 0;
	return parse_error(c, p, "%s requires a %s namespace in linux.namespaces", what,
			   oci_namespace_type_name(type));
}

int validate_config(struct parse_ctx *c, const struct oci_config *config)
{
	const struct json_path *lp = PATH_KEY(NULL, "linux");
	const struct oci_linux *l = &config->linux_;
	if (config->hostname && config->hostname[0] &&
	    require_namespace(c, config, OCI_NS_UTS, PATH_KEY(NULL, "hostname"),
			      "setting the hostname") < 0)
		return -1;
	if (config->domainname && config->domainname[0] &&
	    require_namespace(c, config, OCI_NS_UTS, PATH_KEY(NULL, "domainname"),
			      "setting the domainname") < 0)
		return -1;
	if (l->uid_mappings.len &&
	    require_namespace(c, config, OCI_NS_USER, PATH_KEY(lp, "uidMappings"), "uidMappings") <
		0)
		return -1;
	if (l->gid_mappings.len &&
	    require_namespace(c, config, OCI_NS_USER, PATH_KEY(lp, "gidMappings"), "gidMappings") <
		0)
		return -1;
	if ((l->has_time_offset_boottime || l->has_time_offset_monotonic) &&
	    require_namespace(c, config, OCI_NS_TIME, PATH_KEY(lp, "timeOffsets"), "timeOffsets") <
		0)
		return -1;
	return 0;
}
