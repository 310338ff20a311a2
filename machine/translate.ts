/**
 * The translator: compiles hot guest code into JavaScript functions, the second tier of the
 * hart (the interpreter in cpu.ts is the first; code_cache.ts decides when).
 *
 * The unit is the block: straight-line code inside one 4 KiB page, decoded from RAM, that
 * ends after its first jump or branch, before the first instruction the translator does not
 * compile, before a 32-bit instruction that would straddle the page's end, at the page's end,
 * or after MAX_BLOCK_INSNS instructions. Compiled are RV32IM's computational instructions,
 * loads, stores, jumps and branches, compressed ones included (expanded by the interpreter's
 * table); everything else (SYSTEM, AMO, FENCE, FENCE.I, illegal encodings) is left to the
 * interpreter, which ends a block there.
 *
 * One function holds a region: the hot block it was compiled for and the blocks that block
 * reaches through direct jumps, branches, fall-throughs and indirect jumps' seen targets
 * without leaving its page, as far as they have run often enough (the cache's `warm` test) and
 * fit (at most MAX_REGION_BLOCKS blocks, MAX_REGION_INSNS instructions). Control moving between
 * blocks of the region (a loop with an `if` in it, a call to a function in the same page) stays
 * in the function, written as structured code in the layout region_layout.ts gives: each guest
 * loop a labeled `for (;;)` whose back edges are `continue`s, each forward edge a `break` to
 * the label that ends just before its target (nothing when it falls through to the next block),
 * an edge into the middle of a loop (irreducible flow) an exit. The obvious shape, a `switch`
 * on the block number in a loop, ran a loop inside one case about 1.5x slower in V8 and paid
 * every data-dependent branch twice (once more in the dispatch). An indirect jump (JALR) goes
 * on inside the region when its target is a block of the region that the interpreter has seen
 * it jump to (the cache's `targets`: a function's return to a caller in the page, a switch's
 * cases): those targets are its edges, and the jump tests its computed target against them.
 * Leaving the region (any other indirect target, a target outside it, an instruction the
 * interpreter keeps) returns the next pc to `run`. Every block of the region can be an entry
 * point: the function starts with a tree of ifs on the entry block's number that breaks to it
 * (through the loops holding it).
 *
 * Semantics are the interpreter's, instruction for instruction: the same TLB arrays read
 * inline for data accesses, the same M-extension helpers (muldiv.ts). An access the TLB does
 * not give (a miss, a misaligned access, a page outside the user bank) is not made here: the
 * function returns that instruction's pc with `env.interpret` set, and the interpreter makes
 * it (walking the page table, filling the TLB, raising the trap) and goes on to the next
 * block boundary. So compiled code never traps and never calls back into the hart, and its
 * hot paths merge no value from a slow one (a call to a slow path inside a loop made V8's
 * code for that loop about 1.3x slower). Generated code depends
 * only on where its page lies in the bank, never on the page's virtual address (it computes
 * pcs from the pc it is entered at), so one translation serves every mapping of a frame.
 *
 * Page caches: in a block that loops on itself, each base register has a one-page cache for
 * loads and one for stores (locals: the page's base address and its offset in the bank),
 * filled on a TLB hit and checked with one mask and compare that also rejects a misaligned
 * access. A cached translation is the TLB entry it was read from, valid as long as that
 * entry: the locals live for one call of the function, and the TLB of a running hart changes
 * only when the hart has stopped (a shootdown stops it at its next interrupt sample, when the
 * function has returned). In every other block, a base register the block makes two or more
 * loads (or stores) through gets such a cache whose locals live in the block only (a function's
 * saves and restores through sp, a structure's fields): caches carried around larger loops
 * cost more than they saved (more loop-carried locals for V8; matmul ran about 20% slower).
 *
 * Unchecked passes: when such a block loops through its own branch, its accesses whose base
 * register the block changes only by `addi r, r, c` (or not at all), by a multiple of their
 * width, move through memory at a known rate. After a checked pass has filled the page
 * caches, the block works out from the registers how many more passes keep every such access
 * inside its cached page (aligned, since each starts aligned and moves by its width) and runs
 * that many passes of a copy of itself that makes those accesses without a check; the other
 * accesses keep theirs. Then a checked pass again, which refills the caches (or hands the
 * access that left its page to the interpreter). Measured: bench_crc32 +22% (faster in 14 of
 * 14 alternating runs), matmul +6–13%; the rest within this VM's noise.
 *
 * Budget and precision: a block runs only when all of it fits before `limit` (the budget at
 * which `run` must stop or sample interrupts); otherwise the function returns that block's pc
 * and `run` takes over. Registers live in JavaScript locals: loaded from the shared register
 * file on entry and written back on the one way out, which also leaves `env.left` exact for
 * a return in the middle of a block (the instructions before the access are counted).
 *
 * Each region's function is named after its first block's offset in the bank (region_1144a),
 * so that a CPU profile of the host says which guest code the time went to.
 *
 * Shaped for V8: no try/finally (exception edges carrying every register local make
 * optimizing compiles several times slower), and exits assign constants, so that a path run
 * for the first time after V8 optimized the function finds no operation lacking type feedback.
 */

