/* Unit tests for src/oci: config.json parsing (fields and errors with their
 * path and position), state documents, the default spec and features. */
#include <errno.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "oci/config.h"
#include "oci/json_pos.h"
#include "oci/spec.h"
#include "oci/state.h"

static struct oci_config *parse_ok(const char *json)
{
	struct oci_config *c = NULL;
	struct keel_error err = {0};
	int rc = oci_config_parse("config.json", json, strlen(json), "/bundle", &c, &err);
	if (rc < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(c);
	return c;
}

static void assert_parse_error(const char *json, const char *expected)
{
	struct oci_config *c = (struct oci_config *)1;
	struct keel_error err = {0};
	assert_int_equal(oci_config_parse("config.json", json, strlen(json), "/bundle", &c, &err),
			 -1);
	assert_null(c);
	assert_string_equal(err.msg, expected);
}

/* ---- valid documents land in the right fields ---- */

static void minimal_config_has_only_version(void **state)
{
	struct oci_config *c = parse_ok("{\"ociVersion\": \"1.1.0\"}");
	assert_string_equal(c->oci_version, "1.1.0");
	assert_false(c->has_process);
	assert_false(c->has_root);
	assert_false(c->has_linux);
	assert_int_equal(c->mounts_len, 0);
	oci_config_free(c);
}

static const char full_config[] =
    "{\n"
    "  \"ociVersion\": \"1.1.0\",\n"
    "  \"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    "  \"hostname\": \"web1\", \"domainname\": \"example.org\",\n"
    "  \"annotations\": {\"a.b\": \"c\", \"x\": \"y\"},\n"
    "  \"unknownTopLevel\": {\"ignored\": [1, 2, {\"deep\": null}]},\n"
    "  \"mounts\": [\n"
    "    {\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "    {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv\",\n"
    "     \"options\": [\"rbind\", \"ro\"],\n"
    "     \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 65536}]}\n"
    "  ],\n"
    "  \"process\": {\n"
    "    \"terminal\": true, \"consoleSize\": {\"height\": 24, \"width\": 80},\n"
    "    \"user\": {\"uid\": 1, \"gid\": 2, \"umask\": 18, \"additionalGids\": [5, 6]},\n"
    "    \"args\": [\"sh\", \"-c\", \"echo hi\"], \"env\": [\"PATH=/bin\"], \"cwd\": \"/\",\n"
    "    \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHECKPOINT_RESTORE\"],\n"
    "                     \"effective\": [\"cap_chown\"]},\n"
    "    \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 512},\n"
    "                {\"type\": \"RLIMIT_CORE\", \"hard\": 18446744073709551615, \"soft\": 0}],\n"
    "    \"noNewPrivileges\": true, \"oomScoreAdj\": -500,\n"
    "    \"scheduler\": {\"policy\": \"SCHED_BATCH\", \"nice\": 5},\n"
    "    \"ioPriority\": {\"class\": \"IOPRIO_CLASS_BE\", \"priority\": 4},\n"
    "    \"execCPUAffinity\": {\"initial\": \"0\", \"final\": \"0-1\"}\n"
    "  },\n"
    "  \"hooks\": {\"poststop\": [{\"path\": \"/bin/true\", \"args\": [\"true\"], "
    "\"timeout\": 5}]},\n"
    "  \"linux\": {\n"
    "    \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\", \"path\": "
    "\"/proc/1/ns/net\"},\n"
    "                   {\"type\": \"uts\"}, {\"type\": \"user\"}, {\"type\": \"time\"}],\n"
    "    \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],\n"
    "    \"timeOffsets\": {\"monotonic\": {\"secs\": -5, \"nanosecs\": 7}},\n"
    "    \"devices\": [{\"type\": \"c\", \"path\": \"/dev/fuse\", \"major\": 10, \"minor\": 229,\n"
    "                 \"fileMode\": 438, \"uid\": 0}],\n"
    "    \"cgroupsPath\": \"/keel/web1\",\n"
    "    \"resources\": {\n"
    "      \"devices\": [{\"allow\": false, \"access\": \"rwm\"},\n"
    "                  {\"allow\": true, \"type\": \"c\", \"major\": 1, \"minor\": 3}],\n"
    "      \"memory\": {\"limit\": -1, \"reservation\": 0, \"swappiness\": "
    "18446744073709551615,\n"
    "                 \"disableOOMKiller\": false},\n"
    "      \"cpu\": {\"shares\": 1024, \"quota\": -1, \"cpus\": \"0-1\"},\n"
    "      \"pids\": {\"limit\": 100},\n"
    "      \"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 8, "
    "\"minor\": 0, \"rate\": 1048576}]},\n"
    "      \"hugepageLimits\": [{\"pageSize\": \"2MB\", \"limit\": 0}],\n"
    "      \"network\": {\"classID\": 1, \"priorities\": [{\"name\": \"eth0\", \"priority\": "
    "3}]},\n"
    "      \"rdma\": {\"mlx5_0\": {\"hcaHandles\": 3}},\n"
    "      \"unified\": {\"memory.high\": \"1G\"}\n"
    "    },\n"
    "    \"intelRdt\": {\"closID\": \"guaranteed\"},\n"
    "    \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"},\n"
    "    \"seccomp\": {\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
    "      \"architectures\": [\"SCMP_ARCH_X86_64\"], \"flags\": "
    "[\"SECCOMP_FILTER_FLAG_LOG\"],\n"
    "      \"syscalls\": [{\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
    "                   {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
    "                    \"args\": [{\"index\": 0, \"value\": 4294967295, \"op\": "
    "\"SCMP_CMP_EQ\"}]}]},\n"
    "    \"rootfsPropagation\": \"rslave\",\n"
    "    \"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"],\n"
    "    \"mountLabel\": \"system_u\",\n"
    "    \"personality\": {\"domain\": \"LINUX32\"}\n"
    "  }\n"
    "}\n";

