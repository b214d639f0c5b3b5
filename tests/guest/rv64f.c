/* F extension: arithmetic, the five rounding modes (static and through
 * frm), every fflags bit, NaN boxing and the canonical NaN, fmin/fmax with
 * signaling NaNs, conversions with saturation, fclass, fused multiply-add,
 * and the FS field of mstatus. */
#include "fp.h"
#include "guest.h"

const char test_name[] = "rv64f";

#define ONE	      0x3f800000u
#define TWO	      0x40000000u
#define THREE	      0x40400000u
#define FOUR	      0x40800000u
#define HALF	      0x3f000000u
#define MINUS_ONE     0xbf800000u
#define TWO_AND_HALF  0x40200000u /* 2.5 */
#define PLUS_ZERO     0x00000000u
#define MINUS_ZERO    0x80000000u
#define PLUS_INF      0x7f800000u
#define MINUS_INF     0xff800000u
#define QNAN	      0x7fc00000u /* the canonical NaN */
#define QNAN_PAYLOAD  0x7fc12345u
#define SNAN	      0x7f800001u
#define MAX_FLOAT     0x7f7fffffu
#define MIN_NORMAL    0x00800000u
#define MIN_SUBNORMAL 0x00000001u

static void test_arithmetic(void)
{
	CHECK_FP("fadd.s 1+2", FOP2_S("fadd.s", ONE, TWO), THREE, 0);
	CHECK_FP("fsub.s 1-2", FOP2_S("fsub.s", ONE, TWO), MINUS_ONE, 0);
	CHECK_FP("fmul.s 2*2", FOP2_S("fmul.s", TWO, TWO), FOUR, 0);
	CHECK_FP("fdiv.s 1/2", FOP2_S("fdiv.s", ONE, TWO), HALF, 0);
	CHECK_FP("fsqrt.s 4", FOP1_S_RM("fsqrt.s", "dyn", FOUR), TWO, 0);
	CHECK_FP("fadd.s 1+(-1) is +0", FOP2_S("fadd.s", ONE, MINUS_ONE), PLUS_ZERO, 0);
	CHECK_FP("fadd.s 1+(-1) is -0 in rdn", FOP2_S_RM("fadd.s", "rdn", ONE, MINUS_ONE),
		 MINUS_ZERO, 0);
	CHECK_FP("fsgnj.s", FOP2N_S("fsgnj.s", ONE, MINUS_ONE), MINUS_ONE, 0);
	CHECK_FP("fsgnjn.s", FOP2N_S("fsgnjn.s", ONE, MINUS_ONE), ONE, 0);
	CHECK_FP("fsgnjx.s", FOP2N_S("fsgnjx.s", MINUS_ONE, MINUS_ONE), ONE, 0);
	CHECK_FP("fsgnj.s keeps NaN payload", FOP2N_S("fsgnjn.s", SNAN, ONE), 0xff800001u, 0);
}

/* 1/3 and the ties of fcvt make every rounding mode give a distinct set of
 * results. */
