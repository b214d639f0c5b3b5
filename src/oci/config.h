/* The OCI runtime-spec (v1.1.0) model of config.json.
 *
 * oci_config_load() reads a bundle's config.json into struct oci_config.
 * Everything the spec defines for Linux is modelled; unknown keys are
 * ignored (as runc does). Conventions of the model:
 *
 *  - Strings are malloc'd, NULL when the key is absent.
 *  - String lists are struct oci_strings: items is NULL-terminated (ready
 *    for execve), len counts the entries; both zero/NULL when absent.
 *  - Optional numbers and booleans carry a has_<field> flag, so "absent" and
 *    "0" differ (memory limit absent vs 0). Required numbers have no flag.
 *  - Maps (annotations, sysctl, unified) are struct oci_map: parallel arrays
 *    of keys and values in document order.
 *  - Names the kernel knows by number are translated while parsing and
 *    validated: namespace types (enum), capability sets (bit masks over
 *    CAP_* numbers), rlimit types (RLIMIT_* numbers), seccomp actions and
 *    operators (enums). Mount options stay strings (src/linux parses them).
 *
 * Errors name the file, the JSON path and the position:
 *   config.json: linux.resources.memory.limit: expected integer (line 40, column 22)
 */
#ifndef KEEL_OCI_CONFIG_H
#define KEEL_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define OCI_VERSION "1.1.0"

/* ------------------------------------------------------------------ */
/* Building blocks                                                     */

struct oci_strings {
	char **items; /* NULL-terminated; NULL when absent */
	size_t len;
};

struct oci_map {
	char **keys;
	char **values;
	size_t len;
};

/* A uid or gid range: container IDs [container_id, container_id + size)
 * map to host IDs starting at host_id. */
struct oci_id_mapping {
	uint32_t container_id;
	uint32_t host_id;
	uint32_t size;
};

struct oci_id_mappings {
	struct oci_id_mapping *items;
	size_t len;
};

/* ------------------------------------------------------------------ */
/* root, mounts                                                        */

struct oci_root {
	char *path; /* absolute: a relative path is resolved against the bundle */
	bool readonly;
};

struct oci_mount {
	char *destination; /* required, absolute */
	char *type;
	char *source;
	struct oci_strings options;
	struct oci_id_mappings uid_mappings;
	struct oci_id_mappings gid_mappings;
};

/* ------------------------------------------------------------------ */
/* process                                                             */

#define OCI_CAP_LAST 40 /* CAP_CHECKPOINT_RESTORE */

/* Bit i set = capability number i (CAP_CHOWN is 0). */
typedef uint64_t oci_cap_mask;

struct oci_capabilities {
	oci_cap_mask bounding;
	oci_cap_mask effective;
	oci_cap_mask inheritable;
	oci_cap_mask permitted;
	oci_cap_mask ambient;
};

struct oci_rlimit {
	int resource; /* RLIMIT_* number */
	char *type;   /* as written: "RLIMIT_NOFILE" */
	uint64_t hard;
	uint64_t soft;
};

struct oci_user {
	uint32_t uid;
	uint32_t gid;
	bool has_umask;
	uint32_t umask;
	uint32_t *additional_gids;
	size_t additional_gids_len;
	char *username; /* Windows only; kept for completeness */
};

enum oci_sched_policy {
	OCI_SCHED_OTHER,
	OCI_SCHED_FIFO,
	OCI_SCHED_RR,
	OCI_SCHED_BATCH,
	OCI_SCHED_ISO,
	OCI_SCHED_IDLE,
	OCI_SCHED_DEADLINE,
};

struct oci_scheduler {
	enum oci_sched_policy policy; /* required when scheduler is given */
	int32_t nice;
	int32_t priority;
	struct oci_strings flags; /* SCHED_FLAG_* names, validated */
	uint64_t runtime;
	uint64_t deadline;
	uint64_t period;
};

enum oci_ioprio_class {
	OCI_IOPRIO_CLASS_RT = 1,
	OCI_IOPRIO_CLASS_BE = 2,
	OCI_IOPRIO_CLASS_IDLE = 3,
};

