/**
 * The file system programs (userland/src/fs_*.c) under qemu-riscv32, on the host's own file
 * systems: each runs in a fresh empty temporary directory as its working directory and must
 * exit 0, print exactly its expected lines, write nothing to stderr and leave the directory
 * empty. They follow the Linux rv32 ABI, so passing here is what proves the C side (the glue
 * in userland/lib and the programs' expectations) before denix's own VFS has to pass them.
 * `deno task test` installs qemu-user; without it these fail rather than pass unrun.
 */

import assert from "node:assert/strict";
import { EXPECT } from "./fs_expect.ts";

const BIN = new URL("../../userland/bin/", import.meta.url).pathname;
/** Generous for the slowest (fs_big writes 5 MiB, fs_append forks two writers twice). */
const TIMEOUT_MS = 60_000;

/** Runs a program under qemu-riscv32 in `cwd` with a fixed environment and no input. */
async function runQemu(program: string, cwd: string) {
  let output;
  try {
    output = await new Deno.Command("qemu-riscv32", {
      args: [`${BIN}${program}.elf`],
      cwd,
      clearEnv: true,
      env: { LANG: "C" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(TIMEOUT_MS),
    }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new Error("qemu-riscv32 not found: install qemu-user (`deno task test` does)");
    }
    throw err;
  }
  const dec = new TextDecoder();
  return {
    out: dec.decode(output.stdout),
    err: dec.decode(output.stderr),
    code: output.code,
    signal: output.signal,
  };
}

Deno.test("every fs_* program in userland/src has its expected lines here", async () => {
  const sources: string[] = [];
  for await (const entry of Deno.readDir(new URL("../../userland/src/", import.meta.url))) {
    const name = entry.name.match(/^(fs_\w+)\.c$/)?.[1];
    if (name !== undefined) sources.push(name);
  }
  assert.deepEqual(sources.sort(), Object.keys(EXPECT).sort());
});

for (const [program, lines] of Object.entries(EXPECT)) {
  Deno.test(`qemu-riscv32 runs ${program} in an empty directory: its lines, exit 0`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `${program}-` });
    try {
      const r = await runQemu(program, dir);
      assert.equal(r.signal, null, `${program} killed by ${r.signal}:\n${r.out}`);
      assert.equal(r.out, [...lines, "ok", ""].join("\n"));
      assert.equal(r.err, "");
      assert.equal(r.code, 0);
      const left = [];
      for await (const entry of Deno.readDir(dir)) left.push(entry.name);
      assert.deepEqual(left, [], `${program} left files behind`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
