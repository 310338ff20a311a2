/**
 * The process-spawn call (abi/process.ts): the kernel's side of CTL.SESSION, SPAWN, JOB_EVENT
 * and CAPTURE_READ. A service with the "spawn" privilege (the shell) owns a session; each
 * job it spawns is a process group in that session whose processes have no parent process:
 * the kernel reports their ends, stops and continues to the session's owner instead of
 * waitid, and reaps them itself.
 *
 * Every process starts from the launch image (userland/src/launch.c), given at boot as
 * init's is: the kernel puts the pipes and the terminal on descriptors 0-2 and sets the
 * process group, and launch's argv (built here from the validated request) says what the
 * child does before it runs the program — change directory, open, duplicate and close
 * descriptors — so that a redirection that fails is reported by the child, as a shell's is.
 */

import { type ElfImage, parseElf } from "./elf.ts";
import { E2BIG, EAGAIN, EINVAL, EPERM, ERANGE, ESRCH, SyscallError } from "./errno.ts";
import { ARG_BYTES_MAX } from "./exec.ts";
import { FD_MAX, FdTable, O_RDWR, type OpenFile } from "./file.ts";
import { deviceStat, TtyFile, ttysDev } from "./chardev.ts";
import type { Notification, Party, Region } from "./ipc/objects.ts";
import type { Kernel } from "./kernel.ts";
import { Pipe, PIPE_CAPACITY, PipeEnd } from "./pipe.ts";
import { newThreadGroup, type Process } from "./proc.ts";
import { SIGKILL } from "./signals.ts";
import { RIGHT } from "../abi/ipc.ts";
import {
  JOB_EVENT,
  JOB_EVENT_BIT,
  JOB_EVENT_BYTES,
  JOB_PROCS_MAX,
  JOB_REQUEST_MAX,
  type JobProcess,
  type JobRequest,
  type Redirect,
  type Run,
} from "../abi/process.ts";

/** Terminal minors a job may name (the serial lines). */
const TERMS_MAX = 8;
/** Events kept for a session that does not collect them. */
const EVENTS_MAX = 1024;

interface Event {
  pid: number;
  kind: number;
  status: number;
}

/** Output of a job's last process, kept for the session's owner. */
interface Capture {
  pipe: Pipe;
  read: PipeEnd;
}

/** A service's session. */
class Session {
  readonly events: Event[] = [];
  readonly captures = new Map<number, Capture>();

  constructor(
    readonly sid: number,
    public owner: Party,
    private notification: Notification,
    private readonly signal: (n: Notification, bits: number) => void,
  ) {}

  /** A new instance of the owning service takes the session over. */
  adopt(owner: Party, notification: Notification): void {
    this.owner = owner;
    this.notification = notification;
  }

  tell(): void {
    this.signal(this.notification, JOB_EVENT_BIT);
  }
}

/** Sessions of services, and the processes they spawned. */
export class Launcher {
  private image: ElfImage | undefined;
  private readonly sessions = new Map<number, Session>();
  /** Processes a session spawned, by pid (their group leaders all: every one is a leader). */
  private readonly spawned = new Map<number, Session>();

  constructor(private readonly k: Kernel) {}

  /** The launch program's ELF image (undefined: this system spawns nothing for services). */
  setImage(bytes: Uint8Array | undefined): void {
    this.image = bytes && parseElf(bytes);
  }

  /** Whether `id` is a session's id (the process table must not hand it out as a pid). */
  reserved(id: number): boolean {
    return this.sessions.has(id);
  }

  /**
   * CTL.SESSION: a session for `party`, told through its notification `handle`. A service
   * restarted under the same name takes over the session its last instance had, with its
   * processes and the events not yet taken: its jobs outlive it.
   */
  session(party: Party, handle: number): number {
    const { object } = party.handles.get<Notification>(handle, "notification", RIGHT.SIGNAL);
    for (const s of this.sessions.values()) {
      if (s.owner === party) throw new SyscallError(EPERM, "the service has a session");
      if (!s.owner.alive && s.owner.name === party.name) {
        s.adopt(party, object);
        s.tell();
        return s.sid;
      }
    }
    const sid = this.k.allocTid();
    const s = new Session(sid, party, object, (n, bits) => this.k.ipc.signal(n, bits));
    this.sessions.set(sid, s);
    return sid;
  }

