/*
 * rv32a.c (isa_rv32a): conformance checks for the RV32A atomics on a single
 * hart: lr.w/sc.w success and the cases where sc.w must fail (no
 * reservation, a different address, an intervening store of a different
 * value), and every AMO returning the old value and storing the right
 * result, including signed/unsigned min/max edge cases, in each aq/rl
 * ordering variant. Expected values follow the RISC-V unprivileged spec and
 * are written out by hand.
 */
#include <stdint.h>

#include "isa_check.h"

static volatile uint32_t word __attribute__((aligned(8)));
static volatile uint32_t other_word __attribute__((aligned(8)));

/* Runs one AMO on `word` and checks the value returned and the value stored. */
#define AMO_CHECK(op, what, initial, operand, stored)                               \
	do {                                                                        \
		uint32_t old_;                                                      \
		word = (initial);                                                   \
		__asm__ volatile(NORVC(op " %0, %2, (%1)")                          \
				 : "=&r"(old_)                                      \
				 : "r"(&word), "r"((uint32_t)(operand))             \
				 : "memory");                                       \
		check(op " " what ": old value", old_, (initial));                  \
		check(op " " what ": stored", word, (stored));                      \
	} while (0)

/* One AMO check in all four ordering variants. */
#define AMO_ALL(op, what, initial, operand, stored)                                 \
	do {                                                                        \
		AMO_CHECK(op, what, initial, operand, stored);                      \
		AMO_CHECK(op ".aq", what, initial, operand, stored);                \
		AMO_CHECK(op ".rl", what, initial, operand, stored);                \
		AMO_CHECK(op ".aqrl", what, initial, operand, stored);              \
	} while (0)

/* lr.w, then sc.w of the loaded value + 1, which must succeed. */
#define LR_SC_CHECK(lr, sc, initial)                                                \
	do {                                                                        \
		uint32_t loaded_, status_;                                          \
		word = (initial);                                                   \
		__asm__ volatile(NORVC(lr " %1, (%2)\n"                             \
				       "addi %0, %1, 1\n" sc " %0, %0, (%2)")       \
				 : "=&r"(status_), "=&r"(loaded_)                   \
				 : "r"(&word)                                       \
				 : "memory");                                       \
		check(lr " loads", loaded_, (initial));                             \
		check(lr "/" sc " succeeds (rd = 0)", status_, 0);                  \
		check(lr "/" sc " stores", word, (initial) + 1);                    \
	} while (0)

static void test_lr_sc(void)
{
	uint32_t status;

	group("lr.w/sc.w");
	LR_SC_CHECK("lr.w", "sc.w", 41);
	LR_SC_CHECK("lr.w.aq", "sc.w.aq", 42);
	LR_SC_CHECK("lr.w.rl", "sc.w.rl", 43);
	LR_SC_CHECK("lr.w.aqrl", "sc.w.aqrl", 44);

	/* The first sc.w consumes the reservation, so the second has none. */
	uint32_t first, second;
	word = 100;
	__asm__ volatile(NORVC("lr.w %0, (%2)\n"
			       "sc.w %0, %3, (%2)\n"
			       "sc.w %1, %4, (%2)")
			 : "=&r"(first), "=&r"(second)
			 : "r"(&word), "r"(200u), "r"(300u)
			 : "memory");
	check("sc.w after lr.w succeeds", first, 0);
	check("sc.w without a reservation fails", second != 0, 1);
	check("failed sc.w leaves memory alone", word, 200);

	/*
	 * A store to the reserved word between lr.w and sc.w. The spec only
	 * requires failure for stores by other harts; qemu implements sc.w as a
	 * compare-and-exchange against the value lr.w read, so a store of a
	 * different value is what both qemu and our emulator must reject.
	 */
	word = 5;
	__asm__ volatile(NORVC("lr.w %0, (%1)\n"
			       "sw %2, 0(%1)\n"
			       "sc.w %0, %3, (%1)")
			 : "=&r"(status)
			 : "r"(&word), "r"(6u), "r"(7u)
			 : "memory");
	check("sc.w after an intervening store fails", status != 0, 1);
	check("the intervening store stays", word, 6);

	word = 8;
	other_word = 9;
	__asm__ volatile(NORVC("lr.w %0, (%1)\n"
			       "sc.w %0, %3, (%2)")
			 : "=&r"(status)
			 : "r"(&word), "r"(&other_word), "r"(10u)
			 : "memory");
	check("sc.w to another address fails", status != 0, 1);
	check("the other address is unchanged", other_word, 9);
	check("the reserved word is unchanged", word, 8);

	uint32_t value = 0;
	unsigned iterations = 0;
	word = 0;
	for (unsigned i = 0; i < 100; i++) {
		do {
			iterations++;
			__asm__ volatile(NORVC("lr.w %1, (%2)\n"
					       "addi %1, %1, 3\n"
					       "sc.w %0, %1, (%2)")
					 : "=&r"(status), "=&r"(value)
					 : "r"(&word)
					 : "memory");
		} while (status != 0 && iterations < 1000);
	}
	check("lr/sc increment loop", word, 300);
}

