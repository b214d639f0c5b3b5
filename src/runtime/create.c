#include "runtime/create.h"
#include "runtime/create_state.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "linux/cgroup_resources.h"
#include "linux/hooks.h"
#include "linux/lsm.h"
#include "linux/namespaces.h"
#include "linux/process.h"
#include "linux/proc.h"
#include "linux/seccomp_filter.h"
#include "linux/selfexe.h"
#include "linux/terminal.h"
#include "oci/state.h"
#include "runtime/container.h"
#include "runtime/pidfile.h"
#include "runtime/rootless.h"
#include "runtime/sync.h"

static void ctx_init(struct container_ctx *ctx, const struct create_opts *opts)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->opts = opts;
	ctx->dir_fd = ctx->fifo_fd = ctx->console_fd = ctx->console_peer = ctx->pidfd = -1;
	ctx->sync_fd[0] = ctx->sync_fd[1] = -1;
	ctx->own_pid_ns = ctx->own_time_ns = -1;
	for (int i = 0; i < OCI_NS_COUNT; i++)
		ctx->ns_fd[i] = -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void container_ctx_release(struct container_ctx *ctx)
{
	close_fd(&ctx->dir_fd);
	close_fd(&ctx->fifo_fd);
	close_fd(&ctx->console_fd);
	close_fd(&ctx->console_peer);
	close_fd(&ctx->pidfd);
	close_fd(&ctx->sync_fd[0]);
	close_fd(&ctx->sync_fd[1]);
	close_fd(&ctx->own_pid_ns);
	close_fd(&ctx->own_time_ns);
	for (int i = 0; i < OCI_NS_COUNT; i++)
		close_fd(&ctx->ns_fd[i]);
	oci_config_free(ctx->config);
	ctx->config = NULL;
}

/* ---- checks before anything is created --------------------------- */

static int check_config(struct container_ctx *ctx, struct keel_error *err)
{
	const struct oci_config *c = ctx->config;
	if (!c->has_process)
		return keel_error_set(err, 0, "config.json: process: missing");
	if (!c->has_root || !c->root.path)
		return keel_error_set(err, 0, "config.json: root.path: missing");
	struct stat st;
	if (stat(c->root.path, &st) < 0)
		return keel_error_errno(err, "config.json: root.path: %s", c->root.path);
	if (!S_ISDIR(st.st_mode))
		return keel_error_set(err, 0, "config.json: root.path: %s: not a directory",
				      c->root.path);
	if (!c->process.cwd || c->process.cwd[0] != '/')
		return keel_error_set(err, 0, "config.json: process.cwd: must be an absolute path");
	if (c->process.terminal && !ctx->opts->console_socket && !ctx->opts->attached)
		return keel_error_set(err, 0,
				      "config.json: process.terminal: true needs --console-socket");
	if (!c->process.terminal && ctx->opts->console_socket)
		return keel_error_set(err, 0,
				      "--console-socket given but process.terminal is false");
	if (!oci_config_has_namespace(c, OCI_NS_MOUNT, NULL))
		return keel_error_set(
		    err, 0, "config.json: linux.namespaces: a mount namespace is required");
	if (linux_lsm_check(&linux_lsm_host_paths, &c->process, err) < 0)
		return -1;
	if ((c->hostname || c->domainname) && !oci_config_has_namespace(c, OCI_NS_UTS, NULL))
		return keel_error_set(err, 0,
				      "config.json: hostname: needs a UTS namespace of its own");
	return 0;
}

static int open_namespaces(struct container_ctx *ctx, struct keel_error *err)
{
	const struct oci_linux *l = &ctx->config->linux_;
	for (size_t i = 0; ctx->config->has_linux && i < l->namespaces_len; i++) {
		const struct oci_namespace *ns = &l->namespaces[i];
		if (ns->type >= OCI_NS_COUNT)
			return keel_error_set(err, 0,
					      "config.json: linux.namespaces[%zu]: bad type", i);
		if (!ns->path || !*ns->path) {
			ctx->ns_new[ns->type] = true;
			continue;
		}
		if (ctx->ns_fd[ns->type] >= 0)
			close(ctx->ns_fd[ns->type]);
		ctx->ns_fd[ns->type] =
		    linux_ns_open(ns->path, oci_namespace_clone_flag(ns->type), err);
		if (ctx->ns_fd[ns->type] < 0)
			return keel_error_prefix(err, "config.json: linux.namespaces[%zu]", i);
	}
	return 0;
}

/* ---- undo steps -------------------------------------------------- */

static void undo_state_dir(void *p)
{
	struct container_ctx *ctx = p;
	container_dir_remove(ctx->opts->root, ctx->opts->id);
}

