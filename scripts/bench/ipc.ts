/**
 * IPC benchmarks: the service library's round trip (p50, p99) and throughput, worker to worker
 * over shared rings and in-line on the kernel's thread; bulk transfers of 1 MiB and 64 MiB
 * through a region against postMessage (structured clone, and transfer); and a RISC-V program's
 * call to the TypeScript echo service, in both hart modes.
 *
 * Baselines, measured in the same run: two plain workers ping-ponging with postMessage over a
 * MessageChannel (same payload, same window), and for the RISC-V call, two RISC-V processes
 * ping-ponging through pipes (bench_pipepingpong) in the same hart mode.
 *
 * Round trips are timed call by call after a warm-up run. Throughput keeps WINDOW calls in
 * flight. A bulk transfer is one message carrying the data (by region, by clone, or by
 * transfer) and a one-byte answer: the receiver reads one byte and does not scan the data, so
 * what is measured is the transfer itself. A RISC-V figure is (time for N calls − time for 0)
 * / N, the best of three, so boot and lookup cancel out.
 */

import { type HartMode, Kernel } from "../../kernel/kernel.ts";
import type { Request } from "../../services/lib/ipc.ts";
import {
  BENCH_HOME,
  BENCH_SERVER,
  HOME,
  type Job,
  type Latency,
} from "./services/bench_protocol.ts";
import { latency, throughput } from "./services/bench_client.ts";
import { timeProgram } from "./system.ts";
import type { PeerJob, ToPeer } from "./services/postmessage_peer.ts";
import { type Bench, type BenchResult, higherIsBetter, lowerIsBetter } from "./types.ts";
import { embedded } from "../../services/lib/service.ts";

const CALLS = 200_000;
const WARMUP_CALLS = 50_000;
const WINDOW = 32;
const SIZES: Array<[string, number]> = [["1 MiB", 1 << 20], ["64 MiB", 64 << 20]];
const TRANSFERS = 50;
/** bench_ipc_call and bench_pipepingpong iterations. */
const RISCV_CALLS = 3000;

const MODULES = "scripts/bench/services";

// ------------------------------------------------------------------ postMessage

/** Two plain workers joined by a MessageChannel; `run` gives the measuring one a job. */
function postMessagePair() {
  const url = new URL("./services/postmessage_peer.ts", import.meta.url);
  const spawn = () => new Worker(url, { type: "module", deno: { permissions: "none" } });
  const [measurer, echoer] = [spawn(), spawn()];
  const channel = new MessageChannel();
  echoer.postMessage({ role: "echo", port: channel.port2 } satisfies ToPeer, [channel.port2]);
  measurer.postMessage(
    { role: "measure", port: channel.port1 } satisfies ToPeer,
    [channel.port1],
  );
  return {
    run<T>(job: PeerJob): Promise<T> {
      return new Promise((resolve) => {
        measurer.onmessage = (e) => resolve(e.data as T);
        measurer.postMessage({ job } satisfies ToPeer);
      });
    },
    close() {
      measurer.terminate();
      echoer.terminate();
    },
  };
}

// ------------------------------------------------------------------ the library

/**
 * A kernel with no program, serving "bench": jobs for the client service (a JOB request waits
 * for the next one; `finish` answers it with none) and their results.
 */
async function benchHome(kernel: Kernel) {
  const jobs: Array<Job | undefined> = [];
  let jobQueued = () => {};
  const results: Array<(r: unknown) => void> = [];
  const ipc = embedded(kernel.services.embeddedPort("bench"));
  const server = await ipc.register(BENCH_HOME);
  const nextJob = async () => {
    while (jobs.length === 0) await new Promise<void>((resolve) => (jobQueued = resolve));
    return jobs.shift();
  };
  server.serve(async (req: Request) => {
    if (req.label === HOME.JOB) {
      const job = await nextJob();
      const payload = job ? new TextEncoder().encode(JSON.stringify(job)) : new Uint8Array(0);
      return { label: 0, payload };
    }
    results.shift()?.(JSON.parse(new TextDecoder().decode(req.payload)));
    return { label: 0 };
  });
  const queue = (job: Job | undefined) => {
    jobs.push(job);
    jobQueued();
  };
  return {
    ipc,
    /** Has the client service run `job`; resolves with its figures. */
    run<T>(job: Job): Promise<T> {
      queue(job);
      return new Promise((resolve) => results.push(resolve as (r: unknown) => void));
    },
    /** Tells the client there is nothing more, and stops serving. */
    finish() {
      queue(undefined);
      server.close();
    },
  };
}

// ------------------------------------------------------------------ RISC-V

/** ms for `program arg` booted under init, with echo started after the system's services. */
async function timeBoot(
  mode: HartMode,
  program: string,
  arg: string,
  echo?: "worker" | "inline",
): Promise<number> {
  const run = await timeProgram([`userland/bin/${program}.elf`, arg], {
    mode,
    harts: 2,
    extraServices: echo ? [{ name: "echo", module: "services/echo/main.ts", isolation: echo }] : [],
  });
  return run.ms;
}

