/**
 * The kernel: owns the machine, keeps the process table, runs processes on harts and handles
 * every trap they take.
 *
 * Control flow. A hart loop (harts.ts — in-line or one host worker per hart, the same code
 * either way) asks the scheduler for a process, `prepare`s it (re-runs a blocked system call
 * that was woken, delivers signals), `enter`s it onto the hart, runs the hart, and hands the
 * result to `afterRun`, which saves the context and handles the trap: a system call, a page
 * fault, an exception that becomes a signal, or an interrupt (the time slice, an IPI).
 *
 * Blocking. A system call that cannot proceed calls `block` with the wait queues to sleep on
 * and returns BLOCKED; the process leaves its hart. `wake` (or a deadline, or a signal) makes
 * it READY again, and the call is re-run from the start with `restarting` set.
 *
 * Nothing a program does can throw out of the kernel: bad pointers are EFAULT, faults are
 * signals, running out of memory kills the process that asked, with a message.
 */

import { Clock } from "../machine/clock.ts";
import { CAUSE, INTERRUPT, INTERRUPT_BIT, RUN_TRAP } from "../machine/cpu.ts";
import { HART_WORDS, HS, SEIP, SSIP, STIP } from "../machine/hart_state.ts";
import { localWorkers, type WorkerFactory } from "../machine/workers.ts";
import { Machine, type MachineDevices } from "../machine/machine.ts";
import { PAGE_SIZE } from "../machine/memory_map.ts";
import { PTE_R, PTE_W, PTE_X } from "../machine/mmu.ts";
import { ElfError, type ElfImage, parseElf } from "./elf.ts";
import { EAGAIN, EINTR, EINVAL, ENOMEM, ESRCH, SyscallError } from "./errno.ts";
import { buildStack, loadImage } from "./exec.ts";
import { FdTable, type OpenFile } from "./file.ts";
import { FrameAllocator } from "./frames.ts";
import { FutexTable } from "./futex.ts";
import { LockTable } from "./locks.ts";
import type { ControlHost } from "./ipc/control.ts";
import { DeviceTable } from "./ipc/devices.ts";
import { KernelClient, type WatchedWord } from "./ipc/kernel_client.ts";
import { IpcManager } from "./ipc/manager.ts";
import type { Party, Region } from "./ipc/objects.ts";
import { ServiceHost } from "./ipc/service_host.ts";
import { runInline, runThreaded } from "./harts.ts";
import { exitGroup, exitThread } from "./lifecycle.ts";
import {
  type Blocking,
  type Cwd,
  newThreadGroup,
  Process,
  type ProcState,
  type ThreadGroup,
} from "./proc.ts";
import { watchWord } from "../abi/wait.ts";
import { Scheduler, SLICE_TICKS } from "./sched.ts";
import { Shootdown } from "./shootdown.ts";
import { deliverSignals, forceSignal, sendSignal, shieldsInit } from "./signal_delivery.ts";
import {
  defaultAction,
  NSIG,
  SA_RESTART,
  SI_KERNEL,
  SIG_DFL,
  SIG_IGN,
  sigbit,
  SIGKILL,
  SignalDispositions,
  signalName,
  TRAMPOLINE_CODE,
  TRAMPOLINE_VA,
} from "./signals.ts";
import { SYS } from "./syscalls/numbers.ts";
import { HISTORY_MAX, type ProcSummary, summarize } from "./stats.ts";
import { writeSysinfo } from "./sysinfo.ts";
import { KernelLog, LOG_FACILITY, LOG_LEVEL } from "./klog.ts";
import { LoadAverage } from "./loadavg.ts";
import { Launcher } from "./launcher.ts";
import { Supervisor } from "./supervisor.ts";
import { TtyClient } from "./chardev.ts";
import { VfsClient } from "./vfs_client.ts";
import { MMAP_BASE, MMAP_TOP } from "./syscalls/memory.ts";
import { countSyscalls, dispatchSyscall, hartAnswers, type SyscallOptions } from "./syscall.ts";
import { describeTrap, pageFaultAccess, signalForException } from "./trap.ts";
import { AddressSpace, type ForeignPages } from "./vm.ts";
import { BLOCKED, TimerQueue, type WaitQueue } from "./wait.ts";

/** How harts are driven: all on the kernel's thread, or one host worker each. */
export type HartMode = "inline" | "threads";

/** How to build a kernel. */
export interface KernelOptions {
  /** Number of harts (default 2). */
  harts?: number;
  /** Default `threads`; `inline` is deterministic (the clock is stepped by instructions). */
  mode?: HartMode;
  /** User bank size (default 128 MiB). */
  ramSizeBytes?: number;
  /** The devices' host back ends (consoles, disk, clock). */
  devices?: MachineDevices;
  /** strace-like trace of every system call to `log`. */
  trace?: boolean;
  /** Diagnostics (unknown syscalls, fatal signals' details) to `log`. */
  verbose?: boolean;
  /** Where diagnostics go (default: stderr). */
  log?: (line: string) => void;
  /** Most processes (threads included) at once (default 256). */
  maxProcesses?: number;
  /** Most resident memory per address space (default 64 MiB). */
  memoryLimitBytes?: number;
  /** Who creates the workers of harts and services (default: this thread). */
  workers?: WorkerFactory;
}

/** How a process ended. */
export interface ExitInfo {
  /** Exit status (0..255) if it exited. */
  status: number;
  /** Signal number if it was killed, else 0. */
  signal: number;
}

