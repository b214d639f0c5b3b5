/* RV64GC decoder: 32-bit instructions and the C extension. */
#include "vm/cpu/decode.h"

#include <stdbool.h>
#include <string.h>

static inline uint32_t bits(uint32_t v, unsigned hi, unsigned lo)
{
	return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int32_t sext(uint32_t v, unsigned width)
{
	return (int32_t)(v << (32 - width)) >> (32 - width);
}

static void set_illegal(struct insn *in, uint32_t raw)
{
	in->op = OP_illegal;
	in->imm = (int32_t)raw;
}

/* writes to x0 go to the sink register 32 */
static inline uint8_t dest(uint32_t rd)
{
	return rd ? (uint8_t)rd : 32;
}

static void set_op(struct insn *in, enum cpu_op op, uint32_t rd, uint32_t rs1, uint32_t rs2,
		   int32_t imm)
{
	in->op = (uint8_t)op;
	in->rd = dest(rd);
	in->rs1 = (uint8_t)rs1;
	in->rs2 = (uint8_t)rs2;
	in->imm = imm;
}

static int32_t imm_i(uint32_t r)
{
	return (int32_t)r >> 20;
}

static int32_t imm_s(uint32_t r)
{
	return sext(bits(r, 31, 25) << 5 | bits(r, 11, 7), 12);
}

static int32_t imm_b(uint32_t r)
{
	return sext(bits(r, 31, 31) << 12 | bits(r, 7, 7) << 11 | bits(r, 30, 25) << 5 |
			bits(r, 11, 8) << 1,
		    13);
}

static int32_t imm_j(uint32_t r)
{
	return sext(bits(r, 31, 31) << 20 | bits(r, 19, 12) << 12 | bits(r, 20, 20) << 11 |
			bits(r, 30, 21) << 1,
		    21);
}

static void decode_load(uint32_t r, struct insn *in)
{
	static const enum cpu_op ops[8] = {OP_lb,  OP_lh,  OP_lw,  OP_ld,
					   OP_lbu, OP_lhu, OP_lwu, OP_illegal};
	enum cpu_op op = ops[bits(r, 14, 12)];
	if (op == OP_illegal)
		return set_illegal(in, r);
	set_op(in, op, bits(r, 11, 7), bits(r, 19, 15), 0, imm_i(r));
}

static void decode_store(uint32_t r, struct insn *in)
{
	static const enum cpu_op ops[8] = {OP_sb, OP_sh, OP_sw, OP_sd};
	unsigned f3 = bits(r, 14, 12);
	if (f3 > 3)
		return set_illegal(in, r);
	set_op(in, ops[f3], 0, bits(r, 19, 15), bits(r, 24, 20), imm_s(r));
}

static void decode_branch(uint32_t r, struct insn *in)
{
	static const enum cpu_op ops[8] = {OP_beq, OP_bne, OP_illegal, OP_illegal,
					   OP_blt, OP_bge, OP_bltu,    OP_bgeu};
	enum cpu_op op = ops[bits(r, 14, 12)];
	if (op == OP_illegal)
		return set_illegal(in, r);
	set_op(in, op, 0, bits(r, 19, 15), bits(r, 24, 20), imm_b(r));
}

static void decode_op_imm(uint32_t r, struct insn *in)
{
	unsigned f3 = bits(r, 14, 12), rd = bits(r, 11, 7), rs1 = bits(r, 19, 15);
	unsigned f6 = bits(r, 31, 26);
	int32_t imm = imm_i(r);
	switch (f3) {
	case 0:
		return set_op(in, OP_addi, rd, rs1, 0, imm);
	case 2:
		return set_op(in, OP_slti, rd, rs1, 0, imm);
	case 3:
		return set_op(in, OP_sltiu, rd, rs1, 0, imm);
	case 4:
		return set_op(in, OP_xori, rd, rs1, 0, imm);
	case 6:
		return set_op(in, OP_ori, rd, rs1, 0, imm);
	case 7:
		return set_op(in, OP_andi, rd, rs1, 0, imm);
	case 1:
		if (f6 != 0)
			break;
		return set_op(in, OP_slli, rd, rs1, 0, imm & 63);
	case 5:
		if (f6 == 0)
			return set_op(in, OP_srli, rd, rs1, 0, imm & 63);
		if (f6 == 0x10)
			return set_op(in, OP_srai, rd, rs1, 0, imm & 63);
		break;
	}
	set_illegal(in, r);
}

static void decode_op_imm32(uint32_t r, struct insn *in)
{
	unsigned f3 = bits(r, 14, 12), rd = bits(r, 11, 7), rs1 = bits(r, 19, 15);
	unsigned f7 = bits(r, 31, 25), shamt = bits(r, 24, 20);
	if (f3 == 0)
		return set_op(in, OP_addiw, rd, rs1, 0, imm_i(r));
	if (f3 == 1 && f7 == 0)
		return set_op(in, OP_slliw, rd, rs1, 0, (int32_t)shamt);
	if (f3 == 5 && f7 == 0)
		return set_op(in, OP_srliw, rd, rs1, 0, (int32_t)shamt);
	if (f3 == 5 && f7 == 0x20)
		return set_op(in, OP_sraiw, rd, rs1, 0, (int32_t)shamt);
	set_illegal(in, r);
}

static void decode_op(uint32_t r, struct insn *in)
{
	static const enum cpu_op base[8] = {OP_add, OP_sll, OP_slt, OP_sltu,
					    OP_xor, OP_srl, OP_or,  OP_and};
	static const enum cpu_op muldiv[8] = {OP_mul, OP_mulh, OP_mulhsu, OP_mulhu,
					      OP_div, OP_divu, OP_rem,	  OP_remu};
	unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25);
	enum cpu_op op = OP_illegal;
	if (f7 == 0)
		op = base[f3];
	else if (f7 == 1)
		op = muldiv[f3];
	else if (f7 == 0x20 && f3 == 0)
		op = OP_sub;
	else if (f7 == 0x20 && f3 == 5)
		op = OP_sra;
	if (op == OP_illegal)
		return set_illegal(in, r);
	set_op(in, op, bits(r, 11, 7), bits(r, 19, 15), bits(r, 24, 20), 0);
}