static void full_config_top_level_and_mounts(void **state)
{
	struct oci_config *c = parse_ok(full_config);
	assert_string_equal(c->root.path, "/bundle/rootfs");
	assert_true(c->root.readonly);
	assert_string_equal(c->hostname, "web1");
	assert_string_equal(c->domainname, "example.org");
	assert_int_equal(c->annotations.len, 2);
	assert_string_equal(oci_map_get(&c->annotations, "a.b"), "c");
	assert_int_equal(c->mounts_len, 2);
	assert_string_equal(c->mounts[1].destination, "/data");
	assert_int_equal(c->mounts[1].options.len, 2);
	assert_string_equal(c->mounts[1].options.items[1], "ro");
	assert_null(c->mounts[1].options.items[2]);
	assert_int_equal(c->mounts[1].uid_mappings.items[0].host_id, 1000);
	assert_null(c->mounts[0].options.items);
	assert_int_equal(c->hooks.poststop.len, 1);
	assert_int_equal(c->hooks.poststop.items[0].timeout, 5);
	oci_config_free(c);
}

static void full_config_process(void **state)
{
	struct oci_config *c = parse_ok(full_config);
	struct oci_process *p = &c->process;
	assert_true(c->has_process);
	assert_true(p->terminal);
	assert_int_equal(p->console_width, 80);
	assert_int_equal(p->user.gid, 2);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 18);
	assert_int_equal(p->user.additional_gids_len, 2);
	assert_int_equal(p->args.len, 3);
	assert_string_equal(p->args.items[2], "echo hi");
	assert_null(p->args.items[3]);
	assert_int_equal(p->capabilities.bounding, (1ull << 5) | (1ull << 40));
	assert_int_equal(p->capabilities.effective, 1ull << 0);
	assert_int_equal(p->capabilities.ambient, 0);
	assert_int_equal(p->rlimits_len, 2);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 512);
	assert_true(p->rlimits[1].hard == UINT64_MAX);
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -500);
	assert_int_equal(p->scheduler.policy, OCI_SCHED_BATCH);
	assert_int_equal(p->io_priority.class, OCI_IOPRIO_CLASS_BE);
	assert_string_equal(p->exec_cpu_affinity_final, "0-1");
	oci_config_free(c);
}

static void full_config_linux(void **state)
{
	struct oci_config *c = parse_ok(full_config);
	struct oci_linux *l = &c->linux_;
	const char *path = NULL;
	assert_true(oci_config_has_namespace(c, OCI_NS_NETWORK, &path));
	assert_string_equal(path, "/proc/1/ns/net");
	assert_true(oci_config_has_namespace(c, OCI_NS_USER, NULL));
	assert_false(oci_config_has_namespace(c, OCI_NS_IPC, NULL));
	assert_true(l->has_time_offset_monotonic);
	assert_int_equal(l->time_offset_monotonic.secs, -5);
	assert_int_equal(l->devices[0].minor, 229);
	assert_true(l->devices[0].has_uid);
	assert_false(l->devices[0].has_gid);
	assert_int_equal(l->resources.devices_len, 2);
	assert_int_equal(l->resources.devices[0].type, 'a');
	assert_false(l->resources.devices[0].has_major);
	assert_true(l->resources.memory.has_limit);
	assert_int_equal(l->resources.memory.limit, -1);
	assert_false(l->resources.memory.has_swap);
	assert_false(l->resources.memory.has_swappiness); /* uint64(-1) means unset */
	assert_int_equal(l->resources.cpu.quota, -1);
	assert_int_equal(l->resources.pids.limit, 100);
	assert_int_equal(l->resources.block_io.throttle_read_bps.items[0].rate, 1048576);
	assert_int_equal(l->resources.rdma[0].hca_handles, 3);
	assert_false(l->resources.rdma[0].has_hca_objects);
	assert_string_equal(oci_map_get(&l->resources.unified, "memory.high"), "1G");
	assert_int_equal(l->seccomp.default_action, OCI_SECCOMP_ERRNO);
	assert_int_equal(l->seccomp.default_errno_ret, 38);
	assert_int_equal(l->seccomp.syscalls_len, 2);
	assert_int_equal(l->seccomp.syscalls[1].args[0].value, 4294967295u);
	assert_int_equal(l->seccomp.syscalls[1].args[0].op, OCI_SECCOMP_OP_EQ);
	assert_string_equal(l->rootfs_propagation, "rslave");
	assert_string_equal(l->personality.domain, "LINUX32");
	assert_string_equal(oci_map_get(&l->sysctl, "net.ipv4.ip_forward"), "1");
	oci_config_free(c);
}

static void null_means_absent_and_zero_is_present(void **state)
{
	struct oci_config *c =
	    parse_ok("{\"ociVersion\": \"1\", \"hostname\": null, \"linux\": {\"resources\": "
		     "{\"memory\": {\"limit\": 0, \"swap\": null}}}}");
	assert_null(c->hostname);
	assert_true(c->linux_.resources.memory.has_limit);
	assert_int_equal(c->linux_.resources.memory.limit, 0);
	assert_false(c->linux_.resources.memory.has_swap);
	oci_config_free(c);
}

