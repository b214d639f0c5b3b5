/* keel-vm --console virtio: the host console (raw mode, Ctrl-a escapes,
 * buffered output: console.c) drives a virtio-console instead of the UART.
 * The UART stays on the board with its output still on the console (early
 * messages, a guest that writes to ttyS0 anyway), but gets no input. */
#include "vm/machine/machine.h"
#include "vm/virtio/virtio.h"

static void guest_output(void *opaque, const uint8_t *buf, size_t len)
{
	console_write(opaque, buf, len);
}

static size_t sink_room(void *opaque)
{
	return virtio_console_input_room(opaque);
}

static size_t sink_receive(void *opaque, const uint8_t *buf, size_t n)
{
	return virtio_console_receive(opaque, buf, n);
}

struct virtio_mmio *machine_console_virtio_create(struct console *con, struct keel_error *err)
{
	struct virtio_console_host host = {.write = guest_output, .opaque = con};
	struct virtio_mmio *dev = virtio_console_create_host(&host, err);
	if (!dev)
		return NULL;
	struct console_sink sink = {.room = sink_room, .receive = sink_receive, .opaque = dev};
	console_set_sink(con, &sink);
	return dev;
}
