/* CPU suite: F and D extensions (rounding, flags, NaNs, conversions). */
#include "test_cpu_harness.h"

#define FP_ON                                                                                      \
	"	la t0, trap\n"                                                                           \
	"	csrw mtvec, t0\n"                                                                        \
	"	li t0, 1 << 13\n"                                                                        \
	"	csrs mstatus, t0\n"                                                                      \
	"	la s0, k\n"                                                                              \
	"	fld f10, 0(s0)\n"  /* 1.0 */                                                       \
	"	fld f11, 8(s0)\n"  /* 2^-60 */                                                     \
	"	fld f12, 16(s0)\n" /* 0.0 */                                                       \
	"	fld f13, 24(s0)\n" /* -1.0 */                                                      \
	"	fld f14, 32(s0)\n" /* DBL_MAX */                                                   \
	"	fld f15, 40(s0)\n" /* smallest normal + 1 ulp */                                   \
	"	fld f16, 48(s0)\n" /* 0.5 */                                                       \
	"	fld f17, 56(s0)\n" /* sNaN */                                                      \
	"	fld f18, 64(s0)\n" /* qNaN */                                                      \
	"	fld f19, 72(s0)\n" /* 2.5 */                                                       \
	"	csrw fflags, zero\n"
#define FP_CONSTANTS                                                                               \
	"	.balign 4\n"                                                                             \
	"trap:	wfi\n"                                                                              \
	"	.balign 8\n"                                                                             \
	"k:	.dword 0x3ff0000000000000, 0x3c30000000000000, 0, 0xbff0000000000000\n"                \
	"	.dword 0x7fefffffffffffff, 0x0010000000000001, 0x3fe0000000000000\n"                     \
	"	.dword 0x7ff0000000000001, 0x7ff8000000000000, 0x4004000000000000\n"

#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10

static void rounding_modes(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, FP_ON "	fadd.d f1, f10, f11, rne\n"
			  "	fmv.x.d a0, f1\n"
			  "	fadd.d f1, f10, f11, rup\n"
			  "	fmv.x.d a1, f1\n"
			  "	fadd.d f1, f10, f11, rdn\n"
			  "	fmv.x.d a2, f1\n"
			  "	fsub.d f1, f13, f11, rdn\n"
			  "	fmv.x.d a3, f1\n"
			  "	fsub.d f1, f13, f11, rtz\n"
			  "	fmv.x.d a4, f1\n"
			  "	csrr a5, fflags\n"
			  "	csrwi frm, 3\n" /* dynamic: round up */
			  "	fadd.d f1, f10, f11\n"
			  "	fmv.x.d a6, f1\n"
			  "	csrr a7, fcsr\n"
			  "	fsub.d f1, f10, f10, rdn\n" /* exact zero is -0 in RDN */
			  "	fmv.x.d s2, f1\n"
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 0x3ff0000000000000ull);
	assert_int_equal(cpu_x(f, 11), 0x3ff0000000000001ull);
	assert_int_equal(cpu_x(f, 12), 0x3ff0000000000000ull);
	assert_int_equal(cpu_x(f, 13), 0xbff0000000000001ull);
	assert_int_equal(cpu_x(f, 14), 0xbff0000000000000ull);
	assert_int_equal(cpu_x(f, 15), NX);
	assert_int_equal(cpu_x(f, 16), 0x3ff0000000000001ull);
	assert_int_equal(cpu_x(f, 17), 3 << 5 | NX);
	assert_int_equal(cpu_x(f, 18), 0x8000000000000000ull);
}

