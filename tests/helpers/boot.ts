/**
 * `deno task boot` from a test, as a script drives it: the boot (scripts/boot.ts) in its own
 * process with lines on its stdin, and what it printed and its exit status; and the same for
 * any command (the host's tools, for comparison). Every run is bounded.
 */

const BOOT = new URL("../../scripts/boot.ts", import.meta.url).pathname;
/** How to start the boot with deno (then its own options). */
export const BOOT_ARGS = ["run", "--allow-read", "--allow-write", "--allow-env", BOOT];
const BOUND_MS = 120_000;

export interface Ran {
  out: string;
  err: string;
  code: number;
}

/** Runs `cmd args` with `input` on stdin (then end of file). */
export async function runWithInput(
  cmd: string,
  args: string[],
  input: string,
  env?: Record<string, string>,
): Promise<Ran> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env,
    signal: AbortSignal.timeout(BOUND_MS),
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(input));
  await w.close();
  const out = await child.output();
  const dec = new TextDecoder();
  return { out: dec.decode(out.stdout), err: dec.decode(out.stderr), code: out.code };
}

/** Boots quietly from `disk` (and `options`) with `script` as the shell's input. */
export function bootScript(script: string, disk: string, options: string[] = []): Promise<Ran> {
  return runWithInput(
    Deno.execPath(),
    [...BOOT_ARGS, "--quiet", "--disk", disk, ...options],
    script,
  );
}

/** Runs `body` with a fresh temporary directory, removed after. */
export async function inTempDir(prefix: string, body: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
