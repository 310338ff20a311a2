/**
 * The translation cache of one hart: which blocks are hot, their compiled functions, and when
 * a compiled function may no longer be used.
 *
 * - **Key**: the block's start as a byte offset in the user bank (its physical address less
 *   the bank's base). Instructions execute only from the user bank, and translated code does
 *   not depend on the virtual address (see translate.ts), so a frame mapped in several places
 *   or address spaces shares its blocks.
 * - **Tiering**: `run` asks for a block at every block boundary it reaches (its start, after a
 *   jump or branch, after compiled code returns, after an instruction that ends blocks). A
 *   miss counts the start's heat (a small hashed counter table: collisions only make code hot
 *   sooner); after HOT_THRESHOLD misses the block's region is compiled (translate.ts): the
 *   block, and the blocks of its page it leads to that are warm (WARM_THRESHOLD misses, or
 *   compiled already). The interpreter also reports where each indirect jump goes within its
 *   page (`noteJump`), so that a region can take in a JALR's usual targets. Every block of
 *   the region that has no entry yet gets one, so `run` re-enters the region wherever it
 *   left it. A start the translator refuses (its first instruction is one the interpreter
 *   keeps) is remembered as such, so it is not retried.
 * - **Invalidation**: FENCE.I flushes the whole cache of the hart that executes it, which is
 *   what makes self-modifying code work. Frames that the kernel frees and reuses for other
 *   contents are covered by the bank's per-frame code generations (`RamBank.replaceFrames`,
 *   called by the frame allocator when a frame's count drops to zero): every entry records
 *   its frame's generation when it is made, and an entry whose frame's generation has changed
 *   since is dropped when next looked up. The generations live in a SharedArrayBuffer, so a
 *   bump by the kernel reaches harts on other host threads. Checking on entry is enough
 *   because a frame is freed only once no hart can reach it any more (unmapped, TLBs
 *   flushed), so none is inside its code then. Nothing else invalidates: a store into code
 *   without a FENCE.I may keep running the old translation, as RISC-V allows.
 * - **Bounds**: an open-addressing table of SLOTS entries holds at most MAX_BLOCKS blocks and
 *   MAX_CODE_BYTES characters of generated source (or the smaller limits it is built with);
 *   reaching either flushes everything, and hot code comes back after HOT_THRESHOLD more
 *   misses. A block is at most MAX_BLOCK_INSNS long, a region MAX_REGION_INSNS.
 *
 * Whether the page of a block is still mapped executable is not the cache's business: `run`
 * checks the exec TLB for the current pc before it asks, exactly as its fetch does.
 */

import type { RamBank } from "./bus.ts";
import { type Block, type BlockEnv, type RegionProfile, translate } from "./translate.ts";

/**
 * Misses at a block start before it is compiled. Waiting makes fewer, fuller regions: V8
 * compiles each region's function on its own (TurboFan takes 10–25 ms for one, on a thread
 * that competes for the host's cores), and a region takes in only the blocks warm by then, so
 * compiling early gave the rest regions of their own (bench_sha256: 70 regions at 32/8, 11 at
 * 256/64, and about 30% faster over a whole run).
 */
export const HOT_THRESHOLD = 256;
/** Misses at a block start before a region compiled for another block takes it in. */
export const WARM_THRESHOLD = 64;
/** Slots of the table (a power of two); at most half of them are used. */
const SLOTS = 1 << 14;
const SLOT_MASK = SLOTS - 1;
/** Blocks (and refused starts) kept before the cache is flushed. */
export const MAX_BLOCKS = SLOTS >>> 1;
/** Generated source kept before the cache is flushed, in characters. */
export const MAX_CODE_BYTES = 8 << 20;
/** Heat counters (a power of two). */
const HEAT_SLOTS = 1 << 12;
/** Indirect jumps whose targets are kept; one more forgets them all (they are only hints). */
const MAX_JUMP_SITES = 1024;
/** Targets kept per indirect jump: later new ones are not counted. */
const MAX_JUMP_TARGETS = 16;

const EMPTY = -1;
/** A slot whose entry was dropped: lookups go on past it, insertions may reuse it. */
const DROPPED = -2;

/** How much a cache holds before it flushes itself. */
export interface CodeCacheLimits {
  /** Entries, blocks and refused starts (at most MAX_BLOCKS, the default). */
  blocks?: number;
  /** Characters of generated source (default MAX_CODE_BYTES). */
  codeBytes?: number;
}

/** Counters, for tests and for the curious. */
export interface CodeCacheStats {
  /** Regions compiled. */
  compiled: number;
  /** Entries dropped because their frame's code generation changed. */
  dropped: number;
  /** Whole-cache flushes (FENCE.I or full). */
  flushes: number;
}

