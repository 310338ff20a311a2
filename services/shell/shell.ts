/**
 * The interpreter: runs parsed input (syntax.ts) with its variables, working directory, jobs
 * and builtins. Every program runs as a job the kernel spawns (os.ts); a builtin's output that
 * must go into a pipe or a file is printed by a process in its place. Job control follows
 * POSIX sh: each pipeline is a process group; the foreground one owns the terminal, ^Z stops
 * it (it becomes a stopped job), `fg`/`bg` continue it, `&` starts one in the background.
 */

import { JOB_EVENT, type JobProcess, type Redirect, type Run } from "../../abi/process.ts";
import { SUPERVISE, SYSTEM_TABLES } from "../../abi/ipc.ts";
import { expandOne, expandWords, type Expansions } from "./expand.ts";
import { query, QueryError, type Table } from "./query.ts";
import type { JobEvent, Processes, TerminalPort } from "./os.ts";
import { type AndOr, type Command, parse, type Pipeline, ShellSyntaxError } from "./syntax.ts";

const SIGKILL = 9;
const SIGTERM = 15;
const SIGCONT = 18;
const SIGNALS: Record<string, number> = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  KILL: SIGKILL,
  TERM: SIGTERM,
  CONT: SIGCONT,
  STOP: 19,
  TSTP: 20,
};
/** Linux's open(2) flags, as launch passes them on. */
const O = { RDONLY: 0, WRONLY: 1, RDWR: 2, CREAT: 0o100, TRUNC: 0o1000, APPEND: 0o2000 };

/** A job: a pipeline running as one process group. */
interface Job {
  id: number;
  pgid: number;
  text: string;
  /** Each process's status once it ended (undefined while it runs). */
  ended: Map<number, number | undefined>;
  last: number;
  stopped: boolean;
  /** Output captured for the shell ($(...), globbing, completion). */
  captured?: Uint8Array[];
  captureDone?: boolean;
}

/** Commands the shell runs itself. */
const BUILTINS = [
  "cd",
  "pwd",
  "export",
  "unset",
  "exit",
  "jobs",
  "fg",
  "bg",
  "wait",
  "history",
  "exec",
  "sh",
  ".",
  "source",
  "poweroff",
  "kill",
  "query",
  "svc",
];

/** Thrown by `exit` (and the end of `exec`): the shell ends with this status. */
export class ShellExit extends Error {
  constructor(readonly status: number) {
    super(`exit ${status}`);
  }
}

export class Shell {
  readonly vars = new Map<string, string>();
  readonly exported = new Set<string>();
  cwd = "/";
  status = 0;
  private readonly jobs = new Map<number, Job>();
  private readonly byPid = new Map<number, Job>();
  private nextJob = 1;
  /** Lines of history, for `history` (the editor keeps its own copy for ↑/↓). */
  history: string[] = [];

  constructor(
    private readonly procs: Processes,
    private readonly tty: TerminalPort,
    readonly interactive: boolean,
    private readonly historyFile: string | undefined,
  ) {}

  // ------------------------------------------------------------ running input

  /** Runs a piece of input (a line or a script); a syntax error is reported, status 2. */
  async run(src: string): Promise<number> {
    const lists = await this.parsed(src);
    if (!lists) return this.status = 2;
    for (const list of lists) await this.andOr(list);
    return this.status;
  }

  /** `src` parsed, or undefined after saying what its syntax error is. */
  private async parsed(src: string): Promise<AndOr[] | undefined> {
    try {
      return parse(src);
    } catch (e) {
      if (!(e instanceof ShellSyntaxError)) throw e;
      await this.error(e.message);
      return undefined;
    }
  }

  private async andOr(list: AndOr): Promise<void> {
    if (list.background) {
      const job = await this.start(list.first, list.text, 0);
      if (job) {
        if (this.interactive) await this.say(`[${job.id}] ${job.pgid}\n`);
        this.status = 0;
      }
      return;
    }
    await this.pipeline(list.first, list.text);
    for (const { op, pipeline } of list.rest) {
      if ((op === "&&") !== (this.status === 0)) continue;
      await this.pipeline(pipeline, list.text);
    }
  }