  /** CTL.SPAWN: starts the job in `party`'s region; returns its pgid and the pids. */
  spawn(party: Party, handle: number, offset: number, length: number): number[] {
    const s = this.sessionOf(party);
    if (!this.image) throw new SyscallError(EPERM, "no launch image: this system spawns nothing");
    const { object: region } = party.handles.get<Region>(handle, "region", RIGHT.READ);
    if (length > JOB_REQUEST_MAX || offset > region.size || length > region.size - offset) {
      throw new SyscallError(ERANGE, "request outside the region");
    }
    const job = parseJob(region.bank.u8.slice(offset, offset + length));
    if (job.pgid !== 0 && !this.groupOf(s, job.pgid)) {
      throw new SyscallError(ESRCH, `no process group ${job.pgid} in the session`);
    }
    if (this.k.procs.size + job.procs.length > this.k.maxProcesses) {
      throw new SyscallError(EAGAIN, "process table full");
    }
    const n = job.procs.length;
    const pipes = Array.from(
      { length: n - 1 },
      () => new Pipe((q, sync) => this.k.wake(q, Infinity, sync)),
    );
    let capture: Capture | undefined;
    if (job.capture) {
      const pipe: Pipe = new Pipe((q) => {
        this.k.wake(q);
        if (q === pipe.readable) s.tell();
      });
      capture = { pipe, read: new PipeEnd(pipe, "read", true) };
    }
    const terminal = () =>
      new TtyFile(this.k.tty, job.term, O_RDWR, deviceStat(ttysDev(job.term)), "/dev/tty");
    const ends: OpenFile[][] = job.procs.map((_, i) => [
      i > 0 ? new PipeEnd(pipes[i - 1], "read", false) : terminal(),
      i < n - 1
        ? new PipeEnd(pipes[i], "write", false)
        : capture
        ? new PipeEnd(capture.pipe, "write", false)
        : terminal(),
      terminal(),
    ]);
    const pids: number[] = [];
    let pgid = job.pgid;
    const image = this.image;
    try {
      for (const [i, proc] of job.procs.entries()) {
        const fds = new FdTable(this.k);
        for (const file of ends[i]) fds.install(file);
        ends[i] = [];
        const p = this.k.startProcess(
          image,
          "/sbin/launch",
          launchArgv(job.cwd, proc),
          job.env,
          fds,
          { node: this.k.vfs.root, path: "/" },
          (tid) => newThreadGroup(tid, pgid === 0 ? tid : pgid, s.sid),
        );
        if (pgid === 0) pgid = p.pid;
        this.spawned.set(p.pid, s);
        pids.push(p.pid);
      }
    } catch (e) {
      for (const files of ends) for (const f of files) f.close(this.k);
      capture?.read.close();
      for (const pid of pids) {
        this.k.kill(this.k.procs.get(pid)!, SIGKILL, "its job could not start");
      }
      throw e;
    }
    if (capture) s.captures.set(pgid, capture);
    return [pgid, ...pids];
  }

  /** CTL.JOB_EVENT: the next event of `party`'s session, encoded; undefined when none. */
  nextEvent(party: Party): Uint8Array | undefined {
    const e = this.sessionOf(party).events.shift();
    if (!e) return undefined;
    const out = new Uint8Array(JOB_EVENT_BYTES);
    const dv = new DataView(out.buffer);
    dv.setInt32(0, e.pid, true);
    dv.setUint32(4, e.kind, true);
    dv.setUint32(8, e.status, true);
    return out;
  }

  /**
   * CTL.CAPTURE_READ: moves up to `max` bytes of job `pgid`'s output into the region; returns
   * the count and whether the output has ended (then the capture is gone).
   */
  readCapture(
    party: Party,
    pgid: number,
    handle: number,
    offset: number,
    max: number,
  ): { count: number; ended: boolean } {
    const s = this.sessionOf(party);
    const c = s.captures.get(pgid);
    if (!c) throw new SyscallError(ESRCH, `job ${pgid} has no captured output`);
    const { object: region } = party.handles.get<Region>(handle, "region", RIGHT.WRITE);
    if (offset > region.size || max > region.size - offset) {
      throw new SyscallError(ERANGE, "range outside the region");
    }
    const pipe = c.pipe;
    const n = Math.min(max, pipe.length);
    const first = Math.min(n, PIPE_CAPACITY - pipe.head);
    region.bank.u8.set(pipe.buffer.subarray(pipe.head, pipe.head + first), offset);
    if (n > first) region.bank.u8.set(pipe.buffer.subarray(0, n - first), offset + first);
    pipe.head = (pipe.head + n) % PIPE_CAPACITY;
    pipe.length -= n;
    if (n > 0) pipe.notify(pipe.writable);
    const ended = pipe.length === 0 && pipe.writers === 0;
    if (ended) {
      c.read.close();
      s.captures.delete(pgid);
    }
    return { count: n, ended };
  }

  /**
   * A process the launcher spawned ended, stopped or continued: its session hears of it.
   * Returns false for any other process. An ended one is reaped by the caller.
   */
  report(leader: Process, kind: number, status: number): boolean {
    const s = this.spawned.get(leader.pid);
    if (!s) return false;
    if (kind === JOB_EVENT.EXITED || kind === JOB_EVENT.KILLED) this.spawned.delete(leader.pid);
    if (this.sessions.get(s.sid) !== s) return true;
    // Kept while the owner is down too: its next instance takes them (EVENTS_MAX at most).
    if (s.events.length < EVENTS_MAX) s.events.push({ pid: leader.pid, kind, status });
    if (s.owner.alive) s.tell();
    return true;
  }

