/**
 * RV32IMAC instruction semantics of the U-mode hart (machine/cpu.ts), with encoded instructions
 * placed in RAM: RV32I arithmetic, compares, jumps, branches, loads and stores (including
 * misaligned ones and ones that cross into an unmapped page), the M and A extensions, the
 * Zicsr user counters, every trap's scause/stval/sepc, budget exhaustion, and the compressed
 * instruction table (machine/rvc.ts) against hand-written expansions. Expected values are
 * worked out by hand from the RISC-V specifications; compressed encodings were cross-checked
 * with GNU as.
 */

import assert from "node:assert/strict";
import { CAUSE, RUN_BUDGET, RUN_TRAP } from "../../machine/cpu.ts";
import { PTE_R, PTE_U, PTE_W, PTE_X } from "../../machine/mmu.ts";
import { HS } from "../../machine/hart_state.ts";
import { CLINT_BASE, RAM_BASE } from "../../machine/memory_map.ts";
import { compressedTable, expand } from "../../machine/rvc.ts";
import * as A from "../helpers/asm.ts";
import { Bench, CODE_PA, CODE_VA, DATA_PA, DATA_VA, half } from "../helpers/hart_fixture.ts";

type Op = (rd: number, rs1: number, rs2: number) => number;

/** Runs `op x3, x1, x2` for every [a, b, expected] row and checks x3. */
function checkRType(name: string, op: Op, rows: Array<[number, number, number]>): void {
  const b = new Bench();
  for (const [x, y, want] of rows) {
    b.exec([op(3, 1, 2)], { 1: x, 2: y });
    assert.equal(
      b.reg(3),
      want >>> 0,
      `${name}(0x${(x >>> 0).toString(16)}, 0x${(y >>> 0).toString(16)})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// RV32I

Deno.test("RV32I: ADD/SUB wrap around modulo 2^32", () => {
  checkRType("add", A.add, [
    [1, 2, 3],
    [0x7fff_ffff, 1, 0x8000_0000],
    [0xffff_ffff, 1, 0],
    [0xffff_fffe, 0xffff_fffe, 0xffff_fffc],
  ]);
  checkRType("sub", A.sub, [
    [5, 3, 2],
    [0, 1, 0xffff_ffff],
    [0x8000_0000, 1, 0x7fff_ffff],
    [5, 0xffff_fffb, 10],
  ]);
});

Deno.test("RV32I: XOR/OR/AND on register operands", () => {
  checkRType("xor", A.xor, [[0xff00_ff00, 0x0ff0_0ff0, 0xf0f0_f0f0]]);
  checkRType("or", A.or, [[0xff00_ff00, 0x0ff0_0ff0, 0xfff0_fff0]]);
  checkRType("and", A.and, [[0xff00_ff00, 0x0ff0_0ff0, 0x0f00_0f00]]);
});

Deno.test("RV32I: SLL/SRL/SRA use only the low 5 bits of rs2", () => {
  checkRType("sll", A.sll, [
    [1, 31, 0x8000_0000],
    [0x1234_5678, 4, 0x2345_6780],
    [0x1234_5678, 36, 0x2345_6780], // 36 & 31 = 4
    [0x1234_5678, 32, 0x1234_5678], // 32 & 31 = 0
    [1, 0xffff_ffe1, 2], // low five bits = 1
  ]);
  checkRType("srl", A.srl, [
    [0x8000_0000, 31, 1],
    [0xf000_0000, 0x44, 0x0f00_0000], // 0x44 & 31 = 4
    [0x8000_0000, 0xffff_ffe0, 0x8000_0000], // shift by 0
  ]);
  checkRType("sra", A.sra, [
    [0x8000_0000, 31, 0xffff_ffff],
    [0x8000_0000, 33, 0xc000_0000], // 33 & 31 = 1
    [0x7fff_ffff, 30, 1],
    [0xf000_0000, 0xffff_fffc, 0xffff_ffff], // shift by 28
    [0x8000_0000, 32, 0x8000_0000],
  ]);
});

Deno.test("RV32I: SLT is signed and SLTU unsigned", () => {
  checkRType("slt", A.slt, [
    [0xffff_ffff, 1, 1], // -1 < 1
    [1, 0xffff_ffff, 0],
    [0x8000_0000, 0x7fff_ffff, 1],
    [5, 5, 0],
  ]);
  checkRType("sltu", A.sltu, [
    [0xffff_ffff, 1, 0],
    [1, 0xffff_ffff, 1],
    [0x8000_0000, 0x7fff_ffff, 0],
    [0, 0, 0],
    [0, 1, 1],
  ]);
});

Deno.test("RV32I: immediate arithmetic, logic and shifts (12-bit sign-extended immediates)", () => {
  const b = new Bench();
  const rows: Array<[string, number, number, number]> = [
    ["addi +1", A.addi(3, 1, 1), 0x7fff_ffff, 0x8000_0000],
    ["addi -2048", A.addi(3, 1, -2048), 5, 0xffff_f805],
    ["addi 2047", A.addi(3, 1, 2047), 1, 0x800],
    ["xori -1 (not)", A.xori(3, 1, -1), 0x1234_5678, 0xedcb_a987],
    ["xori 0x7ff", A.xori(3, 1, 0x7ff), 0xffff_ffff, 0xffff_f800],
    ["ori 0x7ff", A.ori(3, 1, 0x7ff), 0x1234_0000, 0x1234_07ff],
    ["ori -2048", A.ori(3, 1, -2048), 0, 0xffff_f800],
    ["andi 0xff", A.andi(3, 1, 0xff), 0x1234_5678, 0x78],
    ["andi -16", A.andi(3, 1, -16), 0xffff_ffff, 0xffff_fff0],
    ["slli 31", A.slli(3, 1, 31), 1, 0x8000_0000],
    ["slli 4", A.slli(3, 1, 4), 0x1234_5678, 0x2345_6780],
    ["srli 31", A.srli(3, 1, 31), 0x8000_0000, 1],
    ["srli 4", A.srli(3, 1, 4), 0xf000_0000, 0x0f00_0000],
    ["srai 4", A.srai(3, 1, 4), 0x8000_0000, 0xf800_0000],
    ["srai 31", A.srai(3, 1, 31), 0x7fff_ffff, 0],
    ["srai 0", A.srai(3, 1, 0), 0x8000_0001, 0x8000_0001],
  ];
  for (const [name, insn, a, want] of rows) {
    b.exec([insn], { 1: a });
    assert.equal(b.reg(3), want, name);
  }
});

Deno.test("RV32I: SLTI is signed; SLTIU compares against the sign-extended immediate unsigned", () => {
  const b = new Bench();
  const rows: Array<[string, number, number, number]> = [
    ["slti -1 < 0", A.slti(3, 1, 0), 0xffff_ffff, 1],
    ["slti 0 < -1", A.slti(3, 1, -1), 0, 0],
    ["slti INT_MIN < -2048", A.slti(3, 1, -2048), 0x8000_0000, 1],
    ["slti 5 < 5", A.slti(3, 1, 5), 5, 0],
    ["slti 4 < 5", A.slti(3, 1, 5), 4, 1],
    ["sltiu 0 < 0xffffffff (imm -1)", A.sltiu(3, 1, -1), 0, 1],
    ["sltiu 0xfffffffe < 0xffffffff (imm -1)", A.sltiu(3, 1, -1), 0xffff_fffe, 1],
    ["sltiu 0xffffffff < 0xffffffff (imm -1)", A.sltiu(3, 1, -1), 0xffff_ffff, 0],
    ["sltiu 0 < 1 (seqz)", A.sltiu(3, 1, 1), 0, 1],
    ["sltiu 7 < 1 (seqz)", A.sltiu(3, 1, 1), 7, 0],
    ["sltiu 0x7ff < 0xfffff800 (imm -2048)", A.sltiu(3, 1, -2048), 0x7ff, 1],
  ];
  for (const [name, insn, a, want] of rows) {
    b.exec([insn], { 1: a });
    assert.equal(b.reg(3), want, name);
  }
});

Deno.test("RV32I: shift-immediates with imm[5] set are reserved on RV32 (illegal)", () => {
  const b = new Bench();
  for (
    const insn of [A.i(0x021, 1, 1, 3, 0x13), A.i(0x020, 1, 5, 3, 0x13), A.i(0x421, 1, 5, 3, 0x13)]
  ) {
    b.expectTrap([insn], { cause: CAUSE.ILLEGAL_INSTRUCTION, stval: insn, sepc: b.code });
  }
});

Deno.test("RV32I: LUI and AUIPC", () => {
  const b = new Bench();
  b.exec([A.lui(5, 0x12345), A.lui(6, 0xfffff), A.auipc(7, 0), A.auipc(8, 1), A.auipc(9, 0xfffff)]);
  assert.equal(b.reg(5), 0x1234_5000);
  assert.equal(b.reg(6), 0xffff_f000);
  assert.equal(b.reg(7), CODE_PA + 8);
  assert.equal(b.reg(8), CODE_PA + 12 + 0x1000);
  assert.equal(b.reg(9), CODE_PA + 16 - 0x1000);
});

Deno.test("RV32I: JAL links pc+4 and jumps forward and backward", () => {
  const b = new Bench();
  // 0: jal x1, +12 -> 12      4: addi x5,x0,1 (skipped)   8: jal x0, +12 -> 20
  // 12: jal x2, -4 -> 8       16: addi x6,x0,1 (skipped)  20: ecall
  b.exec([
    A.jal(1, 12),
    A.addi(5, 0, 1),
    A.jal(0, 12),
    A.jal(2, -4),
    A.addi(6, 0, 1),
  ]);
  assert.equal(b.reg(1), CODE_PA + 4);
  assert.equal(b.reg(2), CODE_PA + 16);
  assert.equal(b.reg(5), 0);
  assert.equal(b.reg(6), 0);
  assert.equal(b.cpu.instret, 3);
});

Deno.test("RV32I: JALR clears bit 0 of the target, links pc+4, and reads rs1 before writing rd", () => {
  const b = new Bench();
  // Target + 1 with imm 0: the low bit is dropped.
  b.exec([A.jalr(1, 5, 0), A.addi(6, 0, 1)], { 5: CODE_PA + 8 + 1 });
  assert.equal(b.reg(1), CODE_PA + 4);
  assert.equal(b.reg(6), 0);
  // Negative immediate, odd sum.
  b.exec([A.jalr(1, 5, -3), A.addi(6, 0, 1)], { 5: CODE_PA + 8 + 3 });
  assert.equal(b.reg(1), CODE_PA + 4);
  assert.equal(b.reg(6), 0);
  // rd == rs1: jumps to the old value, then holds the link.
  b.exec([A.jalr(5, 5, 1), A.addi(6, 0, 1)], { 5: CODE_PA + 8 });
  assert.equal(b.reg(5), CODE_PA + 4);
  assert.equal(b.reg(6), 0);
  // rd = x0: a plain jump.
  b.exec([A.jalr(0, 5, 0), A.addi(6, 0, 1)], { 5: CODE_PA + 8 });
  assert.equal(b.reg(6), 0);
});

Deno.test("RV32I: every branch taken and not taken, signed vs unsigned", () => {
  const b = new Bench();
  type Br = (rs1: number, rs2: number, imm: number) => number;
  const rows: Array<[string, Br, number, number, boolean]> = [
    ["beq 5,5", A.beq, 5, 5, true],
    ["beq 5,6", A.beq, 5, 6, false],
    ["bne 5,6", A.bne, 5, 6, true],
    ["bne 5,5", A.bne, 5, 5, false],
    ["blt -1,1", A.blt, -1, 1, true],
    ["blt 1,-1", A.blt, 1, -1, false],
    ["blt 5,5", A.blt, 5, 5, false],
    ["blt INT_MIN,1", A.blt, 0x8000_0000, 1, true],
    ["bge 1,-1", A.bge, 1, -1, true],
    ["bge 5,5", A.bge, 5, 5, true],
    ["bge -1,1", A.bge, -1, 1, false],
    ["bge INT_MIN,1", A.bge, 0x8000_0000, 1, false],
    ["bltu 1,0xffffffff", A.bltu, 1, 0xffff_ffff, true],
    ["bltu 0xffffffff,1", A.bltu, 0xffff_ffff, 1, false],
    ["bltu 5,5", A.bltu, 5, 5, false],
    ["bltu INT_MIN,1", A.bltu, 0x8000_0000, 1, false],
    ["bgeu 0xffffffff,1", A.bgeu, 0xffff_ffff, 1, true],
    ["bgeu 1,1", A.bgeu, 1, 1, true],
    ["bgeu 1,0xffffffff", A.bgeu, 1, 0xffff_ffff, false],
    ["bgeu INT_MIN,1", A.bgeu, 0x8000_0000, 1, true],
  ];
  for (const [name, br, x, y, taken] of rows) {
    // 0: branch +8    4: addi x3, x0, 1 (runs only when not taken)    8: ecall
    b.exec([br(1, 2, 8), A.addi(3, 0, 1)], { 1: x, 2: y });
    assert.equal(b.reg(3), taken ? 0 : 1, name);
  }
  // A backward branch: count down from 3.
  b.exec([A.addi(5, 0, 3), A.addi(6, 6, 1), A.addi(5, 5, -1), A.bne(5, 0, -8)]);
  assert.equal(b.reg(6), 3);
});

Deno.test("RV32I: loads sign- or zero-extend", () => {
  const b = new Bench();
  b.poke(DATA_PA, [0x81, 0x82, 0x83, 0x84, 0x7f, 0x00, 0xff, 0x7f]);
  b.exec([
    A.lb(5, 10, 0),
    A.lbu(6, 10, 0),
    A.lh(7, 10, 0),
    A.lhu(8, 10, 0),
    A.lw(9, 10, 0),
    A.lb(11, 10, 4),
    A.lh(12, 10, 4),
    A.lh(13, 10, 6),
    A.lw(14, 10, 4),
    A.lw(15, 16, -4),
    A.lbu(17, 16, -2),
  ], { 10: DATA_PA, 16: DATA_PA + 8 });
  assert.equal(b.reg(5), 0xffff_ff81);
  assert.equal(b.reg(6), 0x81);
  assert.equal(b.reg(7), 0xffff_8281);
  assert.equal(b.reg(8), 0x8281);
  assert.equal(b.reg(9), 0x8483_8281);
  assert.equal(b.reg(11), 0x7f);
  assert.equal(b.reg(12), 0x007f);
  assert.equal(b.reg(13), 0x7fff);
  assert.equal(b.reg(14), 0x7fff_007f);
  assert.equal(b.reg(15), 0x7fff_007f);
  assert.equal(b.reg(17), 0xff);
});

Deno.test("RV32I: stores write exactly 1, 2 or 4 little-endian bytes", () => {
  const b = new Bench();
  b.poke(DATA_PA, new Array(16).fill(0xaa));
  b.exec([A.sb(2, 10, 1), A.sh(2, 10, 4), A.sw(2, 10, 8), A.sb(2, 11, -1)], {
    2: 0x1234_5678,
    10: DATA_PA,
    11: DATA_PA + 16,
  });
  assert.deepEqual(b.peek(DATA_PA, 16), [
    0xaa,
    0x78,
    0xaa,
    0xaa,
    0x78,
    0x56,
    0xaa,
    0xaa,
    0x78,
    0x56,
    0x34,
    0x12,
    0xaa,
    0xaa,
    0xaa,
    0x78,
  ]);
});

Deno.test("RV32I: misaligned loads and stores are performed in place", () => {
  const b = new Bench();
  const bytes = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc];
  b.poke(DATA_PA, bytes);
  b.exec([
    A.lw(5, 10, 1),
    A.lw(6, 10, 3),
    A.lh(7, 10, 7),
    A.lhu(8, 10, 7),
    A.lh(9, 10, 1),
  ], { 10: DATA_PA });
  assert.equal(b.reg(5), 0x5544_3322);
  assert.equal(b.reg(6), 0x7766_5544);
  assert.equal(b.reg(7), 0xffff_9988);
  assert.equal(b.reg(8), 0x9988);
  assert.equal(b.reg(9), 0x3322);
  b.exec([A.sw(2, 10, 1), A.sh(3, 10, 7)], { 2: 0xdead_beef, 3: 0xcafe, 10: DATA_PA });
  assert.deepEqual(b.peek(DATA_PA, 12), [
    0x11,
    0xef,
    0xbe,
    0xad,
    0xde,
    0x66,
    0x77,
    0xfe,
    0xca,
    0xaa,
    0xbb,
    0xcc,
  ]);
});

Deno.test("RV32I: a misaligned access spanning two mapped pages uses both translations", () => {
  const b = new Bench({ paged: true });
  // DATA_VA -> DATA_PA and DATA_VA + 0x1000 -> a frame *below* it: physically discontiguous.
  const next = RAM_BASE + 0x5000;
  b.pt!.map(DATA_VA + 0x1000, next, PTE_R | PTE_W | PTE_U);
  b.poke(DATA_PA + 0xffc, [0x01, 0x02, 0x03, 0x04]);
  b.poke(next, [0x05, 0x06, 0x07, 0x08]);
  b.exec([A.lw(5, 10, 0xffe - 0x800), A.lh(6, 10, 0xfff - 0x800)], { 10: DATA_VA + 0x800 });
  assert.equal(b.reg(5), 0x0605_0403);
  assert.equal(b.reg(6), 0x0504);
  b.exec([A.sw(2, 10, 0xffd - 0x800)], { 2: 0xa1b2_c3d4, 10: DATA_VA + 0x800 });
  assert.deepEqual(b.peek(DATA_PA + 0xffc, 4), [0x01, 0xd4, 0xc3, 0xb2]);
  assert.deepEqual(b.peek(next, 4), [0xa1, 0x06, 0x07, 0x08]);
});

Deno.test("RV32I: a misaligned load crossing into an unmapped page faults at the first byte there", () => {
  const b = new Bench({ paged: true });
  const boundary = DATA_VA + 0x1000; // unmapped
  const cases: Array<[string, number]> = [
    ["lw at boundary-2", A.lw(5, 10, -2)],
    ["lw at boundary-1", A.lw(5, 10, -1)],
    ["lw at boundary-3", A.lw(5, 10, -3)],
    ["lh at boundary-1", A.lh(5, 10, -1)],
    ["lhu at boundary-1", A.lhu(5, 10, -1)],
  ];
  // Collect every case first so that a failure shows them all.
  const got = cases.map(([name, insn]) => {
    const result = b.start([insn], { 5: 0x5555, 10: boundary });
    return { name, result, ...b.trap(), rd: b.reg(5) };
  });
  const want = cases.map(([name]) => ({
    name,
    result: RUN_TRAP,
    cause: CAUSE.LOAD_PAGE_FAULT,
    stval: boundary, // the address of the part of the access that faulted
    sepc: CODE_VA,
    rd: 0x5555, // not written
  }));
  assert.deepEqual(got, want);
});

Deno.test("RV32I: a misaligned store crossing into an unmapped page faults and writes nothing", () => {
  const b = new Bench({ paged: true });
  const boundary = DATA_VA + 0x1000; // unmapped
  for (
    const [name, insn] of [
      ["sw at boundary-2", A.sw(2, 10, -2)],
      ["sw at boundary-1", A.sw(2, 10, -1)],
      ["sw at boundary-3", A.sw(2, 10, -3)],
      ["sh at boundary-1", A.sh(2, 10, -1)],
    ] as Array<[string, number]>
  ) {
    b.poke(DATA_PA + 0xffc, [0x11, 0x22, 0x33, 0x44]);
    assert.equal(b.start([insn], { 2: 0xa1b2_c3d4, 10: boundary }), RUN_TRAP, name);
    assert.deepEqual(
      b.trap(),
      { cause: CAUSE.STORE_PAGE_FAULT, stval: boundary, sepc: CODE_VA },
      name,
    );
    assert.deepEqual(b.peek(DATA_PA + 0xffc, 4), [0x11, 0x22, 0x33, 0x44], `${name}: memory`);
  }
});

Deno.test("RV32I: writes to x0 are discarded", () => {
  const b = new Bench();
  b.setWord(DATA_PA, 0x1234_5678);
  b.exec([
    A.addi(0, 0, 5),
    A.add(5, 0, 0),
    A.lui(0, 0x12345),
    A.or(6, 0, 0),
    A.lw(0, 10, 0),
    A.add(7, 0, 0),
    A.jal(0, 4),
    A.amoaddW(0, 10, 11),
    A.add(8, 0, 0),
    A.rdcycle(0),
    A.auipc(0, 1),
    A.addi(9, 0, 0),
  ], { 5: 99, 6: 99, 7: 99, 8: 99, 9: 99, 10: DATA_PA, 11: 1 });
  for (const r of [0, 5, 6, 7, 8, 9]) assert.equal(b.reg(r), 0, `x${r}`);
  assert.equal(b.word(DATA_PA), 0x1234_5679, "the AMO still updated memory");
});

Deno.test("RV32I: FENCE and FENCE.I execute as no-ops", () => {
  const b = new Bench();
  b.exec([A.fence(), 0x0000_100f, A.addi(5, 0, 7)]);
  assert.equal(b.reg(5), 7);
});

// ---------------------------------------------------------------------------------------------
// M extension

const INT_MIN = 0x8000_0000;

Deno.test("M: MUL returns the low 32 bits of the product", () => {
  checkRType("mul", A.mul, [
    [7, -3, 0xffff_ffeb],
    [INT_MIN, 0xffff_ffff, 0x8000_0000],
    [0xffff_ffff, 0xffff_ffff, 1],
    [0x1_0000, 0x1_0000, 0],
    [0x1_0001, 0x1_0001, 0x0002_0001],
    [0x1234_5678, 0, 0],
  ]);
});

Deno.test("M: MULH/MULHSU/MULHU high halves for every sign combination", () => {
  checkRType("mulh", A.mulh, [
    [INT_MIN, INT_MIN, 0x4000_0000], // 2^62
    [INT_MIN, 0xffff_ffff, 0], // -2^31 * -1 = 2^31
    [0xffff_ffff, 0xffff_ffff, 0], // 1
    [0xffff_ffff, 1, 0xffff_ffff], // -1
    [INT_MIN, 1, 0xffff_ffff],
    [0x7fff_ffff, 0x7fff_ffff, 0x3fff_ffff],
    [0x7fff_ffff, INT_MIN, 0xc000_0000], // -2^62 + 2^31
    [0, INT_MIN, 0],
  ]);
  checkRType("mulhsu", A.mulhsu, [
    [0xffff_ffff, 0xffff_ffff, 0xffff_ffff], // -1 * (2^32-1)
    [INT_MIN, 0xffff_ffff, 0x8000_0000], // -2^31 * (2^32-1) = -2^63 + 2^31
    [INT_MIN, INT_MIN, 0xc000_0000], // -2^31 * 2^31 = -2^62
    [1, 0xffff_ffff, 0],
    [0x7fff_ffff, 0xffff_ffff, 0x7fff_fffe],
    [0xffff_ffff, 0, 0],
    [0xffff_ffff, 1, 0xffff_ffff],
  ]);
  checkRType("mulhu", A.mulhu, [
    [0xffff_ffff, 0xffff_ffff, 0xffff_fffe],
    [INT_MIN, INT_MIN, 0x4000_0000],
    [0xffff_ffff, INT_MIN, 0x7fff_ffff],
    [0x1_0000, 0x1_0000, 1],
    [0xffff_ffff, 1, 0],
    [0xffff_ffff, 0, 0],
  ]);
});

Deno.test("M: DIV/DIVU/REM/REMU including division by zero and INT_MIN / -1", () => {
  checkRType("div", A.div, [
    [7, 2, 3],
    [-7, 2, 0xffff_fffd],
    [7, -2, 0xffff_fffd],
    [-7, -2, 3],
    [5, 0, 0xffff_ffff],
    [0, 0, 0xffff_ffff],
    [INT_MIN, 0, 0xffff_ffff],
    [INT_MIN, -1, INT_MIN],
    [INT_MIN, 1, INT_MIN],
  ]);
  checkRType("divu", A.divu, [
    [0xffff_ffff, 2, 0x7fff_ffff],
    [0xffff_ffff, 10, 0x1999_9999],
    [INT_MIN, 0xffff_ffff, 0],
    [7, 0, 0xffff_ffff],
    [0, 0, 0xffff_ffff],
  ]);
  checkRType("rem", A.rem, [
    [7, 2, 1],
    [-7, 2, 0xffff_ffff],
    [7, -2, 1],
    [-7, -2, 0xffff_ffff],
    [-6, 3, 0],
    [5, 0, 5],
    [INT_MIN, 0, INT_MIN],
    [INT_MIN, -1, 0],
  ]);
  checkRType("remu", A.remu, [
    [0xffff_ffff, 10, 5],
    [7, 0, 7],
    [INT_MIN, 0xffff_ffff, INT_MIN],
    [0xffff_ffff, 0xffff_ffff, 0],
  ]);
});

// ---------------------------------------------------------------------------------------------
// A extension

Deno.test("A: LR/SC succeeds with no intervening store", () => {
  const b = new Bench();
  b.setWord(DATA_PA, 41);
  b.exec([A.lrW(5, 10), A.addi(5, 5, 1), A.scW(6, 10, 5)], { 6: 99, 10: DATA_PA });
  assert.equal(b.reg(5), 42);
  assert.equal(b.reg(6), 0, "sc.w writes 0 on success");
  assert.equal(b.word(DATA_PA), 42);
});

Deno.test("A: SC without a reservation fails and does not write", () => {
  const b = new Bench();
  b.setWord(DATA_PA, 41);
  b.exec([A.scW(6, 10, 5)], { 5: 7, 10: DATA_PA });
  assert.notEqual(b.reg(6), 0, "sc.w writes nonzero on failure");
  assert.equal(b.word(DATA_PA), 41);
  // A reservation is used up by an SC: the second SC fails.
  b.exec([A.lrW(5, 10), A.scW(6, 10, 7), A.scW(8, 10, 9)], { 7: 1, 9: 2, 10: DATA_PA });
  assert.equal(b.reg(6), 0);
  assert.notEqual(b.reg(8), 0);
  assert.equal(b.word(DATA_PA), 1);
});

Deno.test("A: SC fails after an intervening store of a different value", () => {
  const b = new Bench();
  b.setWord(DATA_PA, 41);
  b.exec([A.lrW(5, 10), A.sw(6, 10, 0), A.scW(7, 10, 8)], { 6: 100, 8: 200, 10: DATA_PA });
  assert.equal(b.reg(5), 41);
  assert.notEqual(b.reg(7), 0);
  assert.equal(b.word(DATA_PA), 100);
});

Deno.test("A: SC fails after another agent changes the word between runs", () => {
  const b = new Bench();
  b.setWord(DATA_PA, 41);
  assert.equal(b.start([A.lrW(5, 10), A.scW(7, 10, 8), A.ecall()], { 8: 200, 10: DATA_PA }, 1), 0);
  b.setWord(DATA_PA, 300); // e.g. another hart
  assert.equal(b.cpu.run(10), RUN_TRAP);
  assert.equal(b.trap().cause, CAUSE.ECALL_FROM_U);
  assert.notEqual(b.reg(7), 0);
  assert.equal(b.word(DATA_PA), 300);
});

Deno.test("A: SC to a different address than the LR fails", () => {
  const b = new Bench();
  b.setWord(DATA_PA, 41);
  b.setWord(DATA_PA + 4, 51);
  b.exec([A.lrW(5, 10), A.scW(7, 11, 8)], { 8: 200, 10: DATA_PA, 11: DATA_PA + 4 });
  assert.notEqual(b.reg(7), 0);
  assert.equal(b.word(DATA_PA), 41);
  assert.equal(b.word(DATA_PA + 4), 51);
});

Deno.test("A: every AMO returns the old value and stores the right result", () => {
  const b = new Bench();
  type Amo = (rd: number, rs1: number, rs2: number) => number;
  const rows: Array<[string, Amo, number, number, number]> = [
    // name, op, memory before, rs2, memory after (rd gets memory before)
    ["amoswap", A.amoswapW, 0x1111_1111, 0x2222_2222, 0x2222_2222],
    ["amoadd", A.amoaddW, 0x7fff_ffff, 1, 0x8000_0000],
    ["amoadd wrap", A.amoaddW, 0xffff_ffff, 2, 1],
    ["amoxor", A.amoxorW, 0xff00_ff00, 0x0ff0_0ff0, 0xf0f0_f0f0],
    ["amoand", A.amoandW, 0xff00_ff00, 0x0ff0_0ff0, 0x0f00_0f00],
    ["amoor", A.amoorW, 0xff00_ff00, 0x0ff0_0ff0, 0xfff0_fff0],
    ["amomin -1,1", A.amominW, 0xffff_ffff, 1, 0xffff_ffff],
    ["amomin INT_MIN,INT_MAX", A.amominW, INT_MIN, 0x7fff_ffff, INT_MIN],
    ["amomin 5,3", A.amominW, 5, 3, 3],
    ["amomax -1,1", A.amomaxW, 0xffff_ffff, 1, 1],
    ["amomax INT_MIN,INT_MAX", A.amomaxW, INT_MIN, 0x7fff_ffff, 0x7fff_ffff],
    ["amominu 0xffffffff,1", A.amominuW, 0xffff_ffff, 1, 1],
    ["amominu INT_MIN,INT_MAX", A.amominuW, INT_MIN, 0x7fff_ffff, 0x7fff_ffff],
    ["amomaxu 0xffffffff,1", A.amomaxuW, 0xffff_ffff, 1, 0xffff_ffff],
    ["amomaxu INT_MIN,INT_MAX", A.amomaxuW, INT_MIN, 0x7fff_ffff, INT_MIN],
  ];
  for (const [name, op, before, operand, after] of rows) {
    b.setWord(DATA_PA + 8, before);
    b.exec([op(12, 10, 11)], { 10: DATA_PA + 8, 11: operand });
    assert.equal(b.reg(12), before >>> 0, `${name}: rd`);
    assert.equal(b.word(DATA_PA + 8), after >>> 0, `${name}: memory`);
    assert.equal(b.reg(11), operand >>> 0, `${name}: rs2 unchanged`);
  }
  // rd == rs2: the old value lands in rd after the operand was read.
  b.setWord(DATA_PA, 5);
  b.exec([A.amoswapW(11, 10, 11)], { 10: DATA_PA, 11: 9 });
  assert.equal(b.reg(11), 5);
  assert.equal(b.word(DATA_PA), 9);
});

Deno.test("A: misaligned AMO/SC raise store misaligned (6), misaligned LR load misaligned (4)", () => {
  const b = new Bench();
  b.setWord(DATA_PA, 0x0102_0304);
  b.setWord(DATA_PA + 4, 0x0506_0708);
  for (
    const [name, insn, addr] of [
      ["amoadd +2", A.amoaddW(5, 10, 11), DATA_PA + 2],
      ["amoswap +1", A.amoswapW(5, 10, 11), DATA_PA + 1],
      ["amomaxu +3", A.amomaxuW(5, 10, 11), DATA_PA + 3],
      ["sc +2", A.scW(5, 10, 11), DATA_PA + 2],
    ] as Array<[string, number, number]>
  ) {
    b.expectTrap([insn], { cause: CAUSE.STORE_ADDRESS_MISALIGNED, stval: addr, sepc: b.code }, {
      10: addr,
      11: -1,
    });
    assert.equal(b.word(DATA_PA), 0x0102_0304, name);
    assert.equal(b.word(DATA_PA + 4), 0x0506_0708, name);
  }
  b.expectTrap([A.lrW(5, 10)], {
    cause: CAUSE.LOAD_ADDRESS_MISALIGNED,
    stval: DATA_PA + 2,
    sepc: b.code,
  }, { 10: DATA_PA + 2 });
});

// ---------------------------------------------------------------------------------------------
// Zicsr counters

Deno.test("Zicsr: rdinstret/rdcycle count exactly the instructions retired before them", () => {
  const program = [
    A.addi(7, 0, 10), // 1 instruction
    A.addi(7, 7, -1), // loop: 10 times
    A.bne(7, 0, -4), //        10 times
    A.rdinstret(5), // retired before it: 1 + 20 = 21
    A.rdcycle(6), // 22
    A.csrrs(8, A.CSR_INSTRETH, 0), // 0
    A.csrrs(9, A.CSR_CYCLEH, 0), // 0
  ];
  const b = new Bench();
  b.exec(program, { 8: 99, 9: 99 });
  assert.equal(b.reg(5), 21);
  assert.equal(b.reg(6), 22);
  assert.equal(b.reg(8), 0);
  assert.equal(b.reg(9), 0);
  assert.equal(b.cpu.instret, 25, "ecall does not retire");
  // The count carries across runs: this program starts after 25 retired instructions.
  b.exec([A.addi(0, 0, 0), A.rdinstret(5)]);
  assert.equal(b.reg(5), 26);
  assert.equal(b.cpu.instret, 27);

  // Split into several small runs, the counts are the same.
  const c = new Bench();
  assert.equal(c.start([...program, A.ecall()], { 8: 99 }, 7), RUN_BUDGET);
  assert.equal(c.cpu.instret, 7);
  for (let guard = 0; guard < 10 && c.cpu.run(3) === RUN_BUDGET; guard++) { /* step */ }
  assert.equal(c.trap().cause, CAUSE.ECALL_FROM_U);
  assert.equal(c.reg(5), 21);
  assert.equal(c.reg(6), 22);
  assert.equal(c.cpu.instret, 25);
});

Deno.test("Zicsr: instret and cycle are 64-bit counters (the high halves carry)", () => {
  const b = new Bench();
  const words = new Int32Array(b.m.hartState);
  words[HS.INSTRET_LO] = 0xffff_fffe; // instret = 2^32 - 2
  words[HS.INSTRET_HI] = 0;
  b.exec([
    A.csrrs(6, A.CSR_INSTRETH, 0), // executes with 2^32 - 2 retired before it: high 0
    A.rdinstret(5), // 2^32 - 1: low 0xffffffff
    A.csrrs(7, A.CSR_INSTRETH, 0), // 2^32: high 1
    A.rdcycle(8), // 2^32 + 1: low 1
    A.csrrs(9, A.CSR_CYCLEH, 0), // 2^32 + 2: high 1
  ], { 6: 99 });
  assert.deepEqual([b.reg(6), b.reg(5), b.reg(7), b.reg(8), b.reg(9)], [0, 0xffff_ffff, 1, 1, 1]);
  assert.equal(b.cpu.instret, 2 ** 32 + 3);
});

Deno.test("Zicsr: rdtime reads the CLINT's mtime (with timeh)", () => {
  const b = new Bench();
  b.m.clock.advance(123_456);
  b.exec([
    A.rdtime(5),
    A.csrrs(6, A.CSR_TIMEH, 0),
    A.lui(10, (CLINT_BASE + 0xc000) >>> 12),
    A.lw(7, 10, -8),
  ], {
    6: 99,
  });
  assert.equal(b.reg(5), 123_456);
  assert.equal(b.reg(6), 0);
  assert.equal(b.reg(7), 123_456, "the same value through the CLINT's mtime register");
  b.m.clock.advance(2 ** 32 - 123_456 + 7); // mtime = 2^32 + 7
  b.exec([A.rdtime(5), A.csrrs(6, A.CSR_TIMEH, 0)]);
  assert.equal(b.reg(5), 7);
  assert.equal(b.reg(6), 1);
});

Deno.test("Zicsr: the counters are read-only; only non-writing forms are legal", () => {
  const b = new Bench();
  const illegal = [
    A.csrrw(0, A.CSR_CYCLE, 5),
    A.csrrw(5, A.CSR_INSTRET, 0), // csrrw always writes, even from x0
    A.csrrs(5, A.CSR_CYCLE, 6), // rs1 != x0 writes
    A.csrrc(5, A.CSR_TIME, 6),
    A.csrrwi(5, A.CSR_CYCLE, 0),
    A.csrrsi(5, A.CSR_INSTRET, 1),
    A.csrrci(5, A.CSR_TIME, 1),
    A.csrrs(5, A.CSR_TIMEH, 1),
  ];
  for (const insn of illegal) {
    b.expectTrap([insn], { cause: CAUSE.ILLEGAL_INSTRUCTION, stval: insn, sepc: b.code }, {
      5: 1,
      6: 1,
    });
  }
  b.m.clock.advance(77);
  b.exec([
    A.csrrc(5, A.CSR_TIME, 0),
    A.csrrsi(6, A.CSR_TIME, 0),
    A.csrrci(7, A.CSR_TIME, 0),
  ]);
  assert.deepEqual([b.reg(5), b.reg(6), b.reg(7)], [77, 77, 77]);
});

Deno.test("Zicsr: unknown or higher-privilege CSRs are illegal", () => {
  const b = new Bench();
  for (const csr of [0x100, 0x105, 0x180, 0x300, 0x305, 0xf14, 0x001, 0x003, 0x7ff]) {
    const insn = A.csrrs(5, csr, 0);
    b.expectTrap([insn], { cause: CAUSE.ILLEGAL_INSTRUCTION, stval: insn, sepc: b.code });
  }
  const funct3four = A.i(A.CSR_CYCLE, 0, 4, 5, 0x73);
  b.expectTrap([funct3four], {
    cause: CAUSE.ILLEGAL_INSTRUCTION,
    stval: funct3four,
    sepc: b.code,
  });
});

// ---------------------------------------------------------------------------------------------
// Traps

Deno.test("traps: ecall gives cause 8, sepc = its pc, and does not retire", () => {
  const b = new Bench();
  b.expectTrap([A.addi(5, 0, 1), A.addi(6, 0, 2), A.ecall(), A.addi(7, 0, 3)], {
    cause: CAUSE.ECALL_FROM_U,
    stval: 0,
    sepc: CODE_PA + 8,
  });
  assert.equal(b.cpu.pc >>> 0, CODE_PA + 8);
  assert.equal(b.cpu.instret, 2);
  assert.equal(b.reg(7), 0);
});

Deno.test("traps: ebreak and c.ebreak give cause 3 with stval = pc", () => {
  const b = new Bench();
  b.expectTrap([A.addi(5, 0, 1), A.ebreak()], {
    cause: CAUSE.BREAKPOINT,
    stval: CODE_PA + 4,
    sepc: CODE_PA + 4,
  });
  assert.equal(b.cpu.instret, 1);
  const c = new Bench();
  c.expectTrap([half(0x4505), /* c.li x10, 1 */ half(0x9002)], {
    cause: CAUSE.BREAKPOINT,
    stval: CODE_PA + 2,
    sepc: CODE_PA + 2,
  });
  assert.equal(c.reg(10), 1);
  assert.equal(c.cpu.instret, 1);
});

Deno.test("traps: illegal 32-bit instructions report their bits in stval", () => {
  const b = new Bench();
  const cases: Array<[string, number]> = [
    ["all ones", 0xffff_ffff],
    ["ld (RV64 only)", A.i(0, 10, 3, 3, 0x03)],
    ["load funct3=6 (lwu)", A.i(0, 10, 6, 3, 0x03)],
    ["sd (RV64 only)", A.s(0, 5, 10, 3, 0x23)],
    ["jalr funct3=1", A.i(0, 10, 1, 3, 0x67)],
    ["branch funct3=2", A.bType(8, 2, 1, 2)],
    ["branch funct3=3", A.bType(8, 2, 1, 3)],
    ["OP funct7=2", A.r(2, 2, 1, 0, 3, 0x33)],
    ["OP funct7=0x20 funct3=1", A.r(0x20, 2, 1, 1, 3, 0x33)],
    ["amoadd.d", A.r(0, 2, 10, 3, 3, 0x2f)],
    ["lr.w with rs2 != 0", A.amo(0x02, 3, 10, 5)],
    ["AMO funct5=5", A.amo(0x05, 3, 10, 2)],
    ["flw", A.i(0, 10, 2, 3, 0x07)],
    ["fsw", A.s(0, 3, 10, 2, 0x27)],
    ["OP-32 (addw)", A.r(0, 2, 1, 0, 3, 0x3b)],
    ["custom-0", 0x0000_000b],
    ["MISC-MEM funct3=2", 0x0000_200f],
  ];
  for (const [name, insn] of cases) {
    assert.equal(b.start([insn], { 10: DATA_PA }), RUN_TRAP, name);
    assert.deepEqual(
      b.trap(),
      { cause: CAUSE.ILLEGAL_INSTRUCTION, stval: insn >>> 0, sepc: CODE_PA },
      name,
    );
    assert.equal(b.reg(3), 0, `${name}: no register written`);
  }
  // The illegal load/store checks hold on the TLB fast path too (the data page is cached now).
  const c = new Bench();
  const ld = A.i(0, 10, 3, 5, 0x03);
  c.expectTrap([A.lw(6, 10, 0), A.sw(6, 10, 4), ld], {
    cause: CAUSE.ILLEGAL_INSTRUCTION,
    stval: ld,
    sepc: CODE_PA + 8,
  }, { 10: DATA_PA });
  const sd = A.s(0, 5, 10, 3, 0x23);
  c.expectTrap([A.lw(6, 10, 0), A.sw(6, 10, 4), sd], {
    cause: CAUSE.ILLEGAL_INSTRUCTION,
    stval: sd,
    sepc: CODE_PA + 8,
  }, { 10: DATA_PA });
});

Deno.test("traps: illegal compressed instructions report their 16 bits in stval", () => {
  const b = new Bench();
  for (const h of [0x0000, 0x6000, /* c.flw */ 0x8002, /* c.jr x0 */ 0x6081 /* c.lui imm 0 */]) {
    b.expectTrap([half(0x0505), /* c.addi x10, 1 */ half(h), half(0x0001)], {
      cause: CAUSE.ILLEGAL_INSTRUCTION,
      stval: h,
      sepc: CODE_PA + 2,
    });
    assert.equal(b.reg(10), 1);
  }
});

Deno.test("traps: sret, mret, wfi and sfence.vma are illegal in U-mode", () => {
  const b = new Bench();
  for (const insn of [A.sret(), A.mret(), A.wfi(), A.sfenceVma(0, 0), A.sfenceVma(5, 6)]) {
    b.expectTrap([insn], { cause: CAUSE.ILLEGAL_INSTRUCTION, stval: insn, sepc: CODE_PA });
  }
});

Deno.test("traps: jumping to an unmapped page is an instruction page fault at the target", () => {
  const b = new Bench({ paged: true });
  const target = 0x0040_0000;
  b.expectTrap([A.addi(6, 0, 1), A.jalr(1, 5, 0x10)], {
    cause: CAUSE.INSTRUCTION_PAGE_FAULT,
    stval: target + 0x10,
    sepc: target + 0x10,
  }, { 5: target });
  assert.equal(b.reg(1), CODE_VA + 8, "the jump itself retired");
  assert.equal(b.cpu.instret, 2);
  // Falling off the end of the code page into an unmapped one.
  b.place([A.addi(7, 7, 1), A.addi(7, 7, 1)], CODE_PA + 0xff8);
  b.expectTrap([A.jal(0, 0xff8)], {
    cause: CAUSE.INSTRUCTION_PAGE_FAULT,
    stval: CODE_VA + 0x1000,
    sepc: CODE_VA + 0x1000,
  });
  assert.equal(b.reg(7), 2);
});

Deno.test("traps: executing from a page backed by no RAM is an instruction access fault", () => {
  const b = new Bench({ paged: true });
  const hole = 0x3000_0000; // nothing is mapped at this physical address
  b.pt!.map(0x0003_0000, hole, PTE_R | PTE_X | PTE_U);
  b.expectTrap([A.jalr(0, 5, 0x24)], {
    cause: CAUSE.INSTRUCTION_ACCESS_FAULT,
    stval: 0x0003_0024,
    sepc: 0x0003_0024,
  }, { 5: 0x0003_0000 });
  // The CLINT's registers are not executable memory either.
  b.pt!.map(0x0004_0000, 0x0200_0000, PTE_R | PTE_X | PTE_U);
  b.expectTrap([A.jalr(0, 5, 0)], {
    cause: CAUSE.INSTRUCTION_ACCESS_FAULT,
    stval: 0x0004_0000,
    sepc: 0x0004_0000,
  }, { 5: 0x0004_0000 });
});

Deno.test("traps: loads and stores to a mapped page with nothing behind it are access faults", () => {
  const b = new Bench({ paged: true });
  const va = 0x0003_0000;
  b.pt!.map(va, 0x3000_0000, PTE_R | PTE_W | PTE_U);
  b.expectTrap([A.lw(5, 10, 0x10)], {
    cause: CAUSE.LOAD_ACCESS_FAULT,
    stval: va + 0x10,
    sepc: CODE_VA,
  }, { 10: va });
  b.expectTrap([A.lbu(5, 10, 3)], {
    cause: CAUSE.LOAD_ACCESS_FAULT,
    stval: va + 3,
    sepc: CODE_VA,
  }, { 10: va });
  b.expectTrap([A.addi(6, 0, 1), A.sw(6, 10, 0x20)], {
    cause: CAUSE.STORE_ACCESS_FAULT,
    stval: va + 0x20,
    sepc: CODE_VA + 4,
  }, { 10: va });
  b.expectTrap([A.sh(6, 10, 6)], {
    cause: CAUSE.STORE_ACCESS_FAULT,
    stval: va + 6,
    sepc: CODE_VA,
  }, { 10: va });
  b.expectTrap([A.amoaddW(5, 10, 6)], {
    cause: CAUSE.STORE_ACCESS_FAULT,
    stval: va + 8,
    sepc: CODE_VA,
  }, { 10: va + 8 });
  b.expectTrap([A.lrW(5, 10)], {
    cause: CAUSE.LOAD_ACCESS_FAULT,
    stval: va + 8,
    sepc: CODE_VA,
  }, { 10: va + 8 });
  // In bare mode the same physical hole faults the same way.
  const c = new Bench();
  c.expectTrap([A.lw(5, 10, 0)], {
    cause: CAUSE.LOAD_ACCESS_FAULT,
    stval: 0x3000_0000,
    sepc: CODE_PA,
  }, { 10: 0x3000_0000 });
  c.expectTrap([A.sw(5, 10, 0)], {
    cause: CAUSE.STORE_ACCESS_FAULT,
    stval: 0x3000_0000,
    sepc: CODE_PA,
  }, { 10: 0x3000_0000 });
});

Deno.test("traps: a 32-bit instruction straddling into an unmapped page faults on its second half", () => {
  const b = new Bench({ paged: true });
  const insn = A.lui(5, 0x12345);
  // Low half at the last two bytes of the code page; the next page is unmapped.
  b.poke(CODE_PA + 0xffe, [insn & 0xff, (insn >>> 8) & 0xff]);
  b.expectTrap([A.jal(0, 0xffe)], {
    cause: CAUSE.INSTRUCTION_PAGE_FAULT,
    stval: CODE_VA + 0x1000,
    sepc: CODE_VA + 0xffe,
  });
  assert.equal(b.reg(5), 0);
  assert.equal(b.cpu.instret, 1);

  // Mapped but not executable: also an instruction page fault on the second half.
  b.pt!.map(CODE_VA + 0x1000, RAM_BASE + 0x5000, PTE_R | PTE_W | PTE_U);
  b.cpu.tlb.flushAll();
  b.expectTrap([A.jal(0, 0xffe)], {
    cause: CAUSE.INSTRUCTION_PAGE_FAULT,
    stval: CODE_VA + 0x1000,
    sepc: CODE_VA + 0xffe,
  });

  // Executable, in a physically discontiguous frame: the instruction is put together right.
  b.pt!.map(CODE_VA + 0x1000, RAM_BASE + 0x5000, PTE_R | PTE_X | PTE_U);
  b.cpu.tlb.flushAll();
  b.poke(RAM_BASE + 0x5000, [(insn >>> 16) & 0xff, insn >>> 24]);
  b.place([A.ecall()], RAM_BASE + 0x5002);
  b.expectTrap([A.jal(0, 0xffe)], {
    cause: CAUSE.ECALL_FROM_U,
    stval: 0,
    sepc: CODE_VA + 0x1002,
  });
  assert.equal(b.reg(5), 0x1234_5000);
});

Deno.test("traps: a compressed instruction at the end of a page does not touch the next page", () => {
  const b = new Bench({ paged: true });
  b.place([half(0x0505) /* c.addi x10, 1 */], CODE_PA + 0xffe);
  b.expectTrap([A.jal(0, 0xffe)], {
    cause: CAUSE.INSTRUCTION_PAGE_FAULT,
    stval: CODE_VA + 0x1000,
    sepc: CODE_VA + 0x1000,
  });
  assert.equal(b.reg(10), 1);
  assert.equal(b.cpu.instret, 2);
});

// ---------------------------------------------------------------------------------------------
// Budget

Deno.test("budget: run stops after exactly `budget` instructions with pc at the next one", () => {
  const b = new Bench();
  const code = [A.addi(5, 0, 1), A.addi(6, 0, 2), A.addi(7, 0, 3), A.addi(8, 0, 4), A.ecall()];
  assert.equal(b.start(code, {}, 3), RUN_BUDGET);
  assert.equal(b.cpu.pc >>> 0, CODE_PA + 12);
  assert.equal(b.cpu.instret, 3);
  assert.deepEqual([b.reg(5), b.reg(6), b.reg(7), b.reg(8)], [1, 2, 3, 0]);
  assert.equal(b.cpu.run(0), RUN_BUDGET);
  assert.equal(b.cpu.pc >>> 0, CODE_PA + 12);
  assert.equal(b.cpu.instret, 3);
  assert.equal(b.cpu.run(10), RUN_TRAP);
  assert.deepEqual(b.trap(), { cause: CAUSE.ECALL_FROM_U, stval: 0, sepc: CODE_PA + 16 });
  assert.equal(b.cpu.instret, 4);
});

Deno.test("budget: instret is exact over long runs and compressed instructions", () => {
  const b = new Bench();
  // 0: c.addi x10, 1   2: c.j -2 (back to 0): an endless two-instruction loop.
  assert.equal(b.start([half(0x0505), half(0xbffd)], {}, 5000), RUN_BUDGET);
  assert.equal(b.cpu.instret, 5000);
  assert.equal(b.reg(10), 2500);
  assert.equal(b.cpu.pc >>> 0, CODE_PA);
  // Budgets around the interrupt-poll interval: 7170 more instructions in all, starting at the
  // c.addi, so 3585 more c.addi and the loop ends back at its first instruction.
  for (const n of [1, 1023, 1024, 1025, 4097]) assert.equal(b.cpu.run(n), RUN_BUDGET);
  assert.equal(b.cpu.instret, 12_170);
  assert.equal(b.reg(10), 2500 + 3585);
  assert.equal(b.cpu.pc >>> 0, CODE_PA);
});

// ---------------------------------------------------------------------------------------------
// Compressed instructions

Deno.test("RVC: every RV32C form expands to the right 32-bit instruction", () => {
  // [compressed, expected 32-bit expansion, assembly]
  const forms: Array<[number, number, string]> = [
    [0x0800, 0x0101_0413, "c.addi4spn x8, sp, 16 -> addi x8, x2, 16"],
    [0x1ffc, 0x3fc1_0793, "c.addi4spn x15, sp, 1020 -> addi x15, x2, 1020"],
    [0x4144, 0x0045_2483, "c.lw x9, 4(x10)"],
    [0x5c7c, 0x07c4_2783, "c.lw x15, 124(x8)"],
    [0xdd64, 0x0695_2e23, "c.sw x9, 124(x10)"],
    [0xc3a0, 0x0487_a023, "c.sw x8, 64(x15)"],
    [0x0001, 0x0000_0013, "c.nop -> addi x0, x0, 0"],
    [0x1281, 0xfe02_8293, "c.addi x5, -32"],
    [0x0ffd, 0x01ff_8f93, "c.addi x31, 31"],
    [0x2ffd, 0x7fe0_00ef, "c.jal +2046 -> jal x1, 2046"],
    [0x3001, 0x801f_f0ef, "c.jal -2048 -> jal x1, -2048"],
    [0x2019, 0x0060_00ef, "c.jal +6"],
    [0x537d, 0xfff0_0313, "c.li x6, -1 -> addi x6, x0, -1"],
    [0x457d, 0x01f0_0513, "c.li x10, 31"],
    [0x7101, 0xe001_0113, "c.addi16sp -512 -> addi sp, sp, -512"],
    [0x617d, 0x1f01_0113, "c.addi16sp 496"],
    [0x7385, 0xfffe_13b7, "c.lui x7, 0xfffe1 -> lui x7, 0xfffe1"],
    [0x6385, 0x0000_13b7, "c.lui x7, 1"],
    [0x6ffd, 0x0001_ffb7, "c.lui x31, 0x1f"],
    [0x807d, 0x01f4_5413, "c.srli x8, 31"],
    [0x8485, 0x4014_d493, "c.srai x9, 1"],
    [0x997d, 0xfff5_7513, "c.andi x10, -1"],
    [0x8b95, 0x0057_f793, "c.andi x15, 5"],
    [0x8c05, 0x4094_0433, "c.sub x8, x9"],
    [0x8d2d, 0x00b5_4533, "c.xor x10, x11"],
    [0x8e55, 0x00d6_6633, "c.or x12, x13"],
    [0x8f7d, 0x00f7_7733, "c.and x14, x15"],
    [0xbffd, 0xffff_f06f, "c.j -2 -> jal x0, -2"],
    [0xaffd, 0x7fe0_006f, "c.j +2046"],
    [0xb46d, 0xaabf_f06f, "c.j -1366"],
    [0xd001, 0xf004_00e3, "c.beqz x8, -256 -> beq x8, x0, -256"],
    [0xeffd, 0x0e07_9f63, "c.bnez x15, +254 -> bne x15, x0, 254"],
    [0xc489, 0x0004_8563, "c.beqz x9, +10"],
    [0x0ffe, 0x01ff_9f93, "c.slli x31, 31"],
    [0x0086, 0x0010_9093, "c.slli x1, 1"],
    [0x50fe, 0x0fc1_2083, "c.lwsp x1, 252(sp)"],
    [0x4f82, 0x0001_2f83, "c.lwsp x31, 0(sp)"],
    [0xdffe, 0x0ff1_2e23, "c.swsp x31, 252(sp)"],
    [0xc206, 0x0011_2223, "c.swsp x1, 4(sp)"],
    [0x8082, 0x0000_8067, "c.jr x1 -> jalr x0, 0(x1)"],
    [0x8282, 0x0002_8067, "c.jr x5"],
    [0x9282, 0x0002_80e7, "c.jalr x5 -> jalr x1, 0(x5)"],
    [0x9082, 0x0000_80e7, "c.jalr x1 -> jalr x1, 0(x1)"],
    [0x829a, 0x0060_02b3, "c.mv x5, x6 -> add x5, x0, x6"],
    [0x929a, 0x0062_82b3, "c.add x5, x6 -> add x5, x5, x6"],
    [0x9002, 0x0010_0073, "c.ebreak -> ebreak"],
  ];
  const table = compressedTable();
  for (const [c, want, what] of forms) {
    assert.equal(table[c] >>> 0, want, `table: ${what}`);
    assert.equal(expand(c) >>> 0, want, `expand: ${what}`);
  }
});

Deno.test("RVC: reserved and F/D encodings expand to 0 (illegal)", () => {
  const reserved: Array<[number, string]> = [
    [0x0000, "all zeros (c.addi4spn with nzuimm 0)"],
    [0x0004, "c.addi4spn x9, nzuimm 0"],
    [0x4002, "c.lwsp x0"],
    [0x8002, "c.jr x0"],
    [0x6101, "c.addi16sp nzimm 0"],
    [0x6081, "c.lui x1, nzimm 0"],
    [0x1082, "c.slli x1 with shamt[5] = 1"],
    [0x1002, "c.slli x0 with shamt[5] = 1"],
    [0x9001, "c.srli x8 with shamt[5] = 1"],
    [0x9401, "c.srai x8 with shamt[5] = 1"],
    [0x9c01, "c.subw (RV64)"],
    [0x9c21, "c.addw (RV64)"],
    [0x2000, "c.fld"],
    [0x6000, "c.flw"],
    [0xa000, "c.fsd"],
    [0xe000, "c.fsw"],
    [0x2002, "c.fldsp"],
    [0x6002, "c.flwsp"],
    [0xa002, "c.fsdsp"],
    [0xe002, "c.fswsp"],
    [0x8000, "quadrant 0, funct3 = 100"],
    [0x9c44, "quadrant 0, funct3 = 100, nonzero fields"],
  ];
  const table = compressedTable();
  for (const [c, what] of reserved) {
    assert.equal(table[c], 0, what);
    assert.equal(expand(c), 0, what);
  }
});

Deno.test("RVC: c.jal and c.jalr link pc+2; c.jr, c.j and c.beqz/c.bnez jump", () => {
  const b = new Bench();
  // 0: c.jal +6    2: c.ebreak    4: c.ebreak    6: ecall
  b.exec([half(0x2019), half(0x9002), half(0x9002)]);
  assert.equal(b.reg(1), CODE_PA + 2);

  // 0: c.jalr x5 (x5 = 8)    2,4,6: c.ebreak    8: ecall
  b.exec([half(0x9282), half(0x9002), half(0x9002), half(0x9002)], { 5: CODE_PA + 8 });
  assert.equal(b.reg(1), CODE_PA + 2);
  assert.equal(b.reg(5), CODE_PA + 8);

  // c.jalr x1: jumps to the old x1 and then links.
  b.exec([half(0x9082), half(0x9002)], { 1: CODE_PA + 4 });
  assert.equal(b.reg(1), CODE_PA + 2);

  // 0: c.jr x1 (x1 = 4)    2: c.ebreak    4: ecall
  b.exec([half(0x8082), half(0x9002)], { 1: CODE_PA + 4 });
  assert.equal(b.reg(1), CODE_PA + 4);

  // 0: c.beqz x9, +10 (x9 = 0: taken)   2..8: c.ebreak x4   10: ecall
  const ebreaks = [half(0x9002), half(0x9002), half(0x9002), half(0x9002)];
  b.exec([half(0xc489), ...ebreaks], { 9: 0 });
  // Not taken when x9 != 0: falls into c.ebreak at 2.
  b.expectTrap([half(0xc489), ...ebreaks, A.ecall()], {
    cause: CAUSE.BREAKPOINT,
    stval: CODE_PA + 2,
    sepc: CODE_PA + 2,
  }, { 9: 1 });
});

Deno.test("RVC: compressed loads, stores and arithmetic execute", () => {
  const b = new Bench();
  b.setWord(DATA_PA + 4, 0x0102_0304);
  b.exec([
    half(0x4144), // c.lw x9, 4(x10)
    half(0x0800), // c.addi4spn x8, sp, 16
    half(0x457d), // c.li x10, 31  (x10 is reused below)
    half(0x1281), // c.addi x5, -32
    half(0x829a), // c.mv x5, x6   (overwrites: x5 = x6)
    half(0x929a), // c.add x5, x6  (x5 = 2 * x6)
    half(0xc206), // c.swsp x1, 4(sp)
    half(0x8c05), // c.sub x8, x9
  ], { 1: 0xabcd, 2: DATA_PA + 0x100, 6: 21, 10: DATA_PA });
  assert.equal(b.reg(9), 0x0102_0304);
  assert.equal(b.reg(10), 31);
  assert.equal(b.reg(5), 42);
  assert.equal(b.word(DATA_PA + 0x104), 0xabcd);
  assert.equal(b.reg(8), (DATA_PA + 0x110 - 0x0102_0304) >>> 0);
});