/** Per-hart counters. */
export interface HartCounters {
  instructions: number;
  contextSwitches: number;
  timerInterrupts: number;
  softwareInterrupts: number;
  externalInterrupts: number;
  exceptions: number;
  syscalls: number;
  /** Time spent idle, in mtime ticks. */
  idleTicks: number;
  /**
   * Time running processes (nice <= 0 / nice > 0) and in the kernel, in mtime ticks: with
   * idleTicks, all of the hart's time since boot (/proc/stat).
   */
  userTicks: number;
  niceTicks: number;
  systemTicks: number;
}

/** Why a program could not be started. */
export class SpawnError extends Error {}

export { BLOCKED, type SyscallResult } from "./wait.ts";

const ASID_MAX = 511;
const PID_MAX = 32767;

/** The kernel. */
export class Kernel {
  readonly machine: Machine;
  readonly mode: HartMode;
  readonly frames: FrameAllocator;
  readonly sched: Scheduler;
  readonly timers = new TimerQueue();
  readonly futexes = new FutexTable();
  /** POSIX record locks (fcntl). */
  readonly locks = new LockTable();
  readonly ipc: IpcManager;
  /** The devices drivers hold (kernel/ipc/devices.ts). */
  readonly devices: DeviceTable;
  /** The kernel as a client of services (the VFS, the tty driver). */
  readonly client: KernelClient;
  /** The VFS and the tty driver, as system calls use them. */
  readonly vfs: VfsClient;
  readonly tty: TtyClient;
  /** Restarts services that end, by their policy (kernel/supervisor.ts). */
  readonly supervisor: Supervisor;
  /** Processes spawned for services (the shell), and their sessions. */
  readonly launcher: Launcher;
  /** The one word every server rings after a reply to the kernel's side. */
  readonly replyDoorbell = new Int32Array(new SharedArrayBuffer(4));
  readonly services: ServiceHost;
  readonly shootdown: Shootdown;
  readonly syscallOptions: SyscallOptions;
  /** Every process (thread), zombies included, by thread id. */
  readonly procs = new Map<number, Process>();
  /** Summaries of the threads that have exited (the most recent HISTORY_MAX). */
  readonly history: ProcSummary[] = [];
  /** The kernel log (dmesg): `log` and `info` lines and the services' (CTL.LOG). */
  readonly klog = new KernelLog();
  /** The 1, 5 and 15 minute load averages. */
  readonly loadavg = new LoadAverage();
  /** Threads created since boot (/proc/stat's "processes"), and the last thread id given. */
  tasksCreated = 0;
  lastTid = 0;
  /** System calls made by every process so far, by number. */
  readonly syscallTotals = new Map<number, number>();
  readonly hartCounters: HartCounters[];
  /** The hart whose process's system call is being handled now, if any. */
  private syscallHart: number | undefined;
  /** Per hart: a process was woken onto it at its process's last trap (unblock's `sync`). */
  private readonly syncQueued: boolean[];
  /** Per hart, the calls its thread answers for the process on it (syscall.ts hartAnswers). */
  private readonly answering: [number, number][][];
  /** The harts' shared state words. */
  private readonly hartWords: Int32Array;
  readonly maxProcesses: number;
  readonly memoryLimitPages: number;
  readonly workers: WorkerFactory;
  /** The first process (init, or the program spawned directly); the system ends with it. */
  root: Process | undefined;
  /** Harts executing right now (a run in flight on a host worker). */
  readonly executing: boolean[];
  /** Set by whatever wants hart h to go back to the scheduler at its next trap. */
  readonly reschedule: boolean[];
  /** Called when a hart has work (harts.ts installs the host-specific way to wake it). */
  wakeHart: (h: number) => void = () => {};
  /** Called when the kernel's timer queue gets an earlier deadline (threads mode). */
  onTimerChange: () => void = () => {};
  /** Set once the root process has exited: the hart loops stop. */
  halted = false;
  private deviceInterruptQueued = false;
  /** CLOCK_REALTIME minus the machine's monotonic clock, in ns (set from the rtc at boot). */
  realtimeOffsetNs = 0n;
  /**
   * Exceptions other than SyscallError that a system call, a trap or a service's control
   * request raised inside the kernel, and the kernel contained (each is a kernel bug).
   */
  containedFaults = 0;
  private readonly foreignPages: ForeignPages;
  private readonly freeAsids: number[] = [];
  private nextTid = 1;
  private readonly trampolineFrame: number;
  private finished: ((exit: ExitInfo) => void) | undefined;

