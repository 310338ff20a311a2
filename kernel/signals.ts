/**
 * Signals: numbers, dispositions, default actions, and the user-stack frame a handler runs on.
 *
 * Delivery follows Linux on riscv: the kernel pushes a `struct rt_sigframe` (siginfo, then a
 * ucontext whose mcontext holds pc and x1..x31) below the interrupted sp, calls the handler
 * with a0 = signal (a1 = &siginfo, a2 = &ucontext), and returns through a trampoline page the
 * kernel maps into every address space (`li a7, 139; ecall` = rt_sigreturn), which restores
 * the saved context and mask. riscv has no SA_RESTORER: the trampoline plays the vDSO's part.
 */

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
/** Highest signal number (realtime signals included). */
export const NSIG = 64;

const NAMES: Record<number, string> = {
  [SIGHUP]: "SIGHUP",
  [SIGINT]: "SIGINT",
  [SIGQUIT]: "SIGQUIT",
  [SIGILL]: "SIGILL",
  [SIGTRAP]: "SIGTRAP",
  [SIGABRT]: "SIGABRT",
  [SIGBUS]: "SIGBUS",
  [SIGFPE]: "SIGFPE",
  [SIGKILL]: "SIGKILL",
  [SIGUSR1]: "SIGUSR1",
  [SIGSEGV]: "SIGSEGV",
  [SIGUSR2]: "SIGUSR2",
  [SIGPIPE]: "SIGPIPE",
  [SIGALRM]: "SIGALRM",
  [SIGTERM]: "SIGTERM",
  [SIGCHLD]: "SIGCHLD",
  [SIGCONT]: "SIGCONT",
  [SIGSTOP]: "SIGSTOP",
  [SIGTSTP]: "SIGTSTP",
  [SIGTTIN]: "SIGTTIN",
  [SIGTTOU]: "SIGTTOU",
};

/** "SIGSEGV" for 11, "signal 40" for an unnamed one. */
export function signalName(sig: number): string {
  return NAMES[sig] ?? `signal ${sig}`;
}

/** The bit of `sig` in a 64-bit signal set. */
export function sigbit(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

/** Signals that can be neither caught, blocked nor ignored. */
export const UNBLOCKABLE = sigbit(SIGKILL) | sigbit(SIGSTOP);

/** What happens to a signal with the default disposition. */
export type DefaultAction = "terminate" | "core" | "ignore" | "stop" | "continue";

const CORE = [SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, 24, 25, 31];
const IGNORE = [SIGCHLD, 23, 28];
const STOP = [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU];

/** The default action of `sig`. */
export function defaultAction(sig: number): DefaultAction {
  if (sig === SIGCONT) return "continue";
  if (CORE.includes(sig)) return "core";
  if (IGNORE.includes(sig)) return "ignore";
  if (STOP.includes(sig)) return "stop";
  return "terminate";
}

export const SIG_DFL = 0;
export const SIG_IGN = 1;
export const SA_NOCLDSTOP = 0x1;
export const SA_NOCLDWAIT = 0x2;
export const SA_SIGINFO = 0x4;
export const SA_RESTART = 0x1000_0000;
export const SA_NODEFER = 0x4000_0000;
export const SA_RESETHAND = 0x8000_0000 | 0;

/** One signal's disposition (struct sigaction as riscv Linux lays it out: 16 bytes). */
export interface SigAction {
  handler: number;
  flags: number;
  mask: bigint;
}

/** The dispositions of a thread group (what CLONE_SIGHAND shares). */
export class SignalDispositions {
  readonly actions: SigAction[] = Array.from(
    { length: NSIG + 1 },
    () => ({ handler: SIG_DFL, flags: 0, mask: 0n }),
  );

  /** A copy (fork without CLONE_SIGHAND). */
  clone(): SignalDispositions {
    const copy = new SignalDispositions();
    this.actions.forEach((a, n) => (copy.actions[n] = { ...a }));
    return copy;
  }

  /** After execve: caught signals revert to the default; ignored ones stay ignored. */
  resetForExec(): void {
    for (const a of this.actions) {
      if (a.handler !== SIG_IGN) a.handler = SIG_DFL;
      a.flags = 0;
      a.mask = 0n;
    }
  }

  /** Whether `sig` is ignored, explicitly or by default. */
  ignores(sig: number): boolean {
    const a = this.actions[sig];
    if (a.handler === SIG_IGN) return sig !== SIGKILL && sig !== SIGSTOP;
    return a.handler === SIG_DFL && defaultAction(sig) === "ignore";
  }
}

/** Where the sigreturn trampoline page is mapped in every address space. */
export const TRAMPOLINE_VA = 0xbfff_f000;
/** The trampoline's code: `li a7, 139` (rt_sigreturn); `ecall`. */
export const TRAMPOLINE_CODE = new Uint32Array([0x08b0_0893, 0x0000_0073]);

/** Layout of struct rt_sigframe on riscv32. */
export const FRAME = {
  SIGINFO: 0,
  UCONTEXT: 128,
  /** uc_sigmask inside the ucontext. */
  SIGMASK: 128 + 20,
  /** uc_mcontext.sc_regs: pc, then x1..x31. */
  REGS: 128 + 160,
  SIZE: 128 + 160 + 128 + 528,
} as const;

/** si_code values. */
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SEGV_MAPERR = 1;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;
export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;

/** Fields of a siginfo_t worth filling. */
export interface SigInfo {
  signo: number;
  code: number;
  /** si_pid / si_addr, and si_uid / si_status (SIGCHLD) in the union. */
  pid?: number;
  addr?: number;
  status?: number;
}

/** Encodes a 128-byte siginfo_t. */
export function encodeSiginfo(info: SigInfo): Uint8Array {
  const out = new Uint8Array(128);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, info.signo, true);
  dv.setInt32(8, info.code, true);
  if (info.addr !== undefined) dv.setUint32(12, info.addr >>> 0, true);
  if (info.pid !== undefined) dv.setInt32(12, info.pid, true);
  if (info.status !== undefined) dv.setInt32(20, info.status, true);
  return out;
}
