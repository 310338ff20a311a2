/**
 * What a system call handler receives and returns.
 *
 * A handler gets the calling process, the kernel services it may use, and the six argument
 * registers a0..a5 (as signed 32-bit values). It returns the value for a0 (or a promise of it
 * when it must wait); failing with `throw new SyscallError(errno)` returns -errno.
 */

import type { ConsoleIo } from "../console.ts";
import type { HostFs } from "../hostfs.ts";
import type { Process } from "../proc.ts";

/** Kernel services available to handlers. */
export interface KernelServices {
  hostFs: HostFs;
  console: ConsoleIo;
  /** Current machine time in mtime ticks. */
  mtime(): number;
  /** Ends `proc` with an exit status (exit) or a signal (killed). */
  exit(proc: Process, status: number, signal?: number): void;
}

export type SyscallArgs = readonly [number, number, number, number, number, number];

/** A system call implementation. */
export type SyscallHandler = (
  k: KernelServices,
  proc: Process,
  a: SyscallArgs,
) => number | Promise<number>;
