/**
 * How long a service is away when it dies (kernel/supervisor.ts): `restart SERVICE` is the
 * median time from the supervisor seeing a kill to the next instance registered, for each
 * worker service of a booted system (a disk, hostfs, a program running), killed RUNS times
 * with a pause between kills long enough for its standby worker to be ready, as after a real
 * failure, and with no backoff (the policy's waits are not the restart's cost). Baseline: a bare Deno worker's start in the same run (new Worker on a module that
 * answers one message, to its answer) — the part of a restart that is not the service's own.
 */

import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { bootProgram } from "../../tests/helpers/system.ts";
import { type Bench, type BenchResult, lowerIsBetter } from "./types.ts";

const SERVICES = ["vfs", "block", "tty", "rtc", "hostfs"];
/** Kills per service. */
const RUNS = 15;
/** Between kills: past the supervisor's standby delay, so each restart finds its standby. */
const PAUSE_MS = 450;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A bare worker's start: created, its module loaded, one message answered. */
async function workerStart(): Promise<number> {
  const code = "self.onmessage = () => self.postMessage(0);";
  const url = `data:application/javascript,${encodeURIComponent(code)}`;
  const start = performance.now();
  const w = new Worker(url, { type: "module" });
  await new Promise((resolve) => {
    w.onmessage = resolve;
    w.postMessage(0);
  });
  const ms = performance.now() - start;
  w.terminate();
  return ms;
}

export const restartBench: Bench = {
  name: "restart",
  async run(): Promise<BenchResult[]> {
    const bare: number[] = [];
    for (let i = 0; i < RUNS; i++) bare.push(await workerStart());
    const disk = new MemoryDisk(await makeExt2Image({ sizeBytes: 16 * 1024 * 1024, root: {} }));
    const sleeper = new URL("../../userland/bin/sleep.elf", import.meta.url).pathname;
    // The program sleeps past the kills (a kill each PAUSE_MS and a little), then the system ends.
    const seconds = Math.ceil((SERVICES.length * RUNS * (PAUSE_MS + 150)) / 1000) + 10;
    const { system } = await bootProgram([sleeper, String(seconds)], {
      mode: "threads",
      isolation: "worker",
      disk,
      // Every restart at once: the default policy's backoff (10 ms, doubling) and intensity
      // (10 in 10 s, then the service is given up on) are waits the policy adds, not the
      // restart's cost, and with them the 15 kills ended with the VFS marked failed.
      policy: { intensity: 1000, periodMs: 1000, backoffBaseMs: 0, backoffMaxMs: 0 },
    });
    const k = system.kernel;
    const running = system.run();
    const results: BenchResult[] = [];
    try {
      await sleep(PAUSE_MS);
      for (const name of SERVICES) {
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const before = k.supervisor.restarts.length;
          if (!k.supervisor.kill(name)) throw new Error(`restart: ${name} is not running`);
          while (
            k.supervisor.restarts.length === before || k.supervisor.restarting(name) ||
            !k.services.running.has(name)
          ) await sleep(1);
          const r = k.supervisor.restarts.at(-1)!;
          times.push(r.upAtMs! - r.downAtMs);
          await sleep(PAUSE_MS);
        }
        results.push(
          lowerIsBetter(`restart ${name}`, "ms", median(times), "bare worker start", median(bare)),
        );
      }
    } finally {
      await running;
    }
    return results;
  },
};
