/**
 * The translation cache (machine/translate.ts, machine/code_cache.ts): hot code compiled into
 * JavaScript functions must leave exactly the state the interpreter leaves. Hot loops are run
 * on two machines, one compiling and one interpreting only, and compared register by register,
 * byte by byte and instruction count by instruction count, whole and in slices of odd budgets;
 * traps inside compiled code (a load page fault mid-block, an ecall after a hot block) leave
 * sepc, stval and instret exact; FENCE.I, a frame's code generation, unmapping a page and the
 * TLB's no-implicit-flush rule all take effect as they should; interrupts still arrive while a
 * compiled loop spins.
 */

import assert from "node:assert/strict";
import { CodeCache, type CodeCacheLimits, HOT_THRESHOLD } from "../../machine/code_cache.ts";
import { CAUSE, POLL_INTERVAL, RUN_BUDGET, RUN_TRAP } from "../../machine/cpu.ts";
import { SSIP } from "../../machine/hart_state.ts";
import { Machine } from "../../machine/machine.ts";
import { CLINT_BASE, RAM_BASE } from "../../machine/memory_map.ts";
import { PTE_R, PTE_U, PTE_W, Tlb } from "../../machine/mmu.ts";
import { compressedTable } from "../../machine/rvc.ts";
import type { BlockEnv } from "../../machine/translate.ts";
import { FrameAllocator } from "../../kernel/frames.ts";
import * as A from "../helpers/asm.ts";
import {
  Bench,
  type Code,
  CODE_PA,
  CODE_VA,
  DATA_PA,
  DATA_VA,
  half,
  type Regs,
} from "../helpers/hart_fixture.ts";

const FENCE_I = 0x0000_100f;

/** An instruction that refers to labels: given the label addresses and its own offset. */
type Ref = (labels: Record<string, number>, at: number) => number;

/**
 * Assembles `items` (instruction words, compressed halves, `Ref`s and label names) into code
 * for `A.toBytes`; labels are byte offsets from the start.
 */
function assemble(items: Array<number | { half: number } | Ref | string>): Code {
  const labels: Record<string, number> = {};
  let at = 0;
  for (const item of items) {
    if (typeof item === "string") labels[item] = at;
    else at += typeof item === "object" ? 2 : 4;
  }
  const code: Code = [];
  at = 0;
  for (const item of items) {
    if (typeof item === "string") continue;
    code.push(typeof item === "function" ? item(labels, at) : item);
    at += typeof item === "object" ? 2 : 4;
  }
  return code;
}

/** A branch or jump to a label. */
const to = (make: (offset: number) => number, label: string): Ref => (labels, at) =>
  make(labels[label] - at);

/** Everything architectural a test compares: registers, pc, instret, the data page. */
function state(b: Bench) {
  return {
    x: Array.from(b.cpu.x),
    pc: b.cpu.pc,
    instret: b.cpu.instret,
    data: b.peek(DATA_PA, 4096),
  };
}

/** A bench in paged mode that compiles hot code, and one that only interprets. */
function twins(): [Bench, Bench] {
  return [new Bench({ paged: true }), new Bench({ paged: true, translate: false })];
}

/**
 * Places `code` (it ends in an ecall) on both `benches`, starts each at its first instruction
 * with `regs`, and runs them in slices of `budgets` (in turn) until they trap, asserting after
 * every slice that both stopped at the same instruction in the same state.
 */
function inSlices(benches: [Bench, Bench], code: Code, regs: Regs, budgets: number[]): void {
  const [fast, slow] = benches;
  for (const b of benches) {
    b.place(code);
    b.cpu.x.fill(0);
    for (const [r, v] of Object.entries(regs)) b.cpu.x[Number(r)] = v;
    b.cpu.pc = CODE_VA;
  }
  let steps = 0;
  for (let done = false; !done; steps++) {
    const budget = budgets[steps % budgets.length];
    const r = fast.cpu.run(budget);
    assert.equal(slow.cpu.run(budget), r);
    assert.deepEqual(state(fast), state(slow), `after slice ${steps} (budget ${budget})`);
    done = r === RUN_TRAP;
  }
}

/**
 * Runs `code` from `regs` on both twins (`setup` first prepares each) and expects each to trap
 * with exactly `want` after `instret` instructions, the two to agree on everything, and the
 * compiling one to have compiled the loop. Returns the twins for further checks.
 */
function bothTrap(
  code: Code,
  regs: Record<number, number>,
  want: { cause: number; stval: number; sepc: number },
  instret: number,
  setup: (b: Bench) => void = () => {},
): [Bench, Bench] {
  const [fast, slow] = twins();
  for (const b of [fast, slow]) {
    setup(b);
    assert.equal(b.start(code, regs), RUN_TRAP);
    assert.deepEqual(b.trap(), want);
    assert.equal(b.cpu.instret, instret);
  }
  assert.deepEqual(state(fast), state(slow));
  assert.ok(fast.cpu.codeCache!.stats.compiled > 0);
  return [fast, slow];
}

