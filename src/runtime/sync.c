#include "runtime/sync.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static int send_msg(int fd, enum sync_type type, const char *text, size_t text_len)
{
	struct sync_msg msg = {.type = type};
	if (text_len)
		memcpy(msg.text, text, text_len);
	size_t len = offsetof(struct sync_msg, text) + text_len + 1;
	ssize_t n;
	do
		n = send(fd, &msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

int sync_send(int fd, enum sync_type type, const char *text)
{
	size_t text_len = text ? strlen(text) : 0;
	/* A cut text would arrive as another (e.g. the hooks' state JSON
	 * missing its end): refuse it (sync_send_long sends any length). */
	if (text_len > SYNC_TEXT_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	return send_msg(fd, type, text, text_len);
}

int sync_send_long(int fd, enum sync_type type, const char *text)
{
	size_t len = strlen(text), off = 0;
	for (;;) {
		size_t n = len - off < SYNC_TEXT_MAX ? len - off : SYNC_TEXT_MAX;
		if (send_msg(fd, type, text + off, n) < 0)
			return -1;
		off += n;
		if (n < SYNC_TEXT_MAX)
			return 0; /* a short (maybe empty) chunk ends it */
	}
}

int sync_expect_long(int fd, enum sync_type type, size_t max, char **text, struct keel_error *err)
{
	static struct sync_msg msg;
	char *buf = NULL;
	size_t len = 0;
	*text = NULL;
	for (;;) {
		if (sync_expect_msg(fd, type, &msg, err) < 0) {
			free(buf);
			return -1;
		}
		size_t n = strlen(msg.text);
		char *more = len + n <= max ? realloc(buf, len + n + 1) : NULL;
		if (!more) {
			free(buf);
			return keel_error_set(err, 0,
					      "container init: message longer than %zu bytes", max);
		}
		buf = more;
		memcpy(buf + len, msg.text, n);
		len += n;
		buf[len] = '\0';
		if (n < SYNC_TEXT_MAX)
			break;
	}
	*text = buf;
	return 0;
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
