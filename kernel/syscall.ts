/**
 * The system call boundary: decodes an ecall (number in a7, arguments in a0..a5), dispatches
 * to its handler, and returns the a0 value (-errno on failure) or BLOCKED if the process went
 * to sleep. Unknown numbers return -ENOSYS. With tracing on, every call is written to the
 * diagnostic log, strace-style.
 *
 * Nothing a program passes can take the kernel down from here: a handler reports the
 * program's errors as SyscallError (-errno), and any other exception is a kernel bug, which
 * is contained: counted, logged on one line, and the calling process killed.
 */

import { EFAULT, ENOSYS, SyscallError } from "./errno.ts";
import { BLOCKED, type Kernel, type SyscallResult } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { IPC_SYSCALL } from "../abi/ipc.ts";
import * as fs from "./syscalls/fs.ts";
import * as path from "./syscalls/path.ts";
import * as ipc from "./syscalls/ipc.ts";
import { sysFutex } from "./syscalls/futex.ts";
import { sysBrk, sysMmap2, sysMprotect, sysMunmap } from "./syscalls/memory.ts";
import { SYS, type SyscallArgs, syscallName } from "./syscalls/numbers.ts";
import * as proc from "./syscalls/process.ts";
import * as sig from "./syscalls/signal.ts";
import { sysGetrandom, sysUname } from "./syscalls/system.ts";
import * as time from "./syscalls/time.ts";

/** A system call implementation. */
export type SyscallHandler = (k: Kernel, p: Process, a: SyscallArgs) => SyscallResult;

const TABLE = new Map<number, SyscallHandler>([
  [SYS.getcwd, path.sysGetcwd],
  [SYS.dup, fs.sysDup],
  [SYS.dup3, fs.sysDup3],
  [SYS.fcntl64, fs.sysFcntl],
  [SYS.ioctl, fs.sysIoctl],
  [SYS.mknodat, path.sysMknodat],
  [SYS.mkdirat, path.sysMkdirat],
  [SYS.unlinkat, path.sysUnlinkat],
  [SYS.symlinkat, path.sysSymlinkat],
  [SYS.linkat, path.sysLinkat],
  [SYS.umount2, path.sysUmount2],
  [SYS.mount, path.sysMount],
  [SYS.statfs64, path.sysStatfs],
  [SYS.fstatfs64, path.sysFstatfs],
  [SYS.truncate64, path.sysTruncate],
  [SYS.ftruncate64, fs.sysFtruncate],
  [SYS.faccessat, path.sysFaccessat],
  [SYS.faccessat2, path.sysFaccessat2],
  [SYS.chdir, path.sysChdir],
  [SYS.fchdir, path.sysFchdir],
  [SYS.fchmod, path.sysFchmod],
  [SYS.fchmodat, path.sysFchmodat],
  [SYS.openat, path.sysOpenat],
  [SYS.close, fs.sysClose],
  [SYS.pipe2, fs.sysPipe2],
  [SYS.getdents64, fs.sysGetdents64],
  [SYS.llseek, fs.sysLlseek],
  [SYS.read, fs.sysRead],
  [SYS.write, fs.sysWrite],
  [SYS.readv, fs.sysReadv],
  [SYS.writev, fs.sysWritev],
  [SYS.pread64, fs.sysPread],
  [SYS.pwrite64, fs.sysPwrite],
  [SYS.readlinkat, path.sysReadlinkat],
  [SYS.sync, path.sysSync],
  [SYS.fsync, fs.sysFsync],
  [SYS.fdatasync, fs.sysFdatasync],
  [SYS.umask, path.sysUmask],
  [SYS.syncfs, path.sysSyncfs],
  [SYS.renameat2, path.sysRenameat2],
  [SYS.utimensat_time64, path.sysUtimensat],
  [SYS.statx, path.sysStatx],
  [SYS.exit, proc.sysExit],
  [SYS.exit_group, proc.sysExitGroup],
  [SYS.waitid, proc.sysWaitid],
  [SYS.set_tid_address, proc.sysSetTidAddress],
  [SYS.sched_setaffinity, proc.sysSchedSetaffinity],
  [SYS.sched_getaffinity, proc.sysSchedGetaffinity],
  [SYS.sched_yield, proc.sysSchedYield],
  [SYS.kill, sig.sysKill],
  [SYS.tkill, sig.sysTkill],
  [SYS.tgkill, sig.sysTgkill],
  [SYS.rt_sigsuspend, sig.sysRtSigsuspend],
  [SYS.rt_sigaction, sig.sysRtSigaction],
  [SYS.rt_sigprocmask, sig.sysRtSigprocmask],
  [SYS.rt_sigpending, sig.sysRtSigpending],
  [SYS.rt_sigreturn, sig.sysRtSigreturn],
  [SYS.setpriority, proc.sysSetpriority],
  [SYS.getpriority, proc.sysGetpriority],
  [SYS.times, time.sysTimes],
  [SYS.setpgid, proc.sysSetpgid],
  [SYS.getpgid, proc.sysGetpgid],
  [SYS.getsid, proc.sysGetsid],
  [SYS.setsid, proc.sysSetsid],
  [SYS.uname, sysUname],
  [SYS.getrandom, sysGetrandom],
  [SYS.getrusage, proc.sysGetrusage],
  [SYS.getcpu, proc.sysGetcpu],
  [SYS.getpid, proc.sysGetpid],
  [SYS.getppid, proc.sysGetppid],
  [SYS.getuid, proc.sysGetuid],
  [SYS.geteuid, proc.sysGetuid],
  [SYS.getgid, proc.sysGetuid],
  [SYS.getegid, proc.sysGetuid],
  [SYS.gettid, proc.sysGettid],
  [SYS.brk, sysBrk],
  [SYS.munmap, sysMunmap],
  [SYS.clone, proc.sysClone],
  [SYS.execve, proc.sysExecve],
  [SYS.mmap2, sysMmap2],
  [SYS.mprotect, sysMprotect],
  [SYS.clock_gettime64, time.sysClockGettime],
  [SYS.clock_getres_time64, time.sysClockGetres],
  [SYS.clock_nanosleep_time64, time.sysClockNanosleep],
  [SYS.futex_time64, sysFutex],
  [IPC_SYSCALL.register, ipc.sysIpcRegister],
  [IPC_SYSCALL.lookup, ipc.sysIpcLookup],
  [IPC_SYSCALL.call, ipc.sysIpcCall],
  [IPC_SYSCALL.send, ipc.sysIpcSend],
  [IPC_SYSCALL.receive, ipc.sysIpcReceive],
  [IPC_SYSCALL.reply, ipc.sysIpcReply],
  [IPC_SYSCALL.close, ipc.sysIpcClose],
  [IPC_SYSCALL.derive, ipc.sysIpcDerive],
  [IPC_SYSCALL.region_create, ipc.sysRegionCreate],
  [IPC_SYSCALL.region_map, ipc.sysRegionMap],
  [IPC_SYSCALL.region_revoke, ipc.sysRegionRevoke],
  [IPC_SYSCALL.region_size, ipc.sysRegionSize],
  [IPC_SYSCALL.notification_create, ipc.sysNotificationCreate],
  [IPC_SYSCALL.notify, ipc.sysNotify],
  [IPC_SYSCALL.notification_wait, ipc.sysNotificationWait],
  [IPC_SYSCALL.barrier_create, ipc.sysBarrierCreate],
  [IPC_SYSCALL.barrier_wait, ipc.sysBarrierWait],
]);