static void empty_arrays_are_present_but_empty(void **state)
{
	struct oci_config *c = parse_ok(
	    "{\"ociVersion\": \"1\", \"mounts\": [], \"process\": {\"args\": [\"x\"], \"cwd\": "
	    "\"/\", \"env\": []}, \"linux\": {\"namespaces\": [], \"maskedPaths\": []}}");
	assert_int_equal(c->mounts_len, 0);
	assert_non_null(c->process.env.items);
	assert_null(c->process.env.items[0]);
	assert_int_equal(c->process.env.len, 0);
	assert_int_equal(c->linux_.namespaces_len, 0);
	oci_config_free(c);
}

static void unicode_strings_and_escaped_keys(void **state)
{
	/* "\u0068ostname" is the key "hostname" written with an escape. */
	struct oci_config *c =
	    parse_ok("{\"ociVersion\": \"1\", \"\\u0068ostname\": "
		     "\"h\\u00e9t\\ud83d\\ude00\", \"annotations\": {\"\xc3\xa9\": "
		     "\"\xe2\x82\xac\"}, \"linux\": {\"namespaces\": [{\"type\": \"uts\"}]}}");
	assert_string_equal(c->hostname, "h\xc3\xa9t\xf0\x9f\x98\x80");
	assert_string_equal(oci_map_get(&c->annotations, "\xc3\xa9"), "\xe2\x82\xac");
	oci_config_free(c);
}

static void absolute_root_is_kept(void **state)
{
	struct oci_config *c =
	    parse_ok("{\"ociVersion\": \"1\", \"root\": {\"path\": \"/var/lib/rootfs\"}}");
	assert_string_equal(c->root.path, "/var/lib/rootfs");
	assert_false(c->root.readonly);
	oci_config_free(c);
}

/* ---- errors name the path and the position ---- */

static void type_error_names_path_line_and_column(void **state)
{
	assert_parse_error("{\n"
			   "  \"ociVersion\": \"1.1.0\",\n"
			   "  \"linux\": {\n"
			   "    \"resources\": {\n"
			   "      \"memory\": {\n"
			   "        \"limit\": \"1G\"\n"
			   "      }\n"
			   "    }\n"
			   "  }\n"
			   "}\n",
			   "config.json: linux.resources.memory.limit: expected integer (line 6, "
			   "column 18)");
}

static void syntax_error_uses_jansson_position(void **state)
{
	struct oci_config *c = NULL;
	struct keel_error err = {0};
	const char *text = "{\n  \"ociVersion\": \"1\",\n  \"hostname\": ,\n}";
	assert_int_equal(oci_config_parse("config.json", text, strlen(text), NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "config.json: "));
	assert_non_null(strstr(err.msg, "(line 3, column"));
}

static void syntax_error_after_a_big_integer(void **state)
{
	struct oci_config *c = NULL;
	struct keel_error err = {0};
	const char *text = "{\"ociVersion\": \"1\", \"x\": 18446744073709551615, \"y\": }";
	assert_int_equal(oci_config_parse("config.json", text, strlen(text), NULL, &c, &err), -1);
	/* The big integer is fine; the missing value is the problem. */
	assert_null(strstr(err.msg, "too big"));
	assert_non_null(strstr(err.msg, "(line 1, column 53)"));
	const char *huge = "{\"ociVersion\": \"1\", \"x\": 1e999}";
	assert_int_equal(oci_config_parse("config.json", huge, strlen(huge), NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "config.json: "));
}

static void duplicate_keys_are_rejected(void **state)
{
	struct oci_config *c = NULL;
	struct keel_error err = {0};
	const char *text = "{\"ociVersion\": \"1\", \"hostname\": \"a\", \"hostname\": \"b\"}";
	assert_int_equal(oci_config_parse("config.json", text, strlen(text), NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "duplicate object key"));
}

static void missing_version_is_reported_at_the_object(void **state)
{
	assert_parse_error("  {\"hostname\": \"x\"}",
			   "config.json: ociVersion: required (line 1, column 3)");
}

static void non_object_document(void **state)
{
	assert_parse_error("[1]", "config.json: expected object (line 1, column 1)");
}

static void process_args_must_be_non_empty(void **state)
{
	assert_parse_error("{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"args\": []}}",
			   "config.json: process.args: must not be empty (line 1, column 53)");
	assert_parse_error("{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\"}}",
			   "config.json: process.args: required (line 1, column 32)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"process\": {\"cwd\": \"/\", \"args\": [\"a\", "
	    "7]}}",
	    "config.json: process.args[1]: expected string (line 1, column 59)");
}

static void relative_cwd_is_rejected(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"process\": {\"args\": [\"a\"], \"cwd\": \"tmp\"}}",
	    "config.json: process.cwd: must be an absolute path (line 1, column 55)");
}

static void namespace_errors(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\",\n\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, "
	    "{\"type\": \"bogus\"}]}}",
	    "config.json: linux.namespaces[1].type: unknown namespace type \"bogus\" (line 2, "
	    "column 52)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\",\n\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, "
	    "{\"type\": \"pid\"}]}}",
	    "config.json: linux.namespaces[1].type: duplicate namespace type \"pid\" (line 2, "
	    "column 52)");
}

static void relative_mount_destination_is_rejected(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"mounts\": [{\"destination\": \"proc\"}]}",
	    "config.json: mounts[0].destination: must be an absolute path (line 1, column 48)");
	assert_parse_error("{\"ociVersion\": \"1\", \"mounts\": [{\"type\": \"proc\"}]}",
			   "config.json: mounts[0].destination: required (line 1, column 32)");
}

