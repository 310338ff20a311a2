/**
 * The scheduler: per-hart ready queues, priorities with aging, placement, work stealing.
 *
 * Policy (parameters below):
 * - Each process has a base priority from its nice value: 20 - nice, so 1 (nice 19) to 40
 *   (nice -20). Higher runs first.
 * - Aging: a READY process gains AGING_BOOST priority for every time slice its hart spends
 *   running something else, and loses it when it runs. So a low-priority process waiting
 *   behind a high one overtakes it after (difference / AGING_BOOST) slices: nothing starves.
 * - A hart picks the highest effective priority on its own queue (ties: the earliest to
 *   arrive), so equal priorities round-robin. An empty queue steals the best process it may
 *   run (affinity) from the longest other queue.
 * - A process that becomes ready goes to the hart it last ran on if that hart is idle, else to
 *   an idle hart it may use, else to the least-loaded one. The caller is told whether that hart
 *   must be woken (it was idle) or preempted (it runs something of lower priority). A process
 *   woken by a pipe's writer, or by a thread or child that is exiting (a joiner, a parent in
 *   waitid), goes to the waker's hart instead, unnudged (`waker`): the writer usually blocks
 *   next, the exiting one is gone, and that hart is awake (Linux's WF_SYNC).
 * - The time slice is SLICE_TICKS of mtime; at its end the running process is preempted if a
 *   queued process has at least its base priority.
 */

import type { Process } from "./proc.ts";

/** Length of a time slice, in mtime ticks (10 ms at 10 MHz). */
export const SLICE_TICKS = 100_000;
/** Priority gained per slice spent waiting. */
export const AGING_BOOST = 1;

/**
 * What the caller should do to the hart a process was queued on ("waker": nothing now; the
 * hart takes it when its process blocks, or the caller finds it another if that does not come).
 */
export type Nudge = "none" | "wake" | "preempt" | "waker";

/** Ready queues, one per hart. */
export class Scheduler {
  readonly queues: Process[][];
  /** What each hart is running (undefined: idle). */
  readonly current: (Process | undefined)[];
  private arrivals = 0;

  constructor(readonly harts: number) {
    this.queues = Array.from({ length: harts }, () => []);
    this.current = new Array(harts).fill(undefined);
  }

  /** Effective priority: base plus the aging bonus. */
  static effective(p: Process): number {
    return p.basePriority + p.waitedSlices * AGING_BOOST;
  }

  /** Harts `p` may run on. */
  allowed(p: Process): number[] {
    const out: number[] = [];
    for (let h = 0; h < this.harts; h++) if (p.affinity & (1 << h)) out.push(h);
    return out;
  }

  /** Whether hart `h` has nothing to run. */
  private idle(h: number): boolean {
    return !this.current[h] && this.queues[h].length === 0;
  }

  /** An idle hart other than `h`, or undefined. */
  idleHartBesides(h: number): number | undefined {
    for (let g = 0; g < this.harts; g++) if (g !== h && this.idle(g)) return g;
    return undefined;
  }

  /**
   * Puts a READY process on a queue; returns the hart and how to nudge it. `waker`: the hart
   * serving the trap of the process that woke it, which will probably block next (a pipe's
   * writer) or has just ended (an exiting thread or child): that hart is awake and about to
   * pick again, so the process waits there, if it may run there, with nudge "waker" (nobody
   * else is woken for it).
   */
  enqueue(p: Process, waker?: number): { hart: number; nudge: Nudge } {
    const allowed = this.allowed(p);
    const load = (h: number) => this.queues[h].length + (this.current[h] ? 1 : 0);
    const sync = waker !== undefined && allowed.includes(waker);
    let hart = sync
      ? waker
      : allowed.includes(p.hart) && this.idle(p.hart)
      ? p.hart
      : allowed.find((h) => this.idle(h));
    if (hart === undefined) {
      hart = allowed.reduce((best, h) =>
        load(h) < load(best) || (load(h) === load(best) && h === p.hart) ? h : best
      );
    }
    p.state = "READY";
    p.hart = hart;
    p.enqueuedAt = this.arrivals++;
    const wasIdle = this.idle(hart);
    this.queues[hart].push(p);
    if (sync) return { hart, nudge: "waker" };
    const running = this.current[hart];
    if (wasIdle) return { hart, nudge: "wake" };
    if (running && running.basePriority < Scheduler.effective(p)) return { hart, nudge: "preempt" };
    return { hart, nudge: "none" };
  }

  /** Takes the next process for hart `h` (stealing if its queue is empty), or undefined. */
  pick(h: number): Process | undefined {
    const own = this.best(h, () => true);
    if (own) return this.take(h, own);
    const victims = [...this.queues.keys()]
      .filter((v) => v !== h && this.queues[v].length > 0)
      .sort((a, b) => this.queues[b].length - this.queues[a].length);
    for (const v of victims) {
      const p = this.best(v, (q) => (q.affinity & (1 << h)) !== 0);
      if (p) {
        p.hart = h;
        return this.take(v, p);
      }
    }
    return undefined;
  }

  /** Removes a process from whatever queue holds it. */
  remove(p: Process): void {
    for (const q of this.queues) {
      const i = q.indexOf(p);
      if (i >= 0) q.splice(i, 1);
    }
  }

  /** A slice ended on hart `h`: everything waiting there ages. */
  age(h: number): void {
    for (const p of this.queues[h]) p.waitedSlices++;
  }

  /** Whether the process running on `h` should give way at the end of its slice. */
  shouldPreempt(h: number): boolean {
    const running = this.current[h];
    if (!running) return false;
    const best = this.best(h, () => true);
    return best !== undefined && Scheduler.effective(best) >= running.basePriority;
  }

  /** Number of READY processes on all queues. */
  get readyCount(): number {
    return this.queues.reduce((n, q) => n + q.length, 0);
  }

  private best(h: number, ok: (p: Process) => boolean): Process | undefined {
    let best: Process | undefined;
    for (const p of this.queues[h]) {
      if (!ok(p)) continue;
      if (
        !best || Scheduler.effective(p) > Scheduler.effective(best) ||
        (Scheduler.effective(p) === Scheduler.effective(best) && p.enqueuedAt < best.enqueuedAt)
      ) best = p;
    }
    return best;
  }

  private take(h: number, p: Process): Process {
    this.queues[h].splice(this.queues[h].indexOf(p), 1);
    p.waitedSlices = 0;
    return p;
  }
}
