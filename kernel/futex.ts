/**
 * Futexes: wait queues keyed by the physical address of a user word.
 *
 * FUTEX_WAIT sleeps if the word still holds the expected value (checked and queued in one
 * step on the kernel's thread, so no wake-up can be lost in between); FUTEX_WAKE wakes up to n
 * sleepers on the word. Keying by physical address makes one futex work across threads and
 * across processes sharing memory; the word's page is made present and writable first, so a
 * copy-on-write break cannot move it afterwards.
 */

import { WaitQueue } from "./wait.ts";

/** Wait queues by physical address; a queue exists only while someone waits on it. */
export class FutexTable {
  private readonly queues = new Map<number, WaitQueue>();

  /** The queue for physical address `pa` (created on demand). */
  queue(pa: number): WaitQueue {
    let q = this.queues.get(pa);
    if (!q) {
      q = new WaitQueue();
      this.queues.set(pa, q);
    }
    return q;
  }

  /** The queue for `pa` if anyone waits there. */
  existing(pa: number): WaitQueue | undefined {
    return this.queues.get(pa);
  }

  /** Forgets the queue for `pa` once it is empty. */
  prune(pa: number): void {
    if (this.queues.get(pa)?.size === 0) this.queues.delete(pa);
  }
}
