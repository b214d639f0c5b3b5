/* F and D extensions on the host's IEEE-754 unit.
 *
 * Rounding: the host rounding mode is switched to the instruction's (cached
 * in hart->host_rm). Flags: the host's sticky exception flags are the
 * guest's accrued flags while the guest runs; they are folded into fflags
 * when the guest reads fflags/fcsr and whenever host code (devices, SBI)
 * runs in between (fpu_host_enter/leave). x86 and RISC-V agree on flag
 * semantics (tininess after rounding) except where this file computes the
 * flags itself: NaN results (canonical NaN), fmin/fmax, comparisons,
 * float-to-integer conversions (saturation), fma's inf*0.
 * RMM (ties to max magnitude), which hosts lack, is RNE corrected at exact
 * ties (see rmm_fix_d); known limit: the fused multiply-adds round RMM as
 * RNE. */
#include "vm/cpu/cpu.h"

#include <fenv.h>
#include <math.h>
#include <string.h>

#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10

#define RM_RNE 0
#define RM_RTZ 1
#define RM_RDN 2
#define RM_RUP 3
#define RM_RMM 4
#define RM_DYN 7

#define CANON_S 0x7fc00000u
#define CANON_D 0x7ff8000000000000ull
#define BOX_S	0xffffffff00000000ull

static const int host_mode[5] = {FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD, FE_TONEAREST};

void fpu_sync_flags(struct hart *h)
{
	int e = fetestexcept(FE_ALL_EXCEPT);
	if (!e)
		return;
	uint32_t f = 0;
	if (e & FE_INEXACT)
		f |= FFLAG_NX;
	if (e & FE_UNDERFLOW)
		f |= FFLAG_UF;
	if (e & FE_OVERFLOW)
		f |= FFLAG_OF;
	if (e & FE_DIVBYZERO)
		f |= FFLAG_DZ;
	if (e & FE_INVALID)
		f |= FFLAG_NV;
	h->s.fflags |= f;
	feclearexcept(FE_ALL_EXCEPT);
}

void fpu_host_enter(struct hart *h)
{
	fpu_sync_flags(h);
	if (h->host_rm != RM_RNE) {
		fesetround(FE_TONEAREST);
		h->host_rm = RM_RNE;
	}
}

void fpu_host_leave(struct hart *h)
{
	feclearexcept(FE_ALL_EXCEPT);
}

static bool set_rounding(struct hart *h, unsigned rm, unsigned *out)
{
	if (rm == RM_DYN)
		rm = h->s.frm;
	if (rm > RM_RMM)
		return false;
	if (rm != h->host_rm) {
		fesetround(host_mode[rm]);
		/* RMM runs the host in RNE plus a fix-up: record a value no
		 * instruction's mode equals, so that RMM never takes the
		 * interpreter's inline fast paths */
		h->host_rm = rm == RM_RMM ? RM_RMM + 1 : rm;
	}
	*out = rm;
	return true;
}

/* ---- register access ---- */

static float get_s(const struct hart *h, unsigned r)
{
	uint64_t v = h->s.f[r];
	uint32_t bits = (v >> 32) == 0xffffffffu ? (uint32_t)v : CANON_S;
	float f;
	memcpy(&f, &bits, 4);
	return f;
}

static double get_d(const struct hart *h, unsigned r)
{
	double d;
	memcpy(&d, &h->s.f[r], 8);
	return d;
}

static uint32_t bits_s(float f)
{
	uint32_t b;
	memcpy(&b, &f, 4);
	return b;
}

static uint64_t bits_d(double d)
{
	uint64_t b;
	memcpy(&b, &d, 8);
	return b;
}

static void put_s_bits(struct hart *h, unsigned r, uint32_t b)
{
	h->s.f[r] = BOX_S | b;
}

static void put_s(struct hart *h, unsigned r, float f)
{
	put_s_bits(h, r, isnan(f) ? CANON_S : bits_s(f));
}

