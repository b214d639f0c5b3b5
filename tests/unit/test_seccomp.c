/* Unit tests for src/linux seccomp: translation of actions, operators,
 * architectures and flags; runc's rule semantics (unknown names skipped,
 * default-action rules skipped, repeated argument index = OR); errors that
 * name the JSON path; and filters compiled from a config and loaded in a
 * forked child against the real kernel (no mocks). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/seccomp_filter.h"
#include "linux/terminal.h"

/* ---- helpers ----------------------------------------------------- */

/* A config whose linux.seccomp is the given JSON object. */
static struct oci_config *config_with(const char *seccomp_json)
{
	char doc[8192];
	snprintf(doc, sizeof doc, "{\"ociVersion\": \"1.1.0\", \"linux\": {\"seccomp\": %s}}",
		 seccomp_json);
	struct oci_config *config = NULL;
	struct keel_error err = {0};
	int rc = oci_config_parse("config.json", doc, strlen(doc), NULL, &config, &err);
	if (rc < 0)
		fail_msg("config did not parse: %s", err.msg);
	assert_true(config->linux_.has_seccomp);
	return config;
}

static void compile_ok(const struct oci_config *config, struct linux_seccomp *filter)
{
	struct keel_error err = {0};
	if (linux_seccomp_compile(&config->linux_.seccomp, filter, &err) < 0)
		fail_msg("compile failed: %s", err.msg);
	assert_non_null(filter->insns);
	assert_true(filter->len > 0);
}

/* Compiling must fail with exactly this message. */
static void compile_fails(const struct oci_config *config, const char *msg)
{
	struct linux_seccomp filter;
	struct keel_error err = {0};
	assert_int_equal(linux_seccomp_compile(&config->linux_.seccomp, &filter, &err), -1);
	assert_string_equal(err.msg, msg);
	assert_null(filter.insns);
}

/* Forks; the child sets no_new_privs, loads the filter, runs probe and
 * exits with its result. Returns the raw wait status. */
static int run_filtered(const struct linux_seccomp *filter, int (*probe)(void))
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct keel_error err;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    linux_seccomp_load(filter, NULL, &err) < 0)
			_exit(200);
		_exit(probe());
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static int exit_code(int status)
{
	if (!WIFEXITED(status))
		fail_msg("child did not exit (status 0x%x)", status);
	return WEXITSTATUS(status);
}

/* errno of a failed syscall as an exit code; 0 on success. */
static int errno_of(long rc)
{
	return rc < 0 ? errno : 0;
}

/* ---- translations ------------------------------------------------ */

