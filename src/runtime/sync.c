#include "runtime/sync.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

int sync_send(int fd, enum sync_type type, const char *text)
{
	struct sync_msg msg = {.type = type};
	size_t text_len = text ? strlen(text) : 0;
	/* A cut text would arrive as another (e.g. the hooks' state JSON
	 * missing its end): refuse it. */
	if (text_len >= sizeof msg.text) {
		errno = EMSGSIZE;
		return -1;
	}
	if (text)
		memcpy(msg.text, text, text_len);
	size_t len = offsetof(struct sync_msg, text) + text_len + 1;
	ssize_t n;
	do
		n = send(fd, &msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int sync_recv(int fd, struct sync_msg *msg)
{
	memset(msg, 0, sizeof *msg);
	ssize_t n;
	do
		n = recv(fd, msg, sizeof *msg, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n < (ssize_t)sizeof msg->type)
		return 0;
	msg->text[sizeof msg->text - 1] = '\0';
	return msg->type;
}

int sync_expect(int fd, enum sync_type type, struct keel_error *err)
{
	static struct sync_msg msg;
	return sync_expect_msg(fd, type, &msg, err);
}

int sync_expect_msg(int fd, enum sync_type type, struct sync_msg *msg, struct keel_error *err)
{
	int got = sync_recv(fd, msg);
	if (got < 0)
		return keel_error_errno(err, "container init");
	if (got == 0)
		return keel_error_set(err, 0, "container init exited during setup");
	if (got == SYNC_ERROR)
		return keel_error_set(err, 0, "%s", msg->text);
	if (got != (int)type)
		return keel_error_set(err, 0, "container init: unexpected message %d", got);
	return 0;
}