static void decode_op32(uint32_t r, struct insn *in)
{
	unsigned f3 = bits(r, 14, 12), f7 = bits(r, 31, 25);
	enum cpu_op op = OP_illegal;
	if (f7 == 0)
		op = f3 == 0 ? OP_addw : f3 == 1 ? OP_sllw : f3 == 5 ? OP_srlw : OP_illegal;
	else if (f7 == 0x20)
		op = f3 == 0 ? OP_subw : f3 == 5 ? OP_sraw : OP_illegal;
	else if (f7 == 1)
		op = f3 == 0   ? OP_mulw
		     : f3 == 4 ? OP_divw
		     : f3 == 5 ? OP_divuw
		     : f3 == 6 ? OP_remw
		     : f3 == 7 ? OP_remuw
			       : OP_illegal;
	if (op == OP_illegal)
		return set_illegal(in, r);
	set_op(in, op, bits(r, 11, 7), bits(r, 19, 15), bits(r, 24, 20), 0);
}

static void decode_system(uint32_t r, struct insn *in)
{
	unsigned f3 = bits(r, 14, 12), rd = bits(r, 11, 7), rs1 = bits(r, 19, 15);
	unsigned csr = bits(r, 31, 20);
	static const enum cpu_op csr_ops[8] = {OP_illegal, OP_csrrw,  OP_csrrs,	 OP_csrrc,
					       OP_illegal, OP_csrrwi, OP_csrrsi, OP_csrrci};
	if (f3 != 0) {
		if (csr_ops[f3] == OP_illegal)
			return set_illegal(in, r);
		/* rd=x0 matters for csrrw (no read side effects): keep it visible */
		set_op(in, csr_ops[f3], rd, rs1, 0, (int32_t)csr);
		in->rs3 = (uint8_t)rd;
		return;
	}
	if (rd != 0)
		return set_illegal(in, r);
	if (bits(r, 31, 25) == 0x09) /* sfence.vma rs1, rs2 */
		return set_op(in, OP_sfence_vma, 0, rs1, bits(r, 24, 20), 0);
	if (rs1 != 0)
		return set_illegal(in, r);
	switch (csr) {
	case 0x000:
		return set_op(in, OP_ecall, 0, 0, 0, 0);
	case 0x001:
		return set_op(in, OP_ebreak, 0, 0, 0, 0);
	case 0x302:
		return set_op(in, OP_mret, 0, 0, 0, (int32_t)r);
	case 0x102:
		return set_op(in, OP_sret, 0, 0, 0, (int32_t)r);
	case 0x105:
		return set_op(in, OP_wfi, 0, 0, 0, (int32_t)r);
	}
	set_illegal(in, r);
}

