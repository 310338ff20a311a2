/**
 * PLIC: the platform-level interrupt controller. Routes device interrupt lines (sources
 * 1..PLIC_SOURCES-1) to harts, one supervisor context per hart.
 *
 * Register layout (the RISC-V PLIC specification): priority[src] at 0x000000 + 4*src,
 * pending bits at 0x001000, enable bits of context c at 0x002000 + 0x80*c, threshold of
 * context c at 0x200000 + 0x1000*c, claim/complete of context c at 0x200004 + 0x1000*c.
 *
 * Sources are level-triggered through a gateway: a line that is high and not in service is
 * pending; claiming it clears the pending bit and marks it in service; completing it ends the
 * service and, if the line is still high, makes it pending again. A context's external
 * interrupt (SEIP on its hart) is raised while some enabled source pending there has a
 * priority above the context's threshold. State lives in a SharedArrayBuffer guarded by a spin
 * lock, so devices, the kernel and hart threads may all touch it.
 */

import type { MmioDevice } from "./bus.ts";
import { clearInterrupt, hartCount, raiseInterrupt, SEIP } from "./hart_state.ts";

/** Number of interrupt sources, including the reserved source 0. */
export const PLIC_SOURCES = 64;
/** Highest priority a source can have. */
export const PLIC_PRIORITY_MAX = 7;

const WORDS = PLIC_SOURCES / 32;
const LOCK = 0;
const PRIORITY = 1; // PRIORITY + src, src in 1..63 (index 1 unused by source 0's slot)
const PENDING = PRIORITY + PLIC_SOURCES;
const LEVEL = PENDING + WORDS;
const IN_SERVICE = LEVEL + WORDS;
const CONTEXTS = IN_SERVICE + WORDS;
const CONTEXT_WORDS = WORDS + 1; // enable bits, then threshold

const REG_PENDING = 0x1000;
const REG_ENABLE = 0x2000;
const ENABLE_STRIDE = 0x80;
const REG_CONTEXT = 0x20_0000;
const CONTEXT_STRIDE = 0x1000;