  private async pipeline(p: Pipeline, text: string): Promise<void> {
    const only = p.commands.length === 1 ? p.commands[0] : undefined;
    if (only && only.words.length === 0 && only.redirections.length === 0) {
      for (const a of only.assignments) this.set(a.name, await expandOne(a.value, this.x()));
      this.status = 0;
    } else {
      const name = only && only.words.length > 0 ? await expandOne(only.words[0], this.x()) : "";
      if (only && BUILTINS.includes(name) && only.redirections.length === 0) {
        const args = await expandWords(only.words, this.x());
        this.status = await this.builtin(args, true);
      } else {
        const job = await this.start(p, text, 0);
        this.status = job ? await this.foreground(job) : 1;
      }
    }
    if (p.negate) this.status = this.status === 0 ? 1 : 0;
  }

  /** Starts pipeline `p` as a job (pgid 0: a new group). Undefined if it could not start. */
  private async start(
    p: Pipeline,
    text: string,
    pgid: number,
    capture = false,
  ): Promise<Job | undefined> {
    const procs: JobProcess[] = [];
    for (const c of p.commands) procs.push(await this.process(c));
    return await this.launch(procs, text, pgid, capture);
  }

  private async launch(
    procs: JobProcess[],
    text: string,
    pgid: number,
    capture: boolean,
  ): Promise<Job | undefined> {
    try {
      const started = await this.procs.spawn({
        term: this.tty.term,
        cwd: this.cwd,
        env: this.environment(),
        pgid,
        capture,
        procs,
      });
      const job: Job = {
        id: capture ? 0 : this.freeJobId(),
        pgid: started.pgid,
        text,
        ended: new Map(started.pids.map((pid) => [pid, undefined])),
        last: started.pids[started.pids.length - 1],
        stopped: false,
        captured: capture ? [] : undefined,
      };
      if (!capture) this.jobs.set(job.id, job);
      for (const pid of started.pids) this.byPid.set(pid, job);
      return job;
    } catch (e) {
      await this.error(`cannot run ${text}: ${e instanceof Error ? e.message : e}`);
      return undefined;
    }
  }

  /** What one command of a pipeline runs, with its redirections. */
  private async process(c: Command): Promise<JobProcess> {
    const x = this.x();
    const args = await expandWords(c.words, x);
    const redirects: Redirect[] = [];
    for (const r of c.redirections) {
      const target = await expandOne(r.target, x);
      if (r.op === "<&" || r.op === ">&") {
        if (target === "-") redirects.push({ fd: r.fd, close: true });
        else if (/^[0-9]+$/.test(target)) redirects.push({ fd: r.fd, dup: Number(target) });
        else redirects.push({ fd: r.fd, open: target, flags: O.WRONLY | O.CREAT | O.TRUNC });
        continue;
      }
      const flags = {
        "<": O.RDONLY,
        ">": O.WRONLY | O.CREAT | O.TRUNC,
        ">>": O.WRONLY | O.CREAT | O.APPEND,
        "<>": O.RDWR | O.CREAT,
      }[r.op];
      redirects.push({ fd: r.fd, open: target, flags });
    }
    let run: Run;
    if (args.length === 0) run = { check: true };
    else if (BUILTINS.includes(args[0])) run = { print: await this.builtinOutput(args) };
    else run = { exec: args[0], argv: args };
    const env: string[] = [];
    for (const a of c.assignments) env.push(`${a.name}=${await expandOne(a.value, x)}`);
    if (env.length > 0 && "exec" in run) {
      run = { exec: "env", argv: ["env", ...env, ...args] };
    }
    return { run, redirects };
  }

  /** Waits for a foreground job to end or stop; its status. */
  private async foreground(job: Job): Promise<number> {
    await this.tty.setForeground(job.pgid).catch(() => {});
    await this.until(() => job.stopped || this.done(job));
    await this.tty.setForeground(this.procs.sid).catch(() => {});
    if (job.stopped) {
      await this.say(`\n[${job.id}]+  Stopped                 ${job.text}\n`);
      return 128 + 20;
    }
    this.forget(job);
    return job.ended.get(job.last) ?? 0;
  }