/* ties to max magnitude, which the host FPU lacks */
static void rmm_breaks_ties_away_from_zero(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, FP_ON "	li t0, 0x3ca0000000000000\n" /* 2^-53: 1 + 2^-53 is a tie */
			  "	fmv.d.x f1, t0\n"
			  "	fadd.d f2, f10, f1, rmm\n"
			  "	fmv.x.d a0, f2\n"
			  "	fadd.d f2, f10, f1, rne\n"
			  "	fmv.x.d a1, f2\n"
			  "	fsub.d f2, f13, f1, rmm\n" /* -1 - 2^-53 */
			  "	fmv.x.d a2, f2\n"
			  "	li t0, -16777217\n" /* tie between two singles */
			  "	fcvt.s.l f2, t0, rmm\n"
			  "	fmv.x.w a3, f2\n"
			  "	li t0, 0x3ff0000010000000\n" /* 1 + 2^-24 */
			  "	fmv.d.x f3, t0\n"
			  "	fcvt.s.d f2, f3, rmm\n"
			  "	fmv.x.w a4, f2\n"
			  "	fcvt.s.d f2, f3, rne\n"
			  "	fmv.x.w a5, f2\n"
			  "	fadd.d f2, f10, f11, rmm\n" /* not a tie: as RNE */
			  "	fmv.x.d a6, f2\n"
			  "	fadd.d f2, f10, f1, rmm\n" /* RMM twice in a row */
			  "	fmv.x.d a7, f2\n"
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 0x3ff0000000000001ull);
	assert_int_equal(cpu_x(f, 11), 0x3ff0000000000000ull);
	assert_int_equal(cpu_x(f, 12), 0xbff0000000000001ull);
	assert_int_equal(cpu_x(f, 13), 0xffffffffcb800001ull);
	assert_int_equal(cpu_x(f, 14), 0x3f800001);
	assert_int_equal(cpu_x(f, 15), 0x3f800000);
	assert_int_equal(cpu_x(f, 16), 0x3ff0000000000000ull);
	assert_int_equal(cpu_x(f, 17), 0x3ff0000000000001ull);
}

static void exception_flags_and_canonical_nan(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, FP_ON "	fdiv.d f1, f10, f12\n" /* 1/0 */
			  "	fmv.x.d a0, f1\n"
			  "	csrrw a1, fflags, zero\n"
			  "	fsqrt.d f1, f13\n" /* sqrt(-1) */
			  "	fmv.x.d a2, f1\n"
			  "	csrrw a3, fflags, zero\n"
			  "	fmul.d f1, f14, f14\n" /* overflow */
			  "	csrrw a4, fflags, zero\n"
			  "	fmul.d f1, f15, f16\n" /* tiny and inexact */
			  "	csrrw a5, fflags, zero\n"
			  "	fadd.d f1, f17, f10\n" /* sNaN operand */
			  "	fmv.x.d a6, f1\n"
			  "	csrrw a7, fflags, zero\n"
			  "	fadd.d f1, f18, f10\n" /* qNaN: no flag */
			  "	csrrw s2, fflags, zero\n"
			  "	fmul.d f1, f10, f16\n" /* exact */
			  "	csrr s3, fflags\n"
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 0x7ff0000000000000ull);
	assert_int_equal(cpu_x(f, 11), DZ);
	assert_int_equal(cpu_x(f, 12), 0x7ff8000000000000ull);
	assert_int_equal(cpu_x(f, 13), NV);
	assert_int_equal(cpu_x(f, 14), OF | NX);
	assert_int_equal(cpu_x(f, 15), UF | NX);
	assert_int_equal(cpu_x(f, 16), 0x7ff8000000000000ull);
	assert_int_equal(cpu_x(f, 17), NV);
	assert_int_equal(cpu_x(f, 18), 0);
	assert_int_equal(cpu_x(f, 19), 0);
}

