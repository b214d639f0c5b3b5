#include "linux/cgroups.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/fileio.h"

const char *linux_cgroup_layout_name(enum linux_cgroup_layout layout)
{
	switch (layout) {
	case LINUX_CGROUP_LEGACY:
		return "legacy";
	case LINUX_CGROUP_HYBRID:
		return "hybrid";
	case LINUX_CGROUP_UNIFIED:
		return "unified";
	default:
		return "none";
	}
}

enum linux_cgroup_layout linux_cgroup_layout_from_magic(long root_magic, long unified_magic)
{
	if (root_magic == CGROUP2_SUPER_MAGIC)
		return LINUX_CGROUP_UNIFIED;
	if (root_magic != TMPFS_MAGIC)
		return LINUX_CGROUP_NONE;
	return unified_magic == CGROUP2_SUPER_MAGIC ? LINUX_CGROUP_HYBRID : LINUX_CGROUP_LEGACY;
}

enum linux_cgroup_layout linux_cgroup_layout_detect(const char *root)
{
	struct statfs sf;
	if (statfs(root, &sf) < 0)
		return LINUX_CGROUP_NONE;
	long root_magic = (long)sf.f_type, unified_magic = 0;
	char unified[PATH_MAX];
	snprintf(unified, sizeof unified, "%s/unified", root);
	if (statfs(unified, &sf) == 0)
		unified_magic = (long)sf.f_type;
	return linux_cgroup_layout_from_magic(root_magic, unified_magic);
}

/* Super options that are not controllers. */
static bool is_controller_option(const char *opt)
{
	static const char *const not_controllers[] = {
	    "rw",
	    "ro",
	    "xattr",
	    "noprefix",
	    "clone_children",
	    "cpuset_v2_mode",
	    "nsdelegate",
	    "memory_recursiveprot",
	    "favordynmods",
	    "memory_localevents",
	    "memory_hugetlb_accounting",
	    "pids_localevents",
	};
	for (size_t i = 0; i < sizeof not_controllers / sizeof not_controllers[0]; i++)
		if (strcmp(opt, not_controllers[i]) == 0)
			return false;
	return strncmp(opt, "release_agent=", 14) != 0;
}

