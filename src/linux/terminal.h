/* process.terminal: a pty from the container's own devpts, its master
 * handed to the caller's console socket (SCM_RIGHTS, as runc does), its
 * slave the init's controlling terminal and stdio. */
#ifndef KEEL_LINUX_TERMINAL_H
#define KEEL_LINUX_TERMINAL_H

#include <stdint.h>

#include "common/error.h"

/* Opens /dev/ptmx (after the root switch: the container's), unlocks it and
 * opens the peer. Sets the window size when rows and cols are not 0. */
int linux_pty_open(int *master, int *slave, uint32_t rows, uint32_t cols, struct keel_error *err);

/* Connects to the unix socket at path (before the root switch). */
int linux_console_socket_connect(const char *path, struct keel_error *err);

/* Sends fd over a unix socket with name as the message bytes. */
int linux_send_fd(int sock, int fd, const char *name, struct keel_error *err);

/* Receives one fd (tests, and the foreground run). Returns it or -1. */
int linux_recv_fd(int sock, struct keel_error *err);

/* New session, slave as the controlling terminal, and as fds 0, 1, 2. */
int linux_terminal_take(int slave, struct keel_error *err);

#endif
