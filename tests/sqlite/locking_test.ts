/**
 * Two processes on one SQLite database in rollback-journal mode (tests/sqlite/fixtures/
 * two_writers.c, built with `deno task cc` against SQLite): on denix, with the database on an
 * ext2 disk through the VFS, the locks are honoured as on Linux — one writer at a time,
 * SQLITE_BUSY for the other, readers see the last commit, a reader holds off a commit — and
 * 400 concurrent transactions lose no update. The output is the same under qemu-riscv32 and
 * natively on host files; e2fsck finds the disk clean.
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { runCommand } from "../helpers/commands.ts";
import { runProgram } from "../helpers/system.ts";
import { linkWithSqlite } from "../../scripts/sqlite.ts";
import { assertDiskClean } from "../services/vfs/e2fsprogs.ts";

const FIXTURE = new URL("./fixtures/two_writers.c", import.meta.url).pathname;

const EXPECTED = [
  "setup: PRAGMA journal_mode=DELETE -> delete",
  "child: INSERT INTO t(who) VALUES ('child') -> database is locked (busy, as it should be)",
  "child: SELECT count(*) FROM t -> 0",
  "parent: committed",
  "child: SELECT count(*), group_concat(who) FROM t -> 1 parent",
  "child: SELECT count(*) FROM t -> 1",
  "parent: INSERT INTO t(who) VALUES ('parent again') -> database is locked (busy, as it should be)",
  "parent: SELECT n FROM counter -> 400",
  "parent: SELECT who, count(*) FROM t GROUP BY who ORDER BY who -> child 200",
  "parent: SELECT who, count(*) FROM t GROUP BY who ORDER BY who -> parent 201",
  "parent: SELECT who, count(*) FROM t GROUP BY who ORDER BY who -> parent again 1",
  "parent: PRAGMA integrity_check -> ok",
  "",
].join("\n");

Deno.test("sqlite: two processes on one database take turns by its locks (SQLITE_BUSY), on denix as on Linux", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite-locking-" });
  try {
    const program = await linkWithSqlite(FIXTURE, dir);
    const native = await runCommand(program.native, [`${dir}/native.db`]);
    assert.equal(native.out, EXPECTED, native.err);
    const qemu = await runCommand("qemu-riscv32", [program.elf, `${dir}/qemu.db`]);
    assert.equal(qemu.out, EXPECTED, qemu.err);
    const disk = new MemoryDisk(await makeExt2Image({ sizeBytes: 8 * 1024 * 1024 }));
    const denix = await runProgram([program.elf, "/mnt/denix.db"], {
      mode: "threads",
      disk,
    });
    assert.equal(denix.out, EXPECTED, `${denix.err}\n${denix.log.slice(-20).join("\n")}`);
    assert.deepEqual(denix.exit, { status: 0, signal: 0 });
    await assertDiskClean(disk.data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