static void decode_amo(uint32_t r, struct insn *in)
{
	unsigned f3 = bits(r, 14, 12), f5 = bits(r, 31, 27);
	unsigned rd = bits(r, 11, 7), rs1 = bits(r, 19, 15), rs2 = bits(r, 24, 20);
	if (f3 != 2 && f3 != 3)
		return set_illegal(in, r);
	bool d = f3 == 3;
	if (f5 == 0x02) {
		if (rs2 != 0)
			return set_illegal(in, r);
		set_op(in, d ? OP_lr_d : OP_lr_w, rd, rs1, 0, 0);
	} else if (f5 == 0x03) {
		set_op(in, d ? OP_sc_d : OP_sc_w, rd, rs1, rs2, 0);
	} else {
		switch (f5) {
		case AMO_ADD:
		case AMO_SWAP:
		case AMO_XOR:
		case AMO_OR:
		case AMO_AND:
		case AMO_MIN:
		case AMO_MAX:
		case AMO_MINU:
		case AMO_MAXU:
			break;
		default:
			return set_illegal(in, r);
		}
		set_op(in, d ? OP_amo_d : OP_amo_w, rd, rs1, rs2, 0);
		in->rm = (uint8_t)f5;
	}
	/* aq/rl need nothing: one host thread runs every hart in order */
}

/* FP: rd of an FP result is not redirected (f0 is a real register) */
/* double-precision operations with an inline fast path in the interpreter
 * (they fall back to OP_fp's code for NaNs, rounding changes, FS state) */
static enum cpu_op fast_double_op(enum fp_op fop)
{
	switch (fop) {
	case FP_ADD:
		return OP_fadd_d;
	case FP_SUB:
		return OP_fsub_d;
	case FP_MUL:
		return OP_fmul_d;
	case FP_DIV:
		return OP_fdiv_d;
	case FP_MADD:
		return OP_fmadd_d;
	case FP_FLT:
		return OP_flt_d;
	case FP_FLE:
		return OP_fle_d;
	case FP_FEQ:
		return OP_feq_d;
	case FP_SGNJ:
		return OP_fsgnj_d;
	default:
		return OP_fp;
	}
}

static void set_fp(struct insn *in, enum fp_op fop, uint32_t r, bool dbl, bool int_dest)
{
	in->op = (uint8_t)(dbl ? fast_double_op(fop) : OP_fp);
	in->fop = (uint8_t)fop;
	in->dbl = dbl;
	in->rd = int_dest ? dest(bits(r, 11, 7)) : (uint8_t)bits(r, 11, 7);
	in->rs1 = (uint8_t)bits(r, 19, 15);
	in->rs2 = (uint8_t)bits(r, 24, 20);
	in->rs3 = (uint8_t)bits(r, 31, 27);
	in->rm = (uint8_t)bits(r, 14, 12);
	in->imm = (int32_t)r;
}

static bool rm_valid(unsigned rm)
{
	return rm != 5 && rm != 6;
}

static void decode_fma(uint32_t r, struct insn *in, enum fp_op fop)
{
	unsigned fmt = bits(r, 26, 25);
	if (fmt > 1 || !rm_valid(bits(r, 14, 12)))
		return set_illegal(in, r);
	set_fp(in, fop, r, fmt == 1, false);
}

static void decode_fp_cvt_int(uint32_t r, struct insn *in, bool dbl, bool to_int)
{
	static const enum fp_op to[4] = {FP_CVT_W, FP_CVT_WU, FP_CVT_L, FP_CVT_LU};
	static const enum fp_op from[4] = {FP_CVT_FROM_W, FP_CVT_FROM_WU, FP_CVT_FROM_L,
					   FP_CVT_FROM_LU};
	unsigned rs2 = bits(r, 24, 20);
	if (rs2 > 3 || !rm_valid(bits(r, 14, 12)))
		return set_illegal(in, r);
	set_fp(in, to_int ? to[rs2] : from[rs2], r, dbl, to_int);
}

