/* `keel create` and `keel run`. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "linux/terminal.h"
#include "runtime/create.h"
#include "runtime/foreground.h"
#include "runtime/lifecycle_hooks.h"
#include "runtime/sync.h"

struct create_flags {
	struct create_opts opts;
	bool detach;
	bool keep;
	bool no_subreaper;
	const char *pidfd_socket;
};

static int parse_create(struct global_opts *g, int argc, char **argv, bool run,
			struct create_flags *f, struct keel_error *err)
{
	struct arg_option options[] = {
	    {"bundle", "b", ARG_STRING, &f->opts.bundle},
	    {"console-socket", NULL, ARG_STRING, &f->opts.console_socket},
	    {"pid-file", NULL, ARG_STRING, &f->opts.pid_file},
	    {"no-pivot", NULL, ARG_BOOL, &f->opts.no_pivot},
	    {"no-new-keyring", NULL, ARG_BOOL, &f->opts.no_new_keyring},
	    {"preserve-fds", NULL, ARG_UINT, &f->opts.preserve_fds},
	    {"pidfd-socket", NULL, ARG_STRING, &f->pidfd_socket},
	    {run ? "detach" : NULL, "d", ARG_BOOL, &f->detach},
	    {"keep", NULL, ARG_BOOL, &f->keep},
	    {"no-subreaper", NULL, ARG_BOOL, &f->no_subreaper},
	    {0},
	};
	int i = 1;
	snprintf(g->context, sizeof g->context, "%s", argv[0]);
	if (args_parse(argc, argv, &i, options, err) < 0)
		return -1;
	if (command_single_id(g, argc, argv, i, &f->opts.id, err) < 0)
		return -1;
	f->opts.root = g->root;
	f->opts.systemd_cgroup = g->systemd_cgroup;
	return 0;
}

int cmd_create(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	struct create_flags f = {0};
	if (parse_create(g, argc, argv, false, &f, err) < 0)
		return 1;
	struct container_ctx ctx;
	if (container_create(&f.opts, &ctx, err) < 0)
		return 1;
	undo_clear(&ctx.undo);
	container_ctx_release(&ctx);
	return 0;
}

static void remove_after_run(struct global_opts *g, const char *id)
{
	struct oci_state *state = NULL;
	struct keel_error err = {0};
	int fd = container_open(g->root, id, LOCK_EX, &state, &err);
	if (fd < 0)
		return;
	container_destroy(g->root, state, &err);
	oci_state_free(state);
	close(fd);
}

static void poststart(struct global_opts *g, const char *id)
{
	struct oci_state *state = NULL;
	struct keel_error err = {0};
	int fd = container_open(g->root, id, LOCK_SH, &state, &err);
	if (fd < 0)
		return;
	lifecycle_poststart(state);
	oci_state_free(state);
	close(fd);
}

int cmd_run(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	struct create_flags f = {0};
	if (parse_create(g, argc, argv, true, &f, err) < 0)
		return 1;
	f.opts.foreground = true;
	f.opts.attached = !f.detach;
	sigset_t set, old;
	foreground_signals(&set);
	if (!f.detach)
		sigprocmask(SIG_BLOCK, &set, &old);
	struct container_ctx ctx;
	if (container_create(&f.opts, &ctx, err) < 0)
		return 1;
	if (sync_send(ctx.sync_fd[0], SYNC_START, NULL) < 0) {
		keel_error_errno(err, "start container");
		undo_run(&ctx.undo);
		container_ctx_release(&ctx);
		return 1;
	}
	undo_clear(&ctx.undo);
	pid_t pid = ctx.pid;
	bool has_hooks = ctx.config->has_hooks;
	int master = -1;
	if (ctx.console_peer >= 0)
		master = linux_recv_fd(ctx.console_peer, err);
	container_ctx_release(&ctx);
	if (has_hooks)
		poststart(g, f.opts.id);
	if (f.detach)
		return 0;
	int status = foreground_wait(pid, &set, master);
	if (master >= 0)
		close(master);
	if (!f.keep)
		remove_after_run(g, f.opts.id);
	return status;
}