/* timeout * 1000 overflowed the runner's int: 4294968 s fired after 0.7 s */
static void hook_timeout_bounds(void **state)
{
	assert_parse_error("{\"ociVersion\": \"1\", \"hooks\": {\"poststop\": [{\"path\": \"/h\", "
			   "\"timeout\": 4294968}]}}",
			   "config.json: hooks.poststop[0].timeout: out of range (max 2147483 "
			   "seconds) (line 1, column 70)");
	assert_parse_error("{\"ociVersion\": \"1\", \"hooks\": {\"prestart\": [{\"path\": \"/h\", "
			   "\"timeout\": 2147484}]}}",
			   "config.json: hooks.prestart[0].timeout: out of range (max 2147483 "
			   "seconds) (line 1, column 70)");
	struct oci_config *c = parse_ok("{\"ociVersion\": \"1\", \"hooks\": {\"prestart\": "
					"[{\"path\": \"/h\", \"timeout\": 2147483}]}}");
	assert_int_equal(c->hooks.prestart.items[0].timeout, 2147483);
	oci_config_free(c);
}

static void rlimit_errors(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
	    "\"rlimits\": [{\"type\": \"RLIMIT_FOO\", \"hard\": 1, \"soft\": 1}]}}",
	    "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\" "
	    "(line 1, column 81)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
	    "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 1}]}}",
	    "config.json: process.rlimits[0].hard: required (line 1, column 72)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", \"rlimits\": "
	    "[{\"type\": \"RLIMIT_CPU\", \"hard\": 1, \"soft\": 1}, {\"type\": \"RLIMIT_CPU\", "
	    "\"hard\": 1, \"soft\": 1}]}}",
	    "config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_CPU\" (line 1, "
	    "column 127)");
}

static void capability_names_are_validated(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
	    "\"capabilities\": {\"ambient\": [\"CAP_KILL\", \"CAP_FLY\"]}}}",
	    "config.json: process.capabilities.ambient[1]: unknown capability \"CAP_FLY\" (line "
	    "1, column 101)");
}

static void seccomp_names_are_validated(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {\"defaultAction\": "
	    "\"SCMP_ACT_NOPE\"}}}",
	    "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\" "
	    "(line 1, column 60)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {\"defaultAction\": "
	    "\"SCMP_ACT_ALLOW\", "
	    "\"syscalls\": [{\"names\": [\"x\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": "
	    "[{\"index\": 1, \"value\": 2, \"op\": \"SCMP_CMP_ABOUT\"}]}]}}}",
	    "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "
	    "\"SCMP_CMP_ABOUT\" (line 1, column 176)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {\"defaultAction\": "
	    "\"SCMP_ACT_ALLOW\", "
	    "\"architectures\": [\"SCMP_ARCH_Z80\"]}}}",
	    "config.json: linux.seccomp.architectures[0]: unknown value \"SCMP_ARCH_Z80\" (line "
	    "1, column 96)");
}

static void huge_numbers(void **state)
{
	/* Beyond uint64 in a uint64 field. */
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"cpu\": {\"shares\": "
	    "18446744073709551616}}}}",
	    "config.json: linux.resources.cpu.shares: integer out of range (line 1, "
	    "column 63)");
	/* Beyond int64 in an int64 field. */
	assert_parse_error("{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"memory\": "
			   "{\"limit\": 9223372036854775808}}}}",
			   "config.json: linux.resources.memory.limit: integer out of range (line "
			   "1, column 65)");
	/* Negative in an unsigned field. */
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"cpu\": {\"shares\": "
	    "-1}}}}",
	    "config.json: linux.resources.cpu.shares: expected non-negative integer "
	    "(line 1, column 63)");
	/* Out of the uint32 range. */
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"process\": {\"args\": [\"a\"], \"cwd\": \"/\", "
	    "\"user\": {\"uid\": 4294967296}}}",
	    "config.json: process.user.uid: integer out of range (max 4294967295) "
	    "(line 1, column 76)");
	/* A real where an integer is expected. */
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"pids\": {\"limit\": "
	    "1.5}}}}",
	    "config.json: linux.resources.pids.limit: expected integer (line 1, "
	    "column 63)");
	/* Memory amounts below -1 mean nothing. */
	assert_parse_error("{\"ociVersion\": \"1\", \"linux\": {\"resources\": {\"memory\": "
			   "{\"swap\": -2}}}}",
			   "config.json: linux.resources.memory.swap: must be -1 (unlimited) or >= "
			   "0 (line 1, column 64)");
}

static void exact_uint64_extremes(void **state)
{
	struct oci_config *c = parse_ok(
	    "{\"ociVersion\": \"1\", \"linux\": {\"seccomp\": {\"defaultAction\": "
	    "\"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"x\"], \"action\": "
	    "\"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 5, \"value\": 18446744073709551614, "
	    "\"valueTwo\": 9223372036854775808, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}, "
	    "\"resources\": {\"cpu\": {\"quota\": -9223372036854775808}}}}");
	struct oci_seccomp_arg *a = &c->linux_.seccomp.syscalls[0].args[0];
	assert_true(a->value == UINT64_MAX - 1);
	assert_true(a->value_two == (1ull << 63));
	assert_true(c->linux_.resources.cpu.quota == INT64_MIN);
	oci_config_free(c);
}

