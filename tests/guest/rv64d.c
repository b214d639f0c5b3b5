/* D extension: arithmetic, the five rounding modes, every fflags bit, the
 * canonical NaN, fmin/fmax with signaling NaNs, conversions (to and from
 * integers and single precision) with saturation, fclass, fused
 * multiply-add, loads and stores. */
#include "fp.h"
#include "guest.h"

const char test_name[] = "rv64d";

#define ONE		   0x3ff0000000000000UL
#define TWO		   0x4000000000000000UL
#define THREE		   0x4008000000000000UL
#define FOUR		   0x4010000000000000UL
#define HALF		   0x3fe0000000000000UL
#define MINUS_ONE	   0xbff0000000000000UL
#define TWO_AND_HALF	   0x4004000000000000UL
#define MINUS_TWO_AND_HALF 0xc004000000000000UL
#define PLUS_ZERO	   0x0UL
#define MINUS_ZERO	   0x8000000000000000UL
#define PLUS_INF	   0x7ff0000000000000UL
#define MINUS_INF	   0xfff0000000000000UL
#define QNAN		   0x7ff8000000000000UL
#define QNAN_PAYLOAD	   0x7ff8000000012345UL
#define SNAN		   0x7ff0000000000001UL
#define MAX_DOUBLE	   0x7fefffffffffffffUL
#define MIN_NORMAL	   0x0010000000000000UL
#define MIN_SUBNORMAL	   0x1UL
#define THIRD_DOWN	   0x3fd5555555555555UL
#define THIRD_UP	   0x3fd5555555555556UL

static void test_arithmetic(void)
{
	CHECK_FP("fadd.d", FOP2_D("fadd.d", ONE, TWO), THREE, 0);
	CHECK_FP("fsub.d", FOP2_D("fsub.d", ONE, TWO), MINUS_ONE, 0);
	CHECK_FP("fmul.d", FOP2_D("fmul.d", TWO, TWO), FOUR, 0);
	CHECK_FP("fdiv.d", FOP2_D("fdiv.d", ONE, TWO), HALF, 0);
	CHECK_FP("fsqrt.d", FOP1_D_RM("fsqrt.d", "dyn", FOUR), TWO, 0);
	CHECK_FP("fsqrt.d 2", FOP1_D_RM("fsqrt.d", "rne", TWO), 0x3ff6a09e667f3bcdUL, FLAG_NX);
	CHECK_FP("fsgnj.d", FOP2N_D("fsgnj.d", ONE, MINUS_ONE), MINUS_ONE, 0);
	CHECK_FP("fsgnjn.d", FOP2N_D("fsgnjn.d", ONE, MINUS_ONE), ONE, 0);
	CHECK_FP("fsgnjx.d", FOP2N_D("fsgnjx.d", MINUS_ONE, MINUS_ONE), ONE, 0);
	CHECK_FP("fadd.d -0 in rdn", FOP2_D_RM("fadd.d", "rdn", ONE, MINUS_ONE), MINUS_ZERO, 0);
}

