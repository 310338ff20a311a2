/**
 * Kernel benchmarks: the cost of the basic operations — a null system call, fork+exit+wait,
 * fork+exec+exit+wait, a context switch through a pipe, thread create+join — per operation,
 * in both hart modes, against the same binaries under qemu-riscv32 where qemu can run them;
 * and the SMP speedup of CPU-bound work (two processes) on two harts over one, next to the
 * speedup qemu-riscv32 gets from running the same two processes on two host threads — the
 * ceiling this host offers.
 *
 * Each figure is (time for N operations − time for 0) / N, so start-up cost cancels out.
 */

import type { HartMode } from "../../kernel/kernel.ts";
import { timeProgram } from "./system.ts";
import { type Bench, type BenchResult, higherIsBetter, lowerIsBetter } from "./types.ts";

/** Wall-clock ms of one run of `program args` under init on a freshly booted system. */
async function timeKernel(mode: HartMode, harts: number, program: string, args: string[]) {
  return (await timeProgram([`userland/bin/${program}.elf`, ...args], { mode, harts })).ms;
}

/** Wall-clock ms of `qemu-riscv32 program args`, or undefined if qemu cannot run it. */
async function timeQemu(program: string, args: string[]): Promise<number | undefined> {
  const t0 = performance.now();
  const r = await new Deno.Command("qemu-riscv32", {
    args: [`userland/bin/${program}.elf`, ...args],
    stdout: "null",
    stderr: "null",
  }).output();
  return r.success ? performance.now() - t0 : undefined;
}

/** Microseconds per operation: the best of three (time(n) - time(0)) / n. */
async function perOp(time: (args: string[]) => Promise<number | undefined>, n: number) {
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const full = await time([String(n)]);
    const empty = await time(["0"]);
    if (full === undefined || empty === undefined) return undefined;
    best = Math.min(best, (full - empty) * 1000 / n);
  }
  return best;
}

/** Operations measured: entry name, program, iterations. */
const OPERATIONS: Array<[string, string, number]> = [
  ["syscall getpid", "bench_getpid", 200_000],
  ["fork+exit+wait", "bench_forkwait", 300],
  ["fork+exec+exit+wait", "bench_forkexec", 100],
  ["context switch, pipe ping-pong round trip", "bench_pipepingpong", 3000],
  ["thread create+join", "bench_threadjoin", 300],
];

/**
 * bench_spin units for the SMP measurement, shared by two processes: about four seconds of
 * work on one hart, so that what a run pays once (booting, starting the hart workers, each
 * worker translating the hot loop) is small beside it.
 */
const SPIN_UNITS = 1200;
/** The same for qemu, which is faster. */
const QEMU_SPIN_UNITS = 1500;
/** Runs of each configuration; the fastest counts. */
const SPIN_REPS = 2;

/** The fastest of SPIN_REPS runs of `time`. */
async function fastest(time: () => Promise<number | undefined>): Promise<number> {
  let best = Infinity;
  for (let rep = 0; rep < SPIN_REPS; rep++) {
    const ms = await time();
    if (ms === undefined) throw new Error("bench_spin failed");
    best = Math.min(best, ms);
  }
  return best;
}

export const kernelBench: Bench = {
  name: "kernel",
  async run(): Promise<BenchResult[]> {
    const results: BenchResult[] = [];
    for (const [name, program, n] of OPERATIONS) {
      const qemu = await perOp((a) => timeQemu(program, a), n);
      const inline = await perOp((a) => timeKernel("inline", 2, program, a), n);
      const threads = await perOp((a) => timeKernel("threads", 2, program, a), n);
      if (inline === undefined || threads === undefined) throw new Error(`${program} failed`);
      if (qemu !== undefined) {
        results.push(lowerIsBetter(`${name}, in-line harts`, "us", inline, "qemu-riscv32", qemu));
        results.push(lowerIsBetter(`${name}, threaded harts`, "us", threads, "qemu-riscv32", qemu));
      } else { // qemu-user cannot execve a riscv32 binary without binfmt_misc
        results.push(
          lowerIsBetter(`${name}, threaded harts`, "us", threads, "in-line harts", inline),
        );
      }
    }
    // Two processes share the work; qemu-user has no cores to choose, so one process doing
    // all of it stands for one core.
    const one = await fastest(() =>
      timeKernel("threads", 1, "bench_spin", [String(SPIN_UNITS), "2"])
    );
    const two = await fastest(() =>
      timeKernel("threads", 2, "bench_spin", [String(SPIN_UNITS), "2"])
    );
    const qemuOne = await fastest(() => timeQemu("bench_spin", [String(QEMU_SPIN_UNITS), "1"]));
    const qemuTwo = await fastest(() => timeQemu("bench_spin", [String(QEMU_SPIN_UNITS), "2"]));
    results.push(
      higherIsBetter(
        "smp speedup, 2 cores",
        "x",
        one / two,
        "qemu-riscv32, 2 processes on 2 host threads",
        qemuOne / qemuTwo,
      ),
    );
    return results;
  },
};
