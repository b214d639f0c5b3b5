/* The `keel` subcommands. Each gets the global options and its own
 * arguments (argv[0] is the command name), prints what runc prints, and
 * returns the process exit status; errors are reported through err (the
 * caller prints "keel: <command> <id>: <message>"). */
#ifndef KEEL_RUNTIME_COMMANDS_H
#define KEEL_RUNTIME_COMMANDS_H

#include <stdbool.h>

#include "common/error.h"
#include "oci/state.h"

struct global_opts {
	const char *root;
	const char *log;
	const char *log_format;
	bool debug;
	bool systemd_cgroup;
	const char *rootless;
	const char *criu;
	/* filled by the command for error messages: "create web1" */
	char context[1200];
};

typedef int (*command_fn)(struct global_opts *g, int argc, char **argv, struct keel_error *err);

int cmd_create(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_run(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_start(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_state(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_list(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_kill(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_delete(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_spec(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_features(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_pause(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_resume(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_update(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_exec(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_ps(struct global_opts *g, int argc, char **argv, struct keel_error *err);
int cmd_events(struct global_opts *g, int argc, char **argv, struct keel_error *err);

/* Shared helpers */

/* Exactly one positional argument (the container ID) at argv[index]. */
int command_single_id(struct global_opts *g, int argc, char **argv, int index, const char **id,
		      struct keel_error *err);

/* Stops what is left of a container (SIGKILL to its init and to every
 * process in its cgroups), removes its cgroups and its state directory. */
int container_destroy(const char *root, struct oci_state *state, struct keel_error *err);

/* The unified hierarchy's path in a /proc/<pid>/cgroup text (cut in
 * place at its line's end), or NULL. */
char *proc_cgroup_unified_path(char *text);

/* Waits (without being its parent) for a process to exit; pidfd based. */
void wait_process_exit(int pid, unsigned long long start_time);

#endif
