/* ns16550a UART at 0x10000000, PLIC IRQ 10: the guest's serial console.
 * Pure register model: bytes leave through the tx callback and arrive via
 * uart_receive(); the host side (terminal, pipes) lives in console.c. */
#ifndef KEEL_VM_UART_H
#define KEEL_VM_UART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "vm/machine/bus.h"

#define UART_BASE     0x10000000ull
#define UART_SIZE     0x100ull
#define UART_IRQ      10
#define UART_CLOCK_HZ 3686400
#define UART_RX_FIFO  16

/* register offsets */
#define UART_RBR 0 /* read, DLAB=0 */
#define UART_THR 0 /* write, DLAB=0 */
#define UART_DLL 0 /* DLAB=1 */
#define UART_IER 1
#define UART_DLM 1 /* DLAB=1 */
#define UART_IIR 2 /* read */
#define UART_FCR 2 /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01 /* received data available */
#define UART_IER_THRI 0x02 /* transmitter holding register empty */
#define UART_IER_RLSI 0x04 /* receiver line status */
#define UART_IER_MSI  0x08 /* modem status */

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI	0x00
#define UART_IIR_THRI	0x02
#define UART_IIR_RDI	0x04
#define UART_IIR_RLSI	0x06
#define UART_IIR_FIFO	0xc0 /* FIFOs enabled */

#define UART_FCR_ENABLE	  0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01 /* data ready */
#define UART_LSR_OE   0x02 /* overrun */
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40

#define UART_MSR_CTS 0x10
#define UART_MSR_DSR 0x20
#define UART_MSR_RI  0x40
#define UART_MSR_DCD 0x80

/* Guest-visible state: plain data, serializable as is. */
struct uart_state {
	uint8_t rx[UART_RX_FIFO];
	uint8_t rx_head, rx_count;
	uint8_t ier, fcr, lcr, mcr, lsr, msr, scr, dll, dlm;
	uint8_t thr_pending; /* THR-empty interrupt not yet acknowledged */
	uint8_t msr_delta;   /* modem status changes not yet read */
	uint8_t lsr_polls;   /* LSR reads since the last THR or setup write */
};

/* This many LSR reads in a row, with no transmission or setup between,
 * mark a guest polling for input (a bare-metal loop, an SBI getchar). */
#define UART_POLLING_READS 16

struct uart {
	struct uart_state state;
	struct vm_irq irq;
	void (*tx)(void *opaque, uint8_t byte);
	void *tx_opaque;
};

void uart_init(struct uart *uart, struct vm_irq irq, void (*tx)(void *, uint8_t), void *opaque);
int uart_attach(struct uart *uart, struct vm_bus *bus, struct keel_error *err);

/* Free room in the receive FIFO. */
size_t uart_rx_room(const struct uart *uart);
/* How many host bytes to offer now: only to a guest that shows it wants
 * input, by enabling the receive interrupt or by polling LSR. Linux
 * clears the FIFO and drains RBR when it opens the port: bytes delivered
 * before that would be lost, so piped input waits in the pipe. */
size_t uart_input_room(const struct uart *uart);
/* Queues up to n bytes for the guest; returns how many were taken. */
size_t uart_receive(struct uart *uart, const uint8_t *buf, size_t n);

uint64_t uart_read(void *opaque, uint64_t offset, unsigned size);
void uart_write(void *opaque, uint64_t offset, uint64_t value, unsigned size);

#endif
