#include "linux/hooks.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* Feeds the state to the hook; a hook that does not read it is fine. */
static void write_state(int fd, const char *state_json)
{
	size_t len = strlen(state_json), off = 0;
	while (off < len) {
		ssize_t n = write(fd, state_json + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
}

static int wait_hook(pid_t pid, int pidfd, const struct oci_hook *hook, struct keel_error *err)
{
	int timeout_ms = hook->has_timeout ? hook->timeout * 1000 : -1;
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		int n;
		do
			n = poll(&p, 1, timeout_ms);
		while (n < 0 && errno == EINTR);
		if (n == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return keel_error_set(err, 0, "%s: timed out after %d s", hook->path,
					      hook->timeout);
		}
	}
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

int linux_hook_run(const struct oci_hook *hook, const char *state_json, struct keel_error *err)
{
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return keel_error_errno(err, "%s: pipe", hook->path);
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
	write_state(pipefd[1], state_json);
	sigaction(SIGPIPE, &old, NULL);
	close(pipefd[1]);
	int rc = wait_hook(pid, pidfd, hook, err);
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

int linux_hooks_run(const struct oci_hook_list *list, const char *name, const char *state_json,
		    struct keel_error *err)
{
	for (size_t i = 0; i < list->len; i++)
		if (linux_hook_run(&list->items[i], state_json, err) < 0)
			return keel_error_prefix(err, "hooks.%s[%zu]", name, i);
	return 0;
}
