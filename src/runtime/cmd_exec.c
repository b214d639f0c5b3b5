/* `keel exec [options] ID [COMMAND [ARGS...]]`: a new process in a live
 * container, with runc's flags.
 *
 * keel joins the container's PID and time namespaces for its children,
 * forks, moves the child into the container's cgroups and lets it go. The
 * child joins the other namespaces (the user namespace first, so that it
 * owns the rights for the rest; the mount namespace last, then the init's
 * root), takes a terminal if asked, and applies the process as the init
 * does: rlimits, no_new_privs, seccomp (in runc's order), capabilities,
 * user, cwd. It reports a failure as one line over a close-on-exec socket
 * and keel reads EOF when the exec succeeded. In the foreground keel
 * forwards signals and returns the process's exit status. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/cgroups.h"
#include "linux/fileio.h"
#include "linux/lsm.h"
#include "linux/proc.h"
#include "linux/namespaces.h"
#include "linux/process.h"
#include "linux/resolve.h"
#include "linux/seccomp_filter.h"
#include "linux/terminal.h"
#include "oci/config.h"
#include "runtime/args.h"
#include "runtime/commands.h"
#include "runtime/container.h"
#include "runtime/foreground.h"
#include "runtime/pidfile.h"

#define MAX_REPEATED 256

struct exec_opts {
	const char *console_socket, *cwd, *user, *process, *pid_file, *process_label, *apparmor,
	    *cgroup;
	bool tty, detach, no_new_privs, ignore_paused;
	unsigned int preserve_fds;
	const char *env[MAX_REPEATED], *caps[MAX_REPEATED], *gids[MAX_REPEATED];
	size_t env_len, caps_len, gids_len;
};

/* What the child needs, prepared by keel before the fork. */
struct exec_plan {
	struct oci_process *proc;
	struct linux_seccomp seccomp;
	int ns_fd[OCI_NS_COUNT];
	int root_fd;	/* /proc/<init>/root */
	int console_fd; /* console socket or keel's relay, -1 */
	int sync[2];
	int own_pid_ns, own_time_ns; /* keel's own, to go back to after the fork */
	unsigned int preserve_fds;
	char **env;
	const char *id; /* for the container's session keyring */
};

/* ---- the command line -------------------------------------------- */

/* Flags that may repeat (args_parse keeps one value) are taken out first. */
static const char **repeated_slot(struct exec_opts *o, const char *name, size_t **len)
{
	if (strcmp(name, "env") == 0 || strcmp(name, "e") == 0)
		return *len = &o->env_len, o->env;
	if (strcmp(name, "cap") == 0 || strcmp(name, "c") == 0)
		return *len = &o->caps_len, o->caps;
	if (strcmp(name, "additional-gids") == 0 || strcmp(name, "g") == 0)
		return *len = &o->gids_len, o->gids;
	return NULL;
}

static bool takes_value(const char *name)
{
	static const char *const with_value[] = {
	    "console-socket", "cwd",	  "user",	  "u",	    "process", "p", "pid-file",
	    "process-label",  "apparmor", "preserve-fds", "cgroup", NULL};
	for (size_t i = 0; with_value[i]; i++)
		if (strcmp(name, with_value[i]) == 0)
			return true;
	return false;
}

static int take_repeated(struct exec_opts *o, int argc, char **argv, char **out, int *outc,
			 struct keel_error *err)
{
	int i = 1, n = 1;
	out[0] = argv[0];
	for (; i < argc && argv[i][0] == '-' && strcmp(argv[i], "--") != 0; i++) {
		char name[64];
		const char *arg = argv[i] + (argv[i][1] == '-' ? 2 : 1);
		const char *eq = strchr(arg, '=');
		snprintf(name, sizeof name, "%.*s", (int)(eq ? eq - arg : (long)strlen(arg)), arg);
		size_t *len;
		const char **slot = repeated_slot(o, name, &len);
		if (!slot) {
			out[n++] = argv[i];
			if (!eq && takes_value(name) && i + 1 < argc)
				out[n++] = argv[++i];
			continue;
		}
		const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!value)
			return keel_error_set(err, 0, "flag needs an argument: -%s", name);
		if (*len == MAX_REPEATED)
			return keel_error_set(err, 0, "too many --%s", name);
		slot[(*len)++] = value;
	}
	for (; i < argc; i++)
		out[n++] = argv[i];
	out[n] = NULL;
	*outc = n;
	return 0;
}

