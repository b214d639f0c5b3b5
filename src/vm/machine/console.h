/* The host side of the serial console: guest output to out_fd (buffered,
 * flushed at each loop poll), input from in_fd into the UART as the guest
 * drains its FIFO (so nothing piped in is lost), QEMU's Ctrl-a escapes.
 * End of input (a closed pipe, /dev/null, no stdin at all) simply means
 * no more input: the machine keeps running. */
#ifndef KEEL_VM_CONSOLE_H
#define KEEL_VM_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/machine/loop.h"
#include "vm/machine/uart.h"

#define CONSOLE_ESCAPE 0x01 /* Ctrl-a */

struct console {
	struct uart *uart;
	int in_fd, out_fd;
	bool in_open;
	int poll_index;	  /* in_fd's entry in this round's poll set, or -1 */
	bool escape_seen; /* previous input byte was Ctrl-a */
	bool quit;	  /* Ctrl-a x typed */
	bool sbi_reader;  /* the guest reads input through the SBI (hvc console) */
	uint8_t in_buf[256];
	size_t in_len, in_pos; /* bytes read from in_fd, not yet given to the UART */
	uint8_t out_buf[4096];
	size_t out_len;
};

/* Connects the UART's transmitter to the console. in_fd < 0: no input. */
void console_init(struct console *con, struct uart *uart, int in_fd, int out_fd);
int console_attach_loop(struct console *con, struct vm_loop *loop);
void console_flush(struct console *con);
/* Feeds raw host input through the escape filter (exposed for tests). */
void console_input(struct console *con, const uint8_t *buf, size_t n);
/* Moves buffered input into the UART as far as its FIFO has room. */
void console_feed_uart(struct console *con);
/* SBI console_getchar / DBCN read: the next input byte, or -1. */
int console_getchar(struct console *con);

#endif
