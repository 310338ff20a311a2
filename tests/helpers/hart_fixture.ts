/**
 * A one-hart test bench for CPU, MMU and interrupt tests: a machine with a manual clock, code
 * placed in RAM from encoded instructions, registers set, the hart run in-line, and helpers to
 * read registers, RAM and the trap registers as unsigned numbers. In bare mode (satp = 0) code
 * and data live at their physical addresses; in paged mode a code page (U+R+X) and a data page
 * (U+R+W) are mapped with hand-built Sv32 tables. Writing into RAM from outside (`poke`,
 * `place`) bumps the code generation of the frames written, as the kernel's frame allocator
 * does when a frame gets new contents, so code compiled from their old contents is dropped.
 */

import assert from "node:assert/strict";
import { CAUSE, type Cpu, RUN_TRAP } from "../../machine/cpu.ts";
import { Machine } from "../../machine/machine.ts";
import { PTE_R, PTE_U, PTE_W, PTE_X } from "../../machine/mmu.ts";
import { RAM_BASE } from "../../machine/memory_map.ts";
import * as A from "./asm.ts";
import { TestPageTables } from "./paging.ts";

export type Code = Array<number | { half: number }>;
export type Regs = Record<number, number>;

export const MiB = 1024 * 1024;
/** Physical frames of the bench's code and data. */
export const CODE_PA = RAM_BASE + 0x1000;
export const DATA_PA = RAM_BASE + 0x8000;
/** Virtual addresses of the code and data pages in paged mode. */
export const CODE_VA = 0x0001_0000;
export const DATA_VA = 0x0002_0000;

/** A 16-bit (compressed) instruction for `A.toBytes`. */
export const half = (h: number) => ({ half: h });

/** What a trap left in scause/stval/sepc, as unsigned numbers. */
export interface Trap {
  cause: number;
  stval: number;
  sepc: number;
}

export class Bench {
  readonly m: Machine;
  readonly cpu: Cpu;
  readonly pt?: TestPageTables;
  /** Address the code runs at (virtual in paged mode, physical in bare mode). */
  readonly code: number;
  /** Address of the data page, as the program sees it. */
  readonly data: number;

  constructor(opts: { paged?: boolean; harts?: number; translate?: boolean } = {}) {
    this.m = new Machine({
      harts: opts.harts ?? 1,
      ramSizeBytes: 32 * MiB,
      clock: "manual",
      translate: opts.translate,
    });
    this.cpu = this.m.cpus[0];
    if (opts.paged) {
      this.pt = new TestPageTables(this.m);
      this.pt.map(CODE_VA, CODE_PA, PTE_R | PTE_X | PTE_U);
      this.pt.map(DATA_VA, DATA_PA, PTE_R | PTE_W | PTE_U);
      for (const cpu of this.m.cpus) cpu.satp = this.pt.satp(1);
      this.code = CODE_VA;
      this.data = DATA_VA;
    } else {
      this.code = CODE_PA;
      this.data = DATA_PA;
    }
  }

  /** Writes bytes into RAM at physical address `pa`. */
  poke(pa: number, bytes: ArrayLike<number>): void {
    this.m.ram.u8.set(bytes, pa - RAM_BASE);
    this.m.ram.replaceFrames(pa, bytes.length);
  }

  /** Reads `n` bytes of RAM at physical address `pa`. */
  peek(pa: number, n: number): number[] {
    return Array.from(this.m.ram.u8.subarray(pa - RAM_BASE, pa - RAM_BASE + n));
  }

  /** The 32-bit word at physical address `pa` (unsigned). */
  word(pa: number): number {
    return this.m.ram.i32[(pa - RAM_BASE) >> 2] >>> 0;
  }

  setWord(pa: number, v: number): void {
    this.m.ram.i32[(pa - RAM_BASE) >> 2] = v;
  }

  /** Places code at physical `pa` (default: the code frame). */
  place(code: Code, pa = CODE_PA): void {
    this.poke(pa, A.toBytes(code));
  }

  /** Places `code`, zeroes x1..x31, sets `regs`, sets pc and runs at most `budget` steps. */
  start(code: Code, regs: Regs = {}, budget = 100_000, pc = this.code): number {
    this.place(code);
    this.cpu.x.fill(0);
    for (const [r, v] of Object.entries(regs)) this.cpu.x[Number(r)] = v;
    this.cpu.pc = pc;
    return this.cpu.run(budget);
  }

  /** Runs `code` followed by an ecall and asserts that the hart stopped at that ecall. */
  exec(code: Code, regs: Regs = {}): void {
    const length = A.toBytes(code).length;
    const result = this.start([...code, A.ecall()], regs);
    assert.equal(result, RUN_TRAP, "the program should end at its ecall");
    const t = this.trap();
    assert.equal(
      t.cause,
      CAUSE.ECALL_FROM_U,
      `expected the final ecall, got cause ${t.cause} stval 0x${t.stval.toString(16)} ` +
        `sepc 0x${t.sepc.toString(16)}`,
    );
    assert.equal(t.sepc, (this.code + length) >>> 0);
  }

  /** Register `n`, unsigned. */
  reg(n: number): number {
    return this.cpu.x[n] >>> 0;
  }

  /** The current trap registers, unsigned. */
  trap(): Trap {
    return {
      cause: this.cpu.scause >>> 0,
      stval: this.cpu.stval >>> 0,
      sepc: this.cpu.sepc >>> 0,
    };
  }

  /** Runs `code` (no ecall added) and asserts that it traps with exactly `want`. */
  expectTrap(code: Code, want: Trap, regs: Regs = {}): void {
    assert.equal(this.start(code, regs), RUN_TRAP, "expected a trap");
    assert.deepEqual(this.trap(), {
      cause: want.cause >>> 0,
      stval: want.stval >>> 0,
      sepc: want.sepc >>> 0,
    });
  }
}
