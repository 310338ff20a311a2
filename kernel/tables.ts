/**
 * The system's state as tables (the DBOS idea), and the facts about processes that /proc's
 * text tables (sysinfo.ts) are made from too: processes, threads, harts, services, IPC
 * endpoints and connections, open files — named columns and rows of numbers and strings, read
 * whole by a service with the "sysinfo" privilege (SYSINFO.TABLE, as JSON) and queried with
 * SQL by the shell's `query`. The mount table is the VFS's (/proc/mounts), not the kernel's:
 * the shell reads it from there.
 */

import { Clock } from "../machine/clock.ts";
import { PAGE_SIZE } from "../machine/memory_map.ts";
import { EINVAL, SyscallError } from "./errno.ts";
import { LATENCY_BUCKETS_US } from "./ipc/kernel_client.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { SYSTEM_TABLES, type SystemTableName } from "../abi/ipc.ts";

export type Cell = number | string;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

const ms = (ticks: number) => Math.round(Clock.ticksToMs(ticks));
const kb = (pages: number) => (pages * PAGE_SIZE) / 1024;

/** One-letter states, as in /proc/PID/stat. */
const STATE_LETTER: Record<string, string> = {
  NEW: "R",
  READY: "R",
  RUNNING: "R",
  BLOCKED: "D",
  WAITING: "S",
  SLEEPING: "S",
  ZOMBIE: "Z",
};

/** The letter for `p`'s state (T for a stopped group, S for a blocked interruptible call). */
export function stateLetter(p: Process): string {
  if (p.group.stopped && p.state !== "ZOMBIE") return "T";
  if (p.state === "BLOCKED" && p.blocking && !p.blocking.uninterruptible) return "S";
  return STATE_LETTER[p.state] ?? "?";
}

/** Threads of `p`'s group (at least 1: the leader, even as a zombie). */
export function threadsOf(p: Process): number {
  return Math.max(1, p.group.members.size);
}

/** CPU time of `p`'s group, the ended threads' included, in mtime ticks. */
function cpuTicksOf(p: Process): number {
  let ticks = p.group.usage.cpuTicks;
  for (const t of p.group.members) ticks += t.counters.cpuTicks;
  return ticks;
}

/** What the kernel knows of a process (a group leader): one place for /proc, ps and query. */
export interface ProcessFacts {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  name: string;
  state: string;
  threads: number;
  nice: number;
  hart: number;
  rssPages: number;
  cpuTicks: number;
  startTicks: number;
  /** Pages of its address space that are mapped (its virtual size). */
  vmPages: number;
  cmdline: string[];
}

export function processFacts(k: Kernel): ProcessFacts[] {
  const out: ProcessFacts[] = [];
  for (const p of k.procs.values()) {
    if (!p.isLeader) continue;
    out.push({
      pid: p.pid,
      ppid: p.ppid,
      pgid: p.group.pgid,
      sid: p.group.sid,
      name: p.name,
      state: stateLetter(p),
      threads: threadsOf(p),
      nice: p.nice,
      hart: p.hart,
      rssPages: p.as.residentPages,
      cpuTicks: cpuTicksOf(p),
      startTicks: p.startTicks,
      vmPages: p.as.vmas.reduce((n, v) => n + (v.end - v.start) / PAGE_SIZE, 0),
      cmdline: p.cmdline,
    });
  }
  return out;
}

function procs(k: Kernel): Table {
  return {
    columns: [
      "pid",
      "ppid",
      "pgid",
      "sid",
      "name",
      "state",
      "threads",
      "nice",
      "hart",
      "rss_kb",
      "vm_kb",
      "cpu_ms",
      "start_ms",
      "cmdline",
    ],
    rows: processFacts(k).map((f) => [
      f.pid,
      f.ppid,
      f.pgid,
      f.sid,
      f.name,
      f.state,
      f.threads,
      f.nice,
      f.hart,
      kb(f.rssPages),
      kb(f.vmPages),
      ms(f.cpuTicks),
      ms(f.startTicks),
      f.cmdline.join(" "),
    ]),
  };
}

