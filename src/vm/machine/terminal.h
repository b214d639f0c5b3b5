/* Raw mode for the console's terminal, restored on every way out: normal
 * exit (atexit) and the signals that end the process. */
#ifndef KEEL_VM_TERMINAL_H
#define KEEL_VM_TERMINAL_H

/* If fd is a terminal, switches it to raw mode (no echo, no line editing,
 * no signals from Ctrl-C: the guest gets every key). Returns 1 if it did,
 * 0 if fd is not a terminal, -1 on error. */
int terminal_raw_enter(int fd);
/* Restores the saved mode (idempotent, async-signal-safe). */
void terminal_restore(void);

#endif