static void test_rounding_modes(void)
{
	CHECK_FP("1/3 rne", FOP2_S_RM("fdiv.s", "rne", ONE, THREE), 0x3eaaaaabu, FLAG_NX);
	CHECK_FP("1/3 rtz", FOP2_S_RM("fdiv.s", "rtz", ONE, THREE), 0x3eaaaaaau, FLAG_NX);
	CHECK_FP("1/3 rdn", FOP2_S_RM("fdiv.s", "rdn", ONE, THREE), 0x3eaaaaaau, FLAG_NX);
	CHECK_FP("1/3 rup", FOP2_S_RM("fdiv.s", "rup", ONE, THREE), 0x3eaaaaabu, FLAG_NX);
	CHECK_FP("1/3 rmm", FOP2_S_RM("fdiv.s", "rmm", ONE, THREE), 0x3eaaaaabu, FLAG_NX);
	CHECK_FP("-1/3 rdn", FOP2_S_RM("fdiv.s", "rdn", MINUS_ONE, THREE), 0xbeaaaaabu, FLAG_NX);
	CHECK_FP("-1/3 rup", FOP2_S_RM("fdiv.s", "rup", MINUS_ONE, THREE), 0xbeaaaaaau, FLAG_NX);

	/* 2^24 + 1 is halfway between two floats. */
	const u64 tie = 16777217, minus_tie = -16777217L;
	CHECK_FP("tie rne", FOP_X_TO_S_RM("fcvt.s.l", "rne", tie), 0x4b800000u, FLAG_NX);
	CHECK_FP("tie rmm", FOP_X_TO_S_RM("fcvt.s.l", "rmm", tie), 0x4b800001u, FLAG_NX);
	CHECK_FP("tie rtz", FOP_X_TO_S_RM("fcvt.s.l", "rtz", tie), 0x4b800000u, FLAG_NX);
	CHECK_FP("tie rup", FOP_X_TO_S_RM("fcvt.s.l", "rup", tie), 0x4b800001u, FLAG_NX);
	CHECK_FP("-tie rdn", FOP_X_TO_S_RM("fcvt.s.l", "rdn", minus_tie), 0xcb800001u, FLAG_NX);
	CHECK_FP("-tie rmm", FOP_X_TO_S_RM("fcvt.s.l", "rmm", minus_tie), 0xcb800001u, FLAG_NX);
	CHECK_FP("-tie rne", FOP_X_TO_S_RM("fcvt.s.l", "rne", minus_tie), 0xcb800000u, FLAG_NX);

	CHECK_FP("fcvt.w.s 2.5 rne", FOP_S_TO_X_RM("fcvt.w.s", "rne", TWO_AND_HALF), 2, FLAG_NX);
	CHECK_FP("fcvt.w.s 2.5 rtz", FOP_S_TO_X_RM("fcvt.w.s", "rtz", TWO_AND_HALF), 2, FLAG_NX);
	CHECK_FP("fcvt.w.s 2.5 rdn", FOP_S_TO_X_RM("fcvt.w.s", "rdn", TWO_AND_HALF), 2, FLAG_NX);
	CHECK_FP("fcvt.w.s 2.5 rup", FOP_S_TO_X_RM("fcvt.w.s", "rup", TWO_AND_HALF), 3, FLAG_NX);
	CHECK_FP("fcvt.w.s 2.5 rmm", FOP_S_TO_X_RM("fcvt.w.s", "rmm", TWO_AND_HALF), 3, FLAG_NX);
	CHECK_FP("fcvt.w.s -2.5 rdn", FOP_S_TO_X_RM("fcvt.w.s", "rdn", 0xc0200000u), -3UL, FLAG_NX);
	CHECK_FP("fcvt.w.s -2.5 rmm", FOP_S_TO_X_RM("fcvt.w.s", "rmm", 0xc0200000u), -3UL, FLAG_NX);
	CHECK_FP("fcvt.w.s -2.5 rup", FOP_S_TO_X_RM("fcvt.w.s", "rup", 0xc0200000u), -2UL, FLAG_NX);

	/* Dynamic rounding mode from frm, and fcsr's layout. */
	csr_write(frm, 1); /* rtz */
	CHECK_FP("1/3 dyn with frm=rtz", FOP2_S("fdiv.s", ONE, THREE), 0x3eaaaaaau, FLAG_NX);
	csr_write(frm, 3); /* rup */
	CHECK_FP("1/3 dyn with frm=rup", FOP2_S("fdiv.s", ONE, THREE), 0x3eaaaaabu, FLAG_NX);
	CHECK_EQ("fcsr holds frm in bits 7:5", csr_read(fcsr), 3 << 5);
	csr_write(fcsr, 0x1f);
	CHECK_EQ("fcsr write sets fflags", csr_read(fflags), 0x1f);
	CHECK_EQ("fcsr write clears frm", csr_read(frm), 0);
	csr_write(fcsr, 0);
}

