/*
 * rv32m.c (isa_rv32m): conformance checks for the RV32M multiply and divide
 * instructions: every signedness combination of the high-half multiplies,
 * INT_MIN, -1 and 0xffffffff operands, division by zero (quotient all ones,
 * remainder the dividend) and the INT_MIN / -1 overflow (quotient INT_MIN,
 * remainder 0). Expected values follow the RISC-V unprivileged spec and are
 * written out by hand.
 */
#include <stdint.h>

#include "isa_check.h"

/* The same instruction with rd, rs1 and rs2 all one register. */
#define OP_SELF(op, a)                                                              \
	({                                                                          \
		uint32_t r_ = (a);                                                  \
		__asm__ volatile(NORVC(op " %0, %0, %0") : "+r"(r_));               \
		r_;                                                                 \
	})

static void test_mul(void)
{
	group("mul");
	check("3 * 7", OP_RR("mul", 3, 7), 0x15);
	check("-3 * 7", OP_RR("mul", 0xfffffffd, 7), 0xffffffeb);
	check("INT_MIN * -1", OP_RR("mul", 0x80000000, 0xffffffff), 0x80000000);
	check("-1 * -1", OP_RR("mul", 0xffffffff, 0xffffffff), 1);
	check("0x12345678 * 0x9abcdef0", OP_RR("mul", 0x12345678, 0x9abcdef0), 0x242d2080);
	check("INT_MAX * INT_MAX", OP_RR("mul", 0x7fffffff, 0x7fffffff), 1);
	check("0 * x", OP_RR("mul", 0, 0x12345678), 0);
	check("0x10000 * 0x10000", OP_RR("mul", 0x10000, 0x10000), 0);
	check("rd = rs1 = rs2", OP_SELF("mul", 0x10001), 0x00020001);

	group("mulh");
	check("3 * 7", OP_RR("mulh", 3, 7), 0);
	check("INT_MIN * INT_MIN", OP_RR("mulh", 0x80000000, 0x80000000), 0x40000000);
	check("-1 * -1", OP_RR("mulh", 0xffffffff, 0xffffffff), 0);
	check("-1 * 1", OP_RR("mulh", 0xffffffff, 1), 0xffffffff);
	check("INT_MAX * INT_MAX", OP_RR("mulh", 0x7fffffff, 0x7fffffff), 0x3fffffff);
	check("INT_MIN * -1", OP_RR("mulh", 0x80000000, 0xffffffff), 0);
	check("0x12345678 * 0x9abcdef0", OP_RR("mulh", 0x12345678, 0x9abcdef0), 0xf8cc93d6);
	check("INT_MIN * INT_MAX", OP_RR("mulh", 0x80000000, 0x7fffffff), 0xc0000000);

	group("mulhsu");
	check("-1 * 0xffffffff", OP_RR("mulhsu", 0xffffffff, 0xffffffff), 0xffffffff);
	check("INT_MIN * 0xffffffff", OP_RR("mulhsu", 0x80000000, 0xffffffff), 0x80000000);
	check("1 * 0xffffffff", OP_RR("mulhsu", 1, 0xffffffff), 0);
	check("0x12345678 * 0x9abcdef0", OP_RR("mulhsu", 0x12345678, 0x9abcdef0), 0x0b00ea4e);
	check("-1 * 1", OP_RR("mulhsu", 0xffffffff, 1), 0xffffffff);
	check("INT_MAX * 0xffffffff", OP_RR("mulhsu", 0x7fffffff, 0xffffffff), 0x7ffffffe);
	check("INT_MIN * 0x80000000", OP_RR("mulhsu", 0x80000000, 0x80000000), 0xc0000000);

	group("mulhu");
	check("0xffffffff * 0xffffffff", OP_RR("mulhu", 0xffffffff, 0xffffffff), 0xfffffffe);
	check("0x80000000 * 0x80000000", OP_RR("mulhu", 0x80000000, 0x80000000), 0x40000000);
	check("1 * 0xffffffff", OP_RR("mulhu", 1, 0xffffffff), 0);
	check("0x12345678 * 0x9abcdef0", OP_RR("mulhu", 0x12345678, 0x9abcdef0), 0x0b00ea4e);
	check("0x80000000 * 0xffffffff", OP_RR("mulhu", 0x80000000, 0xffffffff), 0x7fffffff);
	check("0xffffffff * 1", OP_RR("mulhu", 0xffffffff, 1), 0);
	check("rd = rs1 = rs2", OP_SELF("mulhu", 0xffffffff), 0xfffffffe);
}