static void decode_op_fp(uint32_t r, struct insn *in)
{
	unsigned f7 = bits(r, 31, 25), f3 = bits(r, 14, 12), rs2 = bits(r, 24, 20);
	unsigned fmt = f7 & 3, kind = f7 >> 2;
	bool dbl = fmt == 1;
	if (fmt > 1)
		return set_illegal(in, r);
	switch (kind) {
	case 0x00:
	case 0x01:
	case 0x02:
	case 0x03: {
		static const enum fp_op ops[4] = {FP_ADD, FP_SUB, FP_MUL, FP_DIV};
		if (!rm_valid(f3))
			break;
		return set_fp(in, ops[kind], r, dbl, false);
	}
	case 0x0b:
		if (rs2 != 0 || !rm_valid(f3))
			break;
		return set_fp(in, FP_SQRT, r, dbl, false);
	case 0x04:
		if (f3 > 2)
			break;
		return set_fp(in, f3 == 0 ? FP_SGNJ : f3 == 1 ? FP_SGNJN : FP_SGNJX, r, dbl, false);
	case 0x05:
		if (f3 > 1)
			break;
		return set_fp(in, f3 == 0 ? FP_MIN : FP_MAX, r, dbl, false);
	case 0x08: /* fcvt.s.d (fmt S, rs2 1) / fcvt.d.s (fmt D, rs2 0) */
		if (rs2 != (dbl ? 0u : 1u) || !rm_valid(f3))
			break;
		return set_fp(in, dbl ? FP_CVT_D_S : FP_CVT_S_D, r, dbl, false);
	case 0x14:
		if (f3 > 2)
			break;
		return set_fp(in, f3 == 0 ? FP_FLE : f3 == 1 ? FP_FLT : FP_FEQ, r, dbl, true);
	case 0x18:
		return decode_fp_cvt_int(r, in, dbl, true);
	case 0x1a:
		return decode_fp_cvt_int(r, in, dbl, false);
	case 0x1c:
		if (rs2 != 0 || f3 > 1)
			break;
		return set_fp(in, f3 == 0 ? FP_MV_X_F : FP_CLASS, r, dbl, true);
	case 0x1e:
		if (rs2 != 0 || f3 != 0)
			break;
		return set_fp(in, FP_MV_F_X, r, dbl, false);
	}
	set_illegal(in, r);
}

static void decode_fp_mem(uint32_t r, struct insn *in, bool store)
{
	unsigned f3 = bits(r, 14, 12);
	if (f3 != 2 && f3 != 3)
		return set_illegal(in, r);
	if (store) {
		set_op(in, f3 == 2 ? OP_fsw : OP_fsd, 0, bits(r, 19, 15), bits(r, 24, 20),
		       imm_s(r));
	} else {
		set_op(in, f3 == 2 ? OP_flw : OP_fld, 0, bits(r, 19, 15), 0, imm_i(r));
		in->rd = (uint8_t)bits(r, 11, 7);
	}
}

static void decode32(uint32_t r, struct insn *in)
{
	unsigned rd = bits(r, 11, 7);
	switch (bits(r, 6, 0)) {
	case 0x37:
		return set_op(in, OP_lui, rd, 0, 0, (int32_t)(r & 0xfffff000));
	case 0x17:
		return set_op(in, OP_auipc, rd, 0, 0, (int32_t)(r & 0xfffff000));
	case 0x6f:
		return set_op(in, OP_jal, rd, 0, 0, imm_j(r));
	case 0x67:
		if (bits(r, 14, 12) != 0)
			break;
		return set_op(in, OP_jalr, rd, bits(r, 19, 15), 0, imm_i(r));
	case 0x63:
		return decode_branch(r, in);
	case 0x03:
		return decode_load(r, in);
	case 0x23:
		return decode_store(r, in);
	case 0x13:
		return decode_op_imm(r, in);
	case 0x1b:
		return decode_op_imm32(r, in);
	case 0x33:
		return decode_op(r, in);
	case 0x3b:
		return decode_op32(r, in);
	case 0x0f:
		if (bits(r, 14, 12) == 0)
			return set_op(in, OP_fence, 0, 0, 0, 0);
		if (bits(r, 14, 12) == 1)
			return set_op(in, OP_fence_i, 0, 0, 0, 0);
		break;
	case 0x73:
		return decode_system(r, in);
	case 0x2f:
		return decode_amo(r, in);
	case 0x07:
		return decode_fp_mem(r, in, false);
	case 0x27:
		return decode_fp_mem(r, in, true);
	case 0x43:
		return decode_fma(r, in, FP_MADD);
	case 0x47:
		return decode_fma(r, in, FP_MSUB);
	case 0x4b:
		return decode_fma(r, in, FP_NMSUB);
	case 0x4f:
		return decode_fma(r, in, FP_NMADD);
	case 0x53:
		return decode_op_fp(r, in);
	}
	set_illegal(in, r);
}