static void test_rounding_modes(void)
{
	CHECK_FP("1/3 rne", FOP2_D_RM("fdiv.d", "rne", ONE, THREE), THIRD_DOWN, FLAG_NX);
	CHECK_FP("1/3 rtz", FOP2_D_RM("fdiv.d", "rtz", ONE, THREE), THIRD_DOWN, FLAG_NX);
	CHECK_FP("1/3 rdn", FOP2_D_RM("fdiv.d", "rdn", ONE, THREE), THIRD_DOWN, FLAG_NX);
	CHECK_FP("1/3 rup", FOP2_D_RM("fdiv.d", "rup", ONE, THREE), THIRD_UP, FLAG_NX);
	CHECK_FP("1/3 rmm", FOP2_D_RM("fdiv.d", "rmm", ONE, THREE), THIRD_DOWN, FLAG_NX);

	/* 2^53 + 1 is halfway between two doubles. */
	const u64 tie = (1UL << 53) + 1, minus_tie = -((1L << 53) + 1);
	CHECK_FP("tie rne", FOP_X_TO_D_RM("fcvt.d.l", "rne", tie), 0x4340000000000000UL, FLAG_NX);
	CHECK_FP("tie rmm", FOP_X_TO_D_RM("fcvt.d.l", "rmm", tie), 0x4340000000000001UL, FLAG_NX);
	CHECK_FP("tie rtz", FOP_X_TO_D_RM("fcvt.d.l", "rtz", tie), 0x4340000000000000UL, FLAG_NX);
	CHECK_FP("tie rdn", FOP_X_TO_D_RM("fcvt.d.l", "rdn", tie), 0x4340000000000000UL, FLAG_NX);
	CHECK_FP("tie rup", FOP_X_TO_D_RM("fcvt.d.l", "rup", tie), 0x4340000000000001UL, FLAG_NX);
	CHECK_FP("-tie rdn", FOP_X_TO_D_RM("fcvt.d.l", "rdn", minus_tie), 0xc340000000000001UL,
		 FLAG_NX);
	CHECK_FP("-tie rup", FOP_X_TO_D_RM("fcvt.d.l", "rup", minus_tie), 0xc340000000000000UL,
		 FLAG_NX);

	CHECK_FP("fcvt.l.d 2.5 rne", FOP_D_TO_X_RM("fcvt.l.d", "rne", TWO_AND_HALF), 2, FLAG_NX);
	CHECK_FP("fcvt.l.d 2.5 rtz", FOP_D_TO_X_RM("fcvt.l.d", "rtz", TWO_AND_HALF), 2, FLAG_NX);
	CHECK_FP("fcvt.l.d 2.5 rdn", FOP_D_TO_X_RM("fcvt.l.d", "rdn", TWO_AND_HALF), 2, FLAG_NX);
	CHECK_FP("fcvt.l.d 2.5 rup", FOP_D_TO_X_RM("fcvt.l.d", "rup", TWO_AND_HALF), 3, FLAG_NX);
	CHECK_FP("fcvt.l.d 2.5 rmm", FOP_D_TO_X_RM("fcvt.l.d", "rmm", TWO_AND_HALF), 3, FLAG_NX);
	CHECK_FP("fcvt.l.d -2.5 rne", FOP_D_TO_X_RM("fcvt.l.d", "rne", MINUS_TWO_AND_HALF), -2UL,
		 FLAG_NX);
	CHECK_FP("fcvt.l.d -2.5 rdn", FOP_D_TO_X_RM("fcvt.l.d", "rdn", MINUS_TWO_AND_HALF), -3UL,
		 FLAG_NX);
	CHECK_FP("fcvt.l.d -2.5 rmm", FOP_D_TO_X_RM("fcvt.l.d", "rmm", MINUS_TWO_AND_HALF), -3UL,
		 FLAG_NX);

	csr_write(frm, 3); /* rup */
	CHECK_FP("1/3 dyn with frm=rup", FOP2_D("fdiv.d", ONE, THREE), THIRD_UP, FLAG_NX);
	csr_write(frm, 2); /* rdn */
	CHECK_FP("1/3 dyn with frm=rdn", FOP2_D("fdiv.d", ONE, THREE), THIRD_DOWN, FLAG_NX);
	csr_write(frm, 0);
}