static void actions_translate(void **state)
{
	struct keel_error err;
	uint32_t a;
	static const struct {
		enum oci_seccomp_action oci;
		uint32_t scmp;
	} plain[] = {
	    {OCI_SECCOMP_KILL, SCMP_ACT_KILL_THREAD},
	    {OCI_SECCOMP_KILL_THREAD, SCMP_ACT_KILL_THREAD},
	    {OCI_SECCOMP_KILL_PROCESS, SCMP_ACT_KILL_PROCESS},
	    {OCI_SECCOMP_TRAP, SCMP_ACT_TRAP},
	    {OCI_SECCOMP_ALLOW, SCMP_ACT_ALLOW},
	    {OCI_SECCOMP_LOG, SCMP_ACT_LOG},
	    {OCI_SECCOMP_NOTIFY, SCMP_ACT_NOTIFY},
	    {OCI_SECCOMP_ERRNO, SCMP_ACT_ERRNO(EPERM)},
	    {OCI_SECCOMP_TRACE, SCMP_ACT_TRACE(EPERM)},
	};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		assert_int_equal(linux_seccomp_action(plain[i].oci, false, 0, &a, &err), 0);
		assert_int_equal(a, plain[i].scmp);
	}
	assert_int_equal(linux_seccomp_action(OCI_SECCOMP_ERRNO, true, ENOSYS, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_ERRNO(ENOSYS));
	assert_int_equal(linux_seccomp_action(OCI_SECCOMP_TRACE, true, 7, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_TRACE(7));
	/* errnoRet means nothing to the other actions */
	assert_int_equal(linux_seccomp_action(OCI_SECCOMP_ALLOW, true, 99999, &a, &err), 0);
	assert_int_equal(a, SCMP_ACT_ALLOW);
	assert_int_equal(linux_seccomp_action(OCI_SECCOMP_ERRNO, true, 70000, &a, &err), -1);
	assert_string_equal(err.msg, "errnoRet: 70000 out of range (0..65535)");
}

static void operators_translate(void **state)
{
	assert_int_equal(linux_seccomp_op(OCI_SECCOMP_OP_NE), SCMP_CMP_NE);
	assert_int_equal(linux_seccomp_op(OCI_SECCOMP_OP_LT), SCMP_CMP_LT);
	assert_int_equal(linux_seccomp_op(OCI_SECCOMP_OP_LE), SCMP_CMP_LE);
	assert_int_equal(linux_seccomp_op(OCI_SECCOMP_OP_EQ), SCMP_CMP_EQ);
	assert_int_equal(linux_seccomp_op(OCI_SECCOMP_OP_GE), SCMP_CMP_GE);
	assert_int_equal(linux_seccomp_op(OCI_SECCOMP_OP_GT), SCMP_CMP_GT);
	assert_int_equal(linux_seccomp_op(OCI_SECCOMP_OP_MASKED_EQ), SCMP_CMP_MASKED_EQ);
	assert_int_equal(linux_seccomp_op((enum oci_seccomp_op)42), -1);
}

static void architectures_translate(void **state)
{
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_X86_64"), SCMP_ARCH_X86_64);
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_X86"), SCMP_ARCH_X86);
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_X32"), SCMP_ARCH_X32);
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_AARCH64"), SCMP_ARCH_AARCH64);
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_MIPSEL64N32"), SCMP_ARCH_MIPSEL64N32);
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_RISCV64"), SCMP_ARCH_RISCV64);
	assert_int_equal(linux_seccomp_arch("x86_64"), 0);
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_"), 0);
	assert_int_equal(linux_seccomp_arch("SCMP_ARCH_VAX"), 0);
}

static void flags_translate(void **state)
{
	assert_int_equal(linux_seccomp_flag("SECCOMP_FILTER_FLAG_TSYNC"),
			 SECCOMP_FILTER_FLAG_TSYNC);
	assert_int_equal(linux_seccomp_flag("SECCOMP_FILTER_FLAG_LOG"), SECCOMP_FILTER_FLAG_LOG);
	assert_int_equal(linux_seccomp_flag("SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
			 SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	assert_int_equal(linux_seccomp_flag("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), 1u << 5);
	assert_int_equal(linux_seccomp_flag("SECCOMP_FILTER_FLAG_NOPE"), 0);
}

/* ---- compiling --------------------------------------------------- */

static void flags_reach_the_load(void **state)
{
	struct oci_config *c = config_with(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", "
	    "\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\", \"SECCOMP_FILTER_FLAG_TSYNC\"]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	/* TSYNC is dropped: single-threaded init, and NEW_LISTENER refuses it */
	assert_int_equal(f.flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	linux_seccomp_release(&f);
	oci_config_free(c);
}

static void unknown_syscalls_are_skipped(void **state)
{
	struct oci_config *c =
	    config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			"{\"names\": [\"no_such_syscall\", \"mkdir\", \"frobnicate2\"], "
			"\"action\": \"SCMP_ACT_ERRNO\"}]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(f.skipped, 2);
	assert_int_equal(f.rules, 1);
	linux_seccomp_release(&f);
	oci_config_free(c);
}

static void default_action_rules_are_skipped(void **state)
{
	struct oci_config *c = config_with(
	    "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, \"syscalls\": ["
	    "{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 38},"
	    "{\"names\": [\"getpid\", \"exit_group\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(f.rules, 2); /* getpid and exit_group only */
	linux_seccomp_release(&f);
	oci_config_free(c);
}

static void arches_are_added(void **state)
{
	struct oci_config *c = config_with(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\", "
	    "\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"], \"syscalls\": [{\"names\": [\"mkdir\"], "
	    "\"action\": \"SCMP_ACT_ERRNO\"}]}");
	struct linux_seccomp one, three;
	compile_ok(c, &three);
	size_t arches = c->linux_.seccomp.architectures.len;
	c->linux_.seccomp.architectures.len = 0;
	compile_ok(c, &one);
	c->linux_.seccomp.architectures.len = arches; /* for oci_config_free */
	/* each extra architecture brings its own checks */
	assert_true(three.len > one.len);
	linux_seccomp_release(&one);
	linux_seccomp_release(&three);
	oci_config_free(c);
}

static const char *const mkdir_denied =
    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", "
    "\"chmod\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 1, \"value\": 1, "
    "\"op\": \"SCMP_CMP_EQ\"}]}]}";

static void errors_name_the_json_path(void **state)
{
	struct oci_config *c = config_with(mkdir_denied);
	struct oci_seccomp_syscall *sc = &c->linux_.seccomp.syscalls[0];
	sc->args[0].index = 6; /* the parser checks these too; keel must not trust it */
	compile_fails(c, "linux.seccomp.syscalls[0].args[0].index: 6 out of range (0..5)");
	sc->args[0].index = 1;
	sc->args[0].op = (enum oci_seccomp_op)17;
	compile_fails(c, "linux.seccomp.syscalls[0].args[0].op: unknown operator 17");
	sc->args[0].op = OCI_SECCOMP_OP_EQ;
	sc->names.items[1][0] = '\0';
	compile_fails(c, "linux.seccomp.syscalls[0].names[1]: empty name");
	strcpy(sc->names.items[1], "chmod");
	sc->has_errno_ret = true;
	sc->errno_ret = 65536;
	compile_fails(c, "linux.seccomp.syscalls[0]: errnoRet: 65536 out of range (0..65535)");
	oci_config_free(c);

	c = config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
			"[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_SHEB\"]}");
	compile_fails(
	    c, "linux.seccomp.architectures[1]: SCMP_ARCH_SHEB: not supported by libseccomp");
	oci_config_free(c);
}

static void notify_needs_a_listener(void **state)
{
	struct oci_config *c =
	    config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			"{\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}");
	compile_fails(c, "linux.seccomp.listenerPath: required by SCMP_ACT_NOTIFY (syscalls[0])");
	c->linux_.seccomp.listener_path = strdup("/run/l.sock");
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_true(f.notify);
	assert_int_equal(linux_seccomp_when(&f, true), LINUX_SECCOMP_BEFORE_READY);
	assert_int_equal(linux_seccomp_when(&f, false), LINUX_SECCOMP_BEFORE_CAPS);
	linux_seccomp_release(&f);
	c->linux_.seccomp.default_action = OCI_SECCOMP_NOTIFY;
	compile_fails(c, "linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
			 "action");
	oci_config_free(c);

	c = config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/l\", "
			"\"syscalls\": [{\"names\": [\"read\", \"write\"], "
			"\"action\": \"SCMP_ACT_NOTIFY\"}]}");
	compile_fails(c, "linux.seccomp.syscalls[0].names[1]: SCMP_ACT_NOTIFY cannot be used for "
			 "write");
	oci_config_free(c);

	c = config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": "
			"[\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}");
	compile_fails(c, "linux.seccomp.flags[0]: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV needs an "
			 "SCMP_ACT_NOTIFY rule");
	oci_config_free(c);
}

static void without_nnp_load_before_caps(void **state)
{
	struct oci_config *c = config_with(mkdir_denied);
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(linux_seccomp_when(&f, false), LINUX_SECCOMP_BEFORE_CAPS);
	assert_int_equal(linux_seccomp_when(&f, true), LINUX_SECCOMP_BEFORE_EXEC);
	linux_seccomp_release(&f);
	oci_config_free(c);
}

/* ---- filters in a real child ------------------------------------ */

static const char *scratch_dir(void)
{
	static char dir[64];
	snprintf(dir, sizeof dir, "/tmp/keel-seccomp-%d", (int)getpid());
	return dir;
}

static int probe_mkdir(void)
{
	return errno_of(syscall(SYS_mkdir, scratch_dir(), 0700));
}

static int probe_mkdir_mode1(void)
{
	/* the rule denies mode 1 (args[1] == 1) only */
	char path[80];
	snprintf(path, sizeof path, "%s-m1", scratch_dir());
	int e = errno_of(syscall(SYS_mkdir, path, 1));
	rmdir(path);
	return e;
}

static void errno_action_blocks_mkdir(void **state)
{
	struct oci_config *c = config_with(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\", "
	    "\"mkdirat\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(exit_code(run_filtered(&f, probe_mkdir)), EPERM);
	struct stat st;
	assert_int_equal(stat(scratch_dir(), &st), -1);
	linux_seccomp_release(&f);

	/* custom errnoRet */
	c->linux_.seccomp.syscalls[0].has_errno_ret = true;
	c->linux_.seccomp.syscalls[0].errno_ret = ENOSYS;
	compile_ok(c, &f);
	assert_int_equal(exit_code(run_filtered(&f, probe_mkdir)), ENOSYS);
	linux_seccomp_release(&f);
	oci_config_free(c);

	/* negative control: no filter, mkdir works */
	assert_int_equal(probe_mkdir(), 0);
	rmdir(scratch_dir());
}

static void argument_filter_matches_only_its_value(void **state)
{
	struct oci_config *c = config_with(mkdir_denied);
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(exit_code(run_filtered(&f, probe_mkdir_mode1)), EPERM);
	assert_int_equal(exit_code(run_filtered(&f, probe_mkdir)), 0);
	rmdir(scratch_dir());
	linux_seccomp_release(&f);
	oci_config_free(c);
}

static int probe_getpid(void)
{
	syscall(SYS_getpid);
	return 0;
}

static void kill_process_kills_with_sigsys(void **state)
{
	struct oci_config *c =
	    config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
			"{\"names\": [\"getpid\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	int status = run_filtered(&f, probe_getpid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	linux_seccomp_release(&f);
	oci_config_free(c);
}

/* umask never fails on its own: any error comes from the filter. Each
 * probe sets a mask and reports which of them failed, as bits. */
static int probe_umasks(void)
{
	static const mode_t masks[] = {022, 077, 007, 0777};
	int failed = 0;
	for (int i = 0; i < 4; i++)
		if (syscall(SYS_umask, masks[i]) < 0 && errno == EPERM)
			failed |= 1 << i;
	return failed;
}

static void repeated_index_means_any(void **state)
{
	/* two conditions on arg 0: runc splits them, either one matches */
	struct oci_config *c = config_with(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"umask\"], "
	    "\"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
	    "{\"index\": 0, \"value\": 18, \"op\": \"SCMP_CMP_EQ\"},"
	    "{\"index\": 0, \"value\": 63, \"op\": \"SCMP_CMP_EQ\"}]}]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(f.rules, 2);
	assert_int_equal(exit_code(run_filtered(&f, probe_umasks)), 0x3); /* 022 and 077 */
	linux_seccomp_release(&f);
	oci_config_free(c);
}

static void masked_eq_uses_value_two(void **state)
{
	/* (mask & 0700) == 0700 */
	struct oci_config *c = config_with(
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"umask\"], "
	    "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 448, "
	    "\"valueTwo\": 448, \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(exit_code(run_filtered(&f, probe_umasks)), 0x8); /* 0777 only */
	linux_seccomp_release(&f);
	oci_config_free(c);
}

static int probe_getpriority(void)
{
	int a = errno_of(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	int b = errno_of(syscall(SYS_getpriority, PRIO_PROCESS, 999999));
	return (a == EPERM) | (b == EPERM) << 1;
}

static void different_indexes_mean_all(void **state)
{
	/* which == PRIO_PROCESS AND who >= 1000: one rule */
	struct oci_config *c =
	    config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			"[\"getpriority\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": ["
			"{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
			"{\"index\": 1, \"value\": 1000, \"op\": \"SCMP_CMP_GE\"}]}]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	assert_int_equal(f.rules, 1);
	assert_int_equal(exit_code(run_filtered(&f, probe_getpriority)), 0x2);
	linux_seccomp_release(&f);
	oci_config_free(c);
}

/* NOTIFY: the child loads, passes the listener fd up and calls umask(0123);
 * the parent answers that one call with ESRCH. */
static void notify_hands_out_a_listener(void **state)
{
	struct oci_config *c =
	    config_with("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"/x\", "
			"\"syscalls\": [{\"names\": [\"umask\"], \"action\": \"SCMP_ACT_NOTIFY\"}],"
			"\"flags\": [\"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"]}");
	struct linux_seccomp f;
	compile_ok(c, &f);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct keel_error err;
		int fd;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    linux_seccomp_load(&f, &fd, &err) < 0 ||
		    linux_send_fd(sv[1], fd, "s", &err) < 0)
			_exit(200);
		_exit(errno_of(syscall(SYS_umask, 0123)));
	}
	close(sv[1]);
	struct keel_error err;
	int listener = linux_recv_fd(sv[0], &err);
	assert_true(listener >= 0);
	struct seccomp_notif req = {0};
	assert_int_equal(ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
	assert_int_equal(req.pid, pid);
	assert_int_equal(req.data.nr, SYS_umask);
	assert_int_equal(req.data.args[0], 0123);
	struct seccomp_notif_resp resp = {.id = req.id, .error = -ESRCH};
	assert_int_equal(ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(exit_code(status), ESRCH);
	close(listener);
	close(sv[0]);
	linux_seccomp_release(&f);
	oci_config_free(c);
}

static void process_state_json(void **state)
{
	char *text = linux_seccomp_process_state(
	    "meta=1", 42, "{\"ociVersion\": \"1.1.0\", \"id\": \"c1\", \"status\": \"creating\"}");
	assert_non_null(text);
	json_t *doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "ociVersion")), "1.1.0");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "fds"), 0)),
			    "seccompFd");
	assert_int_equal(json_array_size(json_object_get(doc, "fds")), 1);
	assert_int_equal(json_integer_value(json_object_get(doc, "pid")), 42);
	assert_string_equal(json_string_value(json_object_get(doc, "metadata")), "meta=1");
	json_t *st = json_object_get(doc, "state");
	assert_string_equal(json_string_value(json_object_get(st, "id")), "c1");
	json_decref(doc);
	free(text);

	text = linux_seccomp_process_state(NULL, 1, "{}");
	assert_non_null(text);
	assert_null(strstr(text, "metadata"));
	free(text);
	assert_null(linux_seccomp_process_state(NULL, 1, "not json"));
}

