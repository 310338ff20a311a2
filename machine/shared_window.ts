/**
 * The shared window's address space: which ranges of the window hold a bank and which are free
 * for the next one. First fit, lowest address first; free ranges coalesce.
 *
 * A range whose bank left the window is not free at once. Hart workers keep the bank on their
 * own buses until they next catch up with the machine's set of banks; a range reused before
 * then would let such a hart reach the old bank's buffer at the new bank's addresses. So a
 * released range waits in quarantine, tagged with the bank-set version that removed its bank,
 * and becomes free when every hart has caught up with that version (`settle`).
 *
 * Reusing a range never reuses memory: every bank gets a new SharedArrayBuffer, so a worker
 * that still holds an old bank's buffer reaches nothing of the new one.
 */

import { PAGE_SIZE } from "./memory_map.ts";

interface Range {
  base: number;
  size: number;
}

interface QuarantinedRange extends Range {
  /** The bank-set version whose change released it. */
  version: number;
}

/** Free and quarantined ranges of one window. */
export class SharedWindow {
  /** Free ranges, sorted by base, never adjacent. */
  private readonly free: Range[];
  private readonly quarantine: QuarantinedRange[] = [];

  constructor(readonly base: number, readonly size: number) {
    if (base % PAGE_SIZE || size % PAGE_SIZE || size <= 0) {
      throw new RangeError("the shared window must be whole pages");
    }
    this.free = [{ base, size }];
  }

  /** Takes `size` bytes (a multiple of the page size); returns the base, or -1 if no range fits. */
  allocate(size: number): number {
    if (!Number.isInteger(size) || size <= 0 || size % PAGE_SIZE) {
      throw new RangeError(`shared window: bad size ${size}`);
    }
    const i = this.free.findIndex((r) => r.size >= size);
    if (i < 0) return -1;
    const range = this.free[i];
    const base = range.base;
    if (range.size === size) this.free.splice(i, 1);
    else this.free[i] = { base: base + size, size: range.size - size };
    return base;
  }

  /** Gives back [base, base + size), reusable once every hart has reached `version`. */
  release(base: number, size: number, version: number): void {
    this.quarantine.push({ base, size, version });
  }

  /** Every hart has caught up with bank-set `version`: frees what waited for it. */
  settle(version: number): void {
    for (let i = this.quarantine.length - 1; i >= 0; i--) {
      const q = this.quarantine[i];
      if (q.version > version) continue;
      this.quarantine.splice(i, 1);
      this.insertFree(q.base, q.size);
    }
  }

  /** Whether any range waits in quarantine (cheap: checked after every hart run). */
  get quarantining(): boolean {
    return this.quarantine.length > 0;
  }

  /** Bytes free now. */
  get freeBytes(): number {
    return this.free.reduce((n, r) => n + r.size, 0);
  }

  /** Bytes released but still waiting for a hart to catch up. */
  get quarantinedBytes(): number {
    return this.quarantine.reduce((n, r) => n + r.size, 0);
  }

  private insertFree(base: number, size: number): void {
    let i = this.free.findIndex((r) => r.base > base);
    if (i < 0) i = this.free.length;
    this.free.splice(i, 0, { base, size });
    const next = this.free[i + 1];
    if (next && base + size === next.base) {
      this.free[i].size += next.size;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.base + prev.size === base) {
      prev.size += this.free[i].size;
      this.free.splice(i, 1);
    }
  }
}
