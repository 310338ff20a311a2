/**
 * The process record (one per thread of execution, as in Linux: a "process" is a thread group).
 *
 * A Process owns, or shares with the other threads of its group: an address space, a
 * descriptor table, signal dispositions and a working directory. Its own are the saved user
 * context (x0..x31, pc, copied to and from a hart around every trap), its scheduling record
 * (state, priority, affinity, the hart it last ran on), its signal mask and pending set, the
 * blocking state of a system call in progress, and its counters.
 *
 * States and transitions (the classic diagram):
 *
 *     NEW ──fork/clone──▶ READY ──scheduled──▶ RUNNING ──exit──▶ ZOMBIE ──reaped──▶ (gone)
 *                           ▲  ◀──preempted/yield──┘ │
 *                           │                        ├─▶ BLOCKED  (I/O: pipe, console; stopped)
 *                           └────────woken───────────├─▶ WAITING  (children: waitid; futex)
 *                                                    └─▶ SLEEPING (clock_nanosleep)
 */

import type { FdTable } from "./file.ts";
import type { Connection } from "./ipc/objects.ts";
import type { KernelCall } from "./ipc/kernel_client.ts";
import type { Node } from "../abi/vfs.ts";
import { WaitQueue } from "./wait.ts";
import type { SigInfo, SignalDispositions } from "./signals.ts";
import type { AddressSpace } from "./vm.ts";

/** A working directory: the VFS node, and its canonical path (what getcwd reports). */
export interface Cwd {
  node: Node;
  path: string;
}

/** Life-cycle states. */
export type ProcState = "NEW" | "READY" | "RUNNING" | "BLOCKED" | "WAITING" | "SLEEPING" | "ZOMBIE";

/** Per-process counters. */
export interface ProcCounters {
  instructions: number;
  syscalls: number;
  /** System calls by number. */
  syscallsByNr: Map<number, number>;
  pageFaults: number;
  /** Context switches: gave up the hart (blocked, yielded) / was preempted. */
  voluntarySwitches: number;
  involuntarySwitches: number;
  /** Time on a hart, in mtime ticks. */
  cpuTicks: number;
}

/** What a process blocked in a system call is waiting for (set by `Kernel.block`). */
export interface Blocking {
  /** Removes the process from whatever it waits on. */
  cancel(): void;
  /** Absolute mtime deadline, or Infinity. */
  deadline: number;
  /** Signals do not end this sleep (SIGKILL still does): a service call being finished. */
  uninterruptible: boolean;
}

/** Resource usage summed over threads or children (getrusage, times). */
export interface Usage {
  cpuTicks: number;
  pageFaults: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
  /** Largest resident size seen, in pages. */
  maxResidentPages: number;
}

/** A zeroed Usage. */
export function emptyUsage(): Usage {
  return {
    cpuTicks: 0,
    pageFaults: 0,
    voluntarySwitches: 0,
    involuntarySwitches: 0,
    maxResidentPages: 0,
  };
}

/** Adds `from` into `into`. */
export function addUsage(into: Usage, from: Usage): void {
  into.cpuTicks += from.cpuTicks;
  into.pageFaults += from.pageFaults;
  into.voluntarySwitches += from.voluntarySwitches;
  into.involuntarySwitches += from.involuntarySwitches;
  into.maxResidentPages = Math.max(into.maxResidentPages, from.maxResidentPages);
}

/** State shared by the threads of one group (what CLONE_THREAD shares). */
export interface ThreadGroup {
  tgid: number;
  /** Process group (job control) and session. */
  pgid: number;
  sid: number;
  members: Set<Process>;
  /** Signals sent to the group (kill), not yet taken by a thread, and their details. */
  pending: bigint;
  sigInfo: Map<number, SigInfo>;
  /** SIGSTOP'd and not yet continued. */
  stopped: boolean;
  /** exit_group in progress: every member is dying with this status / signal. */
  exiting: boolean;
  exitStatus: number;
  killedBy: number;
  /** What waitid reports for a stop or continue not yet collected. */
  stopReport: "stopped" | "continued" | undefined;
  stopSignal: number;
  /** Leaders of the child processes (zombies included until reaped). */
  children: Set<Process>;
  /** Woken when a child exits, stops or continues (waitid sleeps here). */
  childEvents: WaitQueue;
  /** Usage of the group's threads that have exited, and of its reaped children. */
  usage: Usage;
  childUsage: Usage;
}