static void min_max_and_compare(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, FP_ON "	fneg.d f2, f12\n" /* -0 */
			  "	fmin.d f1, f12, f2\n"
			  "	fmv.x.d a0, f1\n"
			  "	fmax.d f1, f2, f12\n"
			  "	fmv.x.d a1, f1\n"
			  "	fmin.d f1, f17, f10\n" /* sNaN, 1 -> 1, NV */
			  "	fmv.x.d a2, f1\n"
			  "	csrrw a3, fflags, zero\n"
			  "	fmax.d f1, f18, f18\n" /* both NaN: canonical */
			  "	fmv.x.d a4, f1\n"
			  "	fmax.d f1, f18, f19\n" /* qNaN, 2.5 -> 2.5, no flag */
			  "	fmv.x.d a5, f1\n"
			  "	csrrw a6, fflags, zero\n"
			  "	feq.d a7, f18, f10\n" /* quiet: no flag */
			  "	csrrw s2, fflags, zero\n"
			  "	flt.d s3, f18, f10\n" /* signaling: NV */
			  "	csrrw s4, fflags, zero\n"
			  "	fle.d s5, f2, f12\n" /* -0 <= +0 */
			  "	feq.d s6, f2, f12\n"
			  "	flt.d s7, f13, f10\n"
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 0x8000000000000000ull);
	assert_int_equal(cpu_x(f, 11), 0);
	assert_int_equal(cpu_x(f, 12), 0x3ff0000000000000ull);
	assert_int_equal(cpu_x(f, 13), NV);
	assert_int_equal(cpu_x(f, 14), 0x7ff8000000000000ull);
	assert_int_equal(cpu_x(f, 15), 0x4004000000000000ull);
	assert_int_equal(cpu_x(f, 16), 0);
	assert_int_equal(cpu_x(f, 17), 0);
	assert_int_equal(cpu_x(f, 18), 0);
	assert_int_equal(cpu_x(f, 19), 0);
	assert_int_equal(cpu_x(f, 20), NV);
	assert_int_equal(cpu_x(f, 21), 1);
	assert_int_equal(cpu_x(f, 22), 1);
	assert_int_equal(cpu_x(f, 23), 1);
}

static void conversions_saturate(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, FP_ON "	fcvt.w.d a0, f18\n" /* NaN -> INT32_MAX, NV */
			  "	csrrw a1, fflags, zero\n"
			  "	fcvt.wu.d a2, f13\n" /* -1 -> 0, NV */
			  "	csrrw a3, fflags, zero\n"
			  "	fneg.d f1, f16\n"
			  "	fcvt.wu.d a4, f1, rtz\n" /* -0.5 -> 0, NX only */
			  "	csrrw a5, fflags, zero\n"
			  "	fcvt.l.d a6, f14\n"	 /* DBL_MAX -> INT64_MAX, NV */
			  "	fcvt.w.d a7, f19, rne\n" /* 2.5 -> 2 */
			  "	fcvt.w.d s2, f19, rmm\n" /* 2.5 -> 3 */
			  "	fcvt.lu.d s3, f14\n"	 /* UINT64_MAX */
			  "	fcvt.wu.d s4, f14\n"	 /* UINT32_MAX sign-extended */
			  "	li t0, -7\n"
			  "	fcvt.d.l f1, t0\n"
			  "	fmv.x.d s5, f1\n"
			  "	li t0, -1\n"
			  "	csrw fflags, zero\n"
			  "	fcvt.s.lu f1, t0\n" /* 2^64 rounded: inexact */
			  "	fmv.x.w s6, f1\n"
			  "	csrrw s7, fflags, zero\n"
			  "	fcvt.s.d f1, f14\n" /* overflow to inf */
			  "	fmv.x.w s8, f1\n"
			  "	csrrw s9, fflags, zero\n"
			  "	fcvt.w.s s10, f1\n" /* +inf -> INT32_MAX */
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 0x7fffffff);
	assert_int_equal(cpu_x(f, 11), NV);
	assert_int_equal(cpu_x(f, 12), 0);
	assert_int_equal(cpu_x(f, 13), NV);
	assert_int_equal(cpu_x(f, 14), 0);
	assert_int_equal(cpu_x(f, 15), NX);
	assert_int_equal(cpu_x(f, 16), INT64_MAX);
	assert_int_equal(cpu_x(f, 17), 2);
	assert_int_equal(cpu_x(f, 18), 3);
	assert_int_equal(cpu_x(f, 19), UINT64_MAX);
	assert_int_equal(cpu_x(f, 20), UINT64_MAX);
	assert_int_equal(cpu_x(f, 21), 0xc01c000000000000ull);
	assert_int_equal(cpu_x(f, 22), 0x5f800000);
	assert_int_equal(cpu_x(f, 23), NX);
	assert_int_equal(cpu_x(f, 24), 0x7f800000);
	assert_int_equal(cpu_x(f, 25), OF | NX);
	assert_int_equal(cpu_x(f, 26), 0x7fffffff);
}