static int parse_user(const char *text, struct oci_user *user, struct keel_error *err)
{
	char *end;
	unsigned long uid = strtoul(text, &end, 10);
	if (end == text || (*end && *end != ':'))
		return keel_error_set(err, 0, "--user: expected uid[:gid], got %s", text);
	user->uid = (uint32_t)uid;
	if (*end == ':') {
		const char *g = end + 1;
		unsigned long gid = strtoul(g, &end, 10);
		if (end == g || *end)
			return keel_error_set(err, 0, "--user: expected uid[:gid], got %s", text);
		user->gid = (uint32_t)gid;
	}
	return 0;
}

/* --env NAME=V replaces NAME from the config, or is added. */
static char **merge_env(const struct oci_strings *base, const char *const *extra, size_t n)
{
	char **env = calloc(base->len + n + 2, sizeof *env);
	if (!env)
		return NULL;
	size_t k = 0;
	for (size_t i = 0; i < base->len; i++)
		env[k++] = base->items[i];
	for (size_t i = 0; i < n; i++) {
		size_t name = strcspn(extra[i], "=");
		size_t j = 0;
		while (j < k && !(strncmp(env[j], extra[i], name) == 0 && env[j][name] == '='))
			j++;
		env[j] = (char *)extra[i];
		if (j == k)
			k++;
	}
	return env;
}

static int add_caps(struct oci_capabilities *caps, const char *const *names, size_t n,
		    struct keel_error *err)
{
	for (size_t i = 0; i < n; i++) {
		int cap = oci_cap_parse(names[i]);
		if (cap < 0)
			return keel_error_set(err, 0, "--cap: unknown capability %s", names[i]);
		oci_cap_mask bit = (oci_cap_mask)1 << cap;
		caps->bounding |= bit, caps->effective |= bit, caps->permitted |= bit;
		caps->inheritable |= bit, caps->ambient |= bit;
	}
	return 0;
}

/* The process from the config, with the command line's changes. Pointers
 * into config, argv and o: release only what is marked owned. */
static int process_from_flags(const struct oci_config *config, struct exec_opts *o, int argc,
			      char **argv, struct oci_process *p, uint32_t *gids,
			      struct keel_error *err)
{
	*p = config->process;
	p->env.items = NULL; /* owned: merged below */
	p->env.len = 0;
	if (argc < 1)
		return keel_error_set(err, 0, "exec args cannot be empty");
	p->args.items = argv;
	p->args.len = (size_t)argc;
	p->terminal = o->tty;
	if (o->cwd)
		p->cwd = (char *)o->cwd;
	if (o->user && parse_user(o->user, &p->user, err) < 0)
		return -1;
	if (o->gids_len) {
		for (size_t i = 0; i < o->gids_len; i++)
			gids[i] = (uint32_t)strtoul(o->gids[i], NULL, 10);
		p->user.additional_gids = gids;
		p->user.additional_gids_len = o->gids_len;
	}
	p->env.items = merge_env(&config->process.env, o->env, o->env_len);
	if (!p->env.items)
		return keel_error_set(err, ENOMEM, "env");
	for (p->env.len = 0; p->env.items[p->env.len];)
		p->env.len++;
	if (o->caps_len) {
		p->has_capabilities = true;
		if (add_caps(&p->capabilities, o->caps, o->caps_len, err) < 0)
			return -1;
	}
	p->no_new_privileges |= o->no_new_privs;
	if (o->apparmor)
		p->apparmor_profile = (char *)o->apparmor;
	if (o->process_label)
		p->selinux_label = (char *)o->process_label;
	return 0;
}

/* ---- the child ----------------------------------------------------- */

