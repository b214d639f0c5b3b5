/* The default config.json of `keel spec` (modelled on runc's, so tools and
 * tutorials written for runc work unchanged). */
#include "oci/spec.h"

#include <jansson.h>

#include "oci/config.h"
#include "oci/json_out.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const default_caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};

/* Kernel files that leak host information or allow host changes. */
static const char *const masked_paths[] = {
    "/proc/acpi",	   "/proc/asound",     "/proc/kcore",	    "/proc/keys",
    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
    "/sys/firmware",	   "/proc/scsi",
};

static const char *const readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static json_t *list(const char *const *items, size_t n)
{
	return out_string_list(items, n);
}

static json_t *default_process(void)
{
	return json_pack(
	    "{s:b, s:{s:i, s:i}, s:[s], s:[s, s], s:s, s:{s:o, s:o, s:o, s:o}, s:[{s:s, s:i, "
	    "s:i}], s:b}",
	    "terminal", 1, "user", "uid", 0, "gid", 0, "args", "sh", "env",
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    "cwd", "/", "capabilities", "bounding", list(default_caps, COUNT(default_caps)),
	    "effective", list(default_caps, COUNT(default_caps)), "permitted",
	    list(default_caps, COUNT(default_caps)), "ambient",
	    list(default_caps, COUNT(default_caps)), "rlimits", "type", "RLIMIT_NOFILE", "hard",
	    1024, "soft", 1024, "noNewPrivileges", 1);
}

static json_t *mount(const char *destination, const char *type, const char *source, json_t *options)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "destination", destination, "type", type, "source",
			      source);
	if (m && options && json_object_set_new(m, "options", options) < 0) {
		json_decref(m);
		return NULL;
	}
	return m;
}

static json_t *default_mounts(bool rootless)
{
	json_t *sys =
	    rootless
		? mount("/sys", "none", "/sys",
			json_pack("[s, s, s, s, s]", "rbind", "nosuid", "noexec", "nodev", "ro"))
		: mount("/sys", "sysfs", "sysfs",
			json_pack("[s, s, s, s]", "nosuid", "noexec", "nodev", "ro"));
	/* In a user namespace devpts cannot be given the host's tty group. */
	json_t *devpts_opts = rootless
				  ? json_pack("[s, s, s, s, s]", "nosuid", "noexec", "newinstance",
					      "ptmxmode=0666", "mode=0620")
				  : json_pack("[s, s, s, s, s, s]", "nosuid", "noexec",
					      "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
	json_t *mounts = json_pack(
	    "[o, o, o, o, o, o]", mount("/proc", "proc", "proc", NULL),
	    mount("/dev", "tmpfs", "tmpfs",
		  json_pack("[s, s, s, s]", "nosuid", "strictatime", "mode=755", "size=65536k")),
	    mount("/dev/pts", "devpts", "devpts", devpts_opts),
	    mount("/dev/shm", "tmpfs", "shm",
		  json_pack("[s, s, s, s, s]", "nosuid", "noexec", "nodev", "mode=1777",
			    "size=65536k")),
	    mount("/dev/mqueue", "mqueue", "mqueue",
		  json_pack("[s, s, s]", "nosuid", "noexec", "nodev")),
	    sys);
	/* A rootless container cannot mount a cgroup hierarchy it does not own. */
	if (mounts && !rootless &&
	    json_array_append_new(mounts, mount("/sys/fs/cgroup", "cgroup", "cgroup",
						json_pack("[s, s, s, s, s]", "nosuid", "noexec",
							  "nodev", "relatime", "ro"))) < 0) {
		json_decref(mounts);
		return NULL;
	}
	return mounts;
}

static json_t *namespaces(bool rootless)
{
	/* Without privileges there is no one to set up a network namespace's
	 * interfaces, so rootless shares the host's (as runc does). */
	if (rootless)
		return json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid",
				 "type", "ipc", "type", "uts", "type", "mount", "type", "cgroup",
				 "type", "user");
	return json_pack("[{s:s}, {s:s}, {s:s}, {s:s}, {s:s}, {s:s}]", "type", "pid", "type",
			 "network", "type", "ipc", "type", "uts", "type", "mount", "type",
			 "cgroup");
}

static json_t *id_mapping(json_int_t host_id)
{
	return json_pack("[{s:i, s:I, s:i}]", "containerID", 0, "hostID", host_id, "size", 1);
}

/* Keys in runc's order, so that diffs against runc's spec stay small. */
static json_t *default_linux(bool rootless, uid_t uid, gid_t gid)
{
	json_t *l = json_object();
	bool ok = l != NULL;
	if (ok && rootless)
		ok = out_take(l, "uidMappings", id_mapping(uid)) == 0 &&
		     out_take(l, "gidMappings", id_mapping(gid)) == 0;
	else if (ok)
		ok = out_take(l, "resources",
			      json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access",
					"rwm")) == 0;
	ok = ok && out_take(l, "namespaces", namespaces(rootless)) == 0 &&
	     out_take(l, "maskedPaths", list(masked_paths, COUNT(masked_paths))) == 0 &&
	     out_take(l, "readonlyPaths", list(readonly_paths, COUNT(readonly_paths))) == 0;
	if (!ok) {
		json_decref(l);
		return NULL;
	}
	return l;
}

char *oci_spec_default_json(bool rootless, uid_t uid, gid_t gid)
{
	json_t *doc = json_pack(
	    "{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion", OCI_VERSION, "process",
	    default_process(), "root", "path", "rootfs", "readonly", 1, "hostname", "keel",
	    "mounts", default_mounts(rootless), "linux", default_linux(rootless, uid, gid));
	char *text = doc ? out_dump(doc, 1, true) : NULL;
	json_decref(doc);
	return text;
}
