/* Checks and the final verdict, reported on the UART and through the
 * sifive test device. */
#include "guest.h"

#define TEST_PASS 0x5555
#define TEST_FAIL 0x3333

int checks_failed;
int checks_run;

static void report_failure_prefix(const char *what, int line)
{
	uart_puts("FAIL ");
	uart_puts(test_name);
	uart_puts(": ");
	uart_puts(what);
	uart_puts(" (line ");
	uart_putdec((u64)line);
	uart_puts(")");
}

void check_eq(const char *what, u64 got, u64 expected, int line)
{
	checks_run++;
	if (got == expected)
		return;
	checks_failed++;
	report_failure_prefix(what, line);
	uart_puts(": got ");
	uart_puthex(got);
	uart_puts(", expected ");
	uart_puthex(expected);
	uart_puts("\n");
}

void check_true(const char *what, int ok, int line)
{
	checks_run++;
	if (ok)
		return;
	checks_failed++;
	report_failure_prefix(what, line);
	uart_puts("\n");
}

void power_off(u32 value)
{
	mmio_write32(TEST_DEVICE_BASE, value);
	for (;;)
		__asm__ volatile("wfi");
}

void test_finish(void)
{
	if (checks_failed == 0 && checks_run > 0) {
		uart_puts("PASS ");
		uart_puts(test_name);
		uart_puts(" (");
		uart_putdec((u64)checks_run);
		uart_puts(" checks)\n");
		power_off(TEST_PASS);
	}
	uart_puts("FAIL ");
	uart_puts(test_name);
	uart_puts(" (");
	uart_putdec((u64)checks_failed);
	uart_puts(" of ");
	uart_putdec((u64)checks_run);
	uart_puts(" checks failed)\n");
	power_off((1u << 16) | TEST_FAIL);
}