  constructor(options: KernelOptions = {}) {
    this.mode = options.mode ?? "threads";
    const harts = options.harts ?? 2;
    this.machine = new Machine({
      harts,
      ramSizeBytes: options.ramSizeBytes,
      clock: this.mode === "inline" ? "manual" : "host",
      devices: options.devices,
    });
    this.frames = new FrameAllocator(this.machine.ram);
    this.sched = new Scheduler(harts);
    const log = options.log ?? ((line: string) => console.error(line));
    this.syscallOptions = { trace: options.trace ?? false, verbose: options.verbose ?? false, log };
    this.maxProcesses = options.maxProcesses ?? 256;
    this.workers = options.workers ?? localWorkers;
    this.memoryLimitPages = Math.floor((options.memoryLimitBytes ?? 64 * 1024 * 1024) / PAGE_SIZE);
    this.executing = new Array(harts).fill(false);
    this.reschedule = new Array(harts).fill(false);
    this.answering = Array.from({ length: harts }, () => []);
    this.syncQueued = new Array(harts).fill(false);
    this.hartWords = new Int32Array(this.machine.hartState);
    this.hartCounters = Array.from({ length: harts }, () => ({
      instructions: 0,
      contextSwitches: 0,
      timerInterrupts: 0,
      softwareInterrupts: 0,
      externalInterrupts: 0,
      exceptions: 0,
      syscalls: 0,
      idleTicks: 0,
      userTicks: 0,
      niceTicks: 0,
      systemTicks: 0,
    }));
    this.shootdown = new Shootdown(this.machine, {
      executingAsid: (h) => this.executing[h] ? this.sched.current[h]?.as.asid ?? -1 : -1,
      interrupt: (h) => this.machine.clint.sendIpi(h),
    });
    this.ipc = new IpcManager({
      wake: (q) => this.wake(q),
      newSharedBank: (name, size) => this.machine.addSharedBank(name, size),
      freeSharedBank: (bank) => this.machine.removeSharedBank(bank),
      chargeProcess: (party, bytes) => this.chargeRegion(party, bytes),
      unmapRegion: (region) => this.unmapRegion(region),
      kernelBug: (what, e) => this.kernelBug(what, e),
      replyDoorbell: this.replyDoorbell,
    });
    this.devices = new DeviceTable(this.machine, this.ipc);
    this.machine.onDeviceInterrupt = () => this.onDeviceInterrupt();
    this.client = new KernelClient({
      ipc: this.ipc,
      replyDoorbell: this.replyDoorbell,
      sleep: (p, uninterruptible, watch) =>
        this.block(p, "BLOCKED", [], Infinity, { uninterruptible, watch }),
      sleepOn: (p, q) => this.block(p, "BLOCKED", [q]),
      wake: (p) => this.unblock(p, "woken"),
      wakeQueue: (q) => this.wake(q),
      callEnded: () => {
        if (this.mode === "inline") this.wakeHart(0);
      },
      kernelBug: (what, e) => this.kernelBug(what, e),
      restarting: (service) => this.supervisor.restarting(service),
    });
    this.vfs = new VfsClient(this);
    this.tty = new TtyClient(this);
    this.launcher = new Launcher(this);
    this.foreignPages = {
      mapped: (pa) => this.regionPageMapped(pa, 1),
      unmapped: (pa) => this.regionPageMapped(pa, -1),
    };
    this.services = new ServiceHost(this.controlHost(), this.workers);
    this.supervisor = new Supervisor({
      services: this.services,
      log: (line) => this.log(line),
      back: (name) => this.client.serviceBack(name),
    });
    for (let a = ASID_MAX; a >= 1; a--) this.freeAsids.push(a);
    for (const cpu of this.machine.cpus) cpu.sie = SSIP | STIP | SEIP;
    const tramp = this.frames.allocZeroed();
    new Uint32Array(this.frames.bytes(tramp).buffer, tramp - this.machine.ram.base, 2)
      .set(TRAMPOLINE_CODE);
    this.trampolineFrame = tramp;
    const mib = this.machine.ram.size / (1024 * 1024);
    this.info(`denix: ${harts} harts (${this.mode}), ${mib} MiB of memory`);
  }

  /** Current machine time in mtime ticks. */
  mtime(): number {
    return this.machine.clock.now();
  }

  /** Machine time since boot in µs (the kernel log's timestamps). */
  uptimeUsec(): number {
    return Clock.ticksToMs(this.mtime()) * 1000;
  }

  /** Diagnostic output: to the kernel log and to `log` (stderr by default). */
  log(line: string, facility: number = LOG_FACILITY.KERN): void {
    this.klog.add(this.uptimeUsec(), (facility << 3) | LOG_LEVEL.WARNING, line);
    this.syscallOptions.log(line);
  }

  /** A line for the kernel log only (dmesg): news, not a problem. */
  info(line: string): void {
    this.klog.add(this.uptimeUsec(), (LOG_FACILITY.KERN << 3) | LOG_LEVEL.INFO, line);
  }

  /** Threads running or ready to run. */
  runnableThreads(): number {
    let n = 0;
    for (const p of this.procs.values()) if (p.state === "READY" || p.state === "RUNNING") n++;
    return n;
  }

  /** Threads in an uninterruptible sleep (a service call in progress: I/O). */
  blockedThreads(): number {
    let n = 0;
    for (const p of this.procs.values()) {
      if (p.state === "BLOCKED" && p.blocking?.uninterruptible) n++;
    }
    return n;
  }

  /** Brings the load average up to now; called before the runnable count may change. */
  sampleLoad(): void {
    this.loadavg.sample(this.mtime(), () => this.runnableThreads() + this.blockedThreads());
  }

  /** Records a thread that has exited, for the statistics. */
  recordExit(p: Process): void {
    this.history.push(summarize(p));
    if (this.history.length > HISTORY_MAX) this.history.shift();
    for (const [nr, n] of p.counters.syscallsByNr) {
      this.syscallTotals.set(nr, (this.syscallTotals.get(nr) ?? 0) + n);
    }
  }

  // ---------------------------------------------------------------- processes

