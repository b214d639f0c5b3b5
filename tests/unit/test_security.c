/* Unit tests for the security helpers outside the LSM code: the sealed
 * self copy of src/linux/selfexe.c (CVE-2019-5736), with a real re-exec of
 * this test binary, the rootless decisions of src/runtime/rootless.c, and
 * keel's writes to /proc/self under a /proc the container mounted over. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/lsm.h"
#include "linux/process.h"
#include "linux/selfexe.h"
#include "runtime/rootless.h"

#define SEALED_CHILD   "--sealed-child"
#define SEALED_EXIT_OK 42

static const char *self_path;

/* ---- selfexe ---------------------------------------------------------- */

static void plain_memfd_is_not_sealed(void **state)
{
	(void)state;
	int fd = memfd_create("t", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\177ELF", 4), 4);
	assert_false(linux_selfexe_fd_sealed(fd));
	/* write seal alone is not enough: the copy could still grow */
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0);
	assert_false(linux_selfexe_fd_sealed(fd));
	assert_int_equal(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW), 0);
	assert_true(linux_selfexe_fd_sealed(fd));
	/* the exploit's write, in place: refused */
	assert_int_equal(pwrite(fd, "X", 1, 0), -1);
	assert_int_equal(errno, EPERM);
	close(fd);
}

static void regular_file_is_not_sealed(void **state)
{
	(void)state;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_false(linux_selfexe_fd_sealed(fd));
	close(fd);
}

/* In a child: re-exec through linux_selfexe_ensure_sealed; the new image
 * (main, SEALED_CHILD) reports whether it runs from a sealed copy that
 * refuses writes. */
static void reexec_runs_from_a_sealed_copy(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip(); /* a rootless run may rightly skip the copy */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *argv[] = {(char *)self_path, SEALED_CHILD, NULL};
		struct keel_error err = {0};
		linux_selfexe_ensure_sealed(argv, &err);
		_exit(3); /* returned: no re-exec happened */
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), SEALED_EXIT_OK);
}

static int sealed_child(char **argv)
{
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !linux_selfexe_fd_sealed(fd))
		return 1;
	/* what the exploit does once we are gone; while we run, the kernel
	 * refuses it already (ETXTBSY), and the seal forever after */
	if (open("/proc/self/exe", O_RDWR | O_CLOEXEC) >= 0)
		return 2;
	/* and a second call does not copy again */
	struct keel_error err = {0};
	if (linux_selfexe_ensure_sealed(argv, &err) != 0)
		return 4;
	return SEALED_EXIT_OK;
}

/* A fresh PID namespace without CAP_SYS_PTRACE needs no copy: nothing in
 * the container can reach a keel process there (it is not dumpable). */
static void sealed_copy_only_where_needed(void **state)
{
	(void)state;
	const uint64_t sys_ptrace = 1ULL << 19, kill = 1ULL << 5;
	assert_false(linux_selfexe_needed(true, 0));
	assert_false(linux_selfexe_needed(true, kill));
	assert_true(linux_selfexe_needed(true, kill | sys_ptrace));
	assert_true(linux_selfexe_needed(false, 0));
	assert_true(linux_selfexe_needed(false, kill));
}

/* ---- rootless --------------------------------------------------------- */

static void limits_need_a_cgroup_devices_do_not(void **state)
{
	(void)state;
	struct oci_linux l = {0};
	assert_false(rootless_wants_limits(&l));
	l.has_resources = true;
	assert_false(rootless_wants_limits(&l));
	struct oci_device_rule rule = {0};
	l.resources.devices = &rule;
	l.resources.devices_len = 1;
	assert_false(rootless_wants_limits(&l));
	l.resources.pids.has_limit = true;
	assert_true(rootless_wants_limits(&l));
	l.resources.pids.has_limit = false;
	l.resources.has_memory = true;
	assert_true(rootless_wants_limits(&l));
	l.has_resources = false;
	assert_false(rootless_wants_limits(&l));
}

/* Runs fn in a child as uid/gid 65534; its exit status is the result. */
static int as_nobody(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
			_exit(99);
		_exit(fn());
	}
	int status;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

static int nobody_root_paths(void)
{
	char buf[256];
	if (!rootless_active())
		return 1;
	setenv("XDG_RUNTIME_DIR", "/run/user/65534", 1);
	if (strcmp(rootless_default_root(buf, sizeof buf), "/run/user/65534/keel") != 0)
		return 2;
	setenv("XDG_RUNTIME_DIR", "/somewhere/else", 1);
	if (strcmp(rootless_default_root(buf, sizeof buf), "/somewhere/else/keel") != 0)
		return 3;
	unsetenv("XDG_RUNTIME_DIR");
	if (strcmp(rootless_default_root(buf, sizeof buf), "/run/user/65534/keel") != 0)
		return 4;
	return 0;
}

