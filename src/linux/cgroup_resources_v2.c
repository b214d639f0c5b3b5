/* linux.resources on the cgroup v2 hierarchy, with runc's conversions
 * from the v1-shaped runtime-spec values. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroup_write.h"
#include "linux/fileio.h"

uint64_t linux_cpu_shares_to_weight(uint64_t shares)
{
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	/* maps [2, 262144] linearly onto [1, 10000] */
	return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t linux_blkio_weight_to_io_weight(uint64_t weight)
{
	if (weight == 0)
		return 0;
	/* maps [10, 1000] linearly onto [1, 10000] */
	return 1 + ((weight - 10) * 9999) / 990;
}

int linux_memory_swap_v2(int64_t swap, int64_t limit, bool has_limit, int64_t *out,
			 struct keel_error *err)
{
	const char *f = "linux.resources.memory.swap";
	if (!has_limit)
		limit = 0;
	/* an unlimited memory with swap unset is "both unlimited", as on v1 */
	if (limit == -1 && swap == 0) {
		*out = -1;
		return 0;
	}
	if (swap == -1) {
		*out = -1;
		return 0;
	}
	if (swap == 0) {
		*out = -2;
		return 0;
	}
	if (limit == 0 || limit == -1)
		return keel_error_set(err, 0, "%s: a swap limit needs a memory limit", f);
	if (swap < limit)
		return keel_error_set(err, 0,
				      "%s: %" PRId64 " is below memory.limit %" PRId64
				      " (swap is memory+swap)",
				      f, swap, limit);
	*out = swap - limit;
	return 0;
}

static int write_max(const char *dir, const char *file, int64_t v, const char *field,
		     struct keel_error *err)
{
	return v < 0 ? cg_write(dir, file, "max", field, err)
		     : cg_write_i64(dir, file, v, field, err);
}

/* v1 refuses a limit below the usage (EBUSY); v2 takes it and OOM-kills
 * the container. Refused here as on v1, so that an update cannot kill. */
static int check_above_usage(const char *dir, int64_t limit, struct keel_error *err)
{
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/memory.current", dir);
	cleanup_free char *text = NULL;
	struct keel_error ignored;
	if (limit < 0 || linux_read_file(path, 64, &text, &ignored) < 0)
		return 0;
	int64_t usage = strtoll(text, NULL, 10);
	if (limit >= usage)
		return 0;
	return keel_error_set(err, EBUSY,
			      "linux.resources.memory.limit: write %s/memory.max: %" PRId64
			      " is below the current usage %" PRId64 " (memory.current)",
			      dir, limit, usage);
}

int cg_v2_memory(const char *dir, const struct oci_memory *m, struct keel_error *err)
{
	if (m->has_limit && check_above_usage(dir, m->limit, err) < 0)
		return -1;
	int64_t swap_max = -2;
	if (m->has_swap &&
	    linux_memory_swap_v2(m->swap, m->limit, m->has_limit, &swap_max, err) < 0)
		return -1;
	/* swap first: lowering memory.max never depends on it, and a swap
	 * error leaves memory.max as it was */
	if (swap_max != -2 &&
	    write_max(dir, "memory.swap.max", swap_max, "linux.resources.memory.swap", err) < 0)
		return -1;
	if (m->has_limit &&
	    write_max(dir, "memory.max", m->limit, "linux.resources.memory.limit", err) < 0)
		return -1;
	if (m->has_reservation && write_max(dir, "memory.low", m->reservation,
					    "linux.resources.memory.reservation", err) < 0)
		return -1;
	if (m->has_swappiness && m->swappiness <= 100)
		return keel_error_set(err, 0,
				      "linux.resources.memory.swappiness: cgroup v2 has no "
				      "per-cgroup swappiness");
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		log_warn("linux.resources.memory.disableOOMKiller: not available on cgroup v2, "
			 "ignored");
	if (m->has_kernel || m->has_kernel_tcp)
		log_warn("linux.resources.memory.kernel and kernelTCP are deprecated and ignored");
	return 0;
}

void linux_cpu_max_text(bool has_quota, int64_t quota, uint64_t period, char *out, size_t size)
{
	if (!period)
		period = 100000;
	if (!has_quota || quota <= 0)
		snprintf(out, size, "max %" PRIu64, period);
	else
		snprintf(out, size, "%" PRId64 " %" PRIu64, quota, period);
}

/* Only the period given: keep the quota cpu.max has. */
static bool current_quota(const char *dir, int64_t *quota)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/cpu.max", dir);
	cleanup_free char *text = NULL;
	struct keel_error ignored;
	if (linux_read_file(path, 256, &text, &ignored) < 0)
		return false;
	if (strncmp(text, "max", 3) == 0)
		return false;
	*quota = strtoll(text, NULL, 10);
	return true;
}