static void test_flags(void)
{
	CHECK_FP("NV: sqrt(-1)", FOP1_D_RM("fsqrt.d", "dyn", MINUS_ONE), QNAN, FLAG_NV);
	CHECK_FP("NV: inf-inf", FOP2_D("fsub.d", PLUS_INF, PLUS_INF), QNAN, FLAG_NV);
	CHECK_FP("DZ: 1/0", FOP2_D("fdiv.d", ONE, PLUS_ZERO), PLUS_INF, FLAG_DZ);
	CHECK_FP("DZ: 1/-0", FOP2_D("fdiv.d", ONE, MINUS_ZERO), MINUS_INF, FLAG_DZ);
	CHECK_FP("OF: max*2", FOP2_D("fmul.d", MAX_DOUBLE, TWO), PLUS_INF, FLAG_OF | FLAG_NX);
	CHECK_FP("OF in rtz saturates", FOP2_D_RM("fmul.d", "rtz", MAX_DOUBLE, TWO), MAX_DOUBLE,
		 FLAG_OF | FLAG_NX);
	CHECK_FP("OF in rdn, negative",
		 FOP2_D_RM("fmul.d", "rdn", MAX_DOUBLE, 0xc000000000000000UL), MINUS_INF,
		 FLAG_OF | FLAG_NX);
	CHECK_FP("UF: min subnormal / 2", FOP2_D("fmul.d", MIN_SUBNORMAL, HALF), PLUS_ZERO,
		 FLAG_UF | FLAG_NX);
	CHECK_FP("UF rounding up to min subnormal", FOP2_D_RM("fmul.d", "rup", MIN_SUBNORMAL, HALF),
		 MIN_SUBNORMAL, FLAG_UF | FLAG_NX);
	CHECK_FP("exact subnormal raises nothing", FOP2_D("fmul.d", MIN_NORMAL, HALF),
		 0x0008000000000000UL, 0);
	CHECK_FP("NX: 1/3", FOP2_D("fdiv.d", ONE, THREE), THIRD_DOWN, FLAG_NX);
}

static void test_nan_handling(void)
{
	CHECK_FP("NaN payload is not propagated", FOP2_D("fmul.d", QNAN_PAYLOAD, ONE), QNAN, 0);
	CHECK_FP("sNaN input raises NV", FOP2_D("fadd.d", ONE, SNAN), QNAN, FLAG_NV);
	CHECK_FP("fmin.d(sNaN, 1) = 1 with NV", FOP2N_D("fmin.d", SNAN, ONE), ONE, FLAG_NV);
	CHECK_FP("fmax.d(sNaN, 1) = 1 with NV", FOP2N_D("fmax.d", SNAN, ONE), ONE, FLAG_NV);
	CHECK_FP("fmin.d(qNaN, -1) = -1", FOP2N_D("fmin.d", QNAN_PAYLOAD, MINUS_ONE), MINUS_ONE, 0);
	CHECK_FP("fmin.d(sNaN, sNaN) = canonical", FOP2N_D("fmin.d", SNAN, SNAN), QNAN, FLAG_NV);
	CHECK_FP("fmin.d(+0, -0) = -0", FOP2N_D("fmin.d", PLUS_ZERO, MINUS_ZERO), MINUS_ZERO, 0);
	CHECK_FP("fmax.d(-0, +0) = +0", FOP2N_D("fmax.d", MINUS_ZERO, PLUS_ZERO), PLUS_ZERO, 0);
	CHECK_FP("feq.d sNaN signals", FCMP_D("feq.d", SNAN, SNAN), 0, FLAG_NV);
	CHECK_FP("feq.d qNaN quiet", FCMP_D("feq.d", QNAN, QNAN), 0, 0);
	CHECK_FP("flt.d qNaN signals", FCMP_D("flt.d", ONE, QNAN), 0, FLAG_NV);
	CHECK_FP("flt.d", FCMP_D("flt.d", MINUS_ONE, ONE), 1, 0);
	CHECK_FP("fle.d -0 <= +0", FCMP_D("fle.d", MINUS_ZERO, PLUS_ZERO), 1, 0);
}