import { TLB_MASK } from "./mmu.ts";
import { blocksOf, edgeKey, firstBlock, type Item, layoutRegion } from "./region_layout.ts";
import { div, divu, mulh, mulhsu, mulhu, rem, remu } from "./muldiv.ts";

/** Longest block, in instructions. */
export const MAX_BLOCK_INSNS = 64;
/**
 * Most blocks and instructions in one region. Small regions keep V8's optimizing compiles
 * short, which is most of what a region costs before it pays off.
 */
export const MAX_REGION_BLOCKS = 16;
export const MAX_REGION_INSNS = 96;

/** What generated code reaches of its hart. */
export interface BlockEnv {
  /** x0..x31. */
  readonly x: Int32Array;
  /** The user bank. */
  readonly m8: Uint8Array;
  readonly m16: Uint16Array;
  readonly m32: Int32Array;
  /** The hart's TLB (see mmu.ts). */
  readonly tagR: Int32Array;
  readonly tagW: Int32Array;
  readonly tOff: Int32Array;
  /** Budget left when the function returned. */
  left: number;
  /**
   * Set when the function returned at an access it does not make itself (see the header):
   * `run` must interpret from the returned pc, at least that instruction.
   */
  interpret: boolean;
}

/**
 * Runs a region from its block number `entry`, which starts at virtual address `pc`, with
 * `left` instructions of budget (the entry block must fit before `limit`); `tagBase` is the
 * TLB tag base of the current address space and `spread` its `tlbSpread`. Returns the next pc
 * and leaves the budget in `env.left`.
 */
export type RegionFn = (
  pc: number,
  left: number,
  limit: number,
  tagBase: number,
  spread: number,
  entry: number,
) => number;

/** What the code cache knows of how the code has run, for choosing a region's blocks. */
export interface RegionProfile {
  /** Whether the block at byte offset `start` of the user bank has run often. */
  warm(start: number): boolean;
  /**
   * Page offsets in its own page that the JALR at byte offset `site` of the user bank has
   * jumped to, most often first (return points, a switch's cases).
   */
  targets(site: number): number[];
}

/** A compiled block: where it starts, and how to run it. */
export interface Block {
  /** Byte offset of its first instruction in the user bank. */
  readonly start: number;
  /** Instructions in the block. */
  readonly insns: number;
  /** Its region's function, and its number there. */
  readonly run: RegionFn;
  readonly index: number;
}

/** A compiled region: its blocks (the first is the one it was compiled for). */
export interface Region {
  readonly blocks: Block[];
  /** Size of the generated source, in characters. */
  readonly bytes: number;
}

/** How an instruction takes part in a block. */
const STOP = 0; // not compiled: the block ends before it
const NEXT = 1; // compiled; the block goes on
const END = 2; // compiled; the block ends after it

