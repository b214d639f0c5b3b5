/* One fd passed over a unix socket (SCM_RIGHTS) with a payload: the console
 * socket's pty master, a seccomp NOTIFY listener. */
#ifndef KEEL_COMMON_UNIX_SOCKET_H
#define KEEL_COMMON_UNIX_SOCKET_H

#include <stddef.h>
#include <sys/types.h>

/* Sends len bytes (len > 0: a stream socket carries no fd without data)
 * with fd attached to the first chunk; loops until all are sent, retrying
 * on EINTR, without SIGPIPE. Returns 0, or -1 with errno set. */
int unix_send_fd(int sock, int fd, const void *data, size_t len);

/* Receives at most size bytes into buf (not terminated) and the one fd
 * that came with them, close-on-exec, in *fd (-1 when none). Retries on
 * EINTR. Returns the length, 0 at EOF, or -1 with errno set. */
ssize_t unix_recv_fd(int sock, void *buf, size_t size, int *fd);

#endif
