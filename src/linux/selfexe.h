/* CVE-2019-5736: a container must never reach a writable keel binary.
 *
 * keel forks the container init without exec, so until the init execs the
 * user's program its /proc/self/exe is keel's executable. A container whose
 * entrypoint (or `exec` command) is "#!/proc/self/exe" makes the kernel
 * exec that same file again inside the container; were the new process
 * dumpable, another process of the container could open /proc/<pid>/exe
 * and, once it has exited, write over the host's keel.
 *
 * Two defences, the second only where the first does not cover:
 *  - Every keel process that starts container processes is non-dumpable
 *    from the first line of main, and so is keel when the container execs
 *    it again: then only a process holding CAP_SYS_PTRACE can open its
 *    /proc/<pid>/exe. In a fresh PID namespace nothing else exists before
 *    that first line runs.
 *  - Where container processes can see keel processes at other times (no
 *    PID namespace of its own, a joined one, `exec` into a running
 *    container) or may hold CAP_SYS_PTRACE, keel re-executes itself from a
 *    sealed memfd copy, which nobody can write. That costs about a
 *    millisecond of CPU, so keel pays it only there. */
#ifndef KEEL_LINUX_SELFEXE_H
#define KEEL_LINUX_SELFEXE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

/* Makes the process non-dumpable (as root) and remembers argv for a later re-exec
 * (linux_selfexe_seal). Call first thing in main, for every command: keel
 * exec'd by a container may be asked to do anything. */
void linux_selfexe_init(char **argv);

/* True when fd is a memfd carrying every seal that makes it immutable. */
bool linux_selfexe_fd_sealed(int fd);

/* Whether a container needs keel to run from a sealed copy: not when it
 * gets a PID namespace of its own and cannot hold CAP_SYS_PTRACE
 * (bounding: the capability bounding set as a bit mask). */
bool linux_selfexe_needed(bool own_pid_ns, uint64_t bounding);

/* Re-executes the running program (argv of linux_selfexe_init) from a
 * sealed memfd copy of itself, unless it already runs from one or no
 * container could write its file. Returns 0 when nothing had to be done;
 * a successful re-exec does not return; -1 with err set on failure. */
int linux_selfexe_seal(struct keel_error *err);

/* The same with an explicit argv. */
int linux_selfexe_ensure_sealed(char **argv, struct keel_error *err);

#endif