static void nan_boxing_class_and_fma(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, FP_ON "	li t0, 0x3f800000\n" /* 1.0f, not boxed */
			  "	fmv.d.x f1, t0\n"
			  "	fadd.s f2, f1, f1\n" /* unboxed input: canonical NaN */
			  "	fmv.x.d a0, f2\n"
			  "	fmv.w.x f3, t0\n" /* boxed */
			  "	fadd.s f4, f3, f3\n"
			  "	fmv.x.d a1, f4\n"
			  "	fclass.d a2, f17\n"
			  "	fclass.d a3, f18\n"
			  "	fneg.d f5, f12\n"
			  "	fclass.d a4, f5\n"
			  "	fclass.s a5, f1\n" /* unboxed: qNaN */
			  "	fdiv.d f6, f13, f12\n"
			  "	fclass.d a6, f6\n" /* -inf */
			  /* (1+2^-27)^2 - (1+2^-26) = 2^-54 only with one rounding */
			  "	li t0, 0x3ff0000002000000\n"
			  "	fmv.d.x f7, t0\n"
			  "	li t0, 0xbff0000004000000\n"
			  "	fmv.d.x f8, t0\n"
			  "	fmadd.d f9, f7, f7, f8\n"
			  "	fmv.x.d a7, f9\n"
			  "	fnmadd.d f9, f7, f7, f8\n" /* -(a*b) - c = -2^-54 */
			  "	fmv.x.d s2, f9\n"
			  "	fsgnjx.d f9, f13, f13\n" /* |-1| */
			  "	fmv.x.d s3, f9\n"
			  "	fsgnjn.s f9, f3, f3\n" /* -1.0f, boxed */
			  "	fmv.x.d s4, f9\n"
			  "	fmv.x.w s5, f9\n"
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 0xffffffff7fc00000ull);
	assert_int_equal(cpu_x(f, 11), 0xffffffff40000000ull);
	assert_int_equal(cpu_x(f, 12), 1 << 8);
	assert_int_equal(cpu_x(f, 13), 1 << 9);
	assert_int_equal(cpu_x(f, 14), 1 << 3);
	assert_int_equal(cpu_x(f, 15), 1 << 9);
	assert_int_equal(cpu_x(f, 16), 1 << 0);
	assert_int_equal(cpu_x(f, 17), 0x3c90000000000000ull);
	assert_int_equal(cpu_x(f, 18), 0xbc90000000000000ull);
	assert_int_equal(cpu_x(f, 19), 0x3ff0000000000000ull);
	assert_int_equal(cpu_x(f, 20), 0xffffffffbf800000ull);
	assert_int_equal(cpu_x(f, 21), 0xffffffffbf800000ull);
}

static void fs_off_and_bad_rounding_mode_are_illegal(void **state)
{
	struct cpu_fixture *f = *state;
	struct hart_state *s = &f->hart->s;
	cpu_load(f, FP_ON "	csrwi frm, 5\n"
			  "	fadd.d f1, f10, f10\n" /* dynamic rm 5: illegal */
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(s->mcause, EXC_ILLEGAL);
	assert_int_equal(s->mtval, 0x02a570d3); /* fadd.d f1, f10, f10, dyn */

	cpu_load(f, FP_ON "	li t0, 3 << 13\n"
			  "	csrc mstatus, t0\n"
			  "	fmv.x.d a0, f10\n" /* FS off: illegal */
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(s->mcause, EXC_ILLEGAL);
	assert_int_equal(s->mstatus & MSTATUS_FS, 0);

	cpu_load(f, FP_ON "	li t0, 3 << 13\n"
			  "	csrc mstatus, t0\n"
			  "	li t0, 1 << 13\n" /* Initial */
			  "	csrs mstatus, t0\n"
			  "	fmv.d.x f1, zero\n"
			  "	csrr a0, mstatus\n"
			  "	wfi\n" FP_CONSTANTS);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10) & MSTATUS_FS, MSTATUS_FS_DIRTY);
	assert_true(cpu_x(f, 10) & MSTATUS_SD);
}

int run_cpu_fp_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(rounding_modes, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(rmm_breaks_ties_away_from_zero, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(exception_flags_and_canonical_nan, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(min_max_and_compare, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(conversions_saturate, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(nan_boxing_class_and_fma, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(fs_off_and_bad_rounding_mode_are_illegal,
					    cpu_fixture_setup, cpu_fixture_teardown),
	};
	return cmocka_run_group_tests_name("cpu-fp", tests, NULL, NULL);
}