static void undo_cgroups(void *p)
{
	struct container_ctx *ctx = p;
	linux_cgroups_remove_created(&ctx->cgroups);
}

static void undo_child(void *p)
{
	struct container_ctx *ctx = p;
	if (ctx->pid <= 0)
		return;
	kill(ctx->pid, SIGKILL);
	while (waitpid(ctx->pid, NULL, 0) < 0 && errno == EINTR)
		;
	ctx->pid = 0;
}

/* ---- steps -------------------------------------------------------- */

static int make_exec_fifo(struct container_ctx *ctx, struct keel_error *err)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof path, "%s/%s", ctx->dir, EXEC_FIFO);
	if (mkfifo(path, 0622) < 0 || chmod(path, 0622) < 0)
		return keel_error_errno(err, "exec fifo %s", path);
	ctx->fifo_fd = open(path, O_PATH | O_CLOEXEC);
	if (ctx->fifo_fd < 0)
		return keel_error_errno(err, "exec fifo %s", path);
	return 0;
}

/* Namespaces that apply to children only are entered by keel itself:
 * a joined PID or time namespace, a new time namespace with its offsets. */
static int enter_children_namespaces(struct container_ctx *ctx, struct keel_error *err)
{
	const struct oci_linux *l = &ctx->config->linux_;
	/* remembered so that hooks keel runs later are in its own namespaces */
	if (ctx->ns_fd[OCI_NS_PID] >= 0 &&
	    (ctx->own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
		return keel_error_errno(err, "/proc/self/ns/pid");
	if ((ctx->ns_fd[OCI_NS_TIME] >= 0 || ctx->ns_new[OCI_NS_TIME]) &&
	    (ctx->own_time_ns = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC)) < 0)
		return keel_error_errno(err, "/proc/self/ns/time");
	if (ctx->ns_fd[OCI_NS_PID] >= 0 &&
	    linux_ns_join(ctx->ns_fd[OCI_NS_PID], CLONE_NEWPID, "pid", err) < 0)
		return -1;
	if (ctx->ns_fd[OCI_NS_TIME] >= 0)
		return linux_ns_join(ctx->ns_fd[OCI_NS_TIME], CLONE_NEWTIME, "time", err);
	if (!ctx->ns_new[OCI_NS_TIME])
		return 0;
	return linux_time_ns_prepare(
	    l->has_time_offset_monotonic ? &l->time_offset_monotonic : NULL,
	    l->has_time_offset_boottime ? &l->time_offset_boottime : NULL, err);
}

/* Back to keel's own namespaces for its future children (hooks). */
static int leave_children_namespaces(struct container_ctx *ctx, struct keel_error *err)
{
	if (ctx->own_pid_ns >= 0 && setns(ctx->own_pid_ns, CLONE_NEWPID) < 0)
		return keel_error_errno(err, "back to keel's pid namespace");
	if (ctx->own_time_ns >= 0 && setns(ctx->own_time_ns, CLONE_NEWTIME) < 0)
		return keel_error_errno(err, "back to keel's time namespace");
	return 0;
}

static unsigned long clone_flags(const struct container_ctx *ctx)
{
	static const struct {
		enum oci_namespace_type type;
		unsigned long flag;
	} in_clone[] = {
	    {OCI_NS_USER, CLONE_NEWUSER},   {OCI_NS_PID, CLONE_NEWPID},
	    {OCI_NS_NETWORK, CLONE_NEWNET}, {OCI_NS_MOUNT, CLONE_NEWNS},
	    {OCI_NS_IPC, CLONE_NEWIPC},	    {OCI_NS_UTS, CLONE_NEWUTS},
	};
	/* Joining a user namespace comes first, so the other new namespaces
	 * are made by the init after it (owned by that user namespace); see
	 * container_init_forks_twice(). The cgroup namespace is made by the
	 * init once it sits in its cgroups. */
	if (ctx->ns_fd[OCI_NS_USER] >= 0)
		return 0;
	unsigned long flags = 0;
	for (size_t i = 0; i < sizeof in_clone / sizeof in_clone[0]; i++)
		if (ctx->ns_new[in_clone[i].type])
			flags |= in_clone[i].flag;
	return flags;
}

static int spawn_init(struct container_ctx *ctx, struct keel_error *err)
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctx->sync_fd) < 0)
		return keel_error_errno(err, "socketpair");
	/* the real init will be a grandchild: keel must still be able to wait
	 * for it (a foreground run) */
	if (container_init_forks_twice(ctx) && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		return keel_error_errno(err, "subreaper");
	pid_t pid = linux_clone(clone_flags(ctx), &ctx->pidfd, err);
	if (pid < 0)
		return -1;
	if (pid == 0)
		container_init(ctx);
	ctx->pid = pid;
	undo_push(&ctx->undo, undo_child, ctx);
	close_fd(&ctx->sync_fd[1]);
	return 0;
}