/* ---- the rewritten program (seccomp_bpf.c) ---------------------- */

/* Under big_profile(): allowed, denied by a rule, by an argument rule and
 * by the default action (ENOSYS). */
static int probe_big_profile(void)
{
	if (syscall(SYS_getppid) < 0)
		return 1;
	if (errno_of(syscall(SYS_sethostname, "x", 1)) != EPERM)
		return 2;
	if (syscall(SYS_personality, 0xffffffffUL) < 0)
		return 3;
	if (errno_of(syscall(SYS_personality, 1UL)) != ENOSYS)
		return 4;
	if (errno_of(syscall(SYS_mprotect, NULL, 0, 4)) != EACCES)
		return 5;
	return 0;
}

/* The test's own classic BPF interpreter, for what libseccomp and the
 * rewrite emit; anything else fails the test. */
static uint32_t interpret(const struct sock_filter *prog, size_t len, const struct seccomp_data *d)
{
	uint32_t a = 0;
	size_t pc = 0;
	for (size_t steps = 0; steps <= len; steps++) {
		if (pc >= len)
			fail_msg("pc %zu past the end (%zu)", pc, len);
		const struct sock_filter *f = &prog[pc++];
		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (f->k > sizeof *d - 4 || f->k % 4)
				fail_msg("load at %u", f->k);
			memcpy(&a, (const char *)d + f->k, 4);
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			a &= f->k;
			break;
		case BPF_JMP | BPF_JA:
			pc += f->k;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += a == f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGT | BPF_K:
			pc += a > f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += a >= f->k ? f->jt : f->jf;
			break;
		case BPF_JMP | BPF_JSET | BPF_K:
			pc += a & f->k ? f->jt : f->jf;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			fail_msg("instruction %#x at %zu", f->code, pc - 1);
		}
	}
	fail_msg("no verdict");
	return 0;
}

