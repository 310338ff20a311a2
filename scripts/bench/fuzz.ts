/**
 * The long fuzz run: 1,000,000 random system calls (userland/src/fuzz.c) in each hart mode,
 * as calls per second, against a null system call (getpid) in the same mode and run. The seed
 * is DENIX_FUZZ_SEED or random; it and the fuzzer's summary are printed on stderr, and a run
 * that does not survive, or contains a kernel bug, fails the benchmark.
 */

import { CapturedConsole } from "../../kernel/console.ts";
import { type HartMode, Kernel } from "../../kernel/kernel.ts";
import { type Bench, type BenchResult, higherIsBetter } from "./types.ts";

const FUZZ_CALLS = 1_000_000;
const GETPID_CALLS = 200_000;

/** Runs `program args` on a fresh two-hart kernel: wall-clock seconds and output. */
async function run(mode: HartMode, program: string, args: string[]) {
  const io = new CapturedConsole();
  const log: string[] = [];
  const kernel = new Kernel({ mode, harts: 2, console: io, log: (l) => log.push(l) });
  kernel.boot(`userland/bin/${program}.elf`, args, []);
  const t0 = performance.now();
  const exit = await kernel.run();
  const seconds = (performance.now() - t0) / 1000;
  if (exit.status !== 0 || kernel.containedFaults !== 0) {
    throw new Error(
      `${program} ${args.join(" ")}: ${JSON.stringify(exit)}, ${kernel.containedFaults} ` +
        `kernel faults contained\n${io.out}${log.slice(-20).join("\n")}`,
    );
  }
  return { seconds, out: io.out };
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