/* prestart and createRuntime hooks, in keel's namespaces, while the init
 * waits with its mounts made; the reply carries the state for the init's
 * createContainer and startContainer hooks. */
static int run_runtime_hooks(struct container_ctx *ctx, struct keel_error *err)
{
	char *json = create_state_creating_json(ctx, "hooks", err);
	if (!json)
		return -1;
	const struct oci_hooks *h = &ctx->config->hooks;
	int rc = linux_hooks_run(&h->prestart, "prestart", json, err);
	if (rc == 0)
		rc = linux_hooks_run(&h->create_runtime, "createRuntime", json, err);
	if (rc == 0 && sync_send_long(ctx->sync_fd[0], SYNC_HOOKS_DONE, json) < 0)
		rc = keel_error_errno(err, "container init");
	free(json);
	return rc;
}

/* SCMP_ACT_NOTIFY: the init's listener fd goes to linux.seccomp.listenerPath
 * with the container's state (status creating), as runc does. */
static int forward_seccomp_listener(struct container_ctx *ctx, struct keel_error *err)
{
	cleanup_close int fd = linux_recv_fd(ctx->sync_fd[0], err);
	if (fd < 0)
		return keel_error_prefix(err, "seccomp listener");
	char *json = create_state_creating_json(ctx, "seccomp listener", err);
	if (!json)
		return -1;
	int rc = linux_seccomp_notify_send(&ctx->config->linux_.seccomp, ctx->pid, json, fd, err);
	free(json);
	if (rc == 0 && sync_send(ctx->sync_fd[0], SYNC_SECCOMP_DONE, NULL) < 0)
		rc = keel_error_errno(err, "container init");
	return rc;
}

static int wait_init_ready(struct container_ctx *ctx, struct keel_error *err)
{
	static struct sync_msg msg;
	for (;;) {
		int got = sync_recv(ctx->sync_fd[0], &msg);
		if (got == SYNC_READY)
			return 0;
		if (got == SYNC_HOOKS) {
			if (run_runtime_hooks(ctx, err) < 0)
				return -1;
			continue;
		}
		if (got == SYNC_SECCOMP) {
			if (forward_seccomp_listener(ctx, err) < 0)
				return -1;
			continue;
		}
		if (got == SYNC_ERROR)
			return keel_error_set(err, 0, "%s", msg.text);
		if (got < 0)
			return keel_error_errno(err, "container init");
		return keel_error_set(err, 0, "container init exited during setup");
	}
}

/* The first child reports the real init's pid and exits: from now on
 * ctx->pid is the grandchild (keel, a subreaper, adopted it). */
static int adopt_init(struct container_ctx *ctx, struct keel_error *err)
{
	static struct sync_msg msg;
	if (sync_expect_msg(ctx->sync_fd[0], SYNC_PID, &msg, err) < 0)
		return -1;
	long pid = strtol(msg.text, NULL, 10);
	if (pid <= 0)
		return keel_error_set(err, 0, "container init: bad pid %s", msg.text);
	while (waitpid(ctx->pid, NULL, 0) < 0 && errno == EINTR)
		;
	ctx->pid = (pid_t)pid;
	close_fd(&ctx->pidfd);
	ctx->pidfd = (int)syscall(SYS_pidfd_open, ctx->pid, 0);
	return 0;
}

static int configure_init(struct container_ctx *ctx, struct keel_error *err)
{
	const struct oci_linux *l = &ctx->config->linux_;
	if (ctx->ns_new[OCI_NS_USER] && rootless_write_id_maps(ctx->pid, l, err) < 0)
		return -1;
	if (sync_send(ctx->sync_fd[0], SYNC_GO, NULL) < 0)
		return keel_error_errno(err, "container init");
	if (container_init_forks_twice(ctx) && adopt_init(ctx, err) < 0)
		return -1;
	if (linux_cgroups_enter(&ctx->cgroups, ctx->pid, err) < 0)
		return -1;
	if (sync_send(ctx->sync_fd[0], SYNC_CGROUPS_DONE, NULL) < 0)
		return keel_error_errno(err, "container init");
	return wait_init_ready(ctx, err);
}

/* ---- the whole create ------------------------------------------- */

