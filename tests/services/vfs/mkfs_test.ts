/**
 * mkfs (services/vfs/ext2/mkfs.ts, scripts/mkfs.ts): the images it makes are ext2 as e2fsprogs
 * knows it — e2fsck -fn finds nothing to fix, debugfs lists and reads back what went in — and
 * they mount with our own back end with the same contents.
 */

import assert from "node:assert/strict";
import { EINVAL } from "../../../abi/errno.ts";
import { FsError, S_IFMT, S_IFREG } from "../../../services/vfs/fs.ts";
import { ENOSPC } from "../../../services/vfs/ext2/errors.ts";
import { mountImage } from "../../../services/vfs/ext2/image.ts";
import { makeExt2Image, type TreeNode } from "../../../services/vfs/ext2/mkfs.ts";
import { buildImageFromHost, graft, parseArgs, readHostTree } from "../../../scripts/mkfs.ts";
import {
  assertDiskClean,
  assertFsckClean,
  debugfs,
  debugfsCat,
  withImageFile,
} from "./e2fsprogs.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const BIN = `${ROOT}userland/bin`;
const MIB = 1 << 20;

function hostFiles(dir: string): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
}

/** Reads a whole file through the back end of a mounted image, holes as zeros. */
async function readAll(image: Awaited<ReturnType<typeof mountImage>>, ino: number) {
  const size = (await image.op((fs) => fs.getattr(ino))).size;
  const out = new Uint8Array(size);
  for (let at = 0; at < size;) {
    const r = await image.op((fs) => fs.read(ino, at, 64 * 1024));
    for (const piece of r.pieces) {
      if (piece instanceof Uint8Array) out.set(piece, at);
      at += piece instanceof Uint8Array ? piece.length : piece.hole;
    }
  }
  return out;
}

for (const blockSize of [4096, 1024]) {
  Deno.test(`mkfs: userland/bin at /bin (${blockSize}-byte blocks) is clean, and debugfs reads it`, async () => {
    const disk = await buildImageFromHost([{ host: BIN, path: "/bin" }], {
      sizeBytes: 16 * MIB,
      blockSize,
    });
    await withImageFile(disk, async (path) => {
      await assertFsckClean(path);
      const listing = await debugfs(path, "ls -l /bin");
      for (const name of hostFiles(BIN)) assert.match(listing, new RegExp(` ${name}\\b`));
      const hello = await debugfsCat(path, "/bin/hello.elf");
      assert.deepEqual(hello, Deno.readFileSync(`${BIN}/hello.elf`));
      const lpf = await debugfs(path, "stat /lost+found");
      assert.match(lpf, /Type: directory +Mode: +0700/);
    });
  });
}

Deno.test("mkfs: an image mounts with our back end and holds the tree it was given", async () => {
  const text = new TextEncoder();
  const big = new Uint8Array(300 * 1024).map((_, i) => (i * 7) & 0xff);
  const root: Record<string, TreeNode> = {
    etc: {
      kind: "dir",
      mode: 0o750,
      entries: {
        motd: { kind: "file", data: text.encode("welcome\n"), mode: 0o600 },
        empty: { kind: "file", data: new Uint8Array() },
        deep: { kind: "dir", entries: { big: { kind: "file", data: big } } },
      },
    },
    short: { kind: "symlink", target: "etc/motd" },
    long: { kind: "symlink", target: "x/".repeat(60) + "end" },
  };
  const disk = await makeExt2Image({ sizeBytes: 8 * MIB, blockSize: 1024, inodeSize: 128, root });
  await assertDiskClean(disk);
  const image = await mountImage(disk);
  const look = (dir: number, name: string) => image.op((fs) => fs.lookup(dir, name));
  const etc = await look(2, "etc");
  assert.equal((await image.op((fs) => fs.getattr(etc))).mode & 0o7777, 0o750);
  const motd = await look(etc, "motd");
  const motdAttr = await image.op((fs) => fs.getattr(motd));
  assert.equal(motdAttr.mode, S_IFREG | 0o600);
  assert.equal(motdAttr.mode & S_IFMT, S_IFREG);
  assert.deepEqual(await readAll(image, motd), text.encode("welcome\n"));
  const empty = await look(etc, "empty");
  assert.equal((await image.op((fs) => fs.getattr(empty))).size, 0);
  assert.deepEqual(await readAll(image, await look(await look(etc, "deep"), "big")), big);
  const short = await look(2, "short");
  const long = await look(2, "long");
  assert.equal(await image.op((fs) => fs.readlink(short)), "etc/motd");
  assert.equal(await image.op((fs) => fs.readlink(long)), "x/".repeat(60) + "end");
  const names = (await image.op((fs) => fs.readdir(2, 0, 100))).entries.map((e) => e.name);
  assert.deepEqual(names.sort(), [".", "..", "etc", "long", "lost+found", "short"]);
});

Deno.test("mkfs: refuses sizes that make no file system, and ENOSPC when the tree does not fit", async () => {
  await assert.rejects(
    makeExt2Image({ sizeBytes: 32 * 1024 }),
    (e) => e instanceof FsError && e.errno === EINVAL,
  );
  await assert.rejects(
    makeExt2Image({ sizeBytes: 64 * 1024, blockSize: 3000 }),
    (e) => e instanceof FsError && e.errno === EINVAL,
  );
  const huge = { kind: "file", data: new Uint8Array(2 * MIB) } as const;
  await assert.rejects(
    makeExt2Image({ sizeBytes: MIB, blockSize: 1024, root: { huge } }),
    (e) => e instanceof FsError && e.errno === ENOSPC,
  );
});

Deno.test("mkfs: host trees are grafted where the command line says", () => {
  const { image, mappings, options } = parseArgs([
    "--size",
    "32",
    "--block-size",
    "1024",
    "/tmp/x.img",
    "userland/bin=/bin",
    "docs",
  ]);
  assert.equal(image, "/tmp/x.img");
  assert.equal(options.sizeBytes, 32 * MIB);
  assert.equal(options.blockSize, 1024);
  assert.deepEqual(mappings, [
    { host: "userland/bin", path: "/bin" },
    { host: "docs", path: "/" },
  ]);
  const root: Record<string, TreeNode> = {};
  const file = { kind: "file", data: new Uint8Array([1]) } as const;
  graft(root, "/usr/local/bin", { kind: "dir", entries: { a: file } });
  graft(root, "/usr/local/bin", { kind: "dir", entries: { b: file } });
  graft(root, "/", { kind: "dir", entries: { top: file } });
  const usr = root.usr as { kind: "dir"; entries: Record<string, TreeNode> };
  const local = usr.entries.local as { kind: "dir"; entries: Record<string, TreeNode> };
  const bin = local.entries.bin as { kind: "dir"; entries: Record<string, TreeNode> };
  assert.deepEqual(Object.keys(bin.entries).sort(), ["a", "b"]);
  assert.equal(root.top, file);
  const bins = readHostTree(BIN);
  assert.equal(bins?.kind, "dir");
});

Deno.test("mkfs: the command line writes an image that e2fsck passes", async () => {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        `${ROOT}scripts/mkfs.ts`,
        "--size",
        "8",
        path,
        `${BIN}=/bin`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    assert.equal(Deno.statSync(path).size, 8 * MIB);
    await assertFsckClean(path);
    assert.deepEqual(
      await debugfsCat(path, "/bin/hello.elf"),
      Deno.readFileSync(`${BIN}/hello.elf`),
    );
  } finally {
    await Deno.remove(path);
  }
});
