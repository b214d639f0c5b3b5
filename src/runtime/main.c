/* keel: an OCI container runtime with runc's command line. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "linux/selfexe.h"
#include "oci/config.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/rootless.h"

static const struct {
	const char *name;
	command_fn fn;
	const char *summary;
} commands[] = {
    {"create", cmd_create, "create a container"},
    {"start", cmd_start, "executes the user defined process in a created container"},
    {"run", cmd_run, "create and run a container"},
    {"state", cmd_state, "output the state of a container"},
    {"kill", cmd_kill,
     "kill sends the specified signal (default: SIGTERM) to the container's init process"},
    {"delete", cmd_delete,
     "delete any resources held by the container often used with detached container"},
    {"list", cmd_list, "lists containers started by keel with the given root"},
    {"spec", cmd_spec, "create a new specification file"},
    {"features", cmd_features, "show the enabled features"},
    {"pause", cmd_pause, "pause suspends all processes inside the container"},
    {"resume", cmd_resume, "resumes all processes that have been previously paused"},
    {"update", cmd_update, "update container resource constraints"},
    {"exec", cmd_exec, "execute new process inside the container"},
    {"ps", cmd_ps, "ps displays the processes running inside a container"},
    {"events", cmd_events,
     "display container events such as OOM notifications, cpu, memory, and IO usage statistics"},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: keel [global options] command [command options] [arguments...]\n\n"
		     "commands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "   %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(
	    out,
	    "\nglobal options:\n"
	    "   --debug               enable debug logging\n"
	    "   --log value           set the log file to write keel logs to (default is stderr)\n"
	    "   --log-format value    set the log format ('text' (default), or 'json')\n"
	    "   --root value          root directory for storage of container state (default: "
	    "\"/run/keel\")\n"
	    "   --systemd-cgroup      enable systemd cgroup support\n"
	    "   --rootless value      ignore cgroup permission errors ('true', 'false', or "
	    "'auto')\n"
	    "   --help, -h            show help\n"
	    "   --version, -v         print the version\n"
	    "See keel(8).\n");
}

static int open_log(const struct global_opts *g)
{
	enum keel_log_format format = KEEL_LOG_TEXT;
	if (g->log_format && strcmp(g->log_format, "json") == 0)
		format = KEEL_LOG_JSON;
	else if (g->log_format && strcmp(g->log_format, "text") != 0) {
		fprintf(stderr, "keel: unknown log-format %s\n", g->log_format);
		return -1;
	}
	if (keel_log_open(g->log, format, g->debug) < 0) {
		fprintf(stderr, "keel: open log %s: %m\n", g->log);
		return -1;
	}
	return 0;
}

static void report(const struct global_opts *g, const struct keel_error *err)
{
	if (!err->msg[0])
		return;
	if (g->context[0])
		log_error("%s: %s", g->context, err->msg);
	else
		log_error("%s", err->msg);
	/* with --log the file gets it (podman and containerd read it) and the
	 * terminal still gets the one line, as runc does */
	if (g->log) {
		if (g->context[0])
			fprintf(stderr, "keel: %s: %s\n", g->context, err->msg);
		else
			fprintf(stderr, "keel: %s\n", err->msg);
	}
}

/* A caller may start keel with 0, 1 or 2 closed: keep them taken (by
 * /dev/null) so that no internal fd lands there and becomes the
 * container's stdio. */
static void reserve_stdio(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int null = open("/dev/null", O_RDWR);
		if (null >= 0 && null != fd) {
			dup2(null, fd);
			close(null);
		}
	}
}

int main(int argc, char **argv)
{
	struct global_opts g = {.root = NULL};
	char default_root[PATH_MAX];
	bool help = false, version = false;
	struct arg_option options[] = {
	    {"root", NULL, ARG_STRING, &g.root},
	    {"log", NULL, ARG_STRING, &g.log},
	    {"log-format", NULL, ARG_STRING, &g.log_format},
	    {"debug", NULL, ARG_BOOL, &g.debug},
	    {"systemd-cgroup", NULL, ARG_BOOL, &g.systemd_cgroup},
	    {"rootless", NULL, ARG_STRING, &g.rootless},
	    {"criu", NULL, ARG_STRING, &g.criu},
	    {"help", "h", ARG_BOOL, &help},
	    {"version", "v", ARG_BOOL, &version},
	    {0},
	};
	struct keel_error err = {0};
	int i = 1;
	/* first: a container that execs keel again (CVE-2019-5736) must not
	 * be able to open our /proc/<pid>/exe, whatever the command */
	linux_selfexe_init(argv);
	keel_log_set_program("keel");
	reserve_stdio();
	if (args_parse(argc, argv, &i, options, &err) < 0) {
		fprintf(stderr, "keel: %s\n", err.msg);
		return 1;
	}
	if (version) {
		printf("keel version %s\nspec: %s\n", KEEL_VERSION, OCI_VERSION);
		return 0;
	}
	if (help || i >= argc || strcmp(argv[i], "help") == 0) {
		usage(help || i < argc ? stdout : stderr);
		return help || i < argc ? 0 : 1;
	}
	if (!g.root)
		g.root = rootless_default_root(default_root, sizeof default_root);
	if (open_log(&g) < 0)
		return 1;
	/* exec joins a running container: its processes see ours */
	if (strcmp(argv[i], "exec") == 0 && linux_selfexe_seal(&err) < 0) {
		report(&g, &err);
		return 1;
	}
	for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++) {
		if (strcmp(argv[i], commands[c].name) != 0)
			continue;
		int rc = commands[c].fn(&g, argc - i, argv + i, &err);
		if (rc != 0 && err.msg[0])
			report(&g, &err);
		fflush(stdout);
		return rc;
	}
	fprintf(stderr, "keel: no such command: %s\n", argv[i]);
	return 1;
}
