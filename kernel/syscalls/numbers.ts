/**
 * System call numbers: the Linux asm-generic numbers as rv32 uses them (only the 64-bit
 * time calls exist on rv32; there is no fstat or wait4 — statx and waitid replace them).
 */

export const SYS = {
  getcwd: 17,
  ioctl: 29,
  openat: 56,
  close: 57,
  llseek: 62,
  read: 63,
  write: 64,
  statx: 291,
  times: 153,
  munmap: 215,
  mmap2: 222,
  mprotect: 226,
  exit: 93,
  exit_group: 94,
  set_tid_address: 96,
  uname: 160,
  getpid: 172,
  getppid: 173,
  getuid: 174,
  geteuid: 175,
  getgid: 176,
  getegid: 177,
  gettid: 178,
  brk: 214,
  clock_gettime64: 403,
} as const;

/** Name of a syscall number, for traces. */
export function syscallName(nr: number): string {
  for (const [name, n] of Object.entries(SYS)) if (n === nr) return name;
  return `syscall_${nr}`;
}