static void column_counts_characters_not_bytes(void **state)
{
	/* "é€" is 5 bytes but 2 characters before the bad value. */
	assert_parse_error(
	    "{\"annotations\": {\"\xc3\xa9\xe2\x82\xac\": 1}, \"ociVersion\": \"1\"}",
	    "config.json: annotations.\xc3\xa9\xe2\x82\xac: expected string (line 1, "
	    "column 24)");
}

static void odd_keys_are_quoted_in_paths(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"annotations\": {\"a.b\": false}}",
	    "config.json: annotations[\"a.b\"]: expected string (line 1, column 44)");
}

static void deep_nesting_does_not_crash(void **state)
{
	/* Inside an unknown key: ignored when jansson accepts the depth, a
	 * clean error when it does not. */
	for (size_t depth = 100; depth <= 100000; depth *= 1000) {
		size_t len = 2 * depth + 64;
		cleanup_free char *text = malloc(len);
		assert_non_null(text);
		size_t n = (size_t)sprintf(text, "{\"ociVersion\": \"1\", \"x\": ");
		memset(text + n, '[', depth);
		memset(text + n + depth, ']', depth);
		strcpy(text + n + 2 * depth, "}");
		struct oci_config *c = NULL;
		struct keel_error err = {0};
		int rc = oci_config_parse("config.json", text, strlen(text), NULL, &c, &err);
		if (depth == 100) {
			assert_int_equal(rc, 0);
			oci_config_free(c);
		} else {
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err.msg, "config.json: "));
		}
	}
}

static void unknown_values_in_enumerations(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"rootfsPropagation\": \"sideways\"}}",
	    "config.json: linux.rootfsPropagation: unknown value \"sideways\" (line 1, "
	    "column 52)");
	assert_parse_error("{\"ociVersion\": \"1\", \"linux\": {\"devices\": [{\"type\": \"x\", "
			   "\"path\": \"/dev/x\"}]}}",
			   "config.json: linux.devices[0].type: must be one of c, b, u, p (line 1, "
			   "column 52)");
	assert_parse_error("{\"ociVersion\": \"1\", \"linux\": {\"timeOffsets\": {\"realtime\": "
			   "{\"secs\": 1}}}}",
			   "config.json: linux.timeOffsets.realtime: unknown clock (boottime or "
			   "monotonic) (line 1, column 59)");
}

static void wrong_container_types(void **state)
{
	assert_parse_error("{\"ociVersion\": \"1\", \"process\": []}",
			   "config.json: process: expected object (line 1, column 32)");
	assert_parse_error("{\"ociVersion\": \"1\", \"mounts\": {}}",
			   "config.json: mounts: expected array (line 1, column 31)");
	assert_parse_error("{\"ociVersion\": 1.1}",
			   "config.json: ociVersion: expected string (line 1, column 16)");
	assert_parse_error("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\", \"readonly\": "
			   "\"yes\"}}",
			   "config.json: root.readonly: expected boolean (line 1, column 55)");
}

static void load_from_bundle_directory(void **state)
{
	char dir[] = "/tmp/test-oci-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128];
	snprintf(path, sizeof path, "%s/config.json", dir);
	struct oci_config *c = NULL;
	struct keel_error err = {0};
	assert_int_equal(oci_config_load(dir, &c, &err), -1);
	assert_int_equal(err.errnum, ENOENT);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"rootfs\"}}", f);
	fclose(f);
	assert_int_equal(oci_config_load(dir, &c, &err), 0);
	char expected[160];
	snprintf(expected, sizeof expected, "%s/rootfs", dir);
	assert_string_equal(c->root.path, expected);
	oci_config_free(c);
	unlink(path);
	rmdir(dir);
}

static void unreadable_files_are_reported_by_path(void **state)
{
	struct oci_config *c = NULL;
	struct oci_process *p = NULL;
	struct keel_error err = {0};
	assert_int_equal(oci_config_load_file("/tmp", NULL, &c, &err), -1);
	assert_string_equal(err.msg, "/tmp: not a regular file");
	assert_int_equal(oci_process_load_file("/nonexistent/process.json", &p, &err), -1);
	assert_string_equal(err.msg, "/nonexistent/process.json: No such file or directory");
	assert_null(c);
	assert_null(p);
}

static void settings_need_their_namespace(void **state)
{
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"hostname\": \"h\"}",
	    "config.json: hostname: setting the hostname requires a uts namespace in "
	    "linux.namespaces (line 1, column 33)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"namespaces\": [{\"type\": "
	    "\"pid\"}], \"gidMappings\": [{\"containerID\": 0, \"hostID\": 1, "
	    "\"size\": 1}]}}",
	    "config.json: linux.gidMappings: gidMappings requires a user namespace in "
	    "linux.namespaces (line 1, column 79)");
	assert_parse_error(
	    "{\"ociVersion\": \"1\", \"linux\": {\"timeOffsets\": {\"boottime\": {}}}}",
	    "config.json: linux.timeOffsets: timeOffsets requires a time namespace in "
	    "linux.namespaces (line 1, column 46)");
	/* Joining a namespace by path counts; an empty hostname needs nothing. */
	struct oci_config *c =
	    parse_ok("{\"ociVersion\": \"1\", \"hostname\": \"\", \"domainname\": "
		     "\"d\", \"linux\": {\"namespaces\": [{\"type\": \"uts\", "
		     "\"path\": \"/proc/1/ns/uts\"}]}}");
	oci_config_free(c);
}