/** One hart's compiled code. */
export class CodeCache {
  readonly stats: CodeCacheStats = { compiled: 0, dropped: 0, flushes: 0 };
  private readonly keys = new Int32Array(SLOTS).fill(EMPTY);
  /** The frame's code generation when the entry was made. */
  private readonly generations = new Int32Array(SLOTS);
  /** The compiled block, or null for a start the translator refused. */
  private readonly blocks: Array<Block | null> = new Array(SLOTS).fill(null);
  private readonly heat = new Uint16Array(HEAT_SLOTS);
  /** JALR site (byte offset in the bank) -> page offset of a target in its page -> times. */
  private readonly jumps = new Map<number, Map<number, number>>();
  /** Slots holding an entry or a dropped one. */
  private used = 0;
  private codeBytes = 0;
  private readonly maxBlocks: number;
  private readonly maxCodeBytes: number;

  constructor(
    private readonly ram: RamBank,
    private readonly rvc: Int32Array,
    private readonly env: BlockEnv,
    limits: CodeCacheLimits = {},
  ) {
    this.maxBlocks = Math.min(limits.blocks ?? MAX_BLOCKS, MAX_BLOCKS);
    this.maxCodeBytes = limits.codeBytes ?? MAX_CODE_BYTES;
  }

  /**
   * What regions are made of. Warm: code at `start` has run often (or is compiled already); a
   * region takes in only such blocks, so that V8 has type feedback for all of it when it
   * optimizes the function. Targets: where an indirect jump has gone, as `noteJump` counted.
   */
  private readonly profile: RegionProfile = {
    warm: (start) => this.heat[heatSlot(start)] >= WARM_THRESHOLD || this.lookup(start) >= 0,
    targets: (site) => {
      const seen = this.jumps.get(site);
      return seen ? [...seen].sort((a, b) => b[1] - a[1]).map(([to]) => to) : [];
    },
  };

  /**
   * Counts an interpreted JALR at byte offset `site` of the bank that jumped to page offset
   * `to` of its own page: the translator lets compiled code go on to such targets in the
   * region instead of leaving it (a function's return to its caller, a switch's cases).
   */
  noteJump(site: number, to: number): void {
    let seen = this.jumps.get(site);
    if (seen === undefined) {
      if (this.jumps.size >= MAX_JUMP_SITES) this.jumps.clear();
      seen = new Map();
      this.jumps.set(site, seen);
    }
    const times = seen.get(to);
    if (times !== undefined) seen.set(to, times + 1);
    else if (seen.size < MAX_JUMP_TARGETS) seen.set(to, 1);
  }

  /**
   * The compiled block starting at byte offset `start` of the user bank, or null when that
   * code is to be interpreted (not hot yet, or not compilable).
   */
  find(start: number): Block | null {
    const i = this.lookup(start);
    return i >= 0 ? this.blocks[i] : this.miss(start, ~i);
  }

  /** Forgets every block (FENCE.I, or the cache is full). */
  flush(): void {
    this.keys.fill(EMPTY);
    this.blocks.fill(null);
    this.heat.fill(0);
    this.jumps.clear();
    this.used = 0;
    this.codeBytes = 0;
    this.stats.flushes++;
  }

  /**
   * The slot holding `start`, or, when it is not there, ~(the free slot it would go to). An
   * entry whose frame has been reused since it was made is dropped on the way.
   */
  private lookup(start: number): number {
    const keys = this.keys;
    let i = Math.imul(start, 0x9e37_79b1) >>> 18;
    let free = -1;
    for (;;) {
      const key = keys[i];
      if (key === start) {
        if (this.generations[i] === this.ram.codeGen[start >>> 12]) return i;
        keys[i] = DROPPED;
        this.blocks[i] = null;
        this.stats.dropped++;
        return ~(free < 0 ? i : free);
      }
      if (key === EMPTY) return ~(free < 0 ? i : free);
      if (key === DROPPED && free < 0) free = i;
      i = (i + 1) & SLOT_MASK;
    }
  }

  /**
   * Counts a miss at `start` (`slot` is where it would go); once it is hot, compiles its
   * region and enters every block of the region that has no entry yet.
   */
  private miss(start: number, slot: number): Block | null {
    const h = heatSlot(start);
    if (++this.heat[h] < HOT_THRESHOLD) return null;
    this.heat[h] = 0;
    const region = translate(this.ram.u16, this.rvc, start, this.env, this.profile);
    const entries = region ? region.blocks.length : 1;
    const bytes = region ? region.bytes : 0;
    if (this.used + entries > this.maxBlocks || this.codeBytes + bytes > this.maxCodeBytes) {
      this.flush();
      slot = ~this.lookup(start);
    }
    this.codeBytes += bytes;
    if (region === null) {
      this.put(slot, start, null);
      return null;
    }
    this.stats.compiled++;
    const [first, ...others] = region.blocks;
    this.put(slot, start, first);
    for (const block of others) {
      const i = this.lookup(block.start);
      if (i < 0) this.put(~i, block.start, block);
    }
    return first;
  }

  private put(slot: number, start: number, block: Block | null): void {
    if (this.keys[slot] === EMPTY) this.used++;
    this.keys[slot] = start;
    this.generations[slot] = this.ram.codeGen[start >>> 12];
    this.blocks[slot] = block;
  }
}

/** The heat counter of a block start. */
function heatSlot(start: number): number {
  return Math.imul(start, 0x85eb_ca6b) >>> 20;
}
