/**
 * What the kernel does with a program's mistakes and appetites: faults become the right
 * signal and kill only that program, unknown system calls return -ENOSYS, the stack and heap
 * grow on demand up to their guard, and running out of memory kills the program, not the
 * kernel. Programs are hand-assembled so each test shows exactly what is executed.
 */

import assert from "node:assert/strict";
import { PF_R, PF_W, PF_X } from "../../kernel/elf.ts";
import { STACK_SIZE_MAX, STACK_TOP } from "../../kernel/exec.ts";
import { Kernel } from "../../kernel/kernel.ts";
import * as A from "../helpers/asm.ts";
import { buildElf } from "../helpers/elf_builder.ts";
import { runProgram } from "../helpers/system.ts";

const A0 = 10;
const A1 = 11;
const A7 = 17;
const T0 = 5;
const T1 = 6;
const SP = 2;

/** exit(a0) */
const EXIT = [A.addi(A7, 0, 93), A.ecall()];

/** Exit status init reports for a program killed by signal `sig`. */
const killedBy = (sig: number) => ({ status: 128 + sig, signal: 0 });

/**
 * Builds `code` into an ELF (plus a data page at 0x20000) and runs it under init on a one-hart
 * system whose file system is the directory holding it; returns the exit, the log, the kernel
 * and the free frames of a kernel that has run nothing (what a finished run must give back).
 */
async function run(code: number[], options: { ramSizeBytes?: number; verbose?: boolean } = {}) {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(
      `${dir}/prog.elf`,
      buildElf(0x10000, [
        { vaddr: 0x10000, bytes: A.toBytes(code), flags: PF_R | PF_X },
        { vaddr: 0x20000, bytes: new Uint8Array(16), memSize: 4096, flags: PF_R | PF_W },
      ]),
      { mode: 0o755 },
    );
    const settings = { harts: 1, mode: "inline", ramSizeBytes: options.ramSizeBytes } as const;
    const fresh = new Kernel(settings);
    const freeAtBoot = fresh.frames.available;
    fresh.machine.close();
    const r = await runProgram(["/prog.elf"], {
      ...settings,
      verbose: options.verbose,
      hostRoot: dir,
      cwd: "/",
    });
    return { exit: r.exit, log: r.log, kernel: r.kernel, freeAtBoot };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a store to an unmapped address kills the program with SIGSEGV and says where", async () => {
  const r = await run([...A.li(T0, 0x0dead000), A.sw(0, T0, 0), ...EXIT]);
  assert.deepEqual(r.exit, killedBy(11));
  assert.match(r.log.join("\n"), /killed by SIGSEGV \(store page fault at 0x0dead000, pc 0x000100/);
  assert.equal(r.kernel.frames.available, r.freeAtBoot, "every frame was freed");
});

Deno.test("a write to read-only code is SIGSEGV; executing data is SIGSEGV", async () => {
  const write = await run([...A.li(T0, 0x10000), A.sw(0, T0, 0), ...EXIT]);
  assert.deepEqual(write.exit, killedBy(11));
  assert.match(write.log[0], /store page fault at 0x00010000/);
  const exec = await run([...A.li(T0, 0x20000), A.jalr(0, T0, 0)]);
  assert.deepEqual(exec.exit, killedBy(11));
  assert.match(exec.log[0], /instruction page fault at 0x00020000/);
});

Deno.test("an illegal instruction is SIGILL, ebreak is SIGTRAP, a misaligned AMO is SIGBUS", async () => {
  const ill = await run([0xffff_ffff, ...EXIT]);
  assert.deepEqual(ill.exit, killedBy(4));
  assert.match(ill.log[0], /illegal instruction 0xffffffff/);
  const trap = await run([A.ebreak(), ...EXIT]);
  assert.deepEqual(trap.exit, killedBy(5));
  const bus = await run([...A.li(T0, 0x20002), A.amoaddW(T1, T0, 0), ...EXIT]);
  assert.deepEqual(bus.exit, killedBy(7));
  assert.match(bus.log[0], /misaligned store\/AMO at 0x00020002/);
});

Deno.test("an unknown system call returns -ENOSYS and is logged only with --verbose", async () => {
  const prog = [A.addi(A7, 0, 2000), A.ecall(), ...EXIT]; // exit status = -38 & 0xff
  const quiet = await run(prog);
  assert.deepEqual(quiet.exit, { status: 256 - 38, signal: 0 });
  assert.deepEqual(quiet.log, []);
  const loud = await run(prog, { verbose: true });
  assert.equal(loud.exit.status, 256 - 38);
  assert.match(loud.log.join("\n"), /unknown syscall 2000: -ENOSYS/);
});

Deno.test("the stack grows on demand to 8 MiB; the page below it is a guard", async () => {
  const touch = (offset: number) => [...A.li(T0, offset), A.sub(T0, SP, T0), A.sw(0, T0, 0)];
  const ok = await run([...touch(1 << 20), ...touch(7 << 20), A.addi(A0, 0, 0), ...EXIT]);
  assert.deepEqual(ok.exit, { status: 0, signal: 0 });
  const guard = await run([...A.li(T0, STACK_TOP - STACK_SIZE_MAX - 4), A.sw(0, T0, 0), ...EXIT]);
  assert.deepEqual(guard.exit, killedBy(11));
});

Deno.test("brk grows the heap on demand and refuses to run into the stack", async () => {
  const fail = [A.addi(A0, 0, 1), ...EXIT];
  const intoStack = [
    ...A.li(A0, 0xbfff_0000), // into the stack: refused, break unchanged
    A.addi(A7, 0, 214),
    A.ecall(),
    A.addi(T0, T0, 4),
  ];
  const success = [A.addi(A0, 0, 42), ...EXIT];
  const prog = [
    A.addi(A0, 0, 0),
    A.addi(A7, 0, 214),
    A.ecall(), // a0 = current break
    A.add(T1, A0, 0),
    ...A.li(T0, 0x10_0000),
    A.add(A0, T1, T0),
    A.addi(A7, 0, 214),
    A.ecall(), // grow by 1 MiB
    A.add(T0, T1, T0),
    A.addi(T0, T0, -4),
    A.sw(T0, T0, 0), // touch the last word of the new heap
    A.lw(A1, T0, 0),
    A.bne(A1, T0, 4 * (intoStack.length + 2 + success.length + 1)), // -> fail
    ...intoStack,
    A.bne(A0, T0, 4 * (success.length + 1)), // -> fail
    ...success,
    ...fail,
  ];
  const r = await run(prog);
  assert.deepEqual(r.exit, { status: 42, signal: 0 });
});

Deno.test("running out of physical memory kills the program, not the kernel", async () => {
  // Touch one word per page upwards through a huge heap on a 2 MiB machine.
  const prog = [
    A.addi(A0, 0, 0),
    A.addi(A7, 0, 214),
    A.ecall(),
    A.add(T1, A0, 0),
    ...A.li(T0, 0x0100_0000),
    A.add(A0, T1, T0),
    A.ecall(), // break += 16 MiB
    A.sw(0, T1, 0), // loop: touch
    ...A.li(T0, 4096),
    A.add(T1, T1, T0),
    A.jal(0, -16),
  ];
  const r = await run(prog, { ramSizeBytes: 2 * 1024 * 1024 });
  assert.deepEqual(r.exit, killedBy(9));
  assert.match(r.log.join("\n"), /killed by SIGKILL \(out of memory/);
  assert.equal(r.kernel.frames.available, r.freeAtBoot, "every frame was freed");
});
