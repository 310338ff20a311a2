/**
 * The ELF boundary: malformed, foreign or hostile executables are refused with a message that
 * says what is wrong, the runner exits non-zero, and nothing crashes.
 */

import assert from "node:assert/strict";
import { ElfError, parseElf, PF_R, PF_W, PF_X } from "../../kernel/elf.ts";
import { Kernel, SpawnError } from "../../kernel/kernel.ts";
import * as A from "../helpers/asm.ts";
import { buildElf } from "../helpers/elf_builder.ts";
import { bootProgram, runProgram } from "../helpers/system.ts";

const GOOD = Deno.readFileSync("userland/bin/hello.elf");

function patched(edit: (b: Uint8Array, dv: DataView) => void): Uint8Array {
  const b = GOOD.slice();
  edit(b, new DataView(b.buffer));
  return b;
}

const code = A.toBytes([A.addi(10, 0, 0), A.addi(17, 0, 93), A.ecall()]);

const BAD: Array<[string, Uint8Array, RegExp]> = [
  ["an empty file", new Uint8Array(0), /not an ELF file/],
  ["garbage", new TextEncoder().encode("#!/bin/sh\necho hello\n"), /not an ELF file/],
  ["a truncated header", GOOD.slice(0, 30), /truncated ELF header/],
  ["truncated program headers", GOOD.slice(0, 60), /truncated: program headers/],
  [
    "a file cut inside a segment",
    GOOD.slice(0, 4200),
    /truncated: segment \d+ .* extends past the end of the file/,
  ],
  ["a 64-bit ELF", patched((b) => (b[4] = 2)), /64-bit.*need a 32-bit/],
  ["a big-endian ELF", patched((b) => (b[5] = 2)), /need little-endian/],
  ["an x86 ELF", patched((_, dv) => dv.setUint16(18, 3, true)), /machine 3 is not RISC-V/],
  ["a shared object", patched((_, dv) => dv.setUint16(16, 3, true)), /position-independent/],
  ["a relocatable object", patched((_, dv) => dv.setUint16(16, 1, true)), /not an executable/],
  ["a hard-float ABI", patched((_, dv) => dv.setUint32(36, 0x5, true)), /hard-float/],
  ["a bad program header size", patched((_, dv) => dv.setUint16(42, 56, true)), /header size 56/],
  [
    "a segment in kernel space",
    buildElf(0xc000_0000, [{ vaddr: 0xc000_0000, bytes: code, flags: PF_R | PF_X }]),
    /outside user space/,
  ],
  [
    "a segment at address 0",
    buildElf(0, [{ vaddr: 0, bytes: code, flags: PF_R | PF_X }]),
    /outside user space/,
  ],
  [
    "a segment wrapping around 4 GiB",
    buildElf(0x10000, [{ vaddr: 0x10000, bytes: code, memSize: 0xffff_f000, flags: PF_R | PF_X }]),
    /outside user space/,
  ],
  [
    "memory size smaller than file size",
    buildElf(0x10000, [{ vaddr: 0x10000, bytes: code, memSize: 4, flags: PF_R | PF_X }]),
    /file size exceeds memory size/,
  ],
  [
    "an entry point outside code",
    buildElf(0x20000, [{ vaddr: 0x10000, bytes: code, flags: PF_R | PF_X }]),
    /entry point 0x00020000 is not in an executable segment/,
  ],
  [
    "an entry point in a non-executable segment",
    buildElf(0x10000, [{ vaddr: 0x10000, bytes: code, flags: PF_R | PF_W }]),
    /not in an executable segment/,
  ],
];

for (const [what, bytes, message] of BAD) {
  Deno.test(`parseElf refuses ${what}`, () => {
    assert.throws(() => parseElf(bytes), (e: unknown) => {
      assert.ok(e instanceof ElfError, `expected ElfError, got ${e}`);
      assert.match(e.message, message);
      return true;
    });
  });
}

Deno.test("parseElf accepts a toolchain-built program and a hand-built one", () => {
  const image = parseElf(GOOD);
  assert.equal(image.entry >= 0x10000, true);
  assert.ok(image.segments.some((s) => s.flags & PF_X));
  assert.ok(image.phdrAddr > 0);
  const tiny = parseElf(buildElf(0x10000, [{ vaddr: 0x10000, bytes: code, flags: PF_R | PF_X }]));
  assert.deepEqual(tiny.segments.map((s) => [s.vaddr, s.fileSize]), [[0x10000, code.length]]);
});

Deno.test("a bad ELF is a SpawnError naming the file; the kernel stays usable", async () => {
  // The files are served as the root of the system's file system (the host's /tmp is hidden
  // under the system's own /tmp); exec wants them executable.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/bad.elf`, GOOD.slice(0, 30), { mode: 0o755 });
    await Deno.writeFile(
      `${dir}/ok.elf`,
      buildElf(0x10000, [{ vaddr: 0x10000, bytes: code, flags: PF_R | PF_X }]),
      { mode: 0o755 },
    );
    const settings = { mode: "inline", hostRoot: dir, cwd: "/" } as const;
    // What a kernel that has run nothing holds: every frame but the sigreturn trampoline's.
    const fresh = new Kernel({ mode: "inline" });
    const freeAtBoot = fresh.frames.available;
    fresh.machine.close();
    // A booted system (init, to run ok.elf) asked to spawn the bad image beside it.
    const { system } = await bootProgram(["/ok.elf"], settings);
    const kernel = system.kernel;
    const init = kernel.root!;
    const stdio = [init.fds.get(0), init.fds.get(1), init.fds.get(2)] as const;
    const before = kernel.frames.available;
    assert.throws(
      () => kernel.spawn(GOOD.slice(0, 30), "/bad.elf", ["/bad.elf"], [], [...stdio], init.cwd),
      (e: unknown) => {
        assert.ok(e instanceof SpawnError);
        assert.match(e.message, /^\/bad\.elf: truncated ELF header/);
        return true;
      },
    );
    assert.equal(kernel.frames.available, before, "the refused image took no frame");
    assert.deepEqual(await system.run(), { status: 0, signal: 0 });
    assert.equal(kernel.frames.available, freeAtBoot, "every frame was freed");
    // A program's execve of the bad file is ENOEXEC: init says so and exits 127.
    const exec = await runProgram(["/bad.elf"], settings);
    assert.deepEqual(exec.exit, { status: 127, signal: 0 });
    assert.equal(exec.err, "init: /bad.elf: Exec format error\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rv32 CLI: a bad ELF or a missing file gives a message on stderr and a non-zero status", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/x86.elf`;
    await Deno.writeFile(bad, patched((_, dv) => dv.setUint16(18, 62, true)));
    const run = async (file: string) => {
      const r = await new Deno.Command(Deno.execPath(), {
        args: ["task", "-q", "rv32", file],
        stdout: "piped",
        stderr: "piped",
      }).output();
      return {
        code: r.code,
        out: new TextDecoder().decode(r.stdout),
        err: new TextDecoder().decode(r.stderr),
      };
    };
    const r = await run(bad);
    assert.equal(r.code, 126);
    assert.equal(r.out, "");
    assert.match(r.err, /^rv32: .*x86\.elf: machine 62 is not RISC-V \(243\)\n$/);
    const missing = await run(`${dir}/nothing.elf`);
    assert.equal(missing.code, 127);
    assert.match(missing.err, /nothing\.elf: No such file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
