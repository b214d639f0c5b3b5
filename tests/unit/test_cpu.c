/* Unit tests for src/vm/cpu: integer ISA, compressed decoding, traps,
 * interrupts and CSRs. The MMU/atomics and FP groups live in
 * test_cpu_mmu.c and test_cpu_fp.c. */
#include "test_cpu_harness.h"

#include <stdlib.h>
#include <string.h>

int run_cpu_mmu_tests(void);
int run_cpu_fp_tests(void);

/* trap vector used by most programs: stop in WFI so the test can look */
#define TRAP_STOP                                                                                  \
	"	la t6, trap\n"                                                                           \
	"	csrw mtvec, t6\n"
#define TRAP_LABEL "	.balign 4\ntrap: csrw mie, zero\n	wfi\n"

static void alu_basic_ops(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, "li a0, -5\n"
		    "li a1, 3\n"
		    "add a2, a0, a1\n"	/* -2 */
		    "sub a3, a1, a0\n"	/* 8 */
		    "slt a4, a0, a1\n"	/* 1 */
		    "sltu a5, a0, a1\n" /* 0 */
		    "srai a6, a0, 1\n"	/* -3 */
		    "srli a7, a0, 60\n" /* 15 */
		    "lui s2, 0x80000\n" /* sign-extended */
		    "addiw s3, a0, 0\n" /* -5 */
		    "li s4, 0x7fffffff\n"
		    "addiw s4, s4, 1\n" /* wraps to INT32_MIN, sign-extended */
		    "sllw s5, a1, a1\n" /* 24 */
		    "li s6, 0x80000000\n"
		    "sraiw s7, s6, 4\n" /* 0xfffffffff8000000 */
		    "srliw s8, s6, 4\n" /* 0x08000000 */
		    "auipc s9, 0\n"
		    "addi x0, x0, 5\n" /* x0 stays zero */
		    "add s10, x0, x0\n"
		    "wfi\n");
	cpu_run(f);
	assert_int_equal(cpu_x(f, 12), (uint64_t)-2);
	assert_int_equal(cpu_x(f, 13), 8);
	assert_int_equal(cpu_x(f, 14), 1);
	assert_int_equal(cpu_x(f, 15), 0);
	assert_int_equal(cpu_x(f, 16), (uint64_t)-3);
	assert_int_equal(cpu_x(f, 17), 15);
	assert_int_equal(cpu_x(f, 18), 0xffffffff80000000ull);
	assert_int_equal(cpu_x(f, 19), (uint64_t)-5);
	assert_int_equal(cpu_x(f, 20), 0xffffffff80000000ull);
	assert_int_equal(cpu_x(f, 21), 24);
	assert_int_equal(cpu_x(f, 23), 0xfffffffff8000000ull);
	assert_int_equal(cpu_x(f, 24), 0x08000000ull);
	assert_true(cpu_x(f, 25) >= TEST_RAM_BASE && cpu_x(f, 25) < TEST_RAM_BASE + 0x100);
	assert_int_equal(cpu_x(f, 0), 0);
	assert_int_equal(cpu_x(f, 26), 0);
}

static void muldiv_edge_cases(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, "li a0, 7\n"
		    "li a1, 0\n"
		    "div a2, a0, a1\n"	/* -1 */
		    "divu a3, a0, a1\n" /* all ones */
		    "rem a4, a0, a1\n"	/* 7 */
		    "remu a5, a0, a1\n" /* 7 */
		    "li t0, 1\n"
		    "slli t0, t0, 63\n" /* INT64_MIN */
		    "li t1, -1\n"
		    "div a6, t0, t1\n"	  /* INT64_MIN */
		    "rem a7, t0, t1\n"	  /* 0 */
		    "mulh s2, t0, t1\n"	  /* high of 2^63: 0 */
		    "mulhu s3, t1, t1\n"  /* 0xff..fe */
		    "mulhsu s4, t1, t1\n" /* -1 * (2^64-1) high = -1 */
		    "li t2, 0x80000000\n"
		    "divw s5, t2, t1\n"	 /* INT32_MIN sign-extended */
		    "remw s6, t2, t1\n"	 /* 0 */
		    "divuw s7, a0, a1\n" /* all ones */
		    "remuw s8, t2, a1\n" /* sext(0x80000000) */
		    "li t3, -7\n"
		    "li t4, 2\n"
		    "div s9, t3, t4\n"	 /* -3 (towards zero) */
		    "rem s10, t3, t4\n"	 /* -1 */
		    "mulw s11, t2, t4\n" /* 0 */
		    "wfi\n");
	cpu_run(f);
	assert_int_equal(cpu_x(f, 12), UINT64_MAX);
	assert_int_equal(cpu_x(f, 13), UINT64_MAX);
	assert_int_equal(cpu_x(f, 14), 7);
	assert_int_equal(cpu_x(f, 15), 7);
	assert_int_equal(cpu_x(f, 16), 1ull << 63);
	assert_int_equal(cpu_x(f, 17), 0);
	assert_int_equal(cpu_x(f, 18), 0);
	assert_int_equal(cpu_x(f, 19), UINT64_MAX - 1);
	assert_int_equal(cpu_x(f, 20), UINT64_MAX);
	assert_int_equal(cpu_x(f, 21), 0xffffffff80000000ull);
	assert_int_equal(cpu_x(f, 22), 0);
	assert_int_equal(cpu_x(f, 23), UINT64_MAX);
	assert_int_equal(cpu_x(f, 24), 0xffffffff80000000ull);
	assert_int_equal(cpu_x(f, 25), (uint64_t)-3);
	assert_int_equal(cpu_x(f, 26), (uint64_t)-1);
	assert_int_equal(cpu_x(f, 27), 0);
}

