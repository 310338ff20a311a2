/**
 * The kernel: owns the machine, creates processes from ELF files, runs them on a hart and
 * handles every trap they take.
 *
 * This is the single-process kernel the user-mode runner needs: one process on hart 0, run
 * in-line on the kernel's thread. A trap stops the hart; the kernel resolves it (a system
 * call, a demand-zero page fault) and resumes, or turns it into a fatal signal. Nothing a
 * program does can throw out of `run`: bad pointers are EFAULT, faults are signals, running
 * out of memory kills the process with a message.
 */

import { INTERRUPT_BIT, RUN_TRAP } from "../machine/cpu.ts";
import { CAUSE } from "../machine/cpu.ts";
import { Machine } from "../machine/machine.ts";
import { ConsoleFile, type ConsoleIo, hostConsole } from "./console.ts";
import { ElfError, parseElf } from "./elf.ts";
import { ENOMEM, SyscallError } from "./errno.ts";
import { buildStack, loadImage } from "./exec.ts";
import { FdTable } from "./file.ts";
import { FrameAllocator } from "./frames.ts";
import { HostFs } from "./hostfs.ts";
import { Process } from "./proc.ts";
import { SIGKILL, signalName } from "./signal.ts";
import { dispatchSyscall, type SyscallOptions } from "./syscall.ts";
import type { KernelServices, SyscallArgs } from "./syscalls/types.ts";
import { describeTrap, pageFaultAccess, signalForException } from "./trap.ts";
import { AddressSpace } from "./vm.ts";

/** Instructions a hart runs before the kernel looks at the world again. */
const RUN_SLICE = 4_000_000;
/** Longest the kernel keeps its thread busy before yielding to the host event loop. */
const YIELD_INTERVAL_MS = 25;
/** Largest executable file accepted. */
const EXECUTABLE_SIZE_MAX = 64 * 1024 * 1024;

/** How to build a kernel. */
export interface KernelOptions {
  machine?: Machine;
  console?: ConsoleIo;
  /** Confine host paths to this directory. */
  hostRoot?: string;
  /** strace-like trace of every system call to `log`. */
  trace?: boolean;
  /** Diagnostics (unknown syscalls, fatal signals' details) to `log`. */
  verbose?: boolean;
  /** Where diagnostics go (default: stderr). */
  log?: (line: string) => void;
}

/** How a process ended. */
export interface ExitInfo {
  /** Exit status (0..255) if it exited. */
  status: number;
  /** Signal number if it was killed, else 0. */
  signal: number;
}

/** Why a program could not be started. */
export class SpawnError extends Error {}

/** The kernel. */
export class Kernel implements KernelServices {
  readonly machine: Machine;
  readonly frames: FrameAllocator;
  readonly hostFs: HostFs;
  readonly console: ConsoleIo;
  private readonly syscallOptions: SyscallOptions;
  private readonly procs = new Map<number, Process>();
  private nextPid = 1;
  private nextAsid = 1;

  constructor(options: KernelOptions = {}) {
    this.machine = options.machine ?? new Machine({ harts: 1 });
    this.frames = new FrameAllocator(this.machine.ram);
    this.hostFs = new HostFs(options.hostRoot);
    this.console = options.console ?? hostConsole;
    const log = options.log ?? ((line: string) => console.error(line));
    this.syscallOptions = { trace: options.trace ?? false, verbose: options.verbose ?? false, log };
  }

  /** Current machine time in mtime ticks. */
  mtime(): number {
    return this.machine.clock.now();
  }

