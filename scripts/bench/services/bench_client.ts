/**
 * The IPC benchmarks' client: asks the benchmark ("bench") for a job, runs it against the
 * benchmark server and reports the figures, until the benchmark answers with no job.
 * Latency is timed call by call; throughput with `window` calls in flight; bulk transfers
 * pass a region of `size` bytes, by handle each time (opened and closed by the server) or
 * mapped once (then only an offset travels), and the server reads one byte of it.
 */

import type { Client, Ipc } from "../../../services/lib/ipc.ts";
import { service } from "../../../services/lib/service.ts";
import { BENCH, BENCH_HOME, BENCH_SERVER, HOME, type Job, type Latency } from "./bench_protocol.ts";

/** p50 and p99 of `samples` (ms), in µs. */
export function percentiles(samples: number[]): Latency {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { p50: at(0.5) * 1000, p99: at(0.99) * 1000 };
}

/** Round trips of `client.call`, one at a time: their p50 and p99. */
export async function latency(client: Client, calls: number): Promise<Latency> {
  const payload = new Uint8Array(8);
  const samples = new Array<number>(calls);
  let t = performance.now();
  for (let i = 0; i < calls; i++) {
    await client.call(BENCH.ECHO, payload);
    const now = performance.now();
    samples[i] = now - t;
    t = now;
  }
  return percentiles(samples);
}

/** Calls per second with `window` calls in flight. */
export async function throughput(client: Client, calls: number, window: number): Promise<number> {
  const payload = new Uint8Array(8);
  let issued = 0;
  const lane = async () => {
    while (issued < calls) {
      issued++;
      await client.call(BENCH.ECHO, payload);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: window }, lane));
  return calls / ((performance.now() - t0) / 1000);
}

/** Median µs per transfer of a region of `size` bytes. */
async function bulk(ipc: Ipc, client: Client, job: Extract<Job, { kind: "bulk" }>) {
  const region = await ipc.createRegion(job.size);
  region.write()[job.size - 1] = 7;
  const offset = new Uint8Array(4);
  new DataView(offset.buffer).setUint32(0, job.size - 1, true);
  if (job.mapped) await client.call(BENCH.MAP, undefined, { handles: [region.handle] });
  const samples: number[] = [];
  for (let i = 0; i < job.transfers; i++) {
    const t0 = performance.now();
    const reply = job.mapped
      ? await client.call(BENCH.MAPPED, offset)
      : await client.call(BENCH.BULK, offset, { handles: [region.handle] });
    samples.push(performance.now() - t0);
    if (reply.label !== 0 || reply.payload[0] !== 7) throw new Error("bulk: wrong byte");
  }
  await ipc.revokeRegion(region);
  return percentiles(samples).p50;
}

/** Runs jobs until there are none. */
async function main(ipc: Ipc): Promise<void> {
  const home = await ipc.lookup(BENCH_HOME);
  const server = await ipc.lookup(BENCH_SERVER);
  for (;;) {
    const reply = await home.call(HOME.JOB);
    if (reply.payload.length === 0) return;
    const job = JSON.parse(new TextDecoder().decode(reply.payload)) as Job;
    let result: unknown;
    if (job.kind === "latency") result = await latency(server, job.calls);
    else if (job.kind === "throughput") {
      result = await throughput(server, job.calls, job.window);
    } else result = await bulk(ipc, server, job);
    await home.call(HOME.RESULT, new TextEncoder().encode(JSON.stringify(result)));
  }
}

export default service(main, import.meta.main);
