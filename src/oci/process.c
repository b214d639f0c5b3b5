/* config.json "process" (and the standalone process.json of `keel exec`). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "oci/parse.h"

static int parse_console_size(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			      struct oci_process *out)
{
	json_t *cs;
	if (get_object(c, obj, p, "consoleSize", &cs) < 0)
		return -1;
	if (!cs)
		return 0;
	const struct json_path *cp = PATH_KEY(p, "consoleSize");
	if (parse_require(c, cs, cp, "height") < 0 || parse_require(c, cs, cp, "width") < 0 ||
	    get_uint32(c, cs, cp, "height", NULL, &out->console_height) < 0 ||
	    get_uint32(c, cs, cp, "width", NULL, &out->console_width) < 0)
		return -1;
	out->has_console_size = true;
	return 0;
}

static int parse_additional_gids(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
				 struct oci_user *out)
{
	json_t *arr;
	if (get_array(c, obj, p, "additionalGids", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	size_t n = json_array_size(arr);
	out->additional_gids = parse_calloc(c, n, sizeof *out->additional_gids);
	if (!out->additional_gids)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (value_uint32(c, json_array_get(arr, i),
				 PATH_IDX(PATH_KEY(p, "additionalGids"), i),
				 &out->additional_gids[i]) < 0)
			return -1;
		out->additional_gids_len++;
	}
	return 0;
}

/* uid and gid default to 0 when absent (as Go's zero values do in runc). */
static int parse_user(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		      struct oci_user *out)
{
	json_t *u;
	if (get_object(c, obj, p, "user", &u) < 0)
		return -1;
	if (!u)
		return 0;
	const struct json_path *up = PATH_KEY(p, "user");
	if (get_uint32(c, u, up, "uid", NULL, &out->uid) < 0 ||
	    get_uint32(c, u, up, "gid", NULL, &out->gid) < 0 ||
	    get_uint32(c, u, up, "umask", &out->has_umask, &out->umask) < 0 ||
	    parse_additional_gids(c, u, up, out) < 0 ||
	    get_string(c, u, up, "username", &out->username) < 0)
		return -1;
	if (out->has_umask && out->umask > 0777)
		return parse_error(c, PATH_KEY(up, "umask"), "out of range (max 0777)");
	return 0;
}

static int parse_cap_set(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			 const char *key, oci_cap_mask *mask)
{
	json_t *arr;
	if (get_array(c, obj, p, key, &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		const struct json_path *ip = PATH_IDX(PATH_KEY(p, key), i);
		json_t *v = json_array_get(arr, i);
		if (!json_is_string(v))
			return parse_error(c, ip, "expected string");
		int cap = oci_cap_parse(json_string_value(v));
		if (cap < 0)
			return parse_error(c, ip, "unknown capability \"%.64s\"",
					   json_string_value(v));
		*mask |= (oci_cap_mask)1 << cap;
	}
	return 0;
}

static int parse_capabilities(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			      struct oci_process *out)
{
	json_t *caps;
	if (get_object(c, obj, p, "capabilities", &caps) < 0)
		return -1;
	if (!caps)
		return 0;
	const struct json_path *cp = PATH_KEY(p, "capabilities");
	struct oci_capabilities *set = &out->capabilities;
	if (parse_cap_set(c, caps, cp, "bounding", &set->bounding) < 0 ||
	    parse_cap_set(c, caps, cp, "effective", &set->effective) < 0 ||
	    parse_cap_set(c, caps, cp, "inheritable", &set->inheritable) < 0 ||
	    parse_cap_set(c, caps, cp, "permitted", &set->permitted) < 0 ||
	    parse_cap_set(c, caps, cp, "ambient", &set->ambient) < 0)
		return -1;
	out->has_capabilities = true;
	return 0;
}

static int parse_rlimit(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			struct oci_rlimit *out)
{
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "type") < 0 ||
	    parse_require(c, v, p, "hard") < 0 || parse_require(c, v, p, "soft") < 0 ||
	    get_string(c, v, p, "type", &out->type) < 0 ||
	    get_uint64(c, v, p, "hard", NULL, &out->hard) < 0 ||
	    get_uint64(c, v, p, "soft", NULL, &out->soft) < 0)
		return -1;
	out->resource = oci_rlimit_parse(out->type);
	if (out->resource < 0)
		return parse_error(c, PATH_KEY(p, "type"), "unknown rlimit \"%.64s\"", out->type);
	return 0;
}