  private done(job: Job): boolean {
    return [...job.ended.values()].every((s) => s !== undefined);
  }

  private forget(job: Job): void {
    this.jobs.delete(job.id);
    for (const pid of job.ended.keys()) this.byPid.delete(pid);
  }

  /** Processes events until `ready()`. */
  private async until(ready: () => boolean): Promise<void> {
    for (;;) {
      await this.drain();
      if (ready()) return;
      await this.procs.events.wait();
    }
  }

  /** Takes every waiting event and capture. */
  private async drain(): Promise<void> {
    for (let e = await this.procs.nextEvent(); e; e = await this.procs.nextEvent()) {
      this.event(e);
    }
    for (const job of this.byPid.values()) {
      if (!job.captured || job.captureDone) continue;
      for (;;) {
        const { bytes, ended } = await this.procs.capture(job.pgid);
        if (bytes.length > 0) job.captured.push(bytes);
        if (ended) job.captureDone = true;
        if (ended || bytes.length === 0) break;
      }
    }
  }

  private event(e: JobEvent): void {
    const job = this.byPid.get(e.pid);
    if (!job) return;
    switch (e.kind) {
      case JOB_EVENT.EXITED:
        job.ended.set(e.pid, e.status);
        break;
      case JOB_EVENT.KILLED:
        job.ended.set(e.pid, 128 + e.status);
        break;
      case JOB_EVENT.STOPPED:
        job.stopped = true;
        break;
      case JOB_EVENT.CONTINUED:
        job.stopped = false;
        break;
    }
  }

  /**
   * Takes over the jobs of the session's last shell (this one is a restart): every process
   * group of the session becomes a job again, and one that has the terminal is waited for as
   * the foreground job. Returns how many were adopted.
   */
  async adopt(): Promise<number> {
    const procs = JSON.parse(await this.procs.table(SYSTEM_TABLES.indexOf("procs"))) as Table;
    const col = (name: string) => procs.columns.indexOf(name);
    const groups = new Map<number, { pids: number[]; text: string; stopped: boolean }>();
    for (const row of procs.rows) {
      if (row[col("sid")] !== this.procs.sid || row[col("state")] === "Z") continue;
      const pgid = row[col("pgid")] as number;
      const g = groups.get(pgid) ?? { pids: [], text: "", stopped: false };
      g.pids.push(row[col("pid")] as number);
      if (row[col("pid")] === pgid) g.text = String(row[col("cmdline")]);
      if (row[col("state")] === "T") g.stopped = true;
      groups.set(pgid, g);
    }
    let foreground: Job | undefined;
    for (const [pgid, g] of groups) {
      const job: Job = {
        id: this.freeJobId(),
        pgid,
        text: g.text || `(process group ${pgid})`,
        ended: new Map(g.pids.map((pid) => [pid, undefined])),
        last: Math.max(...g.pids),
        stopped: g.stopped,
      };
      this.jobs.set(job.id, job);
      for (const pid of g.pids) this.byPid.set(pid, job);
      if (pgid === this.tty.foreground) foreground = job;
    }
    if (foreground) this.status = await this.foreground(foreground);
    else if (this.tty.foreground !== this.procs.sid) await this.tty.setForeground(this.procs.sid);
    return groups.size;
  }

  /** Reports background jobs that ended since the last prompt. */
  async reapBackground(): Promise<void> {
    await this.drain();
    for (const job of [...this.jobs.values()]) {
      if (!this.done(job)) continue;
      this.forget(job);
      if (this.interactive) await this.say(`[${job.id}]+  Done                    ${job.text}\n`);
    }
  }

  /** Runs processes with their output captured; returns it. */
  async capture(procs: JobProcess[]): Promise<string> {
    const job = await this.launch(procs, "", 0, true);
    if (!job) return "";
    await this.until(() => this.done(job) && job.captureDone === true);
    this.forget(job);
    const parts = job.captured ?? [];
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    return new TextDecoder().decode(all);
  }

  // ------------------------------------------------------------ state

