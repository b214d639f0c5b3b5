/* The host side of the guest's console: guest output to out_fd (buffered,
 * flushed at each loop poll), input from in_fd into the UART as the guest
 * drains its FIFO (so nothing piped in is lost), QEMU's Ctrl-a escapes.
 * Input may go to another device instead (a sink: keel-vm --console virtio
 * hands it to virtio-console); the UART then keeps only its output.
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

/* The guest device console input goes to. */
struct console_sink {
	size_t (*room)(void *opaque); /* bytes it can take now, 0: none */
	/* takes up to n bytes, returns how many it took */
	size_t (*receive)(void *opaque, const uint8_t *buf, size_t n);
	void *opaque;
};

struct console {
	struct uart *uart;
	struct console_sink sink;
	bool sbi_input; /* SBI getchar reads input too (only with the UART sink) */
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

/* Connects the UART's transmitter to the console, and input to the UART
 * (and the SBI's getchar). in_fd < 0: no input. */
void console_init(struct console *con, struct uart *uart, int in_fd, int out_fd);
/* Sends input to sink instead of the UART and the SBI. */
void console_set_sink(struct console *con, const struct console_sink *sink);
int console_attach_loop(struct console *con, struct vm_loop *loop);
/* Guest output from a device other than the UART (buffered like its own). */
void console_write(struct console *con, const uint8_t *buf, size_t n);
void console_flush(struct console *con);
/* Feeds raw host input through the escape filter (exposed for tests). */
void console_input(struct console *con, const uint8_t *buf, size_t n);
/* Moves buffered input into the sink as far as it has room. */
void console_feed(struct console *con);
/* The name the unit suite knows it by, from when the UART was the only sink. */
static inline void console_feed_uart(struct console *con)
{
	console_feed(con);
}
/* SBI console_getchar / DBCN read: the next input byte, or -1. */
int console_getchar(struct console *con);

#endif