  /**
   * Starts the first process: `image` (an ELF file's bytes, handed over by whoever boots the
   * system — the boot loader's job) with descriptors 0-2 on `stdio` and `cwd` as its working
   * directory. The system ends when it does. SpawnError if the image cannot run.
   */
  spawn(
    image: Uint8Array,
    path: string,
    argv: string[],
    envp: string[],
    stdio: [OpenFile, OpenFile, OpenFile],
    cwd: Cwd,
  ): Process {
    let elf: ElfImage;
    try {
      elf = parseElf(image);
    } catch (e) {
      if (e instanceof ElfError) throw new SpawnError(`${path}: ${e.message}`);
      throw e;
    }
    const fds = new FdTable(this);
    fds.install(stdio[0]);
    if (stdio[1] === stdio[0]) fds.dup(0);
    else fds.install(stdio[1]);
    fds.install(stdio[2]);
    try {
      const p = this.startProcess(elf, path, argv, envp, fds, cwd, (tid) => newThreadGroup(tid));
      this.root ??= p;
      return p;
    } catch (e) {
      if (e instanceof SyscallError) throw new SpawnError(`${path}: ${e.message}`);
      throw e;
    }
  }

  /**
   * Starts a process with no parent (ppid 0) running `elf`, with descriptors `fds` (taken
   * over: closed if it cannot start), in the thread group `group(tid)` makes: READY. Throws
   * SyscallError (EAGAIN: the process table is full; ENOMEM).
   */
  startProcess(
    elf: ElfImage,
    path: string,
    argv: string[],
    envp: string[],
    fds: FdTable,
    cwd: Cwd,
    group: (tid: number) => ThreadGroup,
  ): Process {
    let tid;
    try {
      tid = this.allocTid();
    } catch (e) {
      fds.closeAll();
      throw e;
    }
    const as = this.newAddressSpace();
    const p = new Process(
      tid,
      0,
      basename(path),
      as,
      fds,
      cwd,
      group(tid),
      new SignalDispositions(),
      this.machine.harts,
    );
    try {
      this.loadProgram(p, elf, argv, envp, path);
    } catch (e) {
      this.releaseAddressSpace(as);
      fds.closeAll();
      throw e;
    }
    as.users++;
    fds.users++;
    p.group.members.add(p);
    p.startTicks = this.mtime();
    this.procs.set(tid, p);
    this.makeReady(p);
    return p;
  }

  /** Maps `image` into `p`'s (fresh) address space and sets up its registers for entry. */
  loadProgram(p: Process, image: ElfImage, argv: string[], envp: string[], path: string): void {
    const brk = loadImage(p.as, this.frames, image);
    this.frames.retain(this.trampolineFrame);
    p.as.mapPage(TRAMPOLINE_VA, this.trampolineFrame, PTE_R | PTE_X);
    p.as.addVma({
      start: TRAMPOLINE_VA,
      end: TRAMPOLINE_VA + PAGE_SIZE,
      prot: PTE_R | PTE_X,
      kind: "trampoline",
      maxProt: PTE_R | PTE_X,
    });
    const random = crypto.getRandomValues(new Uint8Array(16));
    const sp = buildStack(p.as, { argv, envp, execPath: path, image, random });
    p.brkStart = brk;
    p.brk = brk;
    p.regs.fill(0);
    p.regs[2] = sp;
    p.pc = image.entry;
    p.name = basename(path);
    p.cmdline = argv;
    p.environ = envp;
  }

  /** Maps all of `region` into `p`'s address space (read-only unless `writable`). */
  mapRegion(p: Process, region: Region, writable: boolean): number {
    const start = p.as.findFree(region.size, MMAP_BASE, MMAP_TOP);
    if (start < 0) throw new SyscallError(ENOMEM, "no room to map the region");
    const prot = PTE_R | (writable ? PTE_W : 0);
    p.as.addVma({
      start,
      end: start + region.size,
      prot,
      kind: "region",
      regionId: region.id,
      maxProt: prot,
    });
    for (let off = 0; off < region.size; off += PAGE_SIZE) {
      p.as.mapForeignPage(start + off, region.bank.base + off, prot);
    }
    return start;
  }

  /**
   * Charges region memory to the process behind `party`, against the same limit as its
   * resident pages (a negative `bytes` refunds).
   */
  private chargeRegion(party: Party, bytes: number): void {
    const as = party.group?.members.values().next().value?.as;
    if (!as) return;
    const pages = bytes / PAGE_SIZE;
    if (pages > 0 && as.residentPages + as.regionPages + pages > as.limitPages) {
      throw new SyscallError(
        ENOMEM,
        `region of ${bytes} bytes passes the memory limit of ${as.limitPages * PAGE_SIZE} bytes`,
      );
    }
    as.regionPages += pages;
  }

  private regionPageMapped(pa: number, delta: 1 | -1): void {
    const bank = this.machine.bus.bankAt(pa);
    if (bank) this.ipc.regionPageMapped(bank, delta);
  }

  /** Removes every mapping of `region` from every address space (revocation). */
  private unmapRegion(region: Region): void {
    const spaces = new Set([...this.procs.values()].map((p) => p.as));
    for (const as of spaces) {
      for (const v of as.vmas.filter((v) => v.regionId === region.id)) {
        as.removeRange(v.start, v.end);
      }
    }
  }

  /** A new, empty address space with its own ASID. */
  newAddressSpace(): AddressSpace {
    const asid = this.freeAsids.pop();
    if (asid === undefined) throw new SyscallError(EAGAIN, "out of address-space ids");
    try {
      return new AddressSpace(
        this.frames,
        this.machine.bus,
        this.shootdown,
        asid,
        this.memoryLimitPages,
        this.foreignPages,
      );
    } catch (e) {
      this.freeAsids.push(asid);
      throw e;
    }
  }

  /** A copy-on-write copy of `as` (fork) with an ASID of its own. */
  forkAddressSpace(as: AddressSpace): AddressSpace {
    const asid = this.freeAsids.pop();
    if (asid === undefined) throw new SyscallError(EAGAIN, "out of address-space ids");
    try {
      return as.fork(asid);
    } catch (e) {
      this.freeAsids.push(asid);
      throw e;
    }
  }

