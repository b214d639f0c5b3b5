/* M extension: multiplication (all high-half variants), division and
 * remainder including the defined results for division by zero and the
 * signed overflow case, and the W forms. */
#include "guest.h"
#include "ops.h"

const char test_name[] = "rv64m";

#define MIN64 0x8000000000000000UL
#define NEG1  0xffffffffffffffffUL

static void test_multiply(void)
{
	CHECK_EQ("mul", OP_RR("mul", 7, -3UL), -21UL);
	CHECK_EQ("mul low half", OP_RR("mul", 0x100000001UL, 0x100000001UL), 0x200000001UL);
	CHECK_EQ("mulh -1*-1", OP_RR("mulh", NEG1, NEG1), 0);
	CHECK_EQ("mulh min*min", OP_RR("mulh", MIN64, MIN64), 0x4000000000000000UL);
	CHECK_EQ("mulh min*-1", OP_RR("mulh", MIN64, NEG1), 0);
	CHECK_EQ("mulh -2*3", OP_RR("mulh", -2UL, 3), NEG1);
	CHECK_EQ("mulhu max*max", OP_RR("mulhu", NEG1, NEG1), 0xfffffffffffffffeUL);
	CHECK_EQ("mulhu", OP_RR("mulhu", 0x8000000000000000UL, 4), 2);
	/* mulhsu: rs1 signed, rs2 unsigned. */
	CHECK_EQ("mulhsu -1*max", OP_RR("mulhsu", NEG1, NEG1), NEG1);
	CHECK_EQ("mulhsu 2*max", OP_RR("mulhsu", 2, NEG1), 1);
	CHECK_EQ("mulhsu min*2", OP_RR("mulhsu", MIN64, 2), NEG1);
	CHECK_EQ("mulw sign-extends", OP_RR("mulw", 0x10000, 0x8000), 0xffffffff80000000UL);
	CHECK_EQ("mulw ignores high bits", OP_RR("mulw", 0xffffffff00000003UL, 5), 15);
}

static void test_divide(void)
{
	CHECK_EQ("div", OP_RR("div", -7UL, 2), -3UL); /* rounds toward zero */
	CHECK_EQ("divu", OP_RR("divu", -7UL, 2), 0x7ffffffffffffffcUL);
	CHECK_EQ("rem sign follows dividend", OP_RR("rem", -7UL, 2), NEG1);
	CHECK_EQ("rem positive dividend", OP_RR("rem", 7, -2UL), 1);
	CHECK_EQ("remu", OP_RR("remu", -7UL, 2), 1);
	/* Division by zero: quotient all ones, remainder the dividend. */
	CHECK_EQ("div by zero", OP_RR("div", 42, 0), NEG1);
	CHECK_EQ("divu by zero", OP_RR("divu", 42, 0), NEG1);
	CHECK_EQ("rem by zero", OP_RR("rem", -42UL, 0), -42UL);
	CHECK_EQ("remu by zero", OP_RR("remu", 42, 0), 42);
	/* Overflow: MIN / -1 = MIN, remainder 0. */
	CHECK_EQ("div overflow", OP_RR("div", MIN64, NEG1), MIN64);
	CHECK_EQ("rem overflow", OP_RR("rem", MIN64, NEG1), 0);
}

static void test_divide_word(void)
{
	CHECK_EQ("divw", OP_RR("divw", 0xfffffffffffffff9UL, 2), -3UL);
	CHECK_EQ("divw uses low 32 bits", OP_RR("divw", 0x12345678fffffff9UL, 2), -3UL);
	CHECK_EQ("divuw", OP_RR("divuw", 0xfffffff9UL, 2), 0x7ffffffcUL);
	CHECK_EQ("divuw sign-extends result", OP_RR("divuw", 0xfffffff9UL, 1), -7UL);
	CHECK_EQ("remw", OP_RR("remw", -7UL, 2), NEG1);
	CHECK_EQ("remuw", OP_RR("remuw", 0xfffffff9UL, 2), 1);
	CHECK_EQ("divw by zero", OP_RR("divw", 42, 0), NEG1);
	CHECK_EQ("divuw by zero", OP_RR("divuw", 42, 0), NEG1);
	CHECK_EQ("remw by zero sign-extends", OP_RR("remw", 0x80000000UL, 0), 0xffffffff80000000UL);
	CHECK_EQ("remuw by zero", OP_RR("remuw", 0x80000000UL, 0), 0xffffffff80000000UL);
	CHECK_EQ("divw overflow", OP_RR("divw", 0x80000000UL, NEG1), 0xffffffff80000000UL);
	CHECK_EQ("remw overflow", OP_RR("remw", 0x80000000UL, NEG1), 0);
}

void test_main(void)
{
	test_multiply();
	test_divide();
	test_divide_word();
}
