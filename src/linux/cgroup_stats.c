/* Container statistics from cgroup files, v1 and v2. */
#include "linux/cgroup_stats.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "linux/fileio.h"

static char *read_cg(const char *dir, const char *file)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	char *text = NULL;
	struct keel_error ignored;
	if (linux_read_file(path, 1 << 20, &text, &ignored) < 0)
		return NULL;
	return text;
}

/* A single number; "max" and a missing file read as 0. */
static uint64_t read_u64(const char *dir, const char *file)
{
	cleanup_free char *text = read_cg(dir, file);
	return text ? strtoull(text, NULL, 10) : 0;
}

/* "key value" lines (memory.stat, cpu.stat, cpuacct.stat) */
static uint64_t keyed(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, n) == 0 && l[n] == ' ')
			return strtoull(l + n + 1, NULL, 10);
	return 0;
}

static void set_u64(json_t *o, const char *key, uint64_t v)
{
	json_object_set_new(o, key, json_integer((json_int_t)v));
}

static json_t *keyed_object(const char *text)
{
	json_t *o = json_object();
	cleanup_free char *copy = strdup(text ? text : "");
	char *save = NULL;
	for (char *l = copy ? strtok_r(copy, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		if (!sp)
			continue;
		*sp = '\0';
		set_u64(o, l, strtoull(sp + 1, NULL, 10));
	}
	return o;
}

/* ---- cpu ---------------------------------------------------------- */

static json_t *cpu_v1(const struct linux_cgroups *cg)
{
	bool v2;
	json_t *cpu = json_object(), *usage = json_object(), *thr = json_object();
	const char *acct = linux_cgroup_controller_dir(cg, "cpuacct", &v2);
	if (acct) {
		set_u64(usage, "total", read_u64(acct, "cpuacct.usage"));
		json_t *percpu = json_array();
		cleanup_free char *list = read_cg(acct, "cpuacct.usage_percpu");
		char *save = NULL;
		for (char *t = list ? strtok_r(list, " \n", &save) : NULL; t;
		     t = strtok_r(NULL, " \n", &save))
			json_array_append_new(percpu,
					      json_integer((json_int_t)strtoull(t, NULL, 10)));
		json_object_set_new(usage, "percpu", percpu);
		cleanup_free char *stat = read_cg(acct, "cpuacct.stat");
		/* USER_HZ ticks to nanoseconds */
		set_u64(usage, "kernel", stat ? keyed(stat, "system") * 10000000ULL : 0);
		set_u64(usage, "user", stat ? keyed(stat, "user") * 10000000ULL : 0);
	}
	const char *dir = linux_cgroup_controller_dir(cg, "cpu", &v2);
	cleanup_free char *stat = dir ? read_cg(dir, "cpu.stat") : NULL;
	if (stat) {
		set_u64(thr, "periods", keyed(stat, "nr_periods"));
		set_u64(thr, "throttledPeriods", keyed(stat, "nr_throttled"));
		set_u64(thr, "throttledTime", keyed(stat, "throttled_time"));
	}
	json_object_set_new(cpu, "usage", usage);
	json_object_set_new(cpu, "throttling", thr);
	return cpu;
}

static json_t *cpu_v2(const char *dir)
{
	json_t *cpu = json_object(), *usage = json_object(), *thr = json_object();
	cleanup_free char *stat = read_cg(dir, "cpu.stat");
	if (stat) {
		set_u64(usage, "total", keyed(stat, "usage_usec") * 1000);
		set_u64(usage, "kernel", keyed(stat, "system_usec") * 1000);
		set_u64(usage, "user", keyed(stat, "user_usec") * 1000);
		set_u64(thr, "periods", keyed(stat, "nr_periods"));
		set_u64(thr, "throttledPeriods", keyed(stat, "nr_throttled"));
		set_u64(thr, "throttledTime", keyed(stat, "throttled_usec") * 1000);
	}
	json_object_set_new(cpu, "usage", usage);
	json_object_set_new(cpu, "throttling", thr);
	return cpu;
}

/* ---- memory ------------------------------------------------------- */

static json_t *mem_entry(const char *dir, const char *prefix)
{
	char f[96];
	json_t *o = json_object();
	snprintf(f, sizeof f, "%s.limit_in_bytes", prefix);
	set_u64(o, "limit", read_u64(dir, f));
	snprintf(f, sizeof f, "%s.usage_in_bytes", prefix);
	set_u64(o, "usage", read_u64(dir, f));
	snprintf(f, sizeof f, "%s.max_usage_in_bytes", prefix);
	set_u64(o, "max", read_u64(dir, f));
	snprintf(f, sizeof f, "%s.failcnt", prefix);
	set_u64(o, "failcnt", read_u64(dir, f));
	return o;
}

static json_t *memory_v1(const char *dir)
{
	json_t *m = json_object();
	cleanup_free char *stat = read_cg(dir, "memory.stat");
	set_u64(m, "cache", stat ? keyed(stat, "total_cache") : 0);
	json_object_set_new(m, "usage", mem_entry(dir, "memory"));
	json_object_set_new(m, "swap", mem_entry(dir, "memory.memsw"));
	json_object_set_new(m, "kernel", mem_entry(dir, "memory.kmem"));
	json_object_set_new(m, "kernelTCP", mem_entry(dir, "memory.kmem.tcp"));
	json_object_set_new(m, "raw", keyed_object(stat));
	return m;
}

static json_t *memory_v2(const char *dir)
{
	json_t *m = json_object(), *usage = json_object(), *swap = json_object();
	cleanup_free char *stat = read_cg(dir, "memory.stat");
	cleanup_free char *events = read_cg(dir, "memory.events");
	set_u64(m, "cache", stat ? keyed(stat, "file") : 0);
	set_u64(usage, "usage", read_u64(dir, "memory.current"));
	set_u64(usage, "max", read_u64(dir, "memory.peak"));
	set_u64(usage, "limit", read_u64(dir, "memory.max"));
	set_u64(usage, "failcnt", events ? keyed(events, "max") : 0);
	set_u64(swap, "usage", read_u64(dir, "memory.swap.current"));
	set_u64(swap, "limit", read_u64(dir, "memory.swap.max"));
	json_object_set_new(m, "usage", usage);
	json_object_set_new(m, "swap", swap);
	json_object_set_new(m, "raw", keyed_object(stat));
	return m;
}

/* ---- pids, blkio, hugetlb ----------------------------------------- */

static json_t *pids_stats(const char *dir)
{
	json_t *p = json_object();
	set_u64(p, "current", read_u64(dir, "pids.current"));
	set_u64(p, "limit", read_u64(dir, "pids.max"));
	return p;
}

static void blkio_entry(json_t *arr, unsigned major, unsigned minor, const char *op, uint64_t v)
{
	json_t *e = json_object();
	set_u64(e, "major", major);
	set_u64(e, "minor", minor);
	json_object_set_new(e, "op", json_string(op));
	set_u64(e, "value", v);
	json_array_append_new(arr, e);
}

/* "8:0 Read 4096" lines */
static json_t *blkio_v1_list(const char *dir, const char *file)
{
	json_t *arr = json_array();
	cleanup_free char *text = read_cg(dir, file);
	char *save = NULL;
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned major, minor;
		char op[32];
		unsigned long long v;
		if (sscanf(l, "%u:%u %31s %llu", &major, &minor, op, &v) == 4)
			blkio_entry(arr, major, minor, op, v);
	}
	return arr;
}