static void process_json_for_exec(void **state)
{
	const char *text = "{\"args\": [\"ls\"], \"cwd\": \"/tmp\", \"env\": [\"A=1\"], "
			   "\"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\"]}}";
	struct oci_process *p = NULL;
	struct keel_error err = {0};
	assert_int_equal(oci_process_parse(NULL, text, strlen(text), &p, &err), 0);
	assert_string_equal(p->args.items[0], "ls");
	assert_int_equal(p->capabilities.bounding, 1ull << 21);
	oci_process_free(p);
	text = "{\"cwd\": \"/\"}";
	assert_int_equal(oci_process_parse(NULL, text, strlen(text), &p, &err), -1);
	assert_string_equal(err.msg, "process.json: args: required (line 1, column 1)");
}

static void hooks_copy_is_deep(void **state)
{
	struct oci_config *c = parse_ok(full_config);
	struct oci_hooks copy;
	struct keel_error err = {0};
	assert_int_equal(oci_hooks_copy(&copy, &c->hooks, &err), 0);
	oci_config_free(c);
	assert_int_equal(copy.poststop.len, 1);
	assert_string_equal(copy.poststop.items[0].path, "/bin/true");
	assert_string_equal(copy.poststop.items[0].args.items[0], "true");
	oci_hooks_clear(&copy);
}

static void name_tables_round_trip(void **state)
{
	for (int i = 0; i <= OCI_CAP_LAST; i++)
		assert_int_equal(oci_cap_parse(oci_cap_name(i)), i);
	assert_int_equal(oci_cap_parse("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(oci_cap_parse("CHOWN"), -1);
	assert_null(oci_cap_name(41));
	for (int i = 0; i < OCI_NS_COUNT; i++)
		assert_int_equal(oci_namespace_type_parse(oci_namespace_type_name(i)), i);
	assert_int_equal(oci_rlimit_parse("RLIMIT_RTTIME"), RLIMIT_RTTIME);
	assert_string_equal(oci_rlimit_name(RLIMIT_NOFILE), "RLIMIT_NOFILE");
	assert_int_equal(oci_seccomp_action_parse("SCMP_ACT_NOTIFY"), OCI_SECCOMP_NOTIFY);
	assert_int_equal(oci_seccomp_op_parse("SCMP_CMP_MASKED_EQ"), OCI_SECCOMP_OP_MASKED_EQ);
}

static void widening_keeps_length_and_value(void **state)
{
	char text[] = "[18446744073709551615, -9223372036854775809, 9223372036854775807, \"1"
		      "8446744073709551615\"]";
	size_t len = strlen(text);
	assert_int_equal(json_pos_widen_big_integers(text, len), 2);
	assert_int_equal(strlen(text), len);
	assert_string_equal(text, "[1.844674407370955e19, -9.22337203685477e18, "
				  "9223372036854775807, \"18446744073709551615\"]");
}

/* ---- state ---- */

static void fill_state(struct oci_state *s, char *created)
{
	static char id[] = "web1", bundle[] = "/b", rootfs[] = "/b/rootfs", owner[] = "";
	static char cgroup_ctl[] = "memory", cgroup_path[] = "/sys/fs/cgroup/memory/keel/web1";
	static char ns_path[] = "/proc/42/ns/pid";
	static char key[] = "k", value[] = "v";
	static char *keys[] = {key}, *values[] = {value};
	static struct oci_cgroup_path cgroups[] = {{cgroup_ctl, cgroup_path}};
	static struct oci_namespace nss[] = {{OCI_NS_PID, ns_path}};
	memset(s, 0, sizeof *s);
	s->id = id;
	s->status = OCI_STATUS_CREATED;
	s->pid = 42;
	s->pid_start_time = 123456789;
	s->bundle = bundle;
	s->rootfs = rootfs;
	s->created = created;
	s->owner = owner;
	s->cgroups = cgroups;
	s->cgroups_len = 1;
	s->namespaces = nss;
	s->namespaces_len = 1;
	s->terminal = true;
	s->annotations = (struct oci_map){keys, values, 1};
}

static void state_write_read_round_trip(void **state)
{
	char dir[] = "/tmp/test-oci-state-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char created[40];
	oci_state_now(created, sizeof created);
	assert_int_equal(strlen(created), 30); /* 2026-11-26T05:12:46.123456789Z */
	struct oci_state s;
	fill_state(&s, created);
	struct oci_config *c = parse_ok(full_config);
	struct keel_error err = {0};
	assert_int_equal(oci_hooks_copy(&s.hooks, &c->hooks, &err), 0);
	s.has_hooks = true;
	oci_config_free(c);
	assert_int_equal(oci_state_write(dir, &s, &err), 0);
	oci_hooks_clear(&s.hooks);

	struct oci_state *r = NULL;
	assert_int_equal(oci_state_read(dir, &r, &err), 0);
	assert_string_equal(r->id, "web1");
	assert_int_equal(r->status, OCI_STATUS_CREATED);
	assert_int_equal(r->pid, 42);
	assert_int_equal(r->pid_start_time, 123456789);
	assert_string_equal(r->rootfs, "/b/rootfs");
	assert_string_equal(r->created, created);
	assert_string_equal(r->cgroups[0].path, "/sys/fs/cgroup/memory/keel/web1");
	assert_int_equal(r->namespaces[0].type, OCI_NS_PID);
	assert_true(r->terminal);
	assert_false(r->rootless);
	assert_int_equal(r->hooks.poststop.len, 1);
	assert_int_equal(r->hooks.poststop.items[0].timeout, 5);
	assert_string_equal(oci_map_get(&r->annotations, "k"), "v");
	oci_state_free(r);

	char path[128];
	snprintf(path, sizeof path, "%s/state.json", dir);
	unlink(path);
	assert_int_equal(rmdir(dir), 0); /* no temp file left behind */
}

static void state_spec_document(void **state)
{
	struct oci_state s;
	char created[] = "2026-01-01T00:00:00.000000001Z";
	fill_state(&s, created);
	cleanup_free char *text = oci_state_spec_json(&s);
	assert_non_null(text);
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "ociVersion")), OCI_VERSION);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "created");
	assert_int_equal(json_integer_value(json_object_get(doc, "pid")), 42);
	assert_string_equal(json_string_value(json_object_get(doc, "bundle")), "/b");
	assert_string_equal(json_string_value(json_object_get(doc, "created")), created);
	assert_non_null(json_object_get(doc, "owner"));
	assert_null(json_object_get(doc, "pidStartTime")); /* keel's own, not the spec's */
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(doc, "annotations"), "k")), "v");
	json_decref(doc);
	cleanup_free char *compact = oci_state_spec_json_compact(&s);
	assert_null(strchr(compact, '\n'));
}

