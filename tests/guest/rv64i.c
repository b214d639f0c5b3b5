/* RV64I: integer arithmetic, the 32-bit W forms, shifts, compares,
 * branches, jumps, loads and stores of each width, fence.i. */
#include "guest.h"
#include "ops.h"

const char test_name[] = "rv64i";

#define NEG1  0xffffffffffffffffUL
#define MIN64 0x8000000000000000UL
#define MAX64 0x7fffffffffffffffUL

static void test_register_arithmetic(void)
{
	CHECK_EQ("add", OP_RR("add", 5, 7), 12);
	CHECK_EQ("add wraps", OP_RR("add", MAX64, 1), MIN64);
	CHECK_EQ("sub", OP_RR("sub", 5, 7), -2UL);
	CHECK_EQ("sub wraps", OP_RR("sub", MIN64, 1), MAX64);
	CHECK_EQ("and", OP_RR("and", 0xff00ff00ff00ff00UL, 0x0ff00ff00ff00ff0UL),
		 0x0f000f000f000f00UL);
	CHECK_EQ("or", OP_RR("or", 0xff00UL, 0x0ff0UL), 0xfff0UL);
	CHECK_EQ("xor", OP_RR("xor", 0xff00UL, 0x0ff0UL), 0xf0f0UL);
	CHECK_EQ("slt negative", OP_RR("slt", -1UL, 1), 1);
	CHECK_EQ("slt positive", OP_RR("slt", 1, -1UL), 0);
	CHECK_EQ("slt equal", OP_RR("slt", 3, 3), 0);
	CHECK_EQ("sltu", OP_RR("sltu", 1, -1UL), 1);
	CHECK_EQ("sltu reverse", OP_RR("sltu", -1UL, 1), 0);
	CHECK_EQ("sltu x0 (snez)", OP_RR("sltu", 0, 5), 1);
}

static void test_immediate_arithmetic(void)
{
	CHECK_EQ("addi negative", OP_RI("addi", 10, -11), NEG1);
	CHECK_EQ("addi max", OP_RI("addi", 0, 2047), 2047);
	CHECK_EQ("addi min", OP_RI("addi", 0, -2048), -2048UL);
	CHECK_EQ("slti", OP_RI("slti", -5UL, -4), 1);
	CHECK_EQ("slti false", OP_RI("slti", 5, -4), 0);
	CHECK_EQ("sltiu sign-extended imm", OP_RI("sltiu", 5, -1), 1);
	CHECK_EQ("sltiu seqz", OP_RI("sltiu", 0, 1), 1);
	CHECK_EQ("xori -1 (not)", OP_RI("xori", 0x1234, -1), ~0x1234UL);
	CHECK_EQ("ori sign-extended", OP_RI("ori", 0, -16), -16UL);
	CHECK_EQ("andi sign-extended", OP_RI("andi", 0x123456789abcdef0UL, -256),
		 0x123456789abcde00UL);
}

static void test_shifts(void)
{
	CHECK_EQ("sll", OP_RR("sll", 1, 63), MIN64);
	CHECK_EQ("sll uses 6 bits", OP_RR("sll", 1, 65), 2);
	CHECK_EQ("srl", OP_RR("srl", MIN64, 63), 1);
	CHECK_EQ("sra", OP_RR("sra", MIN64, 63), NEG1);
	CHECK_EQ("sra uses 6 bits", OP_RR("sra", -256UL, 68), -16UL);
	CHECK_EQ("slli", OP_RI("slli", 3, 62), 0xc000000000000000UL);
	CHECK_EQ("srli", OP_RI("srli", NEG1, 60), 0xf);
	CHECK_EQ("srai", OP_RI("srai", 0x8000000000000000UL, 4), 0xf800000000000000UL);
	CHECK_EQ("srai positive", OP_RI("srai", 0x4000000000000000UL, 4), 0x0400000000000000UL);
}

