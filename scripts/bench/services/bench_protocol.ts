/**
 * What the IPC benchmarks' services say to each other and to the benchmark: the server's
 * labels, and the jobs the client runs (handed over, and answered, as JSON through the
 * benchmark's own endpoint, "bench").
 */

/** The name the benchmark server registers. */
export const BENCH_SERVER = "bench.server";
/** The name the benchmark itself serves (jobs and results). */
export const BENCH_HOME = "bench";

/** The benchmark server's labels. */
export const BENCH = { ECHO: 1, BULK: 2, MAP: 3, MAPPED: 4 } as const;
/** The benchmark's own labels: JOB (reply: a Job as JSON), RESULT (payload: JSON). */
export const HOME = { JOB: 1, RESULT: 2 } as const;

/** What the client is asked to measure. */
export type Job =
  | { kind: "latency"; calls: number }
  | { kind: "throughput"; calls: number; window: number }
  | { kind: "bulk"; size: number; transfers: number; mapped: boolean };

/** Microsecond figures of a latency run. */
export interface Latency {
  p50: number;
  p99: number;
}
