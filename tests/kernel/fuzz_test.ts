/**
 * The system-call fuzzer (userland/src/fuzz.c) in both hart modes: 200,000 random calls from
 * forked children, seeded (DENIX_FUZZ_SEED, or a random seed, printed either way). The kernel
 * must survive, the fuzzer must reach its summary with every implemented number called, and
 * no exception may have been contained: containment must not hide a kernel bug.
 */

import assert from "node:assert/strict";
import type { HartMode } from "../../kernel/kernel.ts";
import { IMPLEMENTED_SYSCALLS } from "../../kernel/syscall.ts";
import { assertLines } from "../helpers/lines.ts";
import { runProgram } from "../helpers/system.ts";

const CALLS = 200_000;

function fuzz(mode: HartMode, args: string[]) {
  return runProgram(["userland/bin/fuzz.elf", ...args], { mode, harts: 2 });
}

function seed(): number {
  const given = Deno.env.get("DENIX_FUZZ_SEED");
  return given ? Number(given) >>> 0 : crypto.getRandomValues(new Uint32Array(1))[0];
}

Deno.test("the fuzzer knows every number the kernel implements", async () => {
  const r = await fuzz("inline", ["--list"]);
  assert.deepEqual(r.exit, { status: 0, signal: 0 });
  const listed = r.out.trim().split("\n").map(Number).sort((a, b) => a - b);
  assert.deepEqual(listed, IMPLEMENTED_SYSCALLS);
});

for (const mode of ["inline", "threads"] as HartMode[]) {
  Deno.test(`the kernel survives ${CALLS} random system calls, ${mode} harts`, async () => {
    const s = seed();
    console.log(`fuzz seed ${s} (${mode} harts; rerun with DENIX_FUZZ_SEED=${s})`);
    const r = await fuzz(mode, [String(s), String(CALLS)]);
    const bugs = r.log.filter((line) => line.startsWith("kernel bug contained"));
    const context = `seed ${s}\n${r.out}\n${[...bugs, ...r.log.slice(-20)].join("\n")}`;
    assert.deepEqual(r.exit, { status: 0, signal: 0 }, context);
    assertLines(r.out, [
      `fuzz: seed ${s}, ${CALLS} calls`,
      /^fuzz: \d+ calls in \d+ children: \d+ exited, \d+ killed by a signal/,
      new RegExp(
        `^fuzz: ${IMPLEMENTED_SYSCALLS.length} of ${IMPLEMENTED_SYSCALLS.length} implemented ` +
          "numbers called; \\d+ forks refused for a while$",
      ),
    ]);
    const calls = Number(r.out.match(/fuzz: (\d+) calls in/)![1]);
    assert.ok(calls >= CALLS, context);
    assert.equal(r.kernel.containedFaults, 0, context);
    console.log(r.out.split("\n")[1]);
  });
}
