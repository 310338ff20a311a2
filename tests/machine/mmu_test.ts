/**
 * Sv32 address translation (machine/mmu.ts) as a U-mode hart sees it and as the PageWalker
 * reports it: 4 KiB pages and 4 MiB megapages, the page-fault cause for each access kind,
 * U/R/W/X permission checks and the reserved W-without-R encoding, misaligned megapages,
 * hardware A/D updates, access faults for page tables or leaves with no RAM behind them, and
 * the TLB's caching and its flushAll/flushAsid/flushPage operations, with ASIDs. Page tables
 * are built by hand (tests/helpers/paging.ts); expected values follow the privileged
 * specification's Sv32 chapter.
 */

import assert from "node:assert/strict";
import { CAUSE, RUN_TRAP } from "../../machine/cpu.ts";
import { Machine } from "../../machine/machine.ts";
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  makeSatp,
  PageWalker,
  PTE_A,
  PTE_D,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE_X,
} from "../../machine/mmu.ts";
import { CLINT_BASE, RAM_BASE } from "../../machine/memory_map.ts";
import * as A from "../helpers/asm.ts";
import { Bench, CODE_PA, CODE_VA, DATA_PA, DATA_VA } from "../helpers/hart_fixture.ts";
import { TestPageTables } from "../helpers/paging.ts";

const RW = PTE_R | PTE_W | PTE_U;
const RX = PTE_R | PTE_X | PTE_U;
/** Physical frames used as data pages (none overlaps the bench's code, data or tables). */
const F1 = RAM_BASE + 0x0003_0000;
const F2 = RAM_BASE + 0x0004_0000;
const F3 = RAM_BASE + 0x0005_0000;
const F4 = RAM_BASE + 0x0006_0000;
/** 4 MiB-aligned physical frames for megapages. */
const MEGA1 = RAM_BASE + 0x0040_0000;
const MEGA2 = RAM_BASE + 0x0080_0000;

/** Runs `lw x5, 0(x10)` with x10 = va and returns the loaded word (asserting no trap). */
function load(b: Bench, va: number): number {
  b.exec([A.lw(5, 10, 0)], { 10: va });
  return b.reg(5);
}

/** Runs one instruction that must fault with `cause` at `va` (sepc = the code page). */
function faults(b: Bench, insn: number, va: number, cause: number, regs: Record<number, number>) {
  b.expectTrap([insn], { cause, stval: va, sepc: CODE_VA }, regs);
}

/** Jumps to `va` and expects an instruction fault of `cause` there. */
function fetchFaults(b: Bench, va: number, cause: number) {
  b.expectTrap([A.jalr(0, 5, 0)], { cause, stval: va, sepc: va }, { 5: va });
}

Deno.test("Sv32: 4 KiB pages translate to their frames, offsets preserved", () => {
  const b = new Bench({ paged: true });
  // Two adjacent virtual pages on physically discontiguous, reversed frames.
  b.pt!.map(0x0040_0000, F2, RW);
  b.pt!.map(0x0040_1000, F1, RW);
  b.setWord(F2 + 0x7fc, 0x2222_2222);
  b.setWord(F1 + 0x004, 0x1111_1111);
  assert.equal(load(b, 0x0040_07fc), 0x2222_2222);
  assert.equal(load(b, 0x0040_1004), 0x1111_1111);
  b.exec([A.sw(6, 10, 0x10), A.sb(6, 11, 0xff)], {
    6: 0xa5a5_5a5a,
    10: 0x0040_0000,
    11: 0x0040_1000,
  });
  assert.equal(b.word(F2 + 0x10), 0xa5a5_5a5a);
  assert.deepEqual(b.peek(F1 + 0xff, 1), [0x5a]);
  // The bench's own data page.
  b.setWord(DATA_PA + 0x800, 0x1234_5678);
  assert.equal(load(b, DATA_VA + 0x800), 0x1234_5678);
});