/** One step of the tests' pseudo-random sequence: x30 = x30 * x29 + 0x39 (an LCG). */
const LCG_STEP = [A.mul(30, 30, 29), A.addi(30, 30, 0x39)];

/**
 * A loop over every instruction the translator compiles: all loads and stores (misaligned
 * ones too), register and immediate ALU operations, the M extension with its division
 * corner cases, LUI/AUIPC, compressed forms (c.jal links pc + 2), every branch kind, JAL and
 * JALR (with bit 0 of the target set), writes to x0. Each pass stores fresh pseudo-random
 * words (an LCG in x30, multiplier in x29) and loads them back in pieces, so operands take
 * both signs; every result is folded into a checksum in x4, stored at 24(x10). x10 points at
 * the data page, x31 counts down the passes. (The caller adds the final ecall.)
 */
const EVERYTHING = assemble([
  "loop",
  ...LCG_STEP,
  A.srli(28, 30, 13),
  A.xor(28, 28, 30),
  A.sw(30, 10, 0),
  A.sw(28, 10, 4),
  A.sh(30, 10, 8),
  A.sb(28, 10, 10),
  A.sb(30, 10, 11),
  A.sw(28, 10, 13), // misaligned
  A.sh(30, 10, 19), // misaligned
  A.lw(5, 10, 0),
  A.lh(6, 10, 2),
  A.lhu(7, 10, 4),
  A.lb(8, 10, 10),
  A.lbu(9, 10, 11),
  A.lw(11, 10, 13), // misaligned
  A.lh(12, 10, 19), // misaligned
  A.lhu(13, 10, 7), // misaligned
  A.lw(0, 10, 4), // into x0
  A.add(0, 5, 6), // a write to x0
  A.add(14, 5, 6),
  A.sub(15, 7, 8),
  A.xor(16, 14, 9),
  A.or(17, 16, 11),
  A.and(18, 17, 12),
  A.sll(19, 5, 6),
  A.srl(20, 11, 8),
  A.sra(21, 11, 9),
  A.slt(22, 5, 11),
  A.sltu(23, 5, 11),
  A.mul(24, 5, 11),
  A.mulh(25, 5, 11),
  A.mulhsu(26, 11, 5),
  A.mulhu(27, 5, 11),
  ...[5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27].map(
    (r) => A.add(4, 4, r),
  ),
  A.div(14, 5, 8),
  A.divu(15, 5, 8),
  A.rem(16, 5, 8),
  A.remu(17, 5, 8),
  A.div(18, 5, 0), // by zero
  A.divu(19, 5, 0),
  A.rem(20, 5, 0),
  A.remu(21, 5, 0),
  A.lui(22, 0x80000),
  A.addi(23, 0, -1),
  A.div(24, 22, 23), // -2^31 / -1
  A.rem(25, 22, 23),
  A.addi(26, 30, -7),
  A.slti(27, 30, -3),
  A.sltiu(28, 30, 5),
  A.sltiu(1, 30, -5),
  A.xori(2, 30, 0x5a5),
  A.ori(3, 30, -256),
  ...[14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 26, 27, 28, 1, 2, 3].map((r) => A.add(4, 4, r)),
  A.andi(14, 30, 0x7f0),
  A.slli(15, 30, 3),
  A.srli(16, 30, 7),
  A.srai(17, 30, 9),
  A.lui(18, 0xabcde),
  A.auipc(19, 0x12),
  half(0x0205), // c.addi x4, 1
  half(0x8192), // c.mv x3, x4
  half(0x4144), // c.lw x9, 4(x10)
  half(0xc144), // c.sw x9, 4(x10)
  ...[14, 15, 16, 17, 18, 19, 3, 9].map((r) => A.add(4, 4, r)),
  to((o) => A.beq(5, 11, o), "b1"),
  A.addi(4, 4, 1),
  "b1",
  to((o) => A.bne(5, 11, o), "b2"),
  A.addi(4, 4, 2),
  "b2",
  to((o) => A.blt(5, 11, o), "b3"),
  A.addi(4, 4, 4),
  "b3",
  to((o) => A.bge(5, 11, o), "b4"),
  A.addi(4, 4, 8),
  "b4",
  to((o) => A.bltu(5, 11, o), "b5"),
  A.addi(4, 4, 16),
  "b5",
  to((o) => A.bgeu(5, 11, o), "b6"),
  A.addi(4, 4, 32),
  "b6",
  to((o) => A.jal(1, o), "j1"),
  A.addi(4, 4, 64), // skipped
  "j1",
  A.add(4, 4, 1),
  half(0x2011), // c.jal +4: links pc + 2
  half(0x0205), // skipped
  A.add(4, 4, 1),
  A.auipc(2, 0),
  A.jalr(0, 2, 13), // to auipc + 12: bit 0 of the target is dropped
  A.addi(4, 4, 128), // skipped
  A.add(4, 4, 2),
  A.sw(4, 10, 24),
  A.addi(31, 31, -1),
  to((o) => A.bne(31, 0, o), "loop"),
]);

