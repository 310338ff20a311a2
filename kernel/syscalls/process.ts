/**
 * Process calls: clone, execve, exit, exit_group, waitid, the id calls, process groups and
 * sessions, set_tid_address, sched_yield, priorities, affinity, getrusage.
 */

import { ACCESS_WRITE } from "../../machine/mmu.ts";
import { EINVAL, EPERM, ESRCH, SyscallError } from "../errno.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import { clone, CLONE_VFORK, execve, exitGroup, exitThread, waitid } from "../lifecycle.ts";
import { addUsage, emptyUsage, type Process, type ThreadGroup, type Usage } from "../proc.ts";
import type { SyscallArgs } from "./numbers.ts";

export function sysExit(k: Kernel, p: Process, a: SyscallArgs): number {
  exitThread(k, p, a[0]);
  return 0;
}

export function sysExitGroup(k: Kernel, p: Process, a: SyscallArgs): number {
  exitGroup(k, p, a[0]);
  return 0;
}

export function sysGetpid(_k: Kernel, p: Process): number {
  return p.pid;
}

export function sysGettid(_k: Kernel, p: Process): number {
  return p.tid;
}

export function sysGetppid(_k: Kernel, p: Process): number {
  return p.ppid;
}

/** getuid, geteuid, getgid, getegid: every process runs as root (uid 0). */
export function sysGetuid(): number {
  return 0;
}

/** The thread group of process `pid` (0: the caller's); ESRCH if there is none. */
function groupOf(k: Kernel, p: Process, pid: number): ThreadGroup {
  if (pid === 0) return p.group;
  const t = k.procs.get(pid);
  if (!t || !t.isLeader) throw new SyscallError(ESRCH);
  return t.group;
}

export function sysGetpgid(k: Kernel, p: Process, a: SyscallArgs): number {
  return groupOf(k, p, a[0]).pgid;
}

export function sysGetsid(k: Kernel, p: Process, a: SyscallArgs): number {
  return groupOf(k, p, a[0]).sid;
}

/**
 * setpgid(pid, pgid): moves the caller or one of its children (0: the caller) into process
 * group pgid (0: its own pid), which must be in the same session; a session leader cannot
 * move (EPERM).
 */
export function sysSetpgid(k: Kernel, p: Process, a: SyscallArgs): number {
  const [pid, pgid] = a;
  if (pid < 0 || pgid < 0) throw new SyscallError(EINVAL);
  const g = groupOf(k, p, pid);
  if (g !== p.group && k.procs.get(g.tgid)?.ppid !== p.pid) throw new SyscallError(ESRCH);
  if (g.sid !== p.group.sid || g.sid === g.tgid) throw new SyscallError(EPERM);
  const target = pgid === 0 ? g.tgid : pgid;
  if (target !== g.tgid && !k.groupExists(target, g.sid)) throw new SyscallError(EPERM);
  g.pgid = target;
  return 0;
}

/** setsid(): a new session and process group led by the caller (EPERM for a group leader). */
export function sysSetsid(k: Kernel, p: Process): number {
  if (k.groupExists(p.pid)) throw new SyscallError(EPERM);
  p.group.sid = p.pid;
  p.group.pgid = p.pid;
  return p.pid;
}

export function sysSetTidAddress(_k: Kernel, p: Process, a: SyscallArgs): number {
  p.clearChildTid = a[0];
  return p.tid;
}

/** clone(flags, newsp, ptid, tls, ctid); with CLONE_VFORK the parent sleeps until released. */
export function sysClone(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  if (p.restarting) return p.syscallProgress;
  const [flags, newsp, ptid, tls, ctid] = a;
  const tid = clone(k, p, flags, newsp, ptid, tls, ctid);
  if (!(flags & CLONE_VFORK)) return tid;
  p.syscallProgress = tid;
  return k.block(p, "WAITING", []);
}

export function sysExecve(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  return execve(k, p, a[0], a[1], a[2]);
}

export function sysWaitid(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [idtype, id, infop, options, rusage] = a;
  const r = waitid(k, p, idtype, id, infop, options);
  if (r === 0 && rusage !== 0) p.as.copyOut(rusage, encodeRusage(p.group.childUsage));
  return r;
}

export function sysSchedYield(k: Kernel, p: Process): number {
  for (let h = 0; h < k.sched.harts; h++) if (k.sched.current[h] === p) k.reschedule[h] = true;
  return 0;
}

