/**
 * `deno task bench sqlite`: SQLite on denix against the same ELF under qemu-riscv32 on host
 * files, and the same sources built natively, in one run. The workload is
 * userland/sqlite/sqlite_bench.c (built here with SQLite, scripts/sqlite.ts): 10,000 inserts in
 * one transaction, 500 one-row transactions (each fsync-bound), 5,000 indexed lookups, 5 full
 * scans. On the host each phase is timed inside the program (CLOCK_MONOTONIC). On denix it is
 * timed from the host, between the moments the program's lines appear on the console (polled
 * every ms), because in-line harts run on a machine clock that only the instructions move.
 * Booting does not count. denix runs as deployed (harts, drivers, VFS on their own threads, the
 * root file system and the database on an ext2 image file, as `deno task boot` has them) and again with in-line harts (every hart on the kernel's
 * thread, services still workers), which isolates the cost of the threaded trap path.
 *
 * Where the time goes, per phase, is printed above the table: for threaded harts, the time the
 * process was on its hart (the CPU tier, with the trap's way to the kernel) against the time it
 * was blocked; the system calls made, the calls the kernel sent to services (the VFS, mostly),
 * and the disk requests.
 */

import { DiskImage } from "../../machine/backends/disk_image.ts";
import type { BlockDevice } from "../../machine/block_device.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import { Clock } from "../../machine/clock.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { bootProgram, type BootSettings } from "../../tests/helpers/system.ts";
import { rootMounts } from "../deploy.ts";
import { linkWithSqlite } from "../sqlite.ts";
import { type Bench, type BenchResult, lowerIsBetter } from "./types.ts";

const SOURCE = new URL("../../userland/sqlite/sqlite_bench.c", import.meta.url).pathname;
const NAME = "sqlite_bench.elf";
const PHASES: Record<string, string> = {
  insert: "insert 10k rows, one transaction",
  commit: "500 one-row transactions",
  lookup: "5000 indexed lookups",
  scan: "5 full scans",
};

/** One phase's time and the program's own time in it, in ms, and what the kernel counted. */
interface Phase {
  wallMs: number;
  cpuMs: number;
  syscalls?: number;
  serviceCalls?: number;
  diskRequests?: number;
}

/** The program's lines "NAME WALL_US CPU_US". */
function parsePhase(line: string): [string, Phase] | undefined {
  const m = line.match(/^(\w+) (\d+) (\d+)$/);
  return m ? [m[1], { wallMs: Number(m[2]) / 1000, cpuMs: Number(m[3]) / 1000 }] : undefined;
}

async function onHost(cmd: string, args: string[], cwd: string): Promise<Map<string, Phase>> {
  const r = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder();
  if (!r.success) throw new Error(`${cmd} ${args.join(" ")}: ${text.decode(r.stderr)}`);
  return new Map(text.decode(r.stdout).split("\n").map(parsePhase).filter((p) => p !== undefined));
}

/** What the kernel has counted so far: the program's system calls and time on a hart. */
function counters(k: Kernel) {
  const disk = k.machine.devices.get("block0")?.model as BlockDevice | undefined;
  const program = [...k.procs.values()].find((p) => p.name === NAME)?.counters;
  return {
    at: performance.now(),
    syscalls: program?.syscalls ?? 0,
    cpuMs: Clock.ticksToMs(program?.cpuTicks ?? 0),
    serviceCalls: k.client.stats.calls,
    diskRequests: disk?.stats.requests ?? 0,
  };
}

/**
 * The program on denix, laid out as `deno task boot` lays out a system: a fresh ext2 image file
 * holding the program is the root. The kernel's counters are read as each phase's line appears.
 */
