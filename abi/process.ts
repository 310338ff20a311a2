/**
 * The process-spawn protocol: how a service with the "spawn" privilege (the shell) starts
 * RISC-V programs and follows them, through the kernel's control operations (CTL in ipc.ts).
 *
 * - CTL.SESSION gives the service a session of its own (a session id the kernel reserves, as
 *   if a process led it) and names the notification the kernel signals (bit JOB_EVENT_BIT)
 *   whenever one of the session's processes ends, stops or continues, or captured output
 *   arrives.
 * - CTL.SPAWN starts a job: the JSON `JobRequest` the service wrote into one of its regions.
 *   Its processes run in the session, in one process group, joined by pipes (each one's
 *   stdout to the next one's stdin); the rest of their descriptors 0-2 are the terminal
 *   `term`, or, with `capture`, the last one's stdout is a pipe the service drains with
 *   CTL.CAPTURE_READ. The kernel starts each process from the launch image (userland/src/
 *   launch.c) it was given at boot, which applies the redirections in the child and then
 *   runs what `run` says — as posix_spawn applies its file actions between clone and exec.
 * - CTL.JOB_EVENT takes the next `JobEvent`. A process the kernel reports as ended has been
 *   reaped: its pid may be reused. Its children outlive it under init, as orphans do.
 * - CTL.POWEROFF ends the system (privilege "power"): the file systems are synced, the
 *   services stopped, and the boot ends with the status given.
 */

/** The bit of the session's notification that means "look at the events and captures". */
export const JOB_EVENT_BIT = 1;

/** Most processes in one job. */
export const JOB_PROCS_MAX = 16;
/** Largest JobRequest, in bytes. */
export const JOB_REQUEST_MAX = 256 * 1024;

/** One descriptor action, applied in order in the child (`<`, `>`, `>>`, `2>&1`, `<&-`). */
export type Redirect =
  | { fd: number; open: string; flags: number }
  | { fd: number; dup: number }
  | { fd: number; close: true };

/** What a process runs once its redirections are in place. */
export type Run =
  /** execvp(exec, argv): a name without '/' is searched for in $PATH. */
  | { exec: string; argv: string[] }
  /** Writes the text on descriptor 1 (a builtin's output into a pipe or a file). */
  | { print: string }
  /**
   * Each pattern's matches (* ? [...]), sorted, or the pattern itself, NUL-terminated, and an
   * empty name after each pattern's.
   */
  | { glob: string[] }
  /** A directory's entries (a directory's with '/'), NUL-terminated. */
  | { list: string }
  /** Nothing: the status says whether the working directory and redirections worked. */
  | { check: true };

/** One process of a job. */
export interface JobProcess {
  run: Run;
  redirects: Redirect[];
}

/** A job, as CTL.SPAWN reads it from the service's region (UTF-8 JSON). */
export interface JobRequest {
  /** The terminal (minor) of descriptors 0-2 where no pipe is. */
  term: number;
  /** The working directory (absolute). */
  cwd: string;
  /** The environment, NAME=VALUE each. */
  env: string[];
  /** 0: a new process group led by the first process; else a group of the session's. */
  pgid: number;
  /** The last process's stdout is captured for the service (CTL.CAPTURE_READ). */
  capture: boolean;
  procs: JobProcess[];
}

/** What happened to a process of the session. */
export const JOB_EVENT = { EXITED: 1, KILLED: 2, STOPPED: 3, CONTINUED: 4 } as const;

/** CTL.JOB_EVENT's reply payload: i32 pid, u32 kind (JOB_EVENT), u32 status or signal. */
export const JOB_EVENT_BYTES = 12;
