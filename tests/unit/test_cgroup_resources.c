/* Unit tests for src/linux/cgroup_resources*: runc's v1 -> v2 conversions,
 * where each controller is found, what is written to which file (into a
 * scratch directory standing in for a cgroup), error messages naming the
 * field and the file, and the device filter: its BPF program run by a small
 * interpreter here, and (as root, with a cgroup2 mount) loaded into the
 * kernel and tried on real opens. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#pragma GCC diagnostic ignored "-Wformat-truncation"

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "linux/cgroup_stats.h"
#include "linux/fileio.h"

/* ---- conversions --------------------------------------------------- */

static void shares_to_weight(void **state)
{
	(void)state;
	assert_int_equal(linux_cpu_shares_to_weight(0), 0);
	assert_int_equal(linux_cpu_shares_to_weight(2), 1);
	assert_int_equal(linux_cpu_shares_to_weight(1024), 39);
	assert_int_equal(linux_cpu_shares_to_weight(262144), 10000);
	assert_int_equal(linux_cpu_shares_to_weight(1000000), 10000);
}

static void blkio_to_io_weight(void **state)
{
	(void)state;
	assert_int_equal(linux_blkio_weight_to_io_weight(0), 0);
	assert_int_equal(linux_blkio_weight_to_io_weight(10), 1);
	assert_int_equal(linux_blkio_weight_to_io_weight(500), 4950);
	assert_int_equal(linux_blkio_weight_to_io_weight(1000), 10000);
}

static void swap_v2(void **state)
{
	(void)state;
	struct keel_error err = {0};
	int64_t out;
	assert_int_equal(linux_memory_swap_v2(200, 100, true, &out, &err), 0);
	assert_int_equal(out, 100); /* memory+swap minus memory */
	assert_int_equal(linux_memory_swap_v2(-1, 100, true, &out, &err), 0);
	assert_int_equal(out, -1);
	assert_int_equal(linux_memory_swap_v2(0, -1, true, &out, &err), 0);
	assert_int_equal(out, -1); /* both unlimited */
	assert_int_equal(linux_memory_swap_v2(0, 100, true, &out, &err), 0);
	assert_int_equal(out, -2); /* not written */
	assert_int_equal(linux_memory_swap_v2(50, 100, true, &out, &err), -1);
	assert_non_null(strstr(err.msg, "linux.resources.memory.swap"));
	assert_int_equal(linux_memory_swap_v2(50, 0, false, &out, &err), -1);
	assert_non_null(strstr(err.msg, "needs a memory limit"));
}

static void cpu_max(void **state)
{
	(void)state;
	char text[64];
	linux_cpu_max_text(true, 20000, 100000, text, sizeof text);
	assert_string_equal(text, "20000 100000");
	linux_cpu_max_text(true, -1, 50000, text, sizeof text);
	assert_string_equal(text, "max 50000");
	linux_cpu_max_text(false, 0, 0, text, sizeof text);
	assert_string_equal(text, "max 100000");
	linux_cpu_max_text(true, 5000, 0, text, sizeof text);
	assert_string_equal(text, "5000 100000");
}

static void hugepage_names(void **state)
{
	(void)state;
	char name[32];
	linux_hugepage_size_name(2048, name, sizeof name);
	assert_string_equal(name, "2MB");
	linux_hugepage_size_name(1048576, name, sizeof name);
	assert_string_equal(name, "1GB");
	linux_hugepage_size_name(64, name, sizeof name);
	assert_string_equal(name, "64KB");
}

/* ---- a scratch directory standing in for cgroup directories ------- */

struct scratch {
	char dir[64];
	struct linux_cgroups cg;
};

static int scratch_setup(void **state)
{
	struct scratch *s = calloc(1, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/keel-cgres.XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	*state = s;
	return 0;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", s->dir);
	if (system(cmd) != 0)
		return -1;
	free(s);
	return 0;
}

/* A v1 hierarchy named after its controllers, directory dir/<name>. */
static void add_v1(struct scratch *s, const char *controllers, const char *const *files)
{
	struct linux_cgroup_hierarchy *h = &s->cg.h[s->cg.len++];
	char base[sizeof s->dir];
	strcpy(base, s->dir);
	strcpy(h->controllers, controllers);
	snprintf(h->path, sizeof h->path, "%s/%s", base, controllers);
	mkdir(h->path, 0755);
	for (size_t i = 0; files && files[i]; i++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", h->path, files[i]);
		close(open(path, O_CREAT | O_WRONLY, 0644));
	}
	s->cg.layout = LINUX_CGROUP_LEGACY;
}

static char *read_back(struct scratch *s, const char *controllers, const char *file)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s/%s", s->dir, controllers, file);
	char *text = NULL;
	struct keel_error err;
	if (linux_read_file(path, 4096, &text, &err) < 0)
		return NULL;
	return text;
}