/** Every system call number the kernel implements, ascending. */
export const IMPLEMENTED_SYSCALLS: readonly number[] = [...TABLE.keys()].sort((a, b) => a - b);

/** Options of the boundary. */
export interface SyscallOptions {
  /** Write every call and its result to `log`. */
  trace: boolean;
  /** Diagnostic output (stderr for the runner). */
  log: (line: string) => void;
  /** Log unknown syscall numbers even when not tracing. */
  verbose: boolean;
}

/** Counts `n` calls of system call `nr` made by `p`. */
export function countSyscalls(p: Process, nr: number, n: number): void {
  p.counters.syscalls += n;
  p.counters.syscallsByNr.set(nr, (p.counters.syscallsByNr.get(nr) ?? 0) + n);
}

/**
 * The calls a threaded hart may answer on its own thread while `p` runs on it (machine/
 * hart_worker.ts): their results cannot change while `p` is on the hart, and they are the same
 * handlers' results. None while every call is traced.
 */
export function hartAnswers(k: Kernel, p: Process, opts: SyscallOptions): [number, number][] {
  if (opts.trace) return [];
  return [
    [SYS.getpid, proc.sysGetpid(k, p)],
    [SYS.gettid, proc.sysGettid(k, p)],
    [SYS.getuid, proc.sysGetuid()],
    [SYS.geteuid, proc.sysGetuid()],
  ];
}

/** Runs system call `nr` for `p`: the value for a0, or BLOCKED. */
export function dispatchSyscall(
  k: Kernel,
  p: Process,
  nr: number,
  args: SyscallArgs,
  opts: SyscallOptions,
): SyscallResult {
  if (!p.restarting) countSyscalls(p, nr, 1);
  const handler = TABLE.get(nr);
  let result: SyscallResult;
  if (!handler) {
    if (opts.verbose || opts.trace) opts.log(`[${p.tid}] unknown syscall ${nr}: -ENOSYS`);
    result = -ENOSYS;
  } else {
    try {
      result = handler(k, p, args);
    } catch (e) {
      if (e instanceof SyscallError) {
        result = -e.errno;
      } else {
        k.kernelBug(syscallName(nr), e, p);
        result = -EFAULT;
      }
    }
  }
  if (opts.trace) {
    const shown = args.map((v) => "0x" + (v >>> 0).toString(16)).join(", ");
    const outcome = result === BLOCKED ? "? (sleeps)" : String(result);
    opts.log(`[${p.tid}] ${syscallName(nr)}(${shown}) = ${outcome}`);
  }
  return result === BLOCKED ? result : result | 0;
}