async function onDenix(elf: string, settings: BootSettings): Promise<Map<string, Phase>> {
  const dir = await Deno.makeTempDir({ prefix: "denix-bench-sqlite-" });
  const image = `${dir}/disk.img`;
  const program = { kind: "file" as const, data: await Deno.readFile(elf), mode: 0o755 };
  await Deno.writeFile(
    image,
    await makeExt2Image({ sizeBytes: 64 * 1024 * 1024, root: { [NAME]: program } }),
  );
  const disk = await DiskImage.open(image);
  try {
    const { system, console0, console1 } = await bootProgram([`/${NAME}`, "/bench.db"], {
      ...settings,
      disk,
      mounts: rootMounts(false),
      cwd: "/",
    });
    const k = system.kernel;
    const phases = new Map<string, Phase>();
    let last: ReturnType<typeof counters> | undefined;
    let seen = 0;
    const watch = () => {
      const lines = console0.text().split("\n").slice(0, -1);
      for (; seen < lines.length; seen++) {
        const now = counters(k);
        const phase = parsePhase(lines[seen]);
        if (phase && last) {
          phases.set(phase[0], {
            wallMs: now.at - last.at,
            cpuMs: now.cpuMs - last.cpuMs,
            syscalls: now.syscalls - last.syscalls,
            serviceCalls: now.serviceCalls - last.serviceCalls,
            diskRequests: now.diskRequests - last.diskRequests,
          });
        }
        if (phase || lines[seen] === "start") last = now;
      }
    };
    const poll = setInterval(watch, 1);
    const exit = await system.run();
    clearInterval(poll);
    watch();
    if (exit.status !== 0) {
      throw new Error(`${NAME} on denix: ${JSON.stringify(exit)} ${console1.text()}`);
    }
    return phases;
  } finally {
    await disk.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function phaseOf(runs: Map<string, Phase>, name: string, who: string): Phase {
  const p = runs.get(name);
  if (!p) throw new Error(`${NAME} on ${who} did not report ${name}`);
  return p;
}

export const sqliteBench: Bench = {
  name: "sqlite",
  async run(): Promise<BenchResult[]> {
    const dir = await Deno.makeTempDir({ prefix: "denix-bench-sqlite-" });
    try {
      const program = await linkWithSqlite(SOURCE, dir);
      await Deno.mkdir(`${dir}/qemu`);
      await Deno.mkdir(`${dir}/native`);
      const qemu = await onHost("qemu-riscv32", [program.elf, "bench.db"], `${dir}/qemu`);
      const native = await onHost(program.native, ["bench.db"], `${dir}/native`);
      const deployed = await onDenix(program.elf, { mode: "threads", isolation: "worker" });
      const inline = await onDenix(program.elf, { mode: "inline", isolation: "worker" });
      const results: BenchResult[] = [];
      const breakdown: string[] = [];
      for (const [name, title] of Object.entries(PHASES)) {
        const d = phaseOf(deployed, name, "denix");
        const i = phaseOf(inline, name, "denix, in-line harts");
        const q = phaseOf(qemu, name, "qemu-riscv32");
        const n = phaseOf(native, name, "native");
        results.push(
          lowerIsBetter(`sqlite ${title}`, "ms", d.wallMs, "qemu-riscv32, host file", q.wallMs),
          lowerIsBetter(`sqlite ${title}`, "ms", d.wallMs, "native build, host file", n.wallMs),
          lowerIsBetter(
            `sqlite ${title}, in-line harts`,
            "ms",
            i.wallMs,
            "qemu-riscv32, host file",
            q.wallMs,
          ),
        );
        breakdown.push(
          `sqlite ${name} on denix: ${d.wallMs.toFixed(0)} ms = ${d.cpuMs.toFixed(0)} ms on ` +
            `its hart (CPU tier and trap path) + ${(d.wallMs - d.cpuMs).toFixed(0)} ms blocked; ` +
            `${d.syscalls} system calls, ${d.serviceCalls} calls to services, ` +
            `${d.diskRequests} disk requests; in-line harts ${i.wallMs.toFixed(0)} ms`,
        );
        breakdown.push(
          `sqlite ${name} under qemu-riscv32: ${q.wallMs.toFixed(0)} ms = ` +
            `${q.cpuMs.toFixed(0)} ms running + ${(q.wallMs - q.cpuMs).toFixed(0)} ms waiting`,
        );
      }
      console.log(breakdown.join("\n"));
      return results;
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
};