static const struct {
	enum oci_namespace_type type;
	int flag;
	const char *proc;
} ns_order[] = {
    /* user first; mount last (it changes root and cwd) */
    {OCI_NS_USER, CLONE_NEWUSER, "user"},	{OCI_NS_IPC, CLONE_NEWIPC, "ipc"},
    {OCI_NS_UTS, CLONE_NEWUTS, "uts"},		{OCI_NS_NETWORK, CLONE_NEWNET, "net"},
    {OCI_NS_CGROUP, CLONE_NEWCGROUP, "cgroup"}, {OCI_NS_MOUNT, CLONE_NEWNS, "mnt"},
};

static int join_container(struct exec_plan *plan, struct keel_error *err)
{
	for (size_t i = 0; i < sizeof ns_order / sizeof ns_order[0]; i++) {
		int fd = plan->ns_fd[ns_order[i].type];
		if (fd >= 0 && linux_ns_join(fd, ns_order[i].flag, ns_order[i].proc, err) < 0)
			return -1;
	}
	/* the init's root, whether it got there by pivot_root or chroot */
	if (fchdir(plan->root_fd) < 0 || chroot(".") < 0 || chdir("/") < 0)
		return keel_error_errno(err, "enter the container's root");
	return 0;
}

static int take_terminal(struct exec_plan *plan, struct keel_error *err)
{
	const struct oci_process *p = plan->proc;
	int master, slave;
	if (linux_pty_open(&master, &slave, p->console_height, p->console_width, err) < 0)
		return -1;
	int rc = linux_send_fd(plan->console_fd, master, "/dev/ptmx", err);
	close(master);
	if (rc < 0 || linux_terminal_take(slave, err) < 0)
		return -1;
	close(slave);
	return 0;
}

static int load_seccomp_at(struct exec_plan *plan, enum linux_seccomp_when at,
			   struct keel_error *err)
{
	const struct linux_seccomp *f = &plan->seccomp;
	if (!f->insns)
		return 0;
	enum linux_seccomp_when when = linux_seccomp_when(f, plan->proc->no_new_privileges);
	if (when == LINUX_SECCOMP_BEFORE_READY)
		when = LINUX_SECCOMP_BEFORE_EXEC;
	if (when != at)
		return 0;
	int listener = -1;
	if (linux_seccomp_load(f, &listener, err) < 0)
		return -1;
	if (listener < 0)
		return 0;
	/* keel passes it on to linux.seccomp.listenerPath, as runc does */
	char ack;
	int rc = 0;
	if (linux_send_fd(plan->sync[1], listener, "seccomp", err) < 0)
		rc = keel_error_errno(err, "seccomp listener: pass it to keel");
	close(listener);
	if (rc == 0 && read(plan->sync[1], &ack, 1) != 1)
		rc = keel_error_set(err, 0, "seccomp listener: keel did not take it");
	return rc;
}

static int apply_process(struct exec_plan *plan, char *path, size_t size, struct keel_error *err)
{
	const struct oci_process *p = plan->proc;
	const struct oci_capabilities *caps = p->has_capabilities ? &p->capabilities : NULL;
	if (linux_rlimits_apply(p->rlimits, p->rlimits_len, err) < 0)
		return -1;
	if (p->terminal && take_terminal(plan, err) < 0)
		return -1;
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return keel_error_errno(err, "process.noNewPrivileges");
	/* before any filter, which might not allow writing /proc (as the init) */
	if (linux_lsm_set_exec(&linux_lsm_host_paths, p->apparmor_profile, p->selinux_label, err) <
	    0)
		return -1;
	if (load_seccomp_at(plan, LINUX_SECCOMP_BEFORE_CAPS, err) < 0)
		return -1;
	if (linux_caps_drop_bounding(caps, err) < 0 || linux_user_switch(&p->user, err) < 0 ||
	    linux_caps_apply(caps, err) < 0)
		return -1;
	if (linux_chdir_in_root(p->cwd, err) < 0)
		return -1;
	if (p->user.has_umask)
		umask((mode_t)p->user.umask);
	if (linux_find_executable(p->args.items[0], plan->env, path, size, err) < 0)
		return -1;
	if (linux_fds_prepare_exec(plan->preserve_fds, err) < 0)
		return -1;
	return load_seccomp_at(plan, LINUX_SECCOMP_BEFORE_EXEC, err);
}