static void controller_lookup(void **state)
{
	struct scratch *s = *state;
	add_v1(s, "cpu,cpuacct", NULL);
	add_v1(s, "blkio", NULL);
	bool v2 = true;
	const char *dir = linux_cgroup_controller_dir(&s->cg, "cpuacct", &v2);
	assert_non_null(dir);
	assert_false(v2);
	assert_non_null(strstr(dir, "cpu,cpuacct"));
	/* "io" is v1's blkio */
	assert_non_null(strstr(linux_cgroup_controller_dir(&s->cg, "io", &v2), "blkio"));
	assert_null(linux_cgroup_controller_dir(&s->cg, "pids", &v2));
	/* unified: freezer and devices are core features of every cgroup */
	struct linux_cgroups u = {.layout = LINUX_CGROUP_UNIFIED, .len = 1};
	u.h[0].unified = true;
	strcpy(u.h[0].path, "/sys/fs/cgroup/x");
	strcpy(u.h[0].mountpoint, "/sys/fs/cgroup");
	assert_string_equal(linux_cgroup_controller_dir(&u, "freezer", &v2), "/sys/fs/cgroup/x");
	assert_true(v2);
}

static void v1_values_reach_files(void **state)
{
	struct scratch *s = *state;
	static const char *const mem[] = {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes",
					  "memory.soft_limit_in_bytes", "memory.swappiness", NULL};
	static const char *const cpu[] = {"cpu.shares", "cpu.cfs_quota_us", "cpu.cfs_period_us",
					  NULL};
	static const char *const pids[] = {"pids.max", NULL};
	add_v1(s, "memory", mem);
	add_v1(s, "cpu", cpu);
	add_v1(s, "pids", pids);
	struct oci_resources r = {
	    .has_memory = true,
	    .memory = {.has_limit = true,
		       .limit = 1048576,
		       .has_swap = true,
		       .swap = 2097152,
		       .has_reservation = true,
		       .reservation = 4096,
		       .has_swappiness = true,
		       .swappiness = 10},
	    .has_cpu = true,
	    .cpu = {.has_shares = true,
		    .shares = 512,
		    .has_quota = true,
		    .quota = 20000,
		    .has_period = true,
		    .period = 100000},
	    .pids = {.has_limit = true, .limit = 0},
	};
	struct keel_error err = {0};
	assert_int_equal(
	    linux_cgroup_resources_apply(&s->cg, &r, NULL, LINUX_RESOURCES_UPDATE, &err), 0);
	cleanup_free char *limit = read_back(s, "memory", "memory.limit_in_bytes");
	cleanup_free char *memsw = read_back(s, "memory", "memory.memsw.limit_in_bytes");
	cleanup_free char *soft = read_back(s, "memory", "memory.soft_limit_in_bytes");
	cleanup_free char *shares = read_back(s, "cpu", "cpu.shares");
	cleanup_free char *quota = read_back(s, "cpu", "cpu.cfs_quota_us");
	cleanup_free char *pmax = read_back(s, "pids", "pids.max");
	assert_string_equal(limit, "1048576");
	assert_string_equal(memsw, "2097152");
	assert_string_equal(soft, "4096");
	assert_string_equal(shares, "512");
	assert_string_equal(quota, "20000");
	assert_string_equal(pmax, "max"); /* limit <= 0: unlimited */
}

static void missing_file_names_field_and_file(void **state)
{
	struct scratch *s = *state;
	static const char *const cpu[] = {"cpu.shares", NULL};
	add_v1(s, "cpu", cpu);
	struct oci_resources r = {.has_cpu = true,
				  .cpu = {.has_realtime_runtime = true, .realtime_runtime = 1000}};
	struct keel_error err = {0};
	assert_int_equal(
	    linux_cgroup_resources_apply(&s->cg, &r, NULL, LINUX_RESOURCES_UPDATE, &err), -1);
	assert_non_null(strstr(err.msg, "linux.resources.cpu.realtimeRuntime"));
	assert_non_null(strstr(err.msg, "cpu.rt_runtime_us"));
	/* a controller the host lacks */
	struct oci_resources p = {.pids = {.has_limit = true, .limit = 5}};
	assert_int_equal(
	    linux_cgroup_resources_apply(&s->cg, &p, NULL, LINUX_RESOURCES_UPDATE, &err), -1);
	assert_string_equal(err.msg,
			    "linux.resources.pids.limit: no pids cgroup controller on this host "
			    "(legacy)");
}