/* ---- C extension ---- */

static inline unsigned creg(uint32_t v)
{
	return v + 8;
}

static void decode_c0(uint32_t r, struct insn *in)
{
	unsigned rd = creg(bits(r, 4, 2)), rs1 = creg(bits(r, 9, 7));
	int32_t uimm_w = (int32_t)(bits(r, 12, 10) << 3 | bits(r, 6, 6) << 2 | bits(r, 5, 5) << 6);
	int32_t uimm_d = (int32_t)(bits(r, 12, 10) << 3 | bits(r, 6, 5) << 6);
	switch (bits(r, 15, 13)) {
	case 0: {
		int32_t imm = (int32_t)(bits(r, 12, 11) << 4 | bits(r, 10, 7) << 6 |
					bits(r, 6, 6) << 2 | bits(r, 5, 5) << 3);
		if (imm == 0)
			break;
		return set_op(in, OP_addi, rd, 2, 0, imm);
	}
	case 1:
		set_op(in, OP_fld, 0, rs1, 0, uimm_d);
		in->rd = (uint8_t)rd;
		return;
	case 2:
		return set_op(in, OP_lw, rd, rs1, 0, uimm_w);
	case 3:
		return set_op(in, OP_ld, rd, rs1, 0, uimm_d);
	case 5:
		return set_op(in, OP_fsd, 0, rs1, rd, uimm_d);
	case 6:
		return set_op(in, OP_sw, 0, rs1, rd, uimm_w);
	case 7:
		return set_op(in, OP_sd, 0, rs1, rd, uimm_d);
	}
	set_illegal(in, r);
}

static void decode_c1_alu(uint32_t r, struct insn *in)
{
	unsigned rd = creg(bits(r, 9, 7)), rs2 = creg(bits(r, 4, 2));
	int32_t imm6 = sext(bits(r, 12, 12) << 5 | bits(r, 6, 2), 6);
	unsigned shamt = bits(r, 12, 12) << 5 | bits(r, 6, 2);
	switch (bits(r, 11, 10)) {
	case 0:
		return set_op(in, OP_srli, rd, rd, 0, (int32_t)shamt);
	case 1:
		return set_op(in, OP_srai, rd, rd, 0, (int32_t)shamt);
	case 2:
		return set_op(in, OP_andi, rd, rd, 0, imm6);
	}
	static const enum cpu_op ops[8] = {OP_sub,  OP_xor,  OP_or,	 OP_and,
					   OP_subw, OP_addw, OP_illegal, OP_illegal};
	enum cpu_op op = ops[bits(r, 12, 12) << 2 | bits(r, 6, 5)];
	if (op == OP_illegal)
		return set_illegal(in, r);
	set_op(in, op, rd, rd, rs2, 0);
}

