/* Paging, built as sv39 (PAGING_LEVELS=3) and sv48 (PAGING_LEVELS=4).
 *
 * The test builds its own tables: the board's devices and RAM identity-
 * mapped for S-mode with megapages, the 2 MiB user region as one user
 * megapage, and test mappings at low virtual addresses. S- and U-mode
 * code then checks translation (4K pages, megapages, gigapages), the
 * U/S/R/W/X permissions with SUM and MXR, page faults with the right
 * cause and tval (taken in M, then delegated to S), hardware A/D
 * updates, sfence.vma after a remap, MPRV, and satp's WARL mode field. */
#include "guest.h"

#ifndef PAGING_LEVELS
#define PAGING_LEVELS 3
#endif
#if PAGING_LEVELS == 3
const char test_name[] = "sv39";
#define SATP_MODE 8UL
#else
const char test_name[] = "sv48";
#define SATP_MODE 9UL
#endif

#define PAGE_SIZE 4096UL
#define MEGAPAGE  (1UL << 21)
#define GIGAPAGE  (1UL << 30)

#define PTE_V	(1UL << 0)
#define PTE_R	(1UL << 1)
#define PTE_W	(1UL << 2)
#define PTE_X	(1UL << 3)
#define PTE_U	(1UL << 4)
#define PTE_A	(1UL << 6)
#define PTE_D	(1UL << 7)
#define PTE_RW	(PTE_R | PTE_W)
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
#define PTE_AD	(PTE_A | PTE_D)

/* Test virtual addresses, away from the identity-mapped devices and RAM. */
#define VA_PAGE(n)	       (0x30000000UL + (n)*PAGE_SIZE)
#define VA_MEGAPAGE	       0x34000000UL
#define VA_MISALIGNED_MEGAPAGE 0x34200000UL
#define VA_GIGAPAGE	       0xc0000000UL
#define VA_ABOVE_SV39	       0x8000000000UL /* bit 39 set: only valid in Sv48 */

extern char __user_start[], __user_stack_top[];

static u64 page_tables[24][512] __attribute__((aligned(4096)));
static int tables_used;
static u8 test_pages[8][4096] __attribute__((aligned(4096)));
static volatile u64 probe __attribute__((aligned(64)));

static u64 *new_table(void)
{
	u64 *t = page_tables[tables_used++];
	for (int i = 0; i < 512; i++)
		t[i] = 0;
	return t;
}

static u64 *root_table;

static unsigned vpn(u64 va, int level)
{
	return (va >> (12 + 9 * level)) & 0x1ff;
}

/* The PTE slot for va at `level` (0 = 4K leaf), creating tables above. */
static u64 *pte_slot(u64 va, int level)
{
	u64 *table = root_table;
	for (int l = PAGING_LEVELS - 1; l > level; l--) {
		u64 *pte = &table[vpn(va, l)];
		if (!(*pte & PTE_V))
			*pte = (((u64)new_table() >> 12) << 10) | PTE_V;
		table = (u64 *)((*pte >> 10) << 12);
	}
	return &table[vpn(va, level)];
}

static void map(u64 va, u64 pa, int level, u64 flags)
{
	*pte_slot(va, level) = ((pa >> 12) << 10) | flags | PTE_V;
}

static void sfence_all(void)
{
	__asm__ volatile("sfence.vma" ::: "memory");
}

static void build_tables(void)
{
	tables_used = 0;
	root_table = new_table();
	u64 user_mega = (u64)__user_start & ~(MEGAPAGE - 1);
	/* Devices: test device (0x100000), CLINT, UART. */
	map(0x0, 0x0, 1, PTE_RW | PTE_AD);
	map(CLINT_BASE, CLINT_BASE, 1, PTE_RW | PTE_AD);
	map(UART0_BASE, UART0_BASE, 1, PTE_RW | PTE_AD);
	/* RAM: 32 MiB identity for S; the user region for U. */
	for (u64 pa = 0x80000000UL; pa < 0x82000000UL; pa += MEGAPAGE)
		map(pa, pa, 1, PTE_RWX | PTE_AD | (pa == user_mega ? PTE_U : 0));
	sfence_all();
}

static void paging_on(void)
{
	csr_write(satp, (SATP_MODE << 60) | ((u64)root_table >> 12));
	sfence_all();
}

static void paging_off(void)
{
	csr_write(satp, 0);
	sfence_all();
}

