/* CVE-2019-5736: a container must never reach a writable keel binary.
 *
 * keel forks the container init without exec, so until the init execs the
 * user's program its /proc/self/exe is keel's executable. A container whose
 * entrypoint (or `exec` command) is "#!/proc/self/exe", or an ELF whose
 * interpreter is /proc/self/exe, makes the kernel exec that same file again
 * inside the container; the resulting process is dumpable, and any other
 * process of the container can open /proc/<pid>/exe and, once it has
 * exited, write over the host's keel. So keel runs the commands that start
 * container processes from a sealed in-memory copy of itself: every
 * /proc/<pid>/exe of keel's children is that copy, which nobody can write. */
#ifndef KEEL_LINUX_SELFEXE_H
#define KEEL_LINUX_SELFEXE_H

#include <stdbool.h>

#include "common/error.h"

/* True when fd is a memfd carrying every seal that makes it immutable. */
bool linux_selfexe_fd_sealed(int fd);

/* Re-executes the running program from a sealed memfd copy of itself with
 * the same argv and environment, unless it already runs from one. Returns 0
 * when nothing had to be done; on success of the re-exec it does not
 * return; -1 with err set when the copy or the exec failed. */
int linux_selfexe_ensure_sealed(char **argv, struct keel_error *err);

#endif
