#include "common/error.h"

#include <stdio.h>
#include <string.h>

int keel_error_setv(struct keel_error *err, int errnum, const char *fmt, va_list ap)
{
	if (!err)
		return -1;
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	if (n < 0)
		n = 0;
	if (errnum && (size_t)n < sizeof err->msg)
		snprintf(err->msg + n, sizeof err->msg - n, ": %s", strerror(errnum));
	err->errnum = errnum;
	return -1;
}

int keel_error_set(struct keel_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	keel_error_setv(err, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int keel_error_prefix(struct keel_error *err, const char *fmt, ...)
{
	if (!err)
		return -1;
	char prefix[KEEL_ERROR_MAX];
	char old[KEEL_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
	return -1;
}

void keel_error_clear(struct keel_error *err)
{
	if (!err)
		return;
	err->errnum = 0;
	err->msg[0] = '\0';
}
