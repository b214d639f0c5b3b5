/* config.json "linux.resources": the cgroup limits. */
#include <stdlib.h>
#include <string.h>

#include "oci/parse.h"

static int parse_device_rule(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			     void *out_)
{
	struct oci_device_rule *out = out_;
	char *type = NULL;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "allow") < 0 ||
	    get_bool(c, v, p, "allow", NULL, &out->allow) < 0 ||
	    get_string(c, v, p, "type", &type) < 0)
		return -1;
	out->type = type ? type[0] : 'a';
	bool valid = !type || (strlen(type) == 1 && strchr("acb", type[0]));
	free(type);
	if (!valid)
		return parse_error(c, PATH_KEY(p, "type"), "must be one of a, c, b");
	if (get_int64(c, v, p, "major", &out->has_major, &out->major) < 0 ||
	    get_int64(c, v, p, "minor", &out->has_minor, &out->minor) < 0 ||
	    get_string(c, v, p, "access", &out->access) < 0)
		return -1;
	if (out->access && strspn(out->access, "rwm") != strlen(out->access))
		return parse_error(c, PATH_KEY(p, "access"), "must be a combination of r, w, m");
	return 0;
}

static int parse_device_rules(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			      struct oci_resources *out)
{
	return get_items(c, obj, p, "devices", sizeof *out->devices, parse_device_rule,
			 (void **)&out->devices, &out->devices_len);
}

/* Memory amounts are int64 where -1 means "unlimited". */
static int check_memory_amount(struct parse_ctx *c, const struct json_path *p, const char *key,
			       bool has, int64_t value)
{
	if (has && value < -1)
		return parse_error(c, PATH_KEY(p, key), "must be -1 (unlimited) or >= 0");
	return 0;
}

static int parse_memory(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			struct oci_resources *out)
{
	json_t *m;
	if (get_object(c, obj, p, "memory", &m) < 0)
		return -1;
	if (!m)
		return 0;
	const struct json_path *mp = PATH_KEY(p, "memory");
	struct oci_memory *mem = &out->memory;
	out->has_memory = true;
	if (get_int64(c, m, mp, "limit", &mem->has_limit, &mem->limit) < 0 ||
	    get_int64(c, m, mp, "reservation", &mem->has_reservation, &mem->reservation) < 0 ||
	    get_int64(c, m, mp, "swap", &mem->has_swap, &mem->swap) < 0 ||
	    get_int64(c, m, mp, "kernel", &mem->has_kernel, &mem->kernel) < 0 ||
	    get_int64(c, m, mp, "kernelTCP", &mem->has_kernel_tcp, &mem->kernel_tcp) < 0 ||
	    get_uint64(c, m, mp, "swappiness", &mem->has_swappiness, &mem->swappiness) < 0 ||
	    get_bool(c, m, mp, "disableOOMKiller", &mem->has_disable_oom_killer,
		     &mem->disable_oom_killer) < 0 ||
	    get_bool(c, m, mp, "useHierarchy", &mem->has_use_hierarchy, &mem->use_hierarchy) < 0 ||
	    get_bool(c, m, mp, "checkBeforeUpdate", &mem->has_check_before_update,
		     &mem->check_before_update) < 0)
		return -1;
	if (check_memory_amount(c, mp, "limit", mem->has_limit, mem->limit) < 0 ||
	    check_memory_amount(c, mp, "reservation", mem->has_reservation, mem->reservation) < 0 ||
	    check_memory_amount(c, mp, "swap", mem->has_swap, mem->swap) < 0)
		return -1;
	/* Docker writes an unset swappiness as uint64(-1); keep that as unset. */
	if (mem->has_swappiness && mem->swappiness == UINT64_MAX)
		mem->has_swappiness = false;
	if (mem->has_swappiness && mem->swappiness > 100)
		return parse_error(c, PATH_KEY(mp, "swappiness"), "out of range (0..100)");
	return 0;
}

static int parse_cpu(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		     struct oci_resources *out)
{
	json_t *v;
	if (get_object(c, obj, p, "cpu", &v) < 0)
		return -1;
	if (!v)
		return 0;
	const struct json_path *cp = PATH_KEY(p, "cpu");
	struct oci_cpu *cpu = &out->cpu;
	out->has_cpu = true;
	if (get_uint64(c, v, cp, "shares", &cpu->has_shares, &cpu->shares) < 0 ||
	    get_int64(c, v, cp, "quota", &cpu->has_quota, &cpu->quota) < 0 ||
	    get_uint64(c, v, cp, "burst", &cpu->has_burst, &cpu->burst) < 0 ||
	    get_uint64(c, v, cp, "period", &cpu->has_period, &cpu->period) < 0 ||
	    get_int64(c, v, cp, "realtimeRuntime", &cpu->has_realtime_runtime,
		      &cpu->realtime_runtime) < 0 ||
	    get_uint64(c, v, cp, "realtimePeriod", &cpu->has_realtime_period,
		       &cpu->realtime_period) < 0 ||
	    get_string(c, v, cp, "cpus", &cpu->cpus) < 0 ||
	    get_string(c, v, cp, "mems", &cpu->mems) < 0 ||
	    get_int64(c, v, cp, "idle", &cpu->has_idle, &cpu->idle) < 0)
		return -1;
	return 0;
}