static void test_amo(void)
{
	group("amoswap.w");
	AMO_ALL("amoswap.w", "", 0x11111111, 0x22222222, 0x22222222);
	AMO_ALL("amoswap.w", "same", 0xdeadbeef, 0xdeadbeef, 0xdeadbeef);

	group("amoadd.w");
	AMO_ALL("amoadd.w", "", 40, 2, 42);
	AMO_ALL("amoadd.w", "wraps", 0xffffffff, 1, 0);
	AMO_ALL("amoadd.w", "negative", 5, 0xfffffff9, 0xfffffffe);

	group("amoxor.w/amoand.w/amoor.w");
	AMO_ALL("amoxor.w", "", 0xff00ff00, 0x0ff00ff0, 0xf0f0f0f0);
	AMO_ALL("amoand.w", "", 0xff00ff00, 0x0ff00ff0, 0x0f000f00);
	AMO_ALL("amoor.w", "", 0xff00ff00, 0x0ff00ff0, 0xfff0fff0);

	group("amomin.w/amomax.w (signed)");
	AMO_ALL("amomin.w", "-1 vs 1", 0xffffffff, 1, 0xffffffff);
	AMO_ALL("amomin.w", "1 vs -1", 1, 0xffffffff, 0xffffffff);
	AMO_ALL("amomin.w", "INT_MIN vs INT_MAX", 0x7fffffff, 0x80000000, 0x80000000);
	AMO_ALL("amomin.w", "equal", 7, 7, 7);
	AMO_ALL("amomax.w", "-1 vs 1", 0xffffffff, 1, 1);
	AMO_ALL("amomax.w", "INT_MIN vs INT_MAX", 0x80000000, 0x7fffffff, 0x7fffffff);
	AMO_ALL("amomax.w", "-2 vs -1", 0xfffffffe, 0xffffffff, 0xffffffff);

	group("amominu.w/amomaxu.w (unsigned)");
	AMO_ALL("amominu.w", "0xffffffff vs 1", 0xffffffff, 1, 1);
	AMO_ALL("amominu.w", "0x80000000 vs 0x7fffffff", 0x80000000, 0x7fffffff, 0x7fffffff);
	AMO_ALL("amominu.w", "0 vs 0xffffffff", 0, 0xffffffff, 0);
	AMO_ALL("amomaxu.w", "0xffffffff vs 1", 1, 0xffffffff, 0xffffffff);
	AMO_ALL("amomaxu.w", "0x80000000 vs 0x7fffffff", 0x7fffffff, 0x80000000, 0x80000000);
	AMO_ALL("amomaxu.w", "equal", 9, 9, 9);

	group("amo register aliasing");
	uint32_t r = 5;
	word = 10;
	__asm__ volatile(NORVC("amoadd.w %0, %0, (%1)") : "+r"(r) : "r"(&word) : "memory");
	check("amoadd.w rd = rs2: rd gets the old value", r, 10);
	check("amoadd.w rd = rs2: sum uses the old rs2", word, 15);
	word = 3;
	__asm__ volatile(NORVC("amoswap.w x0, %0, (%1)") : : "r"(4u), "r"(&word) : "memory");
	check("amoswap.w with rd = x0 still stores", word, 4);
}

int main(void)
{
	test_lr_sc();
	test_amo();
	return isa_summary();
}
