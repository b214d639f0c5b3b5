/* config.json "linux" (resources and seccomp have their own files). */
#include <stdlib.h>
#include <string.h>

#include "oci/parse.h"

static int parse_namespace(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			   struct oci_namespace *out)
{
	char *type = NULL;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "type") < 0 ||
	    get_string(c, v, p, "type", &type) < 0)
		return -1;
	int t = oci_namespace_type_parse(type);
	if (t < 0)
		parse_error(c, PATH_KEY(p, "type"), "unknown namespace type \"%.64s\"", type);
	free(type);
	if (t < 0)
		return -1;
	out->type = (enum oci_namespace_type)t;
	return get_abs_path(c, v, p, "path", &out->path);
}

static int parse_namespaces(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			    struct oci_linux *out)
{
	json_t *arr;
	if (get_array(c, obj, p, "namespaces", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	size_t n = json_array_size(arr);
	out->namespaces = parse_calloc(c, n, sizeof *out->namespaces);
	if (!out->namespaces)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct json_path *ip = PATH_IDX(PATH_KEY(p, "namespaces"), i);
		struct oci_namespace *ns = &out->namespaces[out->namespaces_len++];
		if (parse_namespace(c, json_array_get(arr, i), ip, ns) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (out->namespaces[j].type == ns->type)
				return parse_error(c, PATH_KEY(ip, "type"),
						   "duplicate namespace type \"%s\"",
						   oci_namespace_type_name(ns->type));
	}
	return 0;
}

static int parse_time_offset(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			     struct oci_time_offset *out)
{
	if (value_object(c, v, p) < 0 ||
	    get_int64(c, v, p, "secs", &out->has_secs, &out->secs) < 0 ||
	    get_uint32(c, v, p, "nanosecs", &out->has_nanosecs, &out->nanosecs) < 0)
		return -1;
	if (out->nanosecs >= 1000000000u)
		return parse_error(c, PATH_KEY(p, "nanosecs"), "out of range (< 1000000000)");
	return 0;
}

static int parse_time_offsets(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			      struct oci_linux *out)
{
	json_t *offsets;
	if (get_object(c, obj, p, "timeOffsets", &offsets) < 0)
		return -1;
	if (!offsets)
		return 0;
	const struct json_path *tp = PATH_KEY(p, "timeOffsets");
	const char *clock;
	json_t *v;
	json_object_foreach(offsets, clock, v)
	{
		const struct json_path *cp = PATH_KEY(tp, clock);
		if (strcmp(clock, "boottime") == 0) {
			out->has_time_offset_boottime = true;
			if (parse_time_offset(c, v, cp, &out->time_offset_boottime) < 0)
				return -1;
		} else if (strcmp(clock, "monotonic") == 0) {
			out->has_time_offset_monotonic = true;
			if (parse_time_offset(c, v, cp, &out->time_offset_monotonic) < 0)
				return -1;
		} else {
			return parse_error(c, cp, "unknown clock (boottime or monotonic)");
		}
	}
	return 0;
}

static int parse_device(struct parse_ctx *c, const json_t *v, const struct json_path *p, void *out_)
{
	struct oci_device *out = out_;
	char *type = NULL;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "type") < 0 ||
	    parse_require(c, v, p, "path") < 0 || get_string(c, v, p, "type", &type) < 0)
		return -1;
	bool valid = strlen(type) == 1 && strchr("cbup", type[0]);
	out->type = type[0];
	free(type);
	if (!valid)
		return parse_error(c, PATH_KEY(p, "type"), "must be one of c, b, u, p");
	if (out->type != 'p' &&
	    (parse_require(c, v, p, "major") < 0 || parse_require(c, v, p, "minor") < 0))
		return -1;
	if (get_abs_path(c, v, p, "path", &out->path) < 0 ||
	    get_int64(c, v, p, "major", NULL, &out->major) < 0 ||
	    get_int64(c, v, p, "minor", NULL, &out->minor) < 0 ||
	    get_uint32(c, v, p, "fileMode", &out->has_file_mode, &out->file_mode) < 0 ||
	    get_uint32(c, v, p, "uid", &out->has_uid, &out->uid) < 0 ||
	    get_uint32(c, v, p, "gid", &out->has_gid, &out->gid) < 0)
		return -1;
	if (out->major < 0 || out->major > 0xfff || out->minor < 0 || out->minor > 0xfffff)
		return parse_error(c, p, "device number out of range");
	return 0;
}

static int parse_devices(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			 struct oci_linux *out)
{
	return get_items(c, obj, p, "devices", sizeof *out->devices, parse_device,
			 (void **)&out->devices, &out->devices_len);
}

