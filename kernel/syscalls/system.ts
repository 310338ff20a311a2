/**
 * System information calls: uname, getrandom.
 */

import { EINVAL, SyscallError } from "../errno.ts";
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

/** getrandom's flags: GRND_NONBLOCK, GRND_RANDOM, GRND_INSECURE. */
const GRND_ALL = 0x1 | 0x2 | 0x4;
/** Bytes one getrandom call fills at most (Linux: 32 MiB - 1; a short count is allowed). */
const GETRANDOM_MAX = 256 * 1024;

/**
 * getrandom(buf, length, flags): bytes from the host's cryptographic generator, which is
 * always ready, so no flag makes the call wait.
 */
export function sysGetrandom(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [buf, lengthArg, flags] = a;
  if (flags & ~GRND_ALL || (flags & 0x2 && flags & 0x4)) throw new SyscallError(EINVAL);
  const length = Math.min(lengthArg >>> 0, GETRANDOM_MAX);
  const out = new Uint8Array(length);
  for (let at = 0; at < length; at += 65536) {
    crypto.getRandomValues(out.subarray(at, Math.min(length, at + 65536)));
  }
  p.as.copyOut(buf, out);
  return length;
}
