/* A foreground `run`: keel forwards signals to the container's init until
 * it exits and, when keel holds the terminal's master, relays it to its own
 * stdin and stdout (raw mode when stdin is a terminal). */
#ifndef KEEL_RUNTIME_FOREGROUND_H
#define KEEL_RUNTIME_FOREGROUND_H

#include <signal.h>
#include <sys/types.h>

/* The signals to block before the init is cloned (SIGCHLD included). */
void foreground_signals(sigset_t *set);

/* Waits for pid; master -1 when there is no terminal to relay. Returns the
 * exit status as a shell reports it (128+N for death by signal N). */
int foreground_wait(pid_t pid, const sigset_t *set, int master);

#endif