static void rdma_reaches_rdma_max(void **state)
{
	struct scratch *s = *state;
	static const char *const rdma[] = {"rdma.max", NULL};
	add_v1(s, "rdma", rdma);
	struct oci_rdma_limit limit = {
	    .device = "mlx4_0", .has_hca_handles = true, .hca_handles = 2};
	struct oci_resources r = {.rdma = &limit, .rdma_len = 1};
	struct keel_error err = {0};
	assert_int_equal(
	    linux_cgroup_resources_apply(&s->cg, &r, NULL, LINUX_RESOURCES_UPDATE, &err), 0);
	cleanup_free char *text = read_back(s, "rdma", "rdma.max");
	assert_string_equal(text, "mlx4_0 hca_handle=2 hca_object=max");
}

static void unified_needs_v2(void **state)
{
	struct scratch *s = *state;
	add_v1(s, "memory", NULL);
	char *keys[] = {"memory.high", NULL}, *values[] = {"1000", NULL};
	struct oci_resources r = {.unified = {.keys = keys, .values = values, .len = 1}};
	struct keel_error err = {0};
	assert_int_equal(
	    linux_cgroup_resources_apply(&s->cg, &r, NULL, LINUX_RESOURCES_UPDATE, &err), -1);
	assert_non_null(strstr(err.msg, "linux.resources.unified: needs cgroup v2"));
}

static void devices_v1_rules(void **state)
{
	struct scratch *s = *state;
	static const char *const dev[] = {"devices.allow", "devices.deny", NULL};
	add_v1(s, "devices", dev);
	struct oci_device_rule rule = {
	    .allow = true, .type = 'b', .has_major = true, .major = 8, .access = "r"};
	size_t n;
	struct oci_resources r = {.devices = &rule, .devices_len = 1};
	cleanup_free struct oci_device_rule *all = linux_device_rules_effective(&r, NULL, &n);
	assert_true(n > 5);
	assert_int_equal(all[0].type, 'b'); /* the config's rules first */
	struct keel_error err = {0};
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/devices", s->dir);
	/* one write per rule: the file keeps the last one (no O_APPEND here) */
	assert_int_equal(linux_devices_v1_apply(dir, &rule, 1, &err), 0);
	cleanup_free char *allow = read_back(s, "devices", "devices.allow");
	cleanup_free char *deny = read_back(s, "devices", "devices.deny");
	assert_string_equal(allow, "b 8:* r");
	assert_string_equal(deny, "a");
}

/* ---- the BPF device program, interpreted ------------------------- */

