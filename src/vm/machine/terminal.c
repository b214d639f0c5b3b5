/* Terminal raw mode. The saved state is process-global because signal
 * handlers must reach it. */
#include "vm/machine/terminal.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_mode;
static int saved_fd = -1;

void terminal_restore(void)
{
	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSADRAIN, &saved_mode);
		saved_fd = -1;
	}
}

/* Restores the terminal, then dies of the same signal with its default
 * action, so the parent sees the true cause. */
static void restore_and_reraise(int sig)
{
	terminal_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static const int fatal[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGSEGV,
				    SIGBUS, SIGFPE,  SIGILL, SIGABRT};
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_reraise;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
}

int terminal_raw_enter(int fd)
{
	struct termios raw;
	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &saved_mode) < 0)
		return -1;
	raw = saved_mode;
	cfmakeraw(&raw);
	/* keep output post-processing off too: the guest sends \r\n itself */
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	saved_fd = fd;
	static bool registered;
	if (!registered) {
		atexit(terminal_restore);
		install_handlers();
		registered = true;
	}
	/* TCSANOW: keep what was typed ahead, it is the guest's input */
	if (tcsetattr(fd, TCSANOW, &raw) < 0) {
		saved_fd = -1;
		return -1;
	}
	return 1;
}
