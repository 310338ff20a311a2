/*
 * thread_clone.S: the clone call that starts a thread, and the new thread's
 * first instructions. The child begins on the new stack with a copy of the
 * caller's registers, so entry and its argument travel on that stack (not in
 * registers a C caller may not preserve); the child calls entry(arg) and then
 * ends only itself with the exit syscall (93), not exit_group. The kernel
 * then clears the child-tid word and wakes its futex (CLONE_CHILD_CLEARTID).
 *
 * long thread_clone(unsigned long flags, void *stack_top, int *parent_tid,
 *                   void *tls, int *child_tid, void (*entry)(void *), void *arg)
 *
 * rv32 clone takes (flags, newsp, parent_tidptr, tls, child_tidptr): riscv
 * is a CLONE_BACKWARDS architecture. Returns the new thread's id or -errno.
 */
	.file	"thread_clone.S"
	.section .text.thread_clone, "ax", @progbits
	.globl	thread_clone
	.type	thread_clone, @function
thread_clone:
	andi	a1, a1, -16
	addi	a1, a1, -16
	sw	a5, 0(a1)
	sw	a6, 4(a1)
	li	a7, 220
	ecall
	beqz	a0, 1f
	ret
1:
	/* The new thread: sp is the new stack, tp its TLS block. */
	lw	t0, 0(sp)
	lw	a0, 4(sp)
	jalr	t0
2:
	li	a0, 0
	li	a7, 93
	ecall
	j	2b
	.size	thread_clone, . - thread_clone
