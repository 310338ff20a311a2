/*
 * rv32c.c (isa_rv32c): conformance checks for every compressed instruction
 * valid on RV32IMAC (c.ebreak aside: it traps to the debugger, which a user
 * program cannot survive). Each is written as an explicit c.* mnemonic, so
 * the assembler can only emit the 16-bit encoding; operands the short
 * formats restrict to x8..x15 are pinned to a0..a5. Expected values follow
 * the RISC-V unprivileged spec and are written out by hand.
 */
#include <stdint.h>

#include "isa_check.h"

/* A helper instruction kept in its 32-bit form inside an RVC block. */
#define PLAIN(body) ".option push\n.option norvc\n" body "\n.option pop\n"

/* One instruction on a0 (in and out). */
#define C_A0(insn, init)                                                            \
	({                                                                          \
		register uint32_t a0_ __asm__("a0") = (init);                       \
		__asm__ volatile(RVC(insn) : "+r"(a0_));                            \
		a0_;                                                                \
	})

/* One instruction on a0 (in and out) and a1 (in). */
#define C_A0_A1(insn, a, b)                                                         \
	({                                                                          \
		register uint32_t a0_ __asm__("a0") = (a);                          \
		register uint32_t a1_ __asm__("a1") = (b);                          \
		__asm__ volatile(RVC(insn) : "+r"(a0_) : "r"(a1_));                 \
		a0_;                                                                \
	})

/* One instruction on t3 (in and out) and t4 (in): registers outside x8..x15. */
#define C_T3_T4(insn, a, b)                                                         \
	({                                                                          \
		register uint32_t t3_ __asm__("t3") = (a);                          \
		register uint32_t t4_ __asm__("t4") = (b);                          \
		__asm__ volatile(RVC(insn) : "+r"(t3_) : "r"(t4_));                 \
		t3_;                                                                \
	})

/* c.beqz/c.bnez on a1: 1 if taken forward, 0 if not. */
#define C_BRANCH(insn, value)                                                       \
	({                                                                          \
		register uint32_t a0_ __asm__("a0");                                \
		register uint32_t a1_ __asm__("a1") = (value);                      \
		__asm__ volatile(RVC("c.li a0, 1\n" insn " a1, 1f\n"                \
				     "c.li a0, 0\n"                                 \
				     "1:")                                          \
				 : "=&r"(a0_)                                       \
				 : "r"(a1_));                                       \
		a0_;                                                                \
	})

/* c.beqz/c.bnez on a1 backward: 1 if taken, 2 if it falls through. */
#define C_BRANCH_BACK(insn, value)                                                  \
	({                                                                          \
		register uint32_t a0_ __asm__("a0");                                \
		register uint32_t a1_ __asm__("a1") = (value);                      \
		__asm__ volatile(RVC("c.li a0, 0\n"                                 \
				     "c.j 2f\n"                                     \
				     "1: c.addi a0, 1\n"                            \
				     "c.j 3f\n"                                     \
				     "2: " insn " a1, 1b\n"                         \
				     "c.addi a0, 2\n"                               \
				     "3:")                                          \
				 : "=&r"(a0_)                                       \
				 : "r"(a1_));                                       \
		a0_;                                                                \
	})

