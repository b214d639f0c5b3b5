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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "linux/proc.h"
#include "oci/state.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/pidfile.h"
#include "runtime/sync.h"
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
	char dir[sizeof nested + 8];
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

/* A child that waits in pause(), and its start time from /proc. */
static pid_t fork_paused(uint64_t *start)
{
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_true(child > 0);
	char text[1024], path[64];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)child);
	int pfd = open(path, O_RDONLY);
	ssize_t n = read(pfd, text, sizeof text - 1);
	close(pfd);
	assert_true(n > 0);
	text[n] = '\0';
	char st;
	assert_int_equal(linux_proc_stat_parse(text, &st, start), 0);
	return child;
}

static void status_follows_process_and_fifo(void **state)
{
	struct keel_error err = {0};
	uint64_t start;
	pid_t child = fork_paused(&start);

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

/* kill and delete signal the recorded process only: a pid recycled since
 * the state was written (other start time) or a zombie gets nothing. */
static void proc_signal_checks_start_time(void **state)
{
	uint64_t start;
	pid_t child = fork_paused(&start);

	errno = 0;
	assert_int_equal(linux_proc_signal(child, start + 1, SIGKILL), -1);
	assert_int_equal(errno, ESRCH);
	assert_int_equal(linux_proc_pidfd(child, start + 1), -1);
	assert_int_equal(waitpid(child, NULL, WNOHANG), 0); /* still running */

	int pidfd = linux_proc_pidfd(child, start);
	assert_true(pidfd >= 0);
	close(pidfd);
	assert_int_equal(linux_proc_signal(child, start, SIGKILL), 0);
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)child, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(si.si_status, SIGKILL);
	/* a zombie is gone too */
	assert_int_equal(linux_proc_signal(child, start, SIGTERM), -1);
	assert_int_equal(errno, ESRCH);
	waitpid(child, NULL, 0);
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

/* ---- hostile state roots (review) ---------------------------------- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static bool file_has(const char *path, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/* Runs a command with its stdout (a table, a document) out of the TAP
 * stream. */
static int quiet_cmd(command_fn fn, struct global_opts *g, int argc, char **argv,
		     struct keel_error *err)
{
	fflush(stdout);
	int saved = dup(1), null = open("/dev/null", O_WRONLY);
	dup2(null, 1);
	close(null);
	int rc = fn(g, argc, argv, err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	return rc;
}

/* `delete --force ../victim` used to remove <root>/../victim and its files. */
static void delete_force_stays_in_root(void **state)
{
	char sub[PATH_MAX + 16], victim[PATH_MAX + 16], file[PATH_MAX + 32];
	snprintf(sub, sizeof sub, "%s/sub", root);
	snprintf(victim, sizeof victim, "%s/victim", root);
	snprintf(file, sizeof file, "%s/victim/file", root);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(victim, 0700), 0);
	write_text(file, "precious");
	struct global_opts g = {.root = sub};
	struct keel_error err = {0};
	char *argv[] = {"delete", "--force", "../victim", NULL};
	assert_int_equal(cmd_delete(&g, 3, argv, &err), 1);
	assert_string_equal(err.msg, "invalid id format: ../victim");
	assert_true(file_has(file, "precious"));
	/* a valid id that is not there still succeeds with --force */
	char *argv2[] = {"delete", "--force", "nothere", NULL};
	assert_int_equal(cmd_delete(&g, 3, argv2, &err), 0);
	unlink(file);
	rmdir(victim);
	rmdir(sub);
}

/* A state.json whose id is not its directory's ("..") made delete remove
 * the files of the root's parent. */
static void state_id_must_match_directory(void **state)
{
	char sub[PATH_MAX + 16], dir[PATH_MAX + 16], path[PATH_MAX + 32], precious[PATH_MAX + 32];
	snprintf(sub, sizeof sub, "%s/sub2", root);
	snprintf(dir, sizeof dir, "%s/sub2/c2", root);
	snprintf(path, sizeof path, "%s/sub2/c2/state.json", root);
	snprintf(precious, sizeof precious, "%s/precious", root);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_text(precious, "keep");
	write_text(path, "{\"ociVersion\":\"1.0.2\",\"id\":\"..\",\"status\":\"stopped\","
			 "\"pid\":0,\"bundle\":\"/\",\"created\":\"x\"}");
	struct keel_error err = {0};
	struct oci_state *s = NULL;
	assert_int_equal(container_open(sub, "c2", LOCK_SH, &s, &err), -1);
	assert_null(s);
	assert_non_null(strstr(err.msg, "state.json: id \"..\" is not the container's"));
	struct global_opts g = {.root = sub};
	char *argv[] = {"delete", "c2", NULL};
	assert_int_equal(cmd_delete(&g, 2, argv, &err), 1);
	assert_true(file_has(precious, "keep"));
	/* list skips it (and lists nothing else) */
	char *largv[] = {"list", NULL};
	assert_int_equal(quiet_cmd(cmd_list, &g, 1, largv, &err), 0);
	unlink(path);
	/* state.json is never read through a link */
	char other[PATH_MAX + 32];
	snprintf(other, sizeof other, "%s/sub2/c2/other.json", root);
	write_text(other, "{\"ociVersion\":\"1.0.2\",\"id\":\"c2\",\"status\":\"stopped\"}");
	assert_int_equal(symlink("other.json", path), 0);
	assert_int_equal(container_open(sub, "c2", LOCK_SH, &s, &err), -1);
	assert_int_equal(err.errnum, ELOOP);
	unlink(path);
	unlink(other);
	rmdir(dir);
	rmdir(sub);
	unlink(precious);
}

/* keel list on a state file without the optional bundle/created/owner
 * crashed (strlen(NULL)). */
static void list_takes_minimal_state(void **state)
{
	char sub[PATH_MAX + 16], dir[PATH_MAX + 16], path[PATH_MAX + 32];
	snprintf(sub, sizeof sub, "%s/sub3", root);
	snprintf(dir, sizeof dir, "%s/sub3/m1", root);
	snprintf(path, sizeof path, "%s/sub3/m1/state.json", root);
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(dir, 0700), 0);
	write_text(path,
		   "{\"ociVersion\":\"1.0.2\",\"id\":\"m1\",\"status\":\"stopped\",\"pid\":0}");
	struct global_opts g = {.root = sub};
	struct keel_error err = {0};
	char *argv[] = {"list", NULL};
	assert_int_equal(quiet_cmd(cmd_list, &g, 1, argv, &err), 0);
	unlink(path);
	rmdir(dir);
	rmdir(sub);
}

