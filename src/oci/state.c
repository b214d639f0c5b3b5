/* Container state documents (see state.h). */
#include "oci/state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "oci/json_out.h"
#include "oci/parse.h"
#include "oci/read_file.h"

static const char *const status_names[] = {
    [OCI_STATUS_CREATING] = "creating", [OCI_STATUS_CREATED] = "created",
    [OCI_STATUS_RUNNING] = "running",	[OCI_STATUS_PAUSED] = "paused",
    [OCI_STATUS_STOPPED] = "stopped",	NULL,
};

const char *oci_status_name(enum oci_status status)
{
	return (unsigned)status <= OCI_STATUS_STOPPED ? status_names[status] : NULL;
}

int oci_status_parse(const char *name)
{
	for (int i = 0; status_names[i]; i++)
		if (strcmp(name, status_names[i]) == 0)
			return i;
	return -1;
}

void oci_state_now(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char date[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", date, ts.tv_nsec);
}

int oci_proc_start_time(pid_t pid, uint64_t *start_time, struct keel_error *err)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "%s", path);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		return keel_error_set(err, n < 0 ? errno : 0, "%s: cannot read", path);
	buf[n] = '\0';
	/* comm (field 2) may hold spaces and parentheses: fields restart after
	 * the last ')'. Field 3 is the first after it; starttime is field 22. */
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 22; field++) {
		p = strchr(p + 1, ' ');
	}
	if (!p)
		return keel_error_set(err, 0, "%s: malformed", path);
	char *end;
	errno = 0;
	unsigned long long v = strtoull(p + 1, &end, 10);
	if (errno || end == p + 1)
		return keel_error_set(err, 0, "%s: malformed starttime", path);
	*start_time = v;
	return 0;
}

/* ---- output ---- */

