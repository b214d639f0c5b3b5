#include "runtime/foreground.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"

void foreground_signals(sigset_t *set)
{
	static const int sigs[] = {SIGHUP,  SIGINT,   SIGQUIT, SIGTERM, SIGUSR1,
				   SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGCHLD};
	sigemptyset(set);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaddset(set, sigs[i]);
}

static int exit_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void copy_winsize(int master)
{
	struct winsize ws;
	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Moves what is readable from one fd to another; false at EOF or error
 * (a pty master reads EIO once the slave side is gone). */
static bool relay(int from, int to)
{
	char buf[8192];
	ssize_t n = read(from, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

/* True when the init has exited, with its status in *status. */
static bool reap(pid_t pid, int *status)
{
	int raw;
	pid_t got = waitpid(pid, &raw, WNOHANG);
	if (got != pid)
		return false;
	*status = exit_status(raw);
	return true;
}

/* One signal: forward it (SIGWINCH resizes the relayed terminal), then
 * check whether the init is gone. */
static bool handle_signal(int sfd, pid_t pid, int master, int *status)
{
	struct signalfd_siginfo si;
	if (read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD) {
		if (si.ssi_signo == SIGWINCH && master >= 0)
			copy_winsize(master);
		else
			kill(pid, (int)si.ssi_signo);
	}
	return reap(pid, status);
}

int foreground_wait(pid_t pid, const sigset_t *set, int master)
{
	cleanup_close int sfd = signalfd(-1, set, SFD_CLOEXEC);
	int status = 1;
	if (sfd < 0) {
		/* no signalfd: a plain wait, without forwarding */
		int raw;
		while (waitpid(pid, &raw, 0) < 0)
			if (errno != EINTR)
				return 1;
		return exit_status(raw);
	}
	struct termios saved;
	bool raw_mode = master >= 0 && isatty(0) && tcgetattr(0, &saved) == 0;
	if (raw_mode) {
		struct termios t = saved;
		cfmakeraw(&t);
		tcsetattr(0, TCSANOW, &t);
		copy_winsize(master);
	}
	struct pollfd fds[3] = {{.fd = sfd, .events = POLLIN},
				{.fd = master, .events = POLLIN},
				{.fd = master >= 0 ? 0 : -1, .events = POLLIN}};
	bool exited = reap(pid, &status);
	while (!exited) {
		if (poll(fds, 3, -1) < 0 && errno != EINTR)
			break;
		if (fds[1].revents && !relay(master, 1))
			fds[1].fd = -1;
		if (fds[2].revents && !relay(0, master))
			fds[2].fd = -1;
		if (fds[0].revents)
			exited = handle_signal(sfd, pid, master, &status);
	}
	/* what the container wrote just before it exited */
	while (fds[1].fd >= 0 && poll(&fds[1], 1, 0) > 0 && relay(master, 1))
		;
	if (raw_mode)
		tcsetattr(0, TCSANOW, &saved);
	return status;
}
