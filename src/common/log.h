/* Logging for the command line programs: text or runc-style JSON lines
 * ({"level":"error","msg":"...","time":"..."}), to a file or stderr. */
#ifndef KEEL_COMMON_LOG_H
#define KEEL_COMMON_LOG_H

#include <stdbool.h>

enum keel_log_level { KEEL_LOG_ERROR, KEEL_LOG_WARN, KEEL_LOG_INFO, KEEL_LOG_DEBUG };
enum keel_log_format { KEEL_LOG_TEXT, KEEL_LOG_JSON };

/* path NULL: stderr. Returns -1 with errno set if the file cannot be opened. */
int keel_log_open(const char *path, enum keel_log_format format, bool debug);
void keel_log_close(void);
/* Name that starts text lines ("keel", "keel-vm"). */
void keel_log_set_program(const char *name);
/* The fd log lines go to (used to keep it open across exec cleanup). */
int keel_log_fd(void);

void keel_log(enum keel_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define log_error(...) keel_log(KEEL_LOG_ERROR, __VA_ARGS__)
#define log_warn(...)  keel_log(KEEL_LOG_WARN, __VA_ARGS__)
#define log_info(...)  keel_log(KEEL_LOG_INFO, __VA_ARGS__)
#define log_debug(...) keel_log(KEEL_LOG_DEBUG, __VA_ARGS__)

#endif
