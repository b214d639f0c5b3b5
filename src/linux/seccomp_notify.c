/* SCMP_ACT_NOTIFY: keel hands the listener fd the init got from the kernel
 * to the process listening at linux.seccomp.listenerPath, as runc does: one
 * message on a unix stream socket whose bytes are the runtime-spec
 * "containerProcessState" JSON and whose SCM_RIGHTS carry the fd. */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/unix_socket.h"
#include "linux/seccomp_filter.h"

/* jansson's own scope-bound reference */
#define cleanup_json json_auto_t

char *linux_seccomp_process_state(const char *metadata, pid_t pid, const char *state_json)
{
	cleanup_json *state = json_loads(state_json, 0, NULL);
	if (!json_is_object(state))
		return NULL;
	cleanup_json *doc = json_pack("{s:s, s:[s], s:I, s:O}", "ociVersion", OCI_VERSION, "fds",
				      "seccompFd", "pid", (json_int_t)pid, "state", state);
	if (!doc)
		return NULL;
	/* omitted when empty, as in the spec's Go type */
	if (metadata && *metadata && json_object_set_new(doc, "metadata", json_string(metadata)))
		return NULL;
	return json_dumps(doc, JSON_COMPACT);
}

static int connect_listener(const char *path, struct keel_error *err)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof addr.sun_path)
		return keel_error_set(err, 0, "linux.seccomp.listenerPath: %s: path too long",
				      path);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return keel_error_errno(err, "linux.seccomp.listenerPath: socket");
	int rc;
	do
		rc = connect(fd, (struct sockaddr *)&addr, sizeof addr);
	while (rc < 0 && errno == EINTR);
	if (rc < 0) {
		keel_error_errno(err, "linux.seccomp.listenerPath: connect %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int linux_seccomp_notify_send(const struct oci_seccomp *config, pid_t pid, const char *state_json,
			      int listener_fd, struct keel_error *err)
{
	if (!config->listener_path || !*config->listener_path)
		return keel_error_set(err, 0, "linux.seccomp.listenerPath: missing");
	cleanup_free char *text =
	    linux_seccomp_process_state(config->listener_metadata, pid, state_json);
	if (!text)
		return keel_error_set(err, ENOMEM, "seccomp: container process state");
	cleanup_close int sock = connect_listener(config->listener_path, err);
	if (sock < 0)
		return -1;
	if (unix_send_fd(sock, listener_fd, text, strlen(text)) < 0)
		return keel_error_errno(err, "linux.seccomp.listenerPath: send");
	return 0;
}

ssize_t linux_seccomp_recv_listener(int sock, char *buf, size_t size, int *fd)
{
	ssize_t n = unix_recv_fd(sock, buf, size - 1, fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}