static int parse_pids(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		      struct oci_resources *out)
{
	json_t *v;
	if (get_object(c, obj, p, "pids", &v) < 0)
		return -1;
	if (!v)
		return 0;
	const struct json_path *pp = PATH_KEY(p, "pids");
	if (parse_require(c, v, pp, "limit") < 0 ||
	    get_int64(c, v, pp, "limit", &out->pids.has_limit, &out->pids.limit) < 0)
		return -1;
	return 0;
}

static int parse_weight_device(struct parse_ctx *c, const json_t *v, const struct json_path *p,
			       void *out_)
{
	struct oci_weight_device *out = out_;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "major") < 0 ||
	    parse_require(c, v, p, "minor") < 0 ||
	    get_int64(c, v, p, "major", NULL, &out->major) < 0 ||
	    get_int64(c, v, p, "minor", NULL, &out->minor) < 0 ||
	    get_uint16(c, v, p, "weight", &out->has_weight, &out->weight) < 0 ||
	    get_uint16(c, v, p, "leafWeight", &out->has_leaf_weight, &out->leaf_weight) < 0)
		return -1;
	return 0;
}

static int parse_throttle_device(struct parse_ctx *c, const json_t *v, const struct json_path *p,
				 void *out_)
{
	struct oci_throttle_device *out = out_;
	if (value_object(c, v, p) < 0 || parse_require(c, v, p, "major") < 0 ||
	    parse_require(c, v, p, "minor") < 0 || parse_require(c, v, p, "rate") < 0 ||
	    get_int64(c, v, p, "major", NULL, &out->major) < 0 ||
	    get_int64(c, v, p, "minor", NULL, &out->minor) < 0 ||
	    get_uint64(c, v, p, "rate", NULL, &out->rate) < 0)
		return -1;
	return 0;
}

static int parse_throttle_list(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			       const char *key, struct oci_throttle_list *out)
{
	return get_items(c, obj, p, key, sizeof *out->items, parse_throttle_device,
			 (void **)&out->items, &out->len);
}

static int parse_weight_devices(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
				struct oci_block_io *out)
{
	return get_items(c, obj, p, "weightDevice", sizeof *out->weight_device, parse_weight_device,
			 (void **)&out->weight_device, &out->weight_device_len);
}

static int parse_block_io(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			  struct oci_resources *out)
{
	json_t *v;
	if (get_object(c, obj, p, "blockIO", &v) < 0)
		return -1;
	if (!v)
		return 0;
	const struct json_path *bp = PATH_KEY(p, "blockIO");
	struct oci_block_io *b = &out->block_io;
	out->has_block_io = true;
	if (get_uint16(c, v, bp, "weight", &b->has_weight, &b->weight) < 0 ||
	    get_uint16(c, v, bp, "leafWeight", &b->has_leaf_weight, &b->leaf_weight) < 0 ||
	    parse_weight_devices(c, v, bp, b) < 0 ||
	    parse_throttle_list(c, v, bp, "throttleReadBpsDevice", &b->throttle_read_bps) < 0 ||
	    parse_throttle_list(c, v, bp, "throttleWriteBpsDevice", &b->throttle_write_bps) < 0 ||
	    parse_throttle_list(c, v, bp, "throttleReadIOPSDevice", &b->throttle_read_iops) < 0 ||
	    parse_throttle_list(c, v, bp, "throttleWriteIOPSDevice", &b->throttle_write_iops) < 0)
		return -1;
	return 0;
}

