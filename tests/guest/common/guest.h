/* Bare-metal test library for keel-vm's ISA tests.
 *
 * Every test program runs from reset in M-mode on a QEMU-virt-like board
 * with no firmware. It defines test_name and test_main(); test_main()
 * performs checks with the CHECK_* macros. Each failing check prints one
 * line on the UART naming the check; at the end the program prints
 * "PASS <name>" or "FAIL <name> ..." and powers the machine off through the
 * sifive test device (exit status 0 on pass, 1 on failure).
 *
 * Traps: every trap lands in an M-mode handler (common/trap.c). A test that
 * expects an exception arms it with trap_expect(); the handler records
 * cause, tval and epc and resumes after the faulting instruction (or at
 * trap_resume_pc when set). An unexpected trap fails the test at once.
 * run_in_mode() calls a function in U- or S-mode and returns its result.
 */
#ifndef KEEL_GUEST_H
#define KEEL_GUEST_H

#include <stdint.h>

typedef uint64_t u64;
typedef int64_t s64;
typedef uint32_t u32;
typedef uint16_t u16;
typedef uint8_t u8;
typedef int32_t s32;

/* Board (QEMU virt layout). */
#define UART0_BASE	     0x10000000UL
#define TEST_DEVICE_BASE     0x100000UL
#define CLINT_BASE	     0x2000000UL
#define CLINT_MSIP(hart)     (CLINT_BASE + 4 * (hart))
#define CLINT_MTIMECMP(hart) (CLINT_BASE + 0x4000 + 8 * (hart))
#define CLINT_MTIME	     (CLINT_BASE + 0xbff8)

/* Privilege modes as encoded in mstatus.MPP. */
#define MODE_U 0
#define MODE_S 1
#define MODE_M 3

/* mstatus / sstatus bits. */
#define MSTATUS_SIE	  (1UL << 1)
#define MSTATUS_MIE	  (1UL << 3)
#define MSTATUS_SPIE	  (1UL << 5)
#define MSTATUS_MPIE	  (1UL << 7)
#define MSTATUS_SPP	  (1UL << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP	  (3UL << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS	  (3UL << 13)
#define MSTATUS_MPRV	  (1UL << 17)
#define MSTATUS_SUM	  (1UL << 18)
#define MSTATUS_MXR	  (1UL << 19)

/* Exception causes. */
#define CAUSE_MISALIGNED_FETCH	  0
#define CAUSE_FETCH_ACCESS	  1
#define CAUSE_ILLEGAL_INSTRUCTION 2
#define CAUSE_BREAKPOINT	  3
#define CAUSE_MISALIGNED_LOAD	  4
#define CAUSE_LOAD_ACCESS	  5
#define CAUSE_MISALIGNED_STORE	  6
#define CAUSE_STORE_ACCESS	  7
#define CAUSE_USER_ECALL	  8
#define CAUSE_SUPERVISOR_ECALL	  9
#define CAUSE_MACHINE_ECALL	  11
#define CAUSE_FETCH_PAGE_FAULT	  12
#define CAUSE_LOAD_PAGE_FAULT	  13
#define CAUSE_STORE_PAGE_FAULT	  15

/* Interrupts: mcause has the top bit set; these are the low bits and the
 * bit positions in mip/mie. */
#define CAUSE_INTERRUPT (1UL << 63)
#define IRQ_S_SOFT	1
#define IRQ_M_SOFT	3
#define IRQ_S_TIMER	5
#define IRQ_M_TIMER	7
#define IRQ_S_EXT	9
#define IRQ_M_EXT	11

#define STR_(x) #x
#define STR(x)	STR_(x)
#define csr_read(csr)                                                                              \
	({                                                                                         \
		u64 v_;                                                                            \
		__asm__ volatile("csrr %0, " STR(csr) : "=r"(v_)::"memory");                       \
		v_;                                                                                \
	})
