/* C extension: every RV64C instruction form, written out as c.* so the
 * assembler cannot pick the 32-bit encodings; 32-bit instructions at
 * 2-byte-aligned addresses, including one spanning a page boundary. */
#include "guest.h"

const char test_name[] = "rvc";

/* Runs a compressed sequence with a0 = in, a1 = in2, and returns a0. */
#define C_SEQ(body, in, in2)                                                                       \
	({                                                                                         \
		register u64 a0_ __asm__("a0") = (u64)(in);                                        \
		register u64 a1_ __asm__("a1") = (u64)(in2);                                       \
		__asm__ volatile(".option push\n\t.option rvc\n\t" body "\n\t.option pop"          \
				 : "+r"(a0_), "+r"(a1_)                                            \
				 :                                                                 \
				 : "a2", "a3", "a4", "a5", "s0", "s1", "memory");                  \
		a0_;                                                                               \
	})

static void test_integer_ops(void)
{
	CHECK_EQ("c.li", C_SEQ("c.li a0, -32", 0, 0), -32UL);
	CHECK_EQ("c.lui", C_SEQ("c.lui a0, 1", 0, 0), 0x1000);
	CHECK_EQ("c.lui sign-extends", C_SEQ("c.lui a0, 0xfffff", 0, 0), 0xfffffffffffff000UL);
	CHECK_EQ("c.addi", C_SEQ("c.addi a0, -1", 0, 0), -1UL);
	CHECK_EQ("c.addiw", C_SEQ("c.addiw a0, 1", 0x7fffffff, 0), 0xffffffff80000000UL);
	CHECK_EQ("c.addiw 0 (sext.w)", C_SEQ("c.addiw a0, 0", 0x80000000UL, 0),
		 0xffffffff80000000UL);
	CHECK_EQ("c.slli", C_SEQ("c.slli a0, 63", 1, 0), 0x8000000000000000UL);
	CHECK_EQ("c.srli", C_SEQ("c.srli a0, 60", -1UL, 0), 0xf);
	CHECK_EQ("c.srai", C_SEQ("c.srai a0, 60", 0x8000000000000000UL, 0), -8UL);
	CHECK_EQ("c.andi", C_SEQ("c.andi a0, -2", 0xff, 0), 0xfe);
	CHECK_EQ("c.mv", C_SEQ("c.mv a0, a1", 0, 1234), 1234);
	CHECK_EQ("c.add", C_SEQ("c.add a0, a1", 40, 2), 42);
	CHECK_EQ("c.sub", C_SEQ("c.sub a0, a1", 40, 42), -2UL);
	CHECK_EQ("c.xor", C_SEQ("c.xor a0, a1", 0xff00, 0x0ff0), 0xf0f0);
	CHECK_EQ("c.or", C_SEQ("c.or a0, a1", 0xff00, 0x0ff0), 0xfff0);
	CHECK_EQ("c.and", C_SEQ("c.and a0, a1", 0xff00, 0x0ff0), 0x0f00);
	CHECK_EQ("c.addw", C_SEQ("c.addw a0, a1", 0x7fffffff, 1), 0xffffffff80000000UL);
	CHECK_EQ("c.subw", C_SEQ("c.subw a0, a1", 0, 1), -1UL);
	CHECK_EQ("c.nop", C_SEQ("c.nop\n\tc.li a0, 3", 0, 0), 3);
}

static volatile u64 cells[4] __attribute__((aligned(16)));

static void test_loads_stores(void)
{
	u64 base = (u64)cells;
	cells[0] = cells[1] = 0;
	C_SEQ("c.sw a1, 4(a0)", base, 0x80000001UL);
	CHECK_EQ("c.sw", cells[0], 0x8000000100000000UL);
	CHECK_EQ("c.lw sign-extends", C_SEQ("c.lw a0, 4(a0)", base, 0), 0xffffffff80000001UL);
	C_SEQ("c.sd a1, 8(a0)", base, 0x1122334455667788UL);
	CHECK_EQ("c.sd", cells[1], 0x1122334455667788UL);
	CHECK_EQ("c.ld", C_SEQ("c.ld a0, 8(a0)", base, 0), 0x1122334455667788UL);

	/* Stack-pointer forms, on a frame made with c.addi16sp. */
	CHECK_EQ("c.sdsp/c.ldsp",
		 C_SEQ("c.addi16sp sp, -64\n\tc.sdsp a1, 8(sp)\n\tc.ldsp a0, 8(sp)\n\t"
		       "c.addi16sp sp, 64",
		       0, 0xabcdef0123456789UL),
		 0xabcdef0123456789UL);
	CHECK_EQ("c.swsp/c.lwsp",
		 C_SEQ("c.addi16sp sp, -64\n\tc.swsp a1, 12(sp)\n\tc.lwsp a0, 12(sp)\n\t"
		       "c.addi16sp sp, 64",
		       0, 0xfedcba98UL),
		 0xfffffffffedcba98UL);
	u64 sp_now;
	__asm__ volatile("mv %0, sp" : "=r"(sp_now));
	CHECK_EQ("c.addi4spn", C_SEQ("c.addi4spn a0, sp, 16", 0, 0), sp_now + 16);
	CHECK_EQ("c.addi16sp",
		 C_SEQ("mv a2, sp\n\tc.addi16sp sp, -32\n\tmv a0, sp\n\tmv sp, a2", 0, 0),
		 sp_now - 32);
}

