/* config.json: loading, the top-level sections, release. */
#include "oci/config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/parse.h"
#include "oci/read_file.h"

/* root.path, made absolute against the bundle directory. */
static int resolve_root(struct parse_ctx *c, const char *bundle_dir, struct oci_root *root)
{
	if (!bundle_dir || root->path[0] == '/')
		return 0;
	char real[PATH_MAX];
	const char *base = realpath(bundle_dir, real) ? real : bundle_dir;
	char *joined = NULL;
	if (asprintf(&joined, "%s/%s", strcmp(base, "/") ? base : "", root->path) < 0)
		return keel_error_set(c->err, ENOMEM, "%s", c->name);
	free(root->path);
	root->path = joined;
	return 0;
}

static int parse_root(struct parse_ctx *c, const json_t *doc, const char *bundle_dir,
		      struct oci_config *out)
{
	json_t *r;
	if (get_object(c, doc, NULL, "root", &r) < 0)
		return -1;
	if (!r)
		return 0;
	const struct json_path *rp = PATH_KEY(NULL, "root");
	out->has_root = true;
	if (parse_require(c, r, rp, "path") < 0 ||
	    get_string(c, r, rp, "path", &out->root.path) < 0 ||
	    get_bool(c, r, rp, "readonly", NULL, &out->root.readonly) < 0)
		return -1;
	if (!out->root.path[0])
		return parse_error(c, PATH_KEY(rp, "path"), "must not be empty");
	return resolve_root(c, bundle_dir, &out->root);
}

static int parse_sections(struct parse_ctx *c, const json_t *doc, struct oci_config *out)
{
	json_t *v;
	if (get_array(c, doc, NULL, "mounts", &v) < 0 ||
	    (v && parse_mounts(c, v, PATH_KEY(NULL, "mounts"), out) < 0))
		return -1;
	if (get_object(c, doc, NULL, "process", &v) < 0)
		return -1;
	if (v) {
		out->has_process = true;
		if (parse_process(c, v, PATH_KEY(NULL, "process"), &out->process) < 0)
			return -1;
	}
	if (get_object(c, doc, NULL, "hooks", &v) < 0)
		return -1;
	if (v) {
		out->has_hooks = true;
		if (parse_hooks(c, v, PATH_KEY(NULL, "hooks"), &out->hooks) < 0)
			return -1;
	}
	if (get_object(c, doc, NULL, "linux", &v) < 0)
		return -1;
	if (v) {
		out->has_linux = true;
		if (parse_linux(c, v, PATH_KEY(NULL, "linux"), &out->linux_) < 0)
			return -1;
	}
	return 0;
}

static int parse_document(struct parse_ctx *c, const json_t *doc, const char *bundle_dir,
			  struct oci_config *out)
{
	if (parse_require(c, doc, NULL, "ociVersion") < 0 ||
	    get_string(c, doc, NULL, "ociVersion", &out->oci_version) < 0 ||
	    parse_root(c, doc, bundle_dir, out) < 0 ||
	    get_string(c, doc, NULL, "hostname", &out->hostname) < 0 ||
	    get_string(c, doc, NULL, "domainname", &out->domainname) < 0 ||
	    get_map(c, doc, NULL, "annotations", &out->annotations) < 0 ||
	    parse_sections(c, doc, out) < 0 || validate_config(c, out) < 0)
		return -1;
	return 0;
}

int oci_config_parse(const char *name, const char *text, size_t len, const char *bundle_dir,
		     struct oci_config **out, struct keel_error *err)
{
	struct parse_ctx c = {
	    .name = name ? name : "config.json", .text = text, .len = len, .err = err};
	json_t *doc = NULL;
	*out = NULL;
	if (parse_load(&c, &doc) < 0)
		return -1;
	struct oci_config *config = calloc(1, sizeof *config);
	int rc = config ? parse_document(&c, doc, bundle_dir, config)
			: keel_error_set(err, ENOMEM, "%s", c.name);
	json_decref(doc);
	if (rc < 0) {
		oci_config_free(config);
		return -1;
	}
	*out = config;
	return 0;
}

int oci_config_load_file(const char *path, const char *bundle_dir, struct oci_config **out,
			 struct keel_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	*out = NULL;
	if (oci_read_file(path, &text, &len, err) < 0)
		return -1;
	const char *slash = strrchr(path, '/');
	return oci_config_parse(slash ? slash + 1 : path, text, len, bundle_dir, out, err);
}

int oci_config_load(const char *bundle_dir, struct oci_config **out, struct keel_error *err)
{
	cleanup_free char *path = NULL;
	const char *dir = bundle_dir ? bundle_dir : ".";
	if (asprintf(&path, "%s/config.json", dir) < 0)
		return keel_error_set(err, ENOMEM, "config.json");
	return oci_config_load_file(path, dir, out, err);
}

void oci_config_free(struct oci_config *config)
{
	if (!config)
		return;
	free(config->oci_version);
	free(config->root.path);
	mounts_clear(config);
	process_clear(&config->process);
	free(config->hostname);
	free(config->domainname);
	oci_hooks_clear(&config->hooks);
	oci_map_clear(&config->annotations);
	linux_clear(&config->linux_);
	free(config);
}

int oci_process_parse(const char *name, const char *text, size_t len, struct oci_process **out,
		      struct keel_error *err)
{
	struct parse_ctx c = {
	    .name = name ? name : "process.json", .text = text, .len = len, .err = err};
	json_t *doc = NULL;
	*out = NULL;
	if (parse_load(&c, &doc) < 0)
		return -1;
	struct oci_process *process = calloc(1, sizeof *process);
	int rc = process ? parse_process(&c, doc, NULL, process)
			 : keel_error_set(err, ENOMEM, "%s", c.name);
	json_decref(doc);
	if (rc < 0) {
		oci_process_free(process);
		return -1;
	}
	*out = process;
	return 0;
}

int oci_process_load_file(const char *path, struct oci_process **out, struct keel_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	*out = NULL;
	if (oci_read_file(path, &text, &len, err) < 0)
		return -1;
	const char *slash = strrchr(path, '/');
	return oci_process_parse(slash ? slash + 1 : path, text, len, out, err);
}

void oci_process_free(struct oci_process *process)
{
	if (!process)
		return;
	process_clear(process);
	free(process);
}

bool oci_config_has_namespace(const struct oci_config *config, enum oci_namespace_type type,
			      const char **path)
{
	for (size_t i = 0; config->has_linux && i < config->linux_.namespaces_len; i++) {
		const struct oci_namespace *ns = &config->linux_.namespaces[i];
		if (ns->type != type)
			continue;
		if (path)
			*path = ns->path;
		return true;
	}
	return false;
}
