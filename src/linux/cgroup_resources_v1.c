/* linux.resources on cgroup v1 hierarchies. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroup_write.h"

/* memory.limit_in_bytes must stay <= memory.memsw.limit_in_bytes at every
 * step: raising both, memsw goes first; lowering, the limit goes first. */
static int v1_memory_limits(const char *dir, const struct oci_memory *m, struct keel_error *err)
{
	const char *lf = "linux.resources.memory.limit", *sf = "linux.resources.memory.swap";
	if (!m->has_swap)
		return m->has_limit ? cg_write_i64(dir, "memory.limit_in_bytes", m->limit, lf, err)
				    : 0;
	if (!cg_file_exists(dir, "memory.memsw.limit_in_bytes"))
		return keel_error_set(err, 0,
				      "%s: %s/memory.memsw.limit_in_bytes: swap accounting is off "
				      "on this host (swapaccount=1)",
				      sf, dir);
	if (!m->has_limit)
		return cg_write_i64(dir, "memory.memsw.limit_in_bytes", m->swap, sf, err);
	struct keel_error first = {0};
	if (cg_write_i64(dir, "memory.limit_in_bytes", m->limit, lf, &first) == 0)
		return cg_write_i64(dir, "memory.memsw.limit_in_bytes", m->swap, sf, err);
	if (first.errnum != EINVAL) {
		*err = first;
		return -1;
	}
	if (cg_write_i64(dir, "memory.memsw.limit_in_bytes", m->swap, sf, err) < 0)
		return -1;
	return cg_write_i64(dir, "memory.limit_in_bytes", m->limit, lf, err);
}

int cg_v1_memory(const char *dir, const struct oci_memory *m, struct keel_error *err)
{
	if (v1_memory_limits(dir, m, err) < 0)
		return -1;
	if (m->has_reservation && cg_write_i64(dir, "memory.soft_limit_in_bytes", m->reservation,
					       "linux.resources.memory.reservation", err) < 0)
		return -1;
	/* -1 and 0 are both "leave the kernel's default" in runc's reading */
	if (m->has_swappiness && m->swappiness <= 100 &&
	    cg_write_u64(dir, "memory.swappiness", m->swappiness,
			 "linux.resources.memory.swappiness", err) < 0)
		return -1;
	if (m->has_disable_oom_killer && m->disable_oom_killer &&
	    cg_write(dir, "memory.oom_control", "1", "linux.resources.memory.disableOOMKiller",
		     err) < 0)
		return -1;
	if (m->has_kernel || m->has_kernel_tcp)
		log_warn("linux.resources.memory.kernel and kernelTCP are deprecated and ignored");
	if (m->has_use_hierarchy)
		log_warn("linux.resources.memory.useHierarchy: always on in current kernels, "
			 "ignored");
	return 0;
}

int cg_v1_cpu(const char *dir, const struct oci_cpu *c, struct keel_error *err)
{
	if (c->has_shares && c->shares &&
	    cg_write_u64(dir, "cpu.shares", c->shares, "linux.resources.cpu.shares", err) < 0)
		return -1;
	if (c->has_period && c->period &&
	    cg_write_u64(dir, "cpu.cfs_period_us", c->period, "linux.resources.cpu.period", err) <
		0)
		return -1;
	if (c->has_quota && c->quota &&
	    cg_write_i64(dir, "cpu.cfs_quota_us", c->quota, "linux.resources.cpu.quota", err) < 0)
		return -1;
	if (c->has_burst &&
	    cg_write_u64(dir, "cpu.cfs_burst_us", c->burst, "linux.resources.cpu.burst", err) < 0)
		return -1;
	/* the period first: runtime is checked against it */
	if (c->has_realtime_period && c->realtime_period &&
	    cg_write_u64(dir, "cpu.rt_period_us", c->realtime_period,
			 "linux.resources.cpu.realtimePeriod", err) < 0)
		return -1;
	if (c->has_realtime_runtime && c->realtime_runtime &&
	    cg_write_i64(dir, "cpu.rt_runtime_us", c->realtime_runtime,
			 "linux.resources.cpu.realtimeRuntime", err) < 0)
		return -1;
	if (c->has_idle &&
	    cg_write_i64(dir, "cpu.idle", c->idle, "linux.resources.cpu.idle", err) < 0)
		return -1;
	return 0;
}

static int v1_throttle(const char *dir, const char *file, const struct oci_throttle_list *l,
		       const char *field, struct keel_error *err)
{
	for (size_t i = 0; i < l->len; i++) {
		char text[96], f[96];
		snprintf(text, sizeof text, "%" PRId64 ":%" PRId64 " %" PRIu64, l->items[i].major,
			 l->items[i].minor, l->items[i].rate);
		snprintf(f, sizeof f, "linux.resources.blockIO.%s[%zu]", field, i);
		if (cg_write(dir, file, text, f, err) < 0)
			return -1;
	}
	return 0;
}

