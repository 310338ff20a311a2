/**
 * `deno task boot` from a test, as a script drives it: the boot (scripts/boot.ts) in its own
 * process with lines on its stdin, and what it printed and its exit status (bounded).
 */

import { type Ran, runCommand } from "./commands.ts";

const BOOT = new URL("../../scripts/boot.ts", import.meta.url).pathname;
/** How to start the boot with deno (then its own options). */
export const BOOT_ARGS = ["run", "--allow-read", "--allow-write", "--allow-env", BOOT];

/** Boots quietly from `disk` (and `options`) with `script` as the shell's input. */
export function bootScript(script: string, disk: string, options: string[] = []): Promise<Ran> {
  return runCommand(Deno.execPath(), [...BOOT_ARGS, "--quiet", "--disk", disk, ...options], {
    input: script,
  });
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