/* a loop with loads, stores, calls and branches */
static const char *loop_program = "	la s0, buf\n"
				  "	li s1, 100\n"
				  "	li s2, 0\n"
				  "1:	sw s1, 0(s0)\n"
				  "	lw t0, 0(s0)\n"
				  "	add s2, s2, t0\n"
				  "	call twice\n"
				  "	addi s1, s1, -1\n"
				  "	bnez s1, 1b\n"
				  "	lbu s3, 0(s0)\n"
				  "	lh s4, 2(s0)\n"
				  "	li t0, -2\n"
				  "	sh t0, 4(s0)\n"
				  "	lhu s5, 4(s0)\n"
				  "	lh s6, 4(s0)\n"
				  "	ld s7, 0(s0)\n"
				  "	wfi\n"
				  "twice:	slli a0, s2, 1\n"
				  "	mv s8, a0\n"
				  "	ret\n"
				  "	.balign 8\n"
				  "buf:	.dword 0, 0\n";

static void check_loop_results(struct cpu_fixture *f)
{
	assert_int_equal(cpu_x(f, 18), 5050);
	assert_int_equal(cpu_x(f, 19), 1);
	assert_int_equal(cpu_x(f, 20), 0);
	assert_int_equal(cpu_x(f, 21), 0xfffe);
	assert_int_equal(cpu_x(f, 22), (uint64_t)-2);
	assert_int_equal(cpu_x(f, 23), 0x0000fffe00000001ull);
	assert_int_equal(cpu_x(f, 24), 10100);
}

/* the same program with and without the C extension gives the same state */
static void compressed_matches_uncompressed(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, loop_program);
	cpu_run(f);
	check_loop_results(f);
	uint64_t with_c[32];
	for (int i = 1; i < 32; i++)
		with_c[i] = cpu_x(f, i);

	cpu_load_norvc(f, loop_program);
	cpu_run(f);
	check_loop_results(f);
	for (int i = 1; i < 32; i++)
		if (i != 1 && i != 8 && i != 5) /* ra, s0, t0 hold addresses */
			assert_int_equal(cpu_x(f, i), with_c[i]);
}

