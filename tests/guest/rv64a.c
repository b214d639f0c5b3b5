/* A extension: LR/SC success and failure, every AMO in W and D widths
 * (old value returned sign-extended, memory updated). */
#include "guest.h"
#include "ops.h"

const char test_name[] = "rv64a";

static volatile u64 cells[2] __attribute__((aligned(16)));

static void test_lr_sc(void)
{
	u64 a = (u64)&cells[0], b = (u64)&cells[1];
	u64 loaded, failed;

	cells[0] = 0xfffffffff0000001UL;
	__asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%2)"
			 : "=&r"(loaded), "=&r"(failed)
			 : "r"(a), "r"(0x1234UL)
			 : "memory");
	CHECK_EQ("lr.d loads", loaded, 0xfffffffff0000001UL);
	CHECK_EQ("sc.d after lr.d succeeds", failed, 0);
	CHECK_EQ("sc.d stored", cells[0], 0x1234);

	/* The reservation is used up by the first SC: a second one fails. */
	__asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %3, (%2)\n\tsc.d %1, %4, (%2)"
			 : "=&r"(loaded), "=&r"(failed)
			 : "r"(a), "r"(0x5678UL), "r"(0x9999UL)
			 : "memory");
	CHECK("sc.d without a reservation fails", failed != 0);
	CHECK_EQ("failed sc.d does not store", cells[0], 0x5678);

	/* SC to an address other than the reserved one fails. */
	cells[1] = 7;
	__asm__ volatile("lr.d %0, (%2)\n\tsc.d %1, %4, (%3)"
			 : "=&r"(loaded), "=&r"(failed)
			 : "r"(a), "r"(b), "r"(0xdeadUL)
			 : "memory");
	CHECK("sc.d to another address fails", failed != 0);
	CHECK_EQ("failed sc.d left memory", cells[1], 7);

	cells[0] = 0x00000000ffff8000UL;
	__asm__ volatile("lr.w %0, (%2)\n\tsc.w %1, %3, (%2)"
			 : "=&r"(loaded), "=&r"(failed)
			 : "r"(a), "r"(0xabcd1234UL)
			 : "memory");
	CHECK_EQ("lr.w sign-extends", loaded, 0xffffffffffff8000UL);
	CHECK_EQ("sc.w succeeds", failed, 0);
	CHECK_EQ("sc.w stores 32 bits only", cells[0], 0x00000000abcd1234UL);

	/* A retry loop as compilers emit it. */
	cells[0] = 40;
	__asm__ volatile(
	    "1: lr.d.aq %0, (%1)\n\taddi %0, %0, 2\n\tsc.d.rl %0, %0, (%1)\n\tbnez %0, 1b"
	    : "=&r"(failed)
	    : "r"(a)
	    : "memory");
	CHECK_EQ("lr/sc increment loop", cells[0], 42);
}

#define AMO(insn, addr, value)                                                                     \
	({                                                                                         \
		u64 old_;                                                                          \
		__asm__ volatile(insn " %0, %2, (%1)"                                              \
				 : "=r"(old_)                                                      \
				 : "r"(addr), "r"((u64)(value))                                    \
				 : "memory");                                                      \
		old_;                                                                              \
	})

/* Runs one AMO: old value and new memory contents. */
#define AMO_CASE(insn, initial, operand, old, result)                                              \
	do {                                                                                       \
		cells[0] = (initial);                                                              \
		CHECK_EQ(insn " returns old", AMO(insn, (u64)&cells[0], operand), old);            \
		CHECK_EQ(insn " stores", cells[0], result);                                        \
	} while (0)

static void test_amo_doubleword(void)
{
	AMO_CASE("amoswap.d", 1, 2, 1, 2);
	AMO_CASE("amoadd.d", 0xffffffffffffffffUL, 2, 0xffffffffffffffffUL, 1);
	AMO_CASE("amoxor.d", 0xff00, 0x0ff0, 0xff00, 0xf0f0);
	AMO_CASE("amoand.d", 0xff00, 0x0ff0, 0xff00, 0x0f00);
	AMO_CASE("amoor.d", 0xff00, 0x0ff0, 0xff00, 0xfff0);
	AMO_CASE("amomin.d", 5, -3UL, 5, -3UL);
	AMO_CASE("amomax.d", 5, -3UL, 5, 5);
	AMO_CASE("amominu.d", 5, -3UL, 5, 5);
	AMO_CASE("amomaxu.d", 5, -3UL, 5, -3UL);
	AMO_CASE("amoadd.d.aqrl", 40, 2, 40, 42);
}

/* W forms operate on the low word, return it sign-extended and leave the
 * upper word of memory alone. */
static void test_amo_word(void)
{
	const u64 high = 0x5555555500000000UL;
	AMO_CASE("amoswap.w", high | 0x80000000UL, 7, 0xffffffff80000000UL, high | 7);
	AMO_CASE("amoadd.w", high | 0xffffffffUL, 2, 0xffffffffffffffffUL, high | 1);
	AMO_CASE("amoxor.w", high | 0xff00, 0x0ff0, 0xff00, high | 0xf0f0);
	AMO_CASE("amoand.w", high | 0xff00, 0x0ff0, 0xff00, high | 0x0f00);
	AMO_CASE("amoor.w", high | 0xff00, 0x0ff0, 0xff00, high | 0xfff0);
	/* Signed compare on 32 bits: 0x80000000 is negative. */
	AMO_CASE("amomin.w", high | 1, 0x80000000UL, 1, high | 0x80000000UL);
	AMO_CASE("amomax.w", high | 1, 0x80000000UL, 1, high | 1);
	AMO_CASE("amominu.w", high | 1, 0x80000000UL, 1, high | 1);
	AMO_CASE("amomaxu.w", high | 1, 0x80000000UL, 1, high | 0x80000000UL);
	AMO_CASE("amoor.w.aq", high, 0xffffffff00000001UL, 0, high | 1);
}

void test_main(void)
{
	test_lr_sc();
	test_amo_doubleword();
	test_amo_word();
}
