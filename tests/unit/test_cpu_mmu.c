/* CPU suite: Sv39/Sv48 translation, A/D updates, page faults, atomics. */
#include "test_cpu_harness.h"

#include <string.h>

#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)

#define PT_POOL	  (TEST_RAM_BASE + 0x200000)
#define DATA_PAGE (TEST_RAM_BASE + 0x300000)
#define LOG_ADDR  (TEST_RAM_BASE + 0x380000)

struct page_tables {
	struct cpu_fixture *f;
	uint64_t next;
	int levels;
	uint64_t root;
};

static uint64_t pt_alloc(struct page_tables *p)
{
	uint64_t a = p->next;
	p->next += 4096;
	memset(cpu_ram64(p->f, a), 0, 4096);
	return a;
}

static uint64_t *pt_slot(struct page_tables *p, uint64_t table, uint64_t va, int level)
{
	return cpu_ram64(p->f, table + 8 * ((va >> (12 + 9 * level)) & 0x1ff));
}

/* returns the address of the leaf PTE */
static uint64_t *pt_map(struct page_tables *p, uint64_t va, uint64_t pa, uint64_t flags,
			int leaf_level)
{
	uint64_t table = p->root;
	for (int level = p->levels - 1; level > leaf_level; level--) {
		uint64_t *e = pt_slot(p, table, va, level);
		if (!(*e & PTE_V))
			*e = (pt_alloc(p) >> 12) << 10 | PTE_V;
		table = (*e >> 10) << 12;
	}
	uint64_t *leaf = pt_slot(p, table, va, leaf_level);
	*leaf = (pa >> 12) << 10 | flags;
	return leaf;
}

/* M-mode enters S with paging on; the M trap handler logs (mcause, mtval)
 * pairs at LOG_ADDR and skips the faulting instruction (a fetch fault
 * resumes at "done"). */
static const char *paging_program = "	.option norvc\n"
				    "	la t0, trap\n"
				    "	csrw mtvec, t0\n"
				    "	li s11, 0\n"
				    "	csrw satp, a0\n" /* a0 = satp, set by the test */
				    "	sfence.vma\n"
				    "	la t0, smode\n"
				    "	csrw mepc, t0\n"
				    "	li t0, 1 << 11\n"
				    "	csrw mstatus, t0\n"
				    "	mret\n"
				    "smode:	li s0, 0x40000000\n"
				    "	ld a1, 0(s0)\n" /* ok, sets A */
				    "	sd a1, 8(s0)\n" /* ok, sets D */
				    "	li s1, 0x40001000\n"
				    "	ld a2, 0(s1)\n" /* read-only page: load ok */
				    "	sd a2, 0(s1)\n" /* store: fault 15 */
				    "	li t0, 0x40003000\n"
				    "	ld t1, 0(t0)\n" /* invalid: fault 13 */
				    "	li t0, 0x40002000\n"
				    "	ld t1, 0(t0)\n" /* user page, SUM=0: fault 13 */
				    "	li t0, 1 << 18\n"
				    "	csrs sstatus, t0\n"
				    "	li t0, 0x40002000\n"
				    "	ld a3, 0(t0)\n" /* with SUM: ok */
				    "	li t0, 0x40200000\n"
				    "	ld t1, 0(t0)\n" /* misaligned superpage: fault 13 */
				    "	li t0, 0x4000000000\n"
				    "	ld t1, 0(t0)\n" /* Sv39: not canonical; Sv48: unmapped */
				    "	li t0, 0x40000000\n"
				    "	jr t0\n" /* not executable: fault 12 */
				    "done:	wfi\n"
				    "trap:	li t3, 0x80380000\n"
				    "	add t3, t3, s11\n"
				    "	csrr t4, mcause\n"
				    "	sd t4, 0(t3)\n"
				    "	csrr t4, mtval\n"
				    "	sd t4, 8(t3)\n"
				    "	addi s11, s11, 16\n"
				    "	csrr t4, mcause\n"
				    "	li t5, 12\n"
				    "	beq t4, t5, 1f\n"
				    "	csrr t4, mepc\n"
				    "	addi t4, t4, 4\n"
				    "	csrw mepc, t4\n"
				    "	mret\n"
				    "1:	la t4, done\n"
				    "	csrw mepc, t4\n"
				    "	mret\n";