/** The registers the loop starts from. */
const START = { 10: DATA_VA, 29: 1_103_515_245, 30: 12_345 };

Deno.test("translate: a hot loop leaves the same registers, memory and instret as the interpreter", () => {
  const [fast, slow] = twins();
  for (const b of [fast, slow]) b.exec(EVERYTHING, { ...START, 31: 400 });
  assert.deepEqual(state(fast), state(slow));
  assert.ok(fast.cpu.codeCache!.stats.compiled > 0, "the loop was compiled");
  assert.equal(slow.cpu.codeCache, null, "the other hart only interprets");
  assert.equal(fast.reg(31), 0);
});

Deno.test("translate: runs cut by odd budgets stop at the same instruction in both tiers", () => {
  const [fast, slow] = twins();
  const budgets = [1, 2, 3, 5, 7, 11, 97, 1000, 1023, 1024, 1025, 4097, 12_345];
  inSlices([fast, slow], [...EVERYTHING, A.ecall()], { ...START, 31: 300 }, budgets);
  assert.equal(fast.trap().cause, CAUSE.ECALL_FROM_U);
  assert.ok(fast.cpu.codeCache!.stats.compiled > 0);
});

Deno.test("translate: budget exhaustion inside a compiled loop stops at the exact instruction", () => {
  const b = new Bench();
  // 0: addi x5, x5, 1   4: addi x6, x6, 2   8: addi x7, x7, 3   12: jal x0, -12 (back)
  const code = [A.addi(5, 5, 1), A.addi(6, 6, 2), A.addi(7, 7, 3), A.jal(0, -12)];
  assert.equal(b.start(code, {}, 10_000), RUN_BUDGET);
  assert.ok(b.cpu.codeCache!.stats.compiled > 0);
  const budgets = [...Array.from({ length: 64 }, (_, i) => i + 1), 1021, 1022, 1023, 1024, 1025];
  for (const n of [...budgets, 4097, 50_001, ...budgets]) {
    const before = b.cpu.instret;
    assert.equal(b.cpu.run(n), RUN_BUDGET);
    const done = b.cpu.instret;
    assert.equal(done - before, n, `retired with a budget of ${n}`);
    assert.equal(b.cpu.pc >>> 0, CODE_PA + 4 * (done % 4), `pc after ${done}`);
    assert.equal(b.reg(5), Math.floor((done + 3) / 4), `x5 after ${done}`);
    assert.equal(b.reg(6), 2 * Math.floor((done + 2) / 4), `x6 after ${done}`);
    assert.equal(b.reg(7), 3 * Math.floor((done + 1) / 4), `x7 after ${done}`);
  }
});

Deno.test("translate: a load page fault in the middle of a compiled block is precise", () => {
  // Sums the data page word by word and runs off its end into an unmapped page.
  const code = assemble([
    "loop",
    A.addi(7, 7, 1),
    A.lw(5, 10, 0),
    A.add(6, 6, 5),
    A.addi(10, 10, 4),
    to((o) => A.bne(10, 11, o), "loop"),
    A.ecall(),
  ]);
  // 1024 passes, then the addi before the load.
  const want = { cause: CAUSE.LOAD_PAGE_FAULT, stval: DATA_VA + 0x1000, sepc: CODE_VA + 4 };
  const regs = { 10: DATA_VA, 11: DATA_VA + 0x2000 };
  for (const b of bothTrap(code, regs, want, 1024 * 5 + 1, (b) => b.setWord(DATA_PA + 0xffc, 7))) {
    assert.equal(b.reg(7), 1025);
    assert.equal(b.reg(6), 7);
    assert.equal(b.reg(10), DATA_VA + 0x1000);
  }
});

Deno.test("translate: a store straddling into an unmapped page faults precisely, writing nothing", () => {
  // Stores x5 at every fourth byte from DATA_VA + 2; the last store straddles the page end.
  const code = assemble([
    "loop",
    A.addi(7, 7, 1),
    A.sw(5, 10, 0),
    A.addi(10, 10, 4),
    to((o) => A.bne(10, 11, o), "loop"),
    A.ecall(),
  ]);
  const want = { cause: CAUSE.STORE_PAGE_FAULT, stval: DATA_VA + 0x1000, sepc: CODE_VA + 4 };
  const regs = { 5: 0x1122_3344, 10: DATA_VA + 2, 11: DATA_VA + 0x2002 };
  const setup = (b: Bench) => b.poke(DATA_PA + 0xffc, [0xaa, 0xbb, 0xcc, 0xdd]);
  for (const b of bothTrap(code, regs, want, 1023 * 4 + 1, setup)) {
    assert.deepEqual(
      b.peek(DATA_PA + 0xffa, 6),
      [0x44, 0x33, 0x22, 0x11, 0xcc, 0xdd],
      "the last two untouched",
    );
    assert.equal(b.reg(10), DATA_VA + 0xffe);
  }
});

