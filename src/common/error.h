/* Error objects threaded through every fallible call.
 *
 * A function that can fail returns a negative int and fills a caller-owned
 * struct keel_error. Callers add context on the way up with
 * keel_error_prefix(), so the message the command line prints reads from
 * the outside in: "create web1: config.json: process.args: expected array". */
#ifndef KEEL_COMMON_ERROR_H
#define KEEL_COMMON_ERROR_H

#include <stdarg.h>
#include <stddef.h>

#define KEEL_ERROR_MAX 1024

struct keel_error {
	int errnum;		  /* errno of the root cause, 0 if none */
	char msg[KEEL_ERROR_MAX]; /* one line, no trailing newline */
};

/* Sets the message (formatted) and returns -1. errnum, when not 0, is
 * appended as ": strerror(errnum)". */
int keel_error_set(struct keel_error *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int keel_error_setv(struct keel_error *err, int errnum, const char *fmt, va_list ap);

/* Same, taking errno as the cause. */
#define keel_error_errno(err, ...) keel_error_set((err), errno, __VA_ARGS__)

/* Prepends "<prefix>: " to the message already set; returns -1. */
int keel_error_prefix(struct keel_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void keel_error_clear(struct keel_error *err);

#endif