Deno.test("Sv32: an unmapped address faults with the access's cause (load 13, store 15, fetch 12)", () => {
  const b = new Bench({ paged: true });
  // 0x0050_0000: no level-1 entry at all. DATA_VA + 0x3000: level-1 entry valid, leaf invalid.
  for (const va of [0x0050_0000, DATA_VA + 0x3000]) {
    faults(b, A.lw(6, 10, 0), va, CAUSE.LOAD_PAGE_FAULT, { 10: va });
    faults(b, A.lbu(6, 10, 0), va, CAUSE.LOAD_PAGE_FAULT, { 10: va });
    faults(b, A.sw(6, 10, 0), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
    faults(b, A.sb(6, 10, 0), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
    faults(b, A.amoaddW(6, 10, 7), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
    faults(b, A.scW(6, 10, 7), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
    faults(b, A.lrW(6, 10), va, CAUSE.LOAD_PAGE_FAULT, { 10: va });
    fetchFaults(b, va, CAUSE.INSTRUCTION_PAGE_FAULT);
  }
  // A leaf with permissions but V clear is not a mapping either.
  b.pt!.map(0x0040_0000, F1, RW | PTE_X);
  b.pt!.setLeaf(0x0040_0000, b.pt!.leaf(0x0040_0000) & ~PTE_V);
  faults(b, A.lw(6, 10, 0), 0x0040_0000, CAUSE.LOAD_PAGE_FAULT, { 10: 0x0040_0000 });
  faults(b, A.sw(6, 10, 0), 0x0040_0000, CAUSE.STORE_PAGE_FAULT, { 10: 0x0040_0000 });
  fetchFaults(b, 0x0040_0000, CAUSE.INSTRUCTION_PAGE_FAULT);
});

Deno.test("Sv32: a leaf without U faults for every user access", () => {
  const b = new Bench({ paged: true });
  const va = 0x0040_0000;
  b.pt!.map(va, F1, PTE_R | PTE_W | PTE_X | PTE_A | PTE_D);
  faults(b, A.lw(6, 10, 0), va, CAUSE.LOAD_PAGE_FAULT, { 10: va });
  faults(b, A.sw(6, 10, 0), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
  faults(b, A.amoswapW(6, 10, 7), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
  fetchFaults(b, va, CAUSE.INSTRUCTION_PAGE_FAULT);
});

Deno.test("Sv32: stores to a read-only page are store page faults; loads work", () => {
  const b = new Bench({ paged: true });
  const va = 0x0040_0000;
  b.pt!.map(va, F1, PTE_R | PTE_U);
  b.setWord(F1 + 8, 77);
  assert.equal(load(b, va + 8), 77);
  faults(b, A.sw(6, 10, 8), va + 8, CAUSE.STORE_PAGE_FAULT, { 6: 1, 10: va });
  faults(b, A.sb(6, 10, 9), va + 9, CAUSE.STORE_PAGE_FAULT, { 6: 1, 10: va });
  faults(b, A.amoaddW(6, 10, 7), va + 8, CAUSE.STORE_PAGE_FAULT, { 7: 1, 10: va + 8 });
  faults(b, A.scW(6, 10, 7), va + 8, CAUSE.STORE_PAGE_FAULT, { 7: 1, 10: va + 8 });
  // LR only reads: allowed.
  b.exec([A.lrW(6, 10)], { 10: va + 8 });
  assert.equal(b.reg(6), 77);
  assert.equal(b.word(F1 + 8), 77, "memory unchanged");
});

Deno.test("Sv32: W without R is a reserved encoding and faults for every access", () => {
  const b = new Bench({ paged: true });
  const va = 0x0040_0000;
  for (const flags of [PTE_W | PTE_U, PTE_W | PTE_X | PTE_U]) {
    b.pt!.map(va, F1, flags);
    b.cpu.tlb.flushAll();
    faults(b, A.lw(6, 10, 0), va, CAUSE.LOAD_PAGE_FAULT, { 10: va });
    faults(b, A.sw(6, 10, 0), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
    fetchFaults(b, va, CAUSE.INSTRUCTION_PAGE_FAULT);
  }
});

Deno.test("Sv32: execute needs X; an execute-only page cannot be read or written", () => {
  const b = new Bench({ paged: true });
  // The data page is R+W, not X.
  fetchFaults(b, DATA_VA + 0x40, CAUSE.INSTRUCTION_PAGE_FAULT);
  // An X-only page runs code but is not readable (MXR is 0 for user accesses).
  const xo = 0x0040_0000;
  b.pt!.map(xo, F1, PTE_X | PTE_U);
  b.place([A.addi(6, 0, 9), A.ecall()], F1);
  b.expectTrap([A.jalr(0, 5, 0)], { cause: CAUSE.ECALL_FROM_U, stval: 0, sepc: xo + 4 }, {
    5: xo,
  });
  assert.equal(b.reg(6), 9);
  faults(b, A.lw(6, 10, 0), xo, CAUSE.LOAD_PAGE_FAULT, { 10: xo });
  faults(b, A.lbu(6, 10, 3), xo + 3, CAUSE.LOAD_PAGE_FAULT, { 10: xo });
  faults(b, A.lrW(6, 10), xo, CAUSE.LOAD_PAGE_FAULT, { 10: xo });
  faults(b, A.sw(6, 10, 0), xo, CAUSE.STORE_PAGE_FAULT, { 10: xo });
});

Deno.test("Sv32: a megapage at a 4 MiB-aligned address maps the whole 4 MiB", () => {
  const b = new Bench({ paged: true });
  const va = 0x0080_0000;
  b.pt!.mapMega(va, MEGA1, RW);
  b.setWord(MEGA1 + 0x120, 0x0000_0120);
  b.setWord(MEGA1 + 0x10_0450, 0x0010_0450); // 1 MiB further on
  assert.equal(load(b, va + 0x120), 0x0000_0120);
  assert.equal(load(b, va + 0x10_0450), 0x0010_0450);
  b.exec([A.sw(6, 10, 0)], { 6: 0xfeed_f00d, 10: va + 0x3f_fffc });
  assert.equal(b.word(MEGA1 + 0x3f_fffc), 0xfeed_f00d);
  // Code runs from an executable megapage too.
  const code = 0x00c0_0000;
  b.pt!.mapMega(code, MEGA1, RX);
  b.place([A.addi(6, 0, 5), A.ecall()], MEGA1 + 0x23_4000);
  b.expectTrap([A.jalr(0, 5, 0)], {
    cause: CAUSE.ECALL_FROM_U,
    stval: 0,
    sepc: code + 0x23_4004,
  }, { 5: code + 0x23_4000 });
  assert.equal(b.reg(6), 5);
});

Deno.test("Sv32: a misaligned megapage (ppn[0] != 0) is a page fault", () => {
  const b = new Bench({ paged: true });
  const va = 0x0080_0000;
  b.pt!.mapMega(va, MEGA1 + 0x1000, RW | PTE_X); // ppn[0] = 1
  faults(b, A.lw(6, 10, 0), va + 0x10, CAUSE.LOAD_PAGE_FAULT, { 10: va + 0x10 });
  faults(b, A.sw(6, 10, 0), va + 0x10, CAUSE.STORE_PAGE_FAULT, { 10: va + 0x10 });
  fetchFaults(b, va + 0x10, CAUSE.INSTRUCTION_PAGE_FAULT);
});

Deno.test("Sv32: a pointer PTE at the last level is a page fault", () => {
  const b = new Bench({ paged: true });
  const va = 0x0040_0000;
  b.pt!.map(va, F1, RW);
  b.pt!.setLeaf(va, ((F1 / 4096) << 10) | PTE_V); // V set, R=W=X=0 at level 0
  faults(b, A.lw(6, 10, 0), va, CAUSE.LOAD_PAGE_FAULT, { 10: va });
  faults(b, A.sw(6, 10, 0), va, CAUSE.STORE_PAGE_FAULT, { 10: va });
  fetchFaults(b, va, CAUSE.INSTRUCTION_PAGE_FAULT);
});

Deno.test("Sv32: the walker sets A on any access and D only on stores", () => {
  const b = new Bench({ paged: true });
  const va = 0x0040_0000;
  b.pt!.map(va, F1, RW);
  assert.equal(b.pt!.leaf(va) & (PTE_A | PTE_D), 0, "fresh PTE");
  load(b, va);
  assert.equal(b.pt!.leaf(va) & (PTE_A | PTE_D), PTE_A, "a load sets A only");
  assert.equal(b.pt!.leaf(CODE_VA) & (PTE_A | PTE_D), PTE_A, "a fetch sets A only");
  // The page is now cached for reads; the first store must still set D.
  b.exec([A.sw(6, 10, 4)], { 6: 1, 10: va });
  assert.equal(b.pt!.leaf(va) & (PTE_A | PTE_D), PTE_A | PTE_D, "a store sets D");
  assert.equal(b.pt!.leaf(va) >>> 10, F1 / 4096, "PPN untouched");
  assert.equal(b.pt!.leaf(va) & 0x3f, PTE_V | RW, "permissions untouched");
  // An AMO is a store.
  const v2 = 0x0040_1000;
  b.pt!.map(v2, F2, RW);
  b.exec([A.amoaddW(6, 10, 7)], { 7: 1, 10: v2 });
  assert.equal(b.pt!.leaf(v2) & (PTE_A | PTE_D), PTE_A | PTE_D);
  // A store that faults (read-only page) does not set D.
  const ro = 0x0040_2000;
  b.pt!.map(ro, F3, PTE_R | PTE_U);
  faults(b, A.sw(6, 10, 0), ro, CAUSE.STORE_PAGE_FAULT, { 10: ro });
  assert.equal(b.pt!.leaf(ro) & PTE_D, 0);
  // Megapage leaves get A and D too.
  const mega = 0x0080_0000;
  b.pt!.mapMega(mega, MEGA1, RW);
  load(b, mega + 0x20_0000);
  assert.equal(b.pt!.leaf(mega) & (PTE_A | PTE_D), PTE_A);
  b.exec([A.sw(6, 10, 0)], { 6: 1, 10: mega + 0x30_0000 });
  assert.equal(b.pt!.leaf(mega) & (PTE_A | PTE_D), PTE_A | PTE_D);
});

Deno.test("Sv32: page tables or leaves with no RAM behind them give access faults", () => {
  // Root table outside RAM: the fetch at the very start already faults.
  const b = new Bench({ paged: true });
  b.cpu.satp = makeSatp(0x3000_0000 / 4096, 1);
  b.expectTrap([A.ecall()], {
    cause: CAUSE.INSTRUCTION_ACCESS_FAULT,
    stval: CODE_VA,
    sepc: CODE_VA,
  });
  // A level-1 pointer outside RAM.
  const c = new Bench({ paged: true });
  const va = 0x0040_0000;
  c.pt!.write(c.pt!.root + (va >>> 22) * 4, ((0x3000_0000 / 4096) << 10) | PTE_V);
  faults(c, A.lw(6, 10, 0), va, CAUSE.LOAD_ACCESS_FAULT, { 10: va });
  faults(c, A.sw(6, 10, 0), va, CAUSE.STORE_ACCESS_FAULT, { 10: va });
  fetchFaults(c, va, CAUSE.INSTRUCTION_ACCESS_FAULT);
  // A level-1 pointer into a device's registers is no page table either.
  c.pt!.write(c.pt!.root + (va >>> 22) * 4, ((CLINT_BASE / 4096) << 10) | PTE_V);
  c.cpu.tlb.flushAll();
  faults(c, A.lw(6, 10, 0), va, CAUSE.LOAD_ACCESS_FAULT, { 10: va });
});

Deno.test("Sv32: a leaf PPN above 4 GiB (34-bit physical address) has no RAM: access fault", () => {
  const b = new Bench({ paged: true });
  const va = 0x0040_0000;
  // Physical 0x1_8000_8000: the data frame's address plus 2^32. Nothing lives there.
  b.pt!.map(va, 2 ** 32 + DATA_PA, RW | PTE_X);
  b.setWord(DATA_PA, 0x600d_600d);
  const got = [A.lw(6, 10, 0), A.sw(7, 10, 0), A.amoaddW(6, 10, 7)].map((insn) => {
    // The ecall after it shows up as cause 8 if the access wrongly succeeds.
    const result = b.start([insn, A.ecall()], { 6: 0x5555, 7: 0xbad, 10: va });
    return { result, ...b.trap(), x6: b.reg(6) };
  });
  assert.deepEqual(got, [
    { result: RUN_TRAP, cause: CAUSE.LOAD_ACCESS_FAULT, stval: va, sepc: CODE_VA, x6: 0x5555 },
    { result: RUN_TRAP, cause: CAUSE.STORE_ACCESS_FAULT, stval: va, sepc: CODE_VA, x6: 0x5555 },
    { result: RUN_TRAP, cause: CAUSE.STORE_ACCESS_FAULT, stval: va, sepc: CODE_VA, x6: 0x5555 },
  ]);
  assert.equal(b.word(DATA_PA), 0x600d_600d, "RAM at the address modulo 2^32 is untouched");
  fetchFaults(b, va, CAUSE.INSTRUCTION_ACCESS_FAULT);
});

// ---------------------------------------------------------------------------------------------
// TLB

Deno.test("TLB: a changed PTE is not seen until the page is flushed", () => {
  const b = new Bench({ paged: true });
  const va = 0x0040_0000;
  const other = 0x0040_1000;
  b.pt!.map(va, F1, RW);
  b.pt!.map(other, F3, RW);
  b.setWord(F1, 0xf1);
  b.setWord(F2, 0xf2);
  b.setWord(F3, 0xf3);
  b.setWord(F4, 0xf4);
  assert.equal(load(b, va), 0xf1);
  assert.equal(load(b, other), 0xf3);
  b.pt!.map(va, F2, RW);
  b.pt!.map(other, F4, RW);
  assert.equal(load(b, va), 0xf1, "stale translation still cached");
  b.cpu.tlb.flushPage(va + 0x123, 2); // another ASID: no effect
  assert.equal(load(b, va), 0xf1);
  b.cpu.tlb.flushPage(va + 0x123, 1);
  assert.equal(load(b, va), 0xf2, "new translation after flushPage");
  assert.equal(load(b, other), 0xf3, "the other page is still cached");
  b.cpu.tlb.flushPage(other);
  assert.equal(load(b, other), 0xf4);
  // Unmapping is not seen without a flush either; after it, the access faults.
  b.pt!.setLeaf(va, 0);
  assert.equal(load(b, va), 0xf2);
  b.cpu.tlb.flushPage(va);
  faults(b, A.lw(5, 10, 0), va, CAUSE.LOAD_PAGE_FAULT, { 10: va });
});

Deno.test("TLB: flushAsid forgets only that address space; flushAll forgets everything", () => {
  const b = new Bench({ paged: true }); // address space 1 (ASID 1)
  const pt2 = new TestPageTables(b.m, RAM_BASE + 0x0120_0000); // address space 2 (ASID 2)
  pt2.map(CODE_VA, CODE_PA, RX);
  const va1 = 0x0040_0000;
  const va2 = 0x0050_0000; // a different TLB slot from va1
  b.pt!.map(va1, F1, RW);
  pt2.map(va2, F3, RW);
  for (const [f, v] of [[F1, 0xa1], [F2, 0xa2], [F3, 0xb1], [F4, 0xb2]]) b.setWord(f, v);
  const in1 = () => {
    b.cpu.satp = b.pt!.satp(1);
    return load(b, va1);
  };
  const in2 = () => {
    b.cpu.satp = pt2.satp(2);
    return load(b, va2);
  };
  assert.equal(in1(), 0xa1);
  assert.equal(in2(), 0xb1);
  b.pt!.map(va1, F2, RW);
  pt2.map(va2, F4, RW);
  assert.equal(in1(), 0xa1, "ASID 1 stale");
  assert.equal(in2(), 0xb1, "ASID 2 stale");
  b.cpu.tlb.flushAsid(1);
  assert.equal(in1(), 0xa2, "ASID 1 flushed");
  assert.equal(in2(), 0xb1, "ASID 2 survived flushAsid(1)");
  b.cpu.tlb.flushAll();
  assert.equal(in2(), 0xb2, "flushAll reached ASID 2");
});

Deno.test("TLB: flushing one address inside a megapage forgets the whole megapage", () => {
  const b = new Bench({ paged: true });
  const va = 0x0080_0000;
  b.pt!.mapMega(va, MEGA1, RW);
  b.setWord(MEGA1, 0x1000_0000);
  b.setWord(MEGA1 + 0x10_0000, 0x1010_0000);
  b.setWord(MEGA2, 0x2000_0000);
  b.setWord(MEGA2 + 0x10_0000, 0x2010_0000);
  assert.equal(load(b, va), 0x1000_0000);
  assert.equal(load(b, va + 0x10_0000), 0x1010_0000);
  b.pt!.mapMega(va, MEGA2, RW);
  assert.equal(load(b, va), 0x1000_0000, "stale");
  assert.equal(load(b, va + 0x10_0000), 0x1010_0000, "stale");
  b.cpu.tlb.flushPage(va + 0x5000);
  assert.equal(load(b, va), 0x2000_0000);
  assert.equal(load(b, va + 0x10_0000), 0x2010_0000);
});

/**
 * A bench with a second address space (ASID 2) beside its own (ASID 1), `va` mapped to F1 in
 * the first and to F2 in the second; `enter(n)` switches the hart to address space n.
 */
function twoSpaces(va: number) {
  const b = new Bench({ paged: true });
  const pt2 = new TestPageTables(b.m, RAM_BASE + 0x0120_0000);
  pt2.map(CODE_VA, CODE_PA, RX);
  b.pt!.map(va, F1, RW);
  pt2.map(va, F2, RW);
  const enter = (n: 1 | 2) => {
    b.cpu.satp = n === 1 ? b.pt!.satp(1) : pt2.satp(2);
  };
  return { b, pt2, enter };
}

Deno.test("TLB: two ASIDs map the same VA to different frames with no flush between", () => {
  const va = 0x0040_0000;
  const { b, enter } = twoSpaces(va);
  b.setWord(F1, 0x1111);
  b.setWord(F2, 0x2222);
  for (let round = 0; round < 3; round++) {
    enter(1);
    assert.equal(load(b, va), 0x1111, `round ${round}, ASID 1`);
    b.exec([A.sw(6, 10, 4)], { 6: round, 10: va });
    enter(2);
    assert.equal(load(b, va), 0x2222, `round ${round}, ASID 2`);
    b.exec([A.sw(6, 10, 4)], { 6: 100 + round, 10: va });
  }
  assert.equal(b.word(F1 + 4), 2);
  assert.equal(b.word(F2 + 4), 102);
});

Deno.test("TLB: two address spaces keep the same page cached at once; flushPage picks which", () => {
  // A forked process uses its parent's virtual pages: on one hart, each one's translation of
  // a page must survive the other's use of it (else a switch refills code, stack and data).
  // Both stay cached: remapped behind the TLB's back, both still load the old frames.
  const va = 0x0040_0000;
  const { b, pt2, enter } = twoSpaces(va);
  for (const [f, v] of [[F1, 0xa1], [F2, 0xb1], [F3, 0xa2], [F4, 0xb2]]) b.setWord(f, v);
  const inSpace = (n: 1 | 2) => {
    enter(n);
    return load(b, va);
  };
  assert.equal(inSpace(1), 0xa1);
  assert.equal(inSpace(2), 0xb1);
  b.pt!.map(va, F3, RW);
  pt2.map(va, F4, RW);
  assert.equal(inSpace(1), 0xa1, "ASID 1's entry survived ASID 2's use of the page");
  assert.equal(inSpace(2), 0xb1, "ASID 2's too");
  b.cpu.tlb.flushPage(va, 1);
  assert.equal(inSpace(1), 0xa2, "flushPage(va, 1) reached ASID 1");
  assert.equal(inSpace(2), 0xb1, "and not ASID 2");
  b.cpu.tlb.flushPage(va);
  assert.equal(inSpace(2), 0xb2, "flushPage(va) reached every address space");
});

// ---------------------------------------------------------------------------------------------
// The walker on its own

Deno.test("PageWalker: returns the physical address or minus the fault cause", () => {
  const m = new Machine({ harts: 1, ramSizeBytes: 32 * 1024 * 1024, clock: "manual" });
  const pt = new TestPageTables(m);
  const w = new PageWalker(m.bus);
  const satp = pt.satp(3);
  pt.map(0x0002_0000, RAM_BASE + 0x8000, RW);
  pt.map(0x0003_0000, RAM_BASE + 0x9000, PTE_X | PTE_U);
  pt.map(0x0004_0000, RAM_BASE + 0xa000, PTE_R | PTE_U);
  pt.mapMega(0x0080_0000, MEGA1, RW);

  assert.equal(w.translate(satp, 0x0002_0abc, ACCESS_READ), RAM_BASE + 0x8abc);
  assert.equal(w.translate(satp, 0x0002_0abc, ACCESS_WRITE), RAM_BASE + 0x8abc);
  assert.equal(w.translate(satp, 0x0002_0abc, ACCESS_EXEC), -12);
  assert.equal(w.translate(satp, 0x0003_0004, ACCESS_EXEC), RAM_BASE + 0x9004);
  assert.equal(w.translate(satp, 0x0003_0004, ACCESS_READ), -13);
  assert.equal(w.translate(satp, 0x0003_0004, ACCESS_WRITE), -15);
  assert.equal(w.translate(satp, 0x0004_0000, ACCESS_WRITE), -15);
  assert.equal(w.translate(satp, 0x0080_0000 + 0x12_3456, ACCESS_READ), MEGA1 + 0x12_3456);
  assert.equal(w.translate(satp, 0x0050_0000, ACCESS_READ), -13);
  assert.equal(w.translate(satp, 0x0050_0000, ACCESS_WRITE), -15);
  assert.equal(w.translate(satp, 0x0050_0000, ACCESS_EXEC), -12);
  assert.equal(w.translate(satp, 0xffff_f000, ACCESS_READ), -13);
  // satp.MODE = Bare: the identity.
  assert.equal(w.translate(0, 0x1234, ACCESS_READ), 0x1234);
  assert.equal(w.translate(0, 0xffff_fff0, ACCESS_EXEC), 0xffff_fff0);
  // The walk itself set A (and D for the write).
  assert.equal(pt.leaf(0x0002_0000) & (PTE_A | PTE_D), PTE_A | PTE_D);
  assert.equal(pt.leaf(0x0003_0000) & (PTE_A | PTE_D), PTE_A);
  assert.equal(pt.leaf(0x0004_0000) & (PTE_A | PTE_D), 0, "a faulting walk sets nothing");
});

Deno.test("PageWalker: a page-table pointer leading outside RAM is an access fault", () => {
  const m = new Machine({ harts: 1, ramSizeBytes: 32 * 1024 * 1024, clock: "manual" });
  const pt = new TestPageTables(m);
  const w = new PageWalker(m.bus);
  // The root itself outside RAM (in a hole, and on a device).
  for (const root of [0x3000_0000, CLINT_BASE, 0x3_0000_0000]) {
    const satp = makeSatp(root / 4096, 1);
    assert.equal(w.translate(satp, 0x0002_0000, ACCESS_READ), -5, `root 0x${root.toString(16)}`);
    assert.equal(w.translate(satp, 0x0002_0000, ACCESS_WRITE), -7);
    assert.equal(w.translate(satp, 0x0002_0000, ACCESS_EXEC), -1);
  }
  // A level-1 entry pointing at a level-0 table outside RAM.
  const va = 0x0040_0000;
  pt.write(pt.root + (va >>> 22) * 4, ((0x3000_0000 / 4096) << 10) | PTE_V);
  assert.equal(w.translate(pt.satp(1), va, ACCESS_READ), -5);
  assert.equal(w.translate(pt.satp(1), va, ACCESS_WRITE), -7);
  assert.equal(w.translate(pt.satp(1), va, ACCESS_EXEC), -1);
  // ...and one just past the end of RAM.
  const end = RAM_BASE + 32 * 1024 * 1024;
  pt.write(pt.root + (va >>> 22) * 4, ((end / 4096) << 10) | PTE_V);
  assert.equal(w.translate(pt.satp(1), va, ACCESS_READ), -5);
});