/**
 * Nested loops with a forward branch in the inner one, a store in each pass, and irreducible
 * flow (two blocks that jump into each other, entered at either), inside an outer loop that
 * x5 counts down. The translator must structure the loops and leave the region on the edge
 * it cannot structure.
 */
const NESTED = assemble([
  "outer",
  A.addi(6, 0, 7),
  "inner",
  A.add(4, 4, 6),
  A.andi(7, 4, 1),
  to((o) => A.beq(7, 0, o), "skip"),
  A.xor(4, 4, 5),
  "skip",
  A.sw(4, 10, 0),
  A.addi(10, 10, 4),
  A.andi(10, 10, 0x7fc),
  A.add(10, 10, 11),
  A.addi(6, 6, -1),
  to((o) => A.bne(6, 0, o), "inner"),
  A.addi(9, 0, 5),
  A.andi(7, 5, 1),
  to((o) => A.bne(7, 0, o), "b"),
  "a",
  A.addi(4, 4, 3),
  A.addi(9, 9, -1),
  to((o) => A.beq(9, 0, o), "done"),
  "b",
  A.slli(8, 4, 1),
  A.add(4, 4, 8),
  A.addi(9, 9, -1),
  to((o) => A.bne(9, 0, o), "a"),
  "done",
  A.addi(5, 5, -1),
  to((o) => A.bne(5, 0, o), "outer"),
]);

Deno.test("translate: nested loops and irreducible flow match the interpreter, whole and in slices", () => {
  const regs = { 5: 600, 10: DATA_VA, 11: DATA_VA };
  const [fast, slow] = twins();
  for (const b of [fast, slow]) b.exec(NESTED, regs);
  assert.deepEqual(state(fast), state(slow));
  assert.ok(fast.cpu.codeCache!.stats.compiled > 0);

  const [fastCut, slowCut] = twins();
  const budgets = [1, 2, 3, 5, 7, 11, 13, 97, 1000, 1023, 1025, 4097];
  inSlices([fastCut, slowCut], [...NESTED, A.ecall()], regs, budgets);
  assert.deepEqual(state(fastCut), state(fast));
});

/** Maps the two pages after the data page: the first writable, the second read-only. */
function mapMorePages(b: Bench): void {
  b.pt!.map(DATA_VA + 0x1000, DATA_PA + 0x1000, PTE_R | PTE_W | PTE_U);
  b.pt!.map(DATA_VA + 0x2000, DATA_PA + 0x2000, PTE_R | PTE_U);
}

/**
 * Runs `code` from `regs` on both twins, with the two pages after the data page mapped and
 * the data page and the next filled with a pattern; expects the same registers, instret and
 * memory, and compiled code. Returns the compiling twin.
 */
function sameOverPages(code: Code, regs: Regs): Bench {
  const [fast, slow] = twins();
  for (const b of [fast, slow]) {
    mapMorePages(b);
    b.poke(DATA_PA, Array.from({ length: 0x2000 }, (_, i) => (i * 37 + 11) & 0xff));
    b.exec(code, regs);
  }
  assert.deepEqual(state(fast), state(slow));
  assert.deepEqual(fast.peek(DATA_PA, 0x2000), slow.peek(DATA_PA, 0x2000));
  assert.ok(fast.cpu.codeCache!.stats.compiled > 0);
  return fast;
}

Deno.test("translate: a looping block's page caches follow every access: misaligned, into the next page", () => {
  // A self-looping block (its loads and stores reuse the page they last translated through the
  // same base register) walks x10 over the end of the data page two bytes at a time, so its
  // word and halfword accesses are misaligned every other pass, and its stores through x11
  // cross into the next page three bytes at a time.
  const code = assemble([
    "loop",
    A.lw(5, 10, 0),
    A.lh(6, 10, 1),
    A.lbu(7, 10, 3),
    A.sw(5, 11, 0),
    A.sh(6, 11, 5),
    A.sb(7, 11, 2),
    A.add(4, 4, 5),
    A.add(4, 4, 6),
    A.add(4, 4, 7),
    A.addi(10, 10, 2),
    A.addi(11, 11, 3),
    to((o) => A.bne(10, 12, o), "loop"),
  ]);
  const fast = sameOverPages(code, {
    10: DATA_VA + 0xc00,
    11: DATA_VA + 0x800,
    12: DATA_VA + 0x1400,
  });
  assert.equal(fast.reg(10), DATA_VA + 0x1400);
});