static json_t *blkio_v1(const char *dir)
{
	json_t *b = json_object();
	json_object_set_new(b, "ioServiceBytesRecursive",
			    blkio_v1_list(dir, "blkio.throttle.io_service_bytes_recursive"));
	json_object_set_new(b, "ioServicedRecursive",
			    blkio_v1_list(dir, "blkio.throttle.io_serviced_recursive"));
	return b;
}

/* "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" lines */
static json_t *blkio_v2(const char *dir)
{
	json_t *b = json_object(), *bytes = json_array(), *ios = json_array();
	cleanup_free char *text = read_cg(dir, "io.stat");
	char *save = NULL;
	for (char *l = text ? strtok_r(text, "\n", &save) : NULL; l;
	     l = strtok_r(NULL, "\n", &save)) {
		unsigned major, minor;
		unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
		if (sscanf(l, "%u:%u rbytes=%llu wbytes=%llu rios=%llu wios=%llu", &major, &minor,
			   &rb, &wb, &ri, &wi) < 2)
			continue;
		blkio_entry(bytes, major, minor, "Read", rb);
		blkio_entry(bytes, major, minor, "Write", wb);
		blkio_entry(ios, major, minor, "Read", ri);
		blkio_entry(ios, major, minor, "Write", wi);
	}
	json_object_set_new(b, "ioServiceBytesRecursive", bytes);
	json_object_set_new(b, "ioServicedRecursive", ios);
	return b;
}

