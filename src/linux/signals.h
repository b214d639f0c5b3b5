/* Signal names as runc's `kill` accepts them: "TERM", "SIGTERM", "15". */
#ifndef KEEL_LINUX_SIGNALS_H
#define KEEL_LINUX_SIGNALS_H

/* Returns the signal number, or -1 when name is neither a known name (with
 * or without the SIG prefix, any case) nor a number in 1..SIGRTMAX. */
int linux_signal_parse(const char *name);

/* "TERM" for 15; NULL for an unknown number. */
const char *linux_signal_name(int signum);

#endif