static void decode_c1(uint32_t r, struct insn *in)
{
	unsigned rd = bits(r, 11, 7);
	int32_t imm6 = sext(bits(r, 12, 12) << 5 | bits(r, 6, 2), 6);
	switch (bits(r, 15, 13)) {
	case 0:
		return set_op(in, OP_addi, rd, rd, 0, imm6);
	case 1:
		if (rd == 0)
			break;
		return set_op(in, OP_addiw, rd, rd, 0, imm6);
	case 2:
		return set_op(in, OP_addi, rd, 0, 0, imm6);
	case 3:
		if (rd == 2) {
			int32_t imm =
			    sext(bits(r, 12, 12) << 9 | bits(r, 6, 6) << 4 | bits(r, 5, 5) << 6 |
				     bits(r, 4, 3) << 7 | bits(r, 2, 2) << 5,
				 10);
			if (imm == 0)
				break;
			return set_op(in, OP_addi, 2, 2, 0, imm);
		}
		if (imm6 == 0)
			break;
		return set_op(in, OP_lui, rd, 0, 0, (int32_t)((uint32_t)imm6 << 12));
	case 4:
		return decode_c1_alu(r, in);
	case 5: {
		int32_t off =
		    sext(bits(r, 12, 12) << 11 | bits(r, 11, 11) << 4 | bits(r, 10, 9) << 8 |
			     bits(r, 8, 8) << 10 | bits(r, 7, 7) << 6 | bits(r, 6, 6) << 7 |
			     bits(r, 5, 3) << 1 | bits(r, 2, 2) << 5,
			 12);
		return set_op(in, OP_jal, 0, 0, 0, off);
	}
	case 6:
	case 7: {
		int32_t off = sext(bits(r, 12, 12) << 8 | bits(r, 11, 10) << 3 |
				       bits(r, 6, 5) << 6 | bits(r, 4, 3) << 1 | bits(r, 2, 2) << 5,
				   9);
		return set_op(in, bits(r, 15, 13) == 6 ? OP_beq : OP_bne, 0, creg(bits(r, 9, 7)), 0,
			      off);
	}
	}
	set_illegal(in, r);
}

static void decode_c2(uint32_t r, struct insn *in)
{
	unsigned rd = bits(r, 11, 7), rs2 = bits(r, 6, 2);
	unsigned shamt = bits(r, 12, 12) << 5 | bits(r, 6, 2);
	int32_t ldsp = (int32_t)(bits(r, 12, 12) << 5 | bits(r, 6, 5) << 3 | bits(r, 4, 2) << 6);
	int32_t lwsp = (int32_t)(bits(r, 12, 12) << 5 | bits(r, 6, 4) << 2 | bits(r, 3, 2) << 6);
	int32_t sdsp = (int32_t)(bits(r, 12, 10) << 3 | bits(r, 9, 7) << 6);
	int32_t swsp = (int32_t)(bits(r, 12, 9) << 2 | bits(r, 8, 7) << 6);
	switch (bits(r, 15, 13)) {
	case 0:
		return set_op(in, OP_slli, rd, rd, 0, (int32_t)shamt);
	case 1:
		set_op(in, OP_fld, 0, 2, 0, ldsp);
		in->rd = (uint8_t)rd;
		return;
	case 2:
		if (rd == 0)
			break;
		return set_op(in, OP_lw, rd, 2, 0, lwsp);
	case 3:
		if (rd == 0)
			break;
		return set_op(in, OP_ld, rd, 2, 0, ldsp);
	case 4:
		if (bits(r, 12, 12) == 0) {
			if (rs2 == 0)
				return rd ? set_op(in, OP_jalr, 0, rd, 0, 0) : set_illegal(in, r);
			return set_op(in, OP_add, rd, 0, rs2, 0);
		}
		if (rs2 == 0)
			return rd ? set_op(in, OP_jalr, 1, rd, 0, 0)
				  : set_op(in, OP_ebreak, 0, 0, 0, 0);
		return set_op(in, OP_add, rd, rd, rs2, 0);
	case 5:
		return set_op(in, OP_fsd, 0, 2, rs2, sdsp);
	case 6:
		return set_op(in, OP_sw, 0, 2, rs2, swsp);
	case 7:
		return set_op(in, OP_sd, 0, 2, rs2, sdsp);
	}
	set_illegal(in, r);
}

void cpu_decode(uint32_t raw, struct insn *out)
{
	memset(out, 0, sizeof(*out));
	if ((raw & 3) == 3) {
		out->len = 4;
		decode32(raw, out);
		return;
	}
	out->len = 2;
	raw &= 0xffff;
	switch (raw & 3) {
	case 0:
		decode_c0(raw, out);
		break;
	case 1:
		decode_c1(raw, out);
		break;
	case 2:
		decode_c2(raw, out);
		break;
	}
}