/** The interrupt controller. */
export class Plic implements MmioDevice {
  readonly name = "plic";
  readonly contexts: number;
  private readonly s: Int32Array;
  private readonly hartWords: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer, hartState: SharedArrayBuffer) {
    this.contexts = hartCount(hartState);
    this.s = new Int32Array(buffer);
    this.hartWords = new Int32Array(hartState);
    if (this.s.length < CONTEXTS + this.contexts * CONTEXT_WORDS) {
      throw new RangeError("PLIC buffer too small");
    }
  }

  /** A PLIC state buffer for `harts` contexts: all sources masked, priority 0. */
  static allocate(harts: number): SharedArrayBuffer {
    return new SharedArrayBuffer(4 * (CONTEXTS + harts * CONTEXT_WORDS));
  }

  /** Device side: drives source `src`'s interrupt line high or low. */
  setLevel(src: number, high: boolean): void {
    this.checkSource(src);
    this.locked(() => {
      const [w, bit] = at(src);
      if (high) {
        this.s[LEVEL + w] |= bit;
        if (!(this.s[IN_SERVICE + w] & bit)) this.s[PENDING + w] |= bit;
      } else {
        this.s[LEVEL + w] &= ~bit;
        this.s[PENDING + w] &= ~bit;
      }
    });
  }

  /** Sets a source's priority (0 = never interrupts, up to PLIC_PRIORITY_MAX). */
  setPriority(src: number, priority: number): void {
    this.checkSource(src);
    const p = Math.max(0, Math.min(PLIC_PRIORITY_MAX, priority | 0));
    this.locked(() => {
      this.s[PRIORITY + src] = p;
    });
  }

  /** Enables or masks source `src` for context (hart) `ctx`. */
  setEnabled(ctx: number, src: number, enabled: boolean): void {
    this.checkContext(ctx);
    this.checkSource(src);
    this.locked(() => {
      const [w, bit] = at(src);
      const i = CONTEXTS + ctx * CONTEXT_WORDS + w;
      this.s[i] = enabled ? this.s[i] | bit : this.s[i] & ~bit;
    });
  }

  /** Sets context `ctx`'s priority threshold: only priorities above it interrupt. */
  setThreshold(ctx: number, threshold: number): void {
    this.checkContext(ctx);
    const t = Math.max(0, Math.min(PLIC_PRIORITY_MAX, threshold | 0));
    this.locked(() => {
      this.s[CONTEXTS + ctx * CONTEXT_WORDS + WORDS] = t;
    });
  }

  /** Claims the best pending interrupt for context `ctx`; 0 if there is none. */
  claim(ctx: number): number {
    this.checkContext(ctx);
    return this.locked(() => {
      const src = this.best(ctx);
      if (src !== 0) {
        const [w, bit] = at(src);
        this.s[PENDING + w] &= ~bit;
        this.s[IN_SERVICE + w] |= bit;
      }
      return src;
    });
  }

  /** Signals that context `ctx` finished servicing `src`. */
  complete(ctx: number, src: number): void {
    this.checkContext(ctx);
    if (!Number.isInteger(src) || src <= 0 || src >= PLIC_SOURCES) return;
    this.locked(() => {
      const [w, bit] = at(src);
      // The specification ignores a completion for a source the context has not enabled.
      if (!(this.s[CONTEXTS + ctx * CONTEXT_WORDS + w] & bit)) return;
      if (!(this.s[IN_SERVICE + w] & bit)) return;
      this.s[IN_SERVICE + w] &= ~bit;
      if (this.s[LEVEL + w] & bit) this.s[PENDING + w] |= bit;
    });
  }

  /** Whether source `src` is pending. */
  isPending(src: number): boolean {
    this.checkSource(src);
    const [w, bit] = at(src);
    return (Atomics.load(this.s, PENDING + w) & bit) !== 0;
  }

  read(offset: number, width: 1 | 2 | 4): number {
    if (width !== 4 || offset & 3) return 0;
    if (offset < 4 * PLIC_SOURCES) {
      return offset === 0 ? 0 : Atomics.load(this.s, PRIORITY + (offset >> 2));
    }
    if (offset >= REG_PENDING && offset < REG_PENDING + 4 * WORDS) {
      return Atomics.load(this.s, PENDING + ((offset - REG_PENDING) >> 2)) >>> 0;
    }
    const en = this.enableRegister(offset);
    if (en >= 0) return Atomics.load(this.s, en) >>> 0;
    const ctx = this.contextOf(offset);
    if (ctx < 0) return 0;
    const reg = (offset - REG_CONTEXT) % CONTEXT_STRIDE;
    if (reg === 0) return Atomics.load(this.s, CONTEXTS + ctx * CONTEXT_WORDS + WORDS);
    if (reg === 4) return this.claim(ctx);
    return 0;
  }

  write(offset: number, width: 1 | 2 | 4, value: number): void {
    if (width !== 4 || offset & 3) return;
    if (offset < 4 * PLIC_SOURCES) {
      if (offset !== 0) this.setPriority(offset >> 2, value);
      return;
    }
    const en = this.enableRegister(offset);
    if (en >= 0) {
      this.locked(() => {
        const firstWord = (en - CONTEXTS) % CONTEXT_WORDS === 0;
        this.s[en] = firstWord ? value & ~1 : value; // source 0 does not exist
      });
      return;
    }
    const ctx = this.contextOf(offset);
    if (ctx < 0) return;
    const reg = (offset - REG_CONTEXT) % CONTEXT_STRIDE;
    if (reg === 0) this.setThreshold(ctx, value);
    else if (reg === 4) this.complete(ctx, value);
  }

  /** The highest-priority enabled pending source above the threshold (lowest id wins ties). */
  private best(ctx: number): number {
    const base = CONTEXTS + ctx * CONTEXT_WORDS;
    const threshold = this.s[base + WORDS];
    let best = 0;
    let bestPriority = threshold;
    for (let w = 0; w < WORDS; w++) {
      let bits = this.s[PENDING + w] & this.s[base + w];
      while (bits !== 0) {
        const b = 31 - Math.clz32(bits & -bits);
        bits &= bits - 1;
        const src = w * 32 + b;
        const p = this.s[PRIORITY + src];
        if (p > bestPriority) {
          best = src;
          bestPriority = p;
        }
      }
    }
    return best;
  }

  /** Runs `fn` under the spin lock, then brings every hart's SEIP up to date. */
  private locked<T>(fn: () => T): T {
    while (Atomics.compareExchange(this.s, LOCK, 0, 1) !== 0) {
      // Another thread holds the lock for a few instructions; spin.
    }
    try {
      const result = fn();
      for (let ctx = 0; ctx < this.contexts; ctx++) {
        if (this.best(ctx) !== 0) raiseInterrupt(this.hartWords, ctx, SEIP);
        else clearInterrupt(this.hartWords, ctx, SEIP);
      }
      return result;
    } finally {
      Atomics.store(this.s, LOCK, 0);
    }
  }

  private enableRegister(offset: number): number {
    if (offset < REG_ENABLE || offset >= REG_ENABLE + ENABLE_STRIDE * this.contexts) return -1;
    const rel = offset - REG_ENABLE;
    const ctx = Math.floor(rel / ENABLE_STRIDE);
    const w = (rel % ENABLE_STRIDE) >> 2;
    return w < WORDS ? CONTEXTS + ctx * CONTEXT_WORDS + w : -1;
  }

  private contextOf(offset: number): number {
    if (offset < REG_CONTEXT) return -1;
    const ctx = Math.floor((offset - REG_CONTEXT) / CONTEXT_STRIDE);
    return ctx < this.contexts ? ctx : -1;
  }

  private checkSource(src: number): void {
    if (!Number.isInteger(src) || src <= 0 || src >= PLIC_SOURCES) {
      throw new RangeError(`no interrupt source ${src}`);
    }
  }

  private checkContext(ctx: number): void {
    if (!Number.isInteger(ctx) || ctx < 0 || ctx >= this.contexts) {
      throw new RangeError(`no PLIC context ${ctx}`);
    }
  }
}

function at(src: number): [number, number] {
  return [src >> 5, 1 << (src & 31)];
}
