/**
 * The process life cycle: clone (fork and threads), execve, exit, and waiting for children.
 *
 * - clone copies or shares, flag by flag, what a process owns: the address space (CLONE_VM;
 *   otherwise a copy-on-write fork of it), the descriptor table (CLONE_FILES), the signal
 *   dispositions (CLONE_SIGHAND) and the thread group (CLONE_THREAD).
 * - A thread's exit releases what it holds; the group ends with its last thread. The group's
 *   leader then stays a ZOMBIE, holding its exit status, until its parent reaps it with waitid;
 *   its children are re-parented to init (PID 1). A parent that ignores SIGCHLD never sees
 *   zombies: they are reaped at once.
 * - The root process (init) ending ends the system.
 */

import { ElfError, parseElf } from "./elf.ts";
import { EACCES, ECHILD, EFAULT, EINVAL, ENOEXEC, SyscallError } from "./errno.ts";
import { S_IFMT, S_IFREG } from "./file.ts";
import type { Kernel, SyscallResult } from "./kernel.ts";
import { addUsage, newThreadGroup, Process, type ThreadGroup } from "./proc.ts";
import {
  CLD_CONTINUED,
  CLD_DUMPED,
  CLD_EXITED,
  CLD_KILLED,
  CLD_STOPPED,
  defaultAction,
  NSIG,
  SA_NOCLDWAIT,
  SIG_IGN,
  SIGCHLD,
} from "./signals.ts";
import { sendSignal } from "./signal_delivery.ts";
import { JOB_EVENT } from "../abi/process.ts";
import { nodeOf, readPath, stagePaths } from "./vfs_client.ts";
import { BLOCKED } from "./wait.ts";
import { type Node, RESOLVE, VFS } from "../abi/vfs.ts";

export const CLONE_VM = 0x100;
export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_SIGHAND = 0x800;
export const CLONE_VFORK = 0x4000;
export const CLONE_PARENT = 0x8000;
export const CLONE_THREAD = 0x10000;
export const CLONE_SYSVSEM = 0x40000;
export const CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_CLEARTID = 0x200000;
export const CLONE_CHILD_SETTID = 0x1000000;
const CSIGNAL = 0xff;
const SUPPORTED = CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_VFORK |
  CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
  CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID;

/** clone(flags, newsp, ptid, tls, ctid): creates a process or thread; returns its tid. */
export function clone(
  k: Kernel,
  p: Process,
  flags: number,
  newsp: number,
  ptid: number,
  tls: number,
  ctid: number,
): number {
  if (flags & ~SUPPORTED) {
    throw new SyscallError(EINVAL, `clone flags 0x${(flags >>> 0).toString(16)}`);
  }
  if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) throw new SyscallError(EINVAL);
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) throw new SyscallError(EINVAL);
  const tid = k.allocTid();
  const as = flags & CLONE_VM ? p.as : k.forkAddressSpace(p.as);
  const fds = flags & CLONE_FILES ? p.fds : p.fds.clone();
  const thread = (flags & CLONE_THREAD) !== 0;
  const group = thread ? p.group : newThreadGroup(tid, p.group.pgid, p.group.sid);
  const parentGroup = flags & CLONE_PARENT ? groupOf(k, p.ppid) : p.group;
  const child = new Process(
    tid,
    thread ? p.ppid : parentGroup?.tgid ?? 0,
    p.name,
    as,
    fds,
    p.cwd,
    group,
    flags & CLONE_SIGHAND ? p.signals : p.signals.clone(),
    k.machine.harts,
  );
  child.regs.set(p.regs);
  child.regs[10] = 0;
  if (newsp !== 0) child.regs[2] = newsp;
  if (flags & CLONE_SETTLS) child.regs[4] = tls;
  child.pc = p.pc;
  child.nice = p.nice;
  child.umask = p.umask;
  child.cmdline = p.cmdline;
  child.environ = p.environ;
  child.affinity = p.affinity;
  child.hart = p.hart;
  child.sigBlocked = p.sigBlocked;
  child.brkStart = p.brkStart;
  child.brk = p.brk;
  child.exitSignal = thread ? 0 : flags & CSIGNAL;
  if (flags & CLONE_CHILD_CLEARTID) child.clearChildTid = ctid;
  try {
    if (flags & CLONE_PARENT_SETTID) p.as.write32(ptid, tid);
    if (flags & CLONE_CHILD_SETTID) as.write32(ctid, tid);
  } catch (e) {
    if (!(flags & CLONE_VM)) k.releaseAddressSpace(as);
    if (!(flags & CLONE_FILES)) fds.closeAll();
    throw e;
  }
  as.users++;
  fds.users++;
  group.members.add(child);
  if (!thread) parentGroup?.children.add(child);
  child.startTicks = k.mtime();
  k.procs.set(tid, child);
  child.state = "READY";
  if (flags & CLONE_VFORK) child.vforkParent = p;
  // A forked child may run only once no hart can still write the pages it now shares. If it
  // may run at once, it waits on its parent's hart (Linux's WF_SYNC), which is awake: a parent
  // usually waits for it next (join, waitid), and then no sleeping hart is woken for either;
  // a parent that goes on running instead has an idle hart woken for the child at its next
  // trap (afterRun). Later, that hart may be asleep: the child goes wherever it fits.
  k.shootdown.defer((now) => k.makeReady(child, now ? k.syscallHartOf(p) : undefined));
  return tid;
}