#define csr_write(csr, val) __asm__ volatile("csrw " STR(csr) ", %0" ::"r"((u64)(val)) : "memory")
#define csr_set(csr, val)   __asm__ volatile("csrs " STR(csr) ", %0" ::"r"((u64)(val)) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " STR(csr) ", %0" ::"r"((u64)(val)) : "memory")

static inline void mmio_write32(u64 addr, u32 v)
{
	*(volatile u32 *)addr = v;
}
static inline u32 mmio_read32(u64 addr)
{
	return *(volatile u32 *)addr;
}
static inline void mmio_write64(u64 addr, u64 v)
{
	*(volatile u64 *)addr = v;
}
static inline u64 mmio_read64(u64 addr)
{
	return *(volatile u64 *)addr;
}

/* Defined by each test program. */
extern const char test_name[];
void test_main(void);

/* Console. */
void uart_putc(char c);
void uart_puts(const char *s);
void uart_puthex(u64 v);
void uart_putdec(u64 v);

/* Checks. A failing check prints "FAIL <test>: <what>: got X, expected Y". */
void check_eq(const char *what, u64 got, u64 expected, int line);
void check_true(const char *what, int ok, int line);
#define CHECK_EQ(what, got, expected) check_eq((what), (u64)(got), (u64)(expected), __LINE__)
#define CHECK(what, cond)	      check_true((what), !!(cond), __LINE__)
extern int checks_failed;
extern int checks_run;

/* Ends the program now: prints the verdict and powers off. */
__attribute__((noreturn)) void test_finish(void);
__attribute__((noreturn)) void power_off(u32 value);

/* Traps. */
struct trap_record {
	u64 cause;
	u64 tval;
	u64 epc;
	u64 mode; /* privilege mode the trap came from (mstatus.MPP) */
	u64 count;
};
extern volatile struct trap_record last_trap;
extern volatile u64 trap_resume_pc; /* 0: resume after the faulting instruction */
void trap_expect(void);
/* Checks that exactly one exception with this cause (and tval, unless
 * tval is TVAL_ANY) was taken since trap_expect(). */
#define TVAL_ANY (~0UL)
void check_trap(const char *what, u64 cause, u64 tval, int line);
#define CHECK_TRAP(what, cause, tval) check_trap((what), (cause), (tval), __LINE__)
/* Checks that no exception was taken since trap_expect(). */
#define CHECK_NO_TRAP(what) CHECK_EQ((what), last_trap.count, 0)

/* Called by the M-mode handler for every interrupt; the default one fails
 * the test. Tests that take interrupts override it and must quiet the
 * source before returning. */
void on_interrupt(u64 cause);

/* Calls fn(arg) in mode (MODE_U or MODE_S) and returns its result. The
 * function returns to M-mode through an ecall the handler recognises. */
u64 run_in_mode(u64 mode, u64 (*fn)(u64), u64 arg);
extern u64 lower_mode_sp; /* stack for the lower mode; 0: the caller's */

/* S-mode trap handling, for delegation tests: traps delegated by medeleg
 * or mideleg land in an S-mode handler that records them in
 * last_strap and resumes after the instruction (exceptions) or at sepc
 * (interrupts), calling on_s_interrupt() for interrupts. */
extern volatile struct trap_record last_strap;
void s_trap_expect(void);
void on_s_interrupt(u64 cause);
void install_s_trap_handler(void);
void check_strap(const char *what, u64 cause, u64 tval, int line);
#define CHECK_STRAP(what, cause, tval) check_strap((what), (cause), (tval), __LINE__)

/* Harts other than 0 wait in WFI until hart 0 sets hart_release and
 * writes their msip; they then run secondary_main(hartid) (default: park). */
extern volatile u64 hart_release;
void secondary_main(u64 hartid);

/* Instruction length at pc (2 for compressed, 4 otherwise). */
int insn_length(u64 pc);

#endif