static void controllers_from_superopts(char *superopts, char *out, size_t size)
{
	out[0] = '\0';
	char *save = NULL;
	for (char *opt = strtok_r(superopts, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (!is_controller_option(opt))
			continue;
		size_t used = strlen(out);
		snprintf(out + used, size - used, "%s%s", used ? "," : "", opt);
	}
}

/* mountinfo escapes blanks as \040 etc. */
static void unescape_octal(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

static bool hierarchy_known(const struct linux_cgroups *cg, const char *controllers, bool unified)
{
	for (size_t i = 0; i < cg->len; i++)
		if (cg->h[i].unified == unified && strcmp(cg->h[i].controllers, controllers) == 0)
			return true;
	return false;
}

/* One mountinfo line: "36 25 0:31 / /sys/fs/cgroup/memory rw,.. shared:9 - cgroup cgroup rw,memory"
 */
static int parse_mountinfo_line(char *line, struct linux_cgroups *cg, struct keel_error *err)
{
	char *fields[6] = {0}, *save = NULL, *tok;
	int n = 0;
	for (tok = strtok_r(line, " ", &save); tok && n < 6; tok = strtok_r(NULL, " ", &save))
		fields[n++] = tok;
	if (n < 6)
		return 0;
	while (tok && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	char *fstype = strtok_r(NULL, " ", &save);
	char *source = strtok_r(NULL, " ", &save);
	char *superopts = strtok_r(NULL, " ", &save);
	if (!fstype || !source || !superopts)
		return 0;
	bool unified = strcmp(fstype, "cgroup2") == 0;
	if (!unified && strcmp(fstype, "cgroup") != 0)
		return 0;
	struct linux_cgroup_hierarchy h = {.unified = unified, .first_created = -1};
	if (!unified)
		controllers_from_superopts(superopts, h.controllers, sizeof h.controllers);
	if (hierarchy_known(cg, h.controllers, unified))
		return 0;
	if (cg->len == LINUX_CGROUP_MAX_HIERARCHIES)
		return keel_error_set(err, 0, "mountinfo: more than %d cgroup hierarchies",
				      LINUX_CGROUP_MAX_HIERARCHIES);
	unescape_octal(fields[3]);
	unescape_octal(fields[4]);
	if (strlen(fields[3]) >= sizeof h.mount_root || strlen(fields[4]) >= sizeof h.mountpoint)
		return 0;
	strcpy(h.mount_root, fields[3]);
	strcpy(h.mountpoint, fields[4]);
	cg->h[cg->len++] = h;
	return 0;
}

int linux_cgroup_parse_mountinfo(const char *text, struct linux_cgroups *cg, struct keel_error *err)
{
	cg->len = 0;
	cleanup_free char *copy = strdup(text);
	if (!copy)
		return keel_error_set(err, ENOMEM, "mountinfo");
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (parse_mountinfo_line(line, cg, err) < 0)
			return -1;
	return 0;
}

int linux_cgroup_own_path(const char *proc_cgroup, const struct linux_cgroup_hierarchy *h,
			  char *out, size_t size)
{
	const char *line = proc_cgroup;
	while (line && *line) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		const char *c1 = memchr(line, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line)) : NULL;
		if (c2) {
			size_t clen = (size_t)(c2 - c1 - 1);
			bool is_v2 = clen == 0 && c1 - line == 1 && line[0] == '0';
			bool match = h->unified ? is_v2
						: (!is_v2 && clen == strlen(h->controllers) &&
						   memcmp(c1 + 1, h->controllers, clen) == 0);
			size_t plen = len - (size_t)(c2 + 1 - line);
			if (match) {
				if (plen + 1 > size)
					return -1;
				memcpy(out, c2 + 1, plen);
				out[plen] = '\0';
				return 0;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return -1;
}

void linux_path_clean(char *path)
{
	char out[PATH_MAX];
	size_t o = 0;
	const char *p = path;
	out[o++] = '/';
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n == 0)
			break;
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else if (o + n + 1 < sizeof out) {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n;
	}
	out[o] = '\0';
	strcpy(path, out);
}

/* "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice" */
static int expand_slice(const char *slice, size_t len, char *out, size_t size)
{
	size_t used = 0;
	if (len < 6 || strncmp(slice + len - 6, ".slice", 6) != 0)
		return -1;
	if (len == 6 + 1 && slice[0] == '-') /* "-.slice": the root slice */
		return 0;
	for (size_t i = 0; i < len - 6; i++) {
		if (slice[i] != '-' && i + 1 < len - 6)
			continue;
		size_t end = slice[i] == '-' ? i : i + 1;
		int n = snprintf(out + used, size - used, "/%.*s.slice", (int)end, slice);
		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

int linux_cgroup_systemd_path(const char *spec, const char *id, char *out, size_t size)
{
	char slice[256] = "system.slice", prefix[256] = "keel", name[1100];
	snprintf(name, sizeof name, "%s", id);
	if (spec && *spec) {
		const char *c1 = strchr(spec, ':');
		const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || strchr(c2 + 1, ':') || (size_t)(c1 - spec) >= sizeof slice ||
		    (size_t)(c2 - c1 - 1) >= sizeof prefix || strlen(c2 + 1) >= sizeof name ||
		    strchr(spec, '/'))
			return -1;
		if (c1 > spec)
			snprintf(slice, sizeof slice, "%.*s", (int)(c1 - spec), spec);
		snprintf(prefix, sizeof prefix, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
		snprintf(name, sizeof name, "%s", c2 + 1);
	}
	out[0] = '\0';
	if (expand_slice(slice, strlen(slice), out, size) < 0)
		return -1;
	size_t used = strlen(out);
	size_t nlen = strlen(name);
	/* a name that is already a unit is used as is */
	bool unit = nlen > 6 && (strcmp(name + nlen - 6, ".slice") == 0 ||
				 (nlen > 6 && strcmp(name + nlen - 6, ".scope") == 0));
	int n = unit ? snprintf(out + used, size - used, "/%s", name)
		     : snprintf(out + used, size - used, "/%s%s%s.scope", prefix,
				*prefix ? "-" : "", name);
	return n < 0 || (size_t)n >= size - used ? -1 : 0;
}

int linux_cgroup_inner_path(const char *cgroups_path, const char *id, const char *own_path,
			    char *out, size_t size)
{
	int n;
	if (!cgroups_path || !*cgroups_path)
		n = snprintf(out, size, "%s/%s", own_path, id);
	else if (cgroups_path[0] == '/')
		n = snprintf(out, size, "%s", cgroups_path);
	else
		n = snprintf(out, size, "%s/%s", own_path, cgroups_path);
	if (n < 0 || (size_t)n >= size || (size_t)n >= PATH_MAX)
		return -1;
	linux_path_clean(out);
	return 0;
}

/* Host directory of an inner path: the mountpoint shows mount_root. */
static int hierarchy_dir(struct linux_cgroup_hierarchy *h, const char *inner)
{
	const char *rel = inner;
	size_t rootlen = strlen(h->mount_root);
	if (strcmp(h->mount_root, "/") != 0 && strncmp(inner, h->mount_root, rootlen) == 0 &&
	    (inner[rootlen] == '/' || inner[rootlen] == '\0'))
		rel = inner + rootlen;
	int n = snprintf(h->path, sizeof h->path, "%s%s", h->mountpoint, rel);
	if (n < 0 || (size_t)n >= sizeof h->path)
		return -1;
	return 0;
}

int linux_cgroups_prepare(struct linux_cgroups *cg, const char *cgroups_path, const char *id,
			  struct keel_error *err)
{
	memset(cg, 0, sizeof *cg);
	cg->layout = linux_cgroup_layout_detect(LINUX_CGROUP_ROOT);
	cleanup_free char *mountinfo = NULL, *own = NULL;
	if (linux_read_file("/proc/self/mountinfo", 1 << 22, &mountinfo, err) < 0 ||
	    linux_read_file("/proc/self/cgroup", 1 << 20, &own, err) < 0)
		return -1;
	if (linux_cgroup_parse_mountinfo(mountinfo, cg, err) < 0)
		return -1;
	for (size_t i = 0; i < cg->len; i++) {
		struct linux_cgroup_hierarchy *h = &cg->h[i];
		char own_path[PATH_MAX] = "/";
		if (linux_cgroup_own_path(own, h, own_path, sizeof own_path) < 0)
			strcpy(own_path, "/");
		char inner[PATH_MAX];
		if (linux_cgroup_inner_path(cgroups_path, id, own_path, inner, sizeof inner) < 0 ||
		    hierarchy_dir(h, inner) < 0)
			return keel_error_set(err, ENAMETOOLONG, "linux.cgroupsPath: too long");
		if (i == 0 || h->unified)
			strcpy(cg->inner, inner);
	}
	return 0;
}

/* A new v1 cpuset level starts with empty cpus/mems: tasks cannot join it
 * until they are copied from the parent. */
static int cpuset_inherit(const char *dir, struct keel_error *err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < 2; i++) {
		char path[PATH_MAX + 32], parent[PATH_MAX + 32];
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		cleanup_free char *mine = NULL, *theirs = NULL;
		if (linux_read_file(path, 1 << 16, &mine, err) < 0)
			return -1;
		if (mine[0] != '\n' && mine[0] != '\0')
			continue;
		snprintf(parent, sizeof parent, "%s/../%s", dir, files[i]);
		if (linux_read_file(parent, 1 << 16, &theirs, err) < 0 ||
		    linux_write_file(path, theirs, err) < 0)
			return -1;
	}
	return 0;
}

static bool is_cpuset(const struct linux_cgroup_hierarchy *h)
{
	if (h->unified)
		return false;
	char list[sizeof h->controllers];
	strcpy(list, h->controllers);
	char *save = NULL;
	for (char *c = strtok_r(list, ",", &save); c; c = strtok_r(NULL, ",", &save))
		if (strcmp(c, "cpuset") == 0)
			return true;
	return false;
}

static int create_hierarchy_dir(struct linux_cgroup_hierarchy *h, struct keel_error *err)
{
	size_t base = strlen(h->mountpoint);
	char *p = h->path;
	for (size_t i = base + 1;; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		char saved = p[i];
		p[i] = '\0';
		int rc = mkdir(p, 0755);
		if (rc < 0 && errno != EEXIST) {
			keel_error_errno(err, "cgroup %s", p);
			p[i] = saved;
			return -1;
		}
		if (rc == 0) {
			if (h->first_created < 0)
				h->first_created = (int)i;
			if (saved == '\0')
				h->created = true;
			if (is_cpuset(h) && cpuset_inherit(p, err) < 0) {
				p[i] = saved;
				return -1;
			}
		}
		p[i] = saved;
		if (saved == '\0')
			return 0;
	}
}

int linux_cgroups_create(struct linux_cgroups *cg, struct keel_error *err)
{
	for (size_t i = 0; i < cg->len; i++) {
		cg->h[i].first_created = -1;
		if (create_hierarchy_dir(&cg->h[i], err) < 0) {
			linux_cgroups_remove_created(cg);
			return -1;
		}
	}
	return 0;
}

int linux_cgroups_enter(const struct linux_cgroups *cg, pid_t pid, struct keel_error *err)
{
	char pidtext[32];
	snprintf(pidtext, sizeof pidtext, "%d", (int)pid);
	for (size_t i = 0; i < cg->len; i++) {
		char procs[PATH_MAX + 16];
		snprintf(procs, sizeof procs, "%s/cgroup.procs", cg->h[i].path);
		if (linux_write_file(procs, pidtext, err) < 0)
			return -1;
	}
	return 0;
}

/* Removes the leaf and every parent up to the first directory keel made. */
static void remove_created_dirs(struct linux_cgroup_hierarchy *h)
{
	if (h->first_created < 0)
		return;
	char path[PATH_MAX];
	strcpy(path, h->path);
	for (;;) {
		if (rmdir(path) < 0 && errno != ENOENT)
			break;
		char *slash = strrchr(path, '/');
		if (!slash || slash - path < h->first_created)
			break;
		*slash = '\0';
	}
	h->first_created = -1;
	h->created = false;
}

void linux_cgroups_remove_created(struct linux_cgroups *cg)
{
	for (size_t i = cg->len; i-- > 0;)
		remove_created_dirs(&cg->h[i]);
}

int linux_cgroup_signal_all(const char *dir, int signum, struct keel_error *err)
{
	char procs[PATH_MAX + 16];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
	cleanup_free char *text = NULL;
	if (linux_read_file(procs, 1 << 24, &text, err) < 0)
		return errno == ENOENT ? 0 : -1;
	char *save = NULL;
	for (char *tok = strtok_r(text, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
		long pid = strtol(tok, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, signum) < 0 && errno != ESRCH)
			return keel_error_errno(err, "kill %ld", pid);
	}
	return 0;
}

/* Cgroups the container made below its own (systemd in a container, a
 * v2 leaf for its processes) go first: rmdir only takes empty ones. */
static int destroy_children(const char *dir, struct keel_error *err)
{
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		char child[PATH_MAX];
		if (snprintf(child, sizeof child, "%s/%s", dir, e->d_name) >= (int)sizeof child)
			continue;
		if (linux_cgroup_destroy_dir(child, err) < 0)
			return -1;
	}
	return 0;
}

int linux_cgroup_destroy_dir(const char *dir, struct keel_error *err)
{
	/* Killed tasks leave the cgroup asynchronously: retry for up to ~5s,
	 * backing off from 1ms. Only delete takes this path. */
	struct timespec pause = {0, 1000000};
	for (int attempt = 0; attempt < 40; attempt++) {
		if (rmdir(dir) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return keel_error_errno(err, "remove cgroup %s", dir);
		if (destroy_children(dir, err) < 0 ||
		    linux_cgroup_signal_all(dir, SIGKILL, err) < 0)
			return -1;
		nanosleep(&pause, NULL);
		if (pause.tv_nsec < 128000000)
			pause.tv_nsec *= 2;
	}
	return keel_error_set(err, EBUSY, "remove cgroup %s", dir);
}
