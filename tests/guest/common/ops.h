/* One instruction under test per asm statement, so the compiler cannot
 * fold the operation: OP_RR("add", a, b) runs `add rd, rs1, rs2`. */
#ifndef KEEL_GUEST_OPS_H
#define KEEL_GUEST_OPS_H

#include "guest.h"

#define OP_RR(insn, a, b)                                                                          \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((u64)(a)), "r"((u64)(b)));    \
		r_;                                                                                \
	})
#define OP_RI(insn, a, imm)                                                                        \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile(insn " %0, %1, %2" : "=r"(r_) : "r"((u64)(a)), "i"(imm));         \
		r_;                                                                                \
	})
#define OP_R(insn, a)                                                                              \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile(insn " %0, %1" : "=r"(r_) : "r"((u64)(a)));                       \
		r_;                                                                                \
	})

/* Reads the accrued floating-point exception flags and clears them. */
static inline u64 fflags_take(void)
{
	u64 f;
	__asm__ volatile("csrrw %0, fflags, zero" : "=r"(f));
	return f;
}

#define FLAG_NX 0x01
#define FLAG_UF 0x02
#define FLAG_OF 0x04
#define FLAG_DZ 0x08
#define FLAG_NV 0x10

#endif
