/* /proc/<pid>/stat: whether a recorded process is still the same one. */
#ifndef KEEL_LINUX_PROC_H
#define KEEL_LINUX_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Parses the text of /proc/<pid>/stat: the state letter (field 3) and the
 * start time in clock ticks (field 22). The command name may hold spaces
 * and parentheses: fields are counted after the last ')'. */
int linux_proc_stat_parse(const char *text, char *state, uint64_t *start_time);

/* True when pid exists, is not a zombie, and (start_time not 0) started at
 * start_time: a recycled pid reads as gone. */
bool linux_proc_alive(pid_t pid, uint64_t start_time);

/* Sends sig to the recorded process (pid, start_time) through a pidfd opened
 * and then checked against start_time, so that a pid recycled since the
 * state was read never gets it; plain kill() on kernels without pidfd_open.
 * Returns -1 with errno ESRCH when the process is gone. */
int linux_proc_signal(pid_t pid, uint64_t start_time, int sig);

/* A pidfd of the recorded process, checked like linux_proc_signal(); -1
 * when it is gone or the kernel has no pidfd_open. */
int linux_proc_pidfd(pid_t pid, uint64_t start_time);

/* Opens /proc/<own pid>/rel (flags as open(2), O_CLOEXEC added) so that
 * what is opened is the kernel's file, whatever the container did to its
 * /proc: "/proc" must be the root of a procfs (not a link, not a bind of a
 * directory), and rel is resolved under it without crossing a mount point
 * or following any link (a file bind-mounted over /proc/self/attr/exec or
 * oom_score_adj, a tmpfs over /proc/self/attr, fails with EXDEV). */
int linux_proc_self_open(const char *rel, int flags);

#endif