  /** Frees an address space and, once no TLB holds it, its ASID. */
  releaseAddressSpace(as: AddressSpace): void {
    as.destroy();
    this.shootdown.defer(() => this.freeAsids.push(as.asid));
  }

  /** The live processes (thread groups) of process group `pgid`. */
  processGroup(pgid: number): ThreadGroup[] {
    const out: ThreadGroup[] = [];
    for (const p of this.procs.values()) {
      if (p.isLeader && p.group.pgid === pgid && p.group.members.size > 0) out.push(p.group);
    }
    return out;
  }

  /** Whether any process is in process group `pgid` (and session `sid`, if given). */
  groupExists(pgid: number, sid?: number): boolean {
    return this.processGroup(pgid).some((g) => sid === undefined || g.sid === sid);
  }

  /**
   * A signal a service sends (the tty driver's ^C): to process group `target`, or to process
   * -target. Init is shielded as from any program. Signal 0 only asks whether the target
   * exists (ESRCH if not).
   */
  signalFromService(target: number, signal: number): void {
    if (!Number.isInteger(signal) || signal < 0 || signal > NSIG) {
      throw new SyscallError(EINVAL, `signal ${signal}`);
    }
    const groups = target > 0
      ? this.processGroup(target)
      : [this.procs.get(-target)].flatMap((p) => p?.isLeader ? [p.group] : []);
    if (groups.length === 0) throw new SyscallError(ESRCH, `no process group ${target}`);
    for (const g of groups) {
      if (shieldsInit(g, signal)) continue;
      sendSignal(this, g, undefined, signal, { signo: signal, code: SI_KERNEL, pid: 0 });
    }
  }

  /** Takes the next free thread id; EAGAIN when the process table is full. */
  allocTid(): number {
    if (this.procs.size >= this.maxProcesses) throw new SyscallError(EAGAIN, "process table full");
    for (;;) {
      const tid = this.nextTid;
      this.nextTid = tid >= PID_MAX ? 2 : tid + 1;
      if (!this.procs.has(tid) && !this.launcher.reserved(tid)) {
        this.tasksCreated++;
        this.lastTid = tid;
        return tid;
      }
    }
  }

  /** Runs until the root process has exited (and, with init, every other process with it). */
  async run(): Promise<ExitInfo> {
    if (!this.root) throw new Error("nothing to run: spawn or boot first");
    const done = new Promise<ExitInfo>((resolve) => (this.finished = resolve));
    const harts = this.mode === "inline" ? runInline(this) : runThreaded(this);
    const exit = await done;
    await harts;
    return exit;
  }

  /** Called by the lifecycle code when the root process's group has exited. */
  rootExited(exit: ExitInfo): void {
    // Taken first: killing the rest below may end the root too (a power-off), re-entering.
    const finish = this.finished;
    this.finished = undefined;
    this.halted = true;
    for (const p of [...this.procs.values()]) {
      if (p.state !== "ZOMBIE") exitGroup(this, p, 0, SIGKILL);
    }
    for (let h = 0; h < this.machine.harts; h++) this.wakeHart(h);
    finish?.(exit);
  }

  // ---------------------------------------------------------------- running

  /**
   * Makes `p` READY on some hart's queue and nudges that hart. `waker`: the hart whose
   * process's system call woke or created `p` and will probably block next, or has ended
   * (Scheduler.enqueue).
   */
  makeReady(p: Process, waker?: number): void {
    if (p.state === "ZOMBIE") return;
    this.sampleLoad();
    const { hart, nudge } = this.sched.enqueue(p, waker);
    if (nudge === "wake") this.wakeHart(hart);
    else if (nudge === "preempt") this.preempt(hart);
    else if (nudge === "waker") this.syncQueued[hart] = true;
  }

  /** Asks hart `h` to come back to the scheduler soon (an IPI if it is executing). */
  preempt(h: number): void {
    this.reschedule[h] = true;
    if (this.executing[h]) this.machine.clint.sendIpi(h);
  }

  /**
   * Gets a picked process ready to run on hart `h`: re-runs a woken system call, delivers
   * pending signals. Returns false if it cannot run after all (blocked again, stopped, dead).
   */
  prepare(h: number, p: Process): boolean {
    this.sched.current[h] = p;
    p.state = "RUNNING";
    if (p.group.exiting || p.group.stopped) return this.dieOrStop(p);
    if (p.restarting) {
      const interrupted = p.wakeReason === "signal";
      this.syscall(h, p);
      if (interrupted && p.blocking && !p.blocking.uninterruptible) this.interruptSyscall(h, p);
      if (p.state !== "RUNNING") return false;
    }
    try {
      deliverSignals(this, p);
    } catch (e) {
      this.kernelBug("signal delivery", e, p);
    }
    return p.state === "RUNNING";
  }

  /**
   * A signal woke `p` and its system call still cannot complete: it returns what it has done,
   * or -EINTR; or, if the handler about to run asked for SA_RESTART, the ecall runs again once
   * the handler returns (as Linux does by stepping the pc back).
   */
  private interruptSyscall(h: number, p: Process): void {
    p.blocking!.cancel();
    p.blocking = undefined;
    p.state = "RUNNING";
    this.sched.current[h] = p;
    if (p.syscallProgress === 0 && restartsAfterSignal(p)) {
      p.pc -= 4;
    } else {
      p.regs[10] = p.syscallProgress > 0 ? p.syscallProgress : -EINTR;
    }
    p.syscallProgress = 0;
  }