function groupOf(k: Kernel, tgid: number): ThreadGroup | undefined {
  return k.procs.get(tgid)?.group;
}

/** Largest argv/envp vector accepted by execve. */
const ARGS_MAX = 4096;

/** Reads a NULL-terminated array of string pointers from user memory. */
function readStringArray(p: Process, ptr: number): string[] {
  const out: string[] = [];
  if (ptr === 0) return out;
  for (let n = 0;; n++) {
    if (n >= ARGS_MAX) throw new SyscallError(EINVAL, "too many arguments");
    const s = p.as.read32(ptr + 4 * n);
    if (s === 0) return out;
    out.push(p.as.readString(s, 128 * 1024));
  }
}

/** Largest executable file accepted. */
const EXECUTABLE_BYTES_MAX = 64 * 1024 * 1024;
/** Bytes asked of the VFS per read while loading an executable. */
const EXEC_READ_BYTES = 64 * 1024;

/** An execve in progress: the file, and how much of it has been read. */
interface Loading {
  node: Node;
  image: Uint8Array;
  done: number;
}

/**
 * Reads the executable at `path` through the VFS into kernel memory (several calls: the
 * open, then reads; kept in syscallState between runs). The file is not kept open.
 */
function loadExecutable(k: Kernel, p: Process, path: Uint8Array): Uint8Array | typeof BLOCKED {
  let st = p.syscallState as Loading | undefined;
  if (!st) {
    const attr = k.vfs.open(
      p,
      (data) => ({ base: p.cwd.node, flags: RESOLVE.FOLLOW, mode: 0, data }),
      stagePaths(path),
    );
    if (attr === BLOCKED) return BLOCKED;
    k.vfs.closed(nodeOf(attr));
    if ((attr.mode & S_IFMT) !== S_IFREG) throw new SyscallError(EACCES, "not a regular file");
    if ((attr.mode & 0o111) === 0) throw new SyscallError(EACCES, "not executable");
    if (attr.size > EXECUTABLE_BYTES_MAX) throw new SyscallError(ENOEXEC, "executable too large");
    st = { node: nodeOf(attr), image: new Uint8Array(attr.size), done: 0 };
    p.syscallState = st;
  }
  const loading = st;
  while (loading.done < loading.image.length) {
    const r = k.vfs.call(p, VFS.read, () => ({
      node: loading.node,
      offset: loading.done,
      length: Math.min(EXEC_READ_BYTES, loading.image.length - loading.done),
    }));
    if (r === BLOCKED) return BLOCKED;
    const { bytes, extents } = r.value;
    const at = loading.done;
    if (!k.vfs.copyExtents(extents, bytes, (off, d) => loading.image.set(d, at + off))) continue;
    if (bytes === 0) break;
    loading.done += bytes;
  }
  return loading.image.subarray(0, loading.done);
}

/** execve(path, argv, envp): replaces the calling process's program. */
export function execve(
  k: Kernel,
  p: Process,
  pathPtr: number,
  argvPtr: number,
  envpPtr: number,
): SyscallResult {
  const pathBytes = readPath(p, pathPtr);
  const bytes = loadExecutable(k, p, pathBytes);
  if (bytes === BLOCKED) return BLOCKED;
  const path = new TextDecoder().decode(pathBytes);
  const argv = readStringArray(p, argvPtr);
  const envp = readStringArray(p, envpPtr);
  let image;
  try {
    image = parseElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    if (k.syscallOptions.verbose) k.log(`[${p.tid}] execve ${path}: ${e.message}`);
    throw new SyscallError(ENOEXEC, e.message);
  }
  // Past the point of no return: the other threads go, then the old image.
  for (const t of [...p.group.members]) if (t !== p) killThread(k, t);
  const old = p.as;
  p.as = k.newAddressSpace();
  try {
    k.loadProgram(p, image, argv, envp, path);
  } catch (e) {
    k.releaseAddressSpace(p.as);
    p.as = old;
    throw e;
  }
  p.as.users++;
  p.as.regionPages = old.regionPages; // the regions it created live on with the process
  if (--old.users === 0) k.releaseAddressSpace(old);
  p.signals = p.signals.clone();
  p.signals.resetForExec();
  p.fds.closeOnExec();
  p.clearChildTid = 0;
  releaseVforkParent(k, p);
  return 0;
}

