/**
 * The torture run, shared by the CI test (torture_test.ts) and `deno task torture`: while
 * writers (userland/src/torture.c) write, fsync, rename, read back and remove checksummed
 * files on an ext2 disk, and the shell (on the second serial line) runs a script and
 * pipelines over the same files, the services are made to fail at random moments — killed
 * (`terminate()`), crashed (an uncaught error) or hung (a loop that never yields), each in
 * turn, N times each, on a seeded schedule. Then it checks: every writer's fsync'd files hold
 * their bytes (no acknowledged write lost), the run ended (no hung client), every service is
 * back, the shell still runs a command, and e2fsck finds the disk clean. Any failure throws,
 * with the seed and the kernel's log; the report gives the figures.
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { prng } from "../helpers/commands.ts";
import { bootProgram } from "../helpers/system.ts";
import { assertDiskClean } from "../services/vfs/e2fsprogs.ts";
import type { Fault } from "../../abi/service.ts";
import type { Kernel } from "../../kernel/kernel.ts";

/** What to torture, and how hard. */
export interface TortureOptions {
  seed: number;
  /** Faults per service. */
  faults: number;
  /** The services to fail, in turn ("shell" runs the shell beside the writers). */
  services: string[];
  /** Told every tenth round how far the run is (a long run shows it is alive). */
  progress?: (line: string) => void;
  /**
   * After the faults, also type a command at the shell and wait for its output. Not yet in
   * CI: on some seeds (43, 46 at 40 faults) the shell does not answer in time after a run
   * (docs/RECOVERY.md, still open).
   */
  shellAnswers?: boolean;
}

/** Faults by kind. */
export type FaultCounts = Record<Fault | "kill", number>;

/** What the run measured. */
export interface TortureReport {
  faults: Record<string, FaultCounts>;
  /** Restart latency (the end seen to the new instance registered), ms, per service. */
  restartMs: Record<string, number[]>;
  /** Calls the kernel sent again to a restarted service, and calls that failed with EIO. */
  retried: number;
  failed: number;
  /** What the services logged about their recovery (journal replays, device timeouts). */
  recoveries: string[];
  /** Times the shell's script ran to its end. */
  scripts: number;
  /** Causes of restarts no fault of the run's asked for (a start that timed out, say). */
  unplanned: string[];
}

/** The services a torture run fails by default: every one, the VFS and the shell included. */
export const ALL_SERVICES = ["vfs", "block", "tty", "rtc", "hostfs", "shell"];

const WRITERS = 3;
/** How long a service may take to come back, and the shell to answer at the end. */
const BACK_MS = 15_000;
/** The script the shell runs (from the disk, which survives the VFS's restarts). */
const SCRIPT = new TextEncoder().encode(
  "ls /mnt/work > /dev/null\ncat /mnt/work/* 2>/dev/null | wc -c > /dev/null\necho script-done\n",
);

/** The programs the shell's load runs, in the disk's /bin. */
const SHELL_PROGRAMS = ["ls", "cat", "wc", "echo"];

function program(name: string): { kind: "file"; data: Uint8Array; mode: number } {
  const data = Deno.readFileSync(new URL(`../../userland/bin/${name}.elf`, import.meta.url));
  return { kind: "file", data, mode: 0o755 };
}

/** The p-th quantile of `xs` (NaN when empty). */
export function percentile(xs: number[], p: number): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether the running shell has a call at the tty driver not yet answered (its read). */
export function shellReading(k: Kernel): boolean {
  const shell = k.services.running.get("shell")?.party;
  return [...k.ipc.connections.values()].some(({ client, endpoint, channel }) =>
    client === shell && endpoint.name === "tty" && channel.requests.head - channel.replies.tail > 0
  );
}

/**
 * Kills, crashes or hangs service `name` and waits until the supervisor has it back; what went
 * wrong, if anything (it was not running, or did not come back within BACK_MS).
 */