Deno.test("translate: a block's shared page caches follow every access: misaligned, into the next page", () => {
  // The same accesses in a block that does not loop on itself (it jumps to the block that
  // steps the pointers): its loads through x10 share one page cache for the block, its stores
  // through x11 another. x10 walks over the end of the data page two bytes at a time, so the
  // word and halfword loads are misaligned every other pass and the byte load at 2047 crosses
  // pages before the others; the stores through x11 cross three bytes at a time.
  const code = assemble([
    "loop",
    A.lw(5, 10, 0),
    A.lh(6, 10, 1),
    A.lbu(7, 10, 2047),
    A.lw(8, 10, 4),
    A.sw(5, 11, 0),
    A.sh(6, 11, 5),
    A.sb(7, 11, 2),
    A.sw(8, 11, -4),
    A.add(4, 4, 5),
    A.add(4, 4, 6),
    A.add(4, 4, 7),
    to((o) => A.jal(0, o), "step"),
    "step",
    A.addi(10, 10, 2),
    A.addi(11, 11, 3),
    to((o) => A.bne(10, 12, o), "loop"),
  ]);
  const fast = sameOverPages(code, {
    10: DATA_VA + 0x400,
    11: DATA_VA + 0x10,
    12: DATA_VA + 0x1400,
  });
  assert.equal(fast.reg(11), DATA_VA + 0x10 + 3 * 0x800);
});

Deno.test("translate: a block's store cache does not carry a write into a read-only page", () => {
  // Two stores through x10 in a block that jumps on to its step share a page cache for the
  // block. In the pass where x10 reaches the read-only page, the first store (at -4) still
  // lands in the writable page and fills the cache; the second, into the read-only page, must
  // fault, precisely, and write nothing (the two pages are adjacent frames, so a store made
  // through the stale cache would land in the read-only one).
  const code = assemble([
    "loop",
    A.addi(7, 7, 1),
    A.sw(6, 10, -4),
    A.sw(5, 10, 0),
    to((o) => A.jal(0, o), "step"),
    "step",
    A.addi(10, 10, 4),
    to((o) => A.bne(10, 11, o), "loop"),
    A.ecall(),
  ]);
  // 1024 passes, then the addi and the store at -4.
  const want = { cause: CAUSE.STORE_PAGE_FAULT, stval: DATA_VA + 0x2000, sepc: CODE_VA + 8 };
  const regs = { 5: 0x5555_5555, 6: 0x6666_6666, 10: DATA_VA + 0x1000, 11: DATA_VA + 0x3000 };
  for (const b of bothTrap(code, regs, want, 1024 * 6 + 2, mapMorePages)) {
    assert.deepEqual(b.peek(DATA_PA + 0x1ffc, 8), [0x66, 0x66, 0x66, 0x66, 0, 0, 0, 0]);
  }
});

Deno.test("translate: a loop's unchecked copy stops at every page its strided accesses reach", () => {
  // x10 climbs 4 bytes a pass across two page boundaries (the second into the read-only page),
  // x11 comes down 2 a pass across one, x12 stays put: every access of the block moves by a
  // multiple of its width, so the block's copy makes them unchecked, for as many passes as
  // the pages allow. Then the same loop runs x10 into an unmapped page: the load must fault
  // on the first word there, with the interpreter's registers, memory and instret. The load
  // through x10 comes after x10's addi, so its address is the register's value less 4.
  const code = assemble([
    "loop",
    A.addi(10, 10, 4),
    A.lw(5, 10, -4),
    A.lh(6, 12, 2),
    A.sh(5, 11, 0),
    A.sb(6, 11, 1),
    A.add(4, 4, 5),
    A.add(4, 4, 6),
    A.addi(11, 11, -2),
    A.addi(12, 12, 0),
    to((o) => A.bne(10, 13, o), "loop"),
    A.ecall(),
  ]);
  const budgets = [1, 2, 3, 5, 7, 11, 97, 1000, 1023, 4097, 12_345];
  for (const [end, cause] of [[0x2800, CAUSE.ECALL_FROM_U], [0x3800, CAUSE.LOAD_PAGE_FAULT]]) {
    const [fast, slow] = twins();
    for (const b of [fast, slow]) {
      // Out of order in physical memory, so that running on with a neighbour's translation
      // reads or writes the wrong frame.
      b.pt!.map(DATA_VA + 0x1000, DATA_PA + 0x2000, PTE_R | PTE_W | PTE_U);
      b.pt!.map(DATA_VA + 0x2000, DATA_PA + 0x1000, PTE_R | PTE_U);
      b.poke(DATA_PA, Array.from({ length: 0x3000 }, (_, i) => (i * 131 + 7) & 0xff));
    }
    const regs = { 10: DATA_VA + 0x800, 11: DATA_VA + 0x1ffe, 12: DATA_VA + 0x2100 };
    inSlices([fast, slow], code, { ...regs, 13: DATA_VA + end }, budgets);
    assert.equal(fast.trap().cause, cause);
    assert.deepEqual(fast.trap(), slow.trap());
    assert.deepEqual(fast.peek(DATA_PA, 0x3000), slow.peek(DATA_PA, 0x3000));
    assert.ok(fast.cpu.codeCache!.stats.compiled > 0, "the loop was compiled");
  }
});

/**
 * A switch through a table of case addresses (JALR on a loaded word) and a function called
 * from two places (JALR on the link register), in a loop that x5 counts down. When x5 reaches
 * 300, case 3 of the table is pointed at code no JALR has jumped to before. x12 points at the
 * table (filled by the first instructions), x10 at the checksum x4's home.
 */