static json_t *spec_state_object(const struct oci_state *s)
{
	json_t *o = json_object();
	if (!o || out_string(o, "ociVersion", s->oci_version ? s->oci_version : OCI_VERSION) < 0 ||
	    out_string(o, "id", s->id ? s->id : "") < 0 ||
	    out_int(o, "pid", s->status == OCI_STATUS_STOPPED ? 0 : s->pid) < 0 ||
	    out_string(o, "status", oci_status_name(s->status)) < 0 ||
	    out_string(o, "bundle", s->bundle ? s->bundle : "") < 0 ||
	    out_string(o, "rootfs", s->rootfs ? s->rootfs : "") < 0 ||
	    out_string(o, "created", s->created ? s->created : "") < 0 ||
	    out_string(o, "owner", s->owner ? s->owner : "") < 0 ||
	    (s->annotations.len && out_take(o, "annotations", out_map(&s->annotations)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

char *oci_state_spec_json(const struct oci_state *state)
{
	json_t *o = spec_state_object(state);
	char *text = o ? out_dump(o, 2, false) : NULL;
	json_decref(o);
	return text;
}

char *oci_state_spec_json_compact(const struct oci_state *state)
{
	json_t *o = spec_state_object(state);
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	return text;
}

static json_t *out_cgroups(const struct oci_state *s)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < s->cgroups_len; i++) {
		json_t *o = json_object();
		if (!o || out_string(o, "controller", s->cgroups[i].controller) < 0 ||
		    out_string(o, "path", s->cgroups[i].path) < 0 ||
		    json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *out_namespaces(const struct oci_state *s)
{
	json_t *arr = json_array();
	for (size_t i = 0; arr && i < s->namespaces_len; i++) {
		json_t *o = json_object();
		if (!o ||
		    out_string(o, "type", oci_namespace_type_name(s->namespaces[i].type)) < 0 ||
		    out_string(o, "path", s->namespaces[i].path) < 0 ||
		    json_array_append_new(arr, o) < 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int out_keel_fields(json_t *o, const struct oci_state *s)
{
	if (out_take(o, "pidStartTime", json_integer((json_int_t)s->pid_start_time)) < 0 ||
	    out_string(o, "cgroupsPath", s->cgroups_path) < 0 ||
	    out_take(o, "cgroups", out_cgroups(s)) < 0 ||
	    out_bool(o, "systemdCgroup", s->systemd_cgroup) < 0 ||
	    out_bool(o, "rootless", s->rootless) < 0 || out_bool(o, "terminal", s->terminal) < 0 ||
	    out_bool(o, "noPivot", s->no_pivot) < 0 ||
	    out_bool(o, "ownCgroup", s->own_cgroup) < 0 ||
	    out_take(o, "namespaces", out_namespaces(s)) < 0 ||
	    (s->has_hooks && out_take(o, "hooks", out_hooks(&s->hooks)) < 0))
		return -1;
	return 0;
}

char *oci_state_to_json(const struct oci_state *state)
{
	/* pid_start_time is a tick count: it fits json_int_t for ~10^9 years. */
	json_t *o = spec_state_object(state);
	if (o && state->status == OCI_STATUS_STOPPED)
		json_object_set_new(o, "pid", json_integer(state->pid));
	char *text = o && out_keel_fields(o, state) == 0 ? out_dump(o, 2, false) : NULL;
	json_decref(o);
	return text;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int oci_state_write(const char *dir, const struct oci_state *state, struct keel_error *err)
{
	cleanup_free char *text = oci_state_to_json(state);
	if (!text)
		return keel_error_set(err, 0,
				      "%s/%s: cannot encode state (out of memory or invalid UTF-8)",
				      dir, OCI_STATE_FILE);
	cleanup_free char *tmp = NULL, *final = NULL;
	if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, OCI_STATE_FILE) < 0 ||
	    asprintf(&final, "%s/%s", dir, OCI_STATE_FILE) < 0)
		return keel_error_set(err, ENOMEM, "%s", dir);
	cleanup_close int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return keel_error_errno(err, "%s", tmp);
	/* rename makes the replacement atomic. No fsync: the state only has
	 * to outlive keel, not the machine (containers do not survive a
	 * reboot), and an fsync costs 4-14 ms per create on a disk-backed
	 * /run (runc does not sync either). */
	if (write_all(fd, text, strlen(text)) < 0 || rename(tmp, final) < 0) {
		int saved = errno;
		unlink(tmp);
		return keel_error_set(err, saved, "write %s", final);
	}
	return 0;
}

/* ---- input ---- */

#define STATE_CGROUP_ROOT "/sys/fs/cgroup"

/* Under the cgroup mount, without a ".." component. */
static bool cgroup_path_ok(const char *path)
{
	size_t root = strlen(STATE_CGROUP_ROOT);
	if (strncmp(path, STATE_CGROUP_ROOT, root) != 0 || (path[root] && path[root] != '/'))
		return false;
	for (const char *p = path; (p = strstr(p, "/..")); p += 3)
		if (p[3] == '/' || p[3] == '\0')
			return false;
	return true;
}

static int parse_cgroups(struct parse_ctx *c, const json_t *doc, struct oci_state *s)
{
	json_t *arr;
	if (get_array(c, doc, NULL, "cgroups", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	size_t n = json_array_size(arr);
	s->cgroups = parse_calloc(c, n, sizeof *s->cgroups);
	if (!s->cgroups)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct json_path *ip = PATH_IDX(PATH_KEY(NULL, "cgroups"), i);
		json_t *v = json_array_get(arr, i);
		struct oci_cgroup_path *cg = &s->cgroups[s->cgroups_len++];
		if (value_object(c, v, ip) < 0 || parse_require(c, v, ip, "controller") < 0 ||
		    parse_require(c, v, ip, "path") < 0 ||
		    get_string(c, v, ip, "controller", &cg->controller) < 0 ||
		    get_abs_path(c, v, ip, "path", &cg->path) < 0)
			return -1;
		/* kill --all signals the pids its cgroup.procs lists, delete
		 * removes it: a cgroup directory, nothing else */
		if (!cgroup_path_ok(cg->path))
			return parse_error(c, PATH_KEY(ip, "path"),
					   "not a directory under " STATE_CGROUP_ROOT);
	}
	return 0;
}

static int parse_state_namespace(struct parse_ctx *c, const json_t *v, const struct json_path *p,
				 struct oci_namespace *out)
{
	static const char *const types[] = {"pid",  "network", "mount", "ipc", "uts",
					    "user", "cgroup",  "time",	NULL};
	int type = 0;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "type") < 0 ||
	    get_choice(c, v, p, "type", types, NULL, &type) < 0 ||
	    get_abs_path(c, v, p, "path", &out->path) < 0)
		return -1;
	out->type = (enum oci_namespace_type)type;
	return 0;
}

static int parse_state_namespaces(struct parse_ctx *c, const json_t *doc, struct oci_state *s)
{
	json_t *arr;
	if (get_array(c, doc, NULL, "namespaces", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	size_t n = json_array_size(arr);
	s->namespaces = parse_calloc(c, n, sizeof *s->namespaces);
	if (!s->namespaces)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (parse_state_namespace(c, json_array_get(arr, i),
					  PATH_IDX(PATH_KEY(NULL, "namespaces"), i),
					  &s->namespaces[s->namespaces_len++]) < 0)
			return -1;
	return 0;
}

static int parse_state_identity(struct parse_ctx *c, const json_t *doc, struct oci_state *s)
{
	int status = 0;
	int32_t pid = 0;
	if (parse_require(c, doc, NULL, "id") < 0 || parse_require(c, doc, NULL, "status") < 0 ||
	    get_string(c, doc, NULL, "ociVersion", &s->oci_version) < 0 ||
	    get_string(c, doc, NULL, "id", &s->id) < 0 ||
	    get_choice(c, doc, NULL, "status", status_names, NULL, &status) < 0 ||
	    get_int32(c, doc, NULL, "pid", NULL, &pid) < 0 ||
	    get_uint64(c, doc, NULL, "pidStartTime", NULL, &s->pid_start_time) < 0)
		return -1;
	if (!s->id[0] || strchr(s->id, '/'))
		return parse_error(c, PATH_KEY(NULL, "id"), "invalid container id");
	if (pid < 0)
		return parse_error(c, PATH_KEY(NULL, "pid"), "must not be negative");
	/* A tick count since boot; anything larger is corrupt (and would not
	 * survive being written back as a JSON integer). */
	if (s->pid_start_time > INT64_MAX)
		return parse_error(c, PATH_KEY(NULL, "pidStartTime"), "integer out of range");
	/* Without its start time a pid names whatever process has it now:
	 * keel always records both, and kill/delete must not trust one alone. */
	if (pid > 0 && s->pid_start_time == 0)
		return parse_error(c, PATH_KEY(NULL, "pidStartTime"), "required with a pid");
	s->status = (enum oci_status)status;
	s->pid = pid;
	return 0;
}

static int parse_state_document(struct parse_ctx *c, const json_t *doc, struct oci_state *s)
{
	json_t *hooks;
	if (parse_state_identity(c, doc, s) < 0 ||
	    get_string(c, doc, NULL, "bundle", &s->bundle) < 0 ||
	    get_string(c, doc, NULL, "rootfs", &s->rootfs) < 0 ||
	    get_string(c, doc, NULL, "created", &s->created) < 0 ||
	    get_string(c, doc, NULL, "owner", &s->owner) < 0 ||
	    get_string(c, doc, NULL, "cgroupsPath", &s->cgroups_path) < 0 ||
	    parse_cgroups(c, doc, s) < 0 ||
	    get_bool(c, doc, NULL, "systemdCgroup", NULL, &s->systemd_cgroup) < 0 ||
	    get_bool(c, doc, NULL, "rootless", NULL, &s->rootless) < 0 ||
	    get_bool(c, doc, NULL, "terminal", NULL, &s->terminal) < 0 ||
	    get_bool(c, doc, NULL, "noPivot", NULL, &s->no_pivot) < 0 ||
	    get_bool(c, doc, NULL, "ownCgroup", NULL, &s->own_cgroup) < 0 ||
	    parse_state_namespaces(c, doc, s) < 0 ||
	    get_map(c, doc, NULL, "annotations", &s->annotations) < 0 ||
	    get_object(c, doc, NULL, "hooks", &hooks) < 0)
		return -1;
	if (hooks) {
		s->has_hooks = true;
		if (parse_hooks(c, hooks, PATH_KEY(NULL, "hooks"), &s->hooks) < 0)
			return -1;
	}
	return 0;
}

int oci_state_parse(const char *text, size_t len, struct oci_state **out, struct keel_error *err)
{
	struct parse_ctx c = {.name = OCI_STATE_FILE, .text = text, .len = len, .err = err};
	json_t *doc = NULL;
	*out = NULL;
	if (parse_load(&c, &doc) < 0)
		return -1;
	struct oci_state *s = calloc(1, sizeof *s);
	int rc = s ? parse_state_document(&c, doc, s) : keel_error_set(err, ENOMEM, "%s", c.name);
	json_decref(doc);
	if (rc < 0) {
		oci_state_free(s);
		return -1;
	}
	*out = s;
	return 0;
}

int oci_state_read(const char *dir, struct oci_state **out, struct keel_error *err)
{
	return oci_state_read_at(AT_FDCWD, dir, out, err);
}

int oci_state_read_at(int dirfd, const char *dir, struct oci_state **out, struct keel_error *err)
{
	cleanup_free char *path = NULL, *text = NULL;
	size_t len = 0;
	*out = NULL;
	if (dirfd == AT_FDCWD && asprintf(&path, "%s/%s", dir, OCI_STATE_FILE) < 0)
		return keel_error_set(err, ENOMEM, "%s", dir);
	/* not a link: the file is keel's own, never a pointer elsewhere */
	if (oci_read_file_at(dirfd, path ? path : OCI_STATE_FILE, O_NOFOLLOW, &text, &len, err) < 0)
		return path ? -1 : keel_error_prefix(err, "%s", dir);
	if (oci_state_parse(text, len, out, err) < 0)
		return keel_error_prefix(err, "%s", dir);
	return 0;
}

void oci_state_free(struct oci_state *s)
{
	if (!s)
		return;
	free(s->oci_version);
	free(s->id);
	free(s->bundle);
	free(s->rootfs);
	free(s->created);
	free(s->owner);
	free(s->cgroups_path);
	for (size_t i = 0; i < s->cgroups_len; i++) {
		free(s->cgroups[i].controller);
		free(s->cgroups[i].path);
	}
	free(s->cgroups);
	for (size_t i = 0; i < s->namespaces_len; i++)
		free(s->namespaces[i].path);
	free(s->namespaces);
	oci_hooks_clear(&s->hooks);
	oci_map_clear(&s->annotations);
	free(s);
}