static void test_conversions(void)
{
	CHECK_FP("fcvt.w.d +inf", FOP_D_TO_X_RM("fcvt.w.d", "rtz", PLUS_INF), 0x7fffffff, FLAG_NV);
	CHECK_FP("fcvt.w.d NaN", FOP_D_TO_X_RM("fcvt.w.d", "rtz", QNAN), 0x7fffffff, FLAG_NV);
	CHECK_FP("fcvt.w.d 2^31", FOP_D_TO_X_RM("fcvt.w.d", "rtz", 0x41e0000000000000UL),
		 0x7fffffff, FLAG_NV);
	CHECK_FP("fcvt.w.d -2^31-1", FOP_D_TO_X_RM("fcvt.w.d", "rtz", 0xc1e0000000200000UL),
		 0xffffffff80000000UL, FLAG_NV);
	CHECK_FP("fcvt.w.d -1.5 rtz", FOP_D_TO_X_RM("fcvt.w.d", "rtz", 0xbff8000000000000UL), -1UL,
		 FLAG_NX);
	CHECK_FP("fcvt.wu.d -1", FOP_D_TO_X_RM("fcvt.wu.d", "rtz", MINUS_ONE), 0, FLAG_NV);
	CHECK_FP("fcvt.wu.d 2^32", FOP_D_TO_X_RM("fcvt.wu.d", "rtz", 0x41f0000000000000UL),
		 0xffffffffffffffffUL, FLAG_NV);
	CHECK_FP("fcvt.l.d -inf", FOP_D_TO_X_RM("fcvt.l.d", "rtz", MINUS_INF), 0x8000000000000000UL,
		 FLAG_NV);
	CHECK_FP("fcvt.l.d 2^63", FOP_D_TO_X_RM("fcvt.l.d", "rtz", 0x43e0000000000000UL),
		 0x7fffffffffffffffUL, FLAG_NV);
	CHECK_FP("fcvt.l.d -2^63 fits", FOP_D_TO_X_RM("fcvt.l.d", "rtz", 0xc3e0000000000000UL),
		 0x8000000000000000UL, 0);
	CHECK_FP("fcvt.lu.d NaN", FOP_D_TO_X_RM("fcvt.lu.d", "rtz", QNAN), 0xffffffffffffffffUL,
		 FLAG_NV);
	CHECK_FP("fcvt.lu.d 2^64", FOP_D_TO_X_RM("fcvt.lu.d", "rtz", 0x43f0000000000000UL),
		 0xffffffffffffffffUL, FLAG_NV);
	CHECK_FP("fcvt.lu.d -0.9 rtz", FOP_D_TO_X_RM("fcvt.lu.d", "rtz", 0xbfeccccccccccccdUL), 0,
		 FLAG_NX);
	CHECK_FP("fcvt.d.w", FOP_X_TO_D("fcvt.d.w", 0xffffffffUL), MINUS_ONE, 0);
	CHECK_FP("fcvt.d.wu", FOP_X_TO_D("fcvt.d.wu", 0xffffffffffffffffUL), 0x41efffffffe00000UL,
		 0);
	CHECK_FP("fcvt.d.lu", FOP_X_TO_D_RM("fcvt.d.lu", "rne", -1UL), 0x43f0000000000000UL,
		 FLAG_NX);

	/* Between precisions: NaNs become canonical, rounding applies. */
	u64 bits;
	__asm__ volatile("fmv.d.x ft0, %1\n\tfcvt.s.d ft1, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(bits)
			 : "r"(ONE)
			 : "ft0", "ft1");
	CHECK_EQ("fcvt.s.d result is NaN-boxed", bits, 0xffffffff3f800000UL);
	CHECK_FP("fcvt.s.d 1/3 rounds", FOP1_D_RM("fcvt.s.d", "rtz", THIRD_UP) & 0xffffffffUL,
		 0x3eaaaaaaUL, FLAG_NX);
	CHECK_FP("fcvt.s.d overflow", FOP1_D_RM("fcvt.s.d", "rne", MAX_DOUBLE) & 0xffffffffUL,
		 0x7f800000UL, FLAG_OF | FLAG_NX);
	CHECK_FP("fcvt.s.d sNaN", FOP1_D_RM("fcvt.s.d", "rne", SNAN) & 0xffffffffUL, 0x7fc00000UL,
		 FLAG_NV);
	__asm__ volatile("fmv.w.x ft0, %1\n\tfcvt.d.s ft1, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(bits)
			 : "r"(0x7f800001UL)
			 : "ft0", "ft1");
	CHECK_EQ("fcvt.d.s sNaN gives canonical NaN", bits, QNAN);
	__asm__ volatile("fmv.w.x ft0, %1\n\tfcvt.d.s ft1, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(bits)
			 : "r"(0x3eaaaaabUL)
			 : "ft0", "ft1");
	CHECK_EQ("fcvt.d.s is exact", bits, 0x3fd5555560000000UL);
}