void linux_hugepage_size_name(uint64_t kb, char *out, size_t size)
{
	static const char *const units[] = {"KB", "MB", "GB", "TB"};
	size_t u = 0;
	while (kb >= 1024 && kb % 1024 == 0 && u < 3) {
		kb /= 1024;
		u++;
	}
	snprintf(out, size, "%" PRIu64 "%s", kb, units[u]);
}

static json_t *hugetlb_stats(const char *dir, bool v2)
{
	json_t *h = json_object();
	cleanup_closedir DIR *d = opendir("/sys/kernel/mm/hugepages");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		unsigned long long kb;
		if (sscanf(e->d_name, "hugepages-%llukB", &kb) != 1)
			continue;
		char name[32], f[96];
		linux_hugepage_size_name(kb, name, sizeof name);
		json_t *o = json_object();
		snprintf(f, sizeof f, v2 ? "hugetlb.%s.current" : "hugetlb.%s.usage_in_bytes",
			 name);
		set_u64(o, "usage", read_u64(dir, f));
		snprintf(f, sizeof f, v2 ? "hugetlb.%s.max" : "hugetlb.%s.max_usage_in_bytes",
			 name);
		set_u64(o, "max", read_u64(dir, f));
		snprintf(f, sizeof f, "hugetlb.%s.failcnt", name);
		set_u64(o, "failcnt", v2 ? 0 : read_u64(dir, f));
		json_object_set_new(h, name, o);
	}
	return h;
}

json_t *linux_cgroup_stats(const struct linux_cgroups *cg, struct keel_error *err)
{
	json_t *s = json_object();
	if (!s) {
		keel_error_set(err, ENOMEM, "stats");
		return NULL;
	}
	bool v2;
	const char *dir;
	if ((dir = linux_cgroup_controller_dir(cg, "cpu", &v2)))
		json_object_set_new(s, "cpu", v2 ? cpu_v2(dir) : cpu_v1(cg));
	if ((dir = linux_cgroup_controller_dir(cg, "memory", &v2)))
		json_object_set_new(s, "memory", v2 ? memory_v2(dir) : memory_v1(dir));
	if ((dir = linux_cgroup_controller_dir(cg, "pids", &v2)))
		json_object_set_new(s, "pids", pids_stats(dir));
	if ((dir = linux_cgroup_controller_dir(cg, "blkio", &v2)))
		json_object_set_new(s, "blkio", v2 ? blkio_v2(dir) : blkio_v1(dir));
	if ((dir = linux_cgroup_controller_dir(cg, "hugetlb", &v2)))
		json_object_set_new(s, "hugetlb", hugetlb_stats(dir, v2));
	return s;
}
