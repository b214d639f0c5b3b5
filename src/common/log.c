#include "common/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int log_fd = 2;
static enum keel_log_format log_format = KEEL_LOG_TEXT;
static bool log_debug_enabled;
static const char *program = "keel";

static const char *level_name(enum keel_log_level level)
{
	static const char *names[] = {"error", "warning", "info", "debug"};
	return names[level];
}

int keel_log_open(const char *path, enum keel_log_format format, bool debug)
{
	log_format = format;
	log_debug_enabled = debug;
	if (!path)
		return 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	log_fd = fd;
	return 0;
}

void keel_log_close(void)
{
	if (log_fd > 2)
		close(log_fd);
	log_fd = 2;
}

int keel_log_fd(void)
{
	return log_fd;
}

/* Appends s to out as a JSON string body (quotes not included). */
static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
	return n;
}

void keel_log(enum keel_log_level level, const char *fmt, ...)
{
	if (level == KEEL_LOG_DEBUG && !log_debug_enabled)
		return;
	int saved = errno;
	char msg[2048], line[4600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int n;
	if (log_format == KEEL_LOG_JSON) {
		char esc[4200], stamp[64];
		struct timespec ts;
		struct tm tm;
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		json_escape(esc, sizeof esc, msg);
		n = snprintf(line, sizeof line,
			     "{\"level\":\"%s\",\"msg\":\"%s\",\"time\":\"%s.%09ldZ\"}\n",
			     level_name(level), esc, stamp, ts.tv_nsec);
	} else if (level == KEEL_LOG_ERROR) {
		/* the one-line error users read: "keel: create web1: ..." */
		n = snprintf(line, sizeof line, "%s: %s\n", program, msg);
	} else {
		n = snprintf(line, sizeof line, "%s: %s: %s\n", program, level_name(level), msg);
	}
	if (n > (int)sizeof line - 1)
		n = (int)sizeof line - 1;
	if (n > 0 && write(log_fd, line, (size_t)n) < 0) {
		/* nowhere left to report a failing log write */
	}
	errno = saved;
}

void keel_log_set_program(const char *name)
{
	program = name;
}