static void put_d(struct hart *h, unsigned r, double d)
{
	h->s.f[r] = isnan(d) ? CANON_D : bits_d(d);
}

static bool snan_s(float f)
{
	uint32_t b = bits_s(f);
	return (b & 0x7f800000) == 0x7f800000 && (b & 0x7fffff) && !(b & 0x400000);
}

static bool snan_d(double d)
{
	uint64_t b = bits_d(d);
	return (b & 0x7ff0000000000000ull) == 0x7ff0000000000000ull && (b & 0xfffffffffffffull) &&
	       !(b & 0x8000000000000ull);
}

static void raise_flags(struct hart *h, uint32_t f)
{
	h->s.fflags |= f;
}

/* ---- classification ---- */

static unsigned fclass(bool neg, int kind, bool snan)
{
	switch (kind) {
	case FP_INFINITE:
		return neg ? 1u << 0 : 1u << 7;
	case FP_NORMAL:
		return neg ? 1u << 1 : 1u << 6;
	case FP_SUBNORMAL:
		return neg ? 1u << 2 : 1u << 5;
	case FP_ZERO:
		return neg ? 1u << 3 : 1u << 4;
	}
	return snan ? 1u << 8 : 1u << 9;
}

/* ---- float to integer, with RISC-V saturation ---- */

static uint64_t cvt_to_int(struct hart *h, double x, enum fp_op op, unsigned rm)
{
	static const double lo[4] = {-2147483648.0, 0.0, -9223372036854775808.0, 0.0};
	static const double hi_excl[4] = {2147483648.0, 4294967296.0, 9223372036854775808.0,
					  18446744073709551616.0};
	static const uint64_t min_v[4] = {(uint64_t)INT32_MIN, 0, (uint64_t)INT64_MIN, 0};
	static const uint64_t max_v[4] = {INT32_MAX, UINT64_MAX, INT64_MAX, UINT64_MAX};
	unsigned k = op - FP_CVT_W;
	if (isnan(x)) {
		raise_flags(h, FFLAG_NV);
		return max_v[k];
	}
	double r = rm == RM_RMM ? round(x) : nearbyint(x);
	if (r < lo[k]) {
		raise_flags(h, FFLAG_NV);
		return min_v[k];
	}
	if (r >= hi_excl[k]) {
		raise_flags(h, FFLAG_NV);
		return max_v[k];
	}
	if (r != x)
		raise_flags(h, FFLAG_NX);
	switch (op) {
	case FP_CVT_W:
		return (uint64_t)(int64_t)(int32_t)r;
	case FP_CVT_WU:
		return (uint64_t)(int64_t)(int32_t)(uint32_t)r;
	case FP_CVT_L:
		return (uint64_t)(int64_t)r;
	default:
		return (uint64_t)r;
	}
}

/* ---- RMM: the host has no ties-to-max-magnitude mode ----
 * The host rounds to nearest-even; r + err is the exact result (err
 * exact, computed by the caller). Only at an exact tie can RMM differ: then
 * the neighbor away from zero is the answer. Bit arithmetic keeps the host
 * flags untouched. */
static double from_bits_d(uint64_t b)
{
	double d;
	memcpy(&d, &b, 8);
	return d;
}

static double rmm_fix_d(double r, double err)
{
	if (err == 0 || !isfinite(r))
		return r;
	if (r == 0) {
		double tiny = from_bits_d(1 | (signbit(err) ? 1ull << 63 : 0));
		return 2 * err == tiny ? tiny : r;
	}
	if (!signbit(err) != !signbit(r))
		return r; /* the exact value lies towards zero: r is the away one */
	double away = from_bits_d(bits_d(r) + 1);
	return 2 * err == away - r ? away : r;
}