/* A profile of podman's shape, large enough to matter: most x86_64
 * syscalls allowed (every seventh left to the default or denied with
 * EPERM), argument rules with every operator, 32- and 64-bit values, and
 * every action, for x86_64, x86 and x32. */
static char *big_profile(void)
{
	static const char *const special[] = {"personality", "clone",  "socket",      "mmap",
					      "mprotect",    "ioctl",  "kcmp",	      "vhangup",
					      "acct",	     "ptrace", "sethostname", "prctl"};
	size_t cap = 65536, len = 0;
	char *doc = malloc(cap);
	assert_non_null(doc);
	len += (size_t)snprintf(doc + len, cap - len,
				"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38, "
				"\"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\", "
				"\"SCMP_ARCH_X32\"], \"syscalls\": [");
	for (int pass = 0; pass < 2; pass++) {
		len += (size_t)snprintf(doc + len, cap - len, "%s{\"names\": [", pass ? ", " : "");
		bool first = true;
		for (int nr = 0; nr < 460; nr++) {
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
			bool skip = !name;
			for (size_t i = 0; !skip && i < sizeof special / sizeof special[0]; i++)
				skip = strcmp(name, special[i]) == 0;
			bool denied = nr % 7 == 3;
			if (!skip && (pass ? denied && nr % 2 == 0 : !denied)) {
				len += (size_t)snprintf(doc + len, cap - len, "%s\"%s\"",
							first ? "" : ", ", name);
				first = false;
			}
			free(name);
		}
		len += (size_t)snprintf(doc + len, cap - len, "], \"action\": \"%s\"}",
					pass ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
	}
	len += (size_t)snprintf(
	    doc + len, cap - len,
	    ", {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	    "{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"}, "
	    "{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}, "
	    "{\"index\": 0, \"value\": 4294967295, \"op\": \"SCMP_CMP_EQ\"}]}"
	    ", {\"names\": [\"clone\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	    "{\"index\": 0, \"value\": 2114060288, \"valueTwo\": 0, \"op\": "
	    "\"SCMP_CMP_MASKED_EQ\"}]}"
	    ", {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	    "{\"index\": 0, \"value\": 40, \"op\": \"SCMP_CMP_NE\"}]}"
	    ", {\"names\": [\"mmap\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
	    "{\"index\": 2, \"value\": 7, \"op\": \"SCMP_CMP_LE\"}, "
	    "{\"index\": 1, \"value\": 4294967296, \"op\": \"SCMP_CMP_LT\"}]}"
	    ", {\"names\": [\"mprotect\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13, "
	    "\"args\": [{\"index\": 2, \"value\": 4, \"op\": \"SCMP_CMP_GE\"}]}"
	    ", {\"names\": [\"ioctl\"], \"action\": \"SCMP_ACT_LOG\", \"args\": ["
	    "{\"index\": 1, \"value\": 21504, \"op\": \"SCMP_CMP_GT\"}]}"
	    ", {\"names\": [\"kcmp\"], \"action\": \"SCMP_ACT_TRAP\"}"
	    ", {\"names\": [\"vhangup\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}"
	    ", {\"names\": [\"acct\"], \"action\": \"SCMP_ACT_KILL\"}"
	    ", {\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_TRACE\", \"errnoRet\": 3}"
	    ", {\"names\": [\"sethostname\"], \"action\": \"SCMP_ACT_ERRNO\"}"
	    ", {\"names\": [\"prctl\", \"no_such_syscall\"], \"action\": \"SCMP_ACT_ALLOW\"}]}");
	assert_true(len < cap);
	return doc;
}

static struct oci_config *config_from(const char *seccomp_json)
{
	size_t size = strlen(seccomp_json) + 128;
	char *doc = malloc(size);
	assert_non_null(doc);
	snprintf(doc, size, "{\"ociVersion\": \"1.1.0\", \"linux\": {\"seccomp\": %s}}",
		 seccomp_json);
	struct oci_config *config = NULL;
	struct keel_error err = {0};
	if (oci_config_parse("config.json", doc, strlen(doc), NULL, &config, &err) < 0)
		fail_msg("config did not parse: %s", err.msg);
	free(doc);
	return config;
}

/* Every syscall number around the native and the x32 ranges, and the edges
 * of the number line, on each architecture and one the filter does not
 * know, with the arguments at and around every value the rules compare:
 * libseccomp's program and the rewritten one give the same verdict. */
static void rewrite_keeps_every_verdict(void **state)
{
	char *json = big_profile();
	struct oci_config *c = config_from(json);
	free(json);
	struct linux_seccomp linear, fast;
	struct keel_error err = {0};
	if (linux_seccomp_compile_linear(&c->linux_.seccomp, &linear, &err) < 0 ||
	    linux_seccomp_compile(&c->linux_.seccomp, &fast, &err) < 0)
		fail_msg("compile failed: %s", err.msg);
	/* shorter (podman's profile: 1125 -> 305; this one has a hole every
	 * seven numbers, and the x86 socketcall and ipc argument checks) */
	assert_true(linear.len > 700);
	assert_true(fast.len < linear.len);
	assert_int_equal(fast.rules, linear.rules);

	static const uint32_t arches[] = {AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64,
					  0};
	static const uint64_t values[] = {
	    0,	   1,	  3,	      4,       7,	   8,		40,	     41,
	    21504, 21505, 0x7E020000, 0x20000, 0xffffffff, 0x100000000, 0x100000001, UINT64_MAX};
	static const uint32_t edges[] = {0x3fffffff, 0x7fffffff, 0x80000000, 0xfffffffe,
					 0xffffffff};
	size_t n_nr = 2 * 600 + sizeof edges / sizeof edges[0], differ = 0, checked = 0;
	for (size_t a = 0; a < sizeof arches / sizeof arches[0]; a++)
		for (size_t i = 0; i < n_nr; i++) {
			uint32_t nr = i < 600	 ? (uint32_t)i
				      : i < 1200 ? 0x40000000u + (uint32_t)(i - 600)
						 : edges[i - 1200];
			for (size_t v = 0; v <= 2 * sizeof values / sizeof values[0]; v++) {
				struct seccomp_data d = {.nr = (int)nr, .arch = arches[a]};
				size_t nv = sizeof values / sizeof values[0];
				for (int j = 0; j < 6; j++)
					d.args[j] = v == 0    ? 0
						    : v <= nv ? values[v - 1]
							      : (j == 0 ? values[v - nv - 1] : 5);
				uint32_t want = interpret(linear.insns, linear.len, &d);
				uint32_t got = interpret(fast.insns, fast.len, &d);
				if (want != got && differ++ < 5)
					print_error(
					    "arch %#x nr %#x arg0 %#llx: %#x, rewritten %#x\n",
					    d.arch, nr, (unsigned long long)d.args[0], want, got);
				checked++;
			}
		}
	assert_int_equal(differ, 0);
	assert_true(checked > 100000);
	linux_seccomp_release(&linear);

	/* and the kernel agrees: the rewritten filter, loaded */
	assert_int_equal(exit_code(run_filtered(&fast, probe_big_profile)), 0);
	linux_seccomp_release(&fast);
	oci_config_free(c);
}

/* Programs of a shape the rewrite does not know are kept as they are. */
static void rewrite_keeps_unknown_shapes(void **state)
{
	struct sock_filter *out = NULL;
	size_t len = 0;
	const struct sock_filter tax[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	    BPF_STMT(BPF_MISC | BPF_TAX, 0),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter jset_nr[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	    BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 1, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter past_end[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 5),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	const struct sock_filter allow[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	assert_false(linux_seccomp_bpf_optimize(tax, 3, &out, &len));
	assert_false(linux_seccomp_bpf_optimize(jset_nr, 4, &out, &len));
	assert_false(linux_seccomp_bpf_optimize(past_end, 3, &out, &len));
	assert_false(linux_seccomp_bpf_optimize(allow, 1, &out, &len)); /* not shorter */
	assert_null(out);
	struct seccomp_data d = {.nr = 2};
	assert_int_equal(linux_seccomp_bpf_run(jset_nr, 4, &d), SECCOMP_RET_ALLOW);
	d.nr = 3;
	assert_int_equal(linux_seccomp_bpf_run(jset_nr, 4, &d), SECCOMP_RET_KILL_PROCESS);
}

/* ---- the cache of compiled programs ---------------------------- */

static void make_cache_dir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/keel-seccomp-cache-%d", (int)getpid());
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* The one .bpf file in dir (fails unless there is exactly one). */
static void only_entry(const char *dir, char *path, size_t size)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "ls %s/*.bpf", dir);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	assert_non_null(fgets(path, (int)size, p));
	path[strcspn(path, "\n")] = '\0';
	char more[256];
	assert_null(fgets(more, sizeof more, p));
	pclose(p);
}

static void patch_file(const char *path, off_t at, unsigned char byte)
{
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, &byte, 1, at), 1);
	close(fd);
}

static void cache_hits_reuse_the_program(void **state)
{
	char dir[64], path[256];
	make_cache_dir(dir, sizeof dir);
	struct oci_config *c = config_with(mkdir_denied);
	struct linux_seccomp plain, first, second;
	struct keel_error err;
	compile_ok(c, &plain);
	assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &first, &err), 0);
	assert_int_equal(first.len, plain.len);
	assert_memory_equal(first.insns, plain.insns, plain.len * sizeof(struct sock_filter));
	only_entry(dir, path, sizeof path);
	struct stat st;
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);

	/* a hit reads the file and leaves it alone */
	assert_int_equal(stat(path, &st), 0);
	ino_t ino = st.st_ino;
	assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &second, &err), 0);
	assert_int_equal(second.len, plain.len);
	assert_int_equal(second.rules, plain.rules);
	assert_memory_equal(second.insns, plain.insns, plain.len * sizeof(struct sock_filter));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_ino, ino);
	linux_seccomp_release(&second);

	/* a key that differs is a miss, whatever the file name says */
	patch_file(path, 40, 'X');
	assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &second, &err), 0);
	assert_memory_equal(second.insns, plain.insns, plain.len * sizeof(struct sock_filter));
	linux_seccomp_release(&second);

	/* another profile, another entry */
	c->linux_.seccomp.syscalls[0].args[0].value = 2;
	assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &second, &err), 0);
	assert_memory_not_equal(second.insns, plain.insns, plain.len * sizeof(struct sock_filter));
	linux_seccomp_release(&second);
	linux_seccomp_release(&first);
	linux_seccomp_release(&plain);
	oci_config_free(c);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* A damaged entry (a changed instruction, flag, count or checksum, a cut
 * file) is not trusted: the program is compiled again, and the file
 * replaced by a good one, which the next lookup uses. */
