/*
 * isa_check.h: reporting harness shared by the ISA conformance programs.
 * Checks compare a value produced by the instruction under test with an
 * expected value written in the source; checks are grouped, each group
 * prints one line, and isa_summary() prints "N checks, M failed" and returns
 * M for the exit status.
 */
#ifndef ISA_CHECK_H
#define ISA_CHECK_H

#include <stdint.h>
#include <stdio.h>

/* Wrap instructions whose exact 32-bit encoding is under test. */
#define NORVC(body) ".option push\n.option norvc\n.option norelax\n" body "\n.option pop\n"

/* Wrap explicit c.* mnemonics (which only ever assemble to 16 bits). */
#define RVC(body) ".option push\n.option rvc\n.option norelax\n" body "\n.option pop\n"

/* The value of register-register instruction `op` on a and b. */
#define OP_RR(op, a, b)                                                             \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile(NORVC(op " %0, %1, %2")                            \
				 : "=r"(r_)                                         \
				 : "r"((uint32_t)(a)), "r"((uint32_t)(b)));         \
		r_;                                                                 \
	})

static const char *isa_group_name;
static unsigned isa_group_checks;
static unsigned isa_group_failed;
static unsigned isa_total_checks;
static unsigned isa_total_failed;

static void isa_end_group(void)
{
	if (isa_group_name == NULL)
		return;
	if (isa_group_failed == 0)
		printf("%s: %u checks ok\n", isa_group_name, isa_group_checks);
	else
		printf("%s: %u checks, %u FAILED\n", isa_group_name, isa_group_checks,
		       isa_group_failed);
	isa_group_name = NULL;
}

/* Closes the current group (printing its line) and starts a new one. */
static void group(const char *name)
{
	isa_end_group();
	isa_group_name = name;
	isa_group_checks = 0;
	isa_group_failed = 0;
}

static void check(const char *what, uint32_t got, uint32_t want)
{
	isa_group_checks++;
	isa_total_checks++;
	if (got == want)
		return;
	isa_group_failed++;
	isa_total_failed++;
	printf("  FAIL %s: %s: got 0x%08lx, want 0x%08lx\n", isa_group_name, what,
	       (unsigned long)got, (unsigned long)want);
}

static int isa_summary(void)
{
	isa_end_group();
	printf("%u checks, %u failed\n", isa_total_checks, isa_total_failed);
	return (int)isa_total_failed;
}

#endif
