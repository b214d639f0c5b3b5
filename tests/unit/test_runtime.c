/* Unit tests for src/runtime: container IDs, the state directory and its
 * lock, status derivation, argv parsing, the undo stack, pid files. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/proc.h"
#include "oci/state.h"
#include "runtime/args.h"
#include "runtime/container.h"
#include "runtime/pidfile.h"
#include "runtime/undo.h"

static char root[PATH_MAX];

static int root_setup(void **state)
{
	strcpy(root, "/tmp/keel-test-state-XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int root_teardown(void **state)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* ---- IDs ---------------------------------------------------------- */

static void id_validation(void **state)
{
	struct keel_error err = {0};
	assert_int_equal(container_id_validate("web1", &err), 0);
	assert_int_equal(container_id_validate("a_b-c.d+e", &err), 0);
	assert_int_equal(container_id_validate("0f62bc0c3ac91a8d9406928", &err), 0);
	assert_int_equal(container_id_validate("", &err), -1);
	assert_int_equal(container_id_validate(".", &err), -1);
	assert_int_equal(container_id_validate("..", &err), -1);
	assert_int_equal(container_id_validate("a/b", &err), -1);
	assert_string_equal(err.msg, "invalid id format: a/b");
	assert_int_equal(container_id_validate("../etc", &err), -1);
	assert_int_equal(container_id_validate("sp ace", &err), -1);
	assert_int_equal(container_id_validate("new\nline", &err), -1);
	char long_id[1100];
	memset(long_id, 'a', sizeof long_id - 1);
	long_id[sizeof long_id - 1] = '\0';
	assert_int_equal(container_id_validate(long_id, &err), -1);
	long_id[1024] = '\0';
	assert_int_equal(container_id_validate(long_id, &err), 0);
}

/* ---- state directory and lock ------------------------------------- */