/** Decides whether `insn` is compiled and whether it closes a block. */
function classify(insn: number): number {
  const funct3 = (insn >>> 12) & 7;
  const f7 = insn >>> 25;
  switch ((insn >>> 2) & 31) {
    case 0x0d: // LUI
    case 0x05: // AUIPC
      return NEXT;
    case 0x1b: // JAL
      return END;
    case 0x19: // JALR
      return funct3 === 0 ? END : STOP;
    case 0x18: // BRANCH
      return funct3 === 2 || funct3 === 3 ? STOP : END;
    case 0x00: // LOAD
      return funct3 === 3 || funct3 > 5 ? STOP : NEXT;
    case 0x08: // STORE
      return funct3 > 2 ? STOP : NEXT;
    case 0x04: // OP-IMM: the shifts' upper bits must be valid
      if (funct3 === 1) return f7 === 0 ? NEXT : STOP;
      if (funct3 === 5) return f7 === 0 || f7 === 0x20 ? NEXT : STOP;
      return NEXT;
    case 0x0c: // OP
      if (f7 === 0 || f7 === 1) return NEXT;
      return f7 === 0x20 && (funct3 === 0 || funct3 === 5) ? NEXT : STOP;
    default:
      return STOP;
  }
}

/** Registers `insn` reads (a bit mask, x0 left out). */
function reads(insn: number): number {
  const rs1 = 1 << ((insn >>> 15) & 31);
  const rs2 = 1 << ((insn >>> 20) & 31);
  switch ((insn >>> 2) & 31) {
    case 0x19: // JALR
    case 0x00: // LOAD
    case 0x04: // OP-IMM
      return rs1 & ~1;
    case 0x18: // BRANCH
    case 0x08: // STORE
    case 0x0c: // OP
      return (rs1 | rs2) & ~1;
    default:
      return 0;
  }
}

/** Registers `insn` writes (a bit mask, x0 left out). */
function writes(insn: number): number {
  switch ((insn >>> 2) & 31) {
    case 0x18: // BRANCH
    case 0x08: // STORE
      return 0;
    default:
      return (1 << ((insn >>> 7) & 31)) & ~1;
  }
}

/** JAL's offset. */
function jalOffset(insn: number): number {
  return ((insn >> 11) & 0xfff00000) | (insn & 0xff000) | ((insn >>> 9) & 0x800) |
    ((insn >>> 20) & 0x7fe);
}

/** A branch's offset. */
function branchOffset(insn: number): number {
  return ((insn >> 19) & 0xfffff000) | ((insn << 4) & 0x800) | ((insn >>> 20) & 0x7e0) |
    ((insn >>> 7) & 0x1e);
}

/** One block, decoded. Offsets are from the start of its page. */
interface Decoded {
  insns: number[];
  offsets: number[];
  lengths: number[];
  /** Offset just past the last instruction. */
  end: number;
}

/** Decodes the block at page offset `at` of the page at bank offset `page`; null if empty. */
function decode(code: Uint16Array, rvc: Int32Array, page: number, at: number): Decoded | null {
  const d: Decoded = { insns: [], offsets: [], lengths: [], end: at };
  while (d.insns.length < MAX_BLOCK_INSNS && d.end < 4096) {
    const half = (page + d.end) >>> 1;
    let insn = code[half];
    let ilen = 4;
    if ((insn & 3) !== 3) {
      insn = rvc[insn];
      ilen = 2;
      if (insn === 0) break;
    } else if (d.end + 4 > 4096) {
      break;
    } else {
      insn |= code[half + 1] << 16;
    }
    const kind = classify(insn);
    if (kind === STOP) break;
    d.insns.push(insn);
    d.offsets.push(d.end);
    d.lengths.push(ilen);
    d.end += ilen;
    if (kind === END) break;
  }
  return d.insns.length > 0 ? d : null;
}

/**
 * Page offsets a block may continue at (a jump's may lie outside the page); for an indirect
 * jump, the targets `indirect` gives for the page offset of the JALR.
 */