  private x(): Expansions {
    return {
      param: (name) => this.param(name),
      command: async (src) => {
        const inner = this.child();
        const lists = await this.parsed(src);
        if (!lists) return "";
        const procs: JobProcess[] = [];
        for (const list of lists) {
          for (const c of list.first.commands) procs.push(await inner.process(c));
        }
        return procs.length > 0 ? await this.capture(procs) : "";
      },
      glob: async (patterns) => {
        return regroup(await this.capture([{ run: { glob: patterns }, redirects: [] }]));
      },
      home: () => this.vars.get("HOME") ?? "/",
    };
  }

  private param(name: string): string | undefined {
    if (name === "?") return String(this.status);
    if (name === "$") return String(this.procs.sid);
    if (name === "0") return "sh";
    return this.vars.get(name);
  }

  set(name: string, value: string): void {
    this.vars.set(name, value);
  }

  private environment(): string[] {
    return [...this.exported].filter((k) => this.vars.has(k)).map((k) =>
      `${k}=${this.vars.get(k)}`
    );
  }

  private freeJobId(): number {
    let id = 1;
    while (this.jobs.has(id)) id++;
    this.nextJob = Math.max(this.nextJob, id + 1);
    return id;
  }

  async say(text: string): Promise<void> {
    await this.tty.write(text);
  }

  async error(text: string): Promise<void> {
    await this.say(`sh: ${text}\n`);
  }

  // ------------------------------------------------------------ builtins

  /** A builtin's output as text (for a pipe or a redirection). */
  private async builtinOutput(args: string[]): Promise<string> {
    const lines: string[] = [];
    const saved = this.say;
    this.say = (text: string) => {
      lines.push(text);
      return Promise.resolve();
    };
    try {
      await this.builtin(args, false);
    } finally {
      this.say = saved;
    }
    return lines.join("");
  }

  private job(spec: string | undefined): Job | undefined {
    if (spec === undefined) return [...this.jobs.values()].pop();
    return this.jobs.get(Number(spec.replace(/^%/, "")));
  }