static __attribute__((noreturn)) void child_fail(int sync, const struct keel_error *err, int code)
{
	if (write(sync, err->msg, strlen(err->msg)) < 0) {
		/* keel is gone: nobody to tell */
	}
	_exit(code);
}

static __attribute__((noreturn)) void exec_child(struct exec_plan *plan)
{
	struct keel_error err = {0};
	int sync = plan->sync[1];
	char go, path[PATH_MAX];
	close(plan->sync[0]);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* the namespaces while keel moves us into the cgroups (a v1 move waits
	 * for an RCU grace period); nothing of the process before that */
	if (join_container(plan, &err) < 0)
		child_fail(sync, &err, 1);
	/* not the caller's session keyring and its keys: the container's */
	linux_join_session_keyring(plan->id);
	if (read(sync, &go, 1) != 1)
		_exit(1);
	if (apply_process(plan, path, sizeof path, &err) < 0)
		child_fail(sync, &err, 1);
	execve(path, plan->proc->args.items, plan->env);
	keel_error_errno(&err, "exec %s", path);
	child_fail(sync, &err, 127);
}

/* ---- keel's side --------------------------------------------------- */

static int open_namespaces(const struct oci_state *s, struct exec_plan *plan,
			   struct keel_error *err)
{
	static const char *const names[OCI_NS_COUNT] = {
	    [OCI_NS_PID] = "pid",	[OCI_NS_NETWORK] = "net", [OCI_NS_MOUNT] = "mnt",
	    [OCI_NS_IPC] = "ipc",	[OCI_NS_UTS] = "uts",	  [OCI_NS_USER] = "user",
	    [OCI_NS_CGROUP] = "cgroup", [OCI_NS_TIME] = "time",
	};
	for (size_t i = 0; i < s->namespaces_len; i++) {
		enum oci_namespace_type t = s->namespaces[i].type;
		char path[64];
		if (t >= OCI_NS_COUNT || !names[t] || plan->ns_fd[t] >= 0)
			continue;
		/* the init's own: also right for namespaces it joined by path */
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)s->pid, names[t]);
		plan->ns_fd[t] = open(path, O_RDONLY | O_CLOEXEC);
		if (plan->ns_fd[t] < 0)
			return keel_error_errno(err, "%s", path);
	}
	char root[64];
	snprintf(root, sizeof root, "/proc/%d/root", (int)s->pid);
	plan->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (plan->root_fd < 0)
		return keel_error_errno(err, "%s", root);
	/* checked after the opens: had the init died and its pid been reused
	 * meanwhile, these would be another process's namespaces */
	if (!linux_proc_alive(s->pid, s->pid_start_time))
		return keel_error_set(err, ESRCH, "the container's init exited during exec");
	return 0;
}

char *proc_cgroup_unified_path(char *text)
{
	/* the "0::" entry, at the start of a line: a v1 line's path may hold
	 * "0::" too (a cgroup named "x0::" by whoever can make one) */
	char *line = strncmp(text, "0::", 3) == 0 ? text : strstr(text, "\n0::");
	if (!line)
		return NULL;
	if (*line == '\n')
		line++;
	line += 3;
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* The v2 directory may have children with controllers (no processes
 * allowed there then): the init's own cgroup is where exec'd processes go. */
static int init_v2_cgroup(const struct oci_state *s, const char *v2_dir, char *out, size_t size)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)s->pid);
	cleanup_free char *text = NULL;
	struct keel_error ignored;
	if (linux_read_file(path, 1 << 16, &text, &ignored) < 0)
		return -1;
	const char *line = proc_cgroup_unified_path(text);
	if (!line)
		return -1;
	const char *mount =
	    strstr(v2_dir, "/unified") ? LINUX_CGROUP_ROOT "/unified" : LINUX_CGROUP_ROOT;
	int n = snprintf(out, size, "%s%s", mount, line);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int enter_cgroups(const struct oci_state *s, pid_t pid, struct keel_error *err)
{
	char text[32];
	snprintf(text, sizeof text, "%d", (int)pid);
	for (size_t i = 0; i < s->cgroups_len; i++) {
		char procs[PATH_MAX + 32];
		snprintf(procs, sizeof procs, "%s/cgroup.procs", s->cgroups[i].path);
		if (linux_write_file(procs, text, err) == 0)
			continue;
		bool v2 = !s->cgroups[i].controller || !s->cgroups[i].controller[0];
		char dir[PATH_MAX];
		if (!v2 || (err->errnum != EBUSY && err->errnum != EOPNOTSUPP) ||
		    init_v2_cgroup(s, s->cgroups[i].path, dir, sizeof dir) < 0)
			return -1;
		snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
		if (linux_write_file(procs, text, err) < 0)
			return -1;
	}
	return 0;
}

