/**
 * The machine's time base: `mtime`, a 64-bit count of ticks at TIMEBASE_HZ.
 *
 * One clock is shared by every hart and device, on every host thread, through a small
 * SharedArrayBuffer. In host mode mtime follows the host's monotonic clock from the moment the
 * machine was created (so every thread computes the same value); in manual mode it moves only
 * when `advance` is called, which makes timer tests and the in-line core mode deterministic.
 */

/**
 * The longest delay a host timer (setTimeout) takes, in ms: a longer one would overflow to 1 ms.
 * Whoever waits longer re-arms in steps of at most this.
 */
export const HOST_TIMER_MAX_MS = 2 ** 31 - 1;

/** Ticks per second of mtime (as on QEMU's virt board). */
export const TIMEBASE_HZ = 10_000_000;
const TICKS_PER_MS = TIMEBASE_HZ / 1000;

const MODE = 0;
const VALUE = 1;
const MODE_HOST = 0;
const MODE_MANUAL = 1;

/** The shared time base. */
export class Clock {
  private readonly f64: Float64Array;

  /** Wraps an existing clock buffer (from `Clock.create(...).buffer`). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.f64 = new Float64Array(buffer);
  }

  /** A new clock: `host` follows real time from now on, `manual` starts at 0 and is stepped. */
  static create(mode: "host" | "manual"): Clock {
    const clock = new Clock(new SharedArrayBuffer(16));
    clock.f64[MODE] = mode === "host" ? MODE_HOST : MODE_MANUAL;
    clock.f64[VALUE] = mode === "host" ? hostMs() : 0;
    return clock;
  }

  get manual(): boolean {
    return this.f64[MODE] === MODE_MANUAL;
  }

  /** Current mtime in ticks. */
  now(): number {
    if (this.f64[MODE] === MODE_MANUAL) return this.f64[VALUE];
    return Math.floor((hostMs() - this.f64[VALUE]) * TICKS_PER_MS);
  }

  /** Moves a manual clock forward by `ticks`. Only one thread may step a manual clock. */
  advance(ticks: number): void {
    if (!this.manual) throw new Error("only a manual clock can be advanced");
    if (!(ticks >= 0)) throw new RangeError(`cannot advance the clock by ${ticks}`);
    this.f64[VALUE] += Math.floor(ticks);
  }

  /** Converts a tick count to milliseconds. */
  static ticksToMs(ticks: number): number {
    return ticks / TICKS_PER_MS;
  }

  /** Converts milliseconds to ticks. */
  static msToTicks(ms: number): number {
    return Math.round(ms * TICKS_PER_MS);
  }
}

function hostMs(): number {
  return performance.timeOrigin + performance.now();
}
