/**
 * The booted system as a person meets it (`deno task boot`, kernel and services as workers):
 *
 * - `shell boot to prompt`: from starting `deno task boot` at a pseudo-terminal (util-linux
 *   `script`) to the prompt on the screen, the root image already made (a warm run); baseline:
 *   a bare `deno run` of an empty program, started and ended in the same way.
 * - `shell pipeline 16 MiB`: `cat FILE | cat | cksum` over 16 MiB of a host file (--mount-host),
 *   the boot's own time (the same boot running `true`) taken off; baseline: the host's `sh -c`
 *   doing the same with the host's tools.
 *
 * Each figure is the median of RUNS runs.
 */

import { type Bench, type BenchResult, lowerIsBetter } from "./types.ts";

const BOOT = new URL("../boot.ts", import.meta.url).pathname;
const RUNS = 3;
const MIB = 1 << 20;

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Runs `command` at a pseudo-terminal until `ready` shows, then types `quit`; elapsed ms. */
async function untilScreen(command: string, ready: string, quit: string): Promise<number> {
  const start = performance.now();
  const child = new Deno.Command("script", {
    args: ["-qfec", command, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(60_000),
  }).spawn();
  const keys = child.stdin.getWriter();
  let text = "";
  let elapsed = NaN;
  const dec = new TextDecoder();
  for await (const chunk of child.stdout) {
    text += dec.decode(chunk, { stream: true });
    if (Number.isNaN(elapsed) && text.includes(ready)) {
      elapsed = performance.now() - start;
      await keys.write(new TextEncoder().encode(quit));
      await keys.close();
    }
  }
  await child.status;
  if (Number.isNaN(elapsed)) throw new Error(`${command}: never showed ${JSON.stringify(ready)}`);
  return elapsed;
}

async function timed(cmd: string, args: string[], stdin: string): Promise<number> {
  const start = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "null",
    stderr: "null",
    signal: AbortSignal.timeout(300_000),
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(stdin));
  await w.close();
  const status = await child.status;
  if (!status.success) throw new Error(`${cmd} ${args.join(" ")} failed (${status.code})`);
  return performance.now() - start;
}

export const shellBench: Bench = {
  name: "shell",
  async run(): Promise<BenchResult[]> {
    const dir = await Deno.makeTempDir({ prefix: "denix-bench-shell-" });
    try {
      const disk = `${dir}/root.img`;
      const deno = Deno.execPath();
      const boot = [deno, "run", "--allow-read", "--allow-write", "--allow-env", BOOT];
      await timed(deno, [...boot.slice(1), "--quiet", "--fresh", "--disk", disk], "true\n");
      await Deno.writeTextFile(`${dir}/empty.ts`, "");
      const prompt: number[] = [];
      const bare: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        prompt.push(
          await untilScreen([...boot, "--quiet", "--disk", disk].join(" "), "$ ", "exit\r"),
        );
        bare.push(await untilScreen(`${deno} run ${dir}/empty.ts; echo started`, "started", ""));
      }

      await Deno.mkdir(`${dir}/files`);
      const data = new Uint8Array(16 * MIB);
      for (let at = 0; at < data.length; at += 65536) {
        crypto.getRandomValues(data.subarray(at, at + 65536));
      }
      await Deno.writeFile(`${dir}/files/big`, data);
      const args = [...boot.slice(1), "--quiet", "--disk", disk, "--mount-host", `${dir}/files`];
      const pipeline: number[] = [];
      const host: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const empty = await timed(deno, args, "true\n");
        const full = await timed(deno, args, "cat /host/big | cat | cksum\n");
        pipeline.push(full - empty);
        host.push(await timed("sh", ["-c", `cat ${dir}/files/big | cat | cksum`], ""));
      }
      return [
        lowerIsBetter(
          "shell boot to prompt",
          "ms",
          median(prompt),
          "bare deno start",
          median(bare),
        ),
        lowerIsBetter("shell pipeline 16 MiB", "ms", median(pipeline), "host sh -c", median(host)),
      ];
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
};