static int join_for_children(struct exec_plan *plan, struct keel_error *err)
{
	/* remembered to go back once the child is made: threads keel (or a
	 * sanitizer) starts later must not land in the container's PID ns */
	if (plan->ns_fd[OCI_NS_PID] >= 0 &&
	    (plan->own_pid_ns = open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)) < 0)
		return keel_error_errno(err, "/proc/self/ns/pid");
	if (plan->ns_fd[OCI_NS_TIME] >= 0 &&
	    (plan->own_time_ns = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC)) < 0)
		return keel_error_errno(err, "/proc/self/ns/time");
	if (plan->ns_fd[OCI_NS_PID] >= 0 &&
	    linux_ns_join(plan->ns_fd[OCI_NS_PID], CLONE_NEWPID, "pid", err) < 0)
		return -1;
	if (plan->ns_fd[OCI_NS_TIME] >= 0 &&
	    linux_ns_join(plan->ns_fd[OCI_NS_TIME], CLONE_NEWTIME, "time", err) < 0)
		return -1;
	return 0;
}

static void plan_release(struct exec_plan *plan)
{
	for (int i = 0; i < OCI_NS_COUNT; i++)
		if (plan->ns_fd[i] >= 0)
			close(plan->ns_fd[i]);
	int fds[] = {plan->root_fd, plan->console_fd, plan->sync[0],
		     plan->sync[1], plan->own_pid_ns, plan->own_time_ns};
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(plan->seccomp.insns);
	free(plan->env);
}

static char **env_with_home(const struct oci_process *p)
{
	bool has_home = false;
	for (size_t i = 0; i < p->env.len; i++)
		has_home |= strncmp(p->env.items[i], "HOME=", 5) == 0;
	char **env = calloc(p->env.len + 2, sizeof *env);
	if (!env)
		return NULL;
	memcpy(env, p->env.items, p->env.len * sizeof *env);
	/* runc looks HOME up in the container's passwd; "/" is its default */
	if (!has_home)
		env[p->env.len] = p->user.uid == 0 ? "HOME=/root" : "HOME=/";
	return env;
}

struct exec_run {
	struct exec_opts *o;
	struct oci_state *state;
	struct oci_config *config;
	struct exec_plan plan;
	int relay; /* keel's end of the terminal relay, -1 */
};

/* A NOTIFY filter's listener fd from the child goes to listenerPath with
 * the container's state, as the init's does (runc does the same). */
static int forward_listener(struct exec_run *r, pid_t pid, int fd, struct keel_error *err)
{
	char *json = oci_state_spec_json_compact(r->state);
	if (!json)
		return keel_error_set(err, ENOMEM, "seccomp listener");
	int rc = linux_seccomp_notify_send(&r->config->linux_.seccomp, pid, json, fd, err);
	free(json);
	if (rc == 0 && write(r->plan.sync[0], "k", 1) != 1)
		rc = keel_error_errno(err, "exec");
	return rc;
}