/** Ends one thread of a group that is going away (exec, exit_group): now, or when it stops. */
function killThread(k: Kernel, t: Process): void {
  for (let h = 0; h < k.sched.harts; h++) {
    if (k.sched.current[h] === t && k.executing[h]) {
      t.group.exiting = true;
      k.preempt(h);
      return;
    }
  }
  exitThread(k, t, 0);
}

/** exit_group, or death by signal: every thread of `p`'s group ends. */
export function exitGroup(k: Kernel, p: Process, status: number, signal = 0): void {
  const g = p.group;
  if (!g.exiting) {
    g.exiting = true;
    g.exitStatus = status & 0xff;
    g.killedBy = signal;
  }
  for (const t of [...g.members]) killThread(k, t);
}

/** Ends thread `t` (not executing on any hart). The group ends with its last thread. */
export function exitThread(k: Kernel, t: Process, status: number): void {
  if (t.state === "ZOMBIE") return;
  // Ending by its own system call: whoever it wakes (a joiner, a parent in waitid) may take
  // its hart, which is awake and now free, rather than wake a sleeping one (Linux's WF_SYNC).
  const own = k.syscallHartOf(t) !== undefined;
  t.blocking?.cancel();
  t.blocking = undefined;
  k.client.abandon(t);
  k.sched.remove(t);
  k.setBlocked(t, "ZOMBIE");
  t.exitStatus = status & 0xff;
  if (t.clearChildTid !== 0 && t.as.users > 1) {
    try {
      t.as.write32(t.clearChildTid, 0);
      const pa = t.as.physicalAddress(t.clearChildTid);
      const q = k.futexes.existing(pa);
      if (q) {
        k.wake(q, 1, own);
        k.futexes.prune(pa);
      }
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === EFAULT)) throw e;
    }
  }
  releaseVforkParent(k, t);
  addUsage(t.group.usage, t.usage());
  if (!t.group.exiting) t.group.exitStatus = status & 0xff;
  k.recordExit(t);
  t.group.members.delete(t);
  if (--t.as.users === 0) k.releaseAddressSpace(t.as);
  if (--t.fds.users === 0) t.fds.closeAll();
  if (!t.isLeader) k.procs.delete(t.tid);
  if (t.group.members.size === 0) groupExited(k, t.group, own);
}

function releaseVforkParent(k: Kernel, child: Process): void {
  const parent = child.vforkParent;
  if (!parent) return;
  child.vforkParent = undefined;
  if (parent.blocking) k.unblock(parent, "woken");
}

/**
 * The last thread of group `g` is gone: the leader becomes a zombie for its parent. `sync`: it
 * ended by its own system call (see exitThread).
 */
function groupExited(k: Kernel, g: ThreadGroup, sync: boolean): void {
  for (const q of k.locks.releaseAll(g)) k.wake(q);
  const party = k.ipc.parties.get(g.tgid);
  if (party?.group === g) k.ipc.partyDied(party);
  const leader = k.procs.get(g.tgid);
  if (!leader) return;
  leader.exitStatus = g.exitStatus;
  leader.killedBy = g.killedBy;
  const init = k.procs.get(1);
  for (const child of g.children) {
    if (init && init.group !== g && init.state !== "ZOMBIE") {
      child.ppid = 1;
      // As on Linux, an adopted child signals its exit with SIGCHLD, whatever clone said:
      // otherwise any orphan could end init with an exit signal of SIGKILL.
      if (child.exitSignal !== 0) child.exitSignal = SIGCHLD;
      init.group.children.add(child);
      if (child.state === "ZOMBIE" && child.group.members.size === 0) {
        k.wake(init.group.childEvents);
      }
    } else {
      child.ppid = 0;
      if (child.group.members.size === 0) reap(k, child);
    }
  }
  g.children.clear();
  if (leader === k.root) {
    reap(k, leader);
    k.rootExited({ status: leader.exitStatus, signal: leader.killedBy });
    return;
  }
  if (leader.ppid === 0 && k.launcher.report(leader, ...endOf(leader))) {
    reap(k, leader);
    return;
  }
  const parent = k.procs.get(leader.ppid);
  if (!parent || parent.state === "ZOMBIE" && parent.group.members.size === 0) {
    reap(k, leader);
    return;
  }
  const action = parent.signals.actions[SIGCHLD];
  const autoReap = action.handler === SIG_IGN || (action.flags & SA_NOCLDWAIT) !== 0;
  // clone takes any number in CSIGNAL (0-255); as on Linux, one that is no signal sends nothing.
  if (leader.exitSignal !== 0 && leader.exitSignal <= NSIG) {
    sendSignal(k, parent.group, undefined, leader.exitSignal, {
      signo: leader.exitSignal,
      code: leader.killedBy ? CLD_KILLED : CLD_EXITED,
      pid: leader.pid,
      status: leader.killedBy || leader.exitStatus,
    });
  }
  if (autoReap) reap(k, leader);
  k.wake(parent.group.childEvents, Infinity, sync);
}

