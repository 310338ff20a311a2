/*
 * rv32i.c (isa_rv32i): conformance checks for every RV32I user-level
 * instruction, executed in their 32-bit encodings (.option norvc): upper
 * immediates, jumps and branches (including far and backward targets), loads
 * and stores with sign/zero extension and misaligned addresses, the
 * immediate and register ALU ops, writes to x0, fences (fence.i against
 * freshly written code) and the cycle/time/instret counters. Expected values
 * follow the RISC-V unprivileged spec and are written out by hand.
 */
#include <stdint.h>

#include "isa_check.h"
#include "linux_syscall.h"

#define OP_RI(op, a, imm)                                                           \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile(NORVC(op " %0, %1, %2")                            \
				 : "=r"(r_)                                         \
				 : "r"((uint32_t)(a)), "i"(imm));                   \
		r_;                                                                 \
	})

#define LUI(imm)                                                                    \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile(NORVC("lui %0, " #imm) : "=r"(r_));                \
		r_;                                                                 \
	})

/* auipc's result minus the address of the auipc itself (taken with lui/addi). */
#define AUIPC_DELTA(imm)                                                            \
	({                                                                          \
		uint32_t got_, here_;                                               \
		__asm__ volatile(NORVC("1: auipc %0, " #imm "\n"                    \
				       "lui %1, %%hi(1b)\n"                         \
				       "addi %1, %1, %%lo(1b)")                     \
				 : "=&r"(got_), "=&r"(here_));                      \
		got_ - here_;                                                       \
	})

/* 1 if the branch is taken forward, 0 if not. */
#define BRANCH(op, a, b)                                                            \
	({                                                                          \
		uint32_t t_;                                                        \
		__asm__ volatile(NORVC("addi %0, x0, 1\n" op " %1, %2, 1f\n"        \
				       "addi %0, x0, 0\n"                           \
				       "1:")                                        \
				 : "=&r"(t_)                                        \
				 : "r"((uint32_t)(a)), "r"((uint32_t)(b)));         \
		t_;                                                                 \
	})

/* 1 if the branch is taken backward, 2 if it falls through. */
#define BRANCH_BACK(op, a, b)                                                       \
	({                                                                          \
		uint32_t t_;                                                        \
		__asm__ volatile(NORVC("addi %0, x0, 0\n"                           \
				       "jal x0, 2f\n"                               \
				       "1: addi %0, %0, 1\n"                        \
				       "jal x0, 3f\n"                               \
				       "2: " op " %1, %2, 1b\n"                     \
				       "addi %0, %0, 2\n"                           \
				       "3:")                                        \
				 : "=&r"(t_)                                        \
				 : "r"((uint32_t)(a)), "r"((uint32_t)(b)));         \
		t_;                                                                 \
	})

#define LOAD(op, base, offset)                                                      \
	({                                                                          \
		uint32_t r_;                                                        \
		__asm__ volatile(NORVC(op " %0, %2(%1)")                            \
				 : "=r"(r_)                                         \
				 : "r"(base), "i"(offset)                           \
				 : "memory");                                       \
		r_;                                                                 \
	})

#define STORE(op, value, base, offset)                                              \
	__asm__ volatile(NORVC(op " %0, %2(%1)")                                    \
			 :                                                          \
			 : "r"((uint32_t)(value)), "r"(base), "i"(offset)           \
			 : "memory")

static const uint8_t load_data[16] __attribute__((aligned(16))) = {
	0x80, 0x7f, 0xff, 0x01, 0x00, 0x80, 0x34, 0x12,
	0x78, 0x56, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde,
};

static const uint8_t misaligned_data[16] __attribute__((aligned(16))) = {
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
};

static void test_lui_auipc(void)
{
	group("lui");
	check("lui 0x12345", LUI(0x12345), 0x12345000);
	check("lui 0xfffff", LUI(0xfffff), 0xfffff000);
	check("lui 0x80000", LUI(0x80000), 0x80000000);
	check("lui 0", LUI(0), 0);

	uint32_t r;
	__asm__ volatile(NORVC("lui %0, 0x12345\naddi %0, %0, -1") : "=r"(r));
	check("lui then addi -1", r, 0x12344fff);

	group("auipc");
	check("auipc 0", AUIPC_DELTA(0), 0);
	check("auipc 1", AUIPC_DELTA(1), 0x1000);
	check("auipc 0xfffff", AUIPC_DELTA(0xfffff), 0xfffff000);
	check("auipc 0x80000", AUIPC_DELTA(0x80000), 0x80000000);
}

