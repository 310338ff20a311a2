/**
 * Corrupt database files on denix: random bytes, a database cut short, one whose pages after
 * the first were overwritten. Each gives SQLite's own error — the same bytes on stdout and
 * stderr, and the same exit status, as the native build on a host copy of the file — and the
 * run ends: nothing hangs, the kernel logs no fault, and e2fsck finds the disk clean.
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { seededBytes } from "../helpers/commands.ts";
import { hostSqlite3, sqliteDenix, sqliteNative } from "../helpers/sqlite.ts";
import { assertDiskClean } from "../services/vfs/e2fsprogs.ts";

const QUERIES = ["SELECT count(*), sum(length(body)) FROM t", "PRAGMA integrity_check"];

Deno.test("sqlite: corrupt database files give SQLite's own errors on denix, as natively; nothing hangs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite-corrupt-" });
  try {
    await hostSqlite3(
      `${dir}/good.db`,
      "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT);" +
        "WITH RECURSIVE c(i) AS (VALUES(1) UNION ALL SELECT i + 1 FROM c WHERE i < 2000) " +
        "INSERT INTO t SELECT i, printf('%0200d', i) FROM c;",
    );
    const good = await Deno.readFile(`${dir}/good.db`);
    assert.ok(good.length > 64 * 1024);
    const overwritten = good.slice();
    overwritten.set(seededBytes(good.length - 8192, 7).subarray(0, good.length - 8192), 8192);
    const files: Record<string, Uint8Array> = {
      "random.db": seededBytes(64 * 1024, 3),
      "truncated.db": good.slice(0, 20 * 1024 + 100),
      "overwritten.db": overwritten,
    };
    for (const [name, data] of Object.entries(files)) await Deno.writeFile(`${dir}/${name}`, data);
    const disk = new MemoryDisk(
      await makeExt2Image({
        sizeBytes: 8 * 1024 * 1024,
        root: Object.fromEntries(
          Object.entries(files).map(([name, data]) => [name, { kind: "file" as const, data }]),
        ),
      }),
    );
    for (const name of Object.keys(files)) {
      const args = ["-batch", name, ...QUERIES];
      const native = await sqliteNative(args, { cwd: dir });
      const denix = await sqliteDenix(args, disk);
      assert.equal(denix.out, native.out, `${name}: stdout`);
      assert.equal(denix.err, native.err, `${name}: stderr`);
      assert.equal(denix.code, native.code, `${name}: exit status`);
      assert.notEqual(native.code, 0, `${name}: an error`);
      assert.match(native.err, /file is not a database|malformed|disk image/, name);
      assert.deepEqual(denix.log.filter((l) => /fault|panic|bug/i.test(l)), [], name);
    }
    await assertDiskClean(disk.data);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