struct oci_io_priority {
	enum oci_ioprio_class class;
	int32_t priority;
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	uint32_t console_height;
	uint32_t console_width;
	struct oci_user user;
	struct oci_strings args; /* non-empty (checked) */
	char *command_line;	 /* Windows only */
	struct oci_strings env;
	char *cwd; /* required, absolute */
	bool has_capabilities;
	struct oci_capabilities capabilities;
	struct oci_rlimit *rlimits;
	size_t rlimits_len;
	bool no_new_privileges;
	char *apparmor_profile;
	bool has_oom_score_adj;
	int32_t oom_score_adj;
	bool has_scheduler;
	struct oci_scheduler scheduler;
	char *selinux_label;
	bool has_io_priority;
	struct oci_io_priority io_priority;
	char *exec_cpu_affinity_initial; /* execCPUAffinity.initial, e.g. "0-3,7" */
	char *exec_cpu_affinity_final;
};

/* ------------------------------------------------------------------ */
/* hooks                                                               */

/* Seconds a hook may be given: its runner waits in milliseconds, an int. */
#define OCI_HOOK_TIMEOUT_MAX (INT32_MAX / 1000)

struct oci_hook {
	char *path; /* required, absolute */
	struct oci_strings args;
	struct oci_strings env;
	bool has_timeout;
	int32_t timeout; /* seconds, > 0 */
};

struct oci_hook_list {
	struct oci_hook *items;
	size_t len;
};

struct oci_hooks {
	struct oci_hook_list prestart; /* deprecated, still run by runc */
	struct oci_hook_list create_runtime;
	struct oci_hook_list create_container;
	struct oci_hook_list start_container;
	struct oci_hook_list poststart;
	struct oci_hook_list poststop;
};

/* ------------------------------------------------------------------ */
/* linux                                                               */

enum oci_namespace_type {
	OCI_NS_PID,
	OCI_NS_NETWORK,
	OCI_NS_MOUNT,
	OCI_NS_IPC,
	OCI_NS_UTS,
	OCI_NS_USER,
	OCI_NS_CGROUP,
	OCI_NS_TIME,
	OCI_NS_COUNT
};

struct oci_namespace {
	enum oci_namespace_type type;
	char *path; /* join this namespace; NULL: create a new one */
};

struct oci_time_offset {
	bool has_secs;
	int64_t secs;
	bool has_nanosecs;
	uint32_t nanosecs;
};

struct oci_device {
	char type;  /* 'c', 'b', 'u' or 'p' */
	char *path; /* required, absolute */
	int64_t major;
	int64_t minor;
	bool has_file_mode;
	uint32_t file_mode;
	bool has_uid;
	uint32_t uid;
	bool has_gid;
	uint32_t gid;
};

/* linux.resources.devices[]: a device cgroup rule. */
struct oci_device_rule {
	bool allow; /* required */
	char type;  /* 'a' (all, also when absent), 'c' or 'b' */
	bool has_major;
	int64_t major; /* absent: all (-1 in cgroup terms) */
	bool has_minor;
	int64_t minor;
	char *access; /* subset of "rwm"; NULL: all */
};

struct oci_memory {
	bool has_limit;
	int64_t limit; /* -1: unlimited */
	bool has_reservation;
	int64_t reservation;
	bool has_swap;
	int64_t swap;
	bool has_kernel;
	int64_t kernel;
	bool has_kernel_tcp;
	int64_t kernel_tcp;
	bool has_swappiness;
	uint64_t swappiness;
	bool has_disable_oom_killer;
	bool disable_oom_killer;
	bool has_use_hierarchy;
	bool use_hierarchy;
	bool has_check_before_update;
	bool check_before_update;
};

struct oci_cpu {
	bool has_shares;
	uint64_t shares;
	bool has_quota;
	int64_t quota;
	bool has_burst;
	uint64_t burst;
	bool has_period;
	uint64_t period;
	bool has_realtime_runtime;
	int64_t realtime_runtime;
	bool has_realtime_period;
	uint64_t realtime_period;
	char *cpus;
	char *mems;
	bool has_idle;
	int64_t idle;
};

struct oci_pids {
	bool has_limit; /* pids object given */
	int64_t limit;	/* required in the object; <= 0: unlimited */
};

struct oci_weight_device {
	int64_t major;
	int64_t minor;
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
};

