/* The container's init, in the cloned child: joins and creates the rest of
 * its namespaces, builds the root filesystem, applies the process
 * attributes, reports READY and waits for start, then execs the user
 * process. Any failure is sent to keel as one line and the child exits. */
#include "runtime/create.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/devices.h"
#include "linux/hooks.h"
#include "linux/lsm.h"
#include "linux/mounts.h"
#include "linux/namespaces.h"
#include "linux/process.h"
#include "linux/resolve.h"
#include "linux/rootfs.h"
#include "linux/seccomp_filter.h"
#include "linux/terminal.h"
#include "oci/read_file.h"
#include "runtime/sync.h"

/* How much of the image's /etc/passwd is read to find HOME. */
#define PASSWD_MAX_BYTES ((off_t)16 << 20)

/* What the last steps need; the child is single-threaded and short-lived. */
struct init_state {
	int procfd_dir; /* host /proc/self/fd, to reopen the exec fifo after the switch */
	int pty_slave;
	char exec_path[PATH_MAX];
	char **env;
	char *hooks_state; /* the state JSON for the init's hooks (malloc'd) */
	bool in_cgroups;   /* keel said CGROUPS_DONE */
	struct linux_seccomp seccomp;
};

/* Waits (once) until keel has moved this process into its cgroups. */
static int wait_cgroups(struct container_ctx *ctx, struct init_state *st, struct keel_error *err)
{
	if (st->in_cgroups)
		return 0;
	if (sync_expect(ctx->sync_fd[1], SYNC_CGROUPS_DONE, err) < 0)
		return -1;
	st->in_cgroups = true;
	return 0;
}

static void reset_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* After unshare(CLONE_NEWPID) only a child enters the new PID namespace:
 * fork it, tell keel its pid, and leave it to carry on as the init. */
static int fork_real_init(struct container_ctx *ctx, struct keel_error *err)
{
	pid_t pid = linux_clone(0, NULL, err);
	if (pid < 0)
		return -1;
	if (pid == 0)
		return 0;
	char text[32];
	snprintf(text, sizeof text, "%d", (int)pid);
	_exit(sync_send(ctx->sync_fd[1], SYNC_PID, text) < 0 ? 1 : 0);
}

static int join_namespaces(struct container_ctx *ctx, struct init_state *st, struct keel_error *err)
{
	static const struct {
		enum oci_namespace_type type;
		int flag;
		const char *name;
	} order[] = {
	    {OCI_NS_USER, CLONE_NEWUSER, "user"},      {OCI_NS_MOUNT, CLONE_NEWNS, "mount"},
	    {OCI_NS_NETWORK, CLONE_NEWNET, "network"}, {OCI_NS_IPC, CLONE_NEWIPC, "ipc"},
	    {OCI_NS_UTS, CLONE_NEWUTS, "uts"},	       {OCI_NS_CGROUP, CLONE_NEWCGROUP, "cgroup"},
	};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		int fd = ctx->ns_fd[order[i].type];
		if (fd >= 0 && linux_ns_join(fd, order[i].flag, order[i].name, err) < 0)
			return -1;
	}
	if (ctx->ns_fd[OCI_NS_USER] >= 0) {
		int flags = (ctx->ns_new[OCI_NS_MOUNT] ? CLONE_NEWNS : 0) |
			    (ctx->ns_new[OCI_NS_NETWORK] ? CLONE_NEWNET : 0) |
			    (ctx->ns_new[OCI_NS_IPC] ? CLONE_NEWIPC : 0) |
			    (ctx->ns_new[OCI_NS_UTS] ? CLONE_NEWUTS : 0) |
			    (ctx->ns_new[OCI_NS_PID] ? CLONE_NEWPID : 0);
		if (flags && unshare(flags) < 0)
			return keel_error_errno(err, "unshare namespaces");
		if (container_init_forks_twice(ctx) && fork_real_init(ctx, err) < 0)
			return -1;
	}
	/* made now, so that its root is the container's cgroup */
	if (ctx->ns_new[OCI_NS_CGROUP]) {
		if (wait_cgroups(ctx, st, err) < 0)
			return -1;
		if (unshare(CLONE_NEWCGROUP) < 0)
			return keel_error_errno(err, "cgroup namespace");
	}
	if (ctx->ns_new[OCI_NS_USER] || ctx->ns_fd[OCI_NS_USER] >= 0) {
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
			return keel_error_errno(err, "user namespace: become root (is 0 mapped?)");
	}
	return 0;
}