/* Whether pid holds a blocked flock request (/proc/locks "->" lines). */
static bool waits_for_flock(pid_t pid)
{
	char line[256], want[32];
	snprintf(want, sizeof want, " %d ", (int)pid);
	FILE *f = fopen("/proc/locks", "r");
	bool found = false;
	while (f && !found && fgets(line, sizeof line, f))
		found = strstr(line, "-> FLOCK") && strstr(line, want);
	if (f)
		fclose(f);
	return found;
}

/* A command waiting for the lock while delete removes the directory, and a
 * create makes a new one by that name, must not take the new container's
 * state for the one it locked. */
static void open_after_concurrent_delete(void **state)
{
	struct keel_error err = {0};
	int fd = container_dir_create(root, "r1", &err);
	assert_true(fd >= 0);
	struct oci_state *s = write_state_for("r1", 0, 0);
	oci_state_free(s);
	pid_t child = fork();
	if (child == 0) {
		close(fd); /* the parent's lock is the parent's alone */
		struct oci_state *got = NULL;
		struct keel_error e = {0};
		int rc = container_open(root, "r1", LOCK_SH, &got, &e);
		_exit(rc < 0 && strcmp(e.msg, "container does not exist") == 0 ? 0 : 1);
	}
	/* bounded wait for the child to block in flock(2) */
	for (int i = 0; i < 100000 && !waits_for_flock(child); i++)
		usleep(1000);
	assert_true(waits_for_flock(child));
	container_dir_remove(root, "r1");
	int fd2 = container_dir_create(root, "r1", &err);
	assert_true(fd2 >= 0);
	oci_state_free(write_state_for("r1", 0, 0));
	close(fd2); /* the new directory is free: the child must still refuse */
	close(fd);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	container_dir_remove(root, "r1");
}