static void test_jal(void)
{
	uint32_t link, expected, skipped;

	group("jal");
	__asm__ volatile(NORVC("lui %1, %%hi(2f)\n"
			       "addi %1, %1, %%lo(2f)\n"
			       "addi %2, x0, 0\n"
			       "jal %0, 1f\n"
			       "2: addi %2, x0, 1\n"
			       "1:")
			 : "=&r"(link), "=&r"(expected), "=&r"(skipped));
	check("link is pc+4", link, expected);
	check("skips the next instruction", skipped, 0);

	uint32_t path;
	__asm__ volatile(NORVC("addi %0, x0, 0\n"
			       "jal x0, 2f\n"
			       "1: addi %0, %0, 1\n"
			       "jal x0, 3f\n"
			       "2: addi %0, %0, 16\n"
			       "jal x0, 1b\n"
			       "3:")
			 : "=&r"(path));
	check("forward then backward", path, 17);

	uint32_t crossed;
	__asm__ volatile(NORVC("addi %0, x0, 0\n"
			       "jal x0, 1f\n"
			       ".rept 1100\naddi %0, %0, 1\n.endr\n"
			       "1:")
			 : "=&r"(crossed));
	check("forward over 4400 bytes", crossed, 0);

	__asm__ volatile(NORVC("addi %0, x0, 0\n"
			       "jal x0, 2f\n"
			       "1: jal x0, 3f\n"
			       ".rept 1100\naddi %0, %0, 1\n.endr\n"
			       "2: jal x0, 1b\n"
			       "3:")
			 : "=&r"(crossed));
	check("backward over 4400 bytes", crossed, 0);
}

static void test_jalr(void)
{
	uint32_t link, expected, skipped, target;

	group("jalr");
	__asm__ volatile(NORVC("lui %3, %%hi(1f)\n"
			       "addi %3, %3, %%lo(1f)\n"
			       "lui %1, %%hi(2f)\n"
			       "addi %1, %1, %%lo(2f)\n"
			       "addi %2, x0, 0\n"
			       "jalr %0, 0(%3)\n"
			       "2: addi %2, x0, 1\n"
			       "1:")
			 : "=&r"(link), "=&r"(expected), "=&r"(skipped), "=&r"(target));
	check("link is pc+4", link, expected);
	check("reaches rs1+0", skipped, 0);

	__asm__ volatile(NORVC("lui %3, %%hi(1f)\n"
			       "addi %3, %3, %%lo(1f)\n"
			       "addi %3, %3, -8\n"
			       "addi %2, x0, 0\n"
			       "jalr %0, 8(%3)\n"
			       "addi %2, x0, 1\n"
			       "1:")
			 : "=&r"(link), "=&r"(expected), "=&r"(skipped), "=&r"(target));
	check("positive offset", skipped, 0);

	__asm__ volatile(NORVC("lui %3, %%hi(1f)\n"
			       "addi %3, %3, %%lo(1f)\n"
			       "addi %3, %3, 16\n"
			       "addi %2, x0, 0\n"
			       "jalr %0, -16(%3)\n"
			       "addi %2, x0, 1\n"
			       "1:")
			 : "=&r"(link), "=&r"(expected), "=&r"(skipped), "=&r"(target));
	check("negative offset", skipped, 0);

	__asm__ volatile(NORVC("lui %3, %%hi(1f)\n"
			       "addi %3, %3, %%lo(1f)\n"
			       "addi %3, %3, 1\n"
			       "addi %2, x0, 0\n"
			       "jalr %0, 0(%3)\n"
			       "addi %2, x0, 1\n"
			       "1:")
			 : "=&r"(link), "=&r"(expected), "=&r"(skipped), "=&r"(target));
	check("odd rs1: low bit cleared", skipped, 0);

	__asm__ volatile(NORVC("lui %3, %%hi(1f)\n"
			       "addi %3, %3, %%lo(1f)\n"
			       "addi %2, x0, 0\n"
			       "jalr %0, 1(%3)\n"
			       "addi %2, x0, 1\n"
			       "1:")
			 : "=&r"(link), "=&r"(expected), "=&r"(skipped), "=&r"(target));
	check("odd rs1+imm: low bit cleared", skipped, 0);

	__asm__ volatile(NORVC("lui %0, %%hi(1f)\n"
			       "addi %0, %0, %%lo(1f)\n"
			       "lui %1, %%hi(2f)\n"
			       "addi %1, %1, %%lo(2f)\n"
			       "addi %2, x0, 0\n"
			       "jalr %0, 0(%0)\n"
			       "2: addi %2, x0, 1\n"
			       "1:")
			 : "=&r"(link), "=&r"(expected), "=&r"(skipped));
	check("rd = rs1: jumps to old rs1", skipped, 0);
	check("rd = rs1: link written", link, expected);

	__asm__ volatile(NORVC("lui %1, %%hi(1f)\n"
			       "addi %1, %1, %%lo(1f)\n"
			       "addi %0, x0, 0\n"
			       "jalr x0, 0(%1)\n"
			       "addi %0, x0, 1\n"
			       "1:")
			 : "=&r"(skipped), "=&r"(target));
	check("rd = x0", skipped, 0);
}

