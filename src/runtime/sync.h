/* Messages between keel and the container's init over a SOCK_SEQPACKET
 * socketpair during create:
 *   keel -> init   GO     ID maps written: set up
 *   keel -> init   CGROUPS_DONE  the init is in its cgroups (moving a task
 *                         between v1 cgroups waits for an RCU grace
 *                         period: keel does it while the init mounts)
 *   init -> keel   READY  everything done, waiting for start
 *   init -> keel   ERROR  one line, what failed (then it exits)
 *   init -> keel   HOOKS  namespaces and mounts ready: run prestart and
 *                         createRuntime hooks
 *   keel -> init   HOOKS_DONE  with the state JSON for the init's own hooks
 *   keel -> init   START  (run only) exec now
 *   init -> keel   SECCOMP  seccomp filter loaded with SCMP_ACT_NOTIFY: the
 *                         next message carries the listener fd (SCM_RIGHTS)
 *   keel -> init   SECCOMP_DONE  the fd went to linux.seccomp.listenerPath
 *   init -> keel   PID    (joined user namespace + new PID namespace) the
 *                         first child forked the real init: its pid */
#ifndef KEEL_RUNTIME_SYNC_H
#define KEEL_RUNTIME_SYNC_H

#include <stddef.h>

#include "common/error.h"

enum sync_type {
	SYNC_GO = 1,
	SYNC_READY,
	SYNC_ERROR,
	SYNC_START,
	SYNC_HOOKS,
	SYNC_HOOKS_DONE,
	SYNC_CGROUPS_DONE,
	SYNC_SECCOMP,
	SYNC_SECCOMP_DONE,
	SYNC_PID,
};

struct sync_msg {
	int type;
	char text[16384];
};

/* The longest text one message carries. */
#define SYNC_TEXT_MAX (sizeof(((struct sync_msg *)0)->text) - 1)

/* Sends one message; a text longer than SYNC_TEXT_MAX is refused
 * (EMSGSIZE), never cut. */
int sync_send(int fd, enum sync_type type, const char *text);

/* A text of any length as messages of one type: SYNC_TEXT_MAX-byte chunks,
 * then a shorter (maybe empty) last one. */
int sync_send_long(int fd, enum sync_type type, const char *text);

/* Receives what sync_send_long sent (at most max bytes) into a malloc'd
 * *text; ERROR messages and a closed peer become err. */
int sync_expect_long(int fd, enum sync_type type, size_t max, char **text, struct keel_error *err);

/* Waits for a message. Returns its type, 0 when the peer is gone, -1 on
 * error (errno). */
int sync_recv(int fd, struct sync_msg *msg);

/* Waits for the message type (ERROR messages and a closed peer become err). */
int sync_expect(int fd, enum sync_type type, struct keel_error *err);

/* Same, keeping the message's text. */
int sync_expect_msg(int fd, enum sync_type type, struct sync_msg *msg, struct keel_error *err);

#endif
