/**
 * The load average, as Linux computes it (kernel/sched/loadavg.c): every LOAD_FREQ the number of
 * active threads (runnable, or in an uninterruptible sleep) is sampled and folded into three
 * exponentially decaying averages, for 1, 5 and 15 minutes, in 11-bit fixed point with Linux's
 * constants and rounding, so the figures match what Linux would show for the same history.
 *
 * Nothing ticks for it: the kernel calls `sample` whenever the number of active threads may be
 * about to change (a trap, a wake-up) and when the figures are read. The periods that passed
 * since the last call are applied then, each with the count as it is — unchanged all along,
 * since it could only have changed through one of those calls (Linux's NO_HZ catch-up does
 * the same).
 */

import { Clock } from "../machine/clock.ts";

/** Bits of fraction. */
export const FSHIFT = 11;
/** 1.0 in fixed point. */
export const FIXED_1 = 1 << FSHIFT;
/** 1 / exp(5 s / 1 min), 1 / exp(5 s / 5 min), 1 / exp(5 s / 15 min), in fixed point. */
export const EXP = [1884, 2014, 2037] as const;
/** Sampling period: Linux's 5 s + 1 tick (HZ 100), so that it does not beat with 5 s timers. */
export const LOAD_FREQ_TICKS = Clock.msToTicks(5010);

/** Linux's calc_load: `load` moved towards `active` (both fixed point) by factor `exp`. */
export function calcLoad(load: number, exp: number, active: number): number {
  let next = load * exp + active * (FIXED_1 - exp);
  if (active >= load) next += FIXED_1 - 1;
  return Math.floor(next / FIXED_1);
}

/** The three averages and their sampling. */
export class LoadAverage {
  /** The 1, 5 and 15 minute averages, fixed point. */
  readonly avenrun = [0, 0, 0];
  /** Samples taken so far. */
  samples = 0;
  private due: number;

  constructor(start = 0, readonly period = LOAD_FREQ_TICKS) {
    this.due = start + period;
  }

  /**
   * Applies every period that ended by `now` (mtime ticks), each with `active()` threads
   * (asked only if one did).
   */
  sample(now: number, active: () => number): void {
    if (now < this.due) return;
    const periods = Math.floor((now - this.due) / this.period) + 1;
    this.due += periods * this.period;
    const n = active() * FIXED_1;
    // After a few thousand periods every average has reached `n`: no need to go on.
    for (let i = 0; i < Math.min(periods, 4096); i++) {
      for (let j = 0; j < 3; j++) this.avenrun[j] = calcLoad(this.avenrun[j], EXP[j], n);
    }
    this.samples += periods;
  }

  /** The averages as /proc/loadavg prints them ("0.08 0.02 0.01"), rounded as Linux does. */
  text(): string {
    return this.avenrun.map((a) => {
      const r = a + Math.floor(FIXED_1 / 200);
      const whole = r >> FSHIFT;
      const frac = ((r & (FIXED_1 - 1)) * 100) >> FSHIFT;
      return `${whole}.${String(frac).padStart(2, "0")}`;
    }).join(" ");
  }
}