static void state_dir_create_once(void **state)
{
	struct keel_error err = {0};
	char nested[PATH_MAX + 16];
	snprintf(nested, sizeof nested, "%s/a/b", root);
	int fd = container_dir_create(nested, "c1", &err);
	assert_true(fd >= 0);
	assert_int_equal(container_dir_create(nested, "c1", &err), -1);
	assert_string_equal(err.msg, "container with id exists: c1");
	close(fd);
	container_dir_remove(nested, "c1");
	char dir[PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/c1", nested);
	assert_int_equal(access(dir, F_OK), -1);
}

static void lock_is_exclusive(void **state)
{
	struct keel_error err = {0};
	int fd = container_dir_create(root, "locked", &err);
	assert_true(fd >= 0);
	char dir[PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/locked", root);
	/* another open file description cannot take the lock meanwhile */
	int other = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(other >= 0);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(flock(other, LOCK_SH | LOCK_NB), -1);
	close(fd);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	close(other);
	container_dir_remove(root, "locked");
}

static void open_missing_container(void **state)
{
	struct keel_error err = {0};
	struct oci_state *s = NULL;
	assert_int_equal(container_open(root, "nope", LOCK_SH, &s, &err), -1);
	assert_string_equal(err.msg, "container does not exist");
	assert_int_equal(container_open(root, "../x", LOCK_SH, &s, &err), -1);
	assert_string_equal(err.msg, "invalid id format: ../x");
	/* a directory without state.json is a create still running or failed */
	int fd = container_dir_create(root, "half", &err);
	close(fd);
	assert_int_equal(container_open(root, "half", LOCK_SH, &s, &err), -1);
	assert_string_equal(err.msg, "container does not exist");
	container_dir_remove(root, "half");
}

static struct oci_state *write_state_for(const char *id, pid_t pid, uint64_t start)
{
	struct oci_state *s = calloc(1, sizeof *s);
	s->id = strdup(id);
	s->pid = pid;
	s->pid_start_time = start;
	s->bundle = strdup("/b");
	s->rootfs = strdup("/b/rootfs");
	s->created = strdup("2026-01-01T00:00:00Z");
	s->owner = strdup("root");
	s->status = OCI_STATUS_CREATED;
	char dir[PATH_MAX + 16];
	snprintf(dir, sizeof dir, "%s/%s", root, id);
	struct keel_error err = {0};
	assert_int_equal(oci_state_write(dir, s, &err), 0);
	return s;
}

static void status_follows_process_and_fifo(void **state)
{
	struct keel_error err = {0};
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	char text[1024], path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
	int pfd = open(path, O_RDONLY);
	ssize_t n = read(pfd, text, sizeof text - 1);
	close(pfd);
	text[n] = '\0';
	char st;
	uint64_t start;
	assert_int_equal(linux_proc_stat_parse(text, &st, &start), 0);

	int fd = container_dir_create(root, "s1", &err);
	struct oci_state *s = write_state_for("s1", child, start);
	char fifo[PATH_MAX + 32];
	snprintf(fifo, sizeof fifo, "%s/s1/%s", root, EXEC_FIFO);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(container_refresh_status(root, s), OCI_STATUS_CREATED);
	unlink(fifo);
	assert_int_equal(container_refresh_status(root, s), OCI_STATUS_RUNNING);
	/* a recycled pid: same number, another start time */
	s->pid_start_time = start + 1;
	assert_int_equal(container_refresh_status(root, s), OCI_STATUS_STOPPED);
	s->pid_start_time = start;
	kill(child, SIGKILL);
	/* a zombie is stopped too */
	siginfo_t si;
	waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT);
	assert_int_equal(container_refresh_status(root, s), OCI_STATUS_STOPPED);
	waitpid(child, NULL, 0);
	assert_int_equal(container_refresh_status(root, s), OCI_STATUS_STOPPED);
	oci_state_free(s);
	close(fd);
	container_dir_remove(root, "s1");
}

static void proc_stat_with_odd_command_names(void **state)
{
	char st;
	uint64_t start;
	const char *text = "42 (a) b) (c) S 1 42 42 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 "
			   "987654 1000 10";
	assert_int_equal(linux_proc_stat_parse(text, &st, &start), 0);
	assert_int_equal(st, 'S');
	assert_int_equal(start, 987654);
	assert_int_equal(linux_proc_stat_parse("42 (x", &st, &start), -1);
	assert_int_equal(linux_proc_stat_parse("42 (x) S 1 2", &st, &start), -1);
}

/* ---- argv --------------------------------------------------------- */

static void args_runc_forms(void **state)
{
	const char *bundle = NULL, *pidfile = NULL;
	bool detach = false;
	unsigned int fds = 0;
	struct arg_option options[] = {
	    {"bundle", "b", ARG_STRING, &bundle},
	    {"pid-file", NULL, ARG_STRING, &pidfile},
	    {"detach", "d", ARG_BOOL, &detach},
	    {"preserve-fds", NULL, ARG_UINT, &fds},
	    {0},
	};
	char *argv[] = {"run", "-b", "/b", "--pid-file=/p", "-d", "-preserve-fds", "3", "id1", "x"};
	int i = 1;
	struct keel_error err = {0};
	assert_int_equal(args_parse(9, argv, &i, options, &err), 0);
	assert_int_equal(i, 7);
	assert_string_equal(bundle, "/b");
	assert_string_equal(pidfile, "/p");
	assert_true(detach);
	assert_int_equal(fds, 3);
}

static void args_bool_values_and_separator(void **state)
{
	bool detach = true;
	struct arg_option options[] = {{"detach", "d", ARG_BOOL, &detach}, {0}};
	char *argv[] = {"run", "--detach=false", "--", "-d"};
	int i = 1;
	struct keel_error err = {0};
	assert_int_equal(args_parse(4, argv, &i, options, &err), 0);
	assert_false(detach);
	assert_int_equal(i, 3); /* "-d" after "--" is an argument */
	char *bad[] = {"run", "--detach=maybe"};
	i = 1;
	assert_int_equal(args_parse(2, bad, &i, options, &err), -1);
}

static void args_errors(void **state)
{
	const char *bundle = NULL;
	unsigned int n = 0;
	struct arg_option options[] = {
	    {"bundle", "b", ARG_STRING, &bundle},
	    {"preserve-fds", NULL, ARG_UINT, &n},
	    {0},
	};
	struct keel_error err = {0};
	char *unknown[] = {"create", "--bogus", "id"};
	int i = 1;
	assert_int_equal(args_parse(3, unknown, &i, options, &err), -1);
	assert_string_equal(err.msg, "flag provided but not defined: -bogus");
	char *missing[] = {"create", "--bundle"};
	i = 1;
	assert_int_equal(args_parse(2, missing, &i, options, &err), -1);
	assert_string_equal(err.msg, "flag needs an argument: -bundle");
	char *negative[] = {"create", "--preserve-fds", "-1"};
	i = 1;
	assert_int_equal(args_parse(3, negative, &i, options, &err), -1);
	char *junk[] = {"create", "--preserve-fds=3x"};
	i = 1;
	assert_int_equal(args_parse(2, junk, &i, options, &err), -1);
}

/* ---- undo stack --------------------------------------------------- */

static char undo_log[16];

static void log_step(void *ctx)
{
	strncat(undo_log, ctx, sizeof undo_log - strlen(undo_log) - 1);
}

static void undo_runs_backwards(void **state)
{
	struct undo_stack stack = {0};
	undo_log[0] = '\0';
	undo_push(&stack, log_step, "a");
	undo_push(&stack, log_step, "b");
	undo_push(&stack, log_step, "c");
	undo_run(&stack);
	assert_string_equal(undo_log, "cba");
	assert_int_equal(stack.len, 0);
	undo_run(&stack);
	assert_string_equal(undo_log, "cba");
	undo_push(&stack, log_step, "x");
	undo_clear(&stack);
	undo_run(&stack);
	assert_string_equal(undo_log, "cba");
}

/* ---- pid file ----------------------------------------------------- */

static void pidfile_is_written_whole(void **state)
{
	char path[PATH_MAX + 16], text[32] = "";
	snprintf(path, sizeof path, "%s/pid", root);
	struct keel_error err = {0};
	assert_int_equal(pidfile_write(path, 12345, &err), 0);
	int fd = open(path, O_RDONLY);
	assert_true(read(fd, text, sizeof text) > 0);
	close(fd);
	assert_string_equal(text, "12345");
	/* relative to the current directory */
	char cwd[PATH_MAX];
	assert_non_null(getcwd(cwd, sizeof cwd));
	assert_int_equal(chdir(root), 0);
	assert_int_equal(pidfile_write("rel.pid", 7, &err), 0);
	assert_int_equal(chdir(cwd), 0);
	snprintf(path, sizeof path, "%s/rel.pid", root);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(pidfile_write("/nonexistent-dir/x.pid", 7, &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent-dir/x.pid"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(id_validation),
	    cmocka_unit_test(state_dir_create_once),
	    cmocka_unit_test(lock_is_exclusive),
	    cmocka_unit_test(open_missing_container),
	    cmocka_unit_test(status_follows_process_and_fifo),
	    cmocka_unit_test(proc_stat_with_odd_command_names),
	    cmocka_unit_test(args_runc_forms),
	    cmocka_unit_test(args_bool_values_and_separator),
	    cmocka_unit_test(args_errors),
	    cmocka_unit_test(undo_runs_backwards),
	    cmocka_unit_test(pidfile_is_written_whole),
	};
	return cmocka_run_group_tests_name("runtime", tests, root_setup, root_teardown);
}