const JUMPS = assemble([
  "base",
  A.auipc(9, 0),
  ...["case0", "case1", "case2", "case0"].flatMap((label, k) => [
    (labels: Record<string, number>) => A.addi(13, 9, labels[label] - labels.base),
    A.sw(13, 12, 4 * k),
  ]),
  (labels) => A.addi(15, 9, labels.case3 - labels.base),
  "loop",
  ...LCG_STEP,
  A.srli(7, 30, 13),
  A.andi(7, 7, 3),
  A.slli(7, 7, 2),
  A.add(8, 12, 7),
  A.lw(8, 8, 0),
  A.jalr(0, 8, 0),
  "case0",
  A.addi(4, 4, 1),
  to((o) => A.jal(0, o), "join"),
  "case1",
  A.xor(4, 4, 30),
  to((o) => A.jal(0, o), "join"),
  "case2",
  to((o) => A.jal(1, o), "func"),
  A.add(4, 4, 6),
  to((o) => A.jal(0, o), "join"),
  "case3",
  A.sub(4, 4, 30),
  "join",
  to((o) => A.jal(1, o), "func"),
  A.sw(4, 10, 0),
  A.addi(14, 5, -300),
  to((o) => A.bne(14, 0, o), "same"),
  A.sw(15, 12, 12),
  "same",
  A.addi(5, 5, -1),
  to((o) => A.bne(5, 0, o), "loop"),
  to((o) => A.jal(0, o), "end"),
  "func",
  A.slli(6, 4, 1),
  A.xor(4, 4, 6),
  A.jalr(0, 1, 0),
  "end",
]);

Deno.test("translate: compiled code follows an indirect jump to a block of its region it has seen taken", () => {
  const regs = { ...START, 5: 1000, 12: DATA_VA + 0x100 };
  const [fast, slow] = twins();
  for (const b of [fast, slow]) b.exec(JUMPS, regs);
  assert.deepEqual(state(fast), state(slow));

  const [fastCut, slowCut] = twins();
  const budgets = [1, 2, 3, 5, 7, 11, 13, 97, 1000, 1023, 1025, 4097];
  inSlices([fastCut, slowCut], [...JUMPS, A.ecall()], regs, budgets);
  assert.deepEqual(state(fastCut), state(fast));

  // Compiled code stays in its region across the switch and the returns: far fewer entries
  // into compiled code than loop passes (it would be three or more per pass otherwise).
  const [b] = twins();
  const cache = b.cpu.codeCache!;
  const find = cache.find.bind(cache);
  let entries = 0;
  cache.find = (start) => {
    const block = find(start);
    if (block !== null) entries++;
    return block;
  };
  b.exec(JUMPS, { ...regs, 5: 4000 });
  assert.ok(entries < 1000, `${entries} entries into compiled code in 4000 passes`);
});

Deno.test("translate: a compiled loop over a page outside the user bank hands each access to the interpreter", () => {
  // The TLB holds only user-bank pages, so no access here is one compiled code makes: the
  // region returns at each and the interpreter makes it. Registers, the bank's words and
  // instret must be the interpreter's after every slice of odd budgets, which also stops runs
  // between a hand-off and the end of its block.
  const code = assemble([
    "pass",
    A.addi(10, 11, 0),
    "loop",
    A.addi(10, 10, 4), // so that the hand-off comes after an instruction of its block
    A.lw(5, 10, -4),
    A.add(4, 4, 5),
    A.addi(5, 5, 3),
    A.sw(5, 10, -4),
    to((o) => A.bne(10, 12, o), "loop"),
    A.addi(31, 31, -1),
    to((o) => A.bne(31, 0, o), "pass"),
    A.ecall(),
  ]);
  const [fast, slow] = twins();
  const banks = [fast, slow].map((b) => {
    const bank = b.m.addSharedBank("region", 4096)!;
    b.pt!.map(DATA_VA + 0x1000, bank.base, PTE_R | PTE_W | PTE_U);
    const words = new Int32Array(bank.buffer);
    words.forEach((_, i) => (words[i] = i * 7919));
    return words;
  });
  const regs = { 11: DATA_VA + 0x1000, 12: DATA_VA + 0x2000, 31: 3 };
  inSlices([fast, slow], code, regs, [1, 2, 3, 5, 7, 11, 97, 1000, 4097]);
  assert.equal(fast.trap().cause, CAUSE.ECALL_FROM_U);
  assert.deepEqual(banks[0], banks[1]);
  assert.equal(banks[0][1], 1 * 7919 + 9, "each word was read and written three times");
  assert.ok(fast.cpu.codeCache!.stats.compiled > 0, "the loop was compiled");
});

