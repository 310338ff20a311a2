/**
 * Signal numbers (Linux, asm-generic) and the names the kernel prints.
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
};

/** "SIGSEGV" for 11, "signal 40" for an unnamed one. */
export function signalName(sig: number): string {
  return NAMES[sig] ?? `signal ${sig}`;
}
