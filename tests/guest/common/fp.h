/* Floating-point operations on bit patterns: operands are moved into FP
 * registers with fmv, the instruction under test runs once, and the result
 * comes back as bits, so every check is exact (no host float involved).
 * The optional trailing argument of the *_RM forms is a rounding mode
 * (rne, rtz, rdn, rup, rmm, dyn). */
#ifndef KEEL_GUEST_FP_H
#define KEEL_GUEST_FP_H

#include "ops.h"

#define FP_CLOBBERS "ft0", "ft1", "ft2", "ft3"

/* Single precision: results are NaN-boxed; *_S return the low 32 bits. */
#define FOP2_S(insn, a, b) FOP2_S_RM(insn, "dyn", a, b)
#define FOP2_S_RM(insn, rm, a, b)                                                                  \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\t" insn " ft2, ft0, ft1"    \
				 ", " rm "\n\tfmv.x.w %0, ft2"                                     \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b))                                    \
				 : FP_CLOBBERS);                                                   \
		(u32) r_;                                                                          \
	})
/* Two-operand forms that take no rounding mode (fmin, fsgnj, ...). */
#define FOP2N_S(insn, a, b)                                                                        \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\t" insn " ft2, ft0, ft1"    \
				 "\n\tfmv.x.w %0, ft2"                                             \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b))                                    \
				 : FP_CLOBBERS);                                                   \
		(u32) r_;                                                                          \
	})
#define FOP3_S(insn, a, b, c)                                                                      \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\tfmv.w.x ft2, %3\n\t" insn  \
				 " ft3, ft0, ft1, ft2\n\tfmv.x.w %0, ft3"                          \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c))                     \
				 : FP_CLOBBERS);                                                   \
		(u32) r_;                                                                          \
	})
#define FOP1_S_RM(insn, rm, a)                                                                     \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.w.x ft0, %1\n\t" insn " ft2, ft0, " rm "\n\tfmv.x.w %0, ft2" \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a))                                                   \
				 : FP_CLOBBERS);                                                   \
		(u32) r_;                                                                          \
	})
/* float -> integer register (compares, fclass, fcvt to integer). */
#define FOP_S_TO_X(insn, a)	   FOP_S_TO_X_SUFFIX(insn, "", a)
#define FOP_S_TO_X_RM(insn, rm, a) FOP_S_TO_X_SUFFIX(insn, ", " rm, a)
#define FOP_S_TO_X_SUFFIX(insn, suffix, a)                                                         \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.w.x ft0, %1\n\t" insn " %0, ft0" suffix                      \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a))                                                   \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
#define FCMP_S(insn, a, b)                                                                         \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.w.x ft0, %1\n\tfmv.w.x ft1, %2\n\t" insn " %0, ft0, ft1"     \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b))                                    \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
/* integer register -> float. */
#define FOP_X_TO_S_RM(insn, rm, a)                                                                 \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile(insn " ft0, %1, " rm "\n\tfmv.x.w %0, ft0"                        \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a))                                                   \
				 : FP_CLOBBERS);                                                   \
		(u32) r_;                                                                          \
	})

/* Double precision: the same shapes with fmv.d.x / fmv.x.d. */
#define FOP2_D(insn, a, b) FOP2_D_RM(insn, "dyn", a, b)
#define FOP2_D_RM(insn, rm, a, b)                                                                  \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " ft2, ft0, ft1"    \
				 ", " rm "\n\tfmv.x.d %0, ft2"                                     \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b))                                    \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
#define FOP2N_D(insn, a, b)                                                                        \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " ft2, ft0, ft1"    \
				 "\n\tfmv.x.d %0, ft2"                                             \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b))                                    \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
#define FOP3_D(insn, a, b, c)                                                                      \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\tfmv.d.x ft2, %3\n\t" insn  \
				 " ft3, ft0, ft1, ft2\n\tfmv.x.d %0, ft3"                          \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b)), "r"((u64)(c))                     \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
#define FOP1_D_RM(insn, rm, a)                                                                     \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.d.x ft0, %1\n\t" insn " ft2, ft0, " rm "\n\tfmv.x.d %0, ft2" \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a))                                                   \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
#define FOP_D_TO_X(insn, a)	   FOP_D_TO_X_SUFFIX(insn, "", a)
#define FOP_D_TO_X_RM(insn, rm, a) FOP_D_TO_X_SUFFIX(insn, ", " rm, a)
#define FOP_D_TO_X_SUFFIX(insn, suffix, a)                                                         \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.d.x ft0, %1\n\t" insn " %0, ft0" suffix                      \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a))                                                   \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
#define FCMP_D(insn, a, b)                                                                         \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("fmv.d.x ft0, %1\n\tfmv.d.x ft1, %2\n\t" insn " %0, ft0, ft1"     \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a)), "r"((u64)(b))                                    \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})
#define FOP_X_TO_D(insn, a)	   FOP_X_TO_D_SUFFIX(insn, "", a)
#define FOP_X_TO_D_RM(insn, rm, a) FOP_X_TO_D_SUFFIX(insn, ", " rm, a)
#define FOP_X_TO_D_SUFFIX(insn, suffix, a)                                                         \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile(insn " ft0, %1" suffix "\n\tfmv.x.d %0, ft0"                      \
				 : "=r"(r_)                                                        \
				 : "r"((u64)(a))                                                   \
				 : FP_CLOBBERS);                                                   \
		r_;                                                                                \
	})

/* fclass result bits. */
#define FCLASS_NEG_INF	     (1 << 0)
#define FCLASS_NEG_NORMAL    (1 << 1)
#define FCLASS_NEG_SUBNORMAL (1 << 2)
#define FCLASS_NEG_ZERO	     (1 << 3)
#define FCLASS_POS_ZERO	     (1 << 4)
#define FCLASS_POS_SUBNORMAL (1 << 5)
#define FCLASS_POS_NORMAL    (1 << 6)
#define FCLASS_POS_INF	     (1 << 7)
#define FCLASS_SNAN	     (1 << 8)
#define FCLASS_QNAN	     (1 << 9)

/* Checks a result and the flags it raised (flags are cleared first by the
 * caller through fflags_take()). */
#define CHECK_FP(what, got, expected, flags)                                                       \
	do {                                                                                       \
		fflags_take();                                                                     \
		u64 got_ = (u64)(got);                                                             \
		u64 flags_ = fflags_take();                                                        \
		CHECK_EQ(what, got_, expected);                                                    \
		CHECK_EQ(what " fflags", flags_, flags);                                           \
	} while (0)

#endif
