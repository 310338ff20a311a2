/**
 * futex_time64(uaddr, op, val, timeout, uaddr2, val3): FUTEX_WAIT and FUTEX_WAKE (and their
 * _BITSET forms, with the bitset treated as "all"), private or shared. Enough for mutexes,
 * condition variables, semaphores, barriers and thread join in user space.
 */

import { EAGAIN, EINVAL, ENOSYS, ETIMEDOUT, SyscallError } from "../errno.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import type { Process } from "../proc.ts";
import type { SyscallArgs } from "./numbers.ts";
import { deadlineTicks, readTimespec } from "./time.ts";

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128;
const FUTEX_CLOCK_REALTIME = 256;
const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;

export function sysFutex(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [uaddr, opFlags, val, timeout] = a;
  const op = opFlags & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  if (uaddr & 3) throw new SyscallError(EINVAL);
  if (op === FUTEX_WAKE || op === FUTEX_WAKE_BITSET) {
    const pa = p.as.physicalAddress(uaddr);
    const q = k.futexes.existing(pa);
    const woken = q ? k.wake(q, Math.max(0, val)) : 0;
    k.futexes.prune(pa);
    return woken;
  }
  if (op !== FUTEX_WAIT && op !== FUTEX_WAIT_BITSET) throw new SyscallError(ENOSYS);
  if (p.restarting && p.wakeReason !== "signal") {
    k.futexes.prune(p.as.physicalAddress(uaddr));
    if (p.wakeReason === "timeout") throw new SyscallError(ETIMEDOUT);
    return 0;
  }
  const pa = p.as.physicalAddress(uaddr);
  const bank = k.machine.ram;
  if (Atomics.load(bank.i32, (pa - bank.base) >> 2) !== val) throw new SyscallError(EAGAIN);
  let deadline = Infinity;
  if (timeout !== 0) {
    const ns = readTimespec(p, timeout);
    const clock = opFlags & FUTEX_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    deadline = deadlineTicks(k, p, clock, ns, op === FUTEX_WAIT_BITSET);
  }
  return k.block(p, "WAITING", [k.futexes.queue(pa)], deadline);
}