static void state_reader_rejects_bad_files(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
	    {"{\"id\": \"a\", \"status\": \"dancing\"}",
	     "state.json: status: unknown value \"dancing\" (line 1, column 23)"},
	    {"{\"id\": \"a\", \"status\": \"running\", \"pid\": -4}",
	     "state.json: pid: must not be negative (line 1, column 41)"},
	    /* a pid without its start time would name whatever process has it */
	    {"{\"id\": \"a\", \"status\": \"running\", \"pid\": 77}",
	     "state.json: pidStartTime: required with a pid (line 1, column 1)"},
	    {"{\"id\": \"a\", \"status\": \"running\", \"pid\": 77, \"pidStartTime\": 0}",
	     "state.json: pidStartTime: required with a pid (line 1, column 61)"},
	    /* kill --all signals what <path>/cgroup.procs lists, delete removes it */
	    {"{\"id\": \"a\", \"status\": \"stopped\", \"cgroups\": [{\"controller\": \"\", "
	     "\"path\": \"/tmp/x\"}]}",
	     "state.json: cgroups[0].path: not a directory under /sys/fs/cgroup (line 1, column "
	     "73)"},
	    {"{\"id\": \"a\", \"status\": \"stopped\", \"cgroups\": [{\"controller\": \"\", "
	     "\"path\": \"/sys/fs/cgroup/../../tmp\"}]}",
	     "state.json: cgroups[0].path: not a directory under /sys/fs/cgroup (line 1, column "
	     "73)"},
	    {"{\"id\": \"a\", \"status\": \"stopped\", \"cgroups\": [{\"controller\": \"\", "
	     "\"path\": \"/sys/fs/cgroupx\"}]}",
	     "state.json: cgroups[0].path: not a directory under /sys/fs/cgroup (line 1, column "
	     "73)"},
	    {"{\"id\": \"../x\", \"status\": \"running\"}",
	     "state.json: id: invalid container id (line 1, column 8)"},
	    {"{\"status\": \"running\"}", "state.json: id: required (line 1, column 1)"},
	    {"{\"id\": \"a\", \"status\": \"running\", \"cgroups\": [{\"controller\": \"\", "
	     "\"path\": \"x\"}]}",
	     "state.json: cgroups[0].path: must be an absolute path (line 1, column 73)"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct oci_state *s = NULL;
		struct keel_error err = {0};
		assert_int_equal(oci_state_parse(cases[i].text, strlen(cases[i].text), &s, &err),
				 -1);
		assert_null(s);
		assert_string_equal(err.msg, cases[i].msg);
	}
}

static void own_start_time_is_readable(void **state)
{
	uint64_t t1 = 0, t2 = 0;
	struct keel_error err = {0};
	assert_int_equal(oci_proc_start_time(getpid(), &t1, &err), 0);
	assert_int_equal(oci_proc_start_time(getpid(), &t2, &err), 0);
	assert_true(t1 > 0);
	assert_true(t1 == t2);
	assert_int_equal(oci_proc_start_time(1, &t2, &err), 0);
	assert_true(t2 <= t1); /* init started before us */
	assert_int_equal(oci_proc_start_time(0x7ffffff0, &t2, &err), -1);
}

static void status_names_round_trip(void **state)
{
	for (int i = OCI_STATUS_CREATING; i <= OCI_STATUS_STOPPED; i++)
		assert_int_equal(oci_status_parse(oci_status_name(i)), i);
	assert_int_equal(oci_status_parse("Running"), -1);
}

/* ---- spec and features ---- */

