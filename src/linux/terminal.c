#include "linux/terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/unix_socket.h"

int linux_pty_open(int *master, int *slave, uint32_t rows, uint32_t cols, struct keel_error *err)
{
	cleanup_close int m = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (m < 0)
		return keel_error_errno(err, "terminal: /dev/ptmx");
	if (unlockpt(m) < 0)
		return keel_error_errno(err, "terminal: unlockpt");
	/* TIOCGPTPEER opens the slave by the master, with no path lookup. */
	int s = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (s < 0)
		return keel_error_errno(err, "terminal: open peer");
	if (rows && cols) {
		struct winsize ws = {.ws_row = (unsigned short)rows,
				     .ws_col = (unsigned short)cols};
		if (ioctl(m, TIOCSWINSZ, &ws) < 0) {
			close(s);
			return keel_error_errno(err, "terminal: consoleSize");
		}
	}
	*slave = s;
	*master = steal_fd(&m);
	return 0;
}

int linux_console_socket_connect(const char *path, struct keel_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof addr.sun_path)
		return keel_error_set(err, ENAMETOOLONG, "console socket %s", path);
	strcpy(addr.sun_path, path);
	cleanup_close int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return keel_error_errno(err, "console socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		return keel_error_errno(err, "console socket %s", path);
	return steal_fd(&fd);
}

int linux_send_fd(int sock, int fd, const char *name, struct keel_error *err)
{
	if (unix_send_fd(sock, fd, name, strlen(name)) < 0)
		return keel_error_errno(err, "console socket: send terminal");
	return 0;
}

int linux_recv_fd(int sock, struct keel_error *err)
{
	char name[256];
	int fd;
	if (unix_recv_fd(sock, name, sizeof name, &fd) < 0)
		return keel_error_errno(err, "receive fd");
	if (fd < 0)
		return keel_error_set(err, 0, "receive fd: no fd in message");
	return fd;
}

int linux_terminal_take(int slave, struct keel_error *err)
{
	if (setsid() < 0 && errno != EPERM)
		return keel_error_errno(err, "terminal: setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return keel_error_errno(err, "terminal: set controlling terminal");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return keel_error_errno(err, "terminal: dup2");
	return 0;
}