  /** Runs builtin `args[0]`; `here`: in this shell (else its output is all that matters). */
  private async builtin(args: string[], here: boolean): Promise<number> {
    const [name, ...rest] = args;
    switch (name) {
      case "cd": {
        const target = rest[0] ?? this.vars.get("HOME") ?? "/";
        const path = normalize(target.startsWith("/") ? target : `${this.cwd}/${target}`);
        const status = await this.check(path);
        if (status === 0 && here) {
          this.vars.set("OLDPWD", this.cwd);
          this.cwd = path;
          this.vars.set("PWD", path);
        }
        return status;
      }
      case "pwd":
        await this.say(`${this.cwd}\n`);
        return 0;
      case "export":
        for (const a of rest) {
          const eq = a.indexOf("=");
          const key = eq < 0 ? a : a.slice(0, eq);
          if (eq >= 0) this.vars.set(key, a.slice(eq + 1));
          this.exported.add(key);
        }
        if (rest.length === 0) {
          for (const k of [...this.exported].sort()) {
            if (this.vars.has(k)) await this.say(`export ${k}="${this.vars.get(k)}"\n`);
          }
        }
        return 0;
      case "unset":
        for (const a of rest) {
          this.vars.delete(a);
          this.exported.delete(a);
        }
        return 0;
      case "exit":
        if (here) throw new ShellExit(rest[0] !== undefined ? Number(rest[0]) & 0xff : this.status);
        return 0;
      case "poweroff":
        if (here) throw new ShellExit(rest[0] !== undefined ? Number(rest[0]) & 0xff : 0);
        return 0;
      case "jobs":
        for (const job of this.jobs.values()) {
          const state = job.stopped ? "Stopped" : this.done(job) ? "Done" : "Running";
          await this.say(`[${job.id}]  ${state.padEnd(24)}${job.text}\n`);
        }
        return 0;
      case "fg":
      case "bg": {
        const job = this.job(rest[0]);
        if (!job) {
          await this.error(`${name}: no such job`);
          return 1;
        }
        if (name === "fg") {
          await this.say(`${job.text}\n`);
          // The terminal first: continued in the background, a read would stop it again.
          await this.tty.setForeground(job.pgid).catch(() => {});
          job.stopped = false;
          await this.procs.signal(job.pgid, SIGCONT);
          return await this.foreground(job);
        }
        job.stopped = false;
        await this.procs.signal(job.pgid, SIGCONT);
        await this.say(`[${job.id}]+ ${job.text} &\n`);
        return 0;
      }
      case "wait":
        for (const job of [...this.jobs.values()]) {
          if (job.stopped) continue;
          await this.until(() => this.done(job));
          this.forget(job);
        }
        return 0;
      case "kill": {
        let signal = SIGTERM;
        let status = 0;
        for (const a of rest) {
          if (a.startsWith("-") && signal === SIGTERM) {
            const s = a.slice(1).toUpperCase().replace(/^SIG/, "");
            signal = /^[0-9]+$/.test(s) ? Number(s) : SIGNALS[s] ?? -1;
            if (signal < 0) {
              await this.error(`kill: ${a}: invalid signal`);
              return 1;
            }
            continue;
          }
          const job = a.startsWith("%") ? this.job(a) : undefined;
          const target = job ? job.pgid : -Number(a);
          try {
            if (!Number.isInteger(target) || target === 0) {
              throw new Error("arguments must be process or job IDs");
            }
            await this.procs.signal(target, signal);
            if (job && signal !== SIGCONT) job.stopped = false;
          } catch (e) {
            await this.error(`kill: ${a}: ${e instanceof Error ? e.message : e}`);
            status = 1;
          }
        }
        return status;
      }
      case "query": {
        if (rest.length !== 1) {
          await this.error(
            "usage: query 'SELECT ... FROM table ...' (tables: " +
              [...SYSTEM_TABLES, "mounts"].join(", ") + ")",
          );
          return 2;
        }
        try {
          await this.say(await query(rest[0], (table) => this.table(table)));
          return 0;
        } catch (e) {
          if (!(e instanceof QueryError)) throw e;
          await this.error(`query: ${e.message}`);
          return 1;
        }
      }
      case "svc": {
        const ops: Record<string, number> = {
          kill: SUPERVISE.KILL,
          crash: SUPERVISE.CRASH,
          hang: SUPERVISE.HANG,
          restart: SUPERVISE.RESTART,
        };
        if (rest[0] === "list" && rest.length === 1) {
          return await this.builtin([
            "query",
            "select name, state, restarts, uptime_ms, last_cause from services",
          ], here);
        }
        if (rest.length !== 2 || ops[rest[0]] === undefined) {
          await this.error("usage: svc list | svc kill|crash|hang|restart NAME");
          return 2;
        }
        try {
          await this.procs.supervise(ops[rest[0]], rest[1]);
          return 0;
        } catch (e) {
          await this.error(`svc: ${e instanceof Error ? e.message : e}`);
          return 1;
        }
      }
      case "history":
        for (const [i, line] of this.history.entries()) {
          await this.say(`${String(i + 1).padStart(5)}  ${line}\n`);
        }
        return 0;
      case "exec": {
        if (rest.length === 0) return 0;
        const status = await this.runArgs(rest);
        if (here) throw new ShellExit(status);
        return status;
      }
      case "sh":
      case ".":
      case "source": {
        if (rest.length === 0) {
          await this.error(`${name}: a file is needed`);
          return 2;
        }
        const text = await this.capture([{
          run: { exec: "cat", argv: ["cat", rest[0]] },
          redirects: [],
        }]);
        const shell = name === "sh" ? this.child() : this;
        try {
          return await shell.run(text);
        } catch (e) {
          if (e instanceof ShellExit && name === "sh") return e.status;
          throw e;
        }
      }
    }
    return 127;
  }

  /** A table for `query`: the kernel's, or the VFS's mounts (from /proc/mounts). */
  private async table(name: string): Promise<Table> {
    if (name === "mounts") {
      const text = await this.capture([{
        run: { exec: "cat", argv: ["cat", "/proc/mounts"] },
        redirects: [],
      }]);
      return {
        columns: ["source", "target", "type", "options"],
        rows: text.split("\n").filter((l) => l !== "").map((l) => l.split(" ").slice(0, 4)),
      };
    }
    const index = (SYSTEM_TABLES as readonly string[]).indexOf(name);
    if (index < 0) throw new QueryError(`no table ${name}`);
    return JSON.parse(await this.procs.table(index)) as Table;
  }