static bool in_user_ns(const struct container_ctx *ctx)
{
	return ctx->ns_new[OCI_NS_USER] || ctx->ns_fd[OCI_NS_USER] >= 0;
}

static bool dev_is_bound(const struct oci_config *c)
{
	for (size_t i = 0; i < c->mounts_len; i++)
		if (strcmp(c->mounts[i].destination, "/dev") == 0 && c->mounts[i].type &&
		    strcmp(c->mounts[i].type, "bind") == 0)
			return true;
	for (size_t i = 0; i < c->mounts_len; i++) {
		const struct oci_mount *m = &c->mounts[i];
		if (strcmp(m->destination, "/dev") != 0)
			continue;
		for (size_t j = 0; j < m->options.len; j++)
			if (strcmp(m->options.items[j], "bind") == 0 ||
			    strcmp(m->options.items[j], "rbind") == 0)
				return true;
	}
	return false;
}

static int mount_all(struct container_ctx *ctx, int rootfd, struct keel_error *err)
{
	const struct oci_config *c = ctx->config;
	struct linux_mount_ctx mctx = {
	    .rootfd = rootfd,
	    .cgroups = &ctx->cgroups,
	    .new_cgroupns = ctx->ns_new[OCI_NS_CGROUP],
	    /* ignored without SELinux, as runc does */
	    .mount_label = c->linux_.mount_label && linux_selinux_enabled(&linux_lsm_host_paths)
			       ? c->linux_.mount_label
			       : NULL,
	};
	for (size_t i = 0; i < c->mounts_len; i++)
		if (linux_mount_one(&mctx, &c->mounts[i], err) < 0)
			return keel_error_prefix(err, "mounts[%zu] %s", i,
						 c->mounts[i].destination);
	return 0;
}

/* A /dev bound from the host is the host's (or a host directory): nodes
 * made there would replace and re-own the host's own, or put device nodes
 * in a directory of the host. Its devices are what the host has: nothing
 * is made there, as runc does. */
static int populate_dev(struct container_ctx *ctx, int rootfd, struct keel_error *err)
{
	const struct oci_config *c = ctx->config;
	if (dev_is_bound(c))
		return 0;
	if (linux_devices_create(rootfd, c->linux_.devices, c->linux_.devices_len, in_user_ns(ctx),
				 err) < 0)
		return -1;
	return linux_dev_symlinks(rootfd, err);
}

static int mask_and_protect(struct container_ctx *ctx, int rootfd, struct keel_error *err)
{
	const struct oci_linux *l = &ctx->config->linux_;
	for (size_t i = 0; i < l->masked_paths.len; i++)
		if (linux_mask_path(rootfd, l->masked_paths.items[i], err) < 0)
			return -1;
	for (size_t i = 0; i < l->readonly_paths.len; i++)
		if (linux_readonly_path(rootfd, l->readonly_paths.items[i], err) < 0)
			return -1;
	return 0;
}

static int apply_sysctl(struct container_ctx *ctx, struct keel_error *err)
{
	const struct oci_config *c = ctx->config;
	bool net = oci_config_has_namespace(c, OCI_NS_NETWORK, NULL);
	bool ipc = oci_config_has_namespace(c, OCI_NS_IPC, NULL);
	bool uts = oci_config_has_namespace(c, OCI_NS_UTS, NULL);
	return linux_sysctl_apply(&c->linux_.sysctl, net, ipc, uts, err);
}

static unsigned long rootfs_propagation(const struct oci_config *c, struct keel_error *err)
{
	const char *name = c->linux_.rootfs_propagation;
	if (!name || !*name)
		return 0;
	unsigned long flags = linux_propagation_parse(name);
	if (!flags)
		keel_error_set(err, 0, "linux.rootfsPropagation: unknown value %s", name);
	return flags;
}

static bool has_hooks(const struct oci_config *c)
{
	const struct oci_hooks *h = &c->hooks;
	return c->has_hooks && (h->prestart.len || h->create_runtime.len ||
				h->create_container.len || h->start_container.len);
}

/* keel runs prestart and createRuntime; createContainer runs here, in the
 * container's namespaces before the root switch. */
static int run_create_hooks(struct container_ctx *ctx, struct init_state *st,
			    struct keel_error *err)
{
	if (!has_hooks(ctx->config))
		return 0;
	int sync = ctx->sync_fd[1];
	if (wait_cgroups(ctx, st, err) < 0)
		return -1;
	if (sync_send(sync, SYNC_HOOKS, NULL) < 0)
		return keel_error_errno(err, "hooks");
	/* any length: annotations alone may pass 16 KiB */
	if (sync_expect_long(sync, SYNC_HOOKS_DONE, OCI_FILE_MAX, &st->hooks_state, err) < 0)
		return -1;
	return linux_hooks_run(&ctx->config->hooks.create_container, "createContainer",
			       st->hooks_state, err);
}