  private dieOrStop(p: Process): boolean {
    if (p.group.exiting) exitThread(this, p, p.group.exitStatus);
    else this.setBlocked(p, "BLOCKED");
    return false;
  }

  /** Loads `p`'s context onto hart `h` and arms its time slice. */
  enter(h: number, p: Process): void {
    const cpu = this.machine.cpus[h];
    cpu.x.set(p.regs);
    cpu.pc = p.pc;
    cpu.satp = p.as.satp;
    cpu.clearReservation();
    this.machine.clint.setTimecmp(h, this.mtime() + SLICE_TICKS);
    this.reschedule[h] = false;
    this.answering[h] = hartAnswers(this, p, this.syscallOptions);
    const words = this.hartWords;
    const b = h * HART_WORDS;
    this.answering[h].forEach(([nr, value], i) => {
      words[b + HS.ANSWER_NR + i] = nr;
      words[b + HS.ANSWER_VALUE + i] = value;
      words[b + HS.ANSWERED + i] = 0;
    });
    words[b + HS.ANSWERS] = this.answering[h].length;
  }

  /** Counts the calls hart `h` answered on its own thread for `p` in its last run. */
  private takeAnswered(h: number, p: Process): void {
    const b = h * HART_WORDS;
    this.answering[h].forEach(([nr], i) => {
      const n = Atomics.exchange(this.hartWords, b + HS.ANSWERED + i, 0);
      if (n === 0) return;
      countSyscalls(p, nr, n);
      this.hartCounters[h].syscalls += n;
    });
  }

  /** Puts `p`'s (possibly changed) context back on hart `h` to go on running it. */
  resume(h: number, p: Process): void {
    const cpu = this.machine.cpus[h];
    cpu.x.set(p.regs);
    cpu.pc = p.pc;
    if (cpu.satp !== p.as.satp) cpu.satp = p.as.satp;
  }

  /**
   * Handles the end of a run of `p` on hart `h`: accounting, context save, and the trap.
   * Afterwards `p.state` says whether it may go on running here ("RUNNING").
   */
  afterRun(h: number, p: Process, exit: number, instructions: number, ticks: number): void {
    const synced = this.syncQueued[h];
    this.syncQueued[h] = false;
    this.handleRun(h, p, exit, instructions, ticks);
    // Processes woken onto this hart by its process at an earlier trap wait for it to block; it
    // has not: a sleeping hart comes to take them. A page fault the kernel resolved (a fork's
    // parent copying on write before it waits) says nothing either way, so they wait on for
    // the next trap (a system call, or at the latest the slice's timer interrupt).
    if (synced && p.state === "RUNNING" && this.sched.queues[h].length > 0) {
      const cause = this.machine.cpus[h].scause;
      if (
        exit === RUN_TRAP && (cause === CAUSE.LOAD_PAGE_FAULT ||
          cause === CAUSE.STORE_PAGE_FAULT || cause === CAUSE.INSTRUCTION_PAGE_FAULT)
      ) {
        this.syncQueued[h] = true;
      } else {
        const idle = this.sched.idleHartBesides(h);
        if (idle !== undefined) this.wakeHart(idle);
      }
    }
  }

  private handleRun(h: number, p: Process, exit: number, instructions: number, ticks: number) {
    const cpu = this.machine.cpus[h];
    this.takeAnswered(h, p);
    this.shootdown.acknowledge(h);
    this.sampleLoad();
    p.counters.instructions += instructions;
    p.counters.cpuTicks += ticks;
    this.hartCounters[h].instructions += instructions;
    if (p.nice > 0) this.hartCounters[h].niceTicks += ticks;
    else this.hartCounters[h].userTicks += ticks;
    p.regs.set(cpu.x);
    p.pc = cpu.pc;
    if (exit !== RUN_TRAP) { // budget spent: the in-line mode's time slice
      this.sliceEnded(h);
      return;
    }
    const cause = cpu.scause;
    if (cause & INTERRUPT_BIT) {
      this.interrupt(h, cause & ~INTERRUPT_BIT);
      return;
    }
    this.hartCounters[h].exceptions++;
    if (cause === CAUSE.ECALL_FROM_U) {
      p.pc = cpu.sepc + 4;
      p.syscallNr = p.regs[17];
      p.syscallArgs = [p.regs[10], p.regs[11], p.regs[12], p.regs[13], p.regs[14], p.regs[15]];
      p.syscallProgress = 0;
      p.syscallState = undefined;
      this.hartCounters[h].syscalls++;
      this.syscall(h, p);
      return;
    }
    this.exception(p, cause, cpu.stval);
  }

  /** After `afterRun`: whether hart `h` should go back to the scheduler before running `p` on. */
  mustReschedule(h: number, p: Process): boolean {
    if (p.state !== "RUNNING") return true;
    if (this.reschedule[h] || p.group.exiting || p.group.stopped) return true;
    return this.signalPending(p);
  }

  /** `p` leaves hart `h` (it blocked, died, or is preempted and re-queued). */
  leave(h: number, p: Process): void {
    this.sched.current[h] = undefined;
    this.syncQueued[h] = false; // what waited for `p` to block is what the hart picks next
    this.hartCounters[h].contextSwitches++;
    if (p.state === "RUNNING") {
      p.counters.involuntarySwitches++;
      this.makeReady(p);
    } else if (p.state !== "ZOMBIE") {
      p.counters.voluntarySwitches++;
    }
  }