/* Lower-mode accessors; a fault is recorded and the access skipped. */
static u64 s_load(u64 va)
{
	return *(volatile u64 *)va;
}
static u64 s_store(u64 va)
{
	*(volatile u64 *)va = 0x5105;
	return 0;
}
static u64 s_fetch(u64 va)
{
	u64 result;
	__asm__ volatile("la t0, 1f\n\t"
			 "la t1, trap_resume_pc\n\t"
			 "sd t0, 0(t1)\n\t"
			 "li a0, 0\n\t"
			 "jalr %1\n"
			 "1:\tmv %0, a0"
			 : "=r"(result)
			 : "r"(va)
			 : "t0", "t1", "a0", "ra", "memory");
	return result;
}
__attribute__((section(".user.text"))) static u64 u_load(u64 va)
{
	return *(volatile u64 *)va;
}

static void test_satp(void)
{
	csr_write(satp, 0);
	csr_write(satp, (1UL << 60) | 0x1234); /* mode 1 is reserved */
	CHECK_EQ("satp ignores a write with an unsupported mode", csr_read(satp), 0);
	csr_write(satp, (SATP_MODE << 60) | ((u64)root_table >> 12));
	CHECK_EQ("satp accepts the mode", csr_read(satp) >> 60, SATP_MODE);
	paging_off();
}

static void test_translation(void)
{
	probe = 0x1122334455667788UL;
	u64 probe_pa = (u64)&probe;
	map(VA_PAGE(0), (u64)test_pages[0], 0, PTE_RW | PTE_AD);
	map(VA_MEGAPAGE, 0x80000000UL, 1, PTE_RW | PTE_AD);
	map(VA_GIGAPAGE, 0x80000000UL, 2, PTE_RW | PTE_AD);
	*(volatile u64 *)(test_pages[0] + 8) = 0xfeedface;
	paging_on();
	trap_expect();
	CHECK_EQ("4K page", run_in_mode(MODE_S, s_load, VA_PAGE(0) + 8), 0xfeedface);
	CHECK_EQ("S identity megapage", run_in_mode(MODE_S, s_load, probe_pa), probe);
	CHECK_EQ("megapage", run_in_mode(MODE_S, s_load, VA_MEGAPAGE + (probe_pa - 0x80000000UL)),
		 probe);
	CHECK_EQ("gigapage", run_in_mode(MODE_S, s_load, VA_GIGAPAGE + (probe_pa - 0x80000000UL)),
		 probe);
	run_in_mode(MODE_S, s_store, VA_PAGE(0) + 16);
	CHECK_NO_TRAP("no faults while translating");
	CHECK_EQ("store through a 4K page lands in its frame",
		 *(volatile u64 *)(test_pages[0] + 16), 0x5105);

	/* A megapage whose frame is not 2 MiB aligned is a misaligned
	 * superpage: page fault. */
	map(VA_MISALIGNED_MEGAPAGE, 0x80001000UL, 1, PTE_RW | PTE_AD);
	sfence_all();
	trap_expect();
	run_in_mode(MODE_S, s_load, VA_MISALIGNED_MEGAPAGE + 8);
	CHECK_TRAP("misaligned superpage", CAUSE_LOAD_PAGE_FAULT, VA_MISALIGNED_MEGAPAGE + 8);

#if PAGING_LEVELS == 3
	trap_expect();
	run_in_mode(MODE_S, s_load, VA_ABOVE_SV39);
	CHECK_TRAP("non-canonical address under Sv39", CAUSE_LOAD_PAGE_FAULT, VA_ABOVE_SV39);
#else
	map(VA_ABOVE_SV39, (u64)test_pages[0], 0, PTE_RW | PTE_AD);
	sfence_all();
	trap_expect();
	CHECK_EQ("address above 2^39 under Sv48", run_in_mode(MODE_S, s_load, VA_ABOVE_SV39 + 8),
		 0xfeedface);
	CHECK_NO_TRAP("no fault above 2^39 under Sv48");
	trap_expect();
	run_in_mode(MODE_S, s_load, 1UL << 47);
	CHECK_TRAP("non-canonical address under Sv48", CAUSE_LOAD_PAGE_FAULT, 1UL << 47);
#endif
	paging_off();
}

