/**
 * Signal calls: kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, rt_sigpending,
 * rt_sigreturn. The machinery is in signal_delivery.ts.
 */

import { EINTR, EINVAL, ESRCH, SyscallError } from "../errno.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import type { Process, ThreadGroup } from "../proc.ts";
import { sendSignal, shieldsInit, sigreturn } from "../signal_delivery.ts";
import { NSIG, SI_USER, sigbit, SIGKILL, SIGSTOP, UNBLOCKABLE } from "../signals.ts";
import type { SyscallArgs } from "./numbers.ts";

const SIGSET_SIZE = 8;

function checkSignal(sig: number, allowZero: boolean): void {
  if (sig < (allowZero ? 0 : 1) || sig > NSIG) throw new SyscallError(EINVAL);
}

/**
 * kill(pid, sig): pid > 0 a process; 0 the caller's process group; -1 every process but init;
 * < -1 the process group -pid.
 */
export function sysKill(k: Kernel, p: Process, a: SyscallArgs): number {
  const [pid, sig] = a;
  checkSignal(sig, true);
  const groups: ThreadGroup[] = [];
  if (pid > 0) {
    // A zombie not yet reaped still exists, as on Linux: kill succeeds and does nothing.
    const t = k.procs.get(pid);
    if (t) groups.push(t.group);
  } else if (pid === 0 || pid < -1) {
    groups.push(...k.processGroup(pid === 0 ? p.group.pgid : -pid));
  } else {
    for (const t of k.procs.values()) {
      if (t.isLeader && t.pid !== 1 && t.group !== p.group && t.group.members.size > 0) {
        groups.push(t.group);
      }
    }
  }
  if (groups.length === 0) throw new SyscallError(ESRCH);
  for (const g of groups) {
    if (shieldsInit(g, sig)) continue;
    sendSignal(k, g, undefined, sig, { signo: sig, code: SI_USER, pid: p.pid });
  }
  return 0;
}

function sendToThread(k: Kernel, p: Process, tgid: number, tid: number, sig: number): number {
  checkSignal(sig, true);
  const t = k.procs.get(tid);
  if (!t || t.state === "ZOMBIE" || (tgid > 0 && t.pid !== tgid)) throw new SyscallError(ESRCH);
  if (shieldsInit(t.group, sig)) return 0;
  sendSignal(k, t.group, t, sig, { signo: sig, code: SI_USER, pid: p.pid });
  return 0;
}

export function sysTkill(k: Kernel, p: Process, a: SyscallArgs): number {
  return sendToThread(k, p, 0, a[0], a[1]);
}

export function sysTgkill(k: Kernel, p: Process, a: SyscallArgs): number {
  if (a[0] <= 0) throw new SyscallError(EINVAL);
  return sendToThread(k, p, a[0], a[1], a[2]);
}

/** rt_sigaction(sig, act, oldact, sigsetsize): struct sigaction is {handler, flags, mask}. */
export function sysRtSigaction(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [sig, act, oldact, size] = a;
  if (size !== SIGSET_SIZE) throw new SyscallError(EINVAL);
  checkSignal(sig, false);
  if (act !== 0 && (sig === SIGKILL || sig === SIGSTOP)) throw new SyscallError(EINVAL);
  const current = p.signals.actions[sig];
  let next;
  if (act !== 0) {
    const dv = new DataView(p.as.copyIn(act, 16).buffer);
    next = {
      handler: dv.getUint32(0, true),
      flags: dv.getInt32(4, true),
      mask: dv.getBigUint64(8, true) & ~UNBLOCKABLE,
    };
  }
  if (oldact !== 0) {
    const out = new Uint8Array(16);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, current.handler >>> 0, true);
    dv.setInt32(4, current.flags, true);
    dv.setBigUint64(8, BigInt.asUintN(64, current.mask), true);
    p.as.copyOut(oldact, out);
  }
  if (next) {
    p.signals.actions[sig] = next;
    if (p.signals.ignores(sig)) { // POSIX: setting SIG_IGN discards the pending signal
      p.group.pending &= ~sigbit(sig);
      for (const t of p.group.members) t.sigPending &= ~sigbit(sig);
    }
  }
  return 0;
}

const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;

export function sysRtSigprocmask(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [how, set, oldset, size] = a;
  if (size !== SIGSET_SIZE) throw new SyscallError(EINVAL);
  let next = p.sigBlocked;
  if (set !== 0) {
    const mask = new DataView(p.as.copyIn(set, 8).buffer).getBigUint64(0, true);
    if (how === SIG_BLOCK) next |= mask;
    else if (how === SIG_UNBLOCK) next &= ~mask;
    else if (how === SIG_SETMASK) next = mask;
    else throw new SyscallError(EINVAL);
  }
  if (oldset !== 0) {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, p.sigBlocked), true);
    p.as.copyOut(oldset, out);
  }
  p.sigBlocked = next & ~UNBLOCKABLE;
  return 0;
}

export function sysRtSigpending(_k: Kernel, p: Process, a: SyscallArgs): number {
  if (a[1] !== SIGSET_SIZE) throw new SyscallError(EINVAL);
  const out = new Uint8Array(8);
  const pending = (p.sigPending | p.group.pending) & p.sigBlocked;
  new DataView(out.buffer).setBigUint64(0, BigInt.asUintN(64, pending), true);
  p.as.copyOut(a[0], out);
  return 0;
}

export function sysRtSigreturn(_k: Kernel, p: Process): number {
  return sigreturn(p);
}

/**
 * rt_sigsuspend(mask, sigsetsize): waits for a signal with `mask` in force; the old mask comes
 * back when the handler returns (or at once if no handler runs). Always "fails" with EINTR.
 */
export function sysRtSigsuspend(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  if (p.restarting) throw new SyscallError(EINTR);
  if (a[1] !== SIGSET_SIZE) throw new SyscallError(EINVAL);
  const mask = new DataView(p.as.copyIn(a[0], 8).buffer).getBigUint64(0, true);
  p.sigsuspendMask = p.sigBlocked;
  p.sigBlocked = mask & ~UNBLOCKABLE;
  if ((p.sigPending | p.group.pending) & ~p.sigBlocked) throw new SyscallError(EINTR);
  return k.block(p, "BLOCKED", []);
}