/* Everything that needs the host's view happens before the root switch:
 * mount sources, /proc for sysctls and fd paths, the console socket. */
static int build_rootfs(struct container_ctx *ctx, struct init_state *st, struct keel_error *err)
{
	const struct oci_config *c = ctx->config;
	unsigned long propagation = rootfs_propagation(c, err);
	if (c->linux_.rootfs_propagation && *c->linux_.rootfs_propagation && !propagation)
		return -1;
	if (chdir(ctx->bundle) < 0)
		return keel_error_errno(err, "chdir %s", ctx->bundle);
	cleanup_close int rootfd = linux_rootfs_prepare(c->root.path, propagation, err);
	if (rootfd < 0)
		return -1;
	cleanup_close int cwd = linux_mkdir_in_root(rootfd, c->process.cwd, 0755, err);
	if (cwd < 0)
		return keel_error_prefix(err, "process.cwd");
	if (mount_all(ctx, rootfd, err) < 0 || populate_dev(ctx, rootfd, err) < 0 ||
	    mask_and_protect(ctx, rootfd, err) < 0 || apply_sysctl(ctx, err) < 0 ||
	    run_create_hooks(ctx, st, err) < 0)
		return -1;
	st->procfd_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (st->procfd_dir < 0)
		return keel_error_errno(err, "/proc/self/fd");
	if (linux_rootfs_switch(c->root.path, ctx->opts->no_pivot, err) < 0)
		return -1;
	if (c->process.terminal) {
		int master;
		if (linux_pty_open(&master, &st->pty_slave, c->process.console_height,
				   c->process.console_width, err) < 0)
			return -1;
		int rc = linux_send_fd(ctx->console_fd, master, "/dev/ptmx", err);
		close(master);
		if (rc < 0)
			return -1;
	}
	return linux_rootfs_finish(c->root.readonly, propagation, err);
}

static int set_names(const struct oci_config *c, struct keel_error *err)
{
	if (c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0)
		return keel_error_errno(err, "hostname");
	if (c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0)
		return keel_error_errno(err, "domainname");
	return 0;
}