static void run_paging(struct cpu_fixture *f, int levels)
{
	struct page_tables pt = {.f = f, .next = PT_POOL, .levels = levels};
	pt.root = pt_alloc(&pt);
	/* code and everything else: identity, one 1 GiB page */
	pt_map(&pt, TEST_RAM_BASE, TEST_RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D, 2);
	uint64_t *data = pt_map(&pt, 0x40000000, DATA_PAGE, PTE_V | PTE_R | PTE_W, 0);
	pt_map(&pt, 0x40001000, DATA_PAGE + 0x1000, PTE_V | PTE_R | PTE_A, 0);
	pt_map(&pt, 0x40002000, DATA_PAGE + 0x2000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D,
	       0);
	pt_map(&pt, 0x40200000, DATA_PAGE + 0x1000, PTE_V | PTE_R | PTE_A, 1); /* misaligned */
	*cpu_ram64(f, DATA_PAGE) = 0x1122334455667788ull;
	*cpu_ram64(f, DATA_PAGE + 0x1000) = 77;
	*cpu_ram64(f, DATA_PAGE + 0x2000) = 99;

	cpu_load(f, paging_program);
	hart_set_reg(f->hart, 10, (uint64_t)(levels == 3 ? 8 : 9) << 60 | pt.root >> 12);
	cpu_run(f);

	assert_int_equal(hart_get_priv(f->hart), PRIV_S);
	assert_int_equal(cpu_x(f, 11), 0x1122334455667788ull);
	assert_int_equal(*cpu_ram64(f, DATA_PAGE + 8), 0x1122334455667788ull);
	assert_int_equal(cpu_x(f, 12), 77);
	assert_int_equal(cpu_x(f, 13), 99);
	assert_int_equal(*data & (PTE_A | PTE_D), PTE_A | PTE_D);
	static const uint64_t expect[][2] = {
	    {EXC_STORE_PAGE, 0x40001000},  {EXC_LOAD_PAGE, 0x40003000},
	    {EXC_LOAD_PAGE, 0x40002000},   {EXC_LOAD_PAGE, 0x40200000},
	    {EXC_LOAD_PAGE, 0x4000000000}, {EXC_INSN_PAGE, 0x40000000},
	};
	assert_int_equal(cpu_x(f, 27), sizeof(expect));
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		assert_int_equal(*cpu_ram64(f, LOG_ADDR + 16 * i), expect[i][0]);
		assert_int_equal(*cpu_ram64(f, LOG_ADDR + 16 * i + 8), expect[i][1]);
	}
}

static void sv39_translation_and_faults(void **state)
{
	run_paging(*state, 3);
}

static void sv48_translation_and_faults(void **state)
{
	run_paging(*state, 4);
}

/* M-mode loads with MPRV use the S translation */
static void mprv_translates_m_mode_loads(void **state)
{
	struct cpu_fixture *f = *state;
	struct page_tables pt = {.f = f, .next = PT_POOL, .levels = 3};
	pt.root = pt_alloc(&pt);
	uint64_t *leaf = pt_map(&pt, 0x40000000, DATA_PAGE, PTE_V | PTE_R | PTE_W, 0);
	*cpu_ram64(f, DATA_PAGE) = 4242;
	cpu_load(f, "	csrw satp, a0\n"
		    "	li t0, (1 << 17) | (1 << 11)\n" /* MPRV, MPP = S */
		    "	csrs mstatus, t0\n"
		    "	li t0, 0x40000000\n"
		    "	ld a1, 0(t0)\n"
		    "	li t0, 1 << 17\n"
		    "	csrc mstatus, t0\n"
		    "	wfi\n");
	hart_set_reg(f->hart, 10, 8ull << 60 | pt.root >> 12);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 11), 4242);
	assert_true(*leaf & PTE_A);
	assert_false(*leaf & PTE_D);
}

