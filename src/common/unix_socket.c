#include "common/unix_socket.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

int unix_send_fd(int sock, int fd, const void *data, size_t len)
{
	char ctrl[CMSG_SPACE(sizeof(int))];
	memset(ctrl, 0, sizeof ctrl);
	size_t done = 0;
	if (len == 0) {
		errno = EINVAL;
		return -1;
	}
	while (done < len) {
		struct iovec iov = {.iov_base = (char *)data + done, .iov_len = len - done};
		struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
		if (done == 0) {
			msg.msg_control = ctrl;
			msg.msg_controllen = sizeof ctrl;
			struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
		}
		ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)n;
	}
	return 0;
}

ssize_t unix_recv_fd(int sock, void *buf, size_t size, int *fd)
{
	char ctrl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = buf, .iov_len = size};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctrl,
	    .msg_controllen = sizeof ctrl,
	};
	ssize_t n;
	*fd = -1;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	if (cmsg && cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_RIGHTS &&
	    cmsg->cmsg_len == CMSG_LEN(sizeof(int)))
		memcpy(fd, CMSG_DATA(cmsg), sizeof(int));
	return n;
}
