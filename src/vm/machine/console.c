/* The guest console's host side. */
#include "vm/machine/console.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static void console_tx(void *opaque, uint8_t byte)
{
	struct console *con = opaque;
	if (con->out_len == sizeof(con->out_buf))
		console_flush(con);
	con->out_buf[con->out_len++] = byte;
	if (byte == '\n' && con->out_len > sizeof(con->out_buf) / 2)
		console_flush(con);
}

void console_write(struct console *con, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		console_tx(con, buf[i]);
}

static size_t uart_sink_room(void *opaque)
{
	return uart_input_room(opaque);
}

/* Only what the guest has opened the port for, like the room test. */
static size_t uart_sink_receive(void *opaque, const uint8_t *buf, size_t n)
{
	size_t room = uart_input_room(opaque);
	return uart_receive(opaque, buf, n < room ? n : room);
}

void console_init(struct console *con, struct uart *uart, int in_fd, int out_fd)
{
	*con = (struct console){
	    .uart = uart,
	    .sink = {.room = uart_sink_room, .receive = uart_sink_receive, .opaque = uart},
	    .sbi_input = true,
	    .in_fd = in_fd,
	    .out_fd = out_fd,
	    .in_open = in_fd >= 0};
	uart->tx = console_tx;
	uart->tx_opaque = con;
}

void console_set_sink(struct console *con, const struct console_sink *sink)
{
	con->sink = *sink;
	con->sbi_input = false;
}

void console_flush(struct console *con)
{
	size_t done = 0;
	while (done < con->out_len) {
		ssize_t n = write(con->out_fd, con->out_buf + done, con->out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* output gone (EPIPE, closed): drop it, the guest goes on */
		done += (size_t)n;
	}
	con->out_len = 0;
}

/* Stores one byte for the guest, keeping in_buf compact. */
static void queue_input(struct console *con, uint8_t byte)
{
	if (con->in_pos == con->in_len)
		con->in_pos = con->in_len = 0;
	if (con->in_len < sizeof(con->in_buf))
		con->in_buf[con->in_len++] = byte;
}

void console_input(struct console *con, const uint8_t *buf, size_t n)
{
	for (size_t i = 0; i < n && !con->quit; i++) {
		uint8_t c = buf[i];
		if (!con->escape_seen && c == CONSOLE_ESCAPE) {
			con->escape_seen = true;
			continue;
		}
		if (con->escape_seen) {
			con->escape_seen = false;
			if (c == 'x') {
				con->quit = true;
				continue;
			}
			if (c != CONSOLE_ESCAPE)
				queue_input(con, CONSOLE_ESCAPE); /* unknown escape: pass both */
		}
		queue_input(con, c);
	}
}

void console_feed(struct console *con)
{
	size_t n = con->in_len - con->in_pos;
	if (n)
		con->in_pos += con->sink.receive(con->sink.opaque, con->in_buf + con->in_pos, n);
}

int console_getchar(struct console *con)
{
	if (!con->sbi_input)
		return -1; /* input belongs to another device */
	/* from now on stdin is read for the SBI too, not only for the UART */
	con->sbi_reader = true;
	if (con->in_pos == con->in_len)
		return -1;
	return con->in_buf[con->in_pos++];
}

static void read_input(struct console *con)
{
	uint8_t buf[128];
	ssize_t n = read(con->in_fd, buf, sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		con->in_open = false; /* EOF or error: no more input, keep running */
		return;
	}
	console_input(con, buf, (size_t)n);
	console_feed(con);
}

/* Reads input only while the previous batch is consumed and the sink has
 * room: a pipe's content then waits in the pipe, not in our buffers. */
static bool wants_input(const struct console *con)
{
	return con->in_open && con->in_pos == con->in_len &&
	       (con->sink.room(con->sink.opaque) > 0 || con->sbi_reader);
}

static void console_fill(void *opaque, struct vm_pollset *set, int *timeout_ms)
{
	struct console *con = opaque;
	size_t before = con->in_pos;
	console_flush(con);
	console_feed(con);
	if (con->in_pos != before)
		*timeout_ms = 0; /* the guest has input (and an interrupt) now: don't sleep */
	con->poll_index = wants_input(con) ? vm_pollset_add(set, con->in_fd, POLLIN) : -1;
}

static void console_dispatch(void *opaque, struct vm_pollset *set, int poll_result)
{
	struct console *con = opaque;
	if (poll_result <= 0 || con->poll_index < 0)
		return;
	short revents = set->fds[con->poll_index].revents;
	if (revents & POLLNVAL)
		con->in_open = false;
	else if (revents)
		read_input(con);
}

int console_attach_loop(struct console *con, struct vm_loop *loop)
{
	struct vm_loop_hook hook = {
	    .fill = console_fill, .dispatch = console_dispatch, .opaque = con};
	return vm_loop_add_hook(loop, &hook);
}
