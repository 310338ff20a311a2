/**
 * A full file system, through the system calls of a RISC-V program (userland/src/disk_full.c):
 * writing until the data runs out gives ENOSPC and keeps every byte written before; creating
 * files until the inodes run out gives ENOSPC; removing everything gives the room back. On a
 * small ext2 disk (then e2fsck finds it clean) and on a small tmpfs (size=, nr_inodes=).
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../../services/vfs/ext2/mkfs.ts";
import { hostMounts } from "../../../scripts/deploy.ts";
import { runProgram } from "../../helpers/system.ts";
import { assertDiskClean } from "./e2fsprogs.ts";

const PROGRAM = new URL("../../../userland/bin/disk_full.elf", import.meta.url).pathname;
const EXPECT = [
  "writing until the disk is full: ENOSPC, and every byte written before reads back",
  "creating files until the inodes run out: ENOSPC",
  "after removing everything the space is back",
  "ok",
  "",
].join("\n");

Deno.test("a full ext2 disk: ENOSPC for data and for inodes, nothing lost, e2fsck clean", async () => {
  const disk = new MemoryDisk(
    await makeExt2Image({
      sizeBytes: 2 * 1024 * 1024,
      blockSize: 1024,
      inodes: 64,
      root: { work: { kind: "dir", entries: {} } },
    }),
  );
  const r = await runProgram([PROGRAM], { disk, cwd: "/mnt/work" });
  assert.equal(r.out, EXPECT, r.err);
  assert.deepEqual(r.exit, { status: 0, signal: 0 });
  await assertDiskClean(disk.data);
});

Deno.test("a full tmpfs: ENOSPC for data (size=) and for inodes (nr_inodes=)", async () => {
  const r = await runProgram([PROGRAM], {
    cwd: "/small",
    mounts: [...hostMounts(false), "tmpfs - /small size=1m,nr_inodes=200"],
  });
  assert.equal(r.out, EXPECT, r.err);
  assert.deepEqual(r.exit, { status: 0, signal: 0 });
});