static void test_flags(void)
{
	CHECK_FP("NV: sqrt(-1)", FOP1_S_RM("fsqrt.s", "dyn", MINUS_ONE), QNAN, FLAG_NV);
	CHECK_FP("NV: inf-inf", FOP2_S("fsub.s", PLUS_INF, PLUS_INF), QNAN, FLAG_NV);
	CHECK_FP("NV: 0*inf", FOP2_S("fmul.s", PLUS_ZERO, PLUS_INF), QNAN, FLAG_NV);
	CHECK_FP("DZ: 1/0", FOP2_S("fdiv.s", ONE, PLUS_ZERO), PLUS_INF, FLAG_DZ);
	CHECK_FP("DZ: -1/0", FOP2_S("fdiv.s", MINUS_ONE, PLUS_ZERO), MINUS_INF, FLAG_DZ);
	CHECK_FP("0/0 is NV not DZ", FOP2_S("fdiv.s", PLUS_ZERO, PLUS_ZERO), QNAN, FLAG_NV);
	CHECK_FP("OF: max*2", FOP2_S("fmul.s", MAX_FLOAT, TWO), PLUS_INF, FLAG_OF | FLAG_NX);
	CHECK_FP("OF in rtz saturates", FOP2_S_RM("fmul.s", "rtz", MAX_FLOAT, TWO), MAX_FLOAT,
		 FLAG_OF | FLAG_NX);
	CHECK_FP("UF: min subnormal / 2", FOP2_S("fmul.s", MIN_SUBNORMAL, HALF), PLUS_ZERO,
		 FLAG_UF | FLAG_NX);
	CHECK_FP("exact subnormal result raises nothing", FOP2_S("fmul.s", MIN_NORMAL, HALF),
		 0x00400000u, 0);
	CHECK_FP("NX: 1/3", FOP2_S("fdiv.s", ONE, THREE), 0x3eaaaaabu, FLAG_NX);
	/* Flags accrue until cleared. */
	fflags_take();
	(void)FOP2_S("fdiv.s", ONE, PLUS_ZERO);
	(void)FOP2_S("fdiv.s", ONE, THREE);
	CHECK_EQ("flags accrue", fflags_take(), FLAG_DZ | FLAG_NX);
}

static void test_nan_handling(void)
{
	u64 bits;
	CHECK_FP("NaN payload is not propagated", FOP2_S("fadd.s", QNAN_PAYLOAD, ONE), QNAN, 0);
	CHECK_FP("sNaN input raises NV", FOP2_S("fadd.s", SNAN, ONE), QNAN, FLAG_NV);
	CHECK_FP("fmin.s(sNaN, 1) = 1 with NV", FOP2N_S("fmin.s", SNAN, ONE), ONE, FLAG_NV);
	CHECK_FP("fmax.s(1, sNaN) = 1 with NV", FOP2N_S("fmax.s", ONE, SNAN), ONE, FLAG_NV);
	CHECK_FP("fmin.s(qNaN, 1) = 1", FOP2N_S("fmin.s", QNAN_PAYLOAD, ONE), ONE, 0);
	CHECK_FP("fmax.s(qNaN, qNaN) = canonical", FOP2N_S("fmax.s", QNAN_PAYLOAD, QNAN_PAYLOAD),
		 QNAN, 0);
	CHECK_FP("fmin.s(-0, +0) = -0", FOP2N_S("fmin.s", PLUS_ZERO, MINUS_ZERO), MINUS_ZERO, 0);
	CHECK_FP("fmax.s(-0, +0) = +0", FOP2N_S("fmax.s", MINUS_ZERO, PLUS_ZERO), PLUS_ZERO, 0);
	CHECK_FP("fmin.s(-1, 2)", FOP2N_S("fmin.s", MINUS_ONE, TWO), MINUS_ONE, 0);

	/* Single values live NaN-boxed in the 64-bit registers. */
	__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.d %0, ft0" : "=r"(bits) : "r"((u64)ONE) : "ft0");
	CHECK_EQ("fmv.w.x NaN-boxes", bits, 0xffffffff00000000UL | ONE);
	static volatile u32 mem = ONE;
	__asm__ volatile("flw ft0, 0(%1)\n\tfmv.x.d %0, ft0" : "=r"(bits) : "r"(&mem) : "ft0");
	CHECK_EQ("flw NaN-boxes", bits, 0xffffffff00000000UL | ONE);
	__asm__ volatile("fmv.d.x ft0, %1\n\tfadd.s ft1, ft0, ft0\n\tfmv.x.d %0, ft1"
			 : "=r"(bits)
			 : "r"((u64)ONE)
			 : "ft0", "ft1");
	CHECK_EQ("unboxed input reads as canonical NaN", bits, 0xffffffff00000000UL | QNAN);
	__asm__ volatile("fmv.w.x ft0, %0\n\tfsw ft0, 0(%1)" ::"r"((u64)TWO), "r"(&mem)
			 : "ft0", "memory");
	CHECK_EQ("fsw stores the low word", mem, TWO);
	__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.x.w %0, ft0"
			 : "=r"(bits)
			 : "r"((u64)MINUS_ONE)
			 : "ft0");
	CHECK_EQ("fmv.x.w sign-extends", bits, 0xffffffffbf800000UL);
}