int cg_v2_cpu(const char *dir, const struct oci_cpu *c, struct keel_error *err)
{
	if (c->has_shares && c->shares &&
	    cg_write_u64(dir, "cpu.weight", linux_cpu_shares_to_weight(c->shares),
			 "linux.resources.cpu.shares", err) < 0)
		return -1;
	if ((c->has_quota && c->quota) || (c->has_period && c->period)) {
		char text[64];
		int64_t quota = c->quota;
		bool has_quota = c->has_quota && c->quota;
		if (!has_quota)
			has_quota = current_quota(dir, &quota);
		linux_cpu_max_text(has_quota, quota, c->has_period ? c->period : 0, text,
				   sizeof text);
		if (cg_write(dir, "cpu.max", text, "linux.resources.cpu.quota", err) < 0)
			return -1;
	}
	if (c->has_burst &&
	    cg_write_u64(dir, "cpu.max.burst", c->burst, "linux.resources.cpu.burst", err) < 0)
		return -1;
	if ((c->has_realtime_runtime && c->realtime_runtime) ||
	    (c->has_realtime_period && c->realtime_period))
		return keel_error_set(err, 0,
				      "linux.resources.cpu.realtimeRuntime: cgroup v2 has no "
				      "realtime cpu controller");
	if (c->has_idle &&
	    cg_write_i64(dir, "cpu.idle", c->idle, "linux.resources.cpu.idle", err) < 0)
		return -1;
	return 0;
}

static int v2_throttle(const char *dir, const char *key, const struct oci_throttle_list *l,
		       const char *field, struct keel_error *err)
{
	for (size_t i = 0; i < l->len; i++) {
		char text[128], f[96];
		snprintf(text, sizeof text, "%" PRId64 ":%" PRId64 " %s=%" PRIu64,
			 l->items[i].major, l->items[i].minor, key, l->items[i].rate);
		snprintf(f, sizeof f, "linux.resources.blockIO.%s[%zu]", field, i);
		if (cg_write(dir, "io.max", text, f, err) < 0)
			return -1;
	}
	return 0;
}

/* BFQ takes the v1 range as is; io.weight wants the converted one */
static int v2_weight(const char *dir, const char *dev, uint16_t weight, const char *field,
		     struct keel_error *err)
{
	char text[96];
	if (cg_file_exists(dir, "io.bfq.weight")) {
		snprintf(text, sizeof text, "%s%s%u", dev ? dev : "", dev ? " " : "", weight);
		return cg_write(dir, "io.bfq.weight", text, field, err);
	}
	snprintf(text, sizeof text, "%s %" PRIu64, dev ? dev : "default",
		 linux_blkio_weight_to_io_weight(weight));
	return cg_write(dir, "io.weight", text, field, err);
}

int cg_v2_io(const char *dir, const struct oci_block_io *b, struct keel_error *err)
{
	if (b->has_weight && b->weight &&
	    v2_weight(dir, NULL, b->weight, "linux.resources.blockIO.weight", err) < 0)
		return -1;
	if (b->has_leaf_weight && b->leaf_weight)
		return keel_error_set(err, 0,
				      "linux.resources.blockIO.leafWeight: not available on "
				      "cgroup v2");
	for (size_t i = 0; i < b->weight_device_len; i++) {
		const struct oci_weight_device *d = &b->weight_device[i];
		char dev[64], f[96];
		snprintf(dev, sizeof dev, "%" PRId64 ":%" PRId64, d->major, d->minor);
		snprintf(f, sizeof f, "linux.resources.blockIO.weightDevice[%zu]", i);
		if (d->has_weight && v2_weight(dir, dev, d->weight, f, err) < 0)
			return -1;
	}
	if (v2_throttle(dir, "rbps", &b->throttle_read_bps, "throttleReadBpsDevice", err) < 0 ||
	    v2_throttle(dir, "wbps", &b->throttle_write_bps, "throttleWriteBpsDevice", err) < 0 ||
	    v2_throttle(dir, "riops", &b->throttle_read_iops, "throttleReadIOPSDevice", err) < 0 ||
	    v2_throttle(dir, "wiops", &b->throttle_write_iops, "throttleWriteIOPSDevice", err) < 0)
		return -1;
	return 0;
}

int cg_v2_unified(const char *dir, const struct oci_map *unified, struct keel_error *err)
{
	for (size_t i = 0; i < unified->len; i++) {
		const char *key = unified->keys[i];
		char f[256];
		snprintf(f, sizeof f, "linux.resources.unified[\"%.200s\"]", key);
		/* a file of this directory, nothing else */
		if (!*key || strchr(key, '/') || strcmp(key, ".") == 0 || strcmp(key, "..") == 0)
			return keel_error_set(err, 0, "%s: not a cgroup file name", f);
		if (strncmp(key, "cgroup.", 7) == 0 && strcmp(key, "cgroup.freeze") != 0 &&
		    strcmp(key, "cgroup.max.depth") != 0 &&
		    strcmp(key, "cgroup.max.descendants") != 0)
			return keel_error_set(err, 0, "%s: keel manages this file itself", f);
		if (cg_write(dir, key, unified->values[i], f, err) < 0)
			return -1;
	}
	return 0;
}
