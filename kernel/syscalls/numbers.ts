/**
 * System call numbers: the Linux asm-generic numbers as rv32 uses them (only the 64-bit
 * time calls exist on rv32; there is no fstat, wait4, fork or nanosleep — statx, waitid,
 * clone and clock_nanosleep replace them). denix's own calls, when they come, live at
 * DENIX_SYSCALL_BASE and above, clear of Linux's range.
 */

import { IPC_SYSCALL } from "../../abi/ipc.ts";

export const SYS = {
  getcwd: 17,
  dup: 23,
  dup3: 24,
  fcntl64: 25,
  ioctl: 29,
  mknodat: 33,
  mkdirat: 34,
  unlinkat: 35,
  symlinkat: 36,
  linkat: 37,
  umount2: 39,
  mount: 40,
  statfs64: 43,
  fstatfs64: 44,
  truncate64: 45,
  ftruncate64: 46,
  faccessat: 48,
  chdir: 49,
  fchdir: 50,
  fchmod: 52,
  fchmodat: 53,
  openat: 56,
  close: 57,
  pipe2: 59,
  getdents64: 61,
  llseek: 62,
  read: 63,
  write: 64,
  readv: 65,
  writev: 66,
  pread64: 67,
  pwrite64: 68,
  readlinkat: 78,
  sync: 81,
  fsync: 82,
  fdatasync: 83,
  exit: 93,
  exit_group: 94,
  waitid: 95,
  set_tid_address: 96,
  sched_setaffinity: 122,
  sched_getaffinity: 123,
  sched_yield: 124,
  kill: 129,
  tkill: 130,
  tgkill: 131,
  rt_sigsuspend: 133,
  rt_sigaction: 134,
  rt_sigprocmask: 135,
  rt_sigpending: 136,
  rt_sigreturn: 139,
  setpriority: 140,
  getpriority: 141,
  times: 153,
  setpgid: 154,
  getpgid: 155,
  getsid: 156,
  setsid: 157,
  uname: 160,
  getrusage: 165,
  umask: 166,
  getcpu: 168,
  getpid: 172,
  getppid: 173,
  getuid: 174,
  geteuid: 175,
  getgid: 176,
  getegid: 177,
  gettid: 178,
  brk: 214,
  munmap: 215,
  clone: 220,
  execve: 221,
  mmap2: 222,
  mprotect: 226,
  syncfs: 267,
  renameat2: 276,
  getrandom: 278,
  statx: 291,
  clock_gettime64: 403,
  clock_getres_time64: 406,
  clock_nanosleep_time64: 407,
  utimensat_time64: 412,
  futex_time64: 422,
  faccessat2: 439,
} as const;

/** First number of denix's own system calls (IPC: see abi/ipc.ts). */
export const DENIX_SYSCALL_BASE = 0x1000;

/** Name of a syscall number, for traces. */
export function syscallName(nr: number): string {
  for (const [name, n] of Object.entries(SYS)) if (n === nr) return name;
  for (const [name, n] of Object.entries(IPC_SYSCALL)) if (n === nr) return `ipc_${name}`;
  return `syscall_${nr}`;
}

/** The six argument registers a0..a5. */
export type SyscallArgs = readonly [number, number, number, number, number, number];