/* delete --force that waited for the lock while the directory was deleted
 * and made anew by a create still running removed the new container's
 * directory under it (the fallback for a missing container took no lock). */
static void force_delete_spares_a_create_in_progress(void **state)
{
	struct keel_error err = {0};
	int fd = container_dir_create(root, "r2", &err);
	assert_true(fd >= 0);
	oci_state_free(write_state_for("r2", 0, 0));
	pid_t child = fork();
	if (child == 0) {
		close(fd);
		struct global_opts g = {.root = root};
		struct keel_error e = {0};
		char *argv[] = {"delete", "--force", "r2", NULL};
		_exit(cmd_delete(&g, 3, argv, &e));
	}
	for (int i = 0; i < 100000 && !waits_for_flock(child); i++)
		usleep(1000);
	assert_true(waits_for_flock(child));
	container_dir_remove(root, "r2");
	/* a create of r2 in progress: its directory, locked, no state yet */
	int fd2 = container_dir_create(root, "r2", &err);
	assert_true(fd2 >= 0);
	char fifo[PATH_MAX + 32];
	snprintf(fifo, sizeof fifo, "%s/r2/%s", root, EXEC_FIFO);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	close(fd);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* the one it waited for is gone */
	assert_int_equal(access(fifo, F_OK), 0);
	close(fd2);
	container_dir_remove(root, "r2");
}

/* The pid file's temporary name was predictable (.<name>.<pid>) and opened
 * without O_EXCL: a link planted there had its target truncated. */
static void pidfile_ignores_planted_link(void **state)
{
	char path[PATH_MAX + 16], planted[PATH_MAX + 32], victim[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/p2.pid", root);
	snprintf(planted, sizeof planted, "%s/.p2.pid.%d", root, (int)getpid());
	snprintf(victim, sizeof victim, "%s/victim2", root);
	write_text(victim, "secret");
	assert_int_equal(symlink(victim, planted), 0);
	struct keel_error err = {0};
	assert_int_equal(pidfile_write(path, 42, &err), 0);
	assert_true(file_has(victim, "secret"));
	assert_true(file_has(path, "42"));
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0644);
	unlink(planted);
	unlink(victim);
	unlink(path);
}

/* A pid file path longer than PATH_MAX was cut and the pid written to the
 * file the cut named. */
static void pidfile_refuses_long_path(void **state)
{
	char d[PATH_MAX + 16];
	snprintf(d, sizeof d, "%s/d", root);
	assert_int_equal(mkdir(d, 0700), 0);
	static char path[PATH_MAX + 64];
	int n = snprintf(path, sizeof path, "%s/", root);
	while (n + 5 + 5 <= PATH_MAX - 1)
		n += snprintf(path + n, sizeof path - n, "d/../");
	while (n + 5 < PATH_MAX - 1)
		path[n++] = '/';
	n += snprintf(path + n, sizeof path - n, "other"); /* PATH_MAX - 1 long so far */
	assert_int_equal(n, PATH_MAX - 1);
	snprintf(path + n, sizeof path - n, "-longer");
	struct keel_error err = {0};
	assert_int_equal(pidfile_write(path, 42, &err), -1);
	assert_int_equal(err.errnum, ENAMETOOLONG);
	char other[PATH_MAX + 16];
	snprintf(other, sizeof other, "%s/other", root);
	assert_int_equal(access(other, F_OK), -1);
	unlink(other);
	rmdir(d);
}

/* The hooks' state JSON goes over as many messages as it takes (it was cut
 * at 16 KiB: large annotations reached createContainer and startContainer
 * hooks as broken JSON). */