/* Waits for the child's verdict: EOF when the exec happened. */
static int wait_exec(struct exec_run *r, pid_t pid, struct keel_error *err)
{
	for (;;) {
		char msg[KEEL_ERROR_MAX];
		int fd;
		ssize_t n = linux_seccomp_recv_listener(r->plan.sync[0], msg, sizeof msg, &fd);
		if (n <= 0)
			return 0;
		if (fd < 0)
			return keel_error_set(err, 0, "%s", msg);
		int rc = forward_listener(r, pid, fd, err);
		close(fd);
		if (rc < 0)
			return -1;
	}
}

static int prepare(struct exec_run *r, const char *root, struct keel_error *err)
{
	struct exec_plan *plan = &r->plan;
	const struct oci_linux *l = &r->config->linux_;
	char cache[PATH_MAX];
	snprintf(cache, sizeof cache, "%s/" LINUX_SECCOMP_CACHE_DIR, root);
	if (l->has_seccomp &&
	    linux_seccomp_compile_cached(cache, &l->seccomp, &plan->seccomp, err) < 0)
		return -1;
	if (!(plan->env = env_with_home(plan->proc)))
		return keel_error_set(err, ENOMEM, "env");
	if (open_namespaces(r->state, plan, err) < 0)
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, plan->sync) < 0)
		return keel_error_errno(err, "socketpair");
	if (plan->proc->terminal && r->o->console_socket) {
		plan->console_fd = linux_console_socket_connect(r->o->console_socket, err);
		if (plan->console_fd < 0)
			return -1;
	} else if (plan->proc->terminal) {
		int pair[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
			return keel_error_errno(err, "terminal");
		r->relay = pair[0];
		plan->console_fd = pair[1];
	}
	return join_for_children(plan, err);
}

static int start_child(struct exec_run *r, sigset_t *set, pid_t *pid, int *master,
		       struct keel_error *err)
{
	struct exec_plan *plan = &r->plan;
	foreground_signals(set);
	sigprocmask(SIG_BLOCK, set, NULL);
	*pid = fork();
	if (*pid < 0)
		return keel_error_errno(err, "fork");
	if (*pid == 0)
		exec_child(plan);
	close(plan->sync[1]);
	plan->sync[1] = -1;
	if ((plan->own_pid_ns >= 0 && setns(plan->own_pid_ns, CLONE_NEWPID) < 0) ||
	    (plan->own_time_ns >= 0 && setns(plan->own_time_ns, CLONE_NEWTIME) < 0)) {
		kill(*pid, SIGKILL);
		return keel_error_errno(err, "back to keel's own namespaces");
	}
	if (enter_cgroups(r->state, *pid, err) < 0 || write(plan->sync[0], "g", 1) != 1 ||
	    wait_exec(r, *pid, err) < 0) {
		kill(*pid, SIGKILL);
		return -1;
	}
	if (r->relay >= 0 && (*master = linux_recv_fd(r->relay, err)) < 0) {
		kill(*pid, SIGKILL);
		return -1;
	}
	return 0;
}

/* Checks the chosen process against the options, then starts it. */
static int exec_process(struct global_opts *g, struct exec_run *r, struct keel_error *err)
{
	if (r->plan.proc->terminal && r->o->detach && !r->o->console_socket)
		return keel_error_set(err, 0,
				      "cannot allocate tty if keel will detach without "
				      "setting console socket");
	if (!r->plan.proc->terminal && r->o->console_socket)
		return keel_error_set(err, 0,
				      "cannot use console socket if keel will not detach "
				      "or allocate tty");
	if (linux_lsm_check(&linux_lsm_host_paths, r->plan.proc, err) < 0)
		return -1;
	r->plan.preserve_fds = r->o->preserve_fds;
	r->plan.id = r->state->id;
	sigset_t set;
	pid_t pid;
	int master = -1;
	if (prepare(r, g->root, err) < 0 || start_child(r, &set, &pid, &master, err) < 0)
		return -1;
	if (r->o->pid_file && pidfile_write(r->o->pid_file, pid, err) < 0) {
		kill(pid, SIGKILL);
		return -1;
	}
	return r->o->detach ? 0 : foreground_wait(pid, &set, master);
}

