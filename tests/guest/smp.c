/* Two harts (keel-vm --cpus 2, QEMU -smp 2): wake-up by IPI through the
 * CLINT msip registers in both directions, atomic increments from both
 * harts at once (AMO), and an LR/SC spinlock guarding a plain increment:
 * the totals are exact only if AMOs are atomic and a reservation is lost
 * when the other hart writes the reserved address. */
#include "guest.h"

const char test_name[] = "smp";

#define ROUNDS	      20000
#define LOCKED_ROUNDS 5000
/* Waits are bounded by mtime (10 MHz): a timeout, never a threshold. */
#define WAIT_TICKS (10000000UL * 60)

static volatile u64 hart1_started, hart1_id;
static volatile u64 go_amo, go_lock;
static volatile u64 hart1_done_amo, hart1_done_lock;
static volatile u32 amo_counter;
static volatile u64 spinlock, locked_counter;

static int wait_for(volatile u64 *flag)
{
	u64 deadline = mmio_read64(CLINT_MTIME) + WAIT_TICKS;
	while (!*flag)
		if (mmio_read64(CLINT_MTIME) > deadline)
			return 0;
	return 1;
}

static void amo_increments(void)
{
	for (int i = 0; i < ROUNDS; i++)
		__asm__ volatile("amoadd.w zero, %0, (%1)" ::"r"(1UL), "r"(&amo_counter)
				 : "memory");
}

static void lock_acquire(void)
{
	u64 tmp;
	__asm__ volatile("1: lr.d.aq %0, (%1)\n\t"
			 "bnez %0, 1b\n\t"
			 "sc.d %0, %2, (%1)\n\t"
			 "bnez %0, 1b"
			 : "=&r"(tmp)
			 : "r"(&spinlock), "r"(1UL)
			 : "memory");
}

static void lock_release(void)
{
	__asm__ volatile("amoswap.d.rl zero, zero, (%0)" ::"r"(&spinlock) : "memory");
}

static void locked_increments(void)
{
	for (int i = 0; i < LOCKED_ROUNDS; i++) {
		lock_acquire();
		locked_counter = locked_counter + 1; /* not atomic: the lock makes it so */
		lock_release();
	}
}

void secondary_main(u64 hartid)
{
	if (hartid != 1)
		return;
	hart1_id = csr_read(mhartid);
	__asm__ volatile("fence w, w" ::: "memory");
	hart1_started = 1;
	wait_for(&go_amo);
	amo_increments();
	hart1_done_amo = 1;
	wait_for(&go_lock);
	locked_increments();
	hart1_done_lock = 1;
	/* IPI back to hart 0. */
	mmio_write32(CLINT_MSIP(0), 1);
}

static void test_start_hart1(void)
{
	hart_release = 1;
	__asm__ volatile("fence w, w" ::: "memory");
	mmio_write32(CLINT_MSIP(1), 1);
	if (!wait_for(&hart1_started)) {
		CHECK("hart 1 woke on its msip (needs 2 harts: --cpus 2 / -smp 2)", 0);
		test_finish();
	}
	CHECK_EQ("mhartid on hart 1", hart1_id, 1);
	CHECK_EQ("hart 1 cleared its msip", mmio_read32(CLINT_MSIP(1)), 0);
}

static void test_concurrent_amo(void)
{
	go_amo = 1;
	amo_increments();
	CHECK("hart 1 finished its AMOs", wait_for(&hart1_done_amo));
	CHECK_EQ("amoadd.w from two harts", amo_counter, 2 * ROUNDS);
}

static void test_lr_sc_lock(void)
{
	go_lock = 1;
	locked_increments();
	CHECK("hart 1 finished its locked increments", wait_for(&hart1_done_lock));
	CHECK_EQ("LR/SC spinlock from two harts", locked_counter, 2 * LOCKED_ROUNDS);
	CHECK_EQ("lock free at the end", spinlock, 0);
}

static void test_ipi_to_hart0(void)
{
	u64 deadline = mmio_read64(CLINT_MTIME) + WAIT_TICKS;
	csr_write(mie, 1UL << IRQ_M_SOFT); /* wakes WFI; MIE=0: no trap */
	while (!(csr_read(mip) & (1UL << IRQ_M_SOFT)) && mmio_read64(CLINT_MTIME) < deadline)
		__asm__ volatile("wfi");
	CHECK("IPI from hart 1 raised MSIP on hart 0", csr_read(mip) & (1UL << IRQ_M_SOFT));
	mmio_write32(CLINT_MSIP(0), 0);
	CHECK("clearing msip lowers MSIP", !(csr_read(mip) & (1UL << IRQ_M_SOFT)));
	csr_write(mie, 0);
}

void test_main(void)
{
	test_start_hart1();
	test_concurrent_amo();
	test_lr_sc_lock();
	test_ipi_to_hart0();
}