  /**
   * Loads the executable at host path `path` (named by the user, so not confined by the root)
   * into a new process ready to run.
   */
  spawn(path: string, argv: string[], envp: string[]): Process {
    const cwd = this.hostFs.initialCwd();
    let bytes: Uint8Array;
    try {
      const info = Deno.statSync(path);
      if (!info.isFile) throw new SpawnError(`${path}: not a regular file`);
      if (info.size > EXECUTABLE_SIZE_MAX) throw new SpawnError(`${path}: larger than 64 MiB`);
      bytes = Deno.readFileSync(path);
    } catch (e) {
      if (e instanceof SpawnError) throw e;
      throw new SpawnError(`${path}: ${e instanceof Error ? e.message : e}`);
    }
    let image;
    try {
      image = parseElf(bytes);
    } catch (e) {
      if (e instanceof ElfError) throw new SpawnError(`${path}: ${e.message}`);
      throw e;
    }
    const as = new AddressSpace(this.frames, this.machine.bus, this.tlbControl, this.nextAsid++);
    const fds = new FdTable();
    try {
      const brk = loadImage(as, this.frames, image);
      const random = crypto.getRandomValues(new Uint8Array(16));
      const sp = buildStack(as, { argv, envp, execPath: path, image, random });
      for (const stream of [0, 1, 2] as const) fds.install(new ConsoleFile(this.console, stream));
      const proc = new Process(this.nextPid++, 0, basename(path), as, fds, cwd);
      proc.brkStart = brk;
      proc.brk = brk;
      proc.regs[2] = sp;
      proc.pc = image.entry;
      proc.state = "READY";
      this.procs.set(proc.pid, proc);
      return proc;
    } catch (e) {
      as.destroy();
      fds.closeAll();
      if (e instanceof SyscallError) throw new SpawnError(`${path}: ${e.message}`);
      throw e;
    }
  }

  /** Runs `proc` on hart 0 until it exits or is killed. */
  async run(proc: Process): Promise<ExitInfo> {
    const cpu = this.machine.cpus[0];
    cpu.x.set(proc.regs);
    cpu.pc = proc.pc;
    cpu.satp = proc.as.satp;
    cpu.clearReservation();
    proc.state = "RUNNING";
    let lastYield = performance.now();
    while (proc.state === "RUNNING") {
      const startTicks = this.mtime();
      const startInstret = cpu.instret;
      const exit = cpu.run(RUN_SLICE);
      proc.counters.cpuTicks += this.mtime() - startTicks;
      proc.counters.instructions += cpu.instret - startInstret;
      if (exit === RUN_TRAP) await this.handleTrap(proc);
      if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        lastYield = performance.now();
      }
    }
    return { status: proc.exitStatus, signal: proc.killedBy };
  }

  /** Ends a process: releases its memory and descriptors and records how it ended. */
  exit(proc: Process, status: number, signal = 0): void {
    if (proc.state === "ZOMBIE") return;
    proc.exitStatus = status & 0xff;
    proc.killedBy = signal;
    proc.state = "ZOMBIE";
    proc.fds.closeAll();
    proc.as.destroy();
    this.procs.delete(proc.pid);
  }

  private async handleTrap(proc: Process): Promise<void> {
    const cpu = this.machine.cpus[0];
    const cause = cpu.scause;
    if (cause & INTERRUPT_BIT) return; // no interrupt is enabled for a single process
    if (cause === CAUSE.ECALL_FROM_U) {
      cpu.pc = cpu.sepc + 4;
      const x = cpu.x;
      const args: SyscallArgs = [x[10], x[11], x[12], x[13], x[14], x[15]];
      const result = await dispatchSyscall(this, proc, x[17], args, this.syscallOptions);
      if (proc.state === "RUNNING") x[10] = result;
      return;
    }
    const access = pageFaultAccess(cause);
    if (access !== undefined) {
      try {
        if (proc.as.handleFault(cpu.stval, access)) {
          proc.counters.pageFaults++;
          return;
        }
      } catch (e) {
        if (!(e instanceof SyscallError && e.errno === ENOMEM)) throw e;
        this.kill(proc, SIGKILL, "out of memory");
        return;
      }
    }
    this.kill(proc, signalForException(cause), describeTrap(cause, cpu.stval));
  }

  /** Kills `proc` with a fatal signal, saying why on the diagnostic log. */
  private kill(proc: Process, signal: number, why: string): void {
    const pc = this.machine.cpus[0].sepc >>> 0;
    this.syscallOptions.log(
      `${proc.name}: killed by ${signalName(signal)} (${why}, pc 0x${
        pc.toString(16).padStart(8, "0")
      })`,
    );
    this.exit(proc, 0, signal);
  }

  private readonly tlbControl = {
    flushPage: (asid: number, va: number) => {
      for (const cpu of this.machine.cpus) cpu.tlb.flushPage(va, asid);
    },
    flushAsid: (asid: number) => {
      for (const cpu of this.machine.cpus) cpu.tlb.flushAsid(asid);
    },
  };
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1) || path;
}
