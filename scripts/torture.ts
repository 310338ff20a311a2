/**
 * `deno task torture [--seed N] [--faults N]`: the torture run. While writers
 * (userland/src/torture.c) write, fsync, rename, read back and remove checksummed files on an
 * ext2 disk, the services are made to fail at random moments (seeded; the seed is printed) —
 * killed, crashed or hung, each in turn, N times each (default 20). Then it checks that every
 * writer's fsync'd files check out (no acknowledged write lost), that the run ended (no hung
 * client), that every service came back, and that e2fsck finds the disk clean; it prints the
 * figures (faults, restart latency p50/p99, calls retried and failed) and exits 1 on any
 * failure. It is a tool, not yet a test: docs/RECOVERY.md lists what it still finds.
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../services/vfs/ext2/mkfs.ts";
import { bootProgram } from "../tests/helpers/system.ts";
import { assertDiskClean } from "../tests/services/vfs/e2fsprogs.ts";
import type { Fault } from "../abi/service.ts";

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const FAULTS_PER_SERVICE = Number(option("--faults") ?? 20);
const SERVICES = (option("--services") ?? "vfs,block,tty,rtc,hostfs").split(",");
const WRITERS = 3;

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(xs: number[], p: number): number {
  const sorted = xs.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const seed = Number(option("--seed") ?? Math.floor(Math.random() * 2 ** 32));
  console.log(`torture seed ${seed} (rerun with --seed ${seed})`);
  const random = prng(seed);
  const disk = new MemoryDisk(
    await makeExt2Image({
      sizeBytes: 64 * 1024 * 1024,
      root: { work: { kind: "dir", entries: {} } },
    }),
  );
  const { system, console0, log } = await bootProgram(
    [
      new URL("../userland/bin/torture.elf", import.meta.url).pathname,
      "/mnt/work",
      String(WRITERS),
      "100000",
    ],
    {
      mode: "threads",
      isolation: "worker",
      disk,
      // Faults come faster than any real failure rate: no escalation here.
      policy: { intensity: 10_000, periodMs: 1000, backoffBaseMs: 1, backoffMaxMs: 5 },
    },
  );
  const k = system.kernel;
  const running = system.run();
  const faults: Record<string, Record<Fault | "kill", number>> = {};
  let servicesBack: string[] = [];
  try {
    for (let round = 0; round < FAULTS_PER_SERVICE; round++) {
      for (const name of SERVICES) {
        const roll = random();
        const fault = roll < 0.45 ? "kill" : roll < 0.9 ? "crash" : "hang";
        await sleep(5 + Math.floor(random() * 40));
        const restartsOf = () => k.supervisor.restarts.filter((r) => r.name === name).length;
        const before = restartsOf();
        const done = fault === "kill" ? k.supervisor.kill(name) : k.supervisor.fault(name, fault);
        assert.ok(done, `${fault} ${name}: not running\n${log.join("\n")}`);
        (faults[name] ??= { kill: 0, crash: 0, hang: 0 })[fault]++;
        const end = performance.now() + 15_000;
        // A crash or a hang takes effect later: wait for the supervisor to see it, then for
        // the service to be back.
        while (
          restartsOf() === before || k.supervisor.restarting(name) || !k.services.running.has(name)
        ) {
          if (performance.now() > end) {
            throw new Error(
              `${name} did not come back after ${fault} (restarting ${
                k.supervisor.restarting(name)
              }, running ${k.services.running.has(name)}):\n${log.join("\n")}`,
            );
          }
          await sleep(2);
        }
      }
    }
  } finally {
    // Every service is back; then the writers end their rounds (SIGTERM) and check their files.
    servicesBack = SERVICES.filter((name) => k.services.running.has(name));
    const parent = [...k.procs.values()].find((p) => p.name === "torture.elf" && p.ppid === 1);
    for (const p of k.procs.values()) {
      if (p.name === "torture.elf" && p.ppid === parent?.pid) k.signalFromService(-p.pid, 15);
    }
  }
  const exit = await running;
  const out = console0.text();
  const latencies = k.supervisor.restarts.filter((r) => r.upAtMs !== undefined)
    .map((r) => r.upAtMs! - r.downAtMs);
  console.log(
    `torture: ${
      Object.entries(faults).map(([n, f]) => `${n} ${f.kill}k/${f.crash}c/${f.hang}h`).join(", ")
    }; ` +
      `restart p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${
        percentile(latencies, 0.99).toFixed(1)
      } ms; ` +
      `calls retried ${k.client.stats.retried}, failed ${k.client.stats.failed}`,
  );
  assert.ok(!/FAIL/.test(out), `${out}\n${log.join("\n")}`);
  // SIGTERM ended the writers' rounds; each checked what it kept and said ok (or FAIL).
  assert.deepEqual(exit, { status: 0, signal: 0 }, out);
  assert.equal(out.match(/^\d+: \d+ rounds, \d+ retries, ok$/gm)?.length, WRITERS, out);
  assert.deepEqual(servicesBack, SERVICES, "every service back");
  await assertDiskClean(disk.data);
}

try {
  await main();
  console.log("torture: passed");
  Deno.exit(0);
} catch (e) {
  console.error(`torture: FAILED: ${e instanceof Error ? e.message : e}`);
  Deno.exit(1);
}