static void test_branches(void)
{
	group("beq/bne");
	check("beq 5,5", BRANCH("beq", 5, 5), 1);
	check("beq 5,6", BRANCH("beq", 5, 6), 0);
	check("beq INT_MIN,INT_MIN", BRANCH("beq", 0x80000000, 0x80000000), 1);
	check("bne 5,5", BRANCH("bne", 5, 5), 0);
	check("bne 5,6", BRANCH("bne", 5, 6), 1);
	check("bne 0,-1", BRANCH("bne", 0, 0xffffffff), 1);

	group("blt/bge (signed)");
	check("blt -1,1", BRANCH("blt", 0xffffffff, 1), 1);
	check("blt 1,-1", BRANCH("blt", 1, 0xffffffff), 0);
	check("blt 5,5", BRANCH("blt", 5, 5), 0);
	check("blt INT_MIN,INT_MAX", BRANCH("blt", 0x80000000, 0x7fffffff), 1);
	check("bge -1,1", BRANCH("bge", 0xffffffff, 1), 0);
	check("bge 1,-1", BRANCH("bge", 1, 0xffffffff), 1);
	check("bge 5,5", BRANCH("bge", 5, 5), 1);
	check("bge INT_MAX,INT_MIN", BRANCH("bge", 0x7fffffff, 0x80000000), 1);

	group("bltu/bgeu (unsigned)");
	check("bltu 0xffffffff,1", BRANCH("bltu", 0xffffffff, 1), 0);
	check("bltu 1,0xffffffff", BRANCH("bltu", 1, 0xffffffff), 1);
	check("bltu 5,5", BRANCH("bltu", 5, 5), 0);
	check("bltu 0,0xffffffff", BRANCH("bltu", 0, 0xffffffff), 1);
	check("bgeu 0xffffffff,1", BRANCH("bgeu", 0xffffffff, 1), 1);
	check("bgeu 1,0xffffffff", BRANCH("bgeu", 1, 0xffffffff), 0);
	check("bgeu 5,5", BRANCH("bgeu", 5, 5), 1);
	check("bgeu 0x80000000,0x7fffffff", BRANCH("bgeu", 0x80000000, 0x7fffffff), 1);

	group("branches backward");
	check("beq taken", BRANCH_BACK("beq", 7, 7), 1);
	check("beq not taken", BRANCH_BACK("beq", 7, 8), 2);
	check("bne taken", BRANCH_BACK("bne", 7, 8), 1);
	check("bne not taken", BRANCH_BACK("bne", 7, 7), 2);
	check("blt taken", BRANCH_BACK("blt", 0xfffffff0, 3), 1);
	check("blt not taken", BRANCH_BACK("blt", 3, 0xfffffff0), 2);
	check("bge taken", BRANCH_BACK("bge", 3, 0xfffffff0), 1);
	check("bge not taken", BRANCH_BACK("bge", 0xfffffff0, 3), 2);
	check("bltu taken", BRANCH_BACK("bltu", 3, 0xfffffff0), 1);
	check("bltu not taken", BRANCH_BACK("bltu", 0xfffffff0, 3), 2);
	check("bgeu taken", BRANCH_BACK("bgeu", 0xfffffff0, 3), 1);
	check("bgeu not taken", BRANCH_BACK("bgeu", 3, 0xfffffff0), 2);

	uint32_t count;
	__asm__ volatile(NORVC("addi %0, x0, 0\n"
			       "addi t0, x0, 5\n"
			       "1: addi %0, %0, 3\n"
			       "addi t0, t0, -1\n"
			       "bne t0, x0, 1b")
			 : "=&r"(count)
			 :
			 : "t0");
	check("bne loop runs 5 times", count, 15);

	uint32_t crossed;
	__asm__ volatile(NORVC("addi %0, x0, 0\n"
			       "beq x0, x0, 1f\n"
			       ".rept 600\naddi %0, %0, 1\n.endr\n"
			       "1:")
			 : "=&r"(crossed));
	check("forward over 2400 bytes", crossed, 0);
	__asm__ volatile(NORVC("addi %0, x0, 0\n"
			       "jal x0, 2f\n"
			       "1: jal x0, 3f\n"
			       ".rept 600\naddi %0, %0, 1\n.endr\n"
			       "2: bgeu %0, x0, 1b\n"
			       "3:")
			 : "=&r"(crossed));
	check("backward over 2400 bytes", crossed, 0);
}

