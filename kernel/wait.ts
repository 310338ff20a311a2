/**
 * Sleeping and waking: how a system call that cannot proceed gives up its hart.
 *
 * A WaitQueue is a sleep channel, as in xv6: a process that must wait registers on one or more
 * queues (and perhaps a deadline) and blocks; whoever changes the condition wakes the queue;
 * the woken process re-runs its system call from the start, which re-checks the condition
 * (the call keeps any partial progress in the process record). All of this is synchronous on
 * the kernel's thread, so the order of events is deterministic.
 *
 * The TimerQueue holds deadlines (absolute mtime ticks) in a binary heap; cancelled entries are
 * dropped lazily when they reach the top. A deadline a program asks for is bounded first
 * (`boundedDeadline`): one past DEADLINE_TICKS_MAX is never reached, so it becomes no deadline
 * at all, and the clock never jumps to where a tick no longer counts.
 */

import type { Process } from "./proc.ts";

/** Returned by a system call that put its process to sleep (it runs again when woken). */
export const BLOCKED = Symbol("blocked");
/** What a system call returns: the value for a0, or BLOCKED. */
export type SyscallResult = number | typeof BLOCKED;

/**
 * The latest deadline the timer queue takes, in mtime ticks: 2^52 ticks, about 14 years at
 * 10 MHz, far below 2^53, where adding one tick to a double stops counting.
 */
export const DEADLINE_TICKS_MAX = 2 ** 52;

/** `deadline` (absolute mtime ticks), or Infinity if it lies past DEADLINE_TICKS_MAX. */
export function boundedDeadline(deadline: number): number {
  return deadline > DEADLINE_TICKS_MAX ? Infinity : deadline;
}

/** Processes sleeping on one condition. */
export class WaitQueue {
  private readonly sleepers = new Set<Process>();

  add(p: Process): void {
    this.sleepers.add(p);
  }

  delete(p: Process): void {
    this.sleepers.delete(p);
  }

  get size(): number {
    return this.sleepers.size;
  }

  /** Removes and returns up to `n` sleepers, oldest first. */
  take(n = Infinity): Process[] {
    const out: Process[] = [];
    for (const p of this.sleepers) {
      if (out.length >= n) break;
      out.push(p);
    }
    for (const p of out) this.sleepers.delete(p);
    return out;
  }
}

interface TimerEntry {
  deadline: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** Deadlines in mtime ticks, earliest first. */
export class TimerQueue {
  private readonly heap: TimerEntry[] = [];
  private seq = 0;

  /** Calls `fire` once mtime reaches `deadline`; returns a function that cancels it. */
  add(deadline: number, fire: () => void): () => void {
    const entry: TimerEntry = { deadline, seq: this.seq++, fire, cancelled: false };
    this.heap.push(entry);
    this.up(this.heap.length - 1);
    return () => {
      entry.cancelled = true;
    };
  }

  /** The earliest live deadline, or Infinity. */
  next(): number {
    this.dropCancelled();
    return this.heap.length > 0 ? this.heap[0].deadline : Infinity;
  }

  /** Fires every entry whose deadline is at or before `now`, in deadline order. */
  fireDue(now: number): number {
    let fired = 0;
    for (;;) {
      this.dropCancelled();
      if (this.heap.length === 0 || this.heap[0].deadline > now) return fired;
      const entry = this.pop();
      entry.cancelled = true;
      entry.fire();
      fired++;
    }
  }

  private dropCancelled(): void {
    while (this.heap.length > 0 && this.heap[0].cancelled) this.pop();
  }

  private pop(): TimerEntry {
    const top = this.heap[0];
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return top;
  }

  private less(a: number, b: number): boolean {
    const x = this.heap[a];
    const y = this.heap[b];
    return x.deadline < y.deadline || (x.deadline === y.deadline && x.seq < y.seq);
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      [this.heap[i], this.heap[parent]] = [this.heap[parent], this.heap[i]];
      i = parent;
    }
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (r < this.heap.length && this.less(r, m)) m = r;
      if (m === i) return;
      [this.heap[i], this.heap[m]] = [this.heap[m], this.heap[i]];
      i = m;
    }
  }
}
