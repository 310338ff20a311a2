/**
 * Time calls: clock_gettime64, clock_getres_time64, clock_nanosleep_time64, times.
 *
 * CLOCK_REALTIME is the time the rtc driver gave at boot plus the machine's mtime since (the
 * epoch plus uptime if no rtc answered); the monotonic clocks are the machine's mtime; the
 * CPU-time clocks are the time the process (or thread) has spent on a hart. A sleep is a
 * deadline on the kernel's timer queue: the process gives up its hart until then.
 */

import { TIMEBASE_HZ } from "../../machine/clock.ts";
import { EINVAL, SyscallError } from "../errno.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import type { Process } from "../proc.ts";
import type { SyscallArgs } from "./numbers.ts";
import { usageOf } from "./process.ts";
import { boundedDeadline } from "../wait.ts";

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_MONOTONIC_COARSE = 6;
const CLOCK_BOOTTIME = 7;
const TIMER_ABSTIME = 1;
const NS_PER_TICK = 1e9 / TIMEBASE_HZ;

/** The value of clock `id` in nanoseconds. */
export function clockNs(k: Kernel, p: Process, id: number): bigint {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      return k.realtimeOffsetNs + BigInt(k.mtime()) * BigInt(NS_PER_TICK);
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return BigInt(k.mtime()) * BigInt(NS_PER_TICK);
    case CLOCK_PROCESS_CPUTIME_ID:
      return BigInt(usageOf(p, 0).cpuTicks) * BigInt(NS_PER_TICK);
    case CLOCK_THREAD_CPUTIME_ID:
      return BigInt(p.counters.cpuTicks) * BigInt(NS_PER_TICK);
    default:
      throw new SyscallError(EINVAL, `unknown clock ${id}`);
  }
}

function encodeTimespec(ns: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, ns / 1_000_000_000n, true);
  dv.setBigInt64(8, ns % 1_000_000_000n, true);
  return out;
}

/** Reads a struct __kernel_timespec (64-bit seconds and nanoseconds) as nanoseconds. */
export function readTimespec(p: Process, ptr: number): bigint {
  const dv = new DataView(p.as.copyIn(ptr, 16).buffer);
  const sec = dv.getBigInt64(0, true);
  const nsec = dv.getBigInt64(8, true);
  if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) throw new SyscallError(EINVAL);
  return sec * 1_000_000_000n + nsec;
}

export function sysClockGettime(k: Kernel, p: Process, a: SyscallArgs): number {
  p.as.copyOut(a[1], encodeTimespec(clockNs(k, p, a[0])));
  return 0;
}

export function sysClockGetres(k: Kernel, p: Process, a: SyscallArgs): number {
  clockNs(k, p, a[0]);
  if (a[1] !== 0) p.as.copyOut(a[1], encodeTimespec(BigInt(NS_PER_TICK)));
  return 0;
}

/** The mtime deadline of a timeout given on `clock`, relative or absolute (bounded). */
export function deadlineTicks(
  k: Kernel,
  p: Process,
  clock: number,
  ns: bigint,
  absolute: boolean,
): number {
  const now = k.mtime();
  const ticks = absolute
    ? (ns - clockNs(k, p, clock)) / BigInt(NS_PER_TICK)
    : ns / BigInt(NS_PER_TICK);
  return boundedDeadline(now + Number(ticks));
}

/** clock_nanosleep(clock, flags, request, remain): sleeps until the deadline. */
export function sysClockNanosleep(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [clock, flags, req] = a;
  if (!p.restarting) {
    if (clock !== CLOCK_REALTIME && clock !== CLOCK_MONOTONIC && clock !== CLOCK_BOOTTIME) {
      throw new SyscallError(EINVAL);
    }
    const ns = readTimespec(p, req);
    p.syscallDeadline = deadlineTicks(k, p, clock, ns, (flags & TIMER_ABSTIME) !== 0);
  }
  if (k.mtime() >= p.syscallDeadline) {
    p.syscallDeadline = -1;
    return 0;
  }
  return k.block(p, "SLEEPING", [], p.syscallDeadline);
}

/** Clock ticks per second of times() (USER_HZ). */
const USER_HZ = 100;
const TICKS_PER_USER_TICK = TIMEBASE_HZ / USER_HZ;

/** times(buf): CPU time of the process and of its reaped children (user time only). */
export function sysTimes(k: Kernel, p: Process, a: SyscallArgs): number {
  if (a[0] !== 0) {
    const out = new Uint8Array(16);
    const dv = new DataView(out.buffer);
    dv.setInt32(0, Math.floor(usageOf(p, 0).cpuTicks / TICKS_PER_USER_TICK), true);
    dv.setInt32(8, Math.floor(p.group.childUsage.cpuTicks / TICKS_PER_USER_TICK), true);
    p.as.copyOut(a[0], out);
  }
  return Math.floor(k.mtime() / TICKS_PER_USER_TICK) | 0;
}
