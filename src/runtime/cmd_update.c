/* `keel update [options] ID`: new resource limits for a live container,
 * from --resources FILE (or "-" for stdin, as containerd sends them: a
 * linux.resources object) and runc's single-value flags. */
#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "oci/config.h"
#include "oci/read_file.h"
#include <unistd.h>
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/live_cgroups.h"

struct update_flags {
	const char *resources;
	const char *memory, *memory_reservation, *memory_swap, *kernel_memory, *kernel_tcp;
	const char *cpu_quota, *cpu_period, *cpu_shares, *cpu_share, *cpu_rt_period,
	    *cpu_rt_runtime;
	const char *cpuset_cpus, *cpuset_mems, *pids_limit, *blkio_weight;
};

/* "64m", "1G", "1048576", "-1" (binary units, as runc's RAMInBytes). */
static int parse_bytes(const char *flag, const char *text, int64_t *out, struct keel_error *err)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	int64_t mult = 1;
	switch (*end) {
	case 'k':
	case 'K':
		mult = 1LL << 10;
		end++;
		break;
	case 'm':
	case 'M':
		mult = 1LL << 20;
		end++;
		break;
	case 'g':
	case 'G':
		mult = 1LL << 30;
		end++;
		break;
	case 't':
	case 'T':
		mult = 1LL << 40;
		end++;
		break;
	default:
		break;
	}
	if (*end == 'b' || *end == 'B')
		end++;
	if (errno || end == text || *end || (v < 0 && v != -1))
		return keel_error_set(err, 0, "invalid value for --%s: %s", flag, text);
	*out = v < 0 ? -1 : (int64_t)(v * (double)mult);
	return 0;
}

static int parse_int(const char *flag, const char *text, int64_t *out, struct keel_error *err)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno || end == text || *end)
		return keel_error_set(err, 0, "invalid value for --%s: %s", flag, text);
	*out = v;
	return 0;
}

