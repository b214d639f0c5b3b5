/* M-mode and S-mode trap handlers of the bare-metal tests (entered from
 * crt.S with a frame holding every integer register, indexed by number). */
#include "guest.h"

#define KEEL_RETURN_MAGIC 0x4b45454c
#define REG_A0		  10
#define REG_A7		  17

volatile struct trap_record last_trap;
volatile struct trap_record last_strap;
volatile u64 trap_resume_pc;
static volatile int trap_armed;
static volatile int s_trap_armed;

extern char run_in_mode_return[];
extern char s_trap_entry[];
extern char __s_trap_stack_top[];

int insn_length(u64 pc)
{
	u16 low = *(volatile u16 *)pc;
	return (low & 3) == 3 ? 4 : 2;
}

static void clear_record(volatile struct trap_record *r)
{
	r->cause = r->tval = r->epc = r->mode = r->count = 0;
}

void trap_expect(void)
{
	clear_record(&last_trap);
	trap_resume_pc = 0;
	trap_armed = 1;
}

void s_trap_expect(void)
{
	clear_record(&last_strap);
	s_trap_armed = 1;
}

static void print_trap(const char *prefix, u64 cause, u64 epc, u64 tval)
{
	uart_puts(prefix);
	uart_puts(" cause=");
	uart_puthex(cause);
	uart_puts(" epc=");
	uart_puthex(epc);
	uart_puts(" tval=");
	uart_puthex(tval);
}

__attribute__((noreturn)) static void die_unexpected(const char *where, u64 cause, u64 epc,
						     u64 tval)
{
	uart_puts("FAIL ");
	uart_puts(test_name);
	uart_puts(": ");
	print_trap(where, cause, epc, tval);
	uart_puts("\n");
	power_off((2u << 16) | 0x3333);
}

__attribute__((weak)) void on_interrupt(u64 cause)
{
	die_unexpected("unexpected M-mode interrupt", cause | CAUSE_INTERRUPT, csr_read(mepc), 0);
}

__attribute__((weak)) void on_s_interrupt(u64 cause)
{
	die_unexpected("unexpected S-mode interrupt", cause | CAUSE_INTERRUPT, csr_read(sepc), 0);
}

static void record(volatile struct trap_record *r, u64 cause, u64 tval, u64 epc, u64 mode)
{
	r->cause = cause;
	r->tval = tval;
	r->epc = epc;
	r->mode = mode;
	r->count++;
}

/* The lower-mode function of run_in_mode() has returned: go back to the
 * M-mode caller with its result (already in a0). */
static void return_to_machine_mode(void)
{
	csr_set(mstatus, MSTATUS_MPP);
	csr_write(mepc, (u64)run_in_mode_return);
}

void m_trap_handler(u64 *regs)
{
	u64 cause = csr_read(mcause);
	u64 epc = csr_read(mepc);
	u64 tval = csr_read(mtval);
	u64 from = (csr_read(mstatus) & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;

	if (cause & CAUSE_INTERRUPT) {
		on_interrupt(cause & ~CAUSE_INTERRUPT);
		return;
	}
	if ((cause == CAUSE_USER_ECALL || cause == CAUSE_SUPERVISOR_ECALL) &&
	    regs[REG_A7] == KEEL_RETURN_MAGIC) {
		return_to_machine_mode();
		return;
	}
	if (!trap_armed)
		die_unexpected("unexpected trap", cause, epc, tval);
	record(&last_trap, cause, tval, epc, from);
	if (trap_resume_pc) {
		csr_write(mepc, trap_resume_pc);
		trap_resume_pc = 0;
	} else {
		csr_write(mepc, epc + (u64)insn_length(epc));
	}
}

/* A delegated U-mode ecall carrying the return magic: pass it on to M. */
__attribute__((noreturn)) static void forward_return_to_machine_mode(u64 result)
{
	csr_write(sscratch, (u64)__s_trap_stack_top);
	register u64 a0 __asm__("a0") = result;
	register u64 a7 __asm__("a7") = KEEL_RETURN_MAGIC;
	__asm__ volatile("ecall" ::"r"(a0), "r"(a7) : "memory");
	__builtin_unreachable();
}

void s_trap_handler(u64 *regs)
{
	u64 cause = csr_read(scause);
	u64 epc = csr_read(sepc);
	u64 tval = csr_read(stval);
	u64 from = (csr_read(sstatus) & MSTATUS_SPP) ? MODE_S : MODE_U;

	if (cause & CAUSE_INTERRUPT) {
		on_s_interrupt(cause & ~CAUSE_INTERRUPT);
		return;
	}
	if (cause == CAUSE_USER_ECALL && regs[REG_A7] == KEEL_RETURN_MAGIC)
		forward_return_to_machine_mode(regs[REG_A0]);
	if (!s_trap_armed)
		die_unexpected("unexpected S-mode trap", cause, epc, tval);
	record(&last_strap, cause, tval, epc, from);
	csr_write(sepc, epc + (u64)insn_length(epc));
}

void install_s_trap_handler(void)
{
	csr_write(stvec, (u64)s_trap_entry);
	csr_write(sscratch, (u64)__s_trap_stack_top);
}

static void check_record(const char *what, volatile struct trap_record *r, u64 cause, u64 tval,
			 int line)
{
	checks_run++;
	if (r->count == 1 && r->cause == cause && (tval == TVAL_ANY || r->tval == tval))
		return;
	checks_failed++;
	uart_puts("FAIL ");
	uart_puts(test_name);
	uart_puts(": ");
	uart_puts(what);
	uart_puts(" (line ");
	uart_putdec((u64)line);
	uart_puts("): ");
	uart_putdec(r->count);
	print_trap(" trap(s), last", r->cause, r->epc, r->tval);
	uart_puts("; expected one with cause=");
	uart_puthex(cause);
	if (tval != TVAL_ANY) {
		uart_puts(" tval=");
		uart_puthex(tval);
	}
	uart_puts("\n");
}

void check_trap(const char *what, u64 cause, u64 tval, int line)
{
	trap_armed = 0;
	check_record(what, &last_trap, cause, tval, line);
}

void check_strap(const char *what, u64 cause, u64 tval, int line)
{
	s_trap_armed = 0;
	check_record(what, &last_strap, cause, tval, line);
}
