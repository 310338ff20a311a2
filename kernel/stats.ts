/**
 * Counters made readable: per-hart and per-process tables, as `deno task rv32 --stats` prints
 * them when the system ends.
 */

import { Clock } from "../machine/clock.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { syscallName } from "./syscalls/numbers.ts";

/** What is kept of a thread after it has gone. */
export interface ProcSummary {
  tid: number;
  pid: number;
  name: string;
  instructions: number;
  syscalls: number;
  pageFaults: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
  cpuMs: number;
  /** Exit status, or 128 + signal. */
  status: number;
}

/** Most finished threads remembered. */
export const HISTORY_MAX = 1024;

/** A summary of `p`, taken as it exits. */
export function summarize(p: Process): ProcSummary {
  const c = p.counters;
  return {
    tid: p.tid,
    pid: p.pid,
    name: p.name,
    instructions: c.instructions,
    syscalls: c.syscalls,
    pageFaults: c.pageFaults,
    voluntarySwitches: c.voluntarySwitches,
    involuntarySwitches: c.involuntarySwitches,
    cpuMs: Clock.ticksToMs(c.cpuTicks),
    status: p.group.killedBy ? 128 + p.group.killedBy : p.exitStatus,
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])).join("  ")
  )
    .join("\n");
}

/** Per-hart counters, the busiest finished processes, and the commonest system calls. */
export function formatStats(k: Kernel): string {
  const harts = [[
    "hart",
    "instructions",
    "switches",
    "timer",
    "ipi",
    "external",
    "exceptions",
    "syscalls",
    "idle ms",
  ]];
  k.hartCounters.forEach((c, h) =>
    harts.push([
      String(h),
      String(c.instructions),
      String(c.contextSwitches),
      String(c.timerInterrupts),
      String(c.softwareInterrupts),
      String(c.externalInterrupts),
      String(c.exceptions),
      String(c.syscalls),
      Clock.ticksToMs(c.idleTicks).toFixed(0),
    ])
  );
  const procs = [[
    "tid",
    "pid",
    "name",
    "instructions",
    "syscalls",
    "faults",
    "vcsw",
    "ivcsw",
    "cpu ms",
    "exit",
  ]];
  const busiest = [...k.history].sort((a, b) => b.instructions - a.instructions).slice(0, 20);
  for (const s of busiest) {
    procs.push([
      String(s.tid),
      String(s.pid),
      s.name,
      String(s.instructions),
      String(s.syscalls),
      String(s.pageFaults),
      String(s.voluntarySwitches),
      String(s.involuntarySwitches),
      s.cpuMs.toFixed(1),
      String(s.status),
    ]);
  }
  const calls = [["syscall", "count"]];
  for (const [nr, n] of [...k.syscallTotals].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    calls.push([syscallName(nr), String(n)]);
  }
  return [
    "harts:",
    table(harts),
    `processes (${k.history.length} finished, busiest first):`,
    table(procs),
    "system calls:",
    table(calls),
    `tlb shootdowns by IPI: ${k.shootdown.remoteFlushes}`,
    `kernel faults contained: ${k.containedFaults}`,
  ].join("\n");
}