struct oci_throttle_device {
	int64_t major;
	int64_t minor;
	uint64_t rate;
};

struct oci_throttle_list {
	struct oci_throttle_device *items;
	size_t len;
};

struct oci_block_io {
	bool has_weight;
	uint16_t weight;
	bool has_leaf_weight;
	uint16_t leaf_weight;
	struct oci_weight_device *weight_device;
	size_t weight_device_len;
	struct oci_throttle_list throttle_read_bps;
	struct oci_throttle_list throttle_write_bps;
	struct oci_throttle_list throttle_read_iops;
	struct oci_throttle_list throttle_write_iops;
};

struct oci_hugepage_limit {
	char *page_size; /* "2MB", "1GB" ... */
	uint64_t limit;
};

struct oci_net_priority {
	char *name;
	uint32_t priority;
};

struct oci_network {
	bool has_class_id;
	uint32_t class_id;
	struct oci_net_priority *priorities;
	size_t priorities_len;
};

struct oci_rdma_limit {
	char *device; /* the map key */
	bool has_hca_handles;
	uint32_t hca_handles;
	bool has_hca_objects;
	uint32_t hca_objects;
};

struct oci_resources {
	struct oci_device_rule *devices;
	size_t devices_len;
	bool has_memory;
	struct oci_memory memory;
	bool has_cpu;
	struct oci_cpu cpu;
	struct oci_pids pids;
	bool has_block_io;
	struct oci_block_io block_io;
	struct oci_hugepage_limit *hugepage_limits;
	size_t hugepage_limits_len;
	bool has_network;
	struct oci_network network;
	struct oci_rdma_limit *rdma;
	size_t rdma_len;
	struct oci_map unified; /* cgroup v2 file name -> value */
};

struct oci_intel_rdt {
	char *clos_id;
	char *l3_cache_schema;
	char *mem_bw_schema;
	bool enable_cmt;
	bool enable_mbm;
};

enum oci_seccomp_action {
	OCI_SECCOMP_KILL, /* SCMP_ACT_KILL (= KILL_THREAD) */
	OCI_SECCOMP_KILL_PROCESS,
	OCI_SECCOMP_KILL_THREAD,
	OCI_SECCOMP_TRAP,
	OCI_SECCOMP_ERRNO,
	OCI_SECCOMP_TRACE,
	OCI_SECCOMP_ALLOW,
	OCI_SECCOMP_LOG,
	OCI_SECCOMP_NOTIFY,
};

enum oci_seccomp_op {
	OCI_SECCOMP_OP_NE,
	OCI_SECCOMP_OP_LT,
	OCI_SECCOMP_OP_LE,
	OCI_SECCOMP_OP_EQ,
	OCI_SECCOMP_OP_GE,
	OCI_SECCOMP_OP_GT,
	OCI_SECCOMP_OP_MASKED_EQ,
};

struct oci_seccomp_arg {
	uint32_t index; /* 0..5 */
	uint64_t value;
	bool has_value_two;
	uint64_t value_two;
	enum oci_seccomp_op op;
};

struct oci_seccomp_syscall {
	struct oci_strings names; /* non-empty */
	enum oci_seccomp_action action;
	bool has_errno_ret;
	uint32_t errno_ret;
	struct oci_seccomp_arg *args;
	size_t args_len;
};

struct oci_seccomp {
	enum oci_seccomp_action default_action; /* required */
	bool has_default_errno_ret;
	uint32_t default_errno_ret;
	struct oci_strings architectures; /* "SCMP_ARCH_X86_64" ..., validated */
	struct oci_strings flags;	  /* "SECCOMP_FILTER_FLAG_*", validated */
	char *listener_path;
	char *listener_metadata;
	struct oci_seccomp_syscall *syscalls;
	size_t syscalls_len;
};

struct oci_personality {
	char *domain; /* "LINUX" or "LINUX32" */
	struct oci_strings flags;
};