static void test_fclass(void)
{
	CHECK_EQ("fclass -inf", FOP_D_TO_X("fclass.d", MINUS_INF), FCLASS_NEG_INF);
	CHECK_EQ("fclass -normal", FOP_D_TO_X("fclass.d", MINUS_ONE), FCLASS_NEG_NORMAL);
	CHECK_EQ("fclass -subnormal", FOP_D_TO_X("fclass.d", 0x8000000000000001UL),
		 FCLASS_NEG_SUBNORMAL);
	CHECK_EQ("fclass -0", FOP_D_TO_X("fclass.d", MINUS_ZERO), FCLASS_NEG_ZERO);
	CHECK_EQ("fclass +0", FOP_D_TO_X("fclass.d", PLUS_ZERO), FCLASS_POS_ZERO);
	CHECK_EQ("fclass +subnormal", FOP_D_TO_X("fclass.d", MIN_SUBNORMAL), FCLASS_POS_SUBNORMAL);
	CHECK_EQ("fclass +normal", FOP_D_TO_X("fclass.d", ONE), FCLASS_POS_NORMAL);
	CHECK_EQ("fclass +inf", FOP_D_TO_X("fclass.d", PLUS_INF), FCLASS_POS_INF);
	CHECK_EQ("fclass sNaN", FOP_D_TO_X("fclass.d", SNAN), FCLASS_SNAN);
	CHECK_EQ("fclass qNaN", FOP_D_TO_X("fclass.d", QNAN), FCLASS_QNAN);
}

static void test_fused_multiply_add(void)
{
	/* (1+2^-52)(1-2^-52) - 1 = -2^-104 only when rounded once. */
	CHECK_FP("fmadd.d rounds once",
		 FOP3_D("fmadd.d", 0x3ff0000000000001UL, 0x3feffffffffffffeUL, MINUS_ONE),
		 0xb970000000000000UL, 0);
	CHECK_FP("fmsub.d 2*3-1", FOP3_D("fmsub.d", TWO, THREE, ONE), 0x4014000000000000UL, 0);
	CHECK_FP("fnmadd.d", FOP3_D("fnmadd.d", TWO, THREE, ONE), 0xc01c000000000000UL, 0);
	CHECK_FP("fnmsub.d", FOP3_D("fnmsub.d", TWO, THREE, ONE), 0xc014000000000000UL, 0);
	CHECK_FP("fmadd.d 0*inf+qNaN raises NV", FOP3_D("fmadd.d", PLUS_ZERO, PLUS_INF, QNAN), QNAN,
		 FLAG_NV);
}

static void test_loads_stores(void)
{
	static volatile u64 mem[2];
	u64 bits;
	mem[0] = 0x400921fb54442d18UL; /* pi */
	__asm__ volatile("fld ft0, 0(%1)\n\tfsd ft0, 8(%1)\n\tfmv.x.d %0, ft0"
			 : "=r"(bits)
			 : "r"(mem)
			 : "ft0", "memory");
	CHECK_EQ("fld", bits, 0x400921fb54442d18UL);
	CHECK_EQ("fsd", mem[1], 0x400921fb54442d18UL);
	mem[0] = SNAN;
	__asm__ volatile("fld ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(bits) : "r"(mem) : "ft0");
	CHECK_EQ("fld keeps sNaN bits", bits, SNAN);
	CHECK_EQ("loads raise no flags", fflags_take(), 0);
}

void test_main(void)
{
	test_arithmetic();
	test_rounding_modes();
	test_flags();
	test_nan_handling();
	test_conversions();
	test_fclass();
	test_fused_multiply_add();
	test_loads_stores();
}
