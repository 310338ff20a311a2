/**
 * The system's state as tables (the DBOS idea): processes, threads, harts, services, IPC
 * endpoints and connections, open files — named columns and rows of numbers and strings, read
 * whole by a service with the "sysinfo" privilege (SYSINFO.TABLE, as JSON) and queried with
 * SQL by the shell's `query`. The mount table is the VFS's (/proc/mounts), not the kernel's:
 * the shell reads it from there.
 */

import { Clock } from "../machine/clock.ts";
import { PAGE_SIZE } from "../machine/memory_map.ts";
import { EINVAL, SyscallError } from "./errno.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { stateLetter } from "./sysinfo.ts";
import { SYSTEM_TABLES, type SystemTableName } from "../abi/ipc.ts";

export type Cell = number | string;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

const ms = (ticks: number) => Math.round(Clock.ticksToMs(ticks));
const kb = (pages: number) => (pages * PAGE_SIZE) / 1024;

function cpuTicks(p: Process): number {
  let ticks = p.group.usage.cpuTicks;
  for (const t of p.group.members) ticks += t.counters.cpuTicks;
  return ticks;
}

function procs(k: Kernel): Table {
  const rows: Cell[][] = [];
  for (const p of k.procs.values()) {
    if (!p.isLeader) continue;
    const g = p.group;
    rows.push([
      p.pid,
      p.ppid,
      g.pgid,
      g.sid,
      p.name,
      stateLetter(p),
      Math.max(1, g.members.size),
      p.nice,
      p.hart,
      kb(p.as.residentPages),
      ms(cpuTicks(p)),
      ms(p.startTicks),
      p.cmdline.join(" "),
    ]);
  }
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
      "cpu_ms",
      "start_ms",
      "cmdline",
    ],
    rows,
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
    columns: ["name", "state", "restarts", "uptime_ms", "isolation"],
    rows: k.services.table().map((s) => [s.name, s.state, s.restarts, s.uptimeMs, s.isolation]),
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
  files,
};

/** Table number `index` of SYSTEM_TABLES, as JSON; EINVAL for another number. */
export function systemTable(k: Kernel, index: number): string {
  const name = SYSTEM_TABLES[index];
  if (name === undefined) throw new SyscallError(EINVAL, `no table ${index}`);
  return JSON.stringify(TABLES[name](k));
}
