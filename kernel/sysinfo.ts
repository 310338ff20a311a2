/**
 * The kernel's tables as text, for procfs (the VFS's /proc) and anything else granted the
 * "sysinfo" privilege: processes, one process's status, argv, environment, memory areas and
 * descriptors, memory and hart totals, uptime, time per hart (stat), the load average, the
 * kernel log, and the service table. The text is written
 * into a region the asking service holds (CTL.SYSINFO), so a table of any size travels
 * without passing through a message.
 *
 * The formats follow Linux's /proc where one exists (status, maps, meminfo, cpuinfo, uptime,
 * stat, loadavg; the log as /dev/kmsg records), so programs that read /proc find what they
 * expect.
 */

import { Clock } from "../machine/clock.ts";
import { PAGE_SIZE } from "../machine/memory_map.ts";
import { PTE_R, PTE_W, PTE_X } from "../machine/mmu.ts";
import { EINVAL, ERANGE, ESRCH, SyscallError } from "./errno.ts";
import type { Party, Region } from "./ipc/objects.ts";
import type { HartCounters, Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { RIGHT, SYSINFO } from "../abi/ipc.ts";
import { processFacts, stateLetter, systemTable, threadsOf } from "./tables.ts";

function leader(k: Kernel, pid: number): Process {
  const p = k.procs.get(pid);
  if (!p || !p.isLeader) throw new SyscallError(ESRCH, `no process ${pid}`);
  return p;
}

/** The process table as text: one line per process, the facts tables.ts gathers. */
function procsTable(k: Kernel): string {
  return processFacts(k).map((f) =>
    [
      f.pid,
      f.ppid,
      f.pgid,
      f.sid,
      f.state,
      f.threads,
      f.nice,
      f.hart,
      f.rssPages,
      f.cpuTicks,
      f.startTicks,
      f.vmPages,
      f.name,
    ].join(" ") + "\n"
  ).join("");
}

function procStatus(k: Kernel, pid: number): string {
  const p = leader(k, pid);
  const g = p.group;
  const kb = (pages: number) => `${(pages * PAGE_SIZE) / 1024} kB`;
  return [
    `Name:\t${p.name}`,
    `State:\t${stateLetter(p)} (${p.state.toLowerCase()})`,
    `Tgid:\t${p.pid}`,
    `Pid:\t${p.pid}`,
    `PPid:\t${p.ppid}`,
    `Pgid:\t${g.pgid}`,
    `Sid:\t${g.sid}`,
    `Uid:\t0\t0\t0\t0`,
    `Gid:\t0\t0\t0\t0`,
    `VmHWM:\t${kb(p.as.maxResidentPages)}`,
    `VmRSS:\t${kb(p.as.residentPages)}`,
    `Threads:\t${threadsOf(p)}`,
    `Nice:\t${p.nice}`,
    `Cpus_allowed:\t${(p.affinity >>> 0).toString(16)}`,
    `voluntary_ctxt_switches:\t${p.counters.voluntarySwitches}`,
    `nonvoluntary_ctxt_switches:\t${p.counters.involuntarySwitches}`,
    "",
  ].join("\n");
}

function maps(k: Kernel, pid: number): string {
  const p = leader(k, pid);
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  const names: Record<string, string> = {
    image: p.name,
    heap: "[heap]",
    stack: "[stack]",
    anon: "",
    trampoline: "[vdso]",
    region: "[ipc region]",
  };
  return p.as.vmas
    .slice()
    .sort((a, b) => a.start - b.start)
    .map((v) => {
      const perms = (v.prot & PTE_R ? "r" : "-") + (v.prot & PTE_W ? "w" : "-") +
        (v.prot & PTE_X ? "x" : "-") + (v.shared || v.kind === "region" ? "s" : "p");
      return `${hex(v.start)}-${hex(v.end)} ${perms} 00000000 00:00 0 ${names[v.kind]}`.trimEnd();
    })
    .join("\n") + "\n";
}

function fds(k: Kernel, pid: number): string {
  const p = leader(k, pid);
  return p.fds.list().map(([fd, file]) => `${fd} ${file.describe()}`).join("\n") + "\n";
}

function meminfo(k: Kernel): string {
  const kb = (bytes: number) => `${Math.floor(bytes / 1024)}`.padStart(8) + " kB";
  const total = k.machine.ram.size;
  const free = k.frames.available * PAGE_SIZE;
  const shared = k.machine.sharedBanks.reduce((n, b) => n + b.size, 0);
  return [
    `MemTotal:       ${kb(total)}`,
    `MemFree:        ${kb(free)}`,
    `MemAvailable:   ${kb(free)}`,
    `Shmem:          ${kb(shared)}`,
    `SwapTotal:      ${kb(0)}`,
    `SwapFree:       ${kb(0)}`,
    "",
  ].join("\n");
}

function cpuinfo(k: Kernel): string {
  const out: string[] = [];
  for (let h = 0; h < k.machine.harts; h++) {
    out.push(
      `processor\t: ${h}`,
      `hart\t\t: ${h}`,
      `isa\t\t: rv32imac_zicsr_zifencei`,
      `mmu\t\t: sv32`,
      `instructions\t: ${k.hartCounters[h].instructions}`,
      "",
    );
  }
  return out.join("\n");
}

function uptime(k: Kernel): string {
  const secs = Clock.ticksToMs(k.mtime()) / 1000;
  const idle = k.hartCounters.reduce((n, c) => n + Clock.ticksToMs(c.idleTicks) / 1000, 0);
  return `${secs.toFixed(2)} ${idle.toFixed(2)}\n`;
}

/** mtime ticks per USER_HZ (100 Hz) tick, the unit of /proc/stat and /proc/PID/stat. */
const TICKS_PER_USER_HZ = Clock.msToTicks(10);

type HartTimes = Pick<HartCounters, "userTicks" | "niceTicks" | "systemTicks" | "idleTicks">;

/** /proc/stat: each hart's time (and their sum) by kind, then the system's counts. */
function stat(k: Kernel): string {
  const hz = (ticks: number) => Math.floor(ticks / TICKS_PER_USER_HZ);
  // user nice system idle iowait irq softirq steal guest guest_nice
  const row = (c: HartTimes) =>
    [hz(c.userTicks), hz(c.niceTicks), hz(c.systemTicks), hz(c.idleTicks), 0, 0, 0, 0, 0, 0]
      .join(" ");
  const sum: HartTimes = { userTicks: 0, niceTicks: 0, systemTicks: 0, idleTicks: 0 };
  let interrupts = 0;
  let switches = 0;
  for (const c of k.hartCounters) {
    sum.userTicks += c.userTicks;
    sum.niceTicks += c.niceTicks;
    sum.systemTicks += c.systemTicks;
    sum.idleTicks += c.idleTicks;
    interrupts += c.timerInterrupts + c.softwareInterrupts + c.externalInterrupts;
    switches += c.contextSwitches;
  }
  return [
    `cpu  ${row(sum)}`,
    ...k.hartCounters.map((c, h) => `cpu${h} ${row(c)}`),
    `intr ${interrupts}`,
    `ctxt ${switches}`,
    `btime ${bootTime(k)}`,
    `processes ${k.tasksCreated}`,
    `procs_running ${k.runnableThreads()}`,
    `procs_blocked ${k.blockedThreads()}`,
    "",
  ].join("\n");
}

/** When the machine started, in seconds since the epoch (CLOCK_REALTIME at mtime 0). */
function bootTime(k: Kernel): number {
  return Number(k.realtimeOffsetNs / 1_000_000_000n);
}

/** /proc/loadavg: the three averages, runnable/all threads, the last thread id given. */
function loadavg(k: Kernel): string {
  k.sampleLoad();
  return `${k.loadavg.text()} ${k.runnableThreads()}/${k.procs.size} ${k.lastTid}\n`;
}

function services(k: Kernel): string {
  return k.services.table().map((s) =>
    `${s.name} ${s.state} ${s.restarts} ${s.uptimeMs} ${s.isolation}`
  ).join("\n") + "\n";
}

/** The text of table `kind` (SYSINFO) with its arguments. */
export function sysinfoText(k: Kernel, kind: number, args: number[]): string {
  const pid = args[0] ?? 0;
  switch (kind) {
    case SYSINFO.PROCS:
      return procsTable(k);
    case SYSINFO.PROC:
      return procStatus(k, pid);
    case SYSINFO.CMDLINE:
      return leader(k, pid).cmdline.map((a) => a + "\0").join("");
    case SYSINFO.ENVIRON:
      return leader(k, pid).environ.map((a) => a + "\0").join("");
    case SYSINFO.MAPS:
      return maps(k, pid);
    case SYSINFO.FDS:
      return fds(k, pid);
    case SYSINFO.MEMINFO:
      return meminfo(k);
    case SYSINFO.CPUINFO:
      return cpuinfo(k);
    case SYSINFO.UPTIME:
      return uptime(k);
    case SYSINFO.SERVICES:
      return services(k);
    case SYSINFO.STAT:
      return stat(k);
    case SYSINFO.LOADAVG:
      return loadavg(k);
    case SYSINFO.KMSG:
      return k.klog.text();
    case SYSINFO.TABLE:
      return systemTable(k, args[0] ?? -1);
    default:
      throw new SyscallError(EINVAL, `no table ${kind}`);
  }
}

/**
 * Writes table `kind` into `party`'s region `regionHandle` at `offset`, at most `max` bytes;
 * returns the table's full length (more than `max` means it was cut: ask again with room).
 */
export function writeSysinfo(
  k: Kernel,
  party: Party,
  kind: number,
  args: number[],
  regionHandle: number,
  offset: number,
  max: number,
): number {
  const { object: region } = party.handles.get<Region>(regionHandle, "region", RIGHT.WRITE);
  if (offset > region.size || max > region.size - offset) {
    throw new SyscallError(ERANGE, "range outside the region");
  }
  const text = new TextEncoder().encode(sysinfoText(k, kind, args));
  region.bank.u8.set(text.subarray(0, max), offset);
  return text.length;
}
