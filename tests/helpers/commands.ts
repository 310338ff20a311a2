/**
 * Running a command from a test: its output and exit status, bounded, with input on stdin if
 * given; and our RISC-V programs under qemu-riscv32 the same way. The coreutils tests compare
 * these with the host's tools; the boot tests drive `deno task boot` with them.
 */

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