export async function failService(
  k: Kernel,
  name: string,
  fault: Fault | "kill",
): Promise<string | undefined> {
  const restartsOf = () => k.supervisor.restarts.filter((r) => r.name === name).length;
  const before = restartsOf();
  const done = fault === "kill" ? k.supervisor.kill(name) : k.supervisor.fault(name, fault);
  if (!done) return `${fault} ${name}: not running`;
  const end = performance.now() + BACK_MS;
  // A crash or a hang takes effect later: wait for the supervisor to see it, then for the
  // service to be back.
  while (
    restartsOf() === before || k.supervisor.restarting(name) || !k.services.running.has(name)
  ) {
    if (performance.now() > end) return `${name} did not come back after ${fault}`;
    await sleep(2);
  }
}

/** Runs the torture; throws on any failure (the message names the seed). */
export async function torture(options: TortureOptions): Promise<TortureReport> {
  const { seed } = options;
  const random = prng(seed);
  const withShell = options.services.includes("shell");
  const disk = new MemoryDisk(
    await makeExt2Image({
      sizeBytes: 64 * 1024 * 1024,
      root: {
        work: { kind: "dir", entries: {} },
        "load.sh": { kind: "file", data: SCRIPT },
        bin: {
          kind: "dir",
          entries: Object.fromEntries(SHELL_PROGRAMS.map((name) => [name, program(name)])),
        },
      },
    }),
  );
  const { system, console0, console1, log } = await bootProgram(
    [
      new URL("../../userland/bin/torture.elf", import.meta.url).pathname,
      "/mnt/work",
      String(WRITERS),
      "100000",
    ],
    {
      mode: "threads",
      isolation: "worker",
      disk,
      // Faults come faster than any real failure rate: no escalation here.
      policy: { intensity: 100_000, periodMs: 1000, backoffBaseMs: 1, backoffMaxMs: 5 },
      shell: withShell
        ? { interactive: false, env: ["PATH=/mnt/bin", "HOME=/"], term: 1 }
        : undefined,
    },
  );
  const k = system.kernel;
  // A failure says what every process waits for and where each connection's requests and
  // replies stand (taken / made), so that a hung client shows who holds it.
  const beats = () =>
    new Map([...k.services.running].map(([name, r]) => [name, r.heartbeat?.[0] ?? -1]));
  const fail = async (what: string): Promise<never> => {
    const before = beats();
    await sleep(300);
    const alive = [...beats()].map(([n, beat]) => `  ${n}: heartbeat ${before.get(n)} -> ${beat}`);
    const procs = [...k.procs.values()].map((p) => {
      const c = p.kcall;
      const call = c ? ` in call ${c.tag} (label ${c.label}) to ${c.conn.endpoint.name}` : "";
      return `  ${p.pid} ${p.name} ${p.state}${call}`;
    });
    const conns = [...k.ipc.connections.values()].map(({ client, endpoint, channel, server }) => {
      const { requests: q, replies: r } = channel;
      const running = k.services.running.get(endpoint.name)?.party;
      const who = server === running
        ? `its running instance (party ${server.id})`
        : `party ${server.id}, not running`;
      return `  ${client.name} -> ${endpoint.name}: requests ${q.head}/${q.tail}, replies ${r.head}/${r.tail}; served by ${who}`;
    });
    throw new Error(
      [
        `torture seed ${seed}: ${what}`,
        ...log.slice(-100),
        "processes:",
        ...procs,
        "connections:",
        ...conns,
        "services:",
        ...alive,
      ]
        .join("\n"),
    );
  };
  const running = system.run();
  const faults: Record<string, FaultCounts> = {};
  let servicesBack: string[] = [];
  try {
    for (let round = 0; round < options.faults; round++) {
      if (round > 0 && round % 10 === 0) {
        options.progress?.(`torture: round ${round} of ${options.faults} (seed ${seed})`);
      }
      // The shell's load: a script and a pipeline over the writers' files. A line it had not
      // read yet when it was made to fail may be lost (typed-ahead input, docs/RECOVERY.md).
      if (withShell) console1.feed(`sh /mnt/load.sh; ls /mnt/work | wc -l > /dev/null\n`);
      for (const name of options.services) {
        const roll = random();
        const fault = roll < 0.45 ? "kill" : roll < 0.9 ? "crash" : "hang";
        await sleep(5 + Math.floor(random() * 40));
        const problem = await failService(k, name, fault);
        if (problem) await fail(problem);
        (faults[name] ??= { kill: 0, crash: 0, hang: 0 })[fault]++;
      }
    }
    if (withShell && options.shellAnswers) {
      // No more faults. Input typed while the shell restarts may be lost (docs/RECOVERY.md),
      // so the command is typed once the shell reads its terminal again: the tty driver holds
      // a call of the shell's it has not answered (every shell -> tty request is a call).
      let end = performance.now() + BACK_MS;
      while (!shellReading(k)) {
        if (performance.now() > end) await fail("the shell does not read its terminal");
        await sleep(5);
      }
      const marker = `shell-alive-${seed}`;
      console1.feed(`echo ${marker}\n`);
      end = performance.now() + BACK_MS;
      while (!console1.text().includes(marker)) {
        if (performance.now() > end) {
          await fail(
            `the shell did not run a command after its faults (${console1.unreceived} bytes typed are not in the UART yet):\n${
              console1.text().slice(-2000)
            }`,
          );
        }
        await sleep(10);
      }
    }
  } finally {
    // Every service is back; then the writers end their rounds (SIGTERM) and check their files.
    servicesBack = options.services.filter((name) => k.services.running.has(name));
    const parent = [...k.procs.values()].find((p) => p.name === "torture.elf" && p.ppid === 1);
    for (const p of k.procs.values()) {
      if (p.name === "torture.elf" && p.ppid === parent?.pid) k.signalFromService(-p.pid, 15);
    }
  }
  const exit = await running;
  const out = console0.text();
  if (/FAIL/.test(out)) await fail(`a writer failed:\n${out}`);
  // SIGTERM ended the writers' rounds; each checked what it kept and said ok.
  assert.deepEqual(exit, { status: 0, signal: 0 }, `seed ${seed}: ${out}`);
  assert.equal(
    out.match(/^\d+: \d+ rounds, \d+ retries, ok$/gm)?.length,
    WRITERS,
    `seed ${seed}: ${out}`,
  );
  assert.deepEqual(servicesBack, options.services, `seed ${seed}: every service back`);
  await assertDiskClean(disk.data);
  const restartMs: Record<string, number[]> = {};
  for (const r of k.supervisor.restarts) {
    if (r.upAtMs !== undefined) (restartMs[r.name] ??= []).push(r.upAtMs - r.downAtMs);
  }
  return {
    faults,
    restartMs,
    retried: k.client.stats.retried,
    failed: k.client.stats.failed,
    scripts: console1.text().split("script-done").length - 1,
    unplanned: k.supervisor.restarts.map((r) => `${r.name}: ${r.cause}`).filter((c) =>
      !/: (killed|hung \(no heartbeat|service \w+ crashed: .*(crashed|hung) on request)/.test(c)
    ),
    recoveries: log.filter((l) => /journal:|no completion|without their interrupt/.test(l)),
  };
}

/** One line per service and one for the whole run. */
export function formatReport(report: TortureReport): string[] {
  const all = Object.values(report.restartMs).flat();
  return [
    ...Object.entries(report.faults).map(([name, f]) => {
      const ms = report.restartMs[name] ?? [];
      return `${name}: ${f.kill} killed, ${f.crash} crashed, ${f.hang} hung; restart p50 ${
        percentile(ms, 0.5).toFixed(1)
      } ms, p99 ${percentile(ms, 0.99).toFixed(1)} ms`;
    }),
    `all: ${all.length} restarts, p50 ${percentile(all, 0.5).toFixed(1)} ms, p99 ${
      percentile(all, 0.99).toFixed(1)
    } ms; calls sent again ${report.retried}, failed ${report.failed}`,
    `shell: the script ran to its end ${report.scripts} times`,
    `restarts no fault asked for: ${report.unplanned.length}${
      report.unplanned.map((c) => `\n  ${c}`).join("")
    }`,
    `recovery: ${report.recoveries.filter((l) => l.includes("journal")).length} journal replays, ${
      report.recoveries.filter((l) => l.includes("no completion")).length
    } device resets, ${
      report.recoveries.filter((l) => l.includes("without their interrupt")).length
    } lost interrupts`,
  ];
}