/* a PTE changed by the guest is seen after sfence.vma (whole space or
 * the one address) and after a satp write: no stale TLB entry survives */
static void sfence_and_satp_drop_translations(void **state)
{
	struct cpu_fixture *f = *state;
	struct page_tables pt = {.f = f, .next = PT_POOL, .levels = 3};
	pt.root = pt_alloc(&pt);
	pt_map(&pt, TEST_RAM_BASE, TEST_RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D, 2);
	uint64_t *leaf =
	    pt_map(&pt, 0x40000000, DATA_PAGE, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D, 0);
	*cpu_ram64(f, DATA_PAGE) = 1;
	*cpu_ram64(f, DATA_PAGE + 0x1000) = 2;
	*cpu_ram64(f, DATA_PAGE + 0x2000) = 3;
	*cpu_ram64(f, DATA_PAGE + 0x3000) = 4;
	cpu_load(f, "	.option norvc\n"
		    "	csrw satp, a0\n"
		    "	sfence.vma\n"
		    "	la t0, smode\n"
		    "	csrw mepc, t0\n"
		    "	li t0, 1 << 11\n"
		    "	csrw mstatus, t0\n"
		    "	mret\n"
		    "smode:	li s0, 0x40000000\n"
		    "	ld a1, 0(s0)\n" /* 1, now cached */
		    "	sd a2, 0(a3)\n" /* leaf -> DATA_PAGE + 0x1000 */
		    "	sfence.vma\n"
		    "	ld a4, 0(s0)\n" /* 2 */
		    "	sd a5, 0(a3)\n" /* leaf -> DATA_PAGE + 0x2000 */
		    "	sfence.vma s0, zero\n"
		    "	ld a6, 0(s0)\n" /* 3 */
		    "	sd a7, 0(a3)\n" /* leaf -> DATA_PAGE + 0x3000 */
		    "	csrw satp, a0\n"
		    "	ld s1, 0(s0)\n" /* 4 */
		    "	wfi\n");
	uint64_t flags = PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
	hart_set_reg(f->hart, 10, 8ull << 60 | pt.root >> 12);
	hart_set_reg(f->hart, 12, ((DATA_PAGE + 0x1000) >> 12) << 10 | flags);
	hart_set_reg(f->hart, 15, ((DATA_PAGE + 0x2000) >> 12) << 10 | flags);
	hart_set_reg(f->hart, 17, ((DATA_PAGE + 0x3000) >> 12) << 10 | flags);
	/* a3: the leaf PTE's physical address, reached through the identity map */
	hart_set_reg(f->hart, 13, TEST_RAM_BASE + (uint64_t)((uint8_t *)leaf - f->bus.ram));
	cpu_run(f);
	assert_int_equal(cpu_x(f, 11), 1);
	assert_int_equal(cpu_x(f, 14), 2);
	assert_int_equal(cpu_x(f, 16), 3);
	assert_int_equal(cpu_x(f, 9), 4);
}

