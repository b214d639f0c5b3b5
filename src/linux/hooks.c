#include "linux/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "linux/process.h"

static void exec_hook(const struct oci_hook *hook, int stdin_fd)
{
	static char *const no_env[] = {NULL};
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(stdin_fd, 0) < 0)
		_exit(127);
	char *const *args = hook->args.items ? hook->args.items : (char *const[]){hook->path, NULL};
	execve(hook->path, args, hook->env.items ? hook->env.items : no_env);
	_exit(127);
}

/* Milliseconds left until deadline_ms on CLOCK_MONOTONIC; -1 for no deadline. */
static int ms_left(int64_t deadline_ms)
{
	if (deadline_ms < 0)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t left = deadline_ms - ((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000);
	return left > 0 ? (int)(left > INT32_MAX ? INT32_MAX : left) : 0;
}

/* Writes what the pipe takes now of the state; false once nothing more is to
 * be written (all of it sent, or the hook closed its stdin). */
static bool feed_state(int fd, const char *state_json, size_t len, size_t *off)
{
	while (*off < len) {
		ssize_t n = write(fd, state_json + *off, len - *off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		if (n <= 0)
			return false;
		*off += (size_t)n;
	}
	return false;
}

/* Feeds the state to the hook's stdin while waiting for it to exit, both
 * within the hook's timeout: a hook that never reads a state larger than the
 * pipe holds must time out, not block keel. A hook that does not read at all
 * is fine. Returns 0 when the hook exited, -1 on timeout. */
static int feed_and_wait(int pidfd, int stdin_fd, const char *state_json, int64_t deadline_ms)
{
	size_t len = strlen(state_json), off = 0;
	bool feeding = true;
	for (;;) {
		if (feeding && !feed_state(stdin_fd, state_json, len, &off)) {
			close(stdin_fd);
			feeding = false;
		}
		struct pollfd p[2] = {{.fd = pidfd, .events = POLLIN},
				      {.fd = feeding ? stdin_fd : -1, .events = POLLOUT}};
		int n = poll(p, 2, ms_left(deadline_ms));
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 || (n < 0 && errno != EINTR)) {
			if (feeding)
				close(stdin_fd);
			return n == 0 ? -1 : 0;
		}
		if (p[0].revents) {
			if (feeding)
				close(stdin_fd);
			return 0;
		}
	}
}

/* Without a pidfd (kernel before 5.3): blocking writes, then a plain wait. */
static void feed_blocking(int stdin_fd, const char *state_json)
{
	size_t len = strlen(state_json), off = 0;
	while (feed_state(stdin_fd, state_json, len, &off))
		;
	close(stdin_fd);
}

static int reap_hook(pid_t pid, const struct oci_hook *hook, struct keel_error *err)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return keel_error_errno(err, "%s: wait", hook->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return keel_error_set(err, 0, "%s: exit status %d", hook->path,
				      WEXITSTATUS(status));
	return keel_error_set(err, 0, "%s: killed by signal %d", hook->path, WTERMSIG(status));
}

static int64_t hook_deadline_ms(const struct oci_hook *hook)
{
	if (!hook->has_timeout)
		return -1;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000 + (int64_t)hook->timeout * 1000;
}

int linux_hook_run(const struct oci_hook *hook, const char *state_json, struct keel_error *err)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return keel_error_errno(err, "%s: pipe", hook->path);
	int64_t deadline_ms = hook_deadline_ms(hook);
	int pidfd = -1;
	pid_t pid = linux_clone(0, &pidfd, err);
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return keel_error_prefix(err, "%s", hook->path);
	}
	if (pid == 0) {
		close(pipefd[1]);
		exec_hook(hook, pipefd[0]);
	}
	close(pipefd[0]);
	/* a hook that exits without reading must not kill us with SIGPIPE */
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGPIPE, &ign, &old);
	int exited = 0;
	if (pidfd >= 0) {
		fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
		exited = feed_and_wait(pidfd, pipefd[1], state_json, deadline_ms);
		close(pidfd);
	} else {
		feed_blocking(pipefd[1], state_json);
	}
	sigaction(SIGPIPE, &old, NULL);
	if (exited < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return keel_error_set(err, 0, "%s: timed out after %d s", hook->path,
				      hook->timeout);
	}
	return reap_hook(pid, hook, err);
}

int linux_hooks_run(const struct oci_hook_list *list, const char *name, const char *state_json,
		    struct keel_error *err)
{
	for (size_t i = 0; i < list->len; i++)
		if (linux_hook_run(&list->items[i], state_json, err) < 0)
			return keel_error_prefix(err, "hooks.%s[%zu]", name, i);
	return 0;
}
