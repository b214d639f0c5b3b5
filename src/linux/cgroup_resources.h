/* linux.resources written to a container's cgroups, on every host layout:
 * legacy (v1 hierarchies), unified (cgroup v2) and hybrid (v1 controllers
 * plus a cgroup2 mount holding whatever v1 does not, e.g. hugetlb).
 *
 * Each controller is looked up where the host has it: a v1 hierarchy that
 * lists it, else the unified hierarchy when its cgroup.controllers offers
 * it. A setting whose controller or file the host lacks is an error naming
 * the field ("linux.resources.pids.limit: no pids cgroup controller on this
 * host"), never a silent no-op. Documented exceptions, logged as warnings
 * as runc does: memory.kernel and memory.kernelTCP (deprecated in the
 * runtime-spec, refused by current kernels), memory.useHierarchy (always
 * on) and, on cgroup v2, memory.disableOOMKiller (v2 has no such switch).
 * memory.checkBeforeUpdate is what v2 always does here: a limit below
 * memory.current is refused, as v1's kernel refuses it.
 *
 * Errors name the field and the file written:
 *   linux.resources.memory.limit: write /sys/fs/cgroup/memory/x/memory.limit_in_bytes: Device or
 * resource busy */
#ifndef KEEL_LINUX_CGROUP_RESOURCES_H
#define KEEL_LINUX_CGROUP_RESOURCES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "linux/cgroups.h"
#include "oci/config.h"

/* ---- where a controller lives ------------------------------------ */

/* The container's directory that holds controller's files ("memory",
 * "cpu", "cpuset", "pids", "blkio"/"io", "hugetlb", "freezer", "devices",
 * "net_cls", "net_prio"); NULL when the host has no such controller.
 * *v2 tells whether it is a cgroup2 directory. */
const char *linux_cgroup_controller_dir(const struct linux_cgroups *cg, const char *controller,
					bool *v2);

/* Rebuilds the hierarchy list of a live container from its recorded
 * (controller, path) pairs; controller "" is the unified hierarchy. */
void linux_cgroups_from_paths(struct linux_cgroups *cg, const char *const *controllers,
			      const char *const *paths, size_t n);

/* cgroup v2: enables every controller the parent offers in the
 * cgroup.subtree_control of each level above the container's directory
 * (a controller's files appear only when the parent delegates it). Levels
 * that hold processes cannot delegate (no internal processes): skipped. */
void linux_cgroup_v2_enable_controllers(const struct linux_cgroups *cg);

/* ---- writing resources ------------------------------------------- */

enum linux_resources_mode {
	LINUX_RESOURCES_CREATE, /* everything, devices included */
	LINUX_RESOURCES_UPDATE, /* a live container: devices untouched */
};

int linux_cgroup_resources_apply(const struct linux_cgroups *cg, const struct oci_resources *r,
				 const struct oci_linux *lin, enum linux_resources_mode mode,
				 struct keel_error *err);

/* What create does once the directories exist and before any process is in
 * them: v2 delegation, then linux.resources (devices included). */
int linux_cgroups_configure(const struct linux_cgroups *cg, const struct oci_linux *lin,
			    struct keel_error *err);

/* ---- conversions (runc's, so that a client gets the same numbers) - */

/* cpu.shares (2..262144) to cpu.weight (1..10000); 0 stays 0 (unset). */
uint64_t linux_cpu_shares_to_weight(uint64_t shares);
/* blkio.weight (10..1000) to io.weight (1..10000); 0 stays 0. */
uint64_t linux_blkio_weight_to_io_weight(uint64_t weight);
/* memory.swap.max from the OCI swap (memory+swap) and limit: -1 for
 * "max", -2 when not to be written. Returns -1 with err set when the pair
 * makes no sense (swap without a limit, swap below the limit). */
int linux_memory_swap_v2(int64_t swap, int64_t limit, bool has_limit, int64_t *out,
			 struct keel_error *err);
/* cpu.max text ("max 100000", "20000 100000") into out. */
void linux_cpu_max_text(bool has_quota, int64_t quota, uint64_t period, char *out, size_t size);

/* ---- devices ----------------------------------------------------- */

/* The rules a container gets: linux.resources.devices, then runc's default
 * allow list (null, zero, full, random, urandom, tty, ptmx, pts, and mknod
 * of any device), then linux.devices. Returns a malloc'd array. */
struct oci_device_rule *linux_device_rules_effective(const struct oci_resources *r,
						     const struct oci_linux *lin, size_t *n);

/* v1: "a" denied, then each rule to devices.allow / devices.deny. */
int linux_devices_v1_apply(const char *dir, const struct oci_device_rule *rules, size_t n,
			   struct keel_error *err);

/* v2: a BPF_PROG_TYPE_CGROUP_DEVICE program that decides as the rules do
 * (the last matching rule wins), attached to dir. */
int linux_devices_bpf_apply(const char *dir, const struct oci_device_rule *rules, size_t n,
			    struct keel_error *err);

/* The program itself (exposed for the unit tests): instructions into out
 * (struct bpf_insn, capacity cap). Returns the count or -1 when too big. */
int linux_devices_bpf_build(const struct oci_device_rule *rules, size_t n, void *out, size_t cap);

/* ---- freezer ----------------------------------------------------- */

/* Freezes or thaws every process of the container and waits until the
 * kernel reports the new state (v1 freezer.state, v2 cgroup.events). */
int linux_cgroup_freeze(const struct linux_cgroups *cg, bool frozen, struct keel_error *err);
/* True when the container's cgroup is frozen. */
bool linux_cgroup_is_frozen(const struct linux_cgroups *cg);

/* Kills every process of the container: cgroup.kill where the kernel has
 * it, else freeze, SIGKILL each task, thaw (no task can fork meanwhile). */
int linux_cgroup_kill_all(const struct linux_cgroups *cg, struct keel_error *err);

/* ---- what `ps` and `events` read --------------------------------- */

/* The PIDs in the container's cgroup (malloc'd array). */
int linux_cgroup_pids(const struct linux_cgroups *cg, pid_t **pids, size_t *n,
		      struct keel_error *err);

#endif