static void atomics(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, "	la t0, trap\n"
		    "	csrw mtvec, t0\n"
		    "	la s0, data\n"
		    "	li t0, 5\n"
		    "	amoadd.w a0, t0, (s0)\n" /* a0 = 10, mem 15 */
		    "	li t1, -3\n"
		    "	amomax.w a1, t1, (s0)\n"   /* a1 = 15, mem 15 */
		    "	amominu.w a2, t1, (s0)\n"  /* a2 = 15, mem 15 */
		    "	amomin.w zero, t1, (s0)\n" /* mem -3 */
		    "	lw a3, 0(s0)\n"
		    "	addi s1, s0, 8\n"
		    "	lr.d a4, (s1)\n"
		    "	sc.d a5, t0, (s1)\n" /* succeeds: 0 */
		    "	sc.d a6, t1, (s1)\n" /* no reservation: 1 */
		    "	ld a7, 0(s1)\n"	     /* 5 */
		    "	li t2, 0x80000000\n"
		    "	amoswap.w s2, t2, (s0)\n"
		    "	lr.w s3, (s0)\n" /* sign-extended */
		    "	amoor.d s4, t0, (s1)\n"
		    "	amoxor.d s5, t0, (s1)\n"
		    "	ld s6, 0(s1)\n" /* 0 */
		    "	addi s7, s0, 2\n"
		    "	amoadd.w s8, t0, (s7)\n" /* misaligned: fault 6 */
		    "	wfi\n"
		    "	.balign 4\n"
		    "trap:	wfi\n"
		    "	.balign 8\n"
		    "data:	.word 10, 0\n"
		    "	.dword 1234\n");
	cpu_run(f);
	struct hart_state *s = &f->hart->s;
	assert_int_equal(cpu_x(f, 10), 10);
	assert_int_equal(cpu_x(f, 11), 15);
	assert_int_equal(cpu_x(f, 12), 15);
	assert_int_equal(cpu_x(f, 13), (uint64_t)-3);
	assert_int_equal(cpu_x(f, 14), 1234);
	assert_int_equal(cpu_x(f, 15), 0);
	assert_int_equal(cpu_x(f, 16), 1);
	assert_int_equal(cpu_x(f, 17), 5);
	assert_int_equal(cpu_x(f, 18), (uint64_t)-3);
	assert_int_equal(cpu_x(f, 19), 0xffffffff80000000ull);
	assert_int_equal(cpu_x(f, 20), 5);
	assert_int_equal(cpu_x(f, 21), 5);
	assert_int_equal(cpu_x(f, 22), 0);
	assert_int_equal(s->mcause, EXC_STORE_MISALIGNED);
	assert_int_equal(s->mtval, cpu_x(f, 23));
}

/* misaligned loads and stores are emulated, also across a page boundary */
static void misaligned_access_is_emulated(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, "	li s0, 0x80100ffd\n"
		    "	li t0, 0x0102030405060708\n"
		    "	sd t0, 0(s0)\n"
		    "	ld a0, 0(s0)\n"
		    "	lw a1, 1(s0)\n"
		    "	lhu a2, 2(s0)\n"
		    "	wfi\n");
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 0x0102030405060708ull);
	assert_int_equal(cpu_x(f, 11), 0x04050607);
	assert_int_equal(cpu_x(f, 12), 0x0506);
}

/* code written to memory runs after fence.i */
static void fence_i_sees_new_code(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, "	.option norvc\n"
		    "	li a0, 0\n"
		    "	la s0, patch\n"
		    "	jal ra, patch\n"     /* decodes "li a0, 1" */
		    "	li t0, 0x00200513\n" /* li a0, 2 */
		    "	sw t0, 0(s0)\n"
		    "	fence.i\n"
		    "	jal ra, patch\n"
		    "	wfi\n"
		    "patch:	li a0, 1\n"
		    "	ret\n");
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 2);
}

/* stores into decoded code are seen even without fence.i, also for the
 * very next instruction; a page written over and over (demoted) still
 * follows fence.i */
static void stores_invalidate_decoded_code(void **state)
{
	struct cpu_fixture *f = *state;
	cpu_load(f, "	.option norvc\n"
		    "	la s0, patch\n"
		    "	jal ra, patch\n"     /* decodes "li a0, 1" */
		    "	li t0, 0x00200513\n" /* li a0, 2 */
		    "	sw t0, 0(s0)\n"
		    "	jal ra, patch\n" /* no fence.i */
		    "	mv s1, a0\n"
		    "	la s2, next\n"
		    "	li t0, 0x00300593\n" /* li a1, 3 */
		    "	sw t0, 0(s2)\n"
		    "next:	li a1, 9\n" /* replaced by the store just before */
		    "	li t1, 2000\n"	    /* demote the page: many stores */
		    "	la s3, scratch\n"
		    "1:	sw t1, 0(s3)\n"
		    "	addi t1, t1, -1\n"
		    "	bnez t1, 1b\n"
		    "	li t0, 0x00400513\n" /* li a0, 4 */
		    "	sw t0, 0(s0)\n"
		    "	fence.i\n"
		    "	jal ra, patch\n"
		    "	wfi\n"
		    "patch:	li a0, 1\n"
		    "	ret\n"
		    "scratch: .word 0\n");
	cpu_run(f);
	assert_int_equal(cpu_x(f, 9), 2);
	assert_int_equal(cpu_x(f, 11), 3);
	assert_int_equal(cpu_x(f, 10), 4);
}

