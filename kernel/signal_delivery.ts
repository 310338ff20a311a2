/**
 * Signal delivery: sending, stopping and continuing, running handlers, returning from them.
 *
 * A signal sent to a process (kill) is pending on its thread group and taken by whichever
 * thread does not block it; one sent to a thread (tgkill, faults) is pending on that thread.
 * Pending signals are acted on when a thread is about to return to user mode (`prepare`):
 * ignored, default action (terminate, stop, continue), or a handler run on a frame pushed on
 * the user stack. A sleeping thread that can take the signal is woken; its system call then
 * returns EINTR. A thread executing on another hart gets an IPI.
 */

import { EFAULT, SyscallError } from "./errno.ts";
import type { Kernel } from "./kernel.ts";
import { exitGroup, reportStopOrContinue } from "./lifecycle.ts";
import type { Process, ThreadGroup } from "./proc.ts";
import {
  defaultAction,
  encodeSiginfo,
  FRAME,
  SA_NODEFER,
  SA_RESETHAND,
  SIG_DFL,
  SIG_IGN,
  sigbit,
  SIGCONT,
  type SigInfo,
  SIGKILL,
  SIGSEGV,
  SIGSTOP,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
  TRAMPOLINE_VA,
  UNBLOCKABLE,
} from "./signals.ts";

const STOP_SIGNALS = sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | sigbit(SIGTTOU);

/**
 * Sends `sig` to `thread` if given, else to the process (thread group) `group`. Signal 0 only
 * checks that the target exists (the caller has done that).
 */
export function sendSignal(
  k: Kernel,
  group: ThreadGroup,
  thread: Process | undefined,
  sig: number,
  info: SigInfo,
): void {
  if (sig === 0 || group.members.size === 0) return;
  const leader = thread ?? [...group.members][0];
  if (sig === SIGKILL) { // never delivered: the whole process ends now
    exitGroup(k, leader, 0, SIGKILL);
    return;
  }
  if (sig === SIGCONT) {
    group.pending &= ~STOP_SIGNALS;
    for (const t of group.members) t.sigPending &= ~STOP_SIGNALS;
    continueGroup(k, group);
  } else if (sigbit(sig) & STOP_SIGNALS) {
    group.pending &= ~sigbit(SIGCONT);
    for (const t of group.members) t.sigPending &= ~sigbit(SIGCONT);
  }
  if (leader.signals.ignores(sig)) return;
  const owner = thread ?? group;
  if (thread) thread.sigPending |= sigbit(sig);
  else group.pending |= sigbit(sig);
  owner.sigInfo.set(sig, info);
  const target = thread ??
    [...group.members].find((t) => !(t.sigBlocked & sigbit(sig))) ??
    leader;
  notify(k, target, sig);
}

/**
 * Whether `sig` sent by a program to `g` is dropped because `g` is init: as on Linux, init gets
 * only the signals it has installed a handler for, so no program can end the system with
 * kill(1, SIGKILL).
 */
export function shieldsInit(g: ThreadGroup, sig: number): boolean {
  if (g.tgid !== 1 || sig === 0) return false;
  const leader = g.members.values().next().value;
  return sig === SIGKILL || sig === SIGSTOP || !leader ||
    leader.signals.actions[sig].handler === SIG_DFL;
}

/** Makes `t` notice a new signal: wakes it if it sleeps, interrupts its hart if it runs. */
function notify(k: Kernel, t: Process, sig: number): void {
  const deliverable = !(t.sigBlocked & sigbit(sig)) || (sigbit(sig) & UNBLOCKABLE) !== 0n;
  if (!deliverable) return;
  if (t.blocking) {
    // A service call being finished is not cut short; SIGKILL ends the process anyway.
    if (!t.blocking.uninterruptible || sig === SIGKILL) k.unblock(t, "signal");
    return;
  }
  for (let h = 0; h < k.sched.harts; h++) if (k.sched.current[h] === t) k.preempt(h);
}

/**
 * A synchronous fault (page fault outside every area, illegal instruction …) in `p`: its
 * handler runs if it has one and does not block the signal; otherwise the process dies.
 */
export function forceSignal(k: Kernel, p: Process, sig: number, addr: number, why: string): void {
  const action = p.signals.actions[sig];
  const catchable = action.handler !== SIG_DFL && action.handler !== SIG_IGN &&
    !(p.sigBlocked & sigbit(sig));
  if (!catchable) {
    k.kill(p, sig, why);
    return;
  }
  p.sigPending |= sigbit(sig);
  p.sigInfo.set(sig, { signo: sig, code: 1, addr });
}

/** Acts on `p`'s deliverable pending signals before it returns to user mode. */
export function deliverSignals(k: Kernel, p: Process): void {
  takeSignals(k, p);
  if (p.sigsuspendMask !== undefined && !p.blocking) { // no handler ran: sigsuspend's mask ends
    p.sigBlocked = p.sigsuspendMask;
    p.sigsuspendMask = undefined;
  }
}