static void test_loads(void)
{
	const uint8_t *d = load_data;

	group("lb/lbu");
	check("lb 0x80", LOAD("lb", d, 0), 0xffffff80);
	check("lbu 0x80", LOAD("lbu", d, 0), 0x80);
	check("lb 0x7f", LOAD("lb", d, 1), 0x7f);
	check("lb 0xff", LOAD("lb", d, 2), 0xffffffff);
	check("lbu 0xff", LOAD("lbu", d, 2), 0xff);
	check("lb negative offset", LOAD("lb", d + 12, -12), 0xffffff80);

	group("lh/lhu");
	check("lh 0x7f80", LOAD("lh", d, 0), 0x7f80);
	check("lh 0x8000", LOAD("lh", d, 4), 0xffff8000);
	check("lhu 0x8000", LOAD("lhu", d, 4), 0x8000);
	check("lh 0x1234", LOAD("lh", d, 6), 0x1234);
	check("lhu 0xbeef", LOAD("lhu", d, 12), 0xbeef);
	check("lh 0xbeef", LOAD("lh", d, 12), 0xffffbeef);
	check("lh negative offset", LOAD("lh", d + 16, -2), 0xffffdead);

	group("lw");
	check("lw 0", LOAD("lw", d, 0), 0x01ff7f80);
	check("lw 8", LOAD("lw", d, 8), 0x12345678);
	check("lw 12", LOAD("lw", d, 12), 0xdeadbeef);
	check("lw -4", LOAD("lw", d + 12, -4), 0x12345678);
	check("lw +2047", LOAD("lw", (uintptr_t)d + 8 - 2047, 2047), 0x12345678);
	check("lw -2048", LOAD("lw", (uintptr_t)d + 12 + 2048, -2048), 0xdeadbeef);
}

static void test_stores(void)
{
	static volatile uint32_t words[4] __attribute__((aligned(16)));
	volatile uint32_t *w = words;

	group("sb/sh/sw");
	STORE("sw", 0x11223344, w, 0);
	check("sw", w[0], 0x11223344);
	STORE("sb", 0x123456ab, w, 1);
	check("sb stores the low byte", w[0], 0x1122ab44);
	STORE("sb", 0xffffff00, w, 3);
	check("sb to byte 3", w[0], 0x0022ab44);
	STORE("sh", 0x1234beef, w, 2);
	check("sh stores the low half", w[0], 0xbeefab44);
	STORE("sh", 0xcafe, w, 0);
	check("sh to half 0", w[0], 0xbeefcafe);
	STORE("sw", 0xdeadbeef, w + 2, -4);
	check("sw negative offset", w[1], 0xdeadbeef);
	STORE("sw", 0x55aa55aa, (uintptr_t)(w + 3) - 2047, 2047);
	check("sw +2047", w[3], 0x55aa55aa);
	check("neighbour untouched", w[2], 0);
}