static void test_word_ops(void)
{
	CHECK_EQ("addw sign-extends", OP_RR("addw", 0x7fffffff, 1), 0xffffffff80000000UL);
	CHECK_EQ("addw ignores high bits", OP_RR("addw", 0x1234567800000001UL, 1), 2);
	CHECK_EQ("subw", OP_RR("subw", 0, 1), NEG1);
	CHECK_EQ("subw wrap", OP_RR("subw", 0x80000000UL, 1), 0x7fffffff);
	CHECK_EQ("addiw", OP_RI("addiw", 0x7fffffff, 1), 0xffffffff80000000UL);
	CHECK_EQ("addiw 0 (sext.w)", OP_RI("addiw", 0x00000000fffffffeUL, 0), -2UL);
	CHECK_EQ("sllw", OP_RR("sllw", 1, 31), 0xffffffff80000000UL);
	CHECK_EQ("sllw uses 5 bits", OP_RR("sllw", 1, 33), 2);
	CHECK_EQ("srlw", OP_RR("srlw", 0xffffffff80000000UL, 31), 1);
	CHECK_EQ("srlw zero-fills from bit 31", OP_RR("srlw", 0xffffffff80000000UL, 0),
		 0xffffffff80000000UL);
	CHECK_EQ("srlw by 1", OP_RR("srlw", 0x80000000UL, 1), 0x40000000UL);
	CHECK_EQ("sraw", OP_RR("sraw", 0x80000000UL, 4), 0xfffffffff8000000UL);
	CHECK_EQ("slliw", OP_RI("slliw", 0x1, 31), 0xffffffff80000000UL);
	CHECK_EQ("srliw", OP_RI("srliw", 0xfffffffff0000000UL, 28), 0xf);
	CHECK_EQ("sraiw", OP_RI("sraiw", 0x00000000f0000000UL, 28), NEG1);
}

static void test_upper_immediates(void)
{
	u64 v, pc_auipc, pc_la;
	__asm__ volatile("lui %0, 0x80000" : "=r"(v));
	CHECK_EQ("lui sign-extends", v, 0xffffffff80000000UL);
	__asm__ volatile("lui %0, 0x7ffff" : "=r"(v));
	CHECK_EQ("lui", v, 0x7ffff000UL);
	__asm__ volatile("1: auipc %0, 0\n\tla %1, 1b" : "=r"(pc_auipc), "=r"(pc_la));
	CHECK_EQ("auipc 0 is pc", pc_auipc, pc_la);
	__asm__ volatile("1: auipc %0, 1\n\tla %1, 1b" : "=r"(v), "=r"(pc_la));
	CHECK_EQ("auipc adds imm<<12", v, pc_la + 0x1000);
}

/* Each branch is tested both ways: r = 1 when taken. */
#define BRANCH(insn, a, b)                                                                         \
	({                                                                                         \
		u64 r_;                                                                            \
		__asm__ volatile("li %0, 1\n\t" insn " %1, %2, 1f\n\tli %0, 0\n1:"                 \
				 : "=&r"(r_)                                                       \
				 : "r"((u64)(a)), "r"((u64)(b)));                                  \
		r_;                                                                                \
	})

static void test_branches(void)
{
	CHECK_EQ("beq taken", BRANCH("beq", 7, 7), 1);
	CHECK_EQ("beq not taken", BRANCH("beq", 7, 8), 0);
	CHECK_EQ("bne taken", BRANCH("bne", 7, 8), 1);
	CHECK_EQ("bne not taken", BRANCH("bne", 7, 7), 0);
	CHECK_EQ("blt signed taken", BRANCH("blt", -1UL, 0), 1);
	CHECK_EQ("blt signed not taken", BRANCH("blt", 0, -1UL), 0);
	CHECK_EQ("blt equal", BRANCH("blt", 4, 4), 0);
	CHECK_EQ("bge equal", BRANCH("bge", 4, 4), 1);
	CHECK_EQ("bge signed", BRANCH("bge", MIN64, MAX64), 0);
	CHECK_EQ("bltu unsigned", BRANCH("bltu", 0, -1UL), 1);
	CHECK_EQ("bltu unsigned not", BRANCH("bltu", -1UL, 0), 0);
	CHECK_EQ("bgeu unsigned", BRANCH("bgeu", -1UL, 0), 1);
	CHECK_EQ("bgeu equal", BRANCH("bgeu", 9, 9), 1);
	CHECK_EQ("bgeu not", BRANCH("bgeu", 0, 1), 0);
}

static void test_jumps(void)
{
	u64 link, expected, result;
	__asm__ volatile("jal %0, 1f\n2:\tnop\n1:\tla %1, 2b" : "=&r"(link), "=r"(expected));
	CHECK_EQ("jal link is pc+4", link, expected);
	/* jalr clears bit 0 of the target and links the next pc. */
	__asm__ volatile("la t0, 1f\n\t"
			 "addi t0, t0, 1\n\t"
			 "li %0, 0\n\t"
			 "jalr %1, 0(t0)\n\t"
			 "2: li %0, 99\n\t"
			 "1: addi %0, %0, 1\n\t"
			 "la %2, 2b"
			 : "=&r"(result), "=&r"(link), "=&r"(expected)
			 :
			 : "t0");
	CHECK_EQ("jalr clears bit 0", result, 1);
	CHECK_EQ("jalr link", link, expected);
	/* rd == rs1: the target is computed before the link is written. */
	__asm__ volatile("la %0, 1f\n\tjalr %0, 0(%0)\n\t2: j 3f\n1: la %1, 2b\n3:"
			 : "=&r"(link), "=&r"(expected));
	CHECK_EQ("jalr rd == rs1", link, expected);
}