/* c.addi4spn a0, sp, IMM, giving a0 - sp. */
#define C_ADDI4SPN(imm)                                                             \
	({                                                                          \
		register uint32_t a0_ __asm__("a0");                                \
		uint32_t sp_;                                                       \
		__asm__ volatile(RVC("c.addi4spn a0, sp, " #imm "\nmv %1, sp")      \
				 : "=r"(a0_), "=r"(sp_));                           \
		a0_ - sp_;                                                          \
	})

static const uint32_t load_words[32] __attribute__((aligned(16))) = {
	[0] = 0xdeadbeef,
	[1] = 0x12345678,
	[2] = 0x80000001,
	[31] = 0xcafef00d,
};

static void test_stack_pointer_forms(void)
{
	uint32_t sp_before, sp_during, sp_after;

	group("c.addi4spn");
	check("sp + 4", C_ADDI4SPN(4), 4);
	check("sp + 16", C_ADDI4SPN(16), 16);
	check("sp + 1020", C_ADDI4SPN(1020), 1020);

	group("c.addi16sp");
	__asm__ volatile(RVC("mv %0, sp\n"
			     "c.addi16sp sp, -64\n"
			     "mv %1, sp\n"
			     "c.addi16sp sp, 64\n"
			     "mv %2, sp")
			 : "=&r"(sp_before), "=&r"(sp_during), "=&r"(sp_after));
	check("sp - 64", sp_during - sp_before, 0xffffffc0);
	check("sp + 64 restores", sp_after, sp_before);
	__asm__ volatile(RVC("mv %0, sp\n"
			     "c.addi16sp sp, -512\n"
			     "mv %1, sp\n"
			     "c.addi16sp sp, 496\n"
			     "c.addi16sp sp, 16\n"
			     "mv %2, sp")
			 : "=&r"(sp_before), "=&r"(sp_during), "=&r"(sp_after));
	check("sp - 512", sp_during - sp_before, 0xfffffe00);
	check("sp + 496 + 16 restores", sp_after, sp_before);

	uint32_t loaded_far, loaded_near, stored_far, stored_near;
	group("c.lwsp/c.swsp");
	__asm__ volatile(RVC(PLAIN("addi sp, sp, -256\n"
				   "sw %4, 252(sp)\n"
				   "sw %5, 0(sp)")
			     "c.lwsp %0, 252(sp)\n"
			     "c.lwsp %1, 0(sp)\n"
			     "c.swsp %5, 248(sp)\n"
			     "c.swsp %4, 4(sp)\n"
			     PLAIN("lw %2, 248(sp)\n"
				   "lw %3, 4(sp)\n"
				   "addi sp, sp, 256"))
			 : "=&r"(loaded_far), "=&r"(loaded_near), "=&r"(stored_far),
			   "=&r"(stored_near)
			 : "r"(0x13579bdfu), "r"(0x2468ace0u)
			 : "memory");
	check("c.lwsp 252(sp)", loaded_far, 0x13579bdf);
	check("c.lwsp 0(sp)", loaded_near, 0x2468ace0);
	check("c.swsp 248(sp)", stored_far, 0x2468ace0);
	check("c.swsp 4(sp)", stored_near, 0x13579bdf);
}

/* c.lw a0, OFFSET(a1) from load_words. */
#define C_LW(offset)                                                                \
	({                                                                          \
		register uint32_t a0_ __asm__("a0");                                \
		register const uint32_t *a1_ __asm__("a1") = load_words;            \
		__asm__ volatile(RVC("c.lw a0, " #offset "(a1)")                    \
				 : "=r"(a0_)                                        \
				 : "r"(a1_)                                         \
				 : "memory");                                       \
		a0_;                                                                \
	})

/* c.sw a3, OFFSET(a2) with a2 = base. */
#define C_SW(base, offset, value)                                                   \
	do {                                                                        \
		register volatile uint32_t *a2_ __asm__("a2") = (base);             \
		register uint32_t a3_ __asm__("a3") = (value);                      \
		__asm__ volatile(RVC("c.sw a3, " #offset "(a2)")                    \
				 :                                                  \
				 : "r"(a2_), "r"(a3_)                               \
				 : "memory");                                       \
	} while (0)

static void test_loads_stores(void)
{
	static volatile uint32_t store_words[32] __attribute__((aligned(16)));

	group("c.lw/c.sw");
	check("c.lw 0", C_LW(0), 0xdeadbeef);
	check("c.lw 4", C_LW(4), 0x12345678);
	check("c.lw 8", C_LW(8), 0x80000001);
	check("c.lw 124", C_LW(124), 0xcafef00d);

	C_SW(store_words, 0, 0x0badf00d);
	check("c.sw 0", store_words[0], 0x0badf00d);
	C_SW(store_words, 8, 0xfeedface);
	check("c.sw 8", store_words[2], 0xfeedface);
	check("c.sw 8 leaves 4 alone", store_words[1], 0);
	C_SW(store_words, 124, 0x01020304);
	check("c.sw 124", store_words[31], 0x01020304);
}

static void test_immediates(void)
{
	group("c.nop");
	check("leaves a0 alone", C_A0("c.nop", 0x55), 0x55);
	check("leaves a1 alone", C_A0_A1("c.nop\nc.mv a0, a1", 0, 0x66), 0x66);

	group("c.addi");
	check("10 + -32", C_A0("c.addi a0, -32", 10), 0xffffffea);
	check("10 + 31", C_A0("c.addi a0, 31", 10), 41);
	check("0xffffffff + 1 wraps", C_A0("c.addi a0, 1", 0xffffffff), 0);
	check("t3 - 1", C_T3_T4("c.addi t3, -1", 0, 0), 0xffffffff);

	group("c.li");
	check("-32", C_A0("c.li a0, -32", 0x12345678), 0xffffffe0);
	check("31", C_A0("c.li a0, 31", 0x12345678), 31);
	check("0", C_A0("c.li a0, 0", 0x12345678), 0);
	check("t3 = -1", C_T3_T4("c.li t3, -1", 0, 0), 0xffffffff);

	group("c.lui");
	check("1", C_A0("c.lui a0, 1", 0x12345678), 0x1000);
	check("31", C_A0("c.lui a0, 31", 0), 0x1f000);
	check("-1 (0xfffff)", C_A0("c.lui a0, 0xfffff", 0), 0xfffff000);
	check("-32 (0xfffe0)", C_A0("c.lui a0, 0xfffe0", 0), 0xfffe0000);
	check("t3", C_T3_T4("c.lui t3, 2", 0, 0), 0x2000);

	group("c.srli/c.srai/c.slli");
	check("c.srli 0x80000000 >> 31", C_A0("c.srli a0, 31", 0x80000000), 1);
	check("c.srli 0xfffffffe >> 1", C_A0("c.srli a0, 1", 0xfffffffe), 0x7fffffff);
	check("c.srai 0x80000000 >> 31", C_A0("c.srai a0, 31", 0x80000000), 0xffffffff);
	check("c.srai 0x80000000 >> 4", C_A0("c.srai a0, 4", 0x80000000), 0xf8000000);
	check("c.srai 0x70000000 >> 4", C_A0("c.srai a0, 4", 0x70000000), 0x07000000);
	check("c.slli 1 << 31", C_A0("c.slli a0, 31", 1), 0x80000000);
	check("c.slli t3 << 4", C_T3_T4("c.slli t3, 4", 0x12345678, 0), 0x23456780);

	group("c.andi");
	check("& -32", C_A0("c.andi a0, -32", 0x12345678), 0x12345660);
	check("& 31", C_A0("c.andi a0, 31", 0x12345678), 0x18);
	check("& 0", C_A0("c.andi a0, 0", 0x12345678), 0);
	check("& -1", C_A0("c.andi a0, -1", 0x87654321), 0x87654321);
}

static void test_register_ops(void)
{
	group("c.sub/c.xor/c.or/c.and");
	check("c.sub 10 - 3", C_A0_A1("c.sub a0, a1", 10, 3), 7);
	check("c.sub 0 - 1", C_A0_A1("c.sub a0, a1", 0, 1), 0xffffffff);
	check("c.xor", C_A0_A1("c.xor a0, a1", 0xff00ff00, 0x0ff00ff0), 0xf0f0f0f0);
	check("c.or", C_A0_A1("c.or a0, a1", 0xf0f00000, 0x0000f0f0), 0xf0f0f0f0);
	check("c.and", C_A0_A1("c.and a0, a1", 0xff00ff00, 0x0ff00ff0), 0x0f000f00);

	group("c.mv/c.add");
	check("c.mv a0, a1", C_A0_A1("c.mv a0, a1", 1, 0xabcdef01), 0xabcdef01);
	check("c.mv t3, t4", C_T3_T4("c.mv t3, t4", 1, 0x10203040), 0x10203040);
	check("c.add 3 + 4", C_A0_A1("c.add a0, a1", 3, 4), 7);
	check("c.add wraps", C_A0_A1("c.add a0, a1", 0xffffffff, 1), 0);
	check("c.add t3, t4", C_T3_T4("c.add t3, t4", 0x7fffffff, 1), 0x80000000);
}

/* Runs a c.* sequence leaving its result in a0 (no inputs; may use a1). */
#define C_SEQUENCE(body)                                                            \
	({                                                                          \
		register uint32_t a0_ __asm__("a0");                                \
		__asm__ volatile(RVC(body) : "=&r"(a0_) : : "a1");                  \
		a0_;                                                                \
	})

static void test_jumps(void)
{
	group("c.j");
	check("forward then backward", C_SEQUENCE("c.li a0, 0\n"
						  "c.j 2f\n"
						  "1: c.addi a0, 1\n"
						  "c.j 3f\n"
						  "2: c.addi a0, 16\n"
						  "c.j 1b\n"
						  "3:"),
	      17);
	check("forward over 2000 bytes", C_SEQUENCE("c.li a0, 0\n"
						    "c.j 1f\n"
						    ".rept 1000\nc.addi a0, 1\n.endr\n"
						    "1:"),
	      0);
	check("backward over 2000 bytes", C_SEQUENCE("c.li a0, 0\n"
						     "c.j 2f\n"
						     "1: c.j 3f\n"
						     ".rept 1000\nc.addi a0, 1\n.endr\n"
						     "2: c.j 1b\n"
						     "3:"),
	      0);

	group("c.beqz/c.bnez");
	check("c.beqz 0 taken", C_BRANCH("c.beqz", 0), 1);
	check("c.beqz 1 not taken", C_BRANCH("c.beqz", 1), 0);
	check("c.beqz 0x80000000 not taken", C_BRANCH("c.beqz", 0x80000000), 0);
	check("c.bnez 0 not taken", C_BRANCH("c.bnez", 0), 0);
	check("c.bnez -1 taken", C_BRANCH("c.bnez", 0xffffffff), 1);
	check("c.beqz backward taken", C_BRANCH_BACK("c.beqz", 0), 1);
	check("c.beqz backward not taken", C_BRANCH_BACK("c.beqz", 5), 2);
	check("c.bnez backward taken", C_BRANCH_BACK("c.bnez", 5), 1);
	check("c.bnez backward not taken", C_BRANCH_BACK("c.bnez", 0), 2);
	check("c.beqz forward over 240 bytes", C_SEQUENCE("c.li a0, 0\n"
							  "c.li a1, 0\n"
							  "c.beqz a1, 1f\n"
							  ".rept 120\nc.addi a0, 1\n.endr\n"
							  "1:"),
	      0);

	uint32_t link, expected, skipped;

	group("c.jal");
	{
		register uint32_t ra __asm__("ra");
		register uint32_t a0 __asm__("a0");
		__asm__ volatile(RVC(PLAIN("lui %1, %%hi(2f)\n"
					   "addi %1, %1, %%lo(2f)")
				     "c.li a0, 0\n"
				     "c.jal 1f\n"
				     "2: c.li a0, 1\n"
				     "1:")
				 : "=r"(ra), "=&r"(expected), "=&r"(a0));
		link = ra;
		skipped = a0;
	}
	check("link is pc+2", link, expected);
	check("skips the next instruction", skipped, 0);

	group("c.jr/c.jalr");
	check("c.jr reaches rs1", C_SEQUENCE(PLAIN("lui a1, %%hi(1f)\n"
						   "addi a1, a1, %%lo(1f)")
					     "c.li a0, 0\n"
					     "c.jr a1\n"
					     "c.li a0, 1\n"
					     "1:"),
	      0);
	{
		register uint32_t ra __asm__("ra");
		register uint32_t a0 __asm__("a0");
		register uint32_t a1 __asm__("a1");
		__asm__ volatile(RVC(PLAIN("lui a1, %%hi(1f)\n"
					   "addi a1, a1, %%lo(1f)\n"
					   "lui %1, %%hi(2f)\n"
					   "addi %1, %1, %%lo(2f)")
				     "c.li a0, 0\n"
				     "c.jalr a1\n"
				     "2: c.li a0, 1\n"
				     "1:")
				 : "=r"(ra), "=&r"(expected), "=&r"(a0), "=&r"(a1));
		link = ra;
		skipped = a0;
	}
	check("c.jalr reaches rs1", skipped, 0);
	check("c.jalr link is pc+2", link, expected);
}

int main(void)
{
	test_stack_pointer_forms();
	test_loads_stores();
	test_immediates();
	test_register_ops();
	test_jumps();
	return isa_summary();
}
