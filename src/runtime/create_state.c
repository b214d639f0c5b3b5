#include "runtime/create_state.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *ns_proc_name(enum oci_namespace_type type)
{
	static const char *const names[OCI_NS_COUNT] = {
	    [OCI_NS_PID] = "pid",	[OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",
	    [OCI_NS_IPC] = "ipc",	[OCI_NS_UTS] = "uts",	  [OCI_NS_USER] = "user",
	    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
	};
	return names[type];
}

static int fill_namespaces(struct oci_state *s, const struct container_ctx *ctx)
{
	const struct oci_linux *l = &ctx->config->linux_;
	s->namespaces = calloc(l->namespaces_len + 1, sizeof *s->namespaces);
	if (!s->namespaces)
		return -1;
	for (size_t i = 0; i < l->namespaces_len; i++) {
		const struct oci_namespace *ns = &l->namespaces[i];
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)ctx->pid,
			 ns_proc_name(ns->type));
		s->namespaces[i].type = ns->type;
		s->namespaces[i].path = strdup(ns->path ? ns->path : path);
		s->namespaces_len++;
		if (!s->namespaces[i].path)
			return -1;
	}
	return 0;
}

static int fill_cgroups(struct oci_state *s, const struct container_ctx *ctx)
{
	const struct linux_cgroups *cg = &ctx->cgroups;
	s->cgroups = calloc(cg->len + 1, sizeof *s->cgroups);
	if (!s->cgroups)
		return -1;
	for (size_t i = 0; i < cg->len; i++) {
		s->cgroups[i].controller = strdup(cg->h[i].unified ? "" : cg->h[i].controllers);
		s->cgroups[i].path = strdup(cg->h[i].path);
		s->cgroups_len++;
		if (!s->cgroups[i].controller || !s->cgroups[i].path)
			return -1;
		s->own_cgroup |= cg->h[i].created;
	}
	return 0;
}

static int copy_map(struct oci_map *dst, const struct oci_map *src)
{
	dst->keys = calloc(src->len + 1, sizeof *dst->keys);
	dst->values = calloc(src->len + 1, sizeof *dst->values);
	if (!dst->keys || !dst->values)
		return -1;
	for (size_t i = 0; i < src->len; i++) {
		dst->keys[i] = strdup(src->keys[i]);
		dst->values[i] = strdup(src->values[i]);
		dst->len++;
		if (!dst->keys[i] || !dst->values[i])
			return -1;
	}
	return 0;
}

static char *owner_name(void)
{
	uid_t uid = geteuid();
	if (uid == 0)
		return strdup("root");
	struct passwd *pw = getpwuid(uid);
	if (pw)
		return strdup(pw->pw_name);
	char num[16];
	snprintf(num, sizeof num, "%u", uid);
	return strdup(num);
}

/* The container's state as the state file and hooks see it. */
struct oci_state *create_state_make(struct container_ctx *ctx, enum oci_status status,
				    struct keel_error *err)
{
	const struct oci_config *c = ctx->config;
	struct oci_state *s = calloc(1, sizeof *s);
	char created[64];
	if (!s) {
		keel_error_set(err, ENOMEM, "state");
		return NULL;
	}
	oci_state_now(created, sizeof created);
	s->oci_version = strdup(c->oci_version ? c->oci_version : OCI_VERSION);
	s->id = strdup(ctx->opts->id);
	s->status = status;
	s->pid = ctx->pid;
	s->bundle = strdup(ctx->bundle);
	s->rootfs = strdup(c->root.path);
	s->created = strdup(created);
	s->owner = owner_name();
	s->cgroups_path = c->linux_.cgroups_path ? strdup(c->linux_.cgroups_path) : NULL;
	s->systemd_cgroup = ctx->opts->systemd_cgroup;
	s->terminal = c->process.terminal;
	s->no_pivot = ctx->opts->no_pivot;
	s->has_hooks = c->has_hooks;
	if (!s->oci_version || !s->id || !s->bundle || !s->rootfs || !s->created || !s->owner ||
	    fill_namespaces(s, ctx) < 0 || fill_cgroups(s, ctx) < 0 ||
	    copy_map(&s->annotations, &c->annotations) < 0 ||
	    (c->has_hooks && oci_hooks_copy(&s->hooks, &c->hooks, err) < 0)) {
		keel_error_set(err, ENOMEM, "state");
		oci_state_free(s);
		return NULL;
	}
	if (oci_proc_start_time(ctx->pid, &s->pid_start_time, err) < 0) {
		oci_state_free(s);
		return NULL;
	}
	return s;
}

char *create_state_creating_json(struct container_ctx *ctx, const char *what,
				 struct keel_error *err)
{
	struct oci_state *s = create_state_make(ctx, OCI_STATUS_CREATING, err);
	if (!s)
		return NULL;
	char *json = oci_state_spec_json_compact(s);
	oci_state_free(s);
	if (!json)
		keel_error_set(err, ENOMEM, "%s", what);
	return json;
}

int create_state_write(struct container_ctx *ctx, struct keel_error *err)
{
	struct oci_state *s = create_state_make(ctx, OCI_STATUS_CREATED, err);
	if (!s)
		return -1;
	int rc = oci_state_write(ctx->dir, s, err);
	oci_state_free(s);
	return rc;
}
