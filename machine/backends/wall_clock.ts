/**
 * Wall-clock back ends for the RTC: the host's clock, and a fake clock that tests set by hand.
 *
 * The host clock reads Date.now (millisecond resolution, in nanoseconds) and wakes the RTC
 * with a host timer; the fake clock never moves on its own and runs due callbacks, in time
 * order, inside `set`/`advance`, so an RTC test needs no real waiting.
 */

import { HOST_TIMER_MAX_MS } from "../clock.ts";
import type { WallClock } from "../rtc.ts";

const NS_PER_MS = 1_000_000n;
/** Most callbacks a fake clock holds at once. */
export const FAKE_CLOCK_MAX_TIMERS = 1024;

/** The host's wall clock. */
export class HostWallClock implements WallClock {
  nowNs(): bigint {
    return BigInt(Date.now()) * NS_PER_MS;
  }

  /**
   * Calls `fire` from a host timer once the clock reaches `at_ns`. A pending timer keeps the
   * process alive, as a machine waiting for its alarm should be; cancel it to shut down.
   */
  schedule(at_ns: bigint, fire: () => void): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = () => {
      const remaining_ms = Math.ceil(Number(at_ns - this.nowNs()) / 1e6);
      // A later alarm waits in several steps.
      const delay_ms = Math.min(HOST_TIMER_MAX_MS, Math.max(0, remaining_ms));
      timer = setTimeout(() => at_ns <= this.nowNs() ? fire() : wait(), delay_ms);
    };
    wait();
    return () => clearTimeout(timer);
  }
}

/** A clock that moves only when told to; due callbacks run synchronously as it moves. */
export class FakeWallClock implements WallClock {
  private now_ns: bigint;
  private readonly timers = new Map<number, { at_ns: bigint; fire: () => void }>();
  private nextId = 0;

  constructor(start_ns: bigint) {
    this.now_ns = start_ns;
  }

  nowNs(): bigint {
    return this.now_ns;
  }

  /** Queues `fire` for `at_ns`; a time already reached fires on the next `set`/`advance`. */
  schedule(at_ns: bigint, fire: () => void): () => void {
    if (this.timers.size >= FAKE_CLOCK_MAX_TIMERS) {
      throw new RangeError(`fake clock: more than ${FAKE_CLOCK_MAX_TIMERS} pending callbacks`);
    }
    const id = this.nextId++;
    this.timers.set(id, { at_ns, fire });
    return () => this.timers.delete(id);
  }

  /** Number of callbacks waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** Sets the time (it may go backwards, as a wall clock can) and runs every due callback. */
  set(ns: bigint): void {
    this.now_ns = ns;
    for (;;) {
      let due: [number, { at_ns: bigint; fire: () => void }] | undefined;
      for (const entry of this.timers) {
        if (entry[1].at_ns <= ns && (!due || entry[1].at_ns < due[1].at_ns)) due = entry;
      }
      if (!due) return;
      this.timers.delete(due[0]);
      due[1].fire();
    }
  }

  /** Moves the time forward by `ns` and runs every due callback. */
  advance(ns: bigint): void {
    this.set(this.now_ns + ns);
  }
}
