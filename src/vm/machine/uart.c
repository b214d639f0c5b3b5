/* ns16550a register model. Transmission is instantaneous: THR is always
 * empty again right after a write, so the THR-empty interrupt follows each
 * write at once (the driver then sends the next bytes). */
#include "vm/machine/uart.h"

static void uart_reset(struct uart_state *s)
{
	*s = (struct uart_state){.lsr = UART_LSR_THRE | UART_LSR_TEMT,
				 /* carrier, DSR and CTS up: a cable is plugged */
				 .msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS,
				 .lcr = 0x03};
}

void uart_init(struct uart *uart, struct vm_irq irq, void (*tx)(void *, uint8_t), void *opaque)
{
	*uart = (struct uart){.irq = irq, .tx = tx, .tx_opaque = opaque};
	uart_reset(&uart->state);
}

int uart_attach(struct uart *uart, struct vm_bus *bus, struct keel_error *err)
{
	struct vm_mmio_region region = {.name = "uart",
					.base = UART_BASE,
					.size = UART_SIZE,
					.read = uart_read,
					.write = uart_write,
					.opaque = uart};
	if (vm_bus_add_mmio(bus, &region) < 0)
		return keel_error_set(err, 0, "uart: cannot map at 0x%llx", UART_BASE);
	return 0;
}

/* The interrupt the IIR reports, highest priority first. */
static uint8_t pending_interrupt(const struct uart_state *s)
{
	if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_OE))
		return UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_pending)
		return UART_IIR_THRI;
	if ((s->ier & UART_IER_MSI) && s->msr_delta)
		return UART_IIR_MSI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct uart *uart)
{
	vm_irq_set(&uart->irq, pending_interrupt(&uart->state) != UART_IIR_NO_INT);
}

size_t uart_rx_room(const struct uart *uart)
{
	/* without FIFOs enabled the receiver holds a single byte */
	size_t depth = uart->state.fcr & UART_FCR_ENABLE ? UART_RX_FIFO : 1;
	return uart->state.rx_count < depth ? depth - uart->state.rx_count : 0;
}

size_t uart_input_room(const struct uart *uart)
{
	if (!(uart->state.ier & UART_IER_RDI) && uart->state.lsr_polls < UART_POLLING_READS)
		return 0;
	return uart_rx_room(uart);
}

static void rx_push(struct uart_state *s, uint8_t byte)
{
	s->rx[(s->rx_head + s->rx_count) % UART_RX_FIFO] = byte;
	s->rx_count++;
	s->lsr |= UART_LSR_DR;
}

size_t uart_receive(struct uart *uart, const uint8_t *buf, size_t n)
{
	size_t room = uart_rx_room(uart);
	size_t taken = n < room ? n : room;
	for (size_t i = 0; i < taken; i++)
		rx_push(&uart->state, buf[i]);
	if (taken)
		update_irq(uart);
	return taken;
}

static uint8_t rx_pop(struct uart *uart)
{
	struct uart_state *s = &uart->state;
	if (!s->rx_count)
		return 0;
	uint8_t byte = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % UART_RX_FIFO;
	if (--s->rx_count == 0)
		s->lsr &= ~UART_LSR_DR;
	update_irq(uart);
	return byte;
}

static void transmit(struct uart *uart, uint8_t byte)
{
	struct uart_state *s = &uart->state;
	if (s->mcr & UART_MCR_LOOP) {
		if (uart_rx_room(uart))
			rx_push(s, byte);
		else
			s->lsr |= UART_LSR_OE;
	} else if (uart->tx) {
		uart->tx(uart->tx_opaque, byte);
	}
	s->thr_pending = 1;
	update_irq(uart);
}

/* In loopback the modem inputs follow the MCR outputs. */
static uint8_t modem_status(const struct uart_state *s)
{
	if (!(s->mcr & UART_MCR_LOOP))
		return s->msr;
	uint8_t m = 0;
	if (s->mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (s->mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (s->mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (s->mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

static uint8_t read_iir(struct uart *uart)
{
	struct uart_state *s = &uart->state;
	uint8_t iir = pending_interrupt(s);
	/* reading IIR acknowledges a THR-empty interrupt */
	if (iir == UART_IIR_THRI) {
		s->thr_pending = 0;
		update_irq(uart);
	}
	return iir | (s->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0);
}

uint64_t uart_read(void *opaque, uint64_t offset, unsigned size)
{
	struct uart *uart = opaque;
	struct uart_state *s = &uart->state;
	uint8_t v = 0;
	switch (offset) {
	case UART_RBR:
		return s->lcr & UART_LCR_DLAB ? s->dll : rx_pop(uart);
	case UART_IER:
		return s->lcr & UART_LCR_DLAB ? s->dlm : s->ier;
	case UART_IIR:
		return read_iir(uart);
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		if (s->lsr_polls < UART_POLLING_READS)
			s->lsr_polls++;
		v = s->lsr;
		s->lsr &= ~UART_LSR_OE; /* reading LSR clears the error bits */
		update_irq(uart);
		return v;
	case UART_MSR:
		v = modem_status(s) | s->msr_delta;
		s->msr_delta = 0;
		update_irq(uart);
		return v;
	case UART_SCR:
		return s->scr;
	}
	return 0;
}

static void write_ier(struct uart *uart, uint8_t value)
{
	struct uart_state *s = &uart->state;
	uint8_t old = s->ier;
	s->ier = value & 0x0f;
	/* enabling THRI while THR is empty raises it at once (8250 behaviour) */
	if ((s->ier & UART_IER_THRI) && !(old & UART_IER_THRI))
		s->thr_pending = 1;
	update_irq(uart);
}

static void write_fcr(struct uart *uart, uint8_t value)
{
	struct uart_state *s = &uart->state;
	/* A 16550 also empties its FIFOs when FCR0 changes; we keep the bytes:
	 * Linux enables the FIFO after the receive interrupt, and host input
	 * that arrived in between would be lost. Explicit clears do clear. */
	if (value & UART_FCR_CLEAR_RX) {
		s->rx_count = 0;
		s->rx_head = 0;
		s->lsr &= ~UART_LSR_DR;
	}
	s->fcr = value & 0xc9; /* keep enable, DMA mode and trigger level */
	update_irq(uart);
}

void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
	struct uart *uart = opaque;
	struct uart_state *s = &uart->state;
	uint8_t v = (uint8_t)value;
	if (offset != UART_SCR)
		s->lsr_polls = 0; /* a transmission or setup: not a polling loop */
	switch (offset) {
	case UART_THR:
		if (s->lcr & UART_LCR_DLAB)
			s->dll = v;
		else
			transmit(uart, v);
		break;
	case UART_IER:
		if (s->lcr & UART_LCR_DLAB)
			s->dlm = v;
		else
			write_ier(uart, v);
		break;
	case UART_FCR:
		write_fcr(uart, v);
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		update_irq(uart);
		break;
	case UART_SCR:
		s->scr = v;
		break;
	}
}
