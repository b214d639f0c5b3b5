/* --pid-file: the init's pid, written atomically (temp file + rename) so a
 * reader never sees a partial number. Relative paths are made absolute
 * against the current directory first, as runc does. */
#ifndef KEEL_RUNTIME_PIDFILE_H
#define KEEL_RUNTIME_PIDFILE_H

#include <sys/types.h>

#include "common/error.h"

int pidfile_write(const char *path, pid_t pid, struct keel_error *err);

#endif