/* Runs the subset of eBPF the generator emits. */
static int run_program(const struct bpf_insn *p, int len, uint32_t type, uint32_t access,
		       uint32_t major, uint32_t minor)
{
	uint32_t ctx[3] = {type | (access << 16), major, minor};
	uint64_t r[11] = {0};
	for (int pc = 0; pc < len; pc++) {
		const struct bpf_insn *i = &p[pc];
		uint32_t k = (uint32_t)i->imm;
		switch (i->code) {
		case BPF_LDX | BPF_W | BPF_MEM:
			r[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			r[i->dst_reg] = (uint32_t)r[i->src_reg];
			break;
		case BPF_ALU | BPF_MOV | BPF_K:
			r[i->dst_reg] = k;
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] & k;
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			r[i->dst_reg] = (uint32_t)r[i->dst_reg] >> k;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (r[i->dst_reg] != (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (r[i->dst_reg] == (uint64_t)(int64_t)i->imm)
				pc += i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)r[0];
		default:
			fail_msg("unexpected opcode 0x%x at %d", i->code, pc);
		}
	}
	fail_msg("ran off the end");
	return -1;
}

#define CHR BPF_DEVCG_DEV_CHAR
#define BLK BPF_DEVCG_DEV_BLOCK
#define R   BPF_DEVCG_ACC_READ
#define W   BPF_DEVCG_ACC_WRITE
#define M   BPF_DEVCG_ACC_MKNOD

static void bpf_program_decides_like_the_rules(void **state)
{
	(void)state;
	struct oci_device_rule deny_all = {.allow = false, .access = "rwm"};
	struct oci_device_rule rules[] = {
	    deny_all,
	    {.allow = true,
	     .type = 'c',
	     .has_major = true,
	     .major = 1,
	     .has_minor = true,
	     .minor = 3,
	     .access = "rwm"},
	    {.allow = true, .type = 'c', .access = "m"},
	    {.allow = true, .type = 'c', .has_major = true, .major = 136, .access = "rw"},
	    {.allow = false,
	     .type = 'c',
	     .has_major = true,
	     .major = 136,
	     .has_minor = true,
	     .minor = 7,
	     .access = "w"},
	};
	static struct bpf_insn prog[512];
	int len = linux_devices_bpf_build(rules, 5, prog, 512);
	assert_true(len > 0);
	assert_int_equal(run_program(prog, len, CHR, R | W, 1, 3), 1);	     /* /dev/null */
	assert_int_equal(run_program(prog, len, CHR, R, 1, 1), 0);	     /* /dev/mem */
	assert_int_equal(run_program(prog, len, CHR, M, 1, 1), 1);	     /* mknod any char */
	assert_int_equal(run_program(prog, len, BLK, M, 8, 0), 0);	     /* not block */
	assert_int_equal(run_program(prog, len, CHR, R | W, 136, 2), 1);     /* a pty */
	assert_int_equal(run_program(prog, len, CHR, R | W | M, 136, 2), 0); /* more than granted */
	assert_int_equal(run_program(prog, len, CHR, W, 136, 7), 0);	     /* denied later */
	assert_int_equal(run_program(prog, len, CHR, R, 136, 7), 1);	     /* only w was denied */
	/* the last rule wins: allow-all after everything */
	struct oci_device_rule open_all[] = {deny_all, {.allow = true, .access = "rwm"}};
	len = linux_devices_bpf_build(open_all, 2, prog, 512);
	assert_int_equal(len, 9); /* 7 loads + mov + exit: nothing unreachable */
	assert_int_equal(run_program(prog, len, BLK, R | W, 8, 0), 1);
	/* no room: an error, not a truncated program */
	assert_int_equal(linux_devices_bpf_build(rules, 5, prog, 10), -1);
}

/* ---- the real kernel: load, attach, open (root + cgroup2) -------- */

static const char *cgroup2_root(void)
{
	static const char *const candidates[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
	for (size_t i = 0; i < 2; i++)
		if (access(candidates[i], F_OK) == 0) {
			char probe[128];
			snprintf(probe, sizeof probe, "%s/cgroup.subtree_control", candidates[i]);
			if (access(probe, F_OK) == 0)
				return candidates[i];
		}
	return NULL;
}

static int child_open(const char *dir, const char *dev)
{
	pid_t pid = fork();
	if (pid == 0) {
		char procs[PATH_MAX], me[16];
		snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
		snprintf(me, sizeof me, "%d", getpid());
		struct keel_error err;
		if (linux_write_file(procs, me, &err) < 0)
			_exit(2);
		int fd = open(dev, O_RDONLY);
		_exit(fd >= 0 ? 0 : errno == EPERM ? 1 : 3);
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void bpf_filter_in_the_kernel(void **state)
{
	(void)state;
	const char *root = cgroup2_root();
	if (geteuid() != 0 || !root || access("/dev/loop0", F_OK) != 0)
		skip();
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/keel-unit-devbpf-%d", root, getpid());
	assert_int_equal(mkdir(dir, 0755), 0);
	struct oci_device_rule deny_all = {.allow = false, .access = "rwm"};
	size_t n;
	struct oci_resources r = {.devices = &deny_all, .devices_len = 1};
	cleanup_free struct oci_device_rule *rules = linux_device_rules_effective(&r, NULL, &n);
	struct keel_error err = {0};
	int rc = linux_devices_bpf_apply(dir, rules, n, &err);
	if (rc == 0) {
		assert_int_equal(child_open(dir, "/dev/null"), 0);  /* default allow list */
		assert_int_equal(child_open(dir, "/dev/loop0"), 1); /* b 7:0: not in it */
	}
	rmdir(dir);
	if (rc < 0)
		fail_msg("%s", err.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(shares_to_weight),
	    cmocka_unit_test(blkio_to_io_weight),
	    cmocka_unit_test(swap_v2),
	    cmocka_unit_test(cpu_max),
	    cmocka_unit_test(hugepage_names),
	    cmocka_unit_test_setup_teardown(controller_lookup, scratch_setup, scratch_teardown),
	    cmocka_unit_test_setup_teardown(v1_values_reach_files, scratch_setup, scratch_teardown),
	    cmocka_unit_test_setup_teardown(missing_file_names_field_and_file, scratch_setup,
					    scratch_teardown),
	    cmocka_unit_test_setup_teardown(rdma_reaches_rdma_max, scratch_setup, scratch_teardown),
	    cmocka_unit_test_setup_teardown(unified_needs_v2, scratch_setup, scratch_teardown),
	    cmocka_unit_test_setup_teardown(devices_v1_rules, scratch_setup, scratch_teardown),
	    cmocka_unit_test(bpf_program_decides_like_the_rules),
	    cmocka_unit_test(bpf_filter_in_the_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