static int parse_hugepage_limits(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
				 struct oci_resources *out)
{
	json_t *arr;
	if (get_array(c, obj, p, "hugepageLimits", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	size_t n = json_array_size(arr);
	out->hugepage_limits = parse_calloc(c, n, sizeof *out->hugepage_limits);
	if (!out->hugepage_limits)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct json_path *ip = PATH_IDX(PATH_KEY(p, "hugepageLimits"), i);
		json_t *v = json_array_get(arr, i);
		struct oci_hugepage_limit *h = &out->hugepage_limits[out->hugepage_limits_len++];
		if (value_object(c, v, ip) < 0 || parse_require(c, v, ip, "pageSize") < 0 ||
		    parse_require(c, v, ip, "limit") < 0 ||
		    get_string(c, v, ip, "pageSize", &h->page_size) < 0 ||
		    get_uint64(c, v, ip, "limit", NULL, &h->limit) < 0)
			return -1;
	}
	return 0;
}

static int parse_net_priorities(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
				struct oci_network *out)
{
	json_t *arr;
	if (get_array(c, obj, p, "priorities", &arr) < 0)
		return -1;
	if (!arr)
		return 0;
	size_t n = json_array_size(arr);
	out->priorities = parse_calloc(c, n, sizeof *out->priorities);
	if (!out->priorities)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct json_path *ip = PATH_IDX(PATH_KEY(p, "priorities"), i);
		json_t *v = json_array_get(arr, i);
		struct oci_net_priority *np = &out->priorities[out->priorities_len++];
		if (value_object(c, v, ip) < 0 || parse_require(c, v, ip, "name") < 0 ||
		    parse_require(c, v, ip, "priority") < 0 ||
		    get_string(c, v, ip, "name", &np->name) < 0 ||
		    get_uint32(c, v, ip, "priority", NULL, &np->priority) < 0)
			return -1;
	}
	return 0;
}

static int parse_network(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
			 struct oci_resources *out)
{
	json_t *v;
	if (get_object(c, obj, p, "network", &v) < 0)
		return -1;
	if (!v)
		return 0;
	const struct json_path *np = PATH_KEY(p, "network");
	out->has_network = true;
	if (get_uint32(c, v, np, "classID", &out->network.has_class_id, &out->network.class_id) <
		0 ||
	    parse_net_priorities(c, v, np, &out->network) < 0)
		return -1;
	return 0;
}

static int parse_rdma(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		      struct oci_resources *out)
{
	json_t *m;
	if (get_object(c, obj, p, "rdma", &m) < 0)
		return -1;
	if (!m)
		return 0;
	const struct json_path *rp = PATH_KEY(p, "rdma");
	out->rdma = parse_calloc(c, json_object_size(m), sizeof *out->rdma);
	if (!out->rdma)
		return -1;
	const char *dev;
	json_t *v;
	json_object_foreach(m, dev, v)
	{
		const struct json_path *dp = PATH_KEY(rp, dev);
		struct oci_rdma_limit *r = &out->rdma[out->rdma_len++];
		r->device = strdup(dev);
		if (!r->device)
			return parse_error(c, dp, "out of memory");
		if (value_object(c, v, dp) < 0 ||
		    get_uint32(c, v, dp, "hcaHandles", &r->has_hca_handles, &r->hca_handles) < 0 ||
		    get_uint32(c, v, dp, "hcaObjects", &r->has_hca_objects, &r->hca_objects) < 0)
			return -1;
	}
	return 0;
}

int parse_resources(struct parse_ctx *c, const json_t *obj, const struct json_path *p,
		    struct oci_resources *out)
{
	if (parse_device_rules(c, obj, p, out) < 0 || parse_memory(c, obj, p, out) < 0 ||
	    parse_cpu(c, obj, p, out) < 0 || parse_pids(c, obj, p, out) < 0 ||
	    parse_block_io(c, obj, p, out) < 0 || parse_hugepage_limits(c, obj, p, out) < 0 ||
	    parse_network(c, obj, p, out) < 0 || parse_rdma(c, obj, p, out) < 0 ||
	    get_map(c, obj, p, "unified", &out->unified) < 0)
		return -1;
	return 0;
}

static void throttle_list_clear(struct oci_throttle_list *l)
{
	free(l->items);
	l->items = NULL;
	l->len = 0;
}

void resources_clear(struct oci_resources *r)
{
	for (size_t i = 0; i < r->devices_len; i++)
		free(r->devices[i].access);
	free(r->devices);
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->block_io.weight_device);
	throttle_list_clear(&r->block_io.throttle_read_bps);
	throttle_list_clear(&r->block_io.throttle_write_bps);
	throttle_list_clear(&r->block_io.throttle_read_iops);
	throttle_list_clear(&r->block_io.throttle_write_iops);
	for (size_t i = 0; i < r->hugepage_limits_len; i++)
		free(r->hugepage_limits[i].page_size);
	free(r->hugepage_limits);
	for (size_t i = 0; i < r->network.priorities_len; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	for (size_t i = 0; i < r->rdma_len; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	oci_map_clear(&r->unified);
	memset(r, 0, sizeof *r);
}