static void test_x0(void)
{
	u64 v;
	__asm__ volatile("addi x0, x0, 5\n\tmv %0, x0" : "=r"(v));
	CHECK_EQ("x0 stays zero", v, 0);
}

static volatile u64 memory_cell;

static void test_loads(void)
{
	volatile u64 *p = &memory_cell;
	*p = 0x8182838485868788UL;
	u64 a = (u64)p;
	u64 v;
	__asm__ volatile("lb %0, 0(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lb sign-extends", v, 0xffffffffffffff88UL);
	__asm__ volatile("lbu %0, 0(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lbu zero-extends", v, 0x88);
	__asm__ volatile("lb %0, 7(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lb offset 7", v, 0xffffffffffffff81UL);
	__asm__ volatile("lh %0, 2(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lh sign-extends", v, 0xffffffffffff8586UL);
	__asm__ volatile("lhu %0, 2(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lhu zero-extends", v, 0x8586);
	__asm__ volatile("lw %0, 4(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lw sign-extends", v, 0xffffffff81828384UL);
	__asm__ volatile("lwu %0, 4(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lwu zero-extends", v, 0x81828384UL);
	__asm__ volatile("ld %0, 0(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("ld", v, 0x8182838485868788UL);
	__asm__ volatile("lw %0, -4(%1)" : "=r"(v) : "r"(a + 8));
	CHECK_EQ("lw negative offset", v, 0xffffffff81828384UL);
	*p = 0x7f7f7f7f7f7f7f7fUL;
	__asm__ volatile("lb %0, 0(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lb positive", v, 0x7f);
	__asm__ volatile("lw %0, 0(%1)" : "=r"(v) : "r"(a));
	CHECK_EQ("lw positive", v, 0x7f7f7f7f);
}

static void test_stores(void)
{
	volatile u64 *p = &memory_cell;
	u64 a = (u64)p;
	*p = 0;
	__asm__ volatile("sb %0, 1(%1)" ::"r"(0x1234UL), "r"(a) : "memory");
	CHECK_EQ("sb stores one byte", *p, 0x3400);
	__asm__ volatile("sh %0, 2(%1)" ::"r"(0xabcdef01UL), "r"(a) : "memory");
	CHECK_EQ("sh stores two bytes", *p, 0xef013400UL);
	__asm__ volatile("sw %0, 4(%1)" ::"r"(0x1122334455667788UL), "r"(a) : "memory");
	CHECK_EQ("sw stores four bytes", *p, 0x55667788ef013400UL);
	__asm__ volatile("sd %0, 0(%1)" ::"r"(0x0102030405060708UL), "r"(a) : "memory");
	CHECK_EQ("sd", *p, 0x0102030405060708UL);
	CHECK_EQ("little-endian byte 0", *(volatile u8 *)a, 0x08);
}

/* Self-modifying code: patch the immediate of an addi, fence.i, run it. */
static u32 patchable_code[2] __attribute__((aligned(8)));

static void test_fence_i(void)
{
	const u32 addi_a0_1 = 0x00100513; /* addi a0, zero, 1 */
	const u32 addi_a0_2 = 0x00200513; /* addi a0, zero, 2 */
	const u32 ret = 0x00008067;
	u64 (*fn)(void) = (u64(*)(void))(u64)patchable_code;

	patchable_code[0] = addi_a0_1;
	patchable_code[1] = ret;
	__asm__ volatile("fence.i" ::: "memory");
	CHECK_EQ("run generated code", fn(), 1);
	patchable_code[0] = addi_a0_2;
	__asm__ volatile("fence.i" ::: "memory");
	CHECK_EQ("fence.i makes the patch visible", fn(), 2);
	__asm__ volatile("fence rw, rw\n\tfence\n\tfence.tso" ::: "memory");
	CHECK("fence variants execute", 1);
}

void test_main(void)
{
	test_register_arithmetic();
	test_immediate_arithmetic();
	test_shifts();
	test_word_ops();
	test_upper_immediates();
	test_branches();
	test_jumps();
	test_x0();
	test_loads();
	test_stores();
	test_fence_i();
}