static float rmm_fix_s(float r, double err)
{
	if (err == 0 || !isfinite(r))
		return r;
	uint32_t b;
	float away;
	if (r == 0) {
		b = 1 | (signbit(err) ? 1u << 31 : 0);
		memcpy(&away, &b, 4);
		return 2 * err == (double)away ? away : r;
	}
	if (!signbit(err) != !signbit(r))
		return r;
	b = bits_s(r) + 1;
	memcpy(&away, &b, 4);
	return 2 * err == (double)away - (double)r ? away : r;
}

/* exact error of the double operations (TwoSum, fma residuals) */
static double rmm_d(enum fp_op op, double a, double b, double r)
{
	switch (op) {
	case FP_SUB:
		b = -b;
		/* fallthrough */
	case FP_ADD: {
		double bb = r - a;
		return rmm_fix_d(r, (a - (r - bb)) + (b - bb));
	}
	case FP_MUL:
		return rmm_fix_d(r, fma(a, b, -r));
	case FP_DIV: {
		double rem = fma(-r, b, a); /* a - r*b, exact */
		if (rem == 0 || !isfinite(r) || r == 0)
			return r;
		bool up = (rem > 0) == (b > 0); /* the exact quotient is above r */
		if (up != !signbit(r))
			return r;
		double away = from_bits_d(bits_d(r) + 1);
		double half = (away - r) / 2;
		return fma(-half, b, rem) == 0 ? away : r; /* exactly halfway */
	}
	default:
		return r;
	}
}

/* singles: the exact result fits a double for add, sub and mul; a
 * quotient that is a single-precision tie has 25 bits, so is exact too */
static float rmm_s(enum fp_op op, float a, float b, float r)
{
	double exact;
	switch (op) {
	case FP_ADD:
		exact = (double)a + (double)b;
		break;
	case FP_SUB:
		exact = (double)a - (double)b;
		break;
	case FP_MUL:
		exact = (double)a * (double)b;
		break;
	case FP_DIV:
		exact = (double)a / (double)b;
		break;
	default:
		return r;
	}
	return rmm_fix_s(r, exact - (double)r);
}

/* ---- single and double precision bodies, generated from one template ---- */

