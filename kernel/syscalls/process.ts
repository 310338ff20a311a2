/**
 * Process calls: exit, exit_group, getpid and friends, set_tid_address.
 */

import type { Process } from "../proc.ts";
import type { KernelServices, SyscallArgs } from "./types.ts";

export function sysExit(k: KernelServices, p: Process, a: SyscallArgs): number {
  k.exit(p, a[0] & 0xff);
  return 0;
}

export function sysGetpid(_k: KernelServices, p: Process): number {
  return p.pid;
}

export function sysGetppid(_k: KernelServices, p: Process): number {
  return p.ppid;
}

/** getuid, geteuid, getgid, getegid: every process runs as root (uid 0) for now. */
export function sysGetuid(): number {
  return 0;
}

export function sysSetTidAddress(_k: KernelServices, p: Process, a: SyscallArgs): number {
  p.clearChildTid = a[0];
  return p.pid;
}
