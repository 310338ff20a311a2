/**
 * The file system programs (userland/src/fs_*.c) on denix itself: each runs under init with a
 * file system of the VFS as its working directory — a tmpfs (/tmp/work) and ext2 on the block
 * device (/mnt/work) — with the harts in-line and on their own threads, and must print exactly what it
 * prints under qemu-riscv32 on the host's file systems (tests/userland/fs_programs_qemu_test.ts
 * holds the expected lines). After the ext2 runs the disk is synced at shutdown and `e2fsck -fn`
 * must find it clean. One combination runs the services as workers, the others in-line (the
 * deploy-time choice; the same code).
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../../services/vfs/ext2/mkfs.ts";
import { assertDiskClean } from "./e2fsprogs.ts";
import { EXPECT } from "../../userland/fs_expect.ts";
import { runProgram } from "../../helpers/system.ts";
import { hostMounts } from "../../../scripts/deploy.ts";
import type { HartMode } from "../../../kernel/kernel.ts";

const BIN = new URL("../../../userland/bin", import.meta.url).pathname;

/** The programs that need only files (fs_pty needs pseudo-terminals, a later issue's). */
const PROGRAMS = ["fs_basic", "fs_dirs", "fs_big", "fs_append", "fs_errors", "fs_meta", "fs_jobs"];

async function run(program: string, where: "tmpfs" | "ext2", mode: HartMode, worker: boolean) {
  const disk = where === "ext2"
    ? new MemoryDisk(
      await makeExt2Image({
        sizeBytes: 160 * 1024 * 1024,
        root: { work: { kind: "dir", entries: {} } },
      }),
    )
    : undefined;
  const r = await runProgram([`${BIN}/${program}.elf`], {
    mode,
    disk,
    // A tmpfs of its own: /tmp also shows the host's /tmp (a union mount), not an empty directory.
    mounts: where === "tmpfs" ? [...hostMounts(false), "tmpfs - /tmp/work"] : undefined,
    cwd: where === "ext2" ? "/mnt/work" : "/tmp/work",
    isolation: worker ? "worker" : "inline",
  });
  assert.equal(r.err, "", `${program} wrote to stderr`);
  assert.equal(r.out, [...EXPECT[program], "ok", ""].join("\n"));
  assert.deepEqual(r.exit, { status: 0, signal: 0 });
  if (disk) await assertDiskClean(disk.data);
}

for (const program of PROGRAMS) {
  for (const where of ["tmpfs", "ext2"] as const) {
    for (const mode of ["inline", "threads"] as const) {
      const worker = where === "ext2" && mode === "threads";
      Deno.test(`${program} on ${where}, ${mode} harts${worker ? ", services as workers" : ""}`, () =>
        run(program, where, mode, worker));
    }
  }
}