#define FP_TEMPLATE(SUF, T, UT, GET, PUT, BITS, SNAN, CANON, SIGN, SQRT, FMA)                      \
	static T minmax_##SUF(struct hart *h, T a, T b, bool max)                                  \
	{                                                                                          \
		if (SNAN(a) || SNAN(b))                                                            \
			raise_flags(h, FFLAG_NV);                                                  \
		if (isnan(a) && isnan(b)) {                                                        \
			UT c = CANON;                                                              \
			T r;                                                                       \
			memcpy(&r, &c, sizeof(r));                                                 \
			return r;                                                                  \
		}                                                                                  \
		if (isnan(a))                                                                      \
			return b;                                                                  \
		if (isnan(b))                                                                      \
			return a;                                                                  \
		if (a == b) /* equal, or zeros of either sign: pick by sign bit */                 \
			return ((BITS(a) & SIGN) != 0) == !max ? a : b;                            \
		return (max ? __builtin_isgreater(a, b) : __builtin_isless(a, b)) ? a : b;         \
	}                                                                                          \
                                                                                                   \
	static uint64_t compare_##SUF(struct hart *h, T a, T b, enum fp_op op)                     \
	{                                                                                          \
		if (isnan(a) || isnan(b)) {                                                        \
			if (op != FP_FEQ || SNAN(a) || SNAN(b))                                    \
				raise_flags(h, FFLAG_NV);                                          \
			return 0;                                                                  \
		}                                                                                  \
		if (op == FP_FEQ)                                                                  \
			return a == b;                                                             \
		return op == FP_FLT ? __builtin_isless(a, b) : __builtin_islessequal(a, b);        \
	}                                                                                          \
                                                                                                   \
	static T fma_##SUF(struct hart *h, T a, T b, T c, enum fp_op op)                           \
	{                                                                                          \
		if ((isinf(a) && b == 0) || (a == 0 && isinf(b)))                                  \
			raise_flags(h, FFLAG_NV);                                                  \
		if (op == FP_MSUB || op == FP_NMADD)                                               \
			c = -c;                                                                    \
		if (op == FP_NMSUB || op == FP_NMADD)                                              \
			a = -a;                                                                    \
		return FMA(a, b, c);                                                               \
	}                                                                                          \
                                                                                                   \
	static UT sgnj_##SUF(UT a, UT b, enum fp_op op)                                            \
	{                                                                                          \
		UT sign = op == FP_SGNJ	   ? (b & SIGN)                                            \
			  : op == FP_SGNJN ? (~b & SIGN)                                           \
					   : ((a ^ b) & SIGN);                                     \
		return (a & ~SIGN) | sign;                                                         \
	}                                                                                          \
                                                                                                   \
	/* operations whose result is a value of this precision */                                 \
	static bool arith_##SUF(struct hart *h, const struct insn *in, unsigned rm)                \
	{                                                                                          \
		T a = GET(h, in->rs1), b = GET(h, in->rs2), r;                                     \
		switch (in->fop) {                                                                 \
		case FP_ADD:                                                                       \
			r = a + b;                                                                 \
			break;                                                                     \
		case FP_SUB:                                                                       \
			r = a - b;                                                                 \
			break;                                                                     \
		case FP_MUL:                                                                       \
			r = a * b;                                                                 \
			break;                                                                     \
		case FP_DIV:                                                                       \
			r = a / b;                                                                 \
			break;                                                                     \
		case FP_SQRT:                                                                      \
			r = SQRT(a);                                                               \
			break;                                                                     \
		case FP_MIN:                                                                       \
			r = minmax_##SUF(h, a, b, false);                                          \
			break;                                                                     \
		case FP_MAX:                                                                       \
			r = minmax_##SUF(h, a, b, true);                                           \
			break;                                                                     \
		case FP_MADD:                                                                      \
		case FP_MSUB:                                                                      \
		case FP_NMSUB:                                                                     \
		case FP_NMADD:                                                                     \
			r = fma_##SUF(h, a, b, GET(h, in->rs3), in->fop);                          \
			break;                                                                     \
		default:                                                                           \
			return false;                                                              \
		}                                                                                  \
		if (unlikely(rm == RM_RMM))                                                        \
			r = rmm_##SUF(in->fop, a, b, r);                                           \
		PUT(h, in->rd, r);                                                                 \
		return true;                                                                       \
	}

static inline uint32_t bits_of_s(float f)
{
	return bits_s(f);
}

static inline uint64_t bits_of_d(double d)
{
	return bits_d(d);
}

FP_TEMPLATE(s, float, uint32_t, get_s, put_s, bits_of_s, snan_s, CANON_S, 0x80000000u, sqrtf, fmaf)
FP_TEMPLATE(d, double, uint64_t, get_d, put_d, bits_of_d, snan_d, CANON_D, 0x8000000000000000ull,
	    sqrt, fma)

static uint32_t sbits_reg(const struct hart *h, unsigned r)
{
	return bits_s(get_s(h, r));
}

static void int_to_float(struct hart *h, const struct insn *in, unsigned rm)
{
	uint64_t v = h->s.x[in->rs1];
	__int128 exact;
	switch (in->fop) {
	case FP_CVT_FROM_W:
		exact = (int32_t)v;
		break;
	case FP_CVT_FROM_WU:
		exact = (uint32_t)v;
		break;
	case FP_CVT_FROM_L:
		exact = (int64_t)v;
		break;
	default:
		exact = v;
		break;
	}
	bool unsigned64 = in->fop == FP_CVT_FROM_LU;
	if (in->dbl) {
		double d = unsigned64 ? (double)v : (double)(int64_t)exact;
		if (rm == RM_RMM)
			d = rmm_fix_d(d, (double)(exact - (__int128)d));
		put_d(h, in->rd, d);
		return;
	}
	float f = unsigned64 ? (float)v : (float)(int64_t)exact;
	if (rm == RM_RMM)
		f = rmm_fix_s(f, (double)(exact - (__int128)f));
	put_s(h, in->rd, f);
}

