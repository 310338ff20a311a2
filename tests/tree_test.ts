/**
 * The tree stays honest (DEVELOPERS.md's house rules): `deno fmt --check`, `deno lint` and
 * `deno check` pass over the whole repository, so CI fails when any of them does instead of a
 * person noticing later (a lint error once sat in the tree unseen for a stop).
 */

import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Runs `deno <args>` in the repository's root; its status and output. */
async function deno(args: string[]): Promise<{ success: boolean; output: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { success: r.success, output: decoder.decode(r.stdout) + decoder.decode(r.stderr) };
}

for (const args of [["fmt", "--check"], ["lint"], ["check"]]) {
  Deno.test(`the tree passes deno ${args.join(" ")}`, async () => {
    const r = await deno(args);
    assert.ok(r.success, r.output.slice(-4000));
  });
}