function successors(d: Decoded, indirect: (at: number) => number[]): number[] {
  const last = d.insns[d.insns.length - 1];
  const at = d.offsets[d.offsets.length - 1];
  switch ((last >>> 2) & 31) {
    case 0x18: // BRANCH
      return [at + branchOffset(last), d.end];
    case 0x1b: // JAL
      return [at + jalOffset(last)];
    case 0x19: // JALR
      return indirect(at);
    default:
      return [d.end];
  }
}

/**
 * For a block that loops on itself: each register's change per pass when the block writes it
 * only with `addi r, r, c` (the sum of those c; 0 when it does not write it), null when the
 * block writes it any other way.
 */
function strides(d: Decoded): Array<number | null> {
  const change: Array<number | null> = new Array(32).fill(0);
  for (const insn of d.insns) {
    const rd = (insn >>> 7) & 31;
    if ((writes(insn) & (1 << rd)) === 0) continue;
    const addi = ((insn >>> 2) & 31) === 0x04 && ((insn >>> 12) & 7) === 0 &&
      ((insn >>> 15) & 31) === rd;
    const c = change[rd];
    change[rd] = addi && c !== null ? c + (insn >> 20) : null;
  }
  return change;
}

/**
 * The base registers a block makes two or more loads (`r` and the register number) or two or
 * more stores (`w`...) through: worth a page cache for the block.
 */
function sharedBases(d: Decoded): Set<string> {
  const seen = new Set<string>();
  const shared = new Set<string>();
  for (const insn of d.insns) {
    const op = (insn >>> 2) & 31;
    if (op !== 0x00 && op !== 0x08) continue;
    const key = `${op === 0x00 ? "r" : "w"}${(insn >>> 15) & 31}`;
    if (seen.has(key)) shared.add(key);
    seen.add(key);
  }
  return shared;
}

/**
 * The mask that keeps a virtual address's page and, for a halfword or word access, the low
 * bits that must be zero: equal to a page base exactly when the access is aligned and in it.
 */
function pageMask(funct3: number): number {
  return [-4096, -4095, -4093][funct3 & 3];
}

/** The TLB path's misalignment test for an access of width funct3 (LB/LBU need none). */
function misaligned(funct3: number): string {
  return (funct3 & 3) === 2 ? " || (va & 3) !== 0" : (funct3 & 3) === 1 ? " || (va & 1) !== 0" : "";
}

/**
 * The code of one load or store of width `funct3` at `va` (computed already): `access(pa)`
 * does it at bank offset `pa` (an expression) after a TLB hit in `tags`; with a page cache
 * (the names of its two locals: page base, offset in the bank) the cached page is tried
 * first and a TLB hit refills it. Anything else runs `handOff`, which leaves the function
 * for the interpreter to make the access.
 */
function memoryAccess(
  funct3: number,
  tags: "tagR" | "tagW",
  cache: [string, string] | null,
  access: (pa: string) => string,
  handOff: string,
): string {
  const tlbMiss = `${tags}[t = ((va >>> 12) ^ tx) & ${TLB_MASK}] !== (tb | (va >>> 12))` +
    misaligned(funct3);
  if (cache === null) {
    return `if (${tlbMiss}) { ${handOff} }\n${access("(tOff[t] + (va & 4095))")};\n`;
  }
  const [p, o] = cache;
  return `if ((va & ${pageMask(funct3)}) !== ${p}) {\n` +
    `if (${tlbMiss}) { ${handOff} }\n${p} = va & -4096; ${o} = (tOff[t] - ${p}) | 0;\n}\n` +
    `${access(`(${o} + va)`)};\n`;
}

/** A number as a JavaScript operand. */
function lit(n: number): string {
  return n < 0 ? `(${n})` : `${n}`;
}

/** Register `n` as an operand (x0 is the constant 0). */
function reg(n: number): string {
  return n === 0 ? "0" : `r${n}`;
}

