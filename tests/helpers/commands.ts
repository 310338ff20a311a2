/**
 * Running a command from a test: its output and exit status, bounded, with input on stdin if
 * given; and our RISC-V programs under qemu-riscv32 the same way. The coreutils tests compare
 * these with the host's tools; the boot tests drive `deno task boot` with them.
 */

import assert from "node:assert/strict";

const BIN = new URL("../../userland/bin/", import.meta.url).pathname;
const BOUND_MS = 120_000;

/** The C locale in UTC: what the comparisons with the host's tools run under. */
export const C_LOCALE = { LANG: "C", LC_ALL: "C", TZ: "UTC" };

export interface Ran {
  out: string;
  err: string;
  code: number;
}

export interface CommandOptions {
  cwd?: string;
  /** Bytes on stdin, then end of file (no input: stdin is /dev/null). */
  input?: string | Uint8Array;
  env?: Record<string, string>;
  /** Only `env`, none of the test's own environment. */
  clearEnv?: boolean;
  boundMs?: number;
}

/** Runs `cmd args`. */
export async function runCommand(
  cmd: string,
  args: string[],
  options: CommandOptions = {},
): Promise<Ran> {
  const { input } = options;
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: options.env,
    clearEnv: options.clearEnv ?? false,
    stdin: input === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(options.boundMs ?? BOUND_MS),
  }).spawn();
  if (input !== undefined) {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(typeof input === "string" ? new TextEncoder().encode(input) : input);
      await writer.close();
    } catch (err) {
      // A command that reads no input may exit before taking it.
      if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
    }
  }
  const output = await child.output();
  const dec = new TextDecoder();
  return { out: dec.decode(output.stdout), err: dec.decode(output.stderr), code: output.code };
}

/** Our program `name` (userland/bin/NAME.elf) under qemu-riscv32. */
export function qemu(name: string, args: string[], options: CommandOptions = {}): Promise<Ran> {
  return runCommand("qemu-riscv32", [`${BIN}${name}.elf`, ...args], options);
}

/** How one side of a comparison runs: its input, and variables on top of the base ones. */
export interface SideOptions {
  input?: string | Uint8Array;
  env?: Record<string, string>;
  /** Only `env`: none of the base variables. */
  bareEnv?: boolean;
}

/**
 * Our command under qemu-riscv32 and the host's of the same name, each in `cwd` with only
 * `base` (and a side's own variables) in its environment, bounded by `boundMs`.
 */
export function sideBySide(base: Record<string, string>, boundMs: number) {
  const options = (cwd: string, side: SideOptions): CommandOptions => ({
    cwd,
    input: side.input,
    env: side.bareEnv ? side.env : { ...base, ...side.env },
    clearEnv: true,
    boundMs,
  });
  const ours = (prog: string, args: string[], cwd: string, side: SideOptions = {}) =>
    qemu(prog, args, options(cwd, side));
  const gnu = (prog: string, args: string[], cwd: string, side: SideOptions = {}) =>
    runCommand(prog, args, options(cwd, side));
  /**
   * Runs both: stdout and exit status must agree, and stderr when `stderr` is set (GNU names
   * itself by the argv[0] it was given, the full path: that prefix is dropped). GNU's result.
   */
  const same = async (
    prog: string,
    args: string[],
    cwd: string,
    side: SideOptions & { stderr?: boolean } = {},
  ): Promise<Ran> => {
    const want = await gnu(prog, args, cwd, side);
    const got = await ours(prog, args, cwd, side);
    const what = `${prog} ${args.map((a) => JSON.stringify(a)).join(" ")}`;
    assert.equal(got.out, want.out, `${what}: stdout`);
    assert.equal(got.code, want.code, `${what}: exit status (stderr: ${got.err})`);
    if (side.stderr) {
      assert.equal(got.err, want.err.replace(/^\/\S*\//gm, ""), `${what}: stderr`);
    }
    return want;
  };
  return { ours, gnu, same };
}

/** `n` bytes of a fixed pseudo-random sequence (a linear congruential generator from `seed`). */
export function seededBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A small seeded generator (mulberry32): numbers in [0, 1), the same for the same seed. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