static void test_misaligned(void)
{
	static volatile uint8_t bytes[16] __attribute__((aligned(16)));
	const uint8_t *d = misaligned_data;

	group("misaligned");
	check("lw +1", LOAD("lw", d, 1), 0x55443322);
	check("lw +2", LOAD("lw", d, 2), 0x66554433);
	check("lw +3", LOAD("lw", d, 3), 0x77665544);
	check("lh +1", LOAD("lh", d, 1), 0x3322);
	check("lh +7", LOAD("lh", d, 7), 0xffff9988);
	check("lhu +7", LOAD("lhu", d, 7), 0x9988);

	STORE("sw", 0xa1b2c3d4, bytes, 5);
	check("sw +5 byte 5", bytes[5], 0xd4);
	check("sw +5 byte 6", bytes[6], 0xc3);
	check("sw +5 byte 7", bytes[7], 0xb2);
	check("sw +5 byte 8", bytes[8], 0xa1);
	check("sw +5 byte 4 untouched", bytes[4], 0);
	check("sw +5 byte 9 untouched", bytes[9], 0);
	STORE("sh", 0x1234e5f6, bytes, 11);
	check("sh +11 byte 11", bytes[11], 0xf6);
	check("sh +11 byte 12", bytes[12], 0xe5);
	check("sh +11 byte 13 untouched", bytes[13], 0);
}

static void test_alu_immediate(void)
{
	group("addi");
	check("5 + 7", OP_RI("addi", 5, 7), 12);
	check("5 + -7", OP_RI("addi", 5, -7), 0xfffffffe);
	check("INT_MAX + 1 wraps", OP_RI("addi", 0x7fffffff, 1), 0x80000000);
	check("0xffffffff + 1 wraps", OP_RI("addi", 0xffffffff, 1), 0);
	check("0 + 2047", OP_RI("addi", 0, 2047), 0x7ff);
	check("0 + -2048", OP_RI("addi", 0, -2048), 0xfffff800);

	group("slti/sltiu");
	check("slti -1 < 0", OP_RI("slti", 0xffffffff, 0), 1);
	check("slti 0 < -1", OP_RI("slti", 0, -1), 0);
	check("slti 5 < 5", OP_RI("slti", 5, 5), 0);
	check("slti INT_MIN < -2048", OP_RI("slti", 0x80000000, -2048), 1);
	check("slti INT_MAX < 2047", OP_RI("slti", 0x7fffffff, 2047), 0);
	check("sltiu 5 < -1 (0xffffffff)", OP_RI("sltiu", 5, -1), 1);
	check("sltiu 0xffffffff < -1", OP_RI("sltiu", 0xffffffff, -1), 0);
	check("sltiu 0 < 1 (seqz)", OP_RI("sltiu", 0, 1), 1);
	check("sltiu 1 < 1", OP_RI("sltiu", 1, 1), 0);
	check("sltiu 0x800 < -2048 (0xfffff800)", OP_RI("sltiu", 0x800, -2048), 1);
	check("sltiu 0xfffff800 < -2048", OP_RI("sltiu", 0xfffff800, -2048), 0);

	group("xori/ori/andi");
	check("xori -1 (not)", OP_RI("xori", 0x12345678, -1), 0xedcba987);
	check("xori 0xff", OP_RI("xori", 0xff00ff00, 0xff), 0xff00ffff);
	check("xori -2048", OP_RI("xori", 0x0f0f0f0f, -2048), 0xf0f0f70f);
	check("ori 0x5a5", OP_RI("ori", 0x12340000, 0x5a5), 0x123405a5);
	check("ori -2048", OP_RI("ori", 0, -2048), 0xfffff800);
	check("andi 0x7ff", OP_RI("andi", 0x12345678, 0x7ff), 0x678);
	check("andi -16", OP_RI("andi", 0x12345678, -16), 0x12345670);
	check("andi -2048", OP_RI("andi", 0xffffffff, -2048), 0xfffff800);

	group("slli/srli/srai");
	check("slli 1 << 31", OP_RI("slli", 1, 31), 0x80000000);
	check("slli << 4", OP_RI("slli", 0x12345678, 4), 0x23456780);
	check("slli << 0", OP_RI("slli", 0x12345678, 0), 0x12345678);
	check("srli 0x80000000 >> 31", OP_RI("srli", 0x80000000, 31), 1);
	check("srli 0xf0000000 >> 4", OP_RI("srli", 0xf0000000, 4), 0x0f000000);
	check("srli >> 0", OP_RI("srli", 0x87654321, 0), 0x87654321);
	check("srai 0x80000000 >> 31", OP_RI("srai", 0x80000000, 31), 0xffffffff);
	check("srai 0xf0000000 >> 4", OP_RI("srai", 0xf0000000, 4), 0xff000000);
	check("srai 0x70000000 >> 4", OP_RI("srai", 0x70000000, 4), 0x07000000);
	check("srai >> 0", OP_RI("srai", 0x87654321, 0), 0x87654321);
}