static void cache_rebuilds_damaged_files(void **state)
{
	char dir[64], path[256];
	make_cache_dir(dir, sizeof dir);
	struct oci_config *c = config_with(mkdir_denied);
	struct linux_seccomp plain, f;
	struct keel_error err;
	compile_ok(c, &plain);
	assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &f, &err), 0);
	linux_seccomp_release(&f);
	only_entry(dir, path, sizeof path);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	off_t size = st.st_size;
	/* from the end: the checksum (8 bytes), the last instruction's k */
	const off_t damage[] = {size - 1, size - 9, size - 8 - 8 * plain.len, 8, 12};
	for (size_t i = 0; i <= sizeof damage / sizeof damage[0]; i++) {
		assert_int_equal(stat(path, &st), 0);
		ino_t before = st.st_ino;
		if (i < sizeof damage / sizeof damage[0]) {
			int fd = open(path, O_RDWR);
			unsigned char byte;
			assert_true(fd >= 0);
			assert_int_equal(pread(fd, &byte, 1, damage[i]), 1);
			byte ^= 0x10;
			assert_int_equal(pwrite(fd, &byte, 1, damage[i]), 1);
			close(fd);
		} else {
			assert_int_equal(truncate(path, size - 3), 0);
		}
		assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &f, &err),
				 0);
		assert_int_equal(f.len, plain.len);
		assert_int_equal(f.flags, plain.flags);
		assert_int_equal(f.notify, plain.notify);
		assert_memory_equal(f.insns, plain.insns, plain.len * sizeof(struct sock_filter));
		linux_seccomp_release(&f);
		assert_int_equal(stat(path, &st), 0);
		assert_int_not_equal(st.st_ino, before); /* written anew */
		assert_int_equal(st.st_size, size);
		before = st.st_ino;
		assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &f, &err),
				 0);
		linux_seccomp_release(&f);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_ino, before); /* and trusted again */
	}
	only_entry(dir, path, sizeof path); /* no temporary files left */
	linux_seccomp_release(&plain);
	oci_config_free(c);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void cache_skips_untrusted_dirs_and_errors(void **state)
{
	char dir[64], cmd[160];
	make_cache_dir(dir, sizeof dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(chmod(dir, 0777), 0);
	struct oci_config *c = config_with(mkdir_denied);
	struct linux_seccomp f;
	struct keel_error err;
	assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &f, &err), 0);
	linux_seccomp_release(&f);
	snprintf(cmd, sizeof cmd, "test -z \"$(ls -A %s)\"", dir);
	assert_int_equal(system(cmd), 0); /* nothing written to a world-writable dir */

	assert_int_equal(chmod(dir, 0700), 0);
	c->linux_.seccomp.syscalls[0].args[0].index = 9;
	assert_int_equal(linux_seccomp_compile_cached(dir, &c->linux_.seccomp, &f, &err), -1);
	assert_string_equal(err.msg,
			    "linux.seccomp.syscalls[0].args[0].index: 9 out of range (0..5)");
	assert_int_equal(system(cmd), 0); /* failures are not cached */
	oci_config_free(c);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(actions_translate),
	    cmocka_unit_test(operators_translate),
	    cmocka_unit_test(architectures_translate),
	    cmocka_unit_test(flags_translate),
	    cmocka_unit_test(flags_reach_the_load),
	    cmocka_unit_test(unknown_syscalls_are_skipped),
	    cmocka_unit_test(default_action_rules_are_skipped),
	    cmocka_unit_test(arches_are_added),
	    cmocka_unit_test(errors_name_the_json_path),
	    cmocka_unit_test(notify_needs_a_listener),
	    cmocka_unit_test(without_nnp_load_before_caps),
	    cmocka_unit_test(errno_action_blocks_mkdir),
	    cmocka_unit_test(argument_filter_matches_only_its_value),
	    cmocka_unit_test(kill_process_kills_with_sigsys),
	    cmocka_unit_test(repeated_index_means_any),
	    cmocka_unit_test(masked_eq_uses_value_two),
	    cmocka_unit_test(different_indexes_mean_all),
	    cmocka_unit_test(notify_hands_out_a_listener),
	    cmocka_unit_test(process_state_json),
	    cmocka_unit_test(rewrite_keeps_every_verdict),
	    cmocka_unit_test(rewrite_keeps_unknown_shapes),
	    cmocka_unit_test(cache_hits_reuse_the_program),
	    cmocka_unit_test(cache_rebuilds_damaged_files),
	    cmocka_unit_test(cache_skips_untrusted_dirs_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