static void test_compares(void)
{
	CHECK_FP("feq.s", FCMP_S("feq.s", ONE, ONE), 1, 0);
	CHECK_FP("feq.s +0 -0", FCMP_S("feq.s", PLUS_ZERO, MINUS_ZERO), 1, 0);
	CHECK_FP("flt.s", FCMP_S("flt.s", MINUS_ONE, ONE), 1, 0);
	CHECK_FP("fle.s equal", FCMP_S("fle.s", ONE, ONE), 1, 0);
	CHECK_FP("feq.s qNaN quiet", FCMP_S("feq.s", QNAN, ONE), 0, 0);
	CHECK_FP("feq.s sNaN signals", FCMP_S("feq.s", SNAN, ONE), 0, FLAG_NV);
	CHECK_FP("flt.s qNaN signals", FCMP_S("flt.s", QNAN, ONE), 0, FLAG_NV);
	CHECK_FP("fle.s qNaN signals", FCMP_S("fle.s", ONE, QNAN), 0, FLAG_NV);
}

static void test_conversions(void)
{
	CHECK_FP("fcvt.w.s +inf", FOP_S_TO_X_RM("fcvt.w.s", "rtz", PLUS_INF), 0x7fffffff, FLAG_NV);
	CHECK_FP("fcvt.w.s -inf", FOP_S_TO_X_RM("fcvt.w.s", "rtz", MINUS_INF), 0xffffffff80000000UL,
		 FLAG_NV);
	CHECK_FP("fcvt.w.s NaN", FOP_S_TO_X_RM("fcvt.w.s", "rtz", QNAN), 0x7fffffff, FLAG_NV);
	CHECK_FP("fcvt.w.s 2^31", FOP_S_TO_X_RM("fcvt.w.s", "rtz", 0x4f000000u), 0x7fffffff,
		 FLAG_NV);
	CHECK_FP("fcvt.w.s -2^31 fits", FOP_S_TO_X_RM("fcvt.w.s", "rtz", 0xcf000000u),
		 0xffffffff80000000UL, 0);
	CHECK_FP("fcvt.wu.s -1", FOP_S_TO_X_RM("fcvt.wu.s", "rtz", MINUS_ONE), 0, FLAG_NV);
	CHECK_FP("fcvt.wu.s -0.5 rounds to 0", FOP_S_TO_X_RM("fcvt.wu.s", "rtz", 0xbf000000u), 0,
		 FLAG_NX);
	CHECK_FP("fcvt.wu.s 2^32 saturates (sign-extended)",
		 FOP_S_TO_X_RM("fcvt.wu.s", "rtz", 0x4f800000u), 0xffffffffffffffffUL, FLAG_NV);
	CHECK_FP("fcvt.wu.s 3e9 sign-extended", FOP_S_TO_X_RM("fcvt.wu.s", "rtz", 0x4f32d05eu),
		 0xffffffffb2d05e00UL, 0);
	CHECK_FP("fcvt.l.s 1e20", FOP_S_TO_X_RM("fcvt.l.s", "rtz", 0x60ad78ecu),
		 0x7fffffffffffffffUL, FLAG_NV);
	CHECK_FP("fcvt.l.s -inf", FOP_S_TO_X_RM("fcvt.l.s", "rtz", MINUS_INF), 0x8000000000000000UL,
		 FLAG_NV);
	CHECK_FP("fcvt.lu.s NaN", FOP_S_TO_X_RM("fcvt.lu.s", "rtz", QNAN), 0xffffffffffffffffUL,
		 FLAG_NV);
	CHECK_FP("fcvt.lu.s -1", FOP_S_TO_X_RM("fcvt.lu.s", "rtz", MINUS_ONE), 0, FLAG_NV);
	CHECK_FP("fcvt.s.w -1", FOP_X_TO_S_RM("fcvt.s.w", "rne", -1UL), MINUS_ONE, 0);
	CHECK_FP("fcvt.s.w uses low 32 bits", FOP_X_TO_S_RM("fcvt.s.w", "rne", 0x100000002UL), TWO,
		 0);
	CHECK_FP("fcvt.s.wu", FOP_X_TO_S_RM("fcvt.s.wu", "rne", 0xffffffffUL), 0x4f800000u,
		 FLAG_NX);
	CHECK_FP("fcvt.s.lu", FOP_X_TO_S_RM("fcvt.s.lu", "rne", -1UL), 0x5f800000u, FLAG_NX);
}