/* a 4-byte instruction across a page boundary whose second page is not
 * mapped: instruction page fault, epc at the instruction, tval at the
 * second half (what Linux needs to fault the right page in) */
static void page_crossing_fetch_fault(void **state)
{
	struct cpu_fixture *f = *state;
	struct page_tables pt = {.f = f, .next = PT_POOL, .levels = 3};
	pt.root = pt_alloc(&pt);
	pt_map(&pt, TEST_RAM_BASE, TEST_RAM_BASE, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D, 2);
	/* VA 0x40000000 -> DATA_PAGE, executable; 0x40001000 unmapped */
	pt_map(&pt, 0x40000000, DATA_PAGE, PTE_V | PTE_R | PTE_X | PTE_A, 0);
	uint8_t *page = f->bus.ram + (DATA_PAGE - TEST_RAM_BASE);
	page[0xffe] = 0x13; /* low half of "addi x0, x0, 0" (0x00000013) */
	page[0xfff] = 0x00;
	cpu_load(f, "	.option norvc\n"
		    "	la t0, trap\n"
		    "	csrw mtvec, t0\n"
		    "	csrw satp, a0\n"
		    "	sfence.vma\n"
		    "	csrw mepc, a1\n"
		    "	li t0, 1 << 11\n"
		    "	csrw mstatus, t0\n"
		    "	mret\n"
		    "	.balign 4\n"
		    "trap:	wfi\n");
	hart_set_reg(f->hart, 10, 8ull << 60 | pt.root >> 12);
	hart_set_reg(f->hart, 11, 0x40000ffe);
	cpu_run(f);
	assert_int_equal(f->hart->s.mcause, EXC_INSN_PAGE);
	assert_int_equal(f->hart->s.mepc, 0x40000ffe);
	assert_int_equal(f->hart->s.mtval, 0x40001000);
}

static uint64_t rom_read(void *opaque, uint64_t offset, unsigned size)
{
	uint64_t v = 0;
	memcpy(&v, (const uint8_t *)opaque + offset, size);
	return v;
}

/* code in an MMIO region (a boot ROM) runs, decoded on every fetch */
static void executes_from_mmio_rom(void **state)
{
	struct cpu_fixture *f = *state;
	static const uint32_t rom[] = {
	    0x02a00513, /* li a0, 42 */
	    0x00150593, /* addi a1, a0, 1 */
	    0x10500073, /* wfi */
	};
	struct vm_mmio_region region = {.name = "rom",
					.base = 0x1000,
					.size = sizeof(rom),
					.read = rom_read,
					.opaque = (void *)rom};
	assert_int_equal(vm_bus_add_mmio(&f->bus, &region), 0);
	hart_reset(f->hart, 0x1000, PRIV_M);
	cpu_run(f);
	assert_int_equal(cpu_x(f, 10), 42);
	assert_int_equal(cpu_x(f, 11), 43);
	assert_int_equal(hart_get_pc(f->hart), 0x100c);
}

int run_cpu_mmu_tests(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(sv39_translation_and_faults, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(sv48_translation_and_faults, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(mprv_translates_m_mode_loads, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(sfence_and_satp_drop_translations, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(atomics, cpu_fixture_setup, cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(misaligned_access_is_emulated, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(stores_invalidate_decoded_code, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(page_crossing_fetch_fault, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(executes_from_mmio_rom, cpu_fixture_setup,
					    cpu_fixture_teardown),
	    cmocka_unit_test_setup_teardown(fence_i_sees_new_code, cpu_fixture_setup,
					    cpu_fixture_teardown),
	};
	return cmocka_run_group_tests_name("cpu-mmu", tests, NULL, NULL);
}