static void test_permissions(void)
{
	u64 user_data = (u64)test_pages[1];
	*(volatile u64 *)(user_data + 8) = 0xabcd;
	map(VA_PAGE(1), user_data, 0, PTE_RW | PTE_U | PTE_AD); /* user data */
	map(VA_PAGE(2), (u64)test_pages[2], 0, PTE_R | PTE_AD); /* read-only */
	map(VA_PAGE(3), (u64)test_pages[3], 0, PTE_X | PTE_AD); /* execute-only */
	map(VA_PAGE(4), (u64)test_pages[4], 0, PTE_W | PTE_AD); /* W without R: reserved */
	map(VA_PAGE(5), (u64)test_pages[5], 0, 0);		/* set below: invalid */
	*pte_slot(VA_PAGE(5), 0) = 0;
	map(VA_PAGE(6), (u64)test_pages[6], 0, PTE_RWX | PTE_U | PTE_AD); /* user code */
	*(volatile u32 *)test_pages[6] = 0x00008067;			  /* ret */
	*(volatile u32 *)test_pages[3] = 0x00008067;
	__asm__ volatile("fence.i");
	paging_on();

	trap_expect();
	run_in_mode(MODE_S, s_load, VA_PAGE(1) + 8);
	CHECK_TRAP("S load from a U page without SUM", CAUSE_LOAD_PAGE_FAULT, VA_PAGE(1) + 8);
	csr_set(mstatus, MSTATUS_SUM);
	trap_expect();
	CHECK_EQ("S load from a U page with SUM", run_in_mode(MODE_S, s_load, VA_PAGE(1) + 8),
		 0xabcd);
	CHECK_NO_TRAP("SUM allows the load");
	trap_expect();
	run_in_mode(MODE_S, s_fetch, VA_PAGE(6));
	CHECK_TRAP("S fetch from a U page, even with SUM", CAUSE_FETCH_PAGE_FAULT, VA_PAGE(6));
	csr_clear(mstatus, MSTATUS_SUM);

	lower_mode_sp = (u64)__user_stack_top;
	trap_expect();
	CHECK_EQ("U load from a U page", run_in_mode(MODE_U, u_load, VA_PAGE(1) + 8), 0xabcd);
	CHECK_NO_TRAP("U load allowed");
	trap_expect();
	run_in_mode(MODE_U, u_load, VA_PAGE(2));
	CHECK_TRAP("U load from an S page", CAUSE_LOAD_PAGE_FAULT, VA_PAGE(2));
	lower_mode_sp = 0;

	trap_expect();
	run_in_mode(MODE_S, s_store, VA_PAGE(2) + 24);
	CHECK_TRAP("store to a read-only page", CAUSE_STORE_PAGE_FAULT, VA_PAGE(2) + 24);
	trap_expect();
	run_in_mode(MODE_S, s_load, VA_PAGE(3));
	CHECK_TRAP("load from execute-only page without MXR", CAUSE_LOAD_PAGE_FAULT, VA_PAGE(3));
	csr_set(mstatus, MSTATUS_MXR);
	trap_expect();
	CHECK_EQ("load from execute-only page with MXR", run_in_mode(MODE_S, s_load, VA_PAGE(3)),
		 *(volatile u64 *)test_pages[3]);
	CHECK_NO_TRAP("MXR allows the load");
	csr_clear(mstatus, MSTATUS_MXR);
	trap_expect();
	run_in_mode(MODE_S, s_fetch, VA_PAGE(3));
	CHECK_NO_TRAP("fetch from execute-only page");
	trap_expect();
	run_in_mode(MODE_S, s_fetch, VA_PAGE(2));
	CHECK_TRAP("fetch from a non-executable page", CAUSE_FETCH_PAGE_FAULT, VA_PAGE(2));
	trap_expect();
	run_in_mode(MODE_S, s_load, VA_PAGE(4));
	CHECK_TRAP("W without R is reserved", CAUSE_LOAD_PAGE_FAULT, VA_PAGE(4));
	trap_expect();
	run_in_mode(MODE_S, s_store, VA_PAGE(5) + 0x123);
	CHECK_TRAP("invalid PTE, store", CAUSE_STORE_PAGE_FAULT, VA_PAGE(5) + 0x123);
	paging_off();
}

/* The same faults delegated to S: scause and stval. */
static void test_delegated_page_faults(void)
{
	install_s_trap_handler();
	csr_write(medeleg, (1UL << CAUSE_LOAD_PAGE_FAULT) | (1UL << CAUSE_STORE_PAGE_FAULT));
	paging_on();
	s_trap_expect();
	run_in_mode(MODE_S, s_store, VA_PAGE(2) + 40);
	CHECK_STRAP("delegated store page fault", CAUSE_STORE_PAGE_FAULT, VA_PAGE(2) + 40);
	s_trap_expect();
	run_in_mode(MODE_S, s_load, VA_PAGE(5) + 0x10);
	CHECK_STRAP("delegated load page fault", CAUSE_LOAD_PAGE_FAULT, VA_PAGE(5) + 0x10);
	csr_write(medeleg, 0);
	paging_off();
}