static int load_bundle(struct container_ctx *ctx, struct keel_error *err)
{
	const char *bundle = ctx->opts->bundle ? ctx->opts->bundle : ".";
	if (!realpath(bundle, ctx->bundle))
		return keel_error_errno(err, "bundle %s", bundle);
	if (oci_config_load(ctx->bundle, &ctx->config, err) < 0)
		return -1;
	if (check_config(ctx, err) < 0 || open_namespaces(ctx, err) < 0)
		return -1;
	const char *listen = getenv("LISTEN_FDS");
	if (listen && *listen) {
		long n = strtol(listen, NULL, 10);
		if (n > 0 && n < 1024)
			ctx->listen_fds = (unsigned int)n;
	}
	return 0;
}

/* With --systemd-cgroup, cgroupsPath is systemd's "slice:prefix:name". */
static int prepare_cgroups(struct container_ctx *ctx, struct keel_error *err)
{
	const char *path = ctx->config->linux_.cgroups_path;
	char unit_path[PATH_MAX];
	if (ctx->opts->systemd_cgroup) {
		if (linux_cgroup_systemd_path(path, ctx->opts->id, unit_path, sizeof unit_path) < 0)
			return keel_error_set(err, 0,
					      "config.json: linux.cgroupsPath: \"%s\": expected "
					      "slice:prefix:name with --systemd-cgroup",
					      path);
		path = unit_path;
	}
	return linux_cgroups_prepare(&ctx->cgroups, path, ctx->opts->id, err);
}

static int make_host_objects(struct container_ctx *ctx, struct keel_error *err)
{
	const struct create_opts *o = ctx->opts;
	ctx->dir_fd = container_dir_create(o->root, o->id, err);
	if (ctx->dir_fd < 0)
		return -1;
	container_dir_path(o->root, o->id, ctx->dir, err);
	undo_push(&ctx->undo, undo_state_dir, ctx);
	if (prepare_cgroups(ctx, err) < 0 ||
	    rootless_cgroups_create(&ctx->cgroups, &ctx->config->linux_, err) < 0)
		return -1;
	undo_push(&ctx->undo, undo_cgroups, ctx);
	/* limits are in place before any process enters the cgroups */
	if (linux_cgroups_configure(&ctx->cgroups, &ctx->config->linux_, err) < 0)
		return -1;
	if (!o->foreground && make_exec_fifo(ctx, err) < 0)
		return -1;
	if (ctx->config->process.terminal && !o->console_socket) {
		/* a foreground run: the master comes to keel, which relays it */
		int pair[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return keel_error_errno(err, "terminal");
		ctx->console_peer = pair[0];
		ctx->console_fd = pair[1];
	} else if (o->console_socket) {
		ctx->console_fd = linux_console_socket_connect(o->console_socket, err);
		if (ctx->console_fd < 0)
			return -1;
	}
	return 0;
}

/* CVE-2019-5736: where the container could reach a keel process, keel
 * starts over from a sealed copy of itself (nothing is made yet). */
static int protect_binary(struct container_ctx *ctx, struct keel_error *err)
{
	const struct oci_process *p = &ctx->config->process;
	bool own_pid_ns = ctx->ns_new[OCI_NS_PID] && ctx->ns_fd[OCI_NS_PID] < 0;
	uint64_t bounding = p->has_capabilities ? p->capabilities.bounding : 0;
	if (!linux_selfexe_needed(own_pid_ns, bounding))
		return 0;
	return linux_selfexe_seal(err);
}

int container_create(const struct create_opts *opts, struct container_ctx *ctx,
		     struct keel_error *err)
{
	ctx_init(ctx, opts);
	if (container_id_validate(opts->id, err) < 0)
		return -1;
	if (opts->systemd_cgroup && access("/run/systemd/system", F_OK) < 0)
		return keel_error_set(err, 0,
				      "--systemd-cgroup: systemd is not running on this host "
				      "(no /run/systemd/system)");
	if (load_bundle(ctx, err) < 0 || protect_binary(ctx, err) < 0 ||
	    make_host_objects(ctx, err) < 0 || enter_children_namespaces(ctx, err) < 0 ||
	    spawn_init(ctx, err) < 0 || leave_children_namespaces(ctx, err) < 0 ||
	    configure_init(ctx, err) < 0 || create_state_write(ctx, err) < 0)
		goto fail;
	if (opts->pid_file && pidfile_write(opts->pid_file, ctx->pid, err) < 0)
		goto fail;
	log_debug("create %s: init %d, bundle %s, cgroups %s (%zu hierarchies) at %s", opts->id,
		  (int)ctx->pid, ctx->bundle, linux_cgroup_layout_name(ctx->cgroups.layout),
		  ctx->cgroups.len, ctx->cgroups.inner);
	return 0;
fail:
	undo_run(&ctx->undo);
	container_ctx_release(ctx);
	return -1;
}
