/**
 * The system call boundary: decodes an ecall (number in a7, arguments in a0..a5), dispatches
 * to its handler, and returns the a0 value (-errno on failure). Unknown numbers return
 * -ENOSYS. With tracing on, every call is written to the diagnostic log, strace-style.
 */

import { ENOSYS, SyscallError } from "./errno.ts";
import type { Process } from "./proc.ts";
import {
  sysClose,
  sysGetcwd,
  sysIoctl,
  sysLlseek,
  sysOpenat,
  sysRead,
  sysStatx,
  sysWrite,
} from "./syscalls/fs.ts";
import { sysBrk, sysMmap2, sysMprotect, sysMunmap } from "./syscalls/memory.ts";
import { SYS, syscallName } from "./syscalls/numbers.ts";
import { sysExit, sysGetpid, sysGetppid, sysGetuid, sysSetTidAddress } from "./syscalls/process.ts";
import { sysUname } from "./syscalls/system.ts";
import { sysClockGettime, sysTimes } from "./syscalls/time.ts";
import type { KernelServices, SyscallArgs, SyscallHandler } from "./syscalls/types.ts";

const TABLE = new Map<number, SyscallHandler>([
  [SYS.getcwd, sysGetcwd],
  [SYS.ioctl, sysIoctl],
  [SYS.openat, sysOpenat],
  [SYS.close, sysClose],
  [SYS.llseek, sysLlseek],
  [SYS.read, sysRead],
  [SYS.write, sysWrite],
  [SYS.statx, sysStatx],
  [SYS.exit, sysExit],
  [SYS.exit_group, sysExit],
  [SYS.set_tid_address, sysSetTidAddress],
  [SYS.uname, sysUname],
  [SYS.getpid, sysGetpid],
  [SYS.getppid, sysGetppid],
  [SYS.getuid, sysGetuid],
  [SYS.geteuid, sysGetuid],
  [SYS.getgid, sysGetuid],
  [SYS.getegid, sysGetuid],
  [SYS.gettid, sysGetpid],
  [SYS.brk, sysBrk],
  [SYS.mmap2, sysMmap2],
  [SYS.munmap, sysMunmap],
  [SYS.mprotect, sysMprotect],
  [SYS.times, sysTimes],
  [SYS.clock_gettime64, sysClockGettime],
]);

/** Options of the boundary. */
export interface SyscallOptions {
  /** Write every call and its result to `log`. */
  trace: boolean;
  /** Diagnostic output (stderr for the runner). */
  log: (line: string) => void;
  /** Log unknown syscall numbers even when not tracing. */
  verbose: boolean;
}

/** Runs system call `nr` for `p` and returns the value for a0. */
export async function dispatchSyscall(
  k: KernelServices,
  p: Process,
  nr: number,
  args: SyscallArgs,
  opts: SyscallOptions,
): Promise<number> {
  p.counters.syscalls++;
  const handler = TABLE.get(nr);
  let result: number;
  if (!handler) {
    if (opts.verbose || opts.trace) opts.log(`[${p.pid}] unknown syscall ${nr}: -ENOSYS`);
    result = -ENOSYS;
  } else {
    try {
      const r = handler(k, p, args);
      result = typeof r === "number" ? r : await r;
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
      result = -e.errno;
    }
  }
  if (opts.trace) {
    const shown = args.map((v) => "0x" + (v >>> 0).toString(16)).join(", ");
    opts.log(`[${p.pid}] ${syscallName(nr)}(${shown}) = ${result}`);
  }
  return result | 0;
}
