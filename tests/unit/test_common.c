/* Unit tests for src/common: error objects, logging, fd passing. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"
#include "common/unix_socket.h"

static void error_set_formats_and_returns_minus_one(void **state)
{
	struct keel_error err = {0};
	assert_int_equal(keel_error_set(&err, 0, "bad %s at %d", "field", 7), -1);
	assert_string_equal(err.msg, "bad field at 7");
	assert_int_equal(err.errnum, 0);
}

static void error_appends_strerror(void **state)
{
	struct keel_error err = {0};
	keel_error_set(&err, ENOENT, "open %s", "x");
	assert_string_equal(err.msg, "open x: No such file or directory");
	assert_int_equal(err.errnum, ENOENT);
}

static void error_prefix_reads_outside_in(void **state)
{
	struct keel_error err = {0};
	keel_error_set(&err, 0, "expected integer");
	keel_error_prefix(&err, "config.json");
	keel_error_prefix(&err, "create %s", "web1");
	assert_string_equal(err.msg, "create web1: config.json: expected integer");
}

static void error_truncates_without_overflow(void **state)
{
	struct keel_error err = {0};
	char big[3000];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	keel_error_set(&err, EINVAL, "%s", big);
	assert_int_equal(strlen(err.msg), KEEL_ERROR_MAX - 1);
	keel_error_prefix(&err, "%s", big);
	assert_int_equal(strlen(err.msg), KEEL_ERROR_MAX - 1);
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 8192);
	size_t n = fread(buf, 1, 8191, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void log_json_lines_are_escaped(void **state)
{
	char path[] = "/tmp/keel-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(keel_log_open(path, KEEL_LOG_JSON, false), 0);
	log_error("say \"hi\"\n\\");
	log_debug("hidden unless --debug");
	keel_log_close();
	cleanup_free char *text = read_all(path);
	unlink(path);
	assert_non_null(
	    strstr(text, "{\"level\":\"error\",\"msg\":\"say \\\"hi\\\"\\u000a\\\\\",\"time\":\""));
	assert_null(strstr(text, "hidden"));
	assert_int_equal(text[strlen(text) - 1], '\n');
}

static void log_text_error_is_one_line(void **state)
{
	char path[] = "/tmp/keel-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(keel_log_open(path, KEEL_LOG_TEXT, true), 0);
	log_debug("dbg %d", 1);
	keel_log_close();
	cleanup_free char *text = read_all(path);
	unlink(path);
	assert_string_equal(text, "keel: debug: dbg 1\n");
}

static void cleanup_close_releases_fd(void **state)
{
	int seen;
	{
		cleanup_close int fd = open("/dev/null", O_RDONLY);
		seen = fd;
		assert_true(fd >= 0);
	}
	assert_int_equal(fcntl(seen, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

static void unix_fd_travels_with_its_payload(void **state)
{
	int sv[2], p[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(unix_send_fd(sv[0], p[1], "seccomp", 7), 0);
	char buf[16];
	int fd;
	assert_int_equal(unix_recv_fd(sv[1], buf, sizeof buf, &fd), 7);
	assert_memory_equal(buf, "seccomp", 7);
	assert_true(fd >= 0 && fd != p[1]);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(read(p[0], buf, 1), 1);
	assert_int_equal(buf[0], 'x');
	close(fd);
	/* bytes without an fd: *fd is -1; EOF: 0 */
	assert_int_equal(write(sv[0], "ab", 2), 2);
	assert_int_equal(unix_recv_fd(sv[1], buf, sizeof buf, &fd), 2);
	assert_int_equal(fd, -1);
	close(sv[0]);
	assert_int_equal(unix_recv_fd(sv[1], buf, sizeof buf, &fd), 0);
	assert_int_equal(fd, -1);
	/* an empty payload cannot carry an fd on a stream socket */
	assert_int_equal(unix_send_fd(sv[1], p[1], "", 0), -1);
	assert_int_equal(errno, EINVAL);
	close(sv[1]), close(p[0]), close(p[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(error_set_formats_and_returns_minus_one),
	    cmocka_unit_test(error_appends_strerror),
	    cmocka_unit_test(error_prefix_reads_outside_in),
	    cmocka_unit_test(error_truncates_without_overflow),
	    cmocka_unit_test(log_json_lines_are_escaped),
	    cmocka_unit_test(log_text_error_is_one_line),
	    cmocka_unit_test(cleanup_close_releases_fd),
	    cmocka_unit_test(unix_fd_travels_with_its_payload),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