static int read_stdin(char **text, size_t *len, struct keel_error *err)
{
	size_t cap = 4096, used = 0;
	cleanup_free char *buf = malloc(cap + 1);
	for (;;) {
		if (!buf)
			return keel_error_set(err, ENOMEM, "stdin");
		if (used == cap) {
			if (cap >= OCI_FILE_MAX)
				return keel_error_set(err, EFBIG, "stdin");
			char *bigger = realloc(buf, (cap *= 2) + 1);
			if (!bigger)
				return keel_error_set(err, ENOMEM, "stdin");
			buf = bigger;
		}
		ssize_t n = read(0, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keel_error_errno(err, "read stdin");
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*len = used;
	*text = steal_pointer(&buf);
	return 0;
}

/* A linux.resources object read as part of a minimal config, so that it
 * goes through the same checks (and messages) as config.json's. */
static int load_resources(const char *path, struct oci_config **out, struct keel_error *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	int rc = strcmp(path, "-") == 0 ? read_stdin(&text, &len, err)
					: oci_read_file(path, &text, &len, err);
	if (rc < 0)
		return keel_error_prefix(err, "--resources");
	/* one JSON object and nothing after it: the text is pasted into a
	 * document below, where a stray "}" would let it add other fields */
	json_error_t jerr;
	json_t *alone = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	bool is_object = json_is_object(alone);
	json_decref(alone);
	if (!alone)
		return keel_error_set(err, 0, "--resources: %s (line %d, column %d)", jerr.text,
				      jerr.line, jerr.column);
	if (!is_object)
		return keel_error_set(err, 0, "--resources: must be a JSON object");
	size_t doc_len = len + 96;
	cleanup_free char *doc = malloc(doc_len);
	if (!doc)
		return keel_error_set(err, ENOMEM, "--resources");
	int n = snprintf(doc, doc_len, "{\"ociVersion\":\"1.0.2\",\"linux\":{\"resources\":%.*s}}",
			 (int)len, text);
	return oci_config_parse("--resources", doc, (size_t)n, NULL, out, err);
}

static int memory_flags(const struct update_flags *f, struct oci_resources *r,
			struct keel_error *err)
{
	struct oci_memory *m = &r->memory;
	if (f->memory && parse_bytes("memory", f->memory, &m->limit, err) < 0)
		return -1;
	if (f->memory_reservation &&
	    parse_bytes("memory-reservation", f->memory_reservation, &m->reservation, err) < 0)
		return -1;
	if (f->memory_swap && parse_bytes("memory-swap", f->memory_swap, &m->swap, err) < 0)
		return -1;
	m->has_limit |= f->memory != NULL;
	m->has_reservation |= f->memory_reservation != NULL;
	m->has_swap |= f->memory_swap != NULL;
	r->has_memory |= f->memory || f->memory_reservation || f->memory_swap;
	if (f->kernel_memory || f->kernel_tcp)
		return keel_error_set(err, 0,
				      "--kernel-memory: kernel memory limits are not "
				      "supported (deprecated)");
	return 0;
}

static int cpu_flags(const struct update_flags *f, struct oci_resources *r, struct keel_error *err)
{
	struct oci_cpu *c = &r->cpu;
	int64_t v = 0;
	const char *shares = f->cpu_shares ? f->cpu_shares : f->cpu_share;
	if (f->cpu_quota && parse_int("cpu-quota", f->cpu_quota, &c->quota, err) < 0)
		return -1;
	c->has_quota |= f->cpu_quota != NULL;
	if (f->cpu_period) {
		if (parse_int("cpu-period", f->cpu_period, &v, err) < 0)
			return -1;
		c->period = (uint64_t)v, c->has_period = true;
	}
	if (shares) {
		if (parse_int("cpu-share", shares, &v, err) < 0)
			return -1;
		c->shares = (uint64_t)v, c->has_shares = true;
	}
	if (f->cpu_rt_period) {
		if (parse_int("cpu-rt-period", f->cpu_rt_period, &v, err) < 0)
			return -1;
		c->realtime_period = (uint64_t)v, c->has_realtime_period = true;
	}
	if (f->cpu_rt_runtime &&
	    parse_int("cpu-rt-runtime", f->cpu_rt_runtime, &c->realtime_runtime, err) < 0)
		return -1;
	c->has_realtime_runtime |= f->cpu_rt_runtime != NULL;
	if (f->cpuset_cpus)
		free(c->cpus), c->cpus = strdup(f->cpuset_cpus);
	if (f->cpuset_mems)
		free(c->mems), c->mems = strdup(f->cpuset_mems);
	r->has_cpu |= f->cpu_quota || f->cpu_period || shares || f->cpu_rt_period ||
		      f->cpu_rt_runtime || f->cpuset_cpus || f->cpuset_mems;
	return 0;
}

static int other_flags(const struct update_flags *f, struct oci_resources *r,
		       struct keel_error *err)
{
	int64_t v = 0;
	if (f->pids_limit) {
		if (parse_int("pids-limit", f->pids_limit, &r->pids.limit, err) < 0)
			return -1;
		r->pids.has_limit = true;
	}
	if (f->blkio_weight) {
		if (parse_int("blkio-weight", f->blkio_weight, &v, err) < 0)
			return -1;
		if (v != 0 && (v < 10 || v > 1000))
			return keel_error_set(err, 0,
					      "--blkio-weight: %" PRId64 " is outside 10..1000", v);
		r->block_io.weight = (uint16_t)v, r->block_io.has_weight = true;
		r->has_block_io = true;
	}
	return 0;
}

static int apply_update(const char *root, const char *id, struct oci_resources *r,
			struct keel_error *err)
{
	struct oci_state *state = NULL;
	cleanup_close int lock = container_open(root, id, LOCK_EX, &state, err);
	if (lock < 0)
		return -1;
	int rc = -1;
	if (container_refresh_status(root, state) == OCI_STATUS_STOPPED)
		keel_error_set(err, 0, "container not running");
	else {
		static struct linux_cgroups cg;
		live_cgroups(state, &cg);
		rc = linux_cgroup_resources_apply(&cg, r, NULL, LINUX_RESOURCES_UPDATE, err);
	}
	oci_state_free(state);
	return rc;
}

int cmd_update(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	struct update_flags f = {0};
	struct arg_option options[] = {
	    {"resources", "r", ARG_STRING, &f.resources},
	    {"memory", NULL, ARG_STRING, &f.memory},
	    {"memory-reservation", NULL, ARG_STRING, &f.memory_reservation},
	    {"memory-swap", NULL, ARG_STRING, &f.memory_swap},
	    {"kernel-memory", NULL, ARG_STRING, &f.kernel_memory},
	    {"kernel-memory-tcp", NULL, ARG_STRING, &f.kernel_tcp},
	    {"cpu-quota", NULL, ARG_STRING, &f.cpu_quota},
	    {"cpu-period", NULL, ARG_STRING, &f.cpu_period},
	    {"cpu-share", NULL, ARG_STRING, &f.cpu_share},
	    {"cpu-shares", NULL, ARG_STRING, &f.cpu_shares},
	    {"cpu-rt-period", NULL, ARG_STRING, &f.cpu_rt_period},
	    {"cpu-rt-runtime", NULL, ARG_STRING, &f.cpu_rt_runtime},
	    {"cpuset-cpus", NULL, ARG_STRING, &f.cpuset_cpus},
	    {"cpuset-mems", NULL, ARG_STRING, &f.cpuset_mems},
	    {"pids-limit", NULL, ARG_STRING, &f.pids_limit},
	    {"blkio-weight", NULL, ARG_STRING, &f.blkio_weight},
	    {0},
	};
	const char *id;
	int i = 1;
	snprintf(g->context, sizeof g->context, "update");
	if (args_parse(argc, argv, &i, options, err) < 0 ||
	    command_single_id(g, argc, argv, i, &id, err) < 0)
		return 1;
	struct oci_config *doc = NULL;
	static struct oci_resources flags_only;
	struct oci_resources *r = &flags_only;
	if (f.resources) {
		if (load_resources(f.resources, &doc, err) < 0)
			return 1;
		r = &doc->linux_.resources;
	}
	int rc = 1;
	if (memory_flags(&f, r, err) == 0 && cpu_flags(&f, r, err) == 0 &&
	    other_flags(&f, r, err) == 0 && apply_update(g->root, id, r, err) == 0)
		rc = 0;
	if (doc)
		oci_config_free(doc);
	return rc;
}