static int parse_rlimits(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			 struct oci_process *out)
{
	json_t *arr;
	if (get_array(c, obj, p, "rlimits", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	size_t n = json_array_size(arr);
	out->rlimits = parse_calloc(c, n, sizeof *out->rlimits);
	if (!out->rlimits)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct json_path *ip = PATH_IDX(PATH_KEY(p, "rlimits"), i);
		struct oci_rlimit *r = &out->rlimits[out->rlimits_len++];
		if (parse_rlimit(c, json_array_get(arr, i), ip, r) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (out->rlimits[j].resource == r->resource)
				return parse_error(c, PATH_KEY(ip, "type"),
						   "duplicate rlimit \"%s\"", r->type);
	}
	return 0;
}

static const char *const sched_policies[] = {
    [OCI_SCHED_OTHER] = "SCHED_OTHER",
    [OCI_SCHED_FIFO] = "SCHED_FIFO",
    [OCI_SCHED_RR] = "SCHED_RR",
    [OCI_SCHED_BATCH] = "SCHED_BATCH",
    [OCI_SCHED_ISO] = "SCHED_ISO",
    [OCI_SCHED_IDLE] = "SCHED_IDLE",
    [OCI_SCHED_DEADLINE] = "SCHED_DEADLINE",
    NULL,
};

static const char *const sched_flags[] = {
    "SCHED_FLAG_RESET_ON_FORK",	 "SCHED_FLAG_RECLAIM",
    "SCHED_FLAG_DL_OVERRUN",	 "SCHED_FLAG_KEEP_POLICY",
    "SCHED_FLAG_KEEP_PARAMS",	 "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX", NULL,
};

static int parse_scheduler(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			   struct oci_process *out)
{
	json_t *s;
	if (get_object(c, obj, p, "scheduler", &s) < 0)
		return -1;
	if (!s)
		return 0;
	const struct json_path *sp = PATH_KEY(p, "scheduler");
	struct oci_scheduler *sch = &out->scheduler;
	int policy = 0;
	if (parse_require(c, s, sp, "policy") < 0 ||
	    get_choice(c, s, sp, "policy", sched_policies, NULL, &policy) < 0 ||
	    get_int32(c, s, sp, "nice", NULL, &sch->nice) < 0 ||
	    get_int32(c, s, sp, "priority", NULL, &sch->priority) < 0 ||
	    get_strings_in(c, s, sp, "flags", sched_flags, &sch->flags) < 0 ||
	    get_uint64(c, s, sp, "runtime", NULL, &sch->runtime) < 0 ||
	    get_uint64(c, s, sp, "deadline", NULL, &sch->deadline) < 0 ||
	    get_uint64(c, s, sp, "period", NULL, &sch->period) < 0)
		return -1;
	if (sch->nice < -20 || sch->nice > 19)
		return parse_error(c, PATH_KEY(sp, "nice"), "out of range (-20..19)");
	sch->policy = (enum oci_sched_policy)policy;
	out->has_scheduler = true;
	return 0;
}

static const char *const ioprio_classes[] = {"", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					     "IOPRIO_CLASS_IDLE", NULL};

static int parse_io_priority(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			     struct oci_process *out)
{
	json_t *io;
	if (get_object(c, obj, p, "ioPriority", &io) < 0)
		return -1;
	if (!io)
		return 0;
	const struct json_path *ip = PATH_KEY(p, "ioPriority");
	int class = 0;
	if (parse_require(c, io, ip, "class") < 0 ||
	    get_choice(c, io, ip, "class", ioprio_classes, NULL, &class) < 0 ||
	    get_int32(c, io, ip, "priority", NULL, &out->io_priority.priority) < 0)
		return -1;
	if (class == 0)
		return parse_error(c, PATH_KEY(ip, "class"), "unknown value \"\"");
	if (out->io_priority.priority < 0 || out->io_priority.priority > 7)
		return parse_error(c, PATH_KEY(ip, "priority"), "out of range (0..7)");
	out->io_priority.class = (enum oci_ioprio_class) class;
	out->has_io_priority = true;
	return 0;
}

static int parse_exec_cpu_affinity(struct parse_ctx *c, const json_t *obj,
				   const struct json_path *p, struct oci_process *out)
{
	json_t *a;
	if (get_object(c, obj, p, "execCPUAffinity", &a) < 0)
		return -1;
	if (!a)
		return 0;
	const struct json_path *ap = PATH_KEY(p, "execCPUAffinity");
	return get_string(c, a, ap, "initial", &out->exec_cpu_affinity_initial) < 0 ||
		       get_string(c, a, ap, "final", &out->exec_cpu_affinity_final) < 0
		   ? -1
		   : 0;
}

static int parse_args_and_cwd(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			      struct oci_process *out)
{
	if (parse_require(c, obj, p, "args") < 0 || get_strings(c, obj, p, "args", &out->args) < 0)
		return -1;
	if (out->args.len == 0)
		return parse_error(c, PATH_KEY(p, "args"), "must not be empty");
	if (parse_require(c, obj, p, "cwd") < 0 || get_abs_path(c, obj, p, "cwd", &out->cwd) < 0)
		return -1;
	return 0;
}

int parse_process(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		  struct oci_process *out)
{
	if (value_object(c, obj, p) < 0 ||
	    get_bool(c, obj, p, "terminal", NULL, &out->terminal) < 0 ||
	    parse_console_size(c, obj, p, out) < 0 || parse_user(c, obj, p, &out->user) < 0 ||
	    parse_args_and_cwd(c, obj, p, out) < 0 ||
	    get_string(c, obj, p, "commandLine", &out->command_line) < 0 ||
	    get_strings(c, obj, p, "env", &out->env) < 0 ||
	    parse_capabilities(c, obj, p, out) < 0 || parse_rlimits(c, obj, p, out) < 0 ||
	    get_bool(c, obj, p, "noNewPrivileges", NULL, &out->no_new_privileges) < 0 ||
	    get_string(c, obj, p, "apparmorProfile", &out->apparmor_profile) < 0 ||
	    get_int32(c, obj, p, "oomScoreAdj", &out->has_oom_score_adj, &out->oom_score_adj) < 0 ||
	    parse_scheduler(c, obj, p, out) < 0 ||
	    get_string(c, obj, p, "selinuxLabel", &out->selinux_label) < 0 ||
	    parse_io_priority(c, obj, p, out) < 0 || parse_exec_cpu_affinity(c, obj, p, out) < 0)
		return -1;
	if (out->has_oom_score_adj && (out->oom_score_adj < -1000 || out->oom_score_adj > 1000))
		return parse_error(c, PATH_KEY(p, "oomScoreAdj"), "out of range (-1000..1000)");
	return 0;
}

void process_clear(struct oci_process *process)
{
	free(process->user.additional_gids);
	free(process->user.username);
	oci_strings_clear(&process->args);
	free(process->command_line);
	oci_strings_clear(&process->env);
	free(process->cwd);
	for (size_t i = 0; i < process->rlimits_len; i++)
		free(process->rlimits[i].type);
	free(process->rlimits);
	free(process->apparmor_profile);
	oci_strings_clear(&process->scheduler.flags);
	free(process->selinux_label);
	free(process->exec_cpu_affinity_initial);
	free(process->exec_cpu_affinity_final);
	memset(process, 0, sizeof *process);
}