static void test_alu_register(void)
{
	group("add/sub");
	check("3 + 4", OP_RR("add", 3, 4), 7);
	check("INT_MAX + 1 wraps", OP_RR("add", 0x7fffffff, 1), 0x80000000);
	check("0xffffffff + 1 wraps", OP_RR("add", 0xffffffff, 1), 0);
	check("10 - 3", OP_RR("sub", 10, 3), 7);
	check("0 - 1", OP_RR("sub", 0, 1), 0xffffffff);
	check("INT_MIN - 1 wraps", OP_RR("sub", 0x80000000, 1), 0x7fffffff);

	group("sll/srl/sra");
	check("sll 1 << 31", OP_RR("sll", 1, 31), 0x80000000);
	check("sll by 32 uses low 5 bits", OP_RR("sll", 1, 32), 1);
	check("sll by 33 uses low 5 bits", OP_RR("sll", 1, 33), 2);
	check("sll by 0xffffffe4", OP_RR("sll", 0x12345678, 0xffffffe4), 0x23456780);
	check("srl 0x80000000 >> 31", OP_RR("srl", 0x80000000, 31), 1);
	check("srl by 63 uses low 5 bits", OP_RR("srl", 0x80000000, 63), 1);
	check("srl by 0xffffffe4", OP_RR("srl", 0x80000000, 0xffffffe4), 0x08000000);
	check("srl by 32", OP_RR("srl", 0x87654321, 32), 0x87654321);
	check("sra 0x80000000 >> 31", OP_RR("sra", 0x80000000, 31), 0xffffffff);
	check("sra by 0xffffffe4", OP_RR("sra", 0x80000000, 0xffffffe4), 0xf8000000);
	check("sra positive", OP_RR("sra", 0x7ffffff0, 4), 0x07ffffff);
	check("sra by 32", OP_RR("sra", 0x87654321, 32), 0x87654321);

	group("slt/sltu");
	check("slt -1 < 1", OP_RR("slt", 0xffffffff, 1), 1);
	check("slt 1 < -1", OP_RR("slt", 1, 0xffffffff), 0);
	check("slt 5 < 5", OP_RR("slt", 5, 5), 0);
	check("slt INT_MIN < INT_MAX", OP_RR("slt", 0x80000000, 0x7fffffff), 1);
	check("sltu 0xffffffff < 1", OP_RR("sltu", 0xffffffff, 1), 0);
	check("sltu 1 < 0xffffffff", OP_RR("sltu", 1, 0xffffffff), 1);
	check("sltu 0 < 0", OP_RR("sltu", 0, 0), 0);
	check("sltu 0 < 1", OP_RR("sltu", 0, 1), 1);

	group("xor/or/and");
	check("xor", OP_RR("xor", 0xff00ff00, 0x0ff00ff0), 0xf0f0f0f0);
	check("xor self", OP_RR("xor", 0x12345678, 0x12345678), 0);
	check("or", OP_RR("or", 0xf0f00000, 0x0000f0f0), 0xf0f0f0f0);
	check("or 0", OP_RR("or", 0x12345678, 0), 0x12345678);
	check("and", OP_RR("and", 0xff00ff00, 0x0ff00ff0), 0x0f000f00);
	check("and -1", OP_RR("and", 0x12345678, 0xffffffff), 0x12345678);
}

