/**
 * System information calls: uname.
 */

import type { Process } from "../proc.ts";
import type { Kernel } from "../kernel.ts";
import type { SyscallArgs } from "./numbers.ts";

/** What uname reports, field by field (struct utsname: six 65-byte strings). */
export const UTSNAME = {
  sysname: "denix",
  nodename: "denix",
  release: "0.1.0",
  version: "#1 SMP",
  machine: "riscv32",
  domainname: "(none)",
} as const;

export function sysUname(_k: Kernel, p: Process, a: SyscallArgs): number {
  const out = new Uint8Array(6 * 65);
  const enc = new TextEncoder();
  Object.values(UTSNAME).forEach((field, n) => out.set(enc.encode(field).subarray(0, 64), n * 65));
  p.as.copyOut(a[0], out);
  return 0;
}