/** The pc at page offset `at` (which may lie outside the page, for a jump's target). */
function pcAt(at: number): string {
  return `(page + ${lit(at)}) | 0`;
}

/**
 * A tree of ifs on `block` (the number the function was entered at) that runs, for each entry
 * [block number, code] (ascending by number), its code.
 */
function entryTree(entries: Array<[number, string]>): string {
  if (entries.length === 1) return entries[0][1];
  const mid = entries.length >>> 1;
  return `if (block < ${entries[mid][0]}) { ${entryTree(entries.slice(0, mid))} } ` +
    `else { ${entryTree(entries.slice(mid))} }`;
}

/**
 * The code of a region laid out by region_layout.ts: `bodies[i]` is block i's code. Each item
 * after the first of a list follows the end of a labeled statement b<first block> that holds
 * everything before it in the list; a loop is a labeled `for (;;)`, L<header>. A list starts
 * with the tree that, on entry at one of its blocks (`block` >= 0), breaks to its label or into
 * the inner loop holding it, and sets `block` to -1 once there; a loop's list leaves its
 * header out (entering the loop is entering the header).
 */
function structured(items: Item[], bodies: string[], loopHeader?: number): string {
  const entries: Array<[number, string]> = []; // block number, the tree's leaf for it
  items.forEach((item, k) => {
    const first = firstBlock(item);
    for (const b of blocksOf(item)) {
      if (b === loopHeader) continue;
      const arrived = typeof item === "number" || b === first ? "block = -1; " : "";
      entries.push([b, k === 0 ? arrived : `${arrived}break b${first};`]);
    }
  });
  entries.sort((p, q) => p[0] - q[0]);
  let out = "";
  for (let k = items.length - 1; k >= 1; k--) out += `b${firstBlock(items[k])}: {\n`;
  if (entries.length > 0) out += `if (block >= 0) { ${entryTree(entries)} }\n`;
  items.forEach((item, k) => {
    if (k > 0) out += "}\n";
    out += typeof item === "number"
      ? bodies[item]
      : `L${item.header}: for (;;) {\n${structured(item.items, bodies, item.header)}}\n`;
  });
  return out;
}

/**
 * Compiles the region for the block at byte offset `start` of the user bank (`code` is the
 * bank as halfwords, `rvc` the compressed-instruction table). Returns null when the
 * instruction at `start` is not one the translator compiles.
 */
