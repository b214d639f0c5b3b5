/* Start-up, trap entry and mode switching for the bare-metal tests. */
#define KEEL_RETURN_MAGIC 0x4b45454c /* "KEEL" in a7: return to M-mode */
#define FRAME_SIZE (32 * 8)

	.section .text.init, "ax"
	.globl _start
_start:
	csrr t0, mhartid
	bnez t0, secondary_start
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la sp, __stack_top

	/* Open PMP for S and U (QEMU enforces an empty PMP as deny-all).
	 * A machine without PMP may trap on these writes: the temporary
	 * mtvec just continues after them. */
	la t0, 1f
	csrw mtvec, t0
	li t0, -1
	csrw pmpaddr0, t0
	li t0, 0x1f /* NAPOT, R W X */
	csrw pmpcfg0, t0
	.align 2
1:
	la t0, m_trap_entry
	csrw mtvec, t0
	la t0, __trap_stack_top
	csrw mscratch, t0
	csrw mie, zero
	csrw medeleg, zero
	csrw mideleg, zero
	csrw satp, zero

	/* FPU on, fcsr clear. */
	li t0, (1 << 13)
	csrs mstatus, t0
	csrw fcsr, zero

	la t0, __bss_start
	la t1, __bss_end
2:	bgeu t0, t1, 3f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 2b
3:
	call test_main
	call test_finish

/* Other harts wait (in WFI, woken by their msip) until hart 0 sets
 * hart_release, then run secondary_main(hartid) on a 4 KiB stack of their
 * own. A trap on them fails the test (status 3). */
secondary_start:
	.option push
	.option norelax
	la gp, __global_pointer$
	.option pop
	la sp, __secondary_stacks_top
	slli t1, t0, 12
	sub sp, sp, t1
	la t1, secondary_trap
	csrw mtvec, t1
	li t1, (1 << 13)
	csrs mstatus, t1
	li t1, (1 << 3) /* MSIE: msip wakes WFI (MIE stays 0: no trap) */
	csrw mie, t1
1:	la t1, hart_release
	ld t1, 0(t1)
	bnez t1, 2f
	wfi
	j 1b
2:	li t1, 0x2000000 /* CLINT msip of this hart */
	slli t2, t0, 2
	add t1, t1, t2
	sw zero, 0(t1)
	csrw mie, zero
	mv a0, t0
	call secondary_main
park_hart:
	wfi
	j park_hart

	.align 2
secondary_trap:
	li t0, 0x100000
	li t1, (3 << 16) | 0x3333
	sw t1, 0(t0)
	j secondary_trap

	.weak secondary_main
secondary_main:
	ret

/* M-mode trap entry: switch to the trap stack kept in mscratch, save every
 * integer register in a frame, call m_trap_handler(frame), restore. */
	.text
	.align 2
	.globl m_trap_entry
m_trap_entry:
	csrrw sp, mscratch, sp
	addi sp, sp, -FRAME_SIZE
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, (\n * 8)(sp)
	.endr
	csrr t0, mscratch
	sd t0, (2 * 8)(sp)
	mv a0, sp
	call m_trap_handler
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, (\n * 8)(sp)
	.endr
	addi sp, sp, FRAME_SIZE
	csrrw sp, mscratch, sp
	mret

/* S-mode trap entry, same shape with sscratch and sret. */
	.align 2
	.globl s_trap_entry
s_trap_entry:
	csrrw sp, sscratch, sp
	addi sp, sp, -FRAME_SIZE
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, (\n * 8)(sp)
	.endr
	csrr t0, sscratch
	sd t0, (2 * 8)(sp)
	mv a0, sp
	call s_trap_handler
	.irp n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, (\n * 8)(sp)
	.endr
	addi sp, sp, FRAME_SIZE
	csrrw sp, sscratch, sp
	sret

/* u64 run_in_mode(u64 mode, u64 (*fn)(u64), u64 arg)
 * Saves the M-mode callee-saved state, mrets into lower_mode_entry in
 * `mode` (on lower_mode_sp when set), which calls fn(arg) and ecalls with
 * the magic in a7; the M handler then resumes at run_in_mode_return with
 * fn's result in a0. */
	.globl run_in_mode
run_in_mode:
	la t0, m_saved_context
	sd ra, 0(t0)
	sd sp, 8(t0)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd s\n, (16 + \n * 8)(t0)
	.endr
	li t1, (3 << 11)
	csrc mstatus, t1
	slli t1, a0, 11
	csrs mstatus, t1
	/* U-mode runs the copy in the user region: under paging S-mode may
	 * not execute user pages, nor U-mode supervisor ones. */
	la t1, lower_mode_entry
	bnez a0, 2f
	la t1, user_mode_entry
2:	csrw mepc, t1
	la t1, lower_mode_sp
	ld t1, 0(t1)
	beqz t1, 1f
	mv sp, t1
1:	mv a0, a2
	mret

	.globl lower_mode_entry
lower_mode_entry:
	jalr a1
	li a7, KEEL_RETURN_MAGIC
	ecall
2:	j 2b

	.section .user.text, "ax"
	.globl user_mode_entry
user_mode_entry:
	jalr a1
	li a7, KEEL_RETURN_MAGIC
	ecall
2:	j 2b

	.text
	.globl run_in_mode_return
run_in_mode_return:
	la t0, m_saved_context
	ld ra, 0(t0)
	ld sp, 8(t0)
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld s\n, (16 + \n * 8)(t0)
	.endr
	ret

	.data
	.align 3
	.globl hart_release
hart_release: /* in .data: read by other harts before hart 0 clears .bss */
	.dword 0

	.bss
	.align 3
m_saved_context:
	.space 14 * 8
	.globl lower_mode_sp
lower_mode_sp:
	.space 8