static void test_fp_loads_stores(void)
{
	u64 base = (u64)cells;
	cells[2] = 0x400921fb54442d18UL;
	CHECK_EQ("c.fld/c.fsd",
		 C_SEQ("c.fld fa0, 16(a0)\n\tc.fsd fa0, 24(a0)\n\tld a0, 24(a0)", base, 0),
		 0x400921fb54442d18UL);
	CHECK_EQ("c.fsdsp/c.fldsp",
		 C_SEQ("fmv.d.x fa1, a1\n\tc.addi16sp sp, -32\n\tc.fsdsp fa1, 16(sp)\n\t"
		       "c.fldsp fa2, 16(sp)\n\tc.addi16sp sp, 32\n\tfmv.x.d a0, fa2",
		       0, 0x3ff0000000000000UL),
		 0x3ff0000000000000UL);
}

static void test_control_flow(void)
{
	CHECK_EQ("c.j", C_SEQ("c.li a0, 1\n\tc.j 1f\n\tc.li a0, 2\n1:", 0, 0), 1);
	CHECK_EQ("c.beqz taken", C_SEQ("c.beqz a0, 1f\n\tc.li a1, 7\n1:\tc.mv a0, a1", 0, 5), 5);
	CHECK_EQ("c.beqz not taken", C_SEQ("c.beqz a0, 1f\n\tc.li a1, 7\n1:\tc.mv a0, a1", 1, 5),
		 7);
	CHECK_EQ("c.bnez taken", C_SEQ("c.bnez a0, 1f\n\tc.li a1, 7\n1:\tc.mv a0, a1", 1, 5), 5);
	CHECK_EQ("c.bnez not taken", C_SEQ("c.bnez a0, 1f\n\tc.li a1, 7\n1:\tc.mv a0, a1", 0, 5),
		 7);
	/* c.jr jumps; c.jalr links pc + 2. */
	CHECK_EQ("c.jr", C_SEQ("la a1, 1f\n\tc.li a0, 1\n\tc.jr a1\n\tc.li a0, 2\n1:", 0, 0), 1);
	CHECK_EQ("c.jalr links pc+2",
		 C_SEQ("la a1, 1f\n\tc.mv a2, ra\n\tc.jalr a1\n2:\tc.j 3f\n1:\tla a0, 2b\n\t"
		       "c.mv a3, ra\n\tc.sub a0, a3\n\tc.jr ra\n3:\tc.mv ra, a2",
		       0, 0),
		 0);
	/* A 32-bit instruction at an address that is 2 mod 4. */
	CHECK_EQ("32-bit insn at 2-byte alignment",
		 C_SEQ(".balign 4\n\tc.nop\n\taddi a0, a0, 100\n\tc.nop", 1, 0), 101);
}

/* A 32-bit addi whose two halves sit on either side of a page boundary. */
__attribute__((naked, aligned(4096))) static void page_spanning_code(void)
{
	__asm__ volatile(".option push\n\t.option rvc\n\t"
			 ".skip 4094 - 2, 0\n\t" /* filler never executed */
			 "c.nop\n\t"
			 "addi a0, a0, 1000\n\t" /* at page offset 4094 */
			 "c.jr ra\n\t"
			 ".option pop");
}

static void test_page_spanning_instruction(void)
{
	u64 entry = (u64)page_spanning_code + 4092;
	register u64 a0 __asm__("a0") = 1;
	__asm__ volatile("jalr %1" : "+r"(a0) : "r"(entry) : "ra", "memory");
	CHECK_EQ("32-bit insn spanning a page boundary", a0, 1001);
}

static void test_misa_reports_c(void)
{
	u64 misa = csr_read(misa);
	CHECK("misa has C", misa & (1 << ('C' - 'A')));
	CHECK_EQ("misa MXL is 64-bit", misa >> 62, 2);
}

void test_main(void)
{
	test_integer_ops();
	test_loads_stores();
	test_fp_loads_stores();
	test_control_flow();
	test_page_spanning_instruction();
	test_misa_reports_c();
}
