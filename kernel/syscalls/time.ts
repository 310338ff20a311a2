/**
 * Time calls: clock_gettime64.
 *
 * CLOCK_REALTIME is the host's wall clock; the monotonic clocks are the machine's mtime; the
 * CPU-time clocks are the time the process has spent on a hart.
 */

import { TIMEBASE_HZ } from "../../machine/clock.ts";
import { EINVAL, SyscallError } from "../errno.ts";
import type { Process } from "../proc.ts";
import type { KernelServices, SyscallArgs } from "./types.ts";

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_MONOTONIC_COARSE = 6;
const CLOCK_BOOTTIME = 7;
const NS_PER_TICK = 1e9 / TIMEBASE_HZ;

/** The value of clock `id` in nanoseconds, as a bigint. */
export function clockNs(k: KernelServices, p: Process, id: number): bigint {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return BigInt(k.mtime()) * BigInt(NS_PER_TICK);
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      return BigInt(p.counters.cpuTicks) * BigInt(NS_PER_TICK);
    default:
      throw new SyscallError(EINVAL, `unknown clock ${id}`);
  }
}

export function sysClockGettime(k: KernelServices, p: Process, a: SyscallArgs): number {
  const ns = clockNs(k, p, a[0]);
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, ns / 1_000_000_000n, true);
  dv.setBigInt64(8, ns % 1_000_000_000n, true);
  p.as.copyOut(a[1], out);
  return 0;
}

/** Clock ticks per second of times() (USER_HZ). */
const USER_HZ = 100;

/** times(buf): CPU time of the process (user time; no separate system time is kept). */
export function sysTimes(k: KernelServices, p: Process, a: SyscallArgs): number {
  const userTicks = Math.floor(p.counters.cpuTicks / (TIMEBASE_HZ / USER_HZ));
  if (a[0] !== 0) {
    const out = new Uint8Array(16);
    new DataView(out.buffer).setInt32(0, userTicks, true);
    p.as.copyOut(a[0], out);
  }
  return Math.floor(k.mtime() / (TIMEBASE_HZ / USER_HZ)) | 0;
}
