/* Unit tests for src/common: error objects and logging. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/error.h"
#include "common/log.h"

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
	assert_non_null(strstr(text, "{\"level\":\"error\",\"msg\":\"say \\\"hi\\\"\\u000a\\\\\",\"time\":\""));
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
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
