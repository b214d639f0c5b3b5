/* Instruction decoding: one guest instruction (32-bit or compressed) into a
 * compact struct insn that the interpreter executes without looking at the
 * encoding again. Compressed instructions decode to their 32-bit equivalent
 * with len = 2. A destination x0 is turned into register 32 (a write sink),
 * so handlers write rd unconditionally and x0 stays zero. */
#ifndef KEEL_VM_CPU_DECODE_H
#define KEEL_VM_CPU_DECODE_H

#include <stdint.h>

/* every operation the interpreter has a handler for */
// clang-format off
#define CPU_SPECIAL_OPS(X) X(decode) X(page_end) X(cross_page) X(illegal)
/* these have a copy per instruction length in the interpreter */
#define CPU_HANDLER_OPS(X)                                                                         \
	X(lui) X(auipc) X(jal) X(jalr) X(beq) X(bne) X(blt) X(bge) X(bltu) X(bgeu)                \
	X(lb) X(lh) X(lw) X(ld) X(lbu) X(lhu) X(lwu) X(sb) X(sh) X(sw) X(sd)                        \
	X(addi) X(slti) X(sltiu) X(xori) X(ori) X(andi) X(slli) X(srli) X(srai)                   \
	X(addiw) X(slliw) X(srliw) X(sraiw)                                                        \
	X(add) X(sub) X(sll) X(slt) X(sltu) X(xor) X(srl) X(sra) X(or) X(and)                     \
	X(addw) X(subw) X(sllw) X(srlw) X(sraw)                                                    \
	X(mul) X(mulh) X(mulhsu) X(mulhu) X(div) X(divu) X(rem) X(remu)                           \
	X(mulw) X(divw) X(divuw) X(remw) X(remuw)                                                  \
	X(fence) X(fence_i) X(ecall) X(ebreak) X(mret) X(sret) X(wfi) X(sfence_vma)                \
	X(csrrw) X(csrrs) X(csrrc) X(csrrwi) X(csrrsi) X(csrrci)                                   \
	X(lr_w) X(sc_w) X(lr_d) X(sc_d) X(amo_w) X(amo_d)                                          \
	X(flw) X(fld) X(fsw) X(fsd) X(fp)                                                          \
	X(fadd_d) X(fsub_d) X(fmul_d) X(fdiv_d) X(fmadd_d) X(flt_d) X(fle_d) X(feq_d) X(fsgnj_d)
#define CPU_OPS(X) CPU_SPECIAL_OPS(X) CPU_HANDLER_OPS(X)
// clang-format on

enum cpu_op {
#define CPU_OP_ENUM(name) OP_##name,
	CPU_OPS(CPU_OP_ENUM)
#undef CPU_OP_ENUM
	    OP_COUNT
};

/* AMO kinds (funct5 of the AMO opcode) */
enum amo_kind {
	AMO_ADD = 0x00,
	AMO_SWAP = 0x01,
	AMO_XOR = 0x04,
	AMO_OR = 0x08,
	AMO_AND = 0x0c,
	AMO_MIN = 0x10,
	AMO_MAX = 0x14,
	AMO_MINU = 0x18,
	AMO_MAXU = 0x1c,
};

/* FP operations (OP_fp), dispatched inside fpu.c */
enum fp_op {
	FP_ADD,
	FP_SUB,
	FP_MUL,
	FP_DIV,
	FP_SQRT,
	FP_SGNJ,
	FP_SGNJN,
	FP_SGNJX,
	FP_MIN,
	FP_MAX,
	FP_FEQ,
	FP_FLT,
	FP_FLE,
	FP_CLASS,
	FP_CVT_W,
	FP_CVT_WU,
	FP_CVT_L,
	FP_CVT_LU, /* float -> int */
	FP_CVT_FROM_W,
	FP_CVT_FROM_WU,
	FP_CVT_FROM_L,
	FP_CVT_FROM_LU,
	FP_CVT_S_D,
	FP_CVT_D_S,
	FP_MV_X_F,
	FP_MV_F_X,
	FP_MADD,
	FP_MSUB,
	FP_NMSUB,
	FP_NMADD,
};

struct insn {
	const void *handler; /* label in the interpreter, set by the icache */
	int32_t imm;	     /* immediate, CSR number, or raw bits for illegal */
	uint8_t rd, rs1, rs2, rs3;
	uint8_t len;	 /* 2 or 4 */
	uint8_t rm;	 /* FP rounding mode field; AMO kind for amo_w/amo_d */
	uint8_t fop;	 /* enum fp_op for OP_fp */
	uint8_t dbl;	 /* OP_fp: 1 for double precision */
	uint8_t op;	 /* enum cpu_op */
	uint8_t near;	 /* branch/jal: the target is in the same page (set by the icache) */
	uint16_t pc_off; /* offset of the instruction in its page */
};

/* Decodes the instruction whose low 16 (compressed) or 32 bits are raw.
 * Always succeeds: unknown encodings decode to OP_illegal. */
void cpu_decode(uint32_t raw, struct insn *out);

static inline unsigned insn_length(uint32_t low16)
{
	return (low16 & 3) == 3 ? 4 : 2;
}

#endif