/* decoder: compressed encodings against their expansions */
static void compressed_decode_table(void **state)
{
	static const struct {
		uint16_t c;
		uint32_t full;
	} cases[] = {
	    {0x0040, 0x00410413}, /* c.addi4spn s0, sp, 4 -> addi s0, sp, 4 */
	    {0x6108, 0x00053503}, /* c.ld a0, 0(a0) -> ld a0, 0(a0) */
	    {0x7139, 0xfc010113}, /* c.addi16sp sp, -64 */
	    {0x6505, 0x00001537}, /* c.lui a0, 1 */
	    {0x8d09, 0x40a50533}, /* c.sub a0, a0, a0 */
	    {0x9d29, 0x00a5053b}, /* c.addw a0, a0, a0 */
	    {0x8082, 0x00008067}, /* c.ret -> jalr x0, 0(ra) */
	    {0x9002, 0x00100073}, /* c.ebreak */
	    {0xe406, 0x00113423}, /* c.sdsp ra, 8(sp) */
	    {0x60a2, 0x00813083}, /* c.ldsp ra, 8(sp) */
	    {0x8905, 0x00157513}, /* c.andi a0, 1 */
	    {0x8105, 0x00155513}, /* c.srli a0, 1 */
	    {0x8505, 0x40155513}, /* c.srai a0, 1 */
	    {0x0506, 0x00151513}, /* c.slli a0, 1 */
	    {0x2505, 0x0015051b}, /* c.addiw a0, 1 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct insn c, full;
		cpu_decode(cases[i].c, &c);
		cpu_decode(cases[i].full, &full);
		assert_int_equal(c.len, 2);
		assert_int_not_equal(c.op, OP_illegal);
		assert_int_equal(c.op, full.op);
		assert_int_equal(c.rd, full.rd);
		assert_int_equal(c.rs1, full.rs1);
		assert_int_equal(c.rs2, full.rs2);
		assert_int_equal(c.imm, full.imm);
	}
	struct insn in;
	cpu_decode(0x0000, &in); /* all zeros is illegal */
	assert_int_equal(in.op, OP_illegal);
	cpu_decode(0x6101 & ~0x107c, &in); /* c.addi16sp with imm 0: reserved */
	assert_int_equal(in.op, OP_illegal);
	(void)state;
}

static void illegal_instruction_traps_with_bits(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load_norvc(f, TRAP_STOP "	.word 0xffffffff\n"
				    "	wfi\n" TRAP_LABEL);
	cpu_run(f);
	struct hart_state *s = &f->hart->s;
	assert_int_equal(s->mcause, EXC_ILLEGAL);
	assert_int_equal(s->mtval, 0xffffffff);
	assert_int_equal(s->mepc, TEST_RAM_BASE + 12);
}

static void csr_access_from_s_mode_is_checked(void **state)
{
	struct cpu_fixture *f = *state;
	/* drop to S-mode, then touch an M-mode CSR */
	cpu_load(f, TRAP_STOP "	la t0, smode\n"
			      "	csrw mepc, t0\n"
			      "	li t0, 1 << 11\n" /* MPP = S */
			      "	csrw mstatus, t0\n"
			      "	mret\n"
			      "smode:	csrr a0, sstatus\n"
			      "	csrr a1, mstatus\n"
			      "	wfi\n" TRAP_LABEL);
	cpu_run(f);
	struct hart_state *s = &f->hart->s;
	assert_int_equal(s->mcause, EXC_ILLEGAL);
	assert_int_equal(s->mtval, 0x300025f3); /* csrr a1, mstatus */
	assert_int_equal((s->mstatus >> 11) & 3, PRIV_S);
	assert_int_equal(s->priv, PRIV_M);
}

/* ecall from U goes to S when delegated, sret returns to U */
static void ecall_delegation_and_sret(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, TRAP_STOP "	la t0, strap\n"
			      "	csrw stvec, t0\n"
			      "	li t0, 1 << 8\n" /* delegate ecall from U */
			      "	csrw medeleg, t0\n"
			      "	la t0, umode\n"
			      "	csrw mepc, t0\n"
			      "	csrw mstatus, zero\n" /* MPP = U */
			      "	mret\n"
			      "umode:	li a0, 42\n"
			      "	ecall\n"
			      "	li a1, 7\n"
			      "	ecall\n" /* second ecall: S sends it to M */
			      "	.balign 4\n"
			      "strap:	csrr s1, scause\n"
			      "	csrr s2, sepc\n"
			      "	csrr s3, sstatus\n"
			      "	addi s2, s2, 4\n"
			      "	csrw sepc, s2\n"
			      "	bnez a1, 1f\n"
			      "	sret\n"
			      "1:	ecall\n" TRAP_LABEL);
	cpu_run(f);
	struct hart_state *s = &f->hart->s;
	assert_int_equal(cpu_x(f, 9), EXC_ECALL_U);
	assert_int_equal(cpu_x(f, 19) & MSTATUS_SPP, 0); /* came from U */
	assert_int_equal(cpu_x(f, 11), 7);		 /* returned to U once */
	assert_int_equal(s->mcause, EXC_ECALL_S);
	assert_int_equal(s->priv, PRIV_M);
}