static void test_x0(void)
{
	uint32_t r;

	group("x0 writes ignored");
	__asm__ volatile(NORVC("addi x0, x0, 5\naddi %0, x0, 0") : "=r"(r));
	check("addi x0, x0, 5", r, 0);
	__asm__ volatile(NORVC("lui x0, 0x12345\naddi %0, x0, 0") : "=r"(r));
	check("lui x0", r, 0);
	__asm__ volatile(NORVC("lw x0, 0(%1)\naddi %0, x0, 0") : "=r"(r) : "r"(load_data));
	check("lw x0", r, 0);
	__asm__ volatile(NORVC("add x0, %1, %1\naddi %0, x0, 0") : "=r"(r) : "r"(0x1234));
	check("add x0", r, 0);
	__asm__ volatile(NORVC("auipc x0, 1\naddi %0, x0, 0") : "=r"(r));
	check("auipc x0", r, 0);
	__asm__ volatile(NORVC("jal x0, 1f\n1: addi %0, x0, 0") : "=r"(r));
	check("jal x0", r, 0);
	__asm__ volatile(NORVC("addi %0, x0, 77\nadd %0, %0, x0") : "=r"(r));
	check("x0 reads as 0", r, 77);
}

typedef uint32_t (*generated_fn)(void);

static void test_fences(void)
{
	static volatile uint32_t word;

	group("fence/fence.i");
	word = 0;
	__asm__ volatile(NORVC("sw %0, 0(%1)\n"
			       "fence\n"
			       "fence rw, rw\n"
			       "fence r, r\n"
			       "fence w, w\n"
			       "fence iorw, iorw\n"
			       "fence.tso\n"
			       "fence.i")
			 :
			 : "r"(0xabcdu), "r"(&word)
			 : "memory");
	check("fences keep program order", word, 0xabcd);

	/* Code written at run time, run, rewritten and run again across fence.i. */
	long page = syscall6(SYS_mmap2, 0, 4096,
			     LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC,
			     LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1, 0);
	check("mmap2 of an RWX page succeeds", linux_is_error(page), 0);
	if (linux_is_error(page))
		return;
	volatile uint32_t *code = (volatile uint32_t *)page;
	generated_fn fn = (generated_fn)page;

	code[0] = 0x00100513; /* addi a0, x0, 1 */
	code[1] = 0x00008067; /* jalr x0, 0(ra) */
	__asm__ volatile("fence.i" ::: "memory");
	check("generated code returns 1", fn(), 1);
	code[0] = 0x00200513; /* addi a0, x0, 2 */
	__asm__ volatile("fence.i" ::: "memory");
	check("rewritten code returns 2 after fence.i", fn(), 2);
}

/* Reads a 64-bit counter from its two halves, retrying if the low half wrapped. */
#define READ_COUNTER(lo_csr, hi_csr)                                                \
	({                                                                          \
		uint32_t hi_, lo_, again_;                                          \
		__asm__ volatile(NORVC("1: " hi_csr " %0\n" lo_csr " %1\n" hi_csr   \
				       " %2\n"                                      \
				       "bne %0, %2, 1b")                            \
				 : "=&r"(hi_), "=&r"(lo_), "=&r"(again_));          \
		((uint64_t)hi_ << 32) | lo_;                                        \
	})

static void counter_checks(const char *name, uint64_t first, uint64_t second)
{
	char label[48];

	snprintf(label, sizeof(label), "%s non-decreasing", name);
	check(label, second >= first, 1);
}

static void test_counters(void)
{
	group("counters");
	uint64_t cycle1 = READ_COUNTER("rdcycle", "rdcycleh");
	uint64_t time1 = READ_COUNTER("rdtime", "rdtimeh");
	uint64_t instret1 = READ_COUNTER("rdinstret", "rdinstreth");
	volatile uint32_t spin = 0;
	for (int i = 0; i < 10000; i++)
		spin += (uint32_t)i;
	uint64_t cycle2 = READ_COUNTER("rdcycle", "rdcycleh");
	uint64_t time2 = READ_COUNTER("rdtime", "rdtimeh");
	uint64_t instret2 = READ_COUNTER("rdinstret", "rdinstreth");
	counter_checks("cycle", cycle1, cycle2);
	counter_checks("time", time1, time2);
	counter_checks("instret", instret1, instret2);
	check("instret advanced over 10000 iterations", instret2 > instret1, 1);
}

int main(void)
{
	test_lui_auipc();
	test_jal();
	test_jalr();
	test_branches();
	test_loads();
	test_stores();
	test_misaligned();
	test_alu_immediate();
	test_alu_register();
	test_x0();
	test_fences();
	test_counters();
	return isa_summary();
}