static int parse_intel_rdt(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			   struct oci_linux *out)
{
	json_t *rdt;
	if (get_object(c, obj, p, "intelRdt", &rdt) < 0)
		return -1;
	if (!rdt)
		return 0;
	const struct json_path *rp = PATH_KEY(p, "intelRdt");
	struct oci_intel_rdt *r = &out->intel_rdt;
	out->has_intel_rdt = true;
	if (get_string(c, rdt, rp, "closID", &r->clos_id) < 0 ||
	    get_string(c, rdt, rp, "l3CacheSchema", &r->l3_cache_schema) < 0 ||
	    get_string(c, rdt, rp, "memBwSchema", &r->mem_bw_schema) < 0 ||
	    get_bool(c, rdt, rp, "enableCMT", NULL, &r->enable_cmt) < 0 ||
	    get_bool(c, rdt, rp, "enableMBM", NULL, &r->enable_mbm) < 0)
		return -1;
	return 0;
}

static const char *const propagations[] = {"private",	 "rprivate",	"slave",
					   "rslave",	 "shared",	"rshared",
					   "unbindable", "runbindable", NULL};

static const char *const personality_domains[] = {"LINUX", "LINUX32", NULL};

static int parse_personality(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			     struct oci_linux *out)
{
	json_t *pers;
	if (get_object(c, obj, p, "personality", &pers) < 0)
		return -1;
	if (!pers)
		return 0;
	const struct json_path *pp = PATH_KEY(p, "personality");
	int domain = 0;
	out->has_personality = true;
	if (parse_require(c, pers, pp, "domain") < 0 ||
	    get_choice(c, pers, pp, "domain", personality_domains, NULL, &domain) < 0 ||
	    get_string(c, pers, pp, "domain", &out->personality.domain) < 0 ||
	    get_strings(c, pers, pp, "flags", &out->personality.flags) < 0)
		return -1;
	return 0;
}

static int parse_linux_sections(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
				struct oci_linux *out)
{
	json_t *res, *sec;
	if (get_object(c, obj, p, "resources", &res) < 0)
		return -1;
	if (res) {
		out->has_resources = true;
		if (parse_resources(c, res, PATH_KEY(p, "resources"), &out->resources) < 0)
			return -1;
	}
	if (get_object(c, obj, p, "seccomp", &sec) < 0)
		return -1;
	if (sec) {
		out->has_seccomp = true;
		if (parse_seccomp(c, sec, PATH_KEY(p, "seccomp"), &out->seccomp) < 0)
			return -1;
	}
	return 0;
}

int parse_linux(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		struct oci_linux *out)
{
	int propagation;
	if (value_object(c, obj, p) < 0 || parse_namespaces(c, obj, p, out) < 0 ||
	    get_id_mappings(c, obj, p, "uidMappings", &out->uid_mappings) < 0 ||
	    get_id_mappings(c, obj, p, "gidMappings", &out->gid_mappings) < 0 ||
	    parse_time_offsets(c, obj, p, out) < 0 || parse_devices(c, obj, p, out) < 0 ||
	    get_string(c, obj, p, "cgroupsPath", &out->cgroups_path) < 0 ||
	    parse_linux_sections(c, obj, p, out) < 0 || parse_intel_rdt(c, obj, p, out) < 0 ||
	    get_map(c, obj, p, "sysctl", &out->sysctl) < 0 ||
	    get_choice(c, obj, p, "rootfsPropagation", propagations, NULL, &propagation) < 0 ||
	    get_string(c, obj, p, "rootfsPropagation", &out->rootfs_propagation) < 0 ||
	    get_strings(c, obj, p, "maskedPaths", &out->masked_paths) < 0 ||
	    get_strings(c, obj, p, "readonlyPaths", &out->readonly_paths) < 0 ||
	    get_string(c, obj, p, "mountLabel", &out->mount_label) < 0 ||
	    parse_personality(c, obj, p, out) < 0)
		return -1;
	return 0;
}

void linux_clear(struct oci_linux *l)
{
	for (size_t i = 0; i < l->namespaces_len; i++)
		free(l->namespaces[i].path);
	free(l->namespaces);
	oci_id_mappings_clear(&l->uid_mappings);
	oci_id_mappings_clear(&l->gid_mappings);
	for (size_t i = 0; i < l->devices_len; i++)
		free(l->devices[i].path);
	free(l->devices);
	free(l->cgroups_path);
	resources_clear(&l->resources);
	free(l->intel_rdt.clos_id);
	free(l->intel_rdt.l3_cache_schema);
	free(l->intel_rdt.mem_bw_schema);
	oci_map_clear(&l->sysctl);
	seccomp_clear(&l->seccomp);
	free(l->rootfs_propagation);
	oci_strings_clear(&l->masked_paths);
	oci_strings_clear(&l->readonly_paths);
	free(l->mount_label);
	free(l->personality.domain);
	oci_strings_clear(&l->personality.flags);
	memset(l, 0, sizeof *l);
}