/* blkio.weight is CFQ's; with BFQ only blkio.bfq.weight exists */
static const char *v1_weight_file(const char *dir, bool device)
{
	if (cg_file_exists(dir, "blkio.weight"))
		return device ? "blkio.weight_device" : "blkio.weight";
	return device ? "blkio.bfq.weight_device" : "blkio.bfq.weight";
}

int cg_v1_blkio(const char *dir, const struct oci_block_io *b, struct keel_error *err)
{
	if (b->has_weight && b->weight &&
	    cg_write_u64(dir, v1_weight_file(dir, false), b->weight,
			 "linux.resources.blockIO.weight", err) < 0)
		return -1;
	if (b->has_leaf_weight && b->leaf_weight &&
	    cg_write_u64(dir, "blkio.leaf_weight", b->leaf_weight,
			 "linux.resources.blockIO.leafWeight", err) < 0)
		return -1;
	for (size_t i = 0; i < b->weight_device_len; i++) {
		const struct oci_weight_device *d = &b->weight_device[i];
		char text[96], f[96];
		snprintf(f, sizeof f, "linux.resources.blockIO.weightDevice[%zu]", i);
		snprintf(text, sizeof text, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
			 d->weight);
		if (d->has_weight && cg_write(dir, v1_weight_file(dir, true), text, f, err) < 0)
			return -1;
		snprintf(text, sizeof text, "%" PRId64 ":%" PRId64 " %u", d->major, d->minor,
			 d->leaf_weight);
		if (d->has_leaf_weight &&
		    cg_write(dir, "blkio.leaf_weight_device", text, f, err) < 0)
			return -1;
	}
	return v1_throttle(dir, "blkio.throttle.read_bps_device", &b->throttle_read_bps,
			   "throttleReadBpsDevice", err) ||
		       v1_throttle(dir, "blkio.throttle.write_bps_device", &b->throttle_write_bps,
				   "throttleWriteBpsDevice", err) ||
		       v1_throttle(dir, "blkio.throttle.read_iops_device", &b->throttle_read_iops,
				   "throttleReadIOPSDevice", err) ||
		       v1_throttle(dir, "blkio.throttle.write_iops_device", &b->throttle_write_iops,
				   "throttleWriteIOPSDevice", err)
		   ? -1
		   : 0;
}

static int hugetlb_files(const char *dir, const struct oci_hugepage_limit *l, size_t n,
			 const char *suffix, struct keel_error *err)
{
	for (size_t i = 0; i < n; i++) {
		char file[96], f[96];
		snprintf(f, sizeof f, "linux.resources.hugepageLimits[%zu]", i);
		if (strchr(l[i].page_size, '/') || strlen(l[i].page_size) > 32)
			return keel_error_set(err, 0, "%s.pageSize: invalid %s", f, l[i].page_size);
		snprintf(file, sizeof file, "hugetlb.%s.%s", l[i].page_size, suffix);
		if (!cg_file_exists(dir, file))
			return keel_error_set(err, 0,
					      "%s.pageSize: %s/%s: no %s huge pages on this host",
					      f, dir, file, l[i].page_size);
		if (cg_write_u64(dir, file, l[i].limit, f, err) < 0)
			return -1;
	}
	return 0;
}

int cg_v1_hugetlb(const char *dir, const struct oci_hugepage_limit *l, size_t n,
		  struct keel_error *err)
{
	return hugetlb_files(dir, l, n, "limit_in_bytes", err);
}

int cg_v2_hugetlb(const char *dir, const struct oci_hugepage_limit *l, size_t n,
		  struct keel_error *err)
{
	return hugetlb_files(dir, l, n, "max", err);
}

int cg_v1_network(const struct linux_cgroups *cg, const struct oci_network *net,
		  struct keel_error *err)
{
	bool v2;
	if (net->has_class_id) {
		const char *f = "linux.resources.network.classID";
		const char *dir = cg_need(cg, "net_cls", f, &v2, err);
		if (!dir || cg_write_u64(dir, "net_cls.classid", net->class_id, f, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < net->priorities_len; i++) {
		char f[96], text[128];
		snprintf(f, sizeof f, "linux.resources.network.priorities[%zu]", i);
		const char *dir = cg_need(cg, "net_prio", f, &v2, err);
		if (!dir)
			return -1;
		snprintf(text, sizeof text, "%.64s %u", net->priorities[i].name,
			 net->priorities[i].priority);
		if (cg_write(dir, "net_prio.ifpriomap", text, f, err) < 0)
			return -1;
	}
	return 0;
}