  /**
   * Runs (or re-runs) `p`'s pending system call. A call that ends with EINTR before doing
   * anything, while a signal whose handler asked for SA_RESTART is about to run, runs again
   * after the handler instead (Linux's ERESTARTSYS): the pc goes back to the ecall and a0
   * keeps its argument.
   */
  syscall(h: number, p: Process): void {
    this.syscallHart = h;
    let result;
    try {
      result = dispatchSyscall(this, p, p.syscallNr, p.syscallArgs, this.syscallOptions);
    } finally {
      this.syscallHart = undefined;
    }
    p.restarting = false;
    if (result === BLOCKED || p.state === "ZOMBIE" || this.sched.current[h] !== p) return;
    if (result === -EINTR && p.syscallProgress === 0 && restartsAfterSignal(p)) {
      p.pc -= 4;
      return;
    }
    p.regs[10] = result;
    p.syscallProgress = 0;
  }

  private sliceEnded(h: number): void {
    this.sched.age(h);
    if (this.sched.shouldPreempt(h)) this.reschedule[h] = true;
  }

  /** Interrupts raised on hart `h` while it had nothing to run: IPIs dropped, devices served. */
  idleInterrupts(h: number): void {
    this.machine.clint.clearIpi(h);
    if (this.machine.cpus[h].pendingInterrupts() & SEIP) {
      this.interrupt(h, INTERRUPT.SUPERVISOR_EXTERNAL);
    }
  }

  private interrupt(h: number, code: number): void {
    const counters = this.hartCounters[h];
    if (code === INTERRUPT.SUPERVISOR_SOFTWARE) {
      counters.softwareInterrupts++;
      this.machine.clint.clearIpi(h);
    } else if (code === INTERRUPT.SUPERVISOR_TIMER) {
      counters.timerInterrupts++;
      this.timers.fireDue(this.mtime());
      this.sliceEnded(h);
      this.machine.clint.setTimecmp(h, this.mtime() + SLICE_TICKS);
    } else {
      counters.externalInterrupts++;
      const src = this.machine.plic.claim(h);
      if (src === 0) return;
      this.machine.plic.complete(h, src);
      this.devices.interrupt(src);
    }
  }

  /**
   * A device raised its line. A hart that is running takes the interrupt at its next sample;
   * the kernel does not wait for that: it claims the interrupt on hart 0's context at once, on
   * its own thread (a microtask later, outside the device model's code), so a driver hears of
   * its device whether or not any hart runs — during boot and shutdown none does. Whichever
   * claims first handles it; the other finds nothing to claim.
   */
  private onDeviceInterrupt(): void {
    if (this.deviceInterruptQueued) return;
    this.deviceInterruptQueued = true;
    queueMicrotask(() => {
      this.deviceInterruptQueued = false;
      for (let src = this.machine.plic.claim(0); src !== 0; src = this.machine.plic.claim(0)) {
        this.hartCounters[0].externalInterrupts++;
        this.machine.plic.complete(0, src);
        this.devices.interrupt(src);
      }
      if (this.mode === "inline") this.wakeHart(0);
    });
  }

  /** What services' control requests act on (kernel/ipc/control.ts). */
  private controlHost(): ControlHost {
    // The supervisor and the service host are made with this: read them when asked.
    const kernel = () => this;
    return {
      ipc: this.ipc,
      devices: this.devices,
      signal: (_party, target, signal) => this.signalFromService(target, signal),
      sysinfo: (party, kind, args, region, offset, max) =>
        writeSysinfo(this, party, kind, args, region, offset, max),
      log: (party, line) => this.log(`${party.name}: ${line}`, LOG_FACILITY.DAEMON),
      launcher: this.launcher,
      get supervisor() {
        return kernel().supervisor;
      },
      get services() {
        return kernel().services;
      },
      poweroff: (party, status) => {
        this.info(`${party.name}: power off (status ${status})`);
        this.rootExited({ status: status & 0xff, signal: 0 });
      },
    };
  }

  /** A synchronous exception other than ecall; a kernel bug while handling it is contained. */
  private exception(p: Process, cause: number, tval: number): void {
    try {
      this.handleException(p, cause, tval);
    } catch (e) {
      this.kernelBug(`exception ${cause} at 0x${(tval >>> 0).toString(16)}`, e, p);
    }
  }

  private handleException(p: Process, cause: number, tval: number): void {
    const access = pageFaultAccess(cause);
    if (access !== undefined) {
      try {
        if (p.as.handleFault(tval, access)) {
          p.counters.pageFaults++;
          return;
        }
      } catch (e) {
        if (!(e instanceof SyscallError && e.errno === ENOMEM)) throw e;
        this.kill(p, SIGKILL, `out of memory: ${e.message}`);
        return;
      }
    }
    const sig = signalForException(cause);
    forceSignal(this, p, sig, tval, describeTrap(cause, tval));
  }

  /** Kills `p`'s whole process with a fatal signal, saying why on the diagnostic log. */
  kill(p: Process, signal: number, why: string): void {
    this.log(
      `${p.name}[${p.pid}]: killed by ${signalName(signal)} (${why}, pc 0x${
        (p.pc >>> 0).toString(16).padStart(8, "0")
      })`,
    );
    exitGroup(this, p, 0, signal);
  }