static void test_fclass(void)
{
	CHECK_EQ("fclass -inf", FOP_S_TO_X("fclass.s", MINUS_INF), FCLASS_NEG_INF);
	CHECK_EQ("fclass -normal", FOP_S_TO_X("fclass.s", MINUS_ONE), FCLASS_NEG_NORMAL);
	CHECK_EQ("fclass -subnormal", FOP_S_TO_X("fclass.s", 0x80000001u), FCLASS_NEG_SUBNORMAL);
	CHECK_EQ("fclass -0", FOP_S_TO_X("fclass.s", MINUS_ZERO), FCLASS_NEG_ZERO);
	CHECK_EQ("fclass +0", FOP_S_TO_X("fclass.s", PLUS_ZERO), FCLASS_POS_ZERO);
	CHECK_EQ("fclass +subnormal", FOP_S_TO_X("fclass.s", MIN_SUBNORMAL), FCLASS_POS_SUBNORMAL);
	CHECK_EQ("fclass +normal", FOP_S_TO_X("fclass.s", ONE), FCLASS_POS_NORMAL);
	CHECK_EQ("fclass +inf", FOP_S_TO_X("fclass.s", PLUS_INF), FCLASS_POS_INF);
	CHECK_EQ("fclass sNaN", FOP_S_TO_X("fclass.s", SNAN), FCLASS_SNAN);
	CHECK_EQ("fclass qNaN", FOP_S_TO_X("fclass.s", QNAN), FCLASS_QNAN);
}

static void test_fused_multiply_add(void)
{
	/* (1+2^-23)(1-2^-23) - 1 = -2^-46 exactly when fused; 0 if rounded
	 * between the multiply and the add. */
	CHECK_FP("fmadd.s rounds once", FOP3_S("fmadd.s", 0x3f800001u, 0x3f7ffffeu, MINUS_ONE),
		 0xa8800000u, 0);
	CHECK_FP("fmsub.s 2*3-1", FOP3_S("fmsub.s", TWO, THREE, ONE), 0x40a00000u, 0);
	CHECK_FP("fnmadd.s -(2*3)-1", FOP3_S("fnmadd.s", TWO, THREE, ONE), 0xc0e00000u, 0);
	CHECK_FP("fnmsub.s -(2*3)+1", FOP3_S("fnmsub.s", TWO, THREE, ONE), 0xc0a00000u, 0);
	CHECK_FP("fmadd.s inf*0+qNaN raises NV", FOP3_S("fmadd.s", PLUS_INF, PLUS_ZERO, QNAN), QNAN,
		 FLAG_NV);
}

/* mstatus.FS: off makes FP instructions illegal; a write makes it dirty. */
static void test_fs_field(void)
{
	csr_clear(mstatus, MSTATUS_FS);
	trap_expect();
	__asm__ volatile("fadd.s ft0, ft1, ft2" ::: "ft0");
	CHECK_TRAP("FP instruction with FS=off", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	trap_expect();
	(void)csr_read(fcsr);
	CHECK_TRAP("fcsr access with FS=off", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);

	csr_set(mstatus, 1UL << 13); /* Initial */
	__asm__ volatile("fmv.w.x ft0, zero" ::: "ft0");
	u64 status = csr_read(mstatus);
	CHECK_EQ("FP write makes FS dirty", status & MSTATUS_FS, MSTATUS_FS);
	CHECK("SD summarises a dirty FS", status >> 63);

	/* Reserved rounding modes 5 and 6 are illegal (fadd.s ft0, ft1, ft2). */
	trap_expect();
	__asm__ volatile(".insn r 0x53, 5, 0, ft0, ft1, ft2" ::: "ft0");
	CHECK_TRAP("rounding mode 5 is illegal", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	csr_write(frm, 5);
	trap_expect();
	__asm__ volatile("fadd.s ft0, ft1, ft2, dyn" ::: "ft0");
	CHECK_TRAP("dyn with frm=5 is illegal", CAUSE_ILLEGAL_INSTRUCTION, TVAL_ANY);
	csr_write(frm, 0);
}

void test_main(void)
{
	test_arithmetic();
	test_rounding_modes();
	test_flags();
	test_nan_handling();
	test_compares();
	test_conversions();
	test_fclass();
	test_fused_multiply_add();
	test_fs_field();
}