  private sessionOf(party: Party): Session {
    for (const s of this.sessions.values()) if (s.owner === party) return s;
    throw new SyscallError(EPERM, `${party.name} has no session`);
  }

  private groupOf(s: Session, pgid: number): boolean {
    for (const p of this.k.procs.values()) {
      if (p.group.pgid === pgid && p.group.sid === s.sid && p.state !== "ZOMBIE") return true;
    }
    return false;
  }
}

/** launch's argv for one process (userland/src/launch.c). */
function launchArgv(cwd: string, proc: JobProcess): string[] {
  const argv = ["launch", "-C", cwd];
  for (const r of proc.redirects) {
    if ("open" in r) argv.push("-o", String(r.fd), String(r.flags), r.open);
    else if ("dup" in r) argv.push("-d", String(r.fd), String(r.dup));
    else argv.push("-c", String(r.fd));
  }
  const run = proc.run;
  if ("exec" in run) argv.push("--", run.exec, ...run.argv);
  else if ("print" in run) argv.push("-p", run.print);
  else if ("glob" in run) argv.push("-g", ...run.glob);
  else if ("list" in run) argv.push("-l", run.list);
  return argv;
}

// ---------------------------------------------------------------- validation

class Invalid extends SyscallError {
  constructor(what: string) {
    super(EINVAL, `spawn request: ${what}`);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw new Invalid(what);
  return v;
}

/** A string launch can take: no NUL, and not empty where that means nothing. */
function str(v: unknown, what: string): string {
  if (typeof v !== "string" || v.includes("\0")) throw new Invalid(what);
  return v;
}

function strings(v: unknown, what: string, min: number): string[] {
  if (!Array.isArray(v) || v.length < min) throw new Invalid(what);
  return v.map((s) => str(s, what));
}

function redirect(v: unknown): Redirect {
  if (!isRecord(v)) throw new Invalid("a redirect is not an object");
  const fd = int(v.fd, "redirect fd", 0, FD_MAX - 1);
  if ("open" in v) {
    const path = str(v.open, "redirect path");
    if (path === "") throw new Invalid("empty redirect path");
    return { fd, open: path, flags: int(v.flags, "redirect flags", 0, 0x7fff_ffff) };
  }
  if ("dup" in v) return { fd, dup: int(v.dup, "redirect dup", 0, FD_MAX - 1) };
  if (v.close === true) return { fd, close: true };
  throw new Invalid("a redirect opens, dups or closes");
}

function run(v: unknown): Run {
  if (!isRecord(v)) throw new Invalid("run is not an object");
  if ("exec" in v) {
    const exec = str(v.exec, "exec");
    if (exec === "") throw new Invalid("empty program name");
    return { exec, argv: strings(v.argv, "argv", 1) };
  }
  if ("print" in v) return { print: str(v.print, "print") };
  if ("glob" in v) return { glob: strings(v.glob, "glob", 1) };
  if ("list" in v) return { list: str(v.list, "list") || "." };
  if (v.check === true) return { check: true };
  throw new Invalid("run execs, prints, globs, lists or checks");
}

/** Decodes and checks a JobRequest: Invalid (EINVAL) for anything else. */
export function parseJob(bytes: Uint8Array): JobRequest {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new Invalid("not UTF-8 JSON");
  }
  if (!isRecord(v)) throw new Invalid("not an object");
  if (!Array.isArray(v.procs) || v.procs.length < 1 || v.procs.length > JOB_PROCS_MAX) {
    throw new Invalid(`1 to ${JOB_PROCS_MAX} processes`);
  }
  const cwd = str(v.cwd, "cwd");
  if (!cwd.startsWith("/")) throw new Invalid("cwd must be absolute");
  const job: JobRequest = {
    term: int(v.term, "term", 0, TERMS_MAX - 1),
    cwd,
    env: strings(v.env, "env", 0),
    pgid: int(v.pgid, "pgid", 0, 0x7fff_ffff),
    capture: v.capture === true,
    procs: v.procs.map((p: unknown) => {
      if (!isRecord(p)) throw new Invalid("a process is not an object");
      if (!Array.isArray(p.redirects)) throw new Invalid("redirects");
      return { run: run(p.run), redirects: p.redirects.map(redirect) };
    }),
  };
  for (const p of job.procs) {
    const bytes = launchArgv(job.cwd, p).concat(job.env).reduce((n, s) => n + s.length + 1, 0);
    if (bytes > ARG_BYTES_MAX) throw new SyscallError(E2BIG, "spawn: arguments too long");
  }
  return job;
}
