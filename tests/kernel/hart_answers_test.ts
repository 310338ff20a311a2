/**
 * Calls a threaded hart answers on its own thread (machine/hart_worker.ts, kernel/syscall.ts
 * hartAnswers): getpid and friends come back with the same values as the kernel's handlers
 * give, are counted as the process's system calls all the same, and never reach the kernel's
 * thread (the hart's traps stay few); while every call is traced, none is answered there.
 */

import assert from "node:assert/strict";
import { runProgram } from "../helpers/system.ts";

const CALLS = 2000;
const GETPID = new URL("../../userland/bin/bench_getpid.elf", import.meta.url).pathname;
const IDS = new URL("../../userland/bin/posix_calls.elf", import.meta.url).pathname;

Deno.test("threaded harts answer getpid on their own thread, counted as the process's calls", async () => {
  const run = await runProgram([GETPID, String(CALLS)], { mode: "threads" });
  assert.deepEqual(run.exit, { status: 0, signal: 0 }, run.err);
  const program = run.kernel.history.find((s) => s.name === "bench_getpid.elf");
  assert.ok(program, "the program's summary");
  assert.ok(program.syscalls >= CALLS, `${program.syscalls} system calls counted`);
  assert.ok((run.kernel.syscallTotals.get(172) ?? 0) >= CALLS, "getpid counted by number");
  const traps = run.kernel.hartCounters.reduce((n, c) => n + c.exceptions, 0);
  assert.ok(traps < CALLS / 10, `${traps} traps reached the kernel for ${CALLS} calls`);
});

Deno.test("a traced run answers every call on the kernel's thread, with the same results", async () => {
  const log: string[] = [];
  const traced = await runProgram([GETPID, "50"], {
    mode: "threads",
    trace: true,
    log: (l) => log.push(l),
  });
  assert.deepEqual(traced.exit, { status: 0, signal: 0 });
  // The program's 50, and init's and the start code's own.
  assert.ok(log.filter((l) => / getpid\(/.test(l)).length >= 50, "every getpid traced");
  // The ids a program sees are the same either way (posix_calls checks them against getpid).
  const fast = await runProgram([IDS], { mode: "threads" });
  const slow = await runProgram([IDS], { mode: "threads", trace: true, log: () => {} });
  assert.equal(fast.out, slow.out);
  assert.deepEqual(fast.exit, slow.exit);
});
