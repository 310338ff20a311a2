/**
 * TLB shootdown: every hart forgets a stale translation before its frame can be reused.
 *
 * A hart's TLB lives in shared memory, so the kernel can clear entries itself — except on a
 * hart that is executing the address space concerned right now, which could be using the
 * entry at that very moment. Such a hart gets the flush queued and an IPI; the IPI stops it at
 * its next interrupt check, and the kernel applies the queued flushes when it handles that
 * trap (`acknowledge`). Work that must wait until no hart can reach the old frame (releasing
 * it) is `defer`red until every hart with a queued flush has acknowledged it. When no hart is
 * executing (the in-line mode between runs), everything happens at once.
 */

import type { Machine } from "../machine/machine.ts";
import type { TlbControl } from "./vm.ts";

/** What the shootdown needs to know about the harts. */
export interface HartView {
  /** The ASID hart `h` is executing right now, or -1 if it is stopped or idle. */
  executingAsid(h: number): number;
  /** Interrupts hart `h` (an IPI). */
  interrupt(h: number): void;
}

interface Flush {
  asid: number;
  /** A page's address, or -1 for the whole address space. */
  va: number;
}

/** Coordinates TLB flushes across harts. */
export class Shootdown implements TlbControl {
  private readonly queued: Flush[][];
  private readonly awaiting = new Set<number>();
  private deferred: Array<{ waitFor: Set<number>; fn: (now: boolean) => void }> = [];
  /** Flushes that needed an IPI, for the statistics. */
  remoteFlushes = 0;

  constructor(private readonly machine: Machine, private readonly harts: HartView) {
    this.queued = Array.from({ length: machine.harts }, () => []);
  }

  flushPage(asid: number, va: number): void {
    this.flush({ asid, va });
  }

  flushAsid(asid: number): void {
    this.flush({ asid, va: -1 });
  }

  /** Runs `fn` once every hart with a flush pending has acknowledged it (see TlbControl). */
  defer(fn: (now: boolean) => void): void {
    if (this.awaiting.size === 0) fn(true);
    else this.deferred.push({ waitFor: new Set(this.awaiting), fn });
  }

  /** Hart `h` has stopped: apply its queued flushes and release what waited for it. */
  acknowledge(h: number): void {
    if (!this.awaiting.has(h)) return;
    for (const f of this.queued[h]) this.apply(h, f);
    this.queued[h].length = 0;
    this.awaiting.delete(h);
    const ready = this.deferred.filter((d) => (d.waitFor.delete(h), d.waitFor.size === 0));
    this.deferred = this.deferred.filter((d) => d.waitFor.size > 0);
    for (const d of ready) d.fn(false);
  }

  private flush(f: Flush): void {
    for (let h = 0; h < this.machine.harts; h++) {
      if (this.harts.executingAsid(h) === f.asid) {
        this.queued[h].push(f);
        if (!this.awaiting.has(h)) {
          this.awaiting.add(h);
          this.remoteFlushes++;
          this.harts.interrupt(h);
        }
      } else {
        this.apply(h, f);
      }
    }
  }

  private apply(h: number, f: Flush): void {
    const tlb = this.machine.cpus[h].tlb;
    if (f.va < 0) tlb.flushAsid(f.asid);
    else tlb.flushPage(f.va, f.asid);
  }
}