  /** A program run from argv as a foreground job (for `exec`). */
  private async runArgs(args: string[]): Promise<number> {
    const job = await this.launch(
      [{ run: { exec: args[0], argv: args }, redirects: [] }],
      args.join(" "),
      0,
      false,
    );
    return job ? await this.foreground(job) : 127;
  }

  /** Whether `dir` is a directory the shell may enter (the check runs as a process). */
  private async check(dir: string): Promise<number> {
    const saved = this.cwd;
    this.cwd = dir;
    try {
      const job = await this.launch(
        [{ run: { check: true }, redirects: [] }],
        `cd ${dir}`,
        0,
        false,
      );
      return job ? await this.foreground(job) : 1;
    } finally {
      this.cwd = saved;
    }
  }

  /** A non-interactive copy of this shell, for `sh FILE` and `$(...)`. */
  private child(): Shell {
    const s = new Shell(this.procs, this.tty, false, undefined);
    s.cwd = this.cwd;
    for (const [k, v] of this.vars) s.vars.set(k, v);
    for (const k of this.exported) s.exported.add(k);
    return s;
  }

  /** Appends a line to the history file (without waiting for it). */
  async remember(line: string): Promise<void> {
    this.history.push(line);
    if (!this.historyFile) return;
    await this.launch(
      [{
        run: { print: `${line}\n` },
        redirects: [{ fd: 1, open: this.historyFile, flags: O.WRONLY | O.CREAT | O.APPEND }],
      }],
      "",
      0,
      false,
    ).then((job) => {
      if (job) this.jobs.delete(job.id);
    });
  }

  /** The history file's lines. */
  async loadHistory(): Promise<string[]> {
    if (!this.historyFile) return [];
    const text = await this.capture([{
      run: { exec: "cat", argv: ["cat"] },
      redirects: [{ fd: 0, open: this.historyFile, flags: O.RDONLY | O.CREAT }, {
        fd: 2,
        open: "/dev/null",
        flags: O.WRONLY,
      }],
    }]);
    this.history = text.split("\n").filter((l) => l !== "");
    return this.history;
  }

  /** Tab completion: commands for the first word, paths otherwise. */
  async complete(line: string, cursor: number): Promise<{ start: number; items: string[] }> {
    const before = line.slice(0, cursor);
    const start = before.search(/\S*$/);
    const word = before.slice(start);
    const first = before.slice(0, start).trim() === "" && !word.includes("/");
    const slash = word.lastIndexOf("/");
    const dir = slash >= 0 ? word.slice(0, slash + 1) : "";
    const dirs = first ? (this.vars.get("PATH") ?? "/bin").split(":") : [dir || "."];
    const names = new Set<string>(first ? BUILTINS.filter((b) => b.startsWith(word)) : []);
    for (const d of dirs) {
      const full = d.startsWith("/") ? d : `${this.cwd}/${d}`;
      const out = await this.capture([{
        run: { list: full },
        redirects: [{ fd: 2, open: "/dev/null", flags: O.WRONLY }],
      }]);
      for (const entry of out.split("\0")) {
        const base = word.slice(slash + 1);
        if (entry === "" || !entry.startsWith(base)) continue;
        if (entry.startsWith(".") && !base.startsWith(".")) continue;
        names.add(first ? entry.replace(/\/$/, "") : dir + entry);
      }
    }
    return { start, items: [...names].sort() };
  }
}

/** Splits launch's glob output (names, an empty one after each pattern's) into groups. */
function regroup(out: string): string[][] {
  const groups: string[][] = [[]];
  for (const name of out.split("\0").slice(0, -1)) {
    if (name === "") groups.push([]);
    else groups[groups.length - 1].push(name);
  }
  return groups.slice(0, -1);
}

/** `a/./b/../c` → `a/c`, absolute. */
export function normalize(path: string): string {
  const parts: string[] = [];
  for (const p of path.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}
