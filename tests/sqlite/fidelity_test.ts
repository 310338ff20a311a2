/**
 * SQLite's fidelity on denix: every script of tests/sqlite/corpus (DDL, joins, aggregates,
 * window functions, CTEs, triggers, views, blobs, NULLs, collations, ATTACH, errors, a
 * database over 20 MiB) gives byte-identical output, errors and exit status on denix (the
 * database on an ext2 disk), under qemu-riscv32 (host files) and from the native build. The
 * database files then come out of the image: the host's own sqlite3 finds them intact and
 * dumps the same content as from the natively made files, and e2fsck finds the disk clean.
 * The other way too: a database the host's sqlite3 made, put into an image, opens on denix.
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import {
  hostSqlite3,
  sqliteDenix,
  sqliteNative,
  sqliteQemu,
  type SqlRun,
} from "../helpers/sqlite.ts";
import { assertDiskClean, debugfsCat, withImageFile } from "../services/vfs/e2fsprogs.ts";

const CORPUS = new URL("./corpus/", import.meta.url);
const MIB = 1024 * 1024;
/** The database files a script may make, beside the main one (attach.sql's). */
const FILES = ["c.db", "attached.db"];

async function sha256(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function same(what: string, a: SqlRun, b: SqlRun): void {
  assert.equal(a.out, b.out, `${what}: stdout differs`);
  assert.equal(a.err, b.err, `${what}: stderr differs`);
  assert.equal(a.code, b.code, `${what}: exit status differs`);
}

const scripts = [...Deno.readDirSync(CORPUS)].map((e) => e.name).filter((n) => n.endsWith(".sql"))
  .sort();

for (const script of scripts) {
  Deno.test(`sqlite corpus ${script}: denix = qemu-riscv32 = native, files open on the host, e2fsck clean`, async () => {
    const input = await Deno.readTextFile(new URL(script, CORPUS));
    const args = ["-batch", "c.db"];
    const nativeDir = await Deno.makeTempDir({ prefix: "sqlite-native-" });
    const qemuDir = await Deno.makeTempDir({ prefix: "sqlite-qemu-" });
    try {
      const native = await sqliteNative(args, { cwd: nativeDir, input });
      const qemu = await sqliteQemu(args, { cwd: qemuDir, input });
      const disk = new MemoryDisk(await makeExt2Image({ sizeBytes: 64 * MIB }));
      const denix = await sqliteDenix(args, disk, { input });
      const story = `${denix.err}\n${denix.log.slice(-20).join("\n")}`;
      same(`${script}: qemu-riscv32 vs native`, qemu, native);
      same(`${script}: denix vs native (${story})`, denix, native);
      // A script without errors exits 0; one with errors says so on stderr and exits 1.
      assert.equal(native.code, native.err === "" ? 0 : 1, native.err);
      await assertDiskClean(disk.data);
      await withImageFile(disk.data, async (image) => {
        const made = new Set([...Deno.readDirSync(nativeDir)].map((e) => e.name));
        for (const name of FILES.filter((f) => made.has(f))) {
          const copy = `${qemuDir}/from-denix-${name}`;
          await Deno.writeFile(copy, await debugfsCat(image, `/${name}`));
          assert.equal(await hostSqlite3(copy, "PRAGMA integrity_check;"), "ok\n", name);
          const ours = await sha256(await hostSqlite3(copy, ".dump"));
          const theirs = await sha256(await hostSqlite3(`${nativeDir}/${name}`, ".dump"));
          assert.equal(ours, theirs, `${name}: the host dumps different content`);
        }
      });
    } finally {
      await Deno.remove(nativeDir, { recursive: true });
      await Deno.remove(qemuDir, { recursive: true });
    }
  });
}

Deno.test("sqlite: a database the host's sqlite3 made, put into an ext2 image, opens and changes on denix", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sqlite-host-" });
  try {
    await hostSqlite3(
      `${dir}/host.db`,
      "CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT, stamp REAL);" +
        "CREATE INDEX notes_body ON notes(body);" +
        "WITH RECURSIVE c(i) AS (VALUES(1) UNION ALL SELECT i + 1 FROM c WHERE i < 3000) " +
        "INSERT INTO notes SELECT i, 'note ' || (i * 7919 % 3000), i / 4.0 FROM c;",
    );
    const data = await Deno.readFile(`${dir}/host.db`);
    const disk = new MemoryDisk(
      await makeExt2Image({ sizeBytes: 16 * MIB, root: { "host.db": { kind: "file", data } } }),
    );
    const sql = "PRAGMA integrity_check;\n" +
      "SELECT count(*), sum(stamp), min(body), max(body) FROM notes;\n" +
      "SELECT id FROM notes WHERE body = 'note 1234';\n" +
      "INSERT INTO notes(body, stamp) VALUES ('made on denix', -1);\n";
    const native = await sqliteNative(["host.db"], { cwd: dir, input: sql });
    const denix = await sqliteDenix(["host.db"], disk, { input: sql });
    same("denix vs native on the host's file", denix, native);
    assert.equal(denix.code, 0, denix.err);
    assert.match(denix.out, /^ok\n3000\|/);
    await assertDiskClean(disk.data);
    await withImageFile(disk.data, async (image) => {
      const copy = `${dir}/back.db`;
      await Deno.writeFile(copy, await debugfsCat(image, "/host.db"));
      assert.equal(
        await hostSqlite3(
          copy,
          "PRAGMA integrity_check; SELECT id, body FROM notes WHERE stamp < 0;",
        ),
        "ok\n3001|made on denix\n",
      );
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