/* HOME from the container's /etc/passwd when the config has none. */
static void home_for(uid_t uid, char *out, size_t size)
{
	snprintf(out, size, "HOME=/");
	/* The image's file, anything: a FIFO there would block create for
	 * good, a device (a link to /dev/zero) never end. A regular file only. */
	int fd = open("/etc/passwd", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	FILE *f = NULL;
	if (fd >= 0 && (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !(f = fdopen(fd, "r"))))
		close(fd);
	if (!f)
		return;
	char line[1024];
	/* and not all of a huge (or sparse) one: create would hang reading
	 * it; a real passwd file is far smaller than this */
	while (ftello(f) < PASSWD_MAX_BYTES && fgets(line, sizeof line, f)) {
		/* strsep keeps empty fields ("keel:x:1000:1000::/home/keel:/bin/sh") */
		char *fields[7] = {0}, *rest = line;
		int n = 0;
		line[strcspn(line, "\n")] = '\0';
		for (char *t; n < 7 && (t = strsep(&rest, ":"));)
			fields[n++] = t;
		if (n >= 6 && strtoul(fields[2], NULL, 10) == uid) {
			snprintf(out, size, "HOME=%s", fields[5]);
			break;
		}
	}
	fclose(f);
}

static int build_env(struct container_ctx *ctx, struct init_state *st, struct keel_error *err)
{
	const struct oci_process *p = &ctx->config->process;
	size_t n = p->env.len;
	st->env = calloc(n + 4, sizeof *st->env);
	if (!st->env)
		return keel_error_set(err, ENOMEM, "environment");
	bool has_home = false;
	for (size_t i = 0; i < n; i++) {
		st->env[i] = p->env.items[i];
		has_home |= strncmp(p->env.items[i], "HOME=", 5) == 0;
	}
	static char home[PATH_MAX + 8], listen_fds[32];
	if (!has_home) {
		home_for(p->user.uid, home, sizeof home);
		st->env[n++] = home;
	}
	if (ctx->listen_fds) {
		snprintf(listen_fds, sizeof listen_fds, "LISTEN_FDS=%u", ctx->listen_fds);
		st->env[n++] = listen_fds;
		st->env[n++] = "LISTEN_PID=1";
	}
	return 0;
}

static int enter_cwd(const char *cwd, struct keel_error *err)
{
	cleanup_close int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* no magic links: "/proc/self/fd/N" cannot lead out of the rootfs */
	cleanup_close int fd = linux_open_in_root(root, cwd, O_PATH | O_DIRECTORY);
	if (fd < 0 || fchdir(fd) < 0)
		return keel_error_errno(err, "process.cwd %s", cwd);
	return 0;
}

static void join_keyring(const struct container_ctx *ctx)
{
	if (!ctx->opts->no_new_keyring)
		linux_join_session_keyring(ctx->opts->id);
}

/* The listener fd of a NOTIFY filter goes to keel, which passes it on to
 * linux.seccomp.listenerPath while create still runs. */
static int pass_seccomp_listener(struct container_ctx *ctx, struct init_state *st, int fd,
				 struct keel_error *err)
{
	int sync = ctx->sync_fd[1];
	if (sync_send(sync, SYNC_SECCOMP, NULL) < 0 || linux_send_fd(sync, fd, "seccomp", err) < 0)
		return keel_error_errno(err, "seccomp listener");
	/* keel sent CGROUPS_DONE before it reads ours */
	if (wait_cgroups(ctx, st, err) < 0)
		return -1;
	return sync_expect(sync, SYNC_SECCOMP_DONE, err);
}

/* linux.seccomp, loaded where linux_seccomp_when() says (runc's order). */
static int install_seccomp(struct container_ctx *ctx, struct init_state *st,
			   enum linux_seccomp_when at, struct keel_error *err)
{
	bool nnp = ctx->config->process.no_new_privileges;
	if (!st->seccomp.insns || linux_seccomp_when(&st->seccomp, nnp) != at)
		return 0;
	int listener;
	if (linux_seccomp_load(&st->seccomp, &listener, err) < 0)
		return -1;
	if (listener < 0)
		return 0;
	int rc = pass_seccomp_listener(ctx, st, listener, err);
	close(listener);
	return rc;
}

static int apply_process(struct container_ctx *ctx, struct init_state *st, struct keel_error *err)
{
	const struct oci_process *p = &ctx->config->process;
	const struct oci_capabilities *caps = p->has_capabilities ? &p->capabilities : NULL;
	if (set_names(ctx->config, err) < 0)
		return -1;
	if (p->has_oom_score_adj && linux_oom_score_adj(p->oom_score_adj, err) < 0)
		return -1;
	if (linux_rlimits_apply(p->rlimits, p->rlimits_len, err) < 0)
		return -1;
	if (build_env(ctx, st, err) < 0)
		return -1;
	if (setsid() < 0 && errno != EPERM)
		return keel_error_errno(err, "setsid");
	if (p->terminal && linux_terminal_take(st->pty_slave, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return keel_error_errno(err, "process.noNewPrivileges");
	/* before any filter, which might not allow writing /proc */
	if (linux_lsm_set_exec(&linux_lsm_host_paths, p->apparmor_profile, p->selinux_label, err) <
	    0)
		return -1;
	if (install_seccomp(ctx, st, LINUX_SECCOMP_BEFORE_CAPS, err) < 0)
		return -1;
	if (linux_caps_drop_bounding(caps, err) < 0 || linux_user_switch(&p->user, err) < 0 ||
	    linux_caps_apply(caps, err) < 0)
		return -1;
	if (enter_cwd(p->cwd, err) < 0)
		return -1;
	umask(p->user.has_umask ? (mode_t)p->user.umask : 022);
	if (linux_find_executable(p->args.items[0], st->env, st->exec_path, sizeof st->exec_path,
				  err) < 0)
		return -1;
	if (linux_fds_prepare_exec(ctx->opts->preserve_fds + ctx->listen_fds, err) < 0)
		return -1;
	return install_seccomp(ctx, st, LINUX_SECCOMP_BEFORE_READY, err);
}

/* linux.seccomp is compiled first, so that a bad profile fails create
 * early, and while the host's paths are in view: compiled programs are
 * cached under the state root (libseccomp takes tens of milliseconds for
 * podman's default profile). */
static int compile_seccomp(struct container_ctx *ctx, struct init_state *st, struct keel_error *err)
{
	if (!ctx->config->linux_.has_seccomp)
		return 0;
	char cache[PATH_MAX];
	snprintf(cache, sizeof cache, "%s/" LINUX_SECCOMP_CACHE_DIR, ctx->opts->root);
	return linux_seccomp_compile_cached(cache, &ctx->config->linux_.seccomp, &st->seccomp, err);
}

static int setup(struct container_ctx *ctx, struct init_state *st, struct keel_error *err)
{
	if (compile_seccomp(ctx, st, err) < 0)
		return -1;
	if (join_namespaces(ctx, st, err) < 0)
		return -1;
	join_keyring(ctx);
	if (build_rootfs(ctx, st, err) < 0)
		return -1;
	if (apply_process(ctx, st, err) < 0)
		return -1;
	return wait_cgroups(ctx, st, err);
}

/* The state the init got during create says "creating"; once start has
 * been called the container is "created", the status startContainer hooks
 * are to see. The text is compact JSON from oci_state_spec_json_compact. */
static void mark_created(char *json)
{
	static const char creating[] = "\"status\":\"creating\"";
	static const char created[] = "\"status\":\"created\"";
	char *at = strstr(json, creating);
	if (!at)
		return;
	memcpy(at, created, sizeof created - 1);
	char *rest = at + sizeof creating - 1;
	memmove(at + sizeof created - 1, rest, strlen(rest) + 1);
}

/* startContainer hooks, in the container after start was called. */
static int run_start_hooks(struct container_ctx *ctx, struct init_state *st)
{
	struct keel_error err = {0};
	if (!ctx->config->has_hooks)
		return 0;
	if (!st->hooks_state)
		return 0; /* no hook lists: nothing was sent */
	mark_created(st->hooks_state);
	if (linux_hooks_run(&ctx->config->hooks.start_container, "startContainer", st->hooks_state,
			    &err) < 0) {
		dprintf(2, "keel: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* Blocks until `keel start` opens the fifo for reading, runs the
 * startContainer hooks, then tells it we are going (one byte): a failing
 * hook closes the fifo unwritten, and start reports the failure. */
static int wait_for_start(struct container_ctx *ctx, struct init_state *st)
{
	if (ctx->opts->foreground) {
		struct keel_error err;
		if (sync_expect(ctx->sync_fd[1], SYNC_START, &err) < 0)
			return -1;
		return run_start_hooks(ctx, st);
	}
	char name[16];
	snprintf(name, sizeof name, "%d", ctx->fifo_fd);
	int fd;
	do
		fd = openat(st->procfd_dir, name, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return -1;
	if (run_start_hooks(ctx, st) < 0 || write(fd, "0", 1) != 1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

void container_init(struct container_ctx *ctx)
{
	struct init_state st = {.procfd_dir = -1, .pty_slave = -1};
	struct keel_error err = {0};
	/* Not dumpable (keel is not either), so that nothing in the container
	 * can open our /proc/<pid>/exe or memory; except that a rootless keel
	 * must still write our id maps and setgroups, which needs /proc/<pid>
	 * to be the user's: dumpable until GO says it has (no container code
	 * runs before). Not decided by our euid: keel may already have written
	 * uid_map, which makes us root here, while gid_map is still to come. */
	bool maps_pending = ctx->ns_new[OCI_NS_USER];
	prctl(PR_SET_DUMPABLE, maps_pending ? 1 : 0, 0, 0, 0);
	reset_signals();
	/* keel's end of the socket, and the lock `start` will want */
	close(ctx->sync_fd[0]);
	close(ctx->dir_fd);
	if (ctx->console_peer >= 0)
		close(ctx->console_peer);
	int sync = ctx->sync_fd[1];
	if (sync_expect(sync, SYNC_GO, &err) < 0)
		_exit(1);
	if (maps_pending)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (setup(ctx, &st, &err) < 0) {
		/* a message left unread when we exit would reset the socket and
		 * lose our ERROR on keel's side: take CGROUPS_DONE first */
		struct keel_error ignored;
		wait_cgroups(ctx, &st, &ignored);
		sync_send(sync, SYNC_ERROR, err.msg);
		_exit(1);
	}
	if (sync_send(sync, SYNC_READY, NULL) < 0 || wait_for_start(ctx, &st) < 0)
		_exit(1);
	/* with noNewPrivileges, the filter is the last thing before execve */
	if (install_seccomp(ctx, &st, LINUX_SECCOMP_BEFORE_EXEC, &err) < 0) {
		dprintf(2, "keel: %s\n", err.msg);
		_exit(1);
	}
	execve(st.exec_path, ctx->config->process.args.items, st.env);
	dprintf(2, "keel: exec %s: %s\n", st.exec_path, strerror(errno));
	_exit(127);
}