static void double_to_single(struct hart *h, const struct insn *in, unsigned rm)
{
	double d = get_d(h, in->rs1);
	float f = (float)d;
	if (rm == RM_RMM && isfinite(d))
		f = rmm_fix_s(f, d - (double)f);
	put_s(h, in->rd, f);
}

static uint64_t classify(const struct hart *h, const struct insn *in)
{
	if (in->dbl) {
		double d = get_d(h, in->rs1);
		return fclass(signbit(d), fpclassify(d), snan_d(d));
	}
	float f = get_s(h, in->rs1);
	return fclass(signbit(f), fpclassify(f), snan_s(f));
}

/* operations writing an integer register or moving raw bits */
static bool other_op(struct hart *h, const struct insn *in, unsigned rm)
{
	struct hart_state *s = &h->s;
	bool d = in->dbl;
	switch (in->fop) {
	case FP_SGNJ:
	case FP_SGNJN:
	case FP_SGNJX:
		if (d)
			s->f[in->rd] = sgnj_d(s->f[in->rs1], s->f[in->rs2], in->fop);
		else
			put_s_bits(h, in->rd,
				   sgnj_s(sbits_reg(h, in->rs1), sbits_reg(h, in->rs2), in->fop));
		return true;
	case FP_FEQ:
	case FP_FLT:
	case FP_FLE:
		s->x[in->rd] = d ? compare_d(h, get_d(h, in->rs1), get_d(h, in->rs2), in->fop)
				 : compare_s(h, get_s(h, in->rs1), get_s(h, in->rs2), in->fop);
		return true;
	case FP_CLASS:
		s->x[in->rd] = classify(h, in);
		return true;
	case FP_CVT_W:
	case FP_CVT_WU:
	case FP_CVT_L:
	case FP_CVT_LU:
		s->x[in->rd] =
		    cvt_to_int(h, d ? get_d(h, in->rs1) : (double)get_s(h, in->rs1), in->fop, rm);
		return true;
	case FP_CVT_FROM_W:
	case FP_CVT_FROM_WU:
	case FP_CVT_FROM_L:
	case FP_CVT_FROM_LU:
		int_to_float(h, in, rm);
		return true;
	case FP_CVT_S_D:
		double_to_single(h, in, rm);
		return true;
	case FP_CVT_D_S:
		put_d(h, in->rd, (double)get_s(h, in->rs1));
		return true;
	case FP_MV_X_F:
		s->x[in->rd] = d ? s->f[in->rs1] : (uint64_t)(int64_t)(int32_t)s->f[in->rs1];
		return true;
	case FP_MV_F_X:
		if (d)
			s->f[in->rd] = s->x[in->rs1];
		else
			put_s_bits(h, in->rd, (uint32_t)s->x[in->rs1]);
		return true;
	}
	return false;
}

static bool uses_rounding(enum fp_op op)
{
	switch (op) {
	case FP_SGNJ:
	case FP_SGNJN:
	case FP_SGNJX:
	case FP_MIN:
	case FP_MAX:
	case FP_FEQ:
	case FP_FLT:
	case FP_FLE:
	case FP_CLASS:
	case FP_MV_X_F:
	case FP_MV_F_X:
		return false; /* funct3 selects the operation, not a rounding mode */
	default:
		return true;
	}
}

bool fpu_execute(struct hart *h, const struct insn *in)
{
	unsigned rm = RM_RNE;
	if (fs_off(h))
		return false;
	if (uses_rounding(in->fop) && !set_rounding(h, in->rm, &rm))
		return false;
	bool ok = in->dbl ? arith_d(h, in, rm) : arith_s(h, in, rm);
	if (!ok)
		ok = other_op(h, in, rm);
	if (ok)
		fs_mark_dirty(h);
	return ok;
}
