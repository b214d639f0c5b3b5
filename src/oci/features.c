/* The runtime-spec features document of `keel features`: what this build of
 * keel understands in a config.json. */
#include <jansson.h>

#include "oci/config.h"
#include "oci/json_out.h"
#include "oci/spec.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#ifndef KEEL_VERSION
#define KEEL_VERSION "unknown"
#endif

static const char *const hooks[] = {"prestart",	      "createRuntime", "createContainer",
				    "startContainer", "poststart",     "poststop"};

/* Recognised mount(8) options, including the recursive (r*) variants. */
static const char *const mount_options[] = {
    "async",	 "atime",      "bind",		"defaults",    "dev",	      "diratime",
    "dirsync",	 "exec",       "iversion",	"lazytime",    "loud",	      "mand",
    "noatime",	 "nodev",      "nodiratime",	"noexec",      "noiversion",  "nolazytime",
    "nomand",	 "norelatime", "nostrictatime", "nosuid",      "nosymfollow", "private",
    "rbind",	 "relatime",   "remount",	"ro",	       "rprivate",    "rro",
    "rrw",	 "rshared",    "rslave",	"runbindable", "rw",	      "shared",
    "silent",	 "slave",      "strictatime",	"suid",	       "symfollow",   "sync",
    "tmpcopyup", "unbindable",
};

static const char *const seccomp_archs[] = {
    "SCMP_ARCH_AARCH64",   "SCMP_ARCH_ARM",    "SCMP_ARCH_MIPS",     "SCMP_ARCH_MIPS64",
    "SCMP_ARCH_MIPS64N32", "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32",
    "SCMP_ARCH_PPC",	   "SCMP_ARCH_PPC64",  "SCMP_ARCH_PPC64LE",  "SCMP_ARCH_RISCV64",
    "SCMP_ARCH_S390",	   "SCMP_ARCH_S390X",  "SCMP_ARCH_X32",	     "SCMP_ARCH_X86",
    "SCMP_ARCH_X86_64",
};

static const char *const seccomp_known_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

/* All of them: libseccomp 2.5 (Debian 12) has no attribute for
 * WAIT_KILLABLE_RECV, so linux/seccomp.c passes it to the kernel itself at
 * load (with a NOTIFY rule; a kernel older than 6.0 refuses it at create). */
static const char *const seccomp_supported_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

static json_t *name_list(const char *(*name)(int), int first, int last)
{
	json_t *arr = json_array();
	for (int i = first; arr && i <= last; i++)
		if (json_array_append_new(arr, json_string(name(i))) < 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static const char *namespace_name(int i)
{
	return oci_namespace_type_name((enum oci_namespace_type)i);
}

static const char *action_name(int i)
{
	return oci_seccomp_action_name((enum oci_seccomp_action)i);
}

static const char *op_name(int i)
{
	return oci_seccomp_op_name((enum oci_seccomp_op)i);
}

static json_t *seccomp_features(void)
{
	return json_pack("{s:b, s:o, s:o, s:o, s:o, s:o}", "enabled", 1, "actions",
			 name_list(action_name, OCI_SECCOMP_KILL, OCI_SECCOMP_NOTIFY), "operators",
			 name_list(op_name, OCI_SECCOMP_OP_NE, OCI_SECCOMP_OP_MASKED_EQ), "archs",
			 out_string_list(seccomp_archs, COUNT(seccomp_archs)), "knownFlags",
			 out_string_list(seccomp_known_flags, COUNT(seccomp_known_flags)),
			 "supportedFlags",
			 out_string_list(seccomp_supported_flags, COUNT(seccomp_supported_flags)));
}

static json_t *linux_features(void)
{
	return json_pack("{s:o, s:o, s:{s:b, s:b, s:b, s:b}, s:o, s:{s:b}, s:{s:b}, s:{s:b}, "
			 "s:{s:{s:b}}}",
			 "namespaces", name_list(namespace_name, 0, OCI_NS_COUNT - 1),
			 "capabilities", name_list(oci_cap_name, 0, OCI_CAP_LAST), "cgroup", "v1",
			 1, "v2", 1, "systemd", 0, "systemdUser", 0, "seccomp", seccomp_features(),
			 "apparmor", "enabled", 1, "selinux", "enabled", 1, "intelRdt", "enabled",
			 0, "mountExtensions", "idmap", "enabled", 0);
}

char *oci_features_json(void)
{
	json_t *doc =
	    json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s}}", "ociVersionMin", "1.0.0",
		      "ociVersionMax", OCI_VERSION, "hooks", out_string_list(hooks, COUNT(hooks)),
		      "mountOptions", out_string_list(mount_options, COUNT(mount_options)), "linux",
		      linux_features(), "annotations", "org.keel.version", KEEL_VERSION);
	char *text = doc ? out_dump(doc, 4, false) : NULL;
	json_decref(doc);
	return text;
}