static void interrupt_priority_and_enable(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load_norvc(f, TRAP_STOP "	li t0, 0xaaa\n"	    /* 12: lui + addi */
				    "	csrw mie, t0\n"	    /* 20 */
				    "	wfi\n"		    /* 24: stops, nothing pending */
				    "	csrsi mstatus, 8\n" /* 28: MIE on */
				    "	nop\n"		    /* 32 */
				    "	wfi\n" TRAP_LABEL);
	cpu_run(f);
	struct hart *h = f->hart;
	assert_int_equal(h->s.pc, TEST_RAM_BASE + 28);
	/* pending while MIE is off: WFI wakes up; the trap comes with MIE */
	hart_set_irq(h, MIP_MTIP | MIP_MSIP | MIP_SEIP, true);
	cpu_run(f);
	/* MSI outranks MTI and SEI */
	assert_int_equal(h->s.mcause, CAUSE_INTERRUPT | 3);
	assert_int_equal(h->s.mepc, TEST_RAM_BASE + 32);
	assert_int_equal(h->s.mstatus & MSTATUS_MIE, 0);
	assert_true(h->s.mstatus & MSTATUS_MPIE);
	assert_int_equal((h->s.mstatus >> 11) & 3, PRIV_M);
}

static void delegated_interrupt_not_taken_in_m(void **state)
{
	struct cpu_fixture *f = *state;
	struct hart *h = f->hart;
	cpu_load(f, TRAP_STOP "	la t0, strap\n"
			      "	csrw stvec, t0\n"
			      "	li t0, 1 << 5\n"
			      "	csrw mideleg, t0\n"
			      "	csrw mie, t0\n"
			      "	csrsi mstatus, 8\n"
			      "	wfi\n" /* M-mode: delegated STI never traps here */
			      "	la t0, smode\n"
			      "	csrw mepc, t0\n"
			      "	li t0, 1 << 11\n"
			      "	csrw mstatus, t0\n" /* SIE = 0: S still takes it? no */
			      "	mret\n"
			      "smode:	nop\n"
			      "	csrsi sstatus, 2\n" /* SIE on: taken now */
			      "	nop\n"
			      "	.balign 4\n"
			      "strap:	csrr a0, scause\n"
			      "	csrw sie, zero\n"
			      "	wfi\n" TRAP_LABEL);
	hart_set_irq(h, MIP_STIP, true);
	cpu_run(f);
	/* WFI in M with STIP pending and enabled in mie does not stop */
	assert_int_equal(h->s.priv, PRIV_S);
	assert_int_equal(cpu_x(f, 10), CAUSE_INTERRUPT | 5);
	assert_int_equal(h->s.mcause, 0);
}

static void vectored_mtvec(void **state)
{
	struct cpu_fixture *f = *state;
	struct hart *h = f->hart;
	cpu_load(f, "	la t0, vec\n"
		    "	ori t0, t0, 1\n"
		    "	csrw mtvec, t0\n"
		    "	li t0, 1 << 7\n"
		    "	csrw mie, t0\n"
		    "	csrsi mstatus, 8\n"
		    "1:	j 1b\n"
		    "	.balign 64\n"
		    "vec:	.rept 7\n"
		    "	.option push\n.option norvc\n"
		    "	j other\n"
		    "	.option pop\n"
		    "	.endr\n"
		    "	li a0, 7\n" /* entry 7: machine timer */
		    "	csrw mie, zero\n"
		    "	wfi\n"
		    "other:	li a0, 1\n"
		    "	csrw mie, zero\n"
		    "	wfi\n");
	hart_run(h, 1000);
	hart_set_irq(h, MIP_MTIP, true);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 7);
}

static void counters_and_mcounteren(void **state)
{
	struct cpu_fixture *f = *state;
	f->time = 12345;
	cpu_load_norvc(f, TRAP_STOP "	rdtime a0\n"
				    "	rdinstret a1\n"
				    "	nop\n"
				    "	rdinstret a2\n"
				    "	la t0, smode\n"
				    "	csrw mepc, t0\n"
				    "	li t0, 1 << 11\n"
				    "	csrw mstatus, t0\n"
				    "	csrw mcounteren, zero\n"
				    "	mret\n"
				    "smode:	rdtime a3\n"
				    "	wfi\n" TRAP_LABEL);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 12345);
	assert_int_equal(cpu_x(f, 12) - cpu_x(f, 11), 2);
	assert_int_equal(f->hart->s.mcause, EXC_ILLEGAL);
}