static void test_accessed_dirty(void)
{
	map(VA_PAGE(7), (u64)test_pages[7], 0, PTE_RW);
	u64 *pte = pte_slot(VA_PAGE(7), 0);
	paging_on();
	trap_expect();
	run_in_mode(MODE_S, s_load, VA_PAGE(7));
	CHECK("load sets A", *pte & PTE_A);
	CHECK("load leaves D clear", !(*pte & PTE_D));
	run_in_mode(MODE_S, s_store, VA_PAGE(7));
	CHECK("store sets D", *pte & PTE_D);
	CHECK_NO_TRAP("A/D are updated by hardware, without faults");
	paging_off();
}

static u64 remap_and_load(u64 unused)
{
	return s_load(VA_PAGE(0));
}

static void test_sfence_vma(void)
{
	*(volatile u64 *)test_pages[0] = 0xaaaa;
	*(volatile u64 *)test_pages[1] = 0xbbbb;
	map(VA_PAGE(0), (u64)test_pages[0], 0, PTE_RW | PTE_AD);
	paging_on();
	CHECK_EQ("before the remap", run_in_mode(MODE_S, remap_and_load, 0), 0xaaaa);
	map(VA_PAGE(0), (u64)test_pages[1], 0, PTE_RW | PTE_AD);
	__asm__ volatile("sfence.vma %0, zero" ::"r"(VA_PAGE(0)) : "memory");
	CHECK_EQ("after the remap and sfence.vma va", run_in_mode(MODE_S, remap_and_load, 0),
		 0xbbbb);
	map(VA_PAGE(0), (u64)test_pages[0], 0, PTE_RW | PTE_AD);
	sfence_all();
	CHECK_EQ("after sfence.vma of everything", run_in_mode(MODE_S, remap_and_load, 0), 0xaaaa);
	paging_off();
}

/* MPRV: M-mode loads and stores translate as in MPP's mode. */
static void test_mprv(void)
{
	*(volatile u64 *)test_pages[1] = 0x3141;
	map(VA_PAGE(0), (u64)test_pages[1], 0, PTE_RW | PTE_AD);
	paging_on();
	u64 v, status = csr_read(mstatus);
	csr_clear(mstatus, MSTATUS_MPP);
	csr_set(mstatus, (MODE_S << MSTATUS_MPP_SHIFT) | MSTATUS_MPRV);
	v = *(volatile u64 *)VA_PAGE(0);
	csr_write(mstatus, status);
	CHECK_EQ("M-mode load with MPRV and MPP=S translates", v, 0x3141);
	paging_off();
}

/* A 32-bit instruction whose halves are in two virtual pages mapped to
 * physical frames in the opposite order. */
static void test_instruction_spanning_pages(void)
{
	const u32 addi_a0_1000 = 0x3e850513; /* addi a0, a0, 1000 */
	volatile u16 *low_frame = (volatile u16 *)test_pages[3];
	volatile u16 *high_frame = (volatile u16 *)test_pages[2];
	high_frame[2047] = addi_a0_1000 & 0xffff; /* last 2 bytes of the frame */
	low_frame[0] = addi_a0_1000 >> 16;
	low_frame[1] = 0x8082; /* c.jr ra */
	__asm__ volatile("fence.i" ::: "memory");
	map(VA_PAGE(0), (u64)test_pages[2], 0, PTE_R | PTE_X | PTE_AD);
	map(VA_PAGE(1), (u64)test_pages[3], 0, PTE_R | PTE_X | PTE_AD);
	paging_on();
	trap_expect();
	u64 entry = VA_PAGE(0) + PAGE_SIZE - 2;
	u64 result = run_in_mode(MODE_S, s_fetch, entry);
	CHECK_NO_TRAP("no fault executing across the page boundary");
	CHECK_EQ("instruction spanning two pages", result, 1000);
	paging_off();
}

void test_main(void)
{
	build_tables();
	test_satp();
	test_translation();
	test_permissions();
	test_delegated_page_faults();
	test_accessed_dirty();
	test_sfence_vma();
	test_mprv();
	test_instruction_spanning_pages();
}