/** µs per operation: the best of three (time(n) − time(0)) / n. */
async function perOp(time: (arg: string) => Promise<number>, n: number): Promise<number> {
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const full = await time(String(n));
    const empty = await time("0");
    best = Math.min(best, (full - empty) * 1000 / n);
  }
  return best;
}

// ------------------------------------------------------------------ the benchmark

export const ipcBench: Bench = {
  name: "ipc",
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = [];

    const pm = postMessagePair();
    await pm.run({ kind: "latency", calls: WARMUP_CALLS / 10 });
    const pmLatency = await pm.run<Latency>({ kind: "latency", calls: CALLS / 10 });
    const pmThroughput = await pm.run<number>({
      kind: "throughput",
      calls: CALLS / 4,
      window: WINDOW,
    });
    const pmBulk = new Map<string, { clone: number; transfer: number }>();
    for (const [label, size] of SIZES) {
      const bulk = (transfer: boolean) =>
        pm.run<number>({ kind: "bulk", size, transfers: TRANSFERS, transfer });
      await bulk(false);
      pmBulk.set(label, { clone: await bulk(false), transfer: await bulk(true) });
    }
    pm.close();
    const PM = "postMessage worker-worker";

    const kernel = new Kernel({ mode: "inline" });
    const home = await benchHome(kernel);
    await kernel.services.start({
      name: "bench-server",
      module: `${MODULES}/bench_server.ts`,
      isolation: "worker",
    });
    kernel.services.start({
      name: "bench-client",
      module: `${MODULES}/bench_client.ts`,
      isolation: "worker",
    });
    await home.run({ kind: "latency", calls: WARMUP_CALLS });
    const sab = await home.run<Latency>({ kind: "latency", calls: CALLS });
    const sabThroughput = await home.run<number>({
      kind: "throughput",
      calls: CALLS,
      window: WINDOW,
    });
    const W = "sab worker-worker";
    results.push(
      lowerIsBetter(`ipc round trip p50, ${W}`, "us", sab.p50, PM, pmLatency.p50),
      lowerIsBetter(`ipc round trip p99, ${W}`, "us", sab.p99, PM, pmLatency.p99),
      higherIsBetter(`ipc throughput, ${W}`, "calls/s", sabThroughput, PM, pmThroughput),
    );
    for (const [label, size] of SIZES) {
      const base = pmBulk.get(label)!;
      const CLONE = "postMessage structured clone";
      const region = (mapped: boolean) =>
        home.run<number>({ kind: "bulk", size, transfers: TRANSFERS, mapped });
      await region(false);
      results.push(
        lowerIsBetter(
          `ipc bulk ${label}, region handle`,
          "us",
          await region(false),
          CLONE,
          base.clone,
        ),
        lowerIsBetter(
          `ipc bulk ${label}, region mapped once`,
          "us",
          await region(true),
          CLONE,
          base.clone,
        ),
        lowerIsBetter(
          `ipc bulk ${label}, postMessage transfer`,
          "us",
          base.transfer,
          CLONE,
          base.clone,
        ),
      );
    }
    home.finish();
    kernel.services.stopAll();

    await kernel.services.start({
      name: "bench-server",
      module: `${MODULES}/bench_server.ts`,
      isolation: "inline",
    });
    const inlineClient = await home.ipc.lookup(BENCH_SERVER);
    await latency(inlineClient, WARMUP_CALLS);
    const inline = await latency(inlineClient, CALLS);
    const inlineThroughput = await throughput(inlineClient, CALLS, WINDOW);
    results.push(
      lowerIsBetter("ipc round trip p50, inline", "us", inline.p50, PM, pmLatency.p50),
      lowerIsBetter("ipc round trip p99, inline", "us", inline.p99, PM, pmLatency.p99),
      higherIsBetter("ipc throughput, inline", "calls/s", inlineThroughput, PM, pmThroughput),
    );
    // The kernel's own shutdown (System.stop): its reply doorbell's watch and the machine's
    // timers would otherwise keep this process alive after the table is printed.
    kernel.services.stopAll();
    kernel.client.close();
    kernel.machine.close();

    for (const mode of ["inline", "threads"] as const) {
      const harts = mode === "inline" ? "in-line harts" : "threaded harts";
      const pipes = await perOp((n) => timeBoot(mode, "bench_pipepingpong", n), RISCV_CALLS);
      for (const echo of ["worker", "inline"] as const) {
        const call = await perOp((n) => timeBoot(mode, "bench_ipc_call", n, echo), RISCV_CALLS);
        results.push(
          lowerIsBetter(
            `ipc call RISC-V to echo (${echo}), ${harts}`,
            "us",
            call,
            `pipe ping-pong round trip, ${harts}`,
            pipes,
          ),
        );
      }
    }
    return results;
  },
};
