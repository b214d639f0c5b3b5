/* Name tables of the runtime spec: namespace types, capabilities, rlimits,
 * seccomp actions and operators. */
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>

#include "oci/config.h"
#include "oci/parse.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const namespace_names[OCI_NS_COUNT] = {
    [OCI_NS_PID] = "pid",	[OCI_NS_NETWORK] = "network", [OCI_NS_MOUNT] = "mount",
    [OCI_NS_IPC] = "ipc",	[OCI_NS_UTS] = "uts",	      [OCI_NS_USER] = "user",
    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
};

static const int namespace_flags[OCI_NS_COUNT] = {
    [OCI_NS_PID] = CLONE_NEWPID,       [OCI_NS_NETWORK] = CLONE_NEWNET,
    [OCI_NS_MOUNT] = CLONE_NEWNS,      [OCI_NS_IPC] = CLONE_NEWIPC,
    [OCI_NS_UTS] = CLONE_NEWUTS,       [OCI_NS_USER] = CLONE_NEWUSER,
    [OCI_NS_CGROUP] = CLONE_NEWCGROUP, [OCI_NS_TIME] = CLONE_NEWTIME,
};

const char *oci_namespace_type_name(enum oci_namespace_type type)
{
	return (unsigned)type < OCI_NS_COUNT ? namespace_names[type] : NULL;
}

int oci_namespace_type_parse(const char *name)
{
	for (int i = 0; i < OCI_NS_COUNT; i++)
		if (strcmp(name, namespace_names[i]) == 0)
			return i;
	return -1;
}

int oci_namespace_clone_flag(enum oci_namespace_type type)
{
	return (unsigned)type < OCI_NS_COUNT ? namespace_flags[type] : 0;
}

/* The kernel's list, CAP_CHOWN (0) .. CAP_CHECKPOINT_RESTORE (40). */
static const char *const cap_names[OCI_CAP_LAST + 1] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

const char *oci_cap_name(int cap)
{
	return cap >= 0 && cap <= OCI_CAP_LAST ? cap_names[cap] : NULL;
}

/* Case-insensitive, as runc upper-cases names before looking them up. */
int oci_cap_parse(const char *name)
{
	for (int i = 0; i <= OCI_CAP_LAST; i++)
		if (strcasecmp(name, cap_names[i]) == 0)
			return i;
	return -1;
}

static const struct {
	const char *name;
	int resource;
} rlimits[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},		  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},	  {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},	  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

int oci_rlimit_parse(const char *name)
{
	for (size_t i = 0; i < COUNT(rlimits); i++)
		if (strcmp(name, rlimits[i].name) == 0)
			return rlimits[i].resource;
	return -1;
}

const char *oci_rlimit_name(int resource)
{
	for (size_t i = 0; i < COUNT(rlimits); i++)
		if (rlimits[i].resource == resource)
			return rlimits[i].name;
	return NULL;
}

static const char *const action_names[] = {
    [OCI_SECCOMP_KILL] = "SCMP_ACT_KILL",
    [OCI_SECCOMP_KILL_PROCESS] = "SCMP_ACT_KILL_PROCESS",
    [OCI_SECCOMP_KILL_THREAD] = "SCMP_ACT_KILL_THREAD",
    [OCI_SECCOMP_TRAP] = "SCMP_ACT_TRAP",
    [OCI_SECCOMP_ERRNO] = "SCMP_ACT_ERRNO",
    [OCI_SECCOMP_TRACE] = "SCMP_ACT_TRACE",
    [OCI_SECCOMP_ALLOW] = "SCMP_ACT_ALLOW",
    [OCI_SECCOMP_LOG] = "SCMP_ACT_LOG",
    [OCI_SECCOMP_NOTIFY] = "SCMP_ACT_NOTIFY",
};

const char *oci_seccomp_action_name(enum oci_seccomp_action action)
{
	return (unsigned)action < COUNT(action_names) ? action_names[action] : NULL;
}

int oci_seccomp_action_parse(const char *name)
{
	for (size_t i = 0; i < COUNT(action_names); i++)
		if (strcmp(name, action_names[i]) == 0)
			return (int)i;
	return -1;
}

static const char *const op_names[] = {
    [OCI_SECCOMP_OP_NE] = "SCMP_CMP_NE",
    [OCI_SECCOMP_OP_LT] = "SCMP_CMP_LT",
    [OCI_SECCOMP_OP_LE] = "SCMP_CMP_LE",
    [OCI_SECCOMP_OP_EQ] = "SCMP_CMP_EQ",
    [OCI_SECCOMP_OP_GE] = "SCMP_CMP_GE",
    [OCI_SECCOMP_OP_GT] = "SCMP_CMP_GT",
    [OCI_SECCOMP_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

const char *oci_seccomp_op_name(enum oci_seccomp_op op)
{
	return (unsigned)op < COUNT(op_names) ? op_names[op] : NULL;
}

int oci_seccomp_op_parse(const char *name)
{
	for (size_t i = 0; i < COUNT(op_names); i++)
		if (strcmp(name, op_names[i]) == 0)
			return (int)i;
	return -1;
}
