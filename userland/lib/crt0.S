/*
 * crt0.S: process entry point for Linux-style static executables. At entry
 * sp points at argc, followed by argv[0..argc-1], NULL, envp[], NULL and the
 * auxiliary vector. _start sets gp and the static TLS block (tp), publishes
 * environ, runs constructors, calls main(argc, argv, envp) and passes its
 * result to exit(), which runs destructors (flushing stdout) and exit_group.
 */
	.file	"crt0.S"
	.section .text._start, "ax", @progbits
	.globl	_start
	.type	_start, @function
_start:
	.option push
	.option norelax
	la	gp, __global_pointer$
	.option pop

	lw	s0, 0(sp)
	addi	s1, sp, 4
	slli	t0, s0, 2
	add	s2, s1, t0
	addi	s2, s2, 4
	la	t0, environ
	sw	s2, 0(t0)

	la	a0, __tls_block
	call	_init_tls
	la	a0, __tls_block
	call	_set_tls

	call	__libc_init_array

	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	call	main
	call	exit
	.size	_start, . - _start