export function translate(
  code: Uint16Array,
  rvc: Int32Array,
  start: number,
  env: BlockEnv,
  profile: RegionProfile,
): Region | null {
  // Find the region's blocks, breadth first from the hot one.
  const page = start - (start & 0xfff);
  const indirect = (at: number) => profile.targets(page + at);
  const blocks: Decoded[] = [];
  const exits: number[][] = []; // each block's successors, as page offsets
  const numbers = new Map<number, number>(); // page offset -> block number
  const seen = new Set<number>();
  const queue = [start & 0xfff];
  let total = 0;
  while (queue.length > 0 && blocks.length < MAX_REGION_BLOCKS) {
    const at = queue.shift()!;
    if (seen.has(at)) continue;
    seen.add(at);
    const d = decode(code, rvc, page, at);
    if (d === null || total + d.insns.length > MAX_REGION_INSNS) continue;
    numbers.set(at, blocks.length);
    blocks.push(d);
    exits.push(successors(d, indirect));
    total += d.insns.length;
    for (const next of exits[exits.length - 1]) {
      if (next >= 0 && next < 4096 && profile.warm(page + next)) queue.push(next);
    }
  }
  if (blocks.length === 0) return null;
  const shape = layoutRegion(
    exits.map((to) => to.map((at) => numbers.get(at)).filter((n) => n !== undefined)),
  );
  // The block laid out after each block, unless a loop ends between them (falling off the end
  // of a loop's body would go round it again).
  const fallsTo = new Map<number, number>();
  shape.order.forEach((b, p) => fallsTo.set(b, shape.order[p + 1]));
  const loopEnds = (items: Item[]) => {
    for (const item of items) {
      if (typeof item === "number") continue;
      const inner = blocksOf(item);
      fallsTo.delete(inner[inner.length - 1]);
      loopEnds(item.items);
    }
  };
  loopEnds(shape.items);

  let touched = 0;
  let written = 0;
  for (const d of blocks) {
    for (const insn of d.insns) {
      touched |= reads(insn) | writes(insn);
      written |= writes(insn);
    }
  }
  // Leaving sets `next` to the target's page offset: a constant, so that an exit taken for
  // the first time after V8 optimized the function has no operation lacking type feedback.
  const leave = (at: number) => `next = ${lit(at)}; break dispatch;`;

  // Emit each block: budget check, instructions, then where control goes (see `structured`):
  // a back edge continues its loop, a forward edge breaks to the label before its target (or
  // falls through to it), an edge the layout takes out leaves the region.
  const bodies: string[] = [];
  const caches = new Set<string>(); // declarations of the page caches' locals
  const pageCache = (p: string, o: string): [string, string] => {
    caches.add(`${p} = -1, ${o} = 0`); // -1 is no page base any access can match
    return [p, o];
  };
  blocks.forEach((d, number) => {
    const n = d.insns.length;
    const first = d.offsets[0];
    const loops = shape.backEdges.has(edgeKey(number, number)); // a block looping on itself
    const goTo = (at: number, last: boolean) => {
      const to = numbers.get(at);
      const edge = edgeKey(number, to ?? -1);
      if (to === undefined || shape.exitEdges.has(edge)) return leave(at);
      if (shape.backEdges.has(edge)) return `continue L${to};`;
      return last && fallsTo.get(number) === to ? "" : `break b${to};`;
    };
    let body = `if (left - ${n} < limit) { ${leave(first)} }\n`;
    // Outside self-looping blocks, accesses through a base register that the block uses for
    // two or more loads (or stores) share a page cache whose locals live in the block.
    const shared = loops ? new Set<string>() : sharedBases(d);
    const blockLocals = new Set<string>();
    const blockCache = (kind: "r" | "w", rs1: number): [string, string] | null => {
      if (!shared.has(`${kind}${rs1}`)) return null;
      blockLocals.add(`q${kind}${rs1} = -1, u${kind}${rs1} = 0`);
      return [`q${kind}${rs1}`, `u${kind}${rs1}`];
    };
    let exit = goTo(d.end, true);
    // A block that loops on itself through its branch also gets a copy of its body without
    // the page checks of the accesses whose base register moves by a constant each pass (see
    // the header): `fast` is that copy, `bounds` computes how many passes it may make.
    const last = d.insns[n - 1];
    const fastLoop = loops && ((last >>> 2) & 31) === 0x18 &&
      numbers.get(d.offsets[n - 1] + branchOffset(last)) === number;
    const change = fastLoop ? strides(d) : null;
    const moved = new Array<number>(32).fill(0); // each register's change since the pass began
    let fast = "";
    let bounds = "";
    for (let k = 0; k < n; k++) {
      const insn = d.insns[k];
      const at = d.offsets[k];
      const ilen = d.lengths[k];
      const rd = (insn >>> 7) & 31;
      const rs1 = (insn >>> 15) & 31;
      const rs2 = (insn >>> 20) & 31;
      const funct3 = (insn >>> 12) & 7;
      const s1 = reg(rs1);
      const s2 = reg(rs2);
      // Leaves for the interpreter to make this instruction's access (k instructions done).
      const handOff = `${k > 0 ? `left -= ${k}; ` : ""}env.interpret = true; ${leave(at)}`;
      const set = (expr: string) => {
        if (rd !== 0) body += `r${rd} = ${expr};\n`;
      };
      const emitted = body.length;
      let fastCode: string | null = null; // the copy's code, where it differs
      // The copy's code for an access of width funct3 at s1 + imm, `access(pa)` making it: no
      // check when s1 moves by a multiple of the width each pass, and a bound on the passes.
      const unchecked = (imm: number, cache: [string, string], access: (pa: string) => string) => {
        const c = change?.[rs1] ?? null;
        const width = 1 << (funct3 & 3);
        if (c === null || c % width !== 0) return;
        const [p, o] = cache;
        fastCode = `va = (${s1} + ${lit(imm)}) | 0;\n${access(`(${o} + va)`)};\n`;
        bounds += `va = (${s1} + ${lit(moved[rs1] + imm)}) | 0;\n` +
          `if ((va & ${pageMask(funct3)}) !== ${p}) safe = 0;\n`;
        if (c > 0) {
          bounds += `else safe = Math.min(safe, (((${
            4096 - width
          } - (va & 4095)) / ${c}) | 0) + 1);\n`;
        } else if (c < 0) {
          bounds += `else safe = Math.min(safe, (((va & 4095) / ${-c}) | 0) + 1);\n`;
        }
      };

      switch ((insn >>> 2) & 31) {
        case 0x0d: // LUI
          set(lit(insn & 0xfffff000));
          break;

        case 0x05: // AUIPC
          set(pcAt(at + (insn & 0xfffff000)));
          break;

        case 0x1b: // JAL: link, then jump
          set(pcAt(at + ilen));
          exit = goTo(at + jalOffset(insn), true);
          break;

        case 0x19: { // JALR: the target is computed before the link is written
          body += `next = ((${s1} + ${lit(insn >> 20)}) & -2) - page;\n`;
          set(pcAt(at + ilen));
          // A target seen before that is a block of the region goes on there; any other leaves.
          const known = exits[number].filter((to) => numbers.has(to));
          const cases = known.map((to) => `case ${to}: ${goTo(to, false)}\n`).join("");
          exit = `${cases === "" ? "" : `switch (next) {\n${cases}}\n`}break dispatch;`;
          break;
        }

        case 0x18: { // BRANCH
          const cond = [
            `${s1} === ${s2}`,
            `${s1} !== ${s2}`,
            "",
            "",
            `${s1} < ${s2}`,
            `${s1} >= ${s2}`,
            `(${s1} >>> 0) < (${s2} >>> 0)`,
            `(${s1} >>> 0) >= (${s2} >>> 0)`,
          ][funct3];
          const again = goTo(at + branchOffset(insn), false);
          const passes = bounds === "" ? "" : `safe = ((left - limit) / ${n}) | 0;\n${bounds}` +
            `F${number}: for (; safe > 0; safe--) {\n` +
            `${fast}left -= ${n};\nif (${cond}) continue F${number};\n${goTo(d.end, false)}\n}\n`;
          exit = `if (${cond}) {\n${passes}${again} }\n${goTo(d.end, true)}`;
          break;
        }

        case 0x00: { // LOAD
          const into = rd === 0 ? "va" : `r${rd}`;
          const value = (pa: string) =>
            [
              `(m8[${pa} | 0] << 24) >> 24`,
              `(m16[${pa} >> 1] << 16) >> 16`,
              `m32[${pa} >> 2]`,
              "",
              `m8[${pa} | 0]`,
              `m16[${pa} >> 1]`,
            ][funct3];
          const cache = loops ? pageCache(`pr${rs1}`, `or${rs1}`) : blockCache("r", rs1);
          const load = (pa: string) => `${into} = ${value(pa)}`;
          body += `va = (${s1} + ${lit(insn >> 20)}) | 0;\n` +
            memoryAccess(funct3, "tagR", cache, load, handOff);
          if (cache) unchecked(insn >> 20, cache, load);
          break;
        }

        case 0x08: { // STORE
          const imm = ((insn >> 20) & ~31) | rd;
          const cache = loops ? pageCache(`pw${rs1}`, `ow${rs1}`) : blockCache("w", rs1);
          const store = (pa: string) =>
            `${[`m8[${pa} | 0]`, `m16[${pa} >> 1]`, `m32[${pa} >> 2]`][funct3]} = ${s2}`;
          body += `va = (${s1} + ${lit(imm)}) | 0;\n` +
            memoryAccess(funct3, "tagW", cache, store, handOff);
          if (cache) unchecked(imm, cache, store);
          break;
        }

        case 0x04: { // OP-IMM
          const imm = insn >> 20;
          set(
            [
              `(${s1} + ${lit(imm)}) | 0`,
              `${s1} << ${rs2}`,
              `${s1} < ${lit(imm)} ? 1 : 0`,
              `(${s1} >>> 0) < ${imm >>> 0} ? 1 : 0`,
              `${s1} ^ ${lit(imm)}`,
              insn >>> 25 === 0 ? `(${s1} >>> ${rs2}) | 0` : `${s1} >> ${rs2}`,
              `${s1} | ${lit(imm)}`,
              `${s1} & ${lit(imm)}`,
            ][funct3],
          );
          break;
        }

        case 0x0c: { // OP: base (f7 0), SUB/SRA (f7 0x20), M extension (f7 1)
          const f7 = insn >>> 25;
          if (f7 === 1) {
            const fn =
              ["Math.imul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"][funct3];
            set(`${fn}(${s1}, ${s2})`);
          } else if (f7 === 0x20) {
            set(funct3 === 0 ? `(${s1} - ${s2}) | 0` : `${s1} >> ${s2}`);
          } else {
            set(
              [
                `(${s1} + ${s2}) | 0`,
                `${s1} << ${s2}`,
                `${s1} < ${s2} ? 1 : 0`,
                `(${s1} >>> 0) < (${s2} >>> 0) ? 1 : 0`,
                `${s1} ^ ${s2}`,
                `(${s1} >>> ${s2}) | 0`,
                `${s1} | ${s2}`,
                `${s1} & ${s2}`,
              ][funct3],
            );
          }
          break;
        }
      }
      fast += fastCode ?? body.slice(emitted);
      if (change !== null && change[rd] !== null && (writes(insn) & (1 << rd)) !== 0) {
        moved[rd] += insn >> 20; // the block writes rd only with addi rd, rd, c
      }
    }
    const declared = blockLocals.size > 0 ? `let ${[...blockLocals].join(", ")};\n` : "";
    bodies[number] = `{\n${declared}${body}left -= ${n};\n${exit}\n}\n`;
  });

  // Registers are loaded on entry and written back on the way out; page caches start empty.
  // `safe`: passes left for a loop's unchecked copy.
  let locals = ["let va = 0, t = 0, next = 0, safe = 0", ...caches].join(", ");
  let writeBack = "";
  for (let n = 1; n < 32; n++) {
    if (touched & (1 << n)) locals += `, r${n} = x[${n}]`;
    if (written & (1 << n)) writeBack += `x[${n}] = r${n}; `;
  }
  const source = `"use strict";
const x = env.x, m8 = env.m8, m16 = env.m16, m32 = env.m32;
const tagR = env.tagR, tagW = env.tagW, tOff = env.tOff;
return function region_${start.toString(16)}(pc, left, limit, tb, tx, block) {
const page = pc & -4096;
${locals};
dispatch: {
${structured(shape.items, bodies)}}
${writeBack}
env.left = left;
return (page + next) | 0;
};`;
  const factory = new Function(
    "env",
    "mulh",
    "mulhsu",
    "mulhu",
    "div",
    "divu",
    "rem",
    "remu",
    source,
  );
  // One factory, one closure: V8 then specializes the region's optimized code to that closure's
  // context (the hart's arrays become constants, with known lengths). A second closure of the
  // same function would lose that: 13-22% on lz and interp (see DECISIONS).
  const run = factory(env, mulh, mulhsu, mulhu, div, divu, rem, remu) as RegionFn;
  return {
    blocks: shape.order.map((index) => ({
      start: page + blocks[index].offsets[0],
      insns: blocks[index].insns.length,
      run,
      index,
    })),
    bytes: source.length,
  };
}
