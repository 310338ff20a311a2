/**
 * The process record.
 *
 * A process owns an address space, a descriptor table and a saved user context (the 32
 * registers and pc, copied to and from a hart when it is scheduled). The kernel keeps the
 * records in its process table; nothing outside the kernel holds one.
 */

import type { FdTable } from "./file.ts";
import type { AddressSpace } from "./vm.ts";

/** Life-cycle states (the classic diagram). */
export type ProcState = "NEW" | "READY" | "RUNNING" | "BLOCKED" | "WAITING" | "SLEEPING" | "ZOMBIE";

/** Per-process counters. */
export interface ProcCounters {
  instructions: number;
  syscalls: number;
  pageFaults: number;
  /** Time on a hart, in mtime ticks. */
  cpuTicks: number;
}

/** A process. */
export class Process {
  state: ProcState = "NEW";
  /** Saved x0..x31 while not on a hart. */
  readonly regs = new Int32Array(32);
  pc = 0;
  /** Program break: start (fixed at exec) and current end. */
  brkStart = 0;
  brk = 0;
  /** set_tid_address pointer (cleared and futex-woken at exit). */
  clearChildTid = 0;
  exitStatus = 0;
  /** Signal that killed the process, or 0 if it exited. */
  killedBy = 0;
  readonly counters: ProcCounters = { instructions: 0, syscalls: 0, pageFaults: 0, cpuTicks: 0 };

  constructor(
    readonly pid: number,
    readonly ppid: number,
    public name: string,
    public as: AddressSpace,
    readonly fds: FdTable,
    public cwd: string,
  ) {}
}