const PRIO_PROCESS = 0;

/** The thread named by `who` (0: the caller), or ESRCH. */
function target(k: Kernel, p: Process, who: number): Process {
  const t = who === 0 ? p : k.procs.get(who);
  if (!t || t.state === "ZOMBIE") throw new SyscallError(ESRCH);
  return t;
}

export function sysSetpriority(k: Kernel, p: Process, a: SyscallArgs): number {
  const [which, who, prio] = a;
  if (which !== PRIO_PROCESS) throw new SyscallError(EINVAL);
  const t = target(k, p, who);
  t.nice = Math.max(-20, Math.min(19, prio));
  return 0;
}

/** getpriority returns 20 - nice (1..40), as the raw Linux call does. */
export function sysGetpriority(k: Kernel, p: Process, a: SyscallArgs): number {
  const [which, who] = a;
  if (which !== PRIO_PROCESS) throw new SyscallError(EINVAL);
  return 20 - target(k, p, who).nice;
}

export function sysSchedSetaffinity(k: Kernel, p: Process, a: SyscallArgs): number {
  const [pid, len, maskPtr] = a;
  if ((len >>> 0) < 4) throw new SyscallError(EINVAL);
  const all = k.sched.harts >= 32 ? -1 : (1 << k.sched.harts) - 1;
  const mask = p.as.read32(maskPtr) & all;
  if (mask === 0) throw new SyscallError(EINVAL);
  const t = target(k, p, pid);
  t.affinity = mask;
  if (t.state === "READY" && !(mask & (1 << t.hart))) {
    k.sched.remove(t);
    k.makeReady(t);
  }
  for (let h = 0; h < k.sched.harts; h++) {
    if (k.sched.current[h] === t && !(mask & (1 << h))) k.preempt(h);
  }
  return 0;
}

/** Returns the size of the mask written (4 bytes: up to 32 harts). */
export function sysSchedGetaffinity(k: Kernel, p: Process, a: SyscallArgs): number {
  const [pid, len, maskPtr] = a;
  if ((len >>> 0) < 4 || len & 3) throw new SyscallError(EINVAL);
  p.as.checkAccess(maskPtr, 4, ACCESS_WRITE);
  p.as.write32(maskPtr, target(k, p, pid).affinity);
  return 4;
}

/** getcpu(cpu, node, cache): the hart the caller is running on (node 0). */
export function sysGetcpu(k: Kernel, p: Process, a: SyscallArgs): number {
  const hart = k.sched.current.indexOf(p);
  if (a[0] !== 0) p.as.write32(a[0], hart < 0 ? p.hart : hart);
  if (a[1] !== 0) p.as.write32(a[1], 0);
  return 0;
}

const RUSAGE_SELF = 0;
const RUSAGE_CHILDREN = -1;
const RUSAGE_THREAD = 1;

/** What getrusage reports for `who`. */
export function usageOf(p: Process, who: number): Usage {
  if (who === RUSAGE_THREAD) return p.usage();
  if (who === RUSAGE_CHILDREN) return p.group.childUsage;
  if (who !== RUSAGE_SELF) throw new SyscallError(EINVAL);
  const total = emptyUsage();
  addUsage(total, p.group.usage);
  for (const t of p.group.members) addUsage(total, t.usage());
  return total;
}

export function sysGetrusage(_k: Kernel, p: Process, a: SyscallArgs): number {
  p.as.copyOut(a[1], encodeRusage(usageOf(p, a[0])));
  return 0;
}

/** struct rusage on rv32: two 32-bit timevals, then fourteen 32-bit longs. */
function encodeRusage(u: Usage): Uint8Array {
  const out = new Uint8Array(72);
  const dv = new DataView(out.buffer);
  const us = Math.floor(u.cpuTicks / 10);
  dv.setInt32(0, Math.floor(us / 1e6), true);
  dv.setInt32(4, us % 1e6, true);
  dv.setInt32(16, u.maxResidentPages * 4, true); // ru_maxrss, KiB
  dv.setInt32(16 + 4 * 4, u.pageFaults, true); // ru_minflt
  dv.setInt32(16 + 12 * 4, u.voluntarySwitches, true); // ru_nvcsw
  dv.setInt32(16 + 13 * 4, u.involuntarySwitches, true); // ru_nivcsw
  return out;
}