/** How a leader ended, as the launcher reports it: killed by a signal, or exited. */
function endOf(leader: Process): [number, number] {
  return leader.killedBy
    ? [JOB_EVENT.KILLED, leader.killedBy]
    : [JOB_EVENT.EXITED, leader.exitStatus];
}

/** Removes a zombie leader for good; its usage joins its parent's children's usage. */
function reap(k: Kernel, leader: Process): void {
  k.procs.delete(leader.tid);
  const parent = k.procs.get(leader.ppid)?.group;
  if (!parent) return;
  parent.children.delete(leader);
  addUsage(parent.childUsage, leader.group.usage);
  addUsage(parent.childUsage, leader.group.childUsage);
}

/** A child's stop or continue, for waitid (WSTOPPED / WCONTINUED) and SIGCHLD. */
export function reportStopOrContinue(
  k: Kernel,
  g: ThreadGroup,
  what: "stopped" | "continued",
  sig: number,
): void {
  const leader = k.procs.get(g.tgid);
  if (!leader) return;
  g.stopReport = what;
  g.stopSignal = sig;
  const kind = what === "stopped" ? JOB_EVENT.STOPPED : JOB_EVENT.CONTINUED;
  if (leader.ppid === 0 && k.launcher.report(leader, kind, sig)) return;
  const parent = k.procs.get(leader.ppid);
  if (!parent) return;
  sendSignal(k, parent.group, undefined, SIGCHLD, {
    signo: SIGCHLD,
    code: what === "stopped" ? CLD_STOPPED : CLD_CONTINUED,
    pid: leader.pid,
    status: sig,
  });
  k.wake(parent.group.childEvents);
}

const P_ALL = 0;
const P_PID = 1;
const P_PGID = 2;
export const WNOHANG = 1;
export const WSTOPPED = 2;
export const WEXITED = 4;
export const WCONTINUED = 8;
export const WNOWAIT = 0x0100_0000;

/** waitid(idtype, id, infop, options): reports (and reaps) a child's state change. */
export function waitid(
  k: Kernel,
  p: Process,
  idtype: number,
  id: number,
  infop: number,
  options: number,
): SyscallResult {
  if (idtype !== P_ALL && idtype !== P_PID && idtype !== P_PGID) throw new SyscallError(EINVAL);
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) throw new SyscallError(EINVAL);
  const candidates = [...p.group.children].filter((c) =>
    idtype === P_ALL || idtype === P_PGID || c.pid === id
  );
  if (candidates.length === 0) throw new SyscallError(ECHILD);
  for (const c of candidates) {
    const exited = c.state === "ZOMBIE" && c.group.members.size === 0;
    let code = 0;
    let status = 0;
    if (exited && options & WEXITED) {
      code = c.killedBy
        ? (defaultAction(c.killedBy) === "core" ? CLD_DUMPED : CLD_KILLED)
        : CLD_EXITED;
      status = c.killedBy || c.exitStatus;
    } else if (c.group.stopReport === "stopped" && options & WSTOPPED) {
      code = CLD_STOPPED;
      status = c.group.stopSignal;
    } else if (c.group.stopReport === "continued" && options & WCONTINUED) {
      code = CLD_CONTINUED;
      status = SIGCHLD_CONT;
    } else {
      continue;
    }
    if (infop !== 0) p.as.copyOut(infop, encodeWaitInfo(c.pid, code, status));
    if (!(options & WNOWAIT)) {
      if (code === CLD_STOPPED || code === CLD_CONTINUED) c.group.stopReport = undefined;
      else reap(k, c);
    }
    return 0;
  }
  if (options & WNOHANG) {
    if (infop !== 0) p.as.copyOut(infop, new Uint8Array(128));
    return 0;
  }
  return k.block(p, "WAITING", [p.group.childEvents]);
}

/** si_status reported for a continued child (SIGCONT). */
const SIGCHLD_CONT = 18;

function encodeWaitInfo(pid: number, code: number, status: number): Uint8Array {
  const out = new Uint8Array(128);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, SIGCHLD, true);
  dv.setInt32(8, code, true);
  dv.setInt32(12, pid, true);
  dv.setInt32(20, status, true);
  return out;
}
