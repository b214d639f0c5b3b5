/* `keel ps [--format table|json] ID [ps options]`: the processes in the
 * container's cgroup. json: their PIDs; table: ps(1) run with the options
 * (default -ef), its lines filtered to those PIDs, as runc does. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/cgroup_resources.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/live_cgroups.h"

static bool has_pid(const pid_t *pids, size_t n, long pid)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

/* The column of the header "PID" (0-based, blank-separated). */
static int pid_column(const char *header)
{
	int col = 0;
	for (const char *p = header; *p;) {
		p += strspn(p, " \t");
		size_t len = strcspn(p, " \t\n");
		if (len == 3 && strncmp(p, "PID", 3) == 0)
			return col;
		if (!len)
			break;
		p += len;
		col++;
	}
	return -1;
}

static long field_at(const char *line, int col)
{
	const char *p = line;
	for (int i = 0; i <= col; i++) {
		p += strspn(p, " \t");
		if (i == col)
			return strtol(p, NULL, 10);
		p += strcspn(p, " \t\n");
	}
	return -1;
}

static FILE *run_ps(char **ps_args, int n, pid_t *child, struct keel_error *err)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return keel_error_errno(err, "pipe"), NULL;
	char *argv[n + 3]; /* "ps", the args or "-ef", NULL */
	argv[0] = "ps";
	for (int i = 0; i < n; i++)
		argv[i + 1] = ps_args[i];
	if (n == 0)
		argv[1] = "-ef", argv[2] = NULL;
	else
		argv[n + 1] = NULL;
	*child = fork();
	if (*child < 0) {
		keel_error_errno(err, "fork");
		close(fds[0]);
		close(fds[1]);
		return NULL;
	}
	if (*child == 0) {
		/* dup2 clears close-on-exec on the copy */
		dup2(fds[1], 1);
		execvp("ps", argv);
		_exit(127);
	}
	close(fds[1]);
	FILE *out = fdopen(fds[0], "r");
	if (!out) {
		keel_error_errno(err, "fdopen");
		close(fds[0]);
		waitpid(*child, NULL, 0);
	}
	return out;
}

static int print_table(const pid_t *pids, size_t n, char **ps_args, int nargs,
		       struct keel_error *err)
{
	pid_t child;
	cleanup_fclose FILE *out = run_ps(ps_args, nargs, &child, err);
	if (!out)
		return -1;
	char line[8192];
	int col = -1;
	if (fgets(line, sizeof line, out)) {
		col = pid_column(line);
		fputs(line, stdout);
	}
	while (fgets(line, sizeof line, out))
		if (col >= 0 && has_pid(pids, n, field_at(line, col)))
			fputs(line, stdout);
	int status;
	waitpid(child, &status, 0);
	if (col < 0)
		return keel_error_set(err, 0, "couldn't find PID field in ps output");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return keel_error_set(err, 0, "ps exited with status %d", WEXITSTATUS(status));
	return 0;
}

static void print_json(const pid_t *pids, size_t n)
{
	fputc('[', stdout);
	for (size_t i = 0; i < n; i++)
		printf("%s%d", i ? "," : "", (int)pids[i]);
	fputs("]\n", stdout);
}

int cmd_ps(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	const char *format = "table";
	struct arg_option options[] = {{"format", "f", ARG_STRING, &format}, {0}};
	int i = 1;
	snprintf(g->context, sizeof g->context, "ps");
	if (args_parse(argc, argv, &i, options, err) < 0)
		return 1;
	if (i >= argc)
		return keel_error_set(err, 0, "\"ps\" requires a minimum of 1 argument"), 1;
	const char *id = argv[i++];
	snprintf(g->context, sizeof g->context, "ps %s", id);
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return keel_error_set(err, 0, "invalid format option"), 1;
	struct oci_state *state = NULL;
	cleanup_close int lock = container_open(g->root, id, LOCK_SH, &state, err);
	if (lock < 0)
		return 1;
	static struct linux_cgroups cg;
	live_cgroups(state, &cg);
	oci_state_free(state);
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	if (linux_cgroup_pids(&cg, &pids, &n, err) < 0)
		return 1;
	if (strcmp(format, "json") == 0) {
		print_json(pids, n);
		return 0;
	}
	if (i < argc && strcmp(argv[i], "--") == 0)
		i++;
	return print_table(pids, n, argv + i, argc - i, err) < 0 ? 1 : 0;
}
