/* Negative control: one check fails on purpose, so the suite proves that a
 * failing check reaches the UART and makes the machine exit with status 1. */
#include "guest.h"

const char test_name[] = "harness_fail";

void test_main(void)
{
	CHECK_EQ("passing check", 1 + 1, 2);
	CHECK_EQ("deliberate failure", 2 + 2, 5);
}
