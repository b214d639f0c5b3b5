/* Unit tests for the security helpers outside the LSM code: the sealed
 * self copy of src/linux/selfexe.c (CVE-2019-5736), with a real re-exec of
 * this test binary, and the rootless decisions of src/runtime/rootless.c. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