static void sstc_raises_stip(void **state)
{
	struct cpu_fixture *f = *state;
	struct hart *h = f->hart;
	f->time = 100;
	cpu_load(f, "	li t0, 1 << 63\n"
		    "	csrw menvcfg, t0\n"
		    "	li t0, 150\n"
		    "	csrw stimecmp, t0\n"
		    "	csrr a0, mip\n"
		    "	wfi\n");
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10) & MIP_STIP, 0);
	assert_int_equal(hart_next_timer(h), 150);
	f->time = 150;
	h->s.mie = MIP_STIP;
	hart_run(h, 1);
	assert_true(h->s.mip & MIP_STIP);
}

static void builtin_firmware_ecall(void **state);

/* the architectural state can be saved and put back (snapshot/restore) */
static void arch_state_save_and_restore(void **state)
{
	struct cpu_fixture *f = *state;
	struct hart *h = f->hart;
	struct hart_state *s = hart_arch_state(h);
	cpu_load(f, "	li a0, 0\n"
		    "1:	addi a0, a0, 1\n"
		    "	wfi\n"
		    "	j 1b\n");
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 1);
	struct hart_state saved = *s;
	for (int i = 0; i < 2; i++) {
		s->wfi = false; /* as if an interrupt had woken it */
		cpu_run(f);
	}
	assert_int_equal(cpu_x(f, 10), 3);
	*s = saved;
	hart_state_changed(h);
	assert_int_equal(cpu_x(f, 10), 1);
	assert_true(hart_is_waiting(h));
	s->wfi = false;
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 2);
	assert_int_equal(hart_get_pc(h), saved.pc); /* round the loop to the same wfi */
}

/* the decoded-page cache is bounded and gives its memory back */
static void icache_is_bounded(void **state)
{
	struct vm_bus bus = {.ram_base = TEST_RAM_BASE,
			     .ram_size = (ICACHE_MAX_PAGES + 1ull) << 12};
	bus.ram = calloc(1, bus.ram_size);
	assert_non_null(bus.ram);
	struct icache c = {0};
	assert_int_equal(icache_init(&c, &bus), 0);
	for (uint64_t i = 0; i < ICACHE_MAX_PAGES; i++)
		assert_non_null(icache_page(&c, &bus, TEST_RAM_BASE + (i << 12)));
	assert_null(icache_page(&c, &bus, TEST_RAM_BASE + ((uint64_t)ICACHE_MAX_PAGES << 12)));
	assert_true(c.full);
	/* pages already decoded stay available until the reclaim */
	assert_non_null(icache_page(&c, &bus, TEST_RAM_BASE));
	assert_true(icache_reclaim(&c));
	assert_int_equal(c.allocated, 0);
	assert_false(icache_reclaim(&c));
	assert_non_null(icache_page(&c, &bus, TEST_RAM_BASE + ((uint64_t)ICACHE_MAX_PAGES << 12)));
	assert_null(icache_page(&c, &bus, TEST_RAM_BASE - 4096)); /* not RAM */
	icache_free(&c);
	free(bus.ram);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(alu_basic_ops, cpu_fixture_setup, cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(muldiv_edge_cases, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(compressed_matches_uncompressed, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test(compressed_decode_table),
	    cmocka_unit_test_setup_teardown(illegal_instruction_traps_with_bits, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(csr_access_from_s_mode_is_checked, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(ecall_delegation_and_sret, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(interrupt_priority_and_enable, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(delegated_interrupt_not_taken_in_m, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(vectored_mtvec, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(counters_and_mcounteren, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(sstc_raises_stip, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(builtin_firmware_ecall, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(arch_state_save_and_restore, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test(icache_is_bounded),
	};
	int failed = cmocka_run_group_tests_name("cpu", tests, NULL, NULL);
	failed += run_cpu_mmu_tests();
	failed += run_cpu_fp_tests();
	return failed ? 1 : 0;
}

static bool fake_sbi(void *opaque, struct hart *h)
{
	hart_set_reg(h, 10, hart_get_reg(h, 17) + 1000);
	return true;
}

/* with a built-in firmware, ECALL from S is an SBI call and pc moves on */
static void builtin_firmware_ecall(void **state)
{
	struct cpu_fixture *f = *state;
	struct hart *h = f->hart;
	h->env.sbi_call = fake_sbi;
	cpu_load(f, "	li a7, 5\n"
		    "	ecall\n"
		    "	mv a1, a0\n"
		    "	wfi\n");
	hart_reset(h, TEST_RAM_BASE, PRIV_S);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 11), 1005);
	assert_true(h->s.medeleg & (1u << EXC_LOAD_PAGE));
	assert_true(h->s.mideleg & MIP_STIP);
}
