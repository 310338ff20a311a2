/**
 * A process killed while its system call waits on a service leaves the call in flight; the
 * reply that comes later belongs to nobody (an orphan). The system must go on: in in-line
 * mode the hart loop waits while service calls are pending, and the orphan's reply must end
 * that wait as any reply does.
 *
 * The program forks a child that calls sync() (answered by the VFS) for ever, sleeps a
 * millisecond, kills the child with SIGKILL, sleeps again, and exits 0.
 */

import assert from "node:assert/strict";
import * as A from "../helpers/asm.ts";
import { buildElf } from "../helpers/elf_builder.ts";
import { PF_R, PF_W, PF_X } from "../../kernel/elf.ts";
import { runProgram } from "../helpers/system.ts";

const [A0, A1, A2, A3, A7, S0] = [10, 11, 12, 13, 17, 8];
/** Where the program's struct __kernel_timespec { 0 s, 1 ms } lies. */
const TIMESPEC = 0x20000;

function program(): Uint8Array {
  const sleep1ms = [
    A.addi(A0, 0, 1), // CLOCK_MONOTONIC
    A.addi(A1, 0, 0),
    ...A.li(A2, TIMESPEC),
    A.addi(A3, 0, 0),
    A.addi(A7, 0, 407), // clock_nanosleep
    A.ecall(),
  ];
  const code = [
    A.addi(A0, 0, 17), // SIGCHLD
    A.addi(A1, 0, 0),
    A.addi(A7, 0, 220), // clone: fork
    A.ecall(),
    A.bne(A0, 0, 16), // the parent skips the child's loop
    A.addi(A7, 0, 81), // child: for (;;) sync();
    A.ecall(),
    A.jal(0, -8),
    A.add(S0, A0, 0),
    ...sleep1ms, // the child gets into a sync
    A.add(A0, S0, 0),
    A.addi(A1, 0, 9), // SIGKILL
    A.addi(A7, 0, 129), // kill
    A.ecall(),
    ...sleep1ms, // every process asleep; the sync's reply is an orphan's
    A.addi(A0, 0, 0),
    A.addi(A7, 0, 93), // exit(0)
    A.ecall(),
  ];
  const timespec = new Uint8Array(16);
  new DataView(timespec.buffer).setUint32(8, 1_000_000, true);
  return buildElf(0x10000, [
    { vaddr: 0x10000, bytes: A.toBytes(code), flags: PF_R | PF_X },
    { vaddr: TIMESPEC, bytes: timespec, memSize: 4096, flags: PF_R | PF_W },
  ]);
}

for (const mode of ["inline", "threads"] as const) {
  Deno.test(`a service call a killed process left in flight does not stop the system (${mode})`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "denix-orphan-" }); // hostfs's root
    try {
      await Deno.writeFile(`${dir}/prog.elf`, program(), { mode: 0o755 });
      const r = await runProgram(["/prog.elf"], { mode, hostRoot: dir, cwd: "/" });
      assert.deepEqual(r.exit, { status: 0, signal: 0 });
      assert.equal(r.kernel.client.pending, 0, "no call is left in flight");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}
