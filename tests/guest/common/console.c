/* Output on the ns16550a UART: polled, THR empty is LSR bit 5. */
#include "guest.h"

#define UART_THR      0
#define UART_LSR      5
#define UART_LSR_THRE 0x20

void uart_putc(char c)
{
	volatile uint8_t *uart = (volatile uint8_t *)UART0_BASE;
	while (!(uart[UART_LSR] & UART_LSR_THRE))
		;
	uart[UART_THR] = (uint8_t)c;
}

void uart_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

void uart_puthex(u64 v)
{
	static const char digits[] = "0123456789abcdef";
	uart_puts("0x");
	for (int shift = 60; shift >= 0; shift -= 4)
		uart_putc(digits[(v >> shift) & 0xf]);
}

void uart_putdec(u64 v)
{
	char buf[24];
	int i = 0;
	do {
		buf[i++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (i)
		uart_putc(buf[--i]);
}