Deno.test("translate: a page a looping block reads through a base register is not thereby writable", () => {
  // Copies each word onto itself: loads and stores use x10 alike, so the read side has the
  // read-only page cached when the first store there comes; it must still fault, precisely.
  const code = assemble([
    "loop",
    A.addi(7, 7, 1),
    A.lw(5, 10, 0),
    A.lw(6, 10, 4), // the first load there refills the TLB, this one then fills the cache
    A.sw(5, 10, 0),
    A.addi(10, 10, 4),
    to((o) => A.bne(10, 11, o), "loop"),
    A.ecall(),
  ]);
  // 1024 passes, then the addi and the loads.
  const want = { cause: CAUSE.STORE_PAGE_FAULT, stval: DATA_VA + 0x2000, sepc: CODE_VA + 12 };
  bothTrap(code, { 10: DATA_VA + 0x1000, 11: DATA_VA + 0x3000 }, want, 1024 * 6 + 3, mapMorePages);
});

Deno.test("translate: an ecall right after a hot block traps with exact sepc and instret", () => {
  // 0: addi x5, x5, 1   4: addi x6, x6, 2   8: ecall   12: jal x0, -12 (back to 0)
  const b = new Bench();
  b.place([A.addi(5, 5, 1), A.addi(6, 6, 2), A.ecall(), A.jal(0, -12)]);
  b.cpu.pc = CODE_PA;
  for (let n = 1; n <= 2 * HOT_THRESHOLD; n++) {
    assert.equal(b.cpu.run(1000), RUN_TRAP);
    assert.deepEqual(b.trap(), { cause: CAUSE.ECALL_FROM_U, stval: 0, sepc: CODE_PA + 8 });
    assert.equal(b.cpu.instret, 3 * n - 1, "the ecalls do not retire; the jumps back do");
    assert.equal(b.reg(5), n);
    b.cpu.pc = b.cpu.sepc + 4; // what the kernel does after a system call
  }
  assert.ok(b.cpu.codeCache!.stats.compiled > 0);
});

Deno.test("translate: self-modifying code runs the new instructions after FENCE.I", () => {
  // f (at "f") returns 1 in a0; the loop calls it 2 * HOT_THRESHOLD times, then rewrites its
  // first instruction to return 2, executes fence.i and calls it again.
  const code = assemble([
    A.addi(7, 0, 2 * HOT_THRESHOLD),
    "loop",
    A.jalr(1, 20, 0),
    A.add(6, 6, 10),
    A.addi(7, 7, -1),
    to((o) => A.bne(7, 0, o), "loop"),
    A.sw(21, 20, 0),
    FENCE_I,
    A.jalr(1, 20, 0),
    "end",
    A.ecall(),
    "f",
    A.addi(10, 0, 1),
    A.jalr(0, 1, 0),
  ]);
  const b = new Bench();
  const f = CODE_PA + 4 * (code.length - 2);
  assert.equal(b.start(code, { 20: f, 21: A.addi(10, 0, 2) }), RUN_TRAP);
  assert.deepEqual(b.trap(), { cause: CAUSE.ECALL_FROM_U, stval: 0, sepc: f - 4 });
  assert.equal(b.reg(6), 2 * HOT_THRESHOLD);
  assert.equal(b.reg(10), 2, "the rewritten function ran");
  const stats = b.cpu.codeCache!.stats;
  assert.ok(stats.compiled > 0);
  assert.equal(stats.flushes, 1, "fence.i flushed the hart's cache");
});

/** Code that adds `step` to x5 1000 times; the loop (at 8) is entered by a jump. */
function adder(step: number): Uint8Array {
  return A.toBytes([
    A.addi(6, 0, 1000),
    A.jal(0, 4),
    A.addi(5, 5, step),
    A.addi(6, 6, -1),
    A.bne(6, 0, -8),
    A.ecall(),
  ]);
}

Deno.test("translate: code compiled from a frame is dropped once the frame is freed and reused", () => {
  const b = new Bench();
  const frames = new FrameAllocator(b.m.ram);
  const run = (pa: number) => {
    b.cpu.x[5] = 0;
    b.cpu.pc = pa;
    assert.equal(b.cpu.run(100_000), RUN_TRAP);
    assert.equal(b.trap().cause, CAUSE.ECALL_FROM_U);
    return b.reg(5);
  };
  const frame = frames.alloc();
  b.m.ram.u8.set(adder(1), frame - RAM_BASE); // as a loader writes a fresh frame
  assert.equal(run(frame), 1000);
  assert.equal(run(frame), 1000);
  const stats = b.cpu.codeCache!.stats;
  assert.ok(stats.compiled > 0);

  // Rewritten in place with no FENCE.I and no announcement: the old translation may stay.
  b.m.ram.u8.set(adder(3), frame - RAM_BASE);
  assert.equal(run(frame), 1000, "the compiled loop is still the old one");

  // Freed and allocated again (the same frame: the allocator is a stack) for other code.
  frames.release(frame);
  assert.equal(frames.alloc(), frame);
  b.m.ram.u8.set(adder(5), frame - RAM_BASE);
  assert.equal(run(frame), 5000, "the new code runs");
  assert.ok(stats.dropped > 0, "the stale translation was dropped");
});