/** A process (a thread of a group). */
export class Process {
  state: ProcState = "NEW";
  /** Saved x0..x31 while not on a hart. */
  readonly regs = new Int32Array(32);
  pc = 0;
  /** Scheduling: nice value (-20..19), allowed harts, the hart it is queued on or ran on. */
  nice = 0;
  affinity: number;
  hart = 0;
  /** Slices spent READY since it last ran (aging). */
  waitedSlices = 0;
  /** Order of arrival on a ready queue (ties in priority go to the earliest). */
  enqueuedAt = 0;
  /** When it was created (mtime ticks; /proc/PID/stat's starttime). */
  startTicks = 0;
  /** Program break: start (fixed at exec) and current end. */
  brkStart = 0;
  brk = 0;
  /** File mode creation mask (umask); shared with the process's threads by value. */
  umask = 0o022;
  /** The argument and environment strings of the program it runs (/proc/PID/cmdline). */
  cmdline: string[] = [];
  environ: string[] = [];
  /** CLONE_CHILD_CLEARTID / set_tid_address pointer (cleared and futex-woken at exit). */
  clearChildTid = 0;
  /** Signals: blocked mask, pending set and the pending ones' details, of this thread. */
  sigBlocked = 0n;
  sigPending = 0n;
  readonly sigInfo = new Map<number, SigInfo>();
  /** The mask rt_sigsuspend replaced, restored once a signal has been dealt with. */
  sigsuspendMask: bigint | undefined;
  exitStatus = 0;
  /** Signal that killed the process, or 0 if it exited. */
  killedBy = 0;
  /** Signal sent to the parent when this (leader) process ends (SIGCHLD for fork). */
  exitSignal = 0;
  /** A vfork parent sleeping until this child execs or exits. */
  vforkParent: Process | undefined;
  /** The system call in progress: number and arguments (kept to re-run it after a sleep). */
  syscallNr = 0;
  syscallArgs: readonly [number, number, number, number, number, number] = [0, 0, 0, 0, 0, 0];
  /** Set while a woken system call is re-run. */
  restarting = false;
  /** What the process is sleeping on, while it sleeps. */
  blocking: Blocking | undefined;
  /** Why the last wait ended: woken, the deadline passed, or a signal interrupted it. */
  wakeReason: "woken" | "timeout" | "signal" = "woken";
  /** Work a restarted system call has already done (e.g. bytes written so far). */
  syscallProgress = 0;
  /**
   * What a system call made of several service calls has learnt so far (the first call's
   * answer), kept across its re-runs; cleared when a new system call starts.
   */
  syscallState: unknown = undefined;
  /** Deadline (absolute mtime ticks) of the system call in progress, or -1. */
  syscallDeadline = -1;
  /**
   * Tag of the IPC call in progress (0: none), and its connection: held here, not looked up,
   * so a reply already in the ring is still collected after the server has died.
   */
  ipcTag = 0;
  ipcConnection: Connection | undefined = undefined;
  /** The service call a system call of this process has in flight (ipc/kernel_client.ts). */
  kcall: KernelCall | undefined = undefined;
  readonly counters: ProcCounters = {
    instructions: 0,
    syscalls: 0,
    syscallsByNr: new Map(),
    pageFaults: 0,
    voluntarySwitches: 0,
    involuntarySwitches: 0,
    cpuTicks: 0,
  };

  constructor(
    /** Thread id (pid of a single-threaded process). */
    readonly tid: number,
    public ppid: number,
    public name: string,
    public as: AddressSpace,
    public fds: FdTable,
    public cwd: Cwd,
    readonly group: ThreadGroup,
    public signals: SignalDispositions,
    harts: number,
  ) {
    this.affinity = harts >= 32 ? -1 : (1 << harts) - 1;
  }

  /** The process id (the thread group's id). */
  get pid(): number {
    return this.group.tgid;
  }

  /** Whether this thread leads its group (its tid is the pid). */
  get isLeader(): boolean {
    return this.tid === this.group.tgid;
  }

  /** This thread's usage so far. */
  usage(): Usage {
    return {
      cpuTicks: this.counters.cpuTicks,
      pageFaults: this.counters.pageFaults,
      voluntarySwitches: this.counters.voluntarySwitches,
      involuntarySwitches: this.counters.involuntarySwitches,
      maxResidentPages: this.as.maxResidentPages,
    };
  }

  /** Scheduling priority, higher runs first: 1 (nice 19) .. 40 (nice -20). */
  get basePriority(): number {
    return 20 - this.nice;
  }
}

/**
 * Creates the shared state of a new thread group led by `tgid`, in process group `pgid` and
 * session `sid` (its own, for the first process).
 */
export function newThreadGroup(tgid: number, pgid = tgid, sid = tgid): ThreadGroup {
  return {
    tgid,
    pgid,
    sid,
    members: new Set(),
    pending: 0n,
    sigInfo: new Map(),
    stopped: false,
    exiting: false,
    exitStatus: 0,
    killedBy: 0,
    stopReport: undefined,
    stopSignal: 0,
    children: new Set(),
    childEvents: new WaitQueue(),
    usage: emptyUsage(),
    childUsage: emptyUsage(),
  };
}