function threads(k: Kernel): Table {
  const rows: Cell[][] = [];
  for (const t of k.procs.values()) {
    if (t.state === "ZOMBIE" && !t.isLeader) continue;
    rows.push([
      t.tid,
      t.pid,
      t.name,
      stateLetter(t),
      t.hart,
      ms(t.counters.cpuTicks),
      t.counters.syscalls,
      t.counters.instructions,
    ]);
  }
  return {
    columns: ["tid", "pid", "name", "state", "hart", "cpu_ms", "syscalls", "instructions"],
    rows,
  };
}

function harts(k: Kernel): Table {
  return {
    columns: [
      "hart",
      "running",
      "instructions",
      "user_ms",
      "system_ms",
      "idle_ms",
      "switches",
      "interrupts",
      "syscalls",
    ],
    rows: k.hartCounters.map((c, h) => [
      h,
      k.executing[h] ? k.sched.current[h]?.tid ?? 0 : 0,
      c.instructions,
      ms(c.userTicks + c.niceTicks),
      ms(c.systemTicks),
      ms(c.idleTicks),
      c.contextSwitches,
      c.timerInterrupts + c.softwareInterrupts + c.externalInterrupts,
      c.syscalls,
    ]),
  };
}

function services(k: Kernel): Table {
  return {
    columns: ["name", "state", "restarts", "uptime_ms", "isolation", "last_cause"],
    rows: k.services.table().map((s) => [
      s.name,
      s.state,
      s.restarts,
      s.uptimeMs,
      s.isolation,
      k.supervisor.cause(s.name) ?? "",
    ]),
  };
}

function endpoints(k: Kernel): Table {
  return {
    columns: ["name", "server", "connections"],
    rows: [...k.ipc.names.values()].map((e) => [
      e.name,
      e.server?.alive ? e.server.name : "",
      e.connections.size,
    ]),
  };
}

function connections(k: Kernel): Table {
  return {
    // The rings' free-running indices count every message pushed (modulo 2^32).
    columns: ["id", "endpoint", "client", "server", "requests", "replies", "queued"],
    rows: [...k.ipc.connections.values()].map((c) => [
      c.id,
      c.endpoint.name,
      c.client.name,
      c.server.name,
      c.channel.requests.tail >>> 0,
      c.channel.replies.tail >>> 0,
      c.channel.requests.size,
    ]),
  };
}

/** The kernel's calls to each service by latency, a histogram: one row per bucket. */
function latency(k: Kernel): Table {
  const rows: Cell[][] = [];
  for (const [service, counts] of k.client.latency) {
    counts.forEach((n, i) => {
      const below = LATENCY_BUCKETS_US[i];
      rows.push([service, below ?? -1, n]);
    });
  }
  return { columns: ["service", "below_us", "calls"], rows };
}

function files(k: Kernel): Table {
  const rows: Cell[][] = [];
  for (const p of k.procs.values()) {
    if (!p.isLeader || p.state === "ZOMBIE") continue;
    for (const [fd, file] of p.fds.list()) rows.push([p.pid, fd, file.describe()]);
  }
  return { columns: ["pid", "fd", "target"], rows };
}

/** The tables, by name. */
const TABLES: Record<SystemTableName, (k: Kernel) => Table> = {
  procs,
  threads,
  harts,
  services,
  endpoints,
  connections,
  latency,
  files,
};

/** The system table `name`, built from the kernel's state now. */
export function tableOf(k: Kernel, name: SystemTableName): Table {
  return TABLES[name](k);
}

/** Table number `index` of SYSTEM_TABLES, as JSON; EINVAL for another number. */
export function systemTable(k: Kernel, index: number): string {
  const name = SYSTEM_TABLES[index];
  if (name === undefined) throw new SyscallError(EINVAL, `no table ${index}`);
  return JSON.stringify(tableOf(k, name));
}