static void test_div(void)
{
	group("div");
	check("7 / 2", OP_RR("div", 7, 2), 3);
	check("-7 / 2 truncates", OP_RR("div", 0xfffffff9, 2), 0xfffffffd);
	check("7 / -2", OP_RR("div", 7, 0xfffffffe), 0xfffffffd);
	check("-7 / -2", OP_RR("div", 0xfffffff9, 0xfffffffe), 3);
	check("5 / 0 = -1", OP_RR("div", 5, 0), 0xffffffff);
	check("0 / 0 = -1", OP_RR("div", 0, 0), 0xffffffff);
	check("-1 / 0 = -1", OP_RR("div", 0xffffffff, 0), 0xffffffff);
	check("INT_MIN / -1 = INT_MIN", OP_RR("div", 0x80000000, 0xffffffff), 0x80000000);
	check("INT_MIN / 1", OP_RR("div", 0x80000000, 1), 0x80000000);
	check("INT_MIN / 2", OP_RR("div", 0x80000000, 2), 0xc0000000);

	group("divu");
	check("7 / 2", OP_RR("divu", 7, 2), 3);
	check("0xffffffff / 2", OP_RR("divu", 0xffffffff, 2), 0x7fffffff);
	check("5 / 0 = 0xffffffff", OP_RR("divu", 5, 0), 0xffffffff);
	check("0 / 0 = 0xffffffff", OP_RR("divu", 0, 0), 0xffffffff);
	check("0x80000000 / 0xffffffff", OP_RR("divu", 0x80000000, 0xffffffff), 0);
	check("0xffffffff / 0xffffffff", OP_RR("divu", 0xffffffff, 0xffffffff), 1);
	check("0xffffffff / 1", OP_RR("divu", 0xffffffff, 1), 0xffffffff);
	check("rd = rs1 = rs2", OP_SELF("divu", 0x12345678), 1);

	group("rem");
	check("7 % 2", OP_RR("rem", 7, 2), 1);
	check("-7 % 2 takes the dividend's sign", OP_RR("rem", 0xfffffff9, 2), 0xffffffff);
	check("7 % -2", OP_RR("rem", 7, 0xfffffffe), 1);
	check("-7 % -2", OP_RR("rem", 0xfffffff9, 0xfffffffe), 0xffffffff);
	check("5 % 0 = 5", OP_RR("rem", 5, 0), 5);
	check("-5 % 0 = -5", OP_RR("rem", 0xfffffffb, 0), 0xfffffffb);
	check("INT_MIN % -1 = 0", OP_RR("rem", 0x80000000, 0xffffffff), 0);
	check("INT_MIN % 2", OP_RR("rem", 0x80000000, 2), 0);
	check("INT_MIN % 3", OP_RR("rem", 0x80000000, 3), 0xfffffffe);

	group("remu");
	check("0xffffffff % 10", OP_RR("remu", 0xffffffff, 10), 5);
	check("7 % 2", OP_RR("remu", 7, 2), 1);
	check("5 % 0 = 5", OP_RR("remu", 5, 0), 5);
	check("0 % 0 = 0", OP_RR("remu", 0, 0), 0);
	check("0x80000000 % 0xffffffff", OP_RR("remu", 0x80000000, 0xffffffff), 0x80000000);
	check("0xffffffff % 0xffffffff", OP_RR("remu", 0xffffffff, 0xffffffff), 0);
	check("0x80000000 % 3", OP_RR("remu", 0x80000000, 3), 2);
	check("rd = rs1 = rs2", OP_SELF("remu", 0x12345678), 0);
}

int main(void)
{
	test_mul();
	test_div();
	return isa_summary();
}