static int run_exec(struct global_opts *g, struct exec_run *r, int argc, char **argv,
		    struct keel_error *err)
{
	uint32_t gids[MAX_REPEATED];
	struct oci_process from_flags;
	if (oci_config_load(r->state->bundle, &r->config, err) < 0)
		return -1;
	if (r->o->process) {
		if (oci_process_load_file(r->o->process, &r->plan.proc, err) < 0)
			return -1;
		int rc = exec_process(g, r, err);
		oci_process_free(r->plan.proc);
		return rc;
	}
	int rc = process_from_flags(r->config, r->o, argc, argv, &from_flags, gids, err);
	if (rc == 0) {
		r->plan.proc = &from_flags;
		rc = exec_process(g, r, err);
	}
	free(from_flags.env.items);
	return rc;
}

int cmd_exec(struct global_opts *g, int argc, char **argv, struct keel_error *err)
{
	static struct exec_opts o;
	struct arg_option options[] = {
	    {"console-socket", NULL, ARG_STRING, &o.console_socket},
	    {"cwd", NULL, ARG_STRING, &o.cwd},
	    {"tty", "t", ARG_BOOL, &o.tty},
	    {"user", "u", ARG_STRING, &o.user},
	    {"process", "p", ARG_STRING, &o.process},
	    {"detach", "d", ARG_BOOL, &o.detach},
	    {"pid-file", NULL, ARG_STRING, &o.pid_file},
	    {"process-label", NULL, ARG_STRING, &o.process_label},
	    {"apparmor", NULL, ARG_STRING, &o.apparmor},
	    {"no-new-privs", NULL, ARG_BOOL, &o.no_new_privs},
	    {"preserve-fds", NULL, ARG_UINT, &o.preserve_fds},
	    {"cgroup", NULL, ARG_STRING, &o.cgroup},
	    {"ignore-paused", NULL, ARG_BOOL, &o.ignore_paused},
	    {0},
	};
	snprintf(g->context, sizeof g->context, "exec");
	cleanup_free char **args = calloc((size_t)argc + 1, sizeof *args);
	int nargs = 0, i = 1;
	if (!args)
		return keel_error_set(err, ENOMEM, "exec"), 1;
	if (take_repeated(&o, argc, argv, args, &nargs, err) < 0 ||
	    args_parse(nargs, args, &i, options, err) < 0)
		return 1;
	if (i < nargs && strcmp(args[i], "--") == 0)
		i++;
	if (i >= nargs)
		return keel_error_set(err, 0, "\"exec\" requires a minimum of 1 argument"), 1;
	const char *id = args[i++];
	if (i < nargs && strcmp(args[i], "--") == 0)
		i++;
	snprintf(g->context, sizeof g->context, "exec %s", id);
	if (o.cgroup && *o.cgroup)
		return keel_error_set(err, 0, "--cgroup (a sub-cgroup) is not supported"), 1;
	struct exec_run r = {.o = &o, .relay = -1};
	r.plan.root_fd = r.plan.console_fd = r.plan.sync[0] = r.plan.sync[1] = -1;
	r.plan.own_pid_ns = r.plan.own_time_ns = -1;
	for (int k = 0; k < OCI_NS_COUNT; k++)
		r.plan.ns_fd[k] = -1;
	int rc = 1;
	{
		cleanup_close int lock = container_open(g->root, id, LOCK_SH, &r.state, err);
		if (lock < 0)
			return 1;
		enum oci_status st = container_refresh_status(g->root, r.state);
		if (st == OCI_STATUS_STOPPED)
			keel_error_set(err, 0, "cannot exec in a stopped container");
		else if (st == OCI_STATUS_PAUSED && !o.ignore_paused)
			keel_error_set(err, 0,
				       "cannot exec in a paused container (use "
				       "--ignore-paused to override)");
		else
			rc = 0;
	} /* the lock is not held while the process runs: delete must not wait */
	if (rc == 0) {
		int status = run_exec(g, &r, nargs - i, args + i, err);
		rc = status < 0 ? 1 : status;
	}
	plan_release(&r.plan);
	if (r.relay >= 0)
		close(r.relay);
	oci_config_free(r.config);
	oci_state_free(r.state);
	return rc;
}
