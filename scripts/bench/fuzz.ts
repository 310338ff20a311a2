/**
 * The long fuzz run: 1,000,000 random system calls (userland/src/fuzz.c) in each hart mode,
 * as calls per second, against a null system call (getpid) in the same mode and run. The seed
 * is DENIX_FUZZ_SEED or random; it and the fuzzer's summary are printed on stderr, and a run
 * that does not survive, or contains a kernel bug, fails the benchmark.
 */

import type { HartMode } from "../../kernel/kernel.ts";
import { timeProgram } from "./system.ts";
import { type Bench, type BenchResult, higherIsBetter } from "./types.ts";

const FUZZ_CALLS = 1_000_000;
const GETPID_CALLS = 200_000;

/** Runs `program args` under init on a fresh two-hart system: wall-clock seconds and output. */
async function run(mode: HartMode, program: string, args: string[]) {
  const log: string[] = [];
  const { ms, out, kernel } = await timeProgram([`userland/bin/${program}.elf`, ...args], {
    mode,
    harts: 2,
    log: (l) => log.push(l),
  });
  if (kernel.containedFaults !== 0) {
    throw new Error(
      `${program} ${args.join(" ")}: ${kernel.containedFaults} kernel faults contained\n` +
        `${out}${log.slice(-20).join("\n")}`,
    );
  }
  return { seconds: ms / 1000, out };
}

export const fuzzBench: Bench = {
  name: "fuzz",
  async run(): Promise<BenchResult[]> {
    const given = Deno.env.get("DENIX_FUZZ_SEED");
    const seed = given ? Number(given) >>> 0 : crypto.getRandomValues(new Uint32Array(1))[0];
    const results: BenchResult[] = [];
    for (const mode of ["inline", "threads"] as HartMode[]) {
      const fuzz = await run(mode, "fuzz", [String(seed), String(FUZZ_CALLS)]);
      const calls = Number(fuzz.out.match(/fuzz: (\d+) calls in/)?.[1]);
      console.error(`fuzz, ${mode} harts, ${fuzz.seconds.toFixed(1)} s:\n${fuzz.out.trim()}`);
      const getpid = await run(mode, "bench_getpid", [String(GETPID_CALLS)]);
      results.push(
        higherIsBetter(
          `fuzz ${FUZZ_CALLS} random calls, ${mode === "inline" ? "in-line" : "threaded"} harts`,
          "calls/s",
          calls / fuzz.seconds,
          "getpid calls/s, same harts",
          GETPID_CALLS / getpid.seconds,
        ),
      );
    }
    return results;
  },
};