static void state_root_follows_the_user(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char buf[256];
	setenv("XDG_RUNTIME_DIR", "/run/user/0", 1);
	/* root keeps runc's place whatever the environment says */
	assert_false(rootless_active());
	assert_string_equal(rootless_default_root(buf, sizeof buf), "/run/keel");
	assert_int_equal(as_nobody(nobody_root_paths), 0);
}

/* ---- procfs writes under a tampered /proc ---------------------------- */

static const char decoy_text[] = "decoy\n";

/* A regular file with decoy_text, at path. */
static int make_decoy(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, decoy_text, strlen(decoy_text));
	close(fd);
	return n == (ssize_t)strlen(decoy_text) ? 0 : -1;
}

static bool decoy_intact(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	return n >= 0 && strcmp(buf, decoy_text) == 0;
}

/* In a mount namespace of its own: the container's trick of a file bound
 * over /proc/self/<name>; keel's write must fail and leave the file be. */
static int overmounted_checks(const char *decoy)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 100;
	char target[64];
	snprintf(target, sizeof target, "/proc/%d/oom_score_adj", (int)getpid());
	if (mount(decoy, target, NULL, MS_BIND, NULL) < 0)
		return 101;
	snprintf(target, sizeof target, "/proc/%d/attr/exec", (int)getpid());
	if (mount(decoy, target, NULL, MS_BIND, NULL) < 0)
		return 102;
	struct keel_error err = {0};
	if (linux_oom_score_adj(7, &err) == 0)
		return 1;
	if (!decoy_intact(decoy))
		return 2;
	/* the SELinux label goes to /proc/self/attr/exec */
	if (linux_lsm_set_exec(&linux_lsm_host_paths, NULL, "system_u:system_r:spc_t:s0", &err) ==
	    0)
		return 3;
	if (!decoy_intact(decoy))
		return 4;
	/* nothing is bound over /proc/self/oom_score_adj once unmounted: works */
	snprintf(target, sizeof target, "/proc/%d/oom_score_adj", (int)getpid());
	if (umount(target) < 0)
		return 103;
	if (linux_oom_score_adj(7, &err) < 0)
		return 5;
	return 0;
}

static void procfs_writes_refuse_overmounted_files(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char decoy[] = "/tmp/keel-decoy-XXXXXX";
	int fd = mkstemp(decoy);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(make_decoy(decoy), 0);
	pid_t pid = fork();
	if (pid == 0)
		_exit(overmounted_checks(decoy));
	int status;
	waitpid(pid, &status, 0);
	bool intact = decoy_intact(decoy);
	unlink(decoy);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_true(intact);
}

/* A /proc that is not a procfs root (a directory with self/ and <pid>/
 * in it, bound over /proc) is refused. */
static int fake_proc_checks(const char *dir)
{
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return 100;
	char path[128];
	snprintf(path, sizeof path, "%s/%d", dir, (int)getpid());
	if (mkdir(path, 0755) < 0)
		return 101;
	snprintf(path, sizeof path, "%s/%d/oom_score_adj", dir, (int)getpid());
	if (make_decoy(path) < 0)
		return 102;
	char self[128], pid[16];
	snprintf(self, sizeof self, "%s/self", dir);
	snprintf(pid, sizeof pid, "%d", (int)getpid());
	if (symlink(pid, self) < 0)
		return 104;
	if (mount(dir, "/proc", NULL, MS_BIND, NULL) < 0)
		return 103;
	struct keel_error err = {0};
	if (linux_oom_score_adj(7, &err) == 0)
		return 1;
	return decoy_intact(path) ? 0 : 2;
}

static void procfs_writes_refuse_a_fake_proc(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	char dir[] = "/tmp/keel-fakeproc-XXXXXX";
	assert_non_null(mkdtemp(dir));
	pid_t pid = fork();
	if (pid == 0)
		_exit(fake_proc_checks(dir));
	int status;
	waitpid(pid, &status, 0);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], SEALED_CHILD) == 0)
		return sealed_child(argv);
	self_path = argv[0];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(plain_memfd_is_not_sealed),
	    cmocka_unit_test(regular_file_is_not_sealed),
	    cmocka_unit_test(reexec_runs_from_a_sealed_copy),
	    cmocka_unit_test(sealed_copy_only_where_needed),
	    cmocka_unit_test(limits_need_a_cgroup_devices_do_not),
	    cmocka_unit_test(state_root_follows_the_user),
	    cmocka_unit_test(procfs_writes_refuse_overmounted_files),
	    cmocka_unit_test(procfs_writes_refuse_a_fake_proc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
