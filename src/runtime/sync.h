/* Messages between keel and the container's init over a SOCK_SEQPACKET
 * socketpair during create:
 *   keel -> init   GO     ID maps written, cgroups joined: set up
 *   init -> keel   READY  everything done, waiting for start
 *   init -> keel   ERROR  one line, what failed (then it exits)
 *   keel -> init   START  (foreground run only) exec now */
#ifndef KEEL_RUNTIME_SYNC_H
#define KEEL_RUNTIME_SYNC_H

#include "common/error.h"

enum sync_type { SYNC_GO = 1, SYNC_READY, SYNC_ERROR, SYNC_START };

struct sync_msg {
	int type;
	char text[1024];
};

int sync_send(int fd, enum sync_type type, const char *text);

/* Waits for a message. Returns its type, 0 when the peer is gone, -1 on
 * error (errno). */
int sync_recv(int fd, struct sync_msg *msg);

/* Waits for the message type (ERROR messages and a closed peer become err). */
int sync_expect(int fd, enum sync_type type, struct keel_error *err);

#endif