Deno.test("translate: a compiled block faults on entry once its page is unmapped and flushed", () => {
  // 0: addi x5, x5, 1   4: jal x0, -4 (back)
  const b = new Bench({ paged: true });
  assert.equal(b.start([A.addi(5, 5, 1), A.jal(0, -4)], {}, 10_000), RUN_BUDGET);
  assert.ok(b.cpu.codeCache!.stats.compiled > 0);
  const spins = b.reg(5);
  const pte = b.pt!.leaf(CODE_VA);
  b.pt!.setLeaf(CODE_VA, 0);

  // Not flushed yet: the stale TLB entry keeps the page executable.
  assert.equal(b.cpu.run(1000), RUN_BUDGET);
  assert.equal(b.reg(5), spins + 500);

  b.cpu.tlb.flushAll();
  const retired = b.cpu.instret;
  assert.equal(b.cpu.run(1000), RUN_TRAP);
  assert.deepEqual(b.trap(), {
    cause: CAUSE.INSTRUCTION_PAGE_FAULT,
    stval: CODE_VA,
    sepc: CODE_VA,
  });
  assert.equal(b.cpu.instret, retired, "nothing ran");

  // Mapped again (the kernel's fault handler would do this), the loop goes on.
  b.pt!.setLeaf(CODE_VA, pte);
  assert.equal(b.cpu.run(1000), RUN_BUDGET);
  assert.equal(b.reg(5), spins + 1000);
});

Deno.test("translate: an interrupt raised while a compiled loop spins is taken within the poll interval", () => {
  // Counts x9 up to 5000 (the loop gets compiled on the way), sets this hart's msip through
  // the CLINT, then goes back into the compiled loop, which now never ends by itself.
  const code = assemble([
    "spin",
    A.addi(9, 9, 1),
    to((o) => A.bne(9, 6, o), "spin"),
    A.sw(7, 8, 0),
    to((o) => A.jal(0, o), "spin"),
  ]);
  const b = new Bench();
  b.cpu.sie = SSIP;
  assert.equal(b.start(code, { 6: 5000, 7: 1, 8: CLINT_BASE }, 1_000_000), RUN_TRAP);
  assert.equal(b.cpu.scause >>> 0, 0x8000_0001, "supervisor software interrupt");
  const spun = b.reg(9) - 5000;
  assert.ok(
    spun > 0 && spun <= POLL_INTERVAL / 2,
    `taken within ${POLL_INTERVAL} instructions (${spun} more passes)`,
  );
  assert.equal(b.cpu.instret, 2 * 5000 + 2 + 2 * spun);
  assert.equal(b.cpu.sepc >>> 0, CODE_PA, "between two passes of the compiled loop");
  assert.ok(b.cpu.codeCache!.stats.compiled > 0);
});

/** A cache over a small machine's RAM, with one `jal x0, 0` loop at each of `offsets`. */
function loops(offsets: number[], limits: CodeCacheLimits): CodeCache {
  const m = new Machine({ harts: 1, ramSizeBytes: 1 << 20, clock: "manual" });
  for (const at of offsets) m.ram.u8.set(A.toBytes([A.jal(0, 0)]), at);
  const tlb = new Tlb(Tlb.allocate());
  const env: BlockEnv = {
    x: new Int32Array(32),
    m8: m.ram.u8,
    m16: m.ram.u16,
    m32: m.ram.i32,
    tagR: tlb.tagRead,
    tagW: tlb.tagWrite,
    tOff: tlb.offset,
    left: 0,
    interpret: false,
  };
  return new CodeCache(m.ram, compressedTable(), env, limits);
}

/** Looks `start` up until it is compiled (its heat reaches the threshold). */
function heat(cache: CodeCache, start: number) {
  for (let n = 1; n < HOT_THRESHOLD; n++) assert.equal(cache.find(start), null, "still cold");
  return cache.find(start);
}

Deno.test("translate: a cache that reaches its block limit flushes itself and starts again", () => {
  const cache = loops([0x1000, 0x2000, 0x3000], { blocks: 2 });
  assert.ok(heat(cache, 0x1000));
  assert.ok(heat(cache, 0x2000));
  assert.ok(cache.find(0x1000), "both fit");
  assert.equal(cache.stats.flushes, 0);
  assert.ok(heat(cache, 0x3000), "a third block is compiled after a flush");
  assert.equal(cache.stats.flushes, 1);
  assert.equal(cache.find(0x1000), null, "the first is gone (and cold again)");
  assert.ok(cache.find(0x3000));
  assert.equal(cache.stats.compiled, 3);
});

Deno.test("translate: a cache that reaches its code size limit flushes itself", () => {
  const cache = loops([0x1000, 0x2000], { codeBytes: 1 });
  assert.ok(heat(cache, 0x1000));
  assert.ok(heat(cache, 0x2000));
  assert.equal(cache.stats.flushes, 2, "each compile flushed what was there");
  assert.equal(cache.find(0x1000), null);
  assert.ok(cache.find(0x2000));
});