static void default_spec_parses_back(void **state)
{
	cleanup_free char *text = oci_spec_default_json(false, 0, 0);
	assert_non_null(text);
	assert_int_equal(text[1], '\n');
	assert_int_equal(text[2], '\t'); /* tab indented like runc's */
	struct oci_config *c = parse_ok(text);
	assert_string_equal(c->oci_version, OCI_VERSION);
	assert_string_equal(c->process.args.items[0], "sh");
	assert_true(c->process.terminal);
	oci_cap_mask caps = (1ull << 29) | (1ull << 5) | (1ull << 10);
	assert_true(c->process.capabilities.bounding == caps);
	assert_true(c->process.capabilities.permitted == caps);
	assert_int_equal(c->process.rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(c->process.rlimits[0].hard, 1024);
	assert_int_equal(c->mounts_len, 7);
	assert_string_equal(c->mounts[6].destination, "/sys/fs/cgroup");
	assert_true(oci_config_has_namespace(c, OCI_NS_NETWORK, NULL));
	assert_true(oci_config_has_namespace(c, OCI_NS_CGROUP, NULL));
	assert_false(oci_config_has_namespace(c, OCI_NS_USER, NULL));
	assert_string_equal(c->root.path, "/bundle/rootfs");
	assert_true(c->linux_.masked_paths.len >= 10);
	assert_int_equal(c->linux_.readonly_paths.len, 5);
	oci_config_free(c);
}

static void rootless_spec_maps_the_caller(void **state)
{
	cleanup_free char *text = oci_spec_default_json(true, 1000, 1001);
	struct oci_config *c = parse_ok(text);
	assert_true(oci_config_has_namespace(c, OCI_NS_USER, NULL));
	assert_false(oci_config_has_namespace(c, OCI_NS_NETWORK, NULL));
	assert_int_equal(c->linux_.uid_mappings.items[0].host_id, 1000);
	assert_int_equal(c->linux_.gid_mappings.items[0].host_id, 1001);
	assert_int_equal(c->linux_.uid_mappings.items[0].container_id, 0);
	assert_int_equal(c->mounts_len, 6); /* no cgroup mount */
	assert_string_equal(c->mounts[5].destination, "/sys");
	assert_string_equal(c->mounts[5].options.items[0], "rbind");
	assert_false(c->linux_.has_resources);
	oci_config_free(c);
}

static void features_document(void **state)
{
	cleanup_free char *text = oci_features_json();
	assert_non_null(text);
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "ociVersionMax")), OCI_VERSION);
	json_t *linux_ = json_object_get(doc, "linux");
	assert_int_equal(json_array_size(json_object_get(linux_, "namespaces")), OCI_NS_COUNT);
	assert_int_equal(json_array_size(json_object_get(linux_, "capabilities")),
			 OCI_CAP_LAST + 1);
	json_t *seccomp = json_object_get(linux_, "seccomp");
	assert_true(json_is_true(json_object_get(seccomp, "enabled")));
	assert_int_equal(json_array_size(json_object_get(seccomp, "actions")), 9);
	assert_int_equal(json_array_size(json_object_get(seccomp, "operators")), 7);
	json_t *supported = json_object_get(seccomp, "supportedFlags");
	assert_int_equal(json_array_size(supported), 4);
	assert_string_equal(json_string_value(json_array_get(supported, 3)),
			    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
	assert_true(json_is_boolean(json_object_get(json_object_get(linux_, "cgroup"), "v2")));
	assert_int_equal(json_array_size(json_object_get(doc, "hooks")), 6);
	assert_non_null(json_object_get(json_object_get(linux_, "mountExtensions"), "idmap"));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(minimal_config_has_only_version),
	    cmocka_unit_test(full_config_top_level_and_mounts),
	    cmocka_unit_test(full_config_process),
	    cmocka_unit_test(full_config_linux),
	    cmocka_unit_test(null_means_absent_and_zero_is_present),
	    cmocka_unit_test(empty_arrays_are_present_but_empty),
	    cmocka_unit_test(unicode_strings_and_escaped_keys),
	    cmocka_unit_test(absolute_root_is_kept),
	    cmocka_unit_test(type_error_names_path_line_and_column),
	    cmocka_unit_test(syntax_error_uses_jansson_position),
	    cmocka_unit_test(syntax_error_after_a_big_integer),
	    cmocka_unit_test(duplicate_keys_are_rejected),
	    cmocka_unit_test(missing_version_is_reported_at_the_object),
	    cmocka_unit_test(non_object_document),
	    cmocka_unit_test(process_args_must_be_non_empty),
	    cmocka_unit_test(relative_cwd_is_rejected),
	    cmocka_unit_test(namespace_errors),
	    cmocka_unit_test(relative_mount_destination_is_rejected),
	    cmocka_unit_test(hook_timeout_bounds),
	    cmocka_unit_test(rlimit_errors),
	    cmocka_unit_test(capability_names_are_validated),
	    cmocka_unit_test(seccomp_names_are_validated),
	    cmocka_unit_test(huge_numbers),
	    cmocka_unit_test(exact_uint64_extremes),
	    cmocka_unit_test(column_counts_characters_not_bytes),
	    cmocka_unit_test(odd_keys_are_quoted_in_paths),
	    cmocka_unit_test(deep_nesting_does_not_crash),
	    cmocka_unit_test(unknown_values_in_enumerations),
	    cmocka_unit_test(wrong_container_types),
	    cmocka_unit_test(load_from_bundle_directory),
	    cmocka_unit_test(unreadable_files_are_reported_by_path),
	    cmocka_unit_test(settings_need_their_namespace),
	    cmocka_unit_test(process_json_for_exec),
	    cmocka_unit_test(hooks_copy_is_deep),
	    cmocka_unit_test(name_tables_round_trip),
	    cmocka_unit_test(widening_keeps_length_and_value),
	    cmocka_unit_test(state_write_read_round_trip),
	    cmocka_unit_test(state_spec_document),
	    cmocka_unit_test(state_reader_rejects_bad_files),
	    cmocka_unit_test(own_start_time_is_readable),
	    cmocka_unit_test(status_names_round_trip),
	    cmocka_unit_test(default_spec_parses_back),
	    cmocka_unit_test(rootless_spec_maps_the_caller),
	    cmocka_unit_test(features_document),
	};
	return cmocka_run_group_tests_name("oci", tests, NULL, NULL);
}
