/**
 * CLINT: the core-local interruptor. Per hart, a software interrupt bit (inter-processor
 * interrupts) and a timer compare register against the shared mtime.
 *
 * Register layout (SiFive CLINT): msip[h] at 0x0000 + 4h, mtimecmp[h] at 0x4000 + 8h
 * (64 bits, two 32-bit halves; values of 2^63 and above never fire), mtime at 0xbff8
 * (read-only here: it is the host-driven clock).
 *
 * There is no M-mode firmware in this machine: the kernel is the supervisor, so the CLINT's
 * lines are wired straight to the supervisor pending bits, as the Sstc extension does. msip
 * drives SSIP; the timer level `mtime >= mtimecmp[h]` is STIP, computed when the hart polls.
 * State lives in SharedArrayBuffers, so a CLINT can be rebuilt on any host thread.
 */

import { Clock } from "./clock.ts";
import type { MmioDevice } from "./bus.ts";
import {
  clearInterrupt,
  HART_WORDS,
  hartCount,
  HS,
  kickHart,
  raiseInterrupt,
  SSIP,
} from "./hart_state.ts";

const MSIP_BASE = 0x0000;
const MTIMECMP_BASE = 0x4000;
const MTIME = 0xbff8;
const NEVER = 0x7fff_ffff_ffff_ffffn;

/** Timer compare and IPI registers for every hart. */
export class Clint implements MmioDevice {
  readonly name = "clint";
  readonly harts: number;
  private readonly cmp: BigInt64Array;
  private readonly hartWords: Int32Array;

  /**
   * @param buffer the CLINT's own state (from `Clint.allocate`)
   * @param hartState the machine's hart-state buffer
   * @param clock the machine's time base
   */
  constructor(
    readonly buffer: SharedArrayBuffer,
    hartState: SharedArrayBuffer,
    readonly clock: Clock,
  ) {
    this.harts = hartCount(hartState);
    this.cmp = new BigInt64Array(buffer);
    this.hartWords = new Int32Array(hartState);
    if (this.cmp.length < this.harts) throw new RangeError("CLINT buffer too small");
  }

  /** A CLINT state buffer for `harts` harts, every timer disarmed. */
  static allocate(harts: number): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(8 * harts);
    new BigInt64Array(sab).fill(NEVER);
    return sab;
  }

  /** Current mtime, in ticks. */
  mtime(): number {
    return this.clock.now();
  }

  /** Arms hart `h`'s timer for absolute time `ticks` (Infinity disarms it). */
  setTimecmp(h: number, ticks: number): void {
    this.checkHart(h);
    const v = ticks === Infinity ? NEVER : BigInt(Math.max(0, Math.floor(ticks)));
    Atomics.store(this.cmp, h, v);
    kickHart(this.hartWords, h);
  }

  /** Hart `h`'s timer compare value in ticks (Infinity when disarmed). */
  timecmp(h: number): number {
    const v = Atomics.load(this.cmp, h);
    return v === NEVER || v < 0n ? Infinity : Number(v);
  }

  /** Whether hart `h`'s timer interrupt is pending (mtime >= mtimecmp). */
  timerDue(h: number): boolean {
    const v = Atomics.load(this.cmp, h);
    return v !== NEVER && v >= 0n && this.clock.now() >= Number(v);
  }

  /** Milliseconds until hart `h`'s timer fires (0 if due, Infinity if disarmed). */
  msUntilTimer(h: number): number {
    const cmp = this.timecmp(h);
    if (cmp === Infinity) return Infinity;
    return Math.max(0, Clock.ticksToMs(cmp - this.clock.now()));
  }

  /** Raises a software interrupt (an IPI) on hart `h`. */
  sendIpi(h: number): void {
    this.checkHart(h);
    raiseInterrupt(this.hartWords, h, SSIP);
  }

  /** Clears hart `h`'s software interrupt. */
  clearIpi(h: number): void {
    this.checkHart(h);
    clearInterrupt(this.hartWords, h, SSIP);
  }

  read(offset: number, width: 1 | 2 | 4): number {
    if (width !== 4) return 0;
    if (offset < MSIP_BASE + 4 * this.harts) {
      const h = offset >> 2;
      return (Atomics.load(this.hartWords, h * HART_WORDS + HS.SIP) & SSIP) ? 1 : 0;
    }
    if (offset >= MTIMECMP_BASE && offset < MTIMECMP_BASE + 8 * this.harts) {
      const rel = offset - MTIMECMP_BASE;
      return half(BigInt.asUintN(64, Atomics.load(this.cmp, rel >> 3)), rel & 4);
    }
    if (offset === MTIME || offset === MTIME + 4) {
      return half(BigInt(this.clock.now()), offset - MTIME);
    }
    return 0;
  }

  write(offset: number, width: 1 | 2 | 4, value: number): void {
    if (width !== 4) return;
    if (offset < MSIP_BASE + 4 * this.harts) {
      if (value & 1) this.sendIpi(offset >> 2);
      else this.clearIpi(offset >> 2);
      return;
    }
    if (offset >= MTIMECMP_BASE && offset < MTIMECMP_BASE + 8 * this.harts) {
      const rel = offset - MTIMECMP_BASE;
      const h = rel >> 3;
      const old = BigInt.asUintN(64, Atomics.load(this.cmp, h));
      const v = BigInt(value >>> 0);
      const next = rel & 4 ? (old & 0xffff_ffffn) | (v << 32n) : (old & ~0xffff_ffffn) | v;
      Atomics.store(this.cmp, h, BigInt.asIntN(64, next));
      kickHart(this.hartWords, h);
    }
  }

  private checkHart(h: number): void {
    if (!Number.isInteger(h) || h < 0 || h >= this.harts) throw new RangeError(`no hart ${h}`);
  }
}

function half(v: bigint, high: number): number {
  return Number(high ? (v >> 32n) & 0xffff_ffffn : v & 0xffff_ffffn);
}