  /**
   * Contains an exception that is not a SyscallError, raised inside the kernel by `what` on
   * behalf of `p` (a kernel bug, never the program's fault): it is counted and logged on one
   * line, and `p`'s process is killed, since the kernel cannot vouch for its state any more.
   */
  kernelBug(what: string, e: unknown, p?: Process): void {
    this.containedFaults++;
    const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    const who = p ? ` by ${p.name}[${p.pid}]` : "";
    this.log(`kernel bug contained: ${what}${who}: ${detail}`);
    if (!p || p.state === "ZOMBIE") return;
    try {
      exitGroup(this, p, 0, SIGKILL);
    } catch (again) {
      this.containedFaults++;
      this.log(`kernel bug contained: killing ${p.name}[${p.pid}]: ${again}`);
    }
  }

  // ---------------------------------------------------------------- sleeping and waking

  /**
   * Puts the running process `p` to sleep on `queues` until woken, `deadline` (absolute mtime
   * ticks) passes, or a signal arrives; its system call is re-run then.
   */
  block(
    p: Process,
    state: ProcState,
    queues: WaitQueue[],
    deadline = Infinity,
    options: BlockOptions = {},
  ): typeof BLOCKED {
    for (const q of queues) q.add(p);
    const cancelTimer = deadline === Infinity
      ? () => {}
      : this.addTimer(deadline, () => this.unblock(p, "timeout"));
    const w = options.watch;
    const stopWatching = w
      ? watchWord(w.words, w.index, w.value, () => {
        if (p.blocking === blocking) this.unblock(p, "woken");
      })
      : () => {};
    const blocking: Blocking = {
      deadline,
      uninterruptible: options.uninterruptible ?? false,
      cancel: () => {
        for (const q of queues) q.delete(p);
        cancelTimer();
        stopWatching();
      },
    };
    p.blocking = blocking;
    p.restarting = false;
    this.setBlocked(p, state);
    // A signal that arrived between the trap and this sleep (on threaded harts the kernel may
    // have taken it while the call was on its way) ends an interruptible sleep at once, as
    // Linux checks signal_pending() before sleeping.
    if (!blocking.uninterruptible && this.signalPending(p)) this.unblock(p, "signal");
    return BLOCKED;
  }

  /** Whether `p` has a signal pending that it does not block. */
  signalPending(p: Process): boolean {
    return ((p.sigPending | p.group.pending) & ~p.sigBlocked) !== 0n;
  }

  /** Takes `p` off its hart into a waiting state (it is not on any ready queue). */
  setBlocked(p: Process, state: ProcState): void {
    p.state = state;
    for (let h = 0; h < this.sched.harts; h++) {
      if (this.sched.current[h] === p) this.sched.current[h] = undefined;
    }
  }

  /**
   * The hart whose system call is being served, if it is `p`'s: that hart picks another
   * process as soon as `p` blocks or ends. Undefined otherwise.
   */
  syscallHartOf(p: Process): number | undefined {
    const h = this.syscallHart;
    return h !== undefined && this.sched.current[h] === p ? h : undefined;
  }

  /** Wakes up to `n` processes sleeping on `q`. */
  wake(q: WaitQueue, n = Infinity, sync = false): number {
    const woken = q.take(n);
    for (const p of woken) this.unblock(p, "woken", sync);
    return woken.length;
  }

  /**
   * Ends `p`'s sleep: it becomes READY and re-runs its system call (or returns EINTR). `sync`:
   * the system call waking it will probably block next, so `p` may wait for its hart.
   */
  unblock(p: Process, reason: "woken" | "timeout" | "signal", sync = false): void {
    if (!p.blocking) return;
    p.blocking.cancel();
    p.blocking = undefined;
    p.wakeReason = reason;
    p.restarting = true;
    // The waker's hart is awake and about to be free: no other hart is woken, unless the waker
    // goes on running past its next trap (afterRun).
    this.makeReady(p, sync ? this.syscallHart : undefined);
  }

  /** Calls `fire` at mtime `deadline`; returns a cancel function. */
  addTimer(deadline: number, fire: () => void): () => void {
    const before = this.timers.next();
    const cancel = this.timers.add(deadline, fire);
    if (deadline < before) this.onTimerChange();
    return cancel;
  }

  /** Milliseconds until the next kernel timer (Infinity if none). */
  msUntilNextTimer(): number {
    const next = this.timers.next();
    return next === Infinity ? Infinity : Math.max(0, Clock.ticksToMs(next - this.mtime()));
  }
}

/** How `Kernel.block` sleeps. */
export interface BlockOptions {
  /** Signals other than SIGKILL do not end the sleep. */
  uninterruptible?: boolean;
  /** A shared word another thread changes when the sleep should end (a ring index). */
  watch?: WatchedWord;
}

/** Calls a signal interrupts with EINTR even under SA_RESTART, as on Linux. */
const NEVER_RESTARTED = new Set<number>([SYS.clock_nanosleep_time64, SYS.rt_sigsuspend]);

/**
 * Whether the call runs again after the signal `p` is about to take: when no handler of its
 * runs (a stop, then SIGCONT; an ignored or continuing signal), or its handler asked for
 * SA_RESTART — as Linux restarts on ERESTARTSYS.
 */
function restartsAfterSignal(p: Process): boolean {
  if (NEVER_RESTARTED.has(p.syscallNr)) return false;
  const pending = (p.sigPending | p.group.pending) & ~p.sigBlocked;
  if (pending === 0n) return false;
  let sig = 1;
  while (!(pending & sigbit(sig))) sig++;
  const action = p.signals.actions[sig];
  if (action.handler === SIG_DFL) {
    const what = defaultAction(sig);
    return what === "stop" || what === "ignore" || what === "continue";
  }
  return action.handler !== SIG_IGN && (action.flags & SA_RESTART) !== 0;
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1) || path;
}