function takeSignals(k: Kernel, p: Process): void {
  for (;;) {
    const g = p.group;
    const deliverable = (p.sigPending | g.pending) & ~p.sigBlocked;
    if (deliverable === 0n || p.state !== "RUNNING") return;
    const sig = lowestSignal(deliverable);
    const bit = sigbit(sig);
    const owner: ThreadGroup | Process = p.sigPending & bit ? p : g;
    if (owner === p) p.sigPending &= ~bit;
    else g.pending &= ~bit;
    const info = owner.sigInfo.get(sig) ?? { signo: sig, code: 0 };
    owner.sigInfo.delete(sig);
    const action = p.signals.actions[sig];
    if (action.handler === SIG_IGN) continue;
    if (action.handler === SIG_DFL) {
      const what = defaultAction(sig);
      if (what === "ignore" || what === "continue") continue;
      if (what === "stop") {
        stopGroup(k, g, sig);
        return;
      }
      exitGroup(k, p, 0, sig);
      return;
    }
    runHandler(k, p, sig, info);
    return;
  }
}

function lowestSignal(set: bigint): number {
  let sig = 1;
  while (!(set & 1n)) {
    set >>= 1n;
    sig++;
  }
  return sig;
}

/** Pushes a signal frame and points `p` at its handler. */
function runHandler(k: Kernel, p: Process, sig: number, info: SigInfo): void {
  const action = p.signals.actions[sig];
  const sp = p.regs[2] >>> 0;
  const frame = Math.floor((sp - FRAME.SIZE) / 16) * 16;
  const bytes = new Uint8Array(FRAME.SIZE);
  const dv = new DataView(bytes.buffer);
  bytes.set(encodeSiginfo(info), FRAME.SIGINFO);
  dv.setUint32(FRAME.UCONTEXT + 16, 2, true); // uc_stack.ss_flags = SS_DISABLE
  const savedMask = p.sigsuspendMask ?? p.sigBlocked;
  p.sigsuspendMask = undefined;
  dv.setBigUint64(FRAME.SIGMASK, BigInt.asUintN(64, savedMask), true);
  dv.setUint32(FRAME.REGS, p.pc >>> 0, true);
  for (let r = 1; r < 32; r++) dv.setInt32(FRAME.REGS + 4 * r, p.regs[r], true);
  try {
    p.as.copyOut(frame, bytes);
  } catch (e) {
    if (!(e instanceof SyscallError && e.errno === EFAULT)) throw e;
    k.kill(p, SIGSEGV, `no room for a signal frame below sp 0x${sp.toString(16)}`);
    return;
  }
  p.sigBlocked = (p.sigBlocked | action.mask | (action.flags & SA_NODEFER ? 0n : sigbit(sig))) &
    ~UNBLOCKABLE;
  const handler = action.handler;
  if (action.flags & SA_RESETHAND) action.handler = SIG_DFL;
  p.regs[10] = sig;
  p.regs[11] = frame + FRAME.SIGINFO;
  p.regs[12] = frame + FRAME.UCONTEXT;
  p.regs[1] = TRAMPOLINE_VA;
  p.regs[2] = frame;
  p.pc = handler;
}

/** rt_sigreturn: restores the context saved by `runHandler`; returns the restored a0. */
export function sigreturn(p: Process): number {
  const frame = p.regs[2] >>> 0;
  const bytes = p.as.copyIn(frame, FRAME.SIZE);
  const dv = new DataView(bytes.buffer);
  p.sigBlocked = dv.getBigUint64(FRAME.SIGMASK, true) & ~UNBLOCKABLE;
  p.pc = dv.getUint32(FRAME.REGS, true);
  for (let r = 1; r < 32; r++) p.regs[r] = dv.getInt32(FRAME.REGS + 4 * r, true);
  return p.regs[10];
}

/** Stops every thread of `g` (SIGSTOP and friends, default action). */
function stopGroup(k: Kernel, g: ThreadGroup, sig: number): void {
  if (g.stopped) return;
  g.stopped = true;
  for (const t of g.members) {
    if (t.blocking) continue; // stays asleep; it stops when woken
    let onHart = false;
    for (let h = 0; h < k.sched.harts; h++) {
      if (k.sched.current[h] === t) {
        onHart = true;
        if (k.executing[h]) k.preempt(h);
        else k.setBlocked(t, "BLOCKED");
      }
    }
    if (!onHart && t.state === "READY") {
      k.sched.remove(t);
      k.setBlocked(t, "BLOCKED");
    }
  }
  reportStopOrContinue(k, g, "stopped", sig);
}

/** Resumes a stopped group (SIGCONT, whatever its disposition). */
function continueGroup(k: Kernel, g: ThreadGroup): void {
  if (!g.stopped) return;
  g.stopped = false;
  for (const t of g.members) if (t.state === "BLOCKED" && !t.blocking) k.makeReady(t);
  reportStopOrContinue(k, g, "continued", SIGCONT);
}