static void sync_long_text_arrives_whole(void **state)
{
	static const size_t lens[] = {0,     1, SYNC_TEXT_MAX - 1, SYNC_TEXT_MAX, 2 * SYNC_TEXT_MAX,
				      100000};
	static char text[100001];
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		int sv[2];
		assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
		for (size_t k = 0; k < lens[i]; k++)
			text[k] = (char)('a' + k % 26);
		text[lens[i]] = '\0';
		pid_t child = fork();
		if (child == 0)
			_exit(sync_send_long(sv[0], SYNC_HOOKS_DONE, text) == 0 ? 0 : 1);
		char *got = NULL;
		struct keel_error err = {0};
		assert_int_equal(sync_expect_long(sv[1], SYNC_HOOKS_DONE, 1 << 20, &got, &err), 0);
		assert_string_equal(got, text);
		free(got);
		int status;
		assert_int_equal(waitpid(child, &status, 0), child);
		assert_int_equal(status, 0);
		close(sv[0]);
		close(sv[1]);
	}
	/* past the bound: refused, not grown without end */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	pid_t child = fork();
	if (child == 0)
		_exit(sync_send_long(sv[0], SYNC_HOOKS_DONE, text) == 0 ? 0 : 1);
	char *got = NULL;
	struct keel_error err = {0};
	assert_int_equal(sync_expect_long(sv[1], SYNC_HOOKS_DONE, 50000, &got, &err), -1);
	assert_null(got);
	assert_string_equal(err.msg, "container init: message longer than 50000 bytes");
	close(sv[1]);
	waitpid(child, NULL, 0);
	close(sv[0]);
}

/* exec's fallback into the init's own v2 cgroup took the first "0::"
 * anywhere: a v1 cgroup named "x0::" put the process in the v2 root. */
static void unified_cgroup_line(void **state)
{
	char hybrid[] = "12:pids:/c/x0::\n1:name=systemd:/c\n0::/c/sub\n";
	assert_string_equal(proc_cgroup_unified_path(hybrid), "/c/sub");
	char first[] = "0::/only\n";
	assert_string_equal(proc_cgroup_unified_path(first), "/only");
	char none[] = "3:memory:/a0::b\n";
	assert_null(proc_cgroup_unified_path(none));
}

/* A sync message text that does not fit was cut (the hooks' state JSON
 * arrived without its end); it is refused instead. */
static void sync_refuses_oversized_text(void **state)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	static char big[SYNC_TEXT_MAX + 100];
	memset(big, 'x', sizeof big - 1);
	assert_int_equal(sync_send(sv[0], SYNC_HOOKS_DONE, big), -1);
	assert_int_equal(errno, EMSGSIZE);
	/* the largest that fits goes through whole */
	big[SYNC_TEXT_MAX] = '\0';
	assert_int_equal(sync_send(sv[0], SYNC_HOOKS_DONE, big), 0);
	static struct sync_msg msg;
	assert_int_equal(sync_recv(sv[1], &msg), SYNC_HOOKS_DONE);
	assert_string_equal(msg.text, big);
	close(sv[0]);
	close(sv[1]);
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
	    cmocka_unit_test(proc_signal_checks_start_time),
	    cmocka_unit_test(args_runc_forms),
	    cmocka_unit_test(args_bool_values_and_separator),
	    cmocka_unit_test(args_errors),
	    cmocka_unit_test(undo_runs_backwards),
	    cmocka_unit_test(pidfile_is_written_whole),
	    cmocka_unit_test(delete_force_stays_in_root),
	    cmocka_unit_test(state_id_must_match_directory),
	    cmocka_unit_test(list_takes_minimal_state),
	    cmocka_unit_test(open_after_concurrent_delete),
	    cmocka_unit_test(force_delete_spares_a_create_in_progress),
	    cmocka_unit_test(pidfile_ignores_planted_link),
	    cmocka_unit_test(pidfile_refuses_long_path),
	    cmocka_unit_test(sync_refuses_oversized_text),
	    cmocka_unit_test(unified_cgroup_line),
	    cmocka_unit_test(sync_long_text_arrives_whole),
	};
	return cmocka_run_group_tests_name("runtime", tests, root_setup, root_teardown);
}