struct oci_linux {
	struct oci_namespace *namespaces;
	size_t namespaces_len;
	struct oci_id_mappings uid_mappings;
	struct oci_id_mappings gid_mappings;
	bool has_time_offset_boottime;
	struct oci_time_offset time_offset_boottime;
	bool has_time_offset_monotonic;
	struct oci_time_offset time_offset_monotonic;
	struct oci_device *devices;
	size_t devices_len;
	char *cgroups_path;
	bool has_resources;
	struct oci_resources resources;
	bool has_intel_rdt;
	struct oci_intel_rdt intel_rdt;
	struct oci_map sysctl;
	bool has_seccomp;
	struct oci_seccomp seccomp;
	char *rootfs_propagation; /* "private", "shared", "slave", "unbindable", r-forms */
	struct oci_strings masked_paths;
	struct oci_strings readonly_paths;
	char *mount_label;
	bool has_personality;
	struct oci_personality personality;
};

/* ------------------------------------------------------------------ */
/* the whole document                                                  */

struct oci_config {
	char *oci_version; /* required */
	bool has_root;
	struct oci_root root;
	struct oci_mount *mounts;
	size_t mounts_len;
	bool has_process;
	struct oci_process process;
	char *hostname;
	char *domainname;
	bool has_hooks;
	struct oci_hooks hooks;
	struct oci_map annotations;
	bool has_linux;
	struct oci_linux linux_; /* "linux" is a predefined macro in GNU C */
};

/* Reads and validates <bundle_dir>/config.json (bundle_dir NULL: the current
 * directory). On success *out is a new config to release with
 * oci_config_free(). Messages start with "config.json: ". */
int oci_config_load(const char *bundle_dir, struct oci_config **out, struct keel_error *err);

/* Same from a path to any config file; name is the file name used in
 * messages; bundle_dir resolves a relative root.path (NULL: leave it). */
int oci_config_load_file(const char *path, const char *bundle_dir, struct oci_config **out,
			 struct keel_error *err);

/* Same from memory (len bytes, need not be NUL-terminated). name appears at
 * the start of messages ("config.json"). */
int oci_config_parse(const char *name, const char *text, size_t len, const char *bundle_dir,
		     struct oci_config **out, struct keel_error *err);

void oci_config_free(struct oci_config *config);

/* A lone process object, as `keel exec --process process.json` gets it.
 * The result is released with oci_process_free(). */
int oci_process_load_file(const char *path, struct oci_process **out, struct keel_error *err);
int oci_process_parse(const char *name, const char *text, size_t len, struct oci_process **out,
		      struct keel_error *err);
void oci_process_free(struct oci_process *process);

/* Releases what a struct oci_hooks holds (not the struct itself). */
void oci_hooks_clear(struct oci_hooks *hooks);
/* Deep copy; returns -1 with err set on allocation failure. */
int oci_hooks_copy(struct oci_hooks *dst, const struct oci_hooks *src, struct keel_error *err);

/* ------------------------------------------------------------------ */
/* Name tables (shared with spec.c and with src/linux)                 */

/* "pid", "network", ...; NULL for an invalid type. */
const char *oci_namespace_type_name(enum oci_namespace_type type);
/* Returns the type or -1. */
int oci_namespace_type_parse(const char *name);
/* The CLONE_NEW* flag of a namespace type. */
int oci_namespace_clone_flag(enum oci_namespace_type type);
/* "CAP_CHOWN" ... for 0..OCI_CAP_LAST; NULL otherwise. */
const char *oci_cap_name(int cap);
/* Returns the capability number or -1 ("CAP_" prefix required). */
int oci_cap_parse(const char *name);
/* Returns the RLIMIT_* number or -1. */
int oci_rlimit_parse(const char *name);
const char *oci_rlimit_name(int resource);
/* "SCMP_ACT_ERRNO" ...; parse returns the enum or -1. */
const char *oci_seccomp_action_name(enum oci_seccomp_action action);
int oci_seccomp_action_parse(const char *name);
const char *oci_seccomp_op_name(enum oci_seccomp_op op);
int oci_seccomp_op_parse(const char *name);
/* Lookup in a map; NULL when absent. */
const char *oci_map_get(const struct oci_map *map, const char *key);
/* Returns true when the linux section asks for a namespace of this type,
 * and sets *path (may be NULL: new namespace) when path is not NULL. */
bool oci_config_has_namespace(const struct oci_config *config, enum oci_namespace_type type,
			      const char **path);

#endif
