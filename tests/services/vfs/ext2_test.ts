/**
 * The ext2 back end (services/vfs/ext2/): against e2fsprogs in both directions, through a
 * workload that reaches every part of the format, and on images that are broken on purpose.
 *
 * - Images made by mke2fs -d (1 and 4 KiB blocks, 128- and 256-byte inodes) mount and read back
 *   the host tree they were made from, and stay clean in e2fsck after we change them.
 * - The workload (create, write, rename, unlink, links, symlinks, holes, indirect blocks to the
 *   triple level, truncation, ENOSPC, a full inode table, open-but-unlinked files) leaves an
 *   image that e2fsck -fn passes and whose files debugfs reads as we wrote them.
 * - Corrupt images (bad magic, truncation, wild block pointers, broken directories, loops,
 *   random damage) give FsError and nothing else, and every call returns.
 *
 * Every call goes through `image.op`, which brackets it with the cache's beginOp/endOp as the
 * VFS does.
 */

import assert from "node:assert/strict";
import {
  EEXIST,
  EINVAL,
  EIO,
  EISDIR,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  EPERM,
  EROFS,
} from "../../../abi/errno.ts";
import { EFBIG, EMLINK, ENOSPC, ENOTEMPTY } from "../../../services/vfs/ext2/errors.ts";
import { type MountedImage, mountImage } from "../../../services/vfs/ext2/image.ts";
import { decodeGroupDesc, decodeSuperblock } from "../../../services/vfs/ext2/layout.ts";
import { makeExt2Image, type TreeNode } from "../../../services/vfs/ext2/mkfs.ts";
import {
  DT,
  FsError,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "../../../services/vfs/fs.ts";
import {
  assertDiskClean,
  assertFsckClean,
  debugfs,
  debugfsBmap,
  debugfsCat,
  debugfsWrite,
  runTool,
  withImageFile,
} from "./e2fsprogs.ts";

const KIB = 1024;
const MIB = 1 << 20;
const text = new TextEncoder();

// ---- helpers ----

/** A deterministic pseudo-random generator (xorshift32). */
function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** `n` bytes of a pattern that differs per offset and per seed. */
function pattern(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() & 0xff;
  return out;
}

/** Asserts that `p` fails with FsError(errno). */
async function rejectsWith(p: Promise<unknown>, errno: number): Promise<void> {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof FsError, `not an FsError: ${e}`);
    assert.equal(e.errno, errno, `errno ${e.errno} (${e.message}), wanted ${errno}`);
    return true;
  });
}

/** The inode at `path` (absolute, "/" separated). */
async function resolve(image: MountedImage, path: string): Promise<number> {
  let ino = image.fs.root();
  for (const name of path.split("/").filter(Boolean)) {
    const dir = ino;
    ino = await image.op((fs) => fs.lookup(dir, name));
  }
  return ino;
}

/** The directory holding `path` and the last name of it. */
async function parentOf(image: MountedImage, path: string): Promise<[number, string]> {
  const at = path.lastIndexOf("/");
  return [await resolve(image, path.slice(0, at)), path.slice(at + 1)];
}

async function create(image: MountedImage, path: string, mode = 0o644): Promise<number> {
  const [dir, name] = await parentOf(image, path);
  return await image.op((fs) => fs.create(dir, name, mode, 0));
}

async function mkdir(image: MountedImage, path: string): Promise<number> {
  const [dir, name] = await parentOf(image, path);
  return await image.op((fs) => fs.mkdir(dir, name, 0o755));
}

/** Writes `data` at `offset` in operations of at most 64 KiB; returns the bytes written. */
async function writeAll(image: MountedImage, ino: number, offset: number, data: Uint8Array) {
  let done = 0;
  while (done < data.length) {
    const chunk = data.subarray(done, done + 64 * KIB);
    const n = await image.op((fs) => fs.write(ino, offset + done, chunk));
    done += n;
    if (n < chunk.length) break;
  }
  return done;
}

/** Reads `length` bytes at `offset` (holes as zeros), 64 KiB per operation. */
async function readRange(image: MountedImage, ino: number, offset: number, length: number) {
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const r = await image.op((fs) => fs.read(ino, offset + at, Math.min(64 * KIB, length - at)));
    if (r.bytes === 0) break;
    for (const piece of r.pieces) {
      if (piece instanceof Uint8Array) out.set(piece, at);
      at += piece instanceof Uint8Array ? piece.length : piece.hole;
    }
  }
  return out.subarray(0, at);
}

async function readAll(image: MountedImage, ino: number): Promise<Uint8Array> {
  const size = (await image.op((fs) => fs.getattr(ino))).size;
  return await readRange(image, ino, 0, size);
}

async function attr(image: MountedImage, ino: number) {
  return await image.op((fs) => fs.getattr(ino));
}

/** Every entry of a directory, read in pages of `page` entries. */
async function listAll(image: MountedImage, dir: number, page = 7) {
  const out: Array<{ ino: number; name: string; type: number }> = [];
  let cookie = 0;
  for (let pages = 0; pages < 100_000; pages++) {
    const r = await image.op((fs) => fs.readdir(dir, cookie, page));
    out.push(...r.entries);
    if (r.next === 0) return out;
    cookie = r.next;
  }
  throw new Error("readdir does not end");
}

async function names(image: MountedImage, dir: number): Promise<string[]> {
  return (await listAll(image, dir)).map((e) => e.name).filter((n) => n !== "." && n !== "..")
    .sort();
}

/** Syncs, then checks the disk with e2fsck -fn and gives `check` the image file. */
async function syncAndCheck(
  image: MountedImage,
  check: (path: string) => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  await image.op((fs) => fs.sync());
  await withImageFile(image.disk, async (path) => {
    await assertFsckClean(path);
    await check(path);
  });
}

async function freshImage(
  sizeBytes: number,
  blockSize = 1024,
  extra: { inodes?: number; inodeSize?: number; root?: Record<string, TreeNode> } = {},
): Promise<MountedImage> {
  return await mountImage(await makeExt2Image({ sizeBytes, blockSize, ...extra }));
}

// ---- images made by mke2fs ----

/** A host tree with what ext2 stores differently: sizes, holes, links, many entries. */
async function makeHostTree(root: string): Promise<void> {
  await Deno.writeFile(`${root}/a.txt`, text.encode("hello, ext2\n"));
  await Deno.writeFile(`${root}/empty`, new Uint8Array());
  await Deno.mkdir(`${root}/sub/dir`, { recursive: true });
  await Deno.writeFile(`${root}/sub/dir/deep.bin`, pattern(70 * KIB, 1));
  await Deno.writeFile(`${root}/big.bin`, pattern(1536 * KIB, 2));
  await Deno.writeFile(`${root}/exec.sh`, text.encode("#!/bin/sh\n"), { mode: 0o755 });
  await Deno.chmod(`${root}/exec.sh`, 0o755);
  const sparse = await Deno.open(`${root}/sparse.bin`, { write: true, create: true });
  await sparse.seek(2 * MIB, Deno.SeekMode.Start);
  await sparse.write(new Uint8Array([0x5a]));
  sparse.close();
  await Deno.symlink("a.txt", `${root}/fast_link`);
  await Deno.symlink("sub/" + "x".repeat(80), `${root}/slow_link`);
  await Deno.link(`${root}/a.txt`, `${root}/hard`);
  await Deno.mkdir(`${root}/many`);
  for (let i = 0; i < 150; i++) {
    await Deno.writeFile(`${root}/many/file-${String(i).padStart(3, "0")}`, text.encode(`${i}`));
  }
}

/** Compares the image's tree below `ino` with the host's below `host`. */
async function compareTree(image: MountedImage, ino: number, host: string): Promise<void> {
  const hostNames = [...Deno.readDirSync(host)].map((e) => e.name).sort();
  const entries = await listAll(image, ino);
  const imageNames = entries.map((e) => e.name).filter((n) => n !== "." && n !== "..").sort();
  if (ino !== 2) assert.deepEqual(imageNames, hostNames, host);
  else assert.deepEqual(imageNames.filter((n) => n !== "lost+found"), hostNames, host);
  for (const name of hostNames) {
    const path = `${host}/${name}`;
    const stat = Deno.lstatSync(path);
    const entry = entries.find((e) => e.name === name)!;
    const a = await attr(image, entry.ino);
    if (stat.isSymlink) {
      assert.equal(entry.type, DT.LNK);
      assert.equal(a.mode & S_IFMT, S_IFLNK);
      assert.equal(await image.op((fs) => fs.readlink(entry.ino)), Deno.readLinkSync(path));
    } else if (stat.isDirectory) {
      assert.equal(entry.type, DT.DIR);
      await compareTree(image, entry.ino, path);
    } else {
      assert.equal(entry.type, DT.REG);
      assert.equal(a.mode, S_IFREG | (stat.mode! & 0o7777), path);
      assert.equal(a.size, stat.size, path);
      assert.deepEqual(await readAll(image, entry.ino), Deno.readFileSync(path), path);
    }
  }
}

for (const [blockSize, inodeSize] of [[1024, 128], [1024, 256], [4096, 128], [4096, 256]]) {
  Deno.test(`ext2: mke2fs -b ${blockSize} -I ${inodeSize} -d tree mounts with the host's contents, and stays clean after changes`, async () => {
    const host = await Deno.makeTempDir();
    const imagePath = await Deno.makeTempFile({ suffix: ".img" });
    try {
      await makeHostTree(host);
      const args = ["-q", "-F", "-t", "ext2", "-b", `${blockSize}`, "-I", `${inodeSize}`];
      const made = await runTool("mke2fs", [...args, "-d", host, imagePath, "8M"]);
      assert.equal(made.code, 0, made.stderr);
      const image = await mountImage(await Deno.readFile(imagePath));
      await compareTree(image, 2, host);
      const hard = await resolve(image, "/hard");
      assert.equal(hard, await resolve(image, "/a.txt"));
      assert.equal((await attr(image, hard)).nlink, 2);
      const sparse = await resolve(image, "/sparse.bin");
      assert.ok((await attr(image, sparse)).blocks <= 8 * (blockSize / 512));

      // Change it: everything here must leave e2fsck nothing to fix.
      const big = await resolve(image, "/big.bin");
      await image.op((fs) => fs.setattr(big, { size: 100 * KIB + 3 }));
      await image.op((fs) => fs.unlink(2, "a.txt"));
      const many = await resolve(image, "/many");
      for (let i = 0; i < 150; i += 3) {
        await image.op((fs) => fs.unlink(many, `file-${String(i).padStart(3, "0")}`));
      }
      const fresh = await create(image, "/many/a-new-file-with-a-longer-name");
      await writeAll(image, fresh, 0, pattern(300 * KIB, 3));
      const sub = await resolve(image, "/sub");
      await image.op((fs) => fs.rename(sub, "dir", many, "moved"));
      await image.op((fs) => fs.unlink(2, "sparse.bin"));
      await mkdir(image, "/newdir");
      await syncAndCheck(image, async (path) => {
        assert.deepEqual(await debugfsCat(path, "/many/moved/deep.bin"), pattern(70 * KIB, 1));
        assert.deepEqual(
          await debugfsCat(path, "/big.bin"),
          pattern(1536 * KIB, 2).subarray(0, 100 * KIB + 3),
        );
      });
    } finally {
      await Deno.remove(host, { recursive: true });
      await Deno.remove(imagePath);
    }
  });
}

Deno.test("ext2: a hash-indexed directory and an attribute block (made by e2fsprogs) change cleanly", async () => {
  const host = await Deno.makeTempDir();
  const imagePath = await Deno.makeTempFile({ suffix: ".img" });
  try {
    await Deno.mkdir(`${host}/many`);
    for (let i = 0; i < 300; i++) {
      await Deno.writeFile(`${host}/many/file-${i}`, text.encode(`${i}`));
    }
    await Deno.writeFile(`${host}/tagged`, text.encode("with an attribute"));
    const args = ["-q", "-F", "-t", "ext2", "-b", "1024", "-I", "128", "-d", host, imagePath, "8M"];
    assert.equal((await runTool("mke2fs", args)).code, 0);
    await runTool("e2fsck", ["-fyD", imagePath]); // builds the hash indexes
    assert.equal(
      (await runTool("debugfs", ["-w", "-R", "ea_set /tagged user.k v", imagePath])).code,
      0,
    );
    assert.match(await debugfs(imagePath, "stat /many"), /Flags: 0x1000/);
    assert.doesNotMatch(await debugfs(imagePath, "stat /tagged"), /File ACL: 0\b/);

    const image = await mountImage(await Deno.readFile(imagePath));
    const many = await resolve(image, "/many");
    assert.equal((await names(image, many)).length, 300);
    assert.deepEqual(
      await readAll(image, await resolve(image, "/many/file-123")),
      text.encode("123"),
    );
    for (let i = 0; i < 300; i += 2) await image.op((fs) => fs.unlink(many, `file-${i}`));
    for (let i = 0; i < 40; i++) await image.op((fs) => fs.create(many, `added-${i}`, 0o644, 0));
    await image.op((fs) => fs.unlink(2, "tagged"));
    await syncAndCheck(image, async (path) => {
      assert.match(await debugfs(path, "stat /many"), /Flags: 0x0\b/);
      assert.match(await debugfs(path, "ls /many"), /added-39/);
    });
  } finally {
    await Deno.remove(host, { recursive: true });
    await Deno.remove(imagePath);
  }
});

// ---- the workload ----

Deno.test("ext2: a workload over every structure leaves an image e2fsck passes and debugfs reads", async () => {
  const image = await freshImage(96 * MIB, 1024);
  const root = image.fs.root();

  // Create, write, read back; rename across directories and over an existing file.
  await mkdir(image, "/docs");
  await mkdir(image, "/tmp");
  const a = await create(image, "/docs/a.txt");
  assert.equal(await writeAll(image, a, 0, text.encode("hello")), 5);
  assert.deepEqual(await readAll(image, a), text.encode("hello"));
  const docs = await resolve(image, "/docs");
  const tmp = await resolve(image, "/tmp");
  await image.op((fs) => fs.rename(docs, "a.txt", tmp, "b.txt"));
  await rejectsWith(resolve(image, "/docs/a.txt"), ENOENT);
  const c = await create(image, "/tmp/c.txt");
  await writeAll(image, c, 0, text.encode("old"));
  await image.op((fs) => fs.rename(tmp, "b.txt", tmp, "c.txt"));
  assert.equal(await resolve(image, "/tmp/c.txt"), a);
  await rejectsWith(resolve(image, "/tmp/b.txt"), ENOENT);
  assert.deepEqual(await readAll(image, await resolve(image, "/tmp/c.txt")), text.encode("hello"));

  // Directories: mkdir/rmdir, link counts when a directory changes parent.
  await mkdir(image, "/docs/sub");
  await create(image, "/docs/sub/x");
  await rejectsWith(image.op((fs) => fs.rmdir(docs, "sub")), ENOTEMPTY);
  assert.equal((await attr(image, docs)).nlink, 3);
  await image.op((fs) => fs.rename(docs, "sub", tmp, "sub2"));
  assert.equal((await attr(image, docs)).nlink, 2);
  assert.equal((await attr(image, tmp)).nlink, 3);
  const sub2 = await resolve(image, "/tmp/sub2");
  const dotdot = (await listAll(image, sub2)).find((e) => e.name === "..")!;
  assert.equal(dotdot.ino, tmp);
  await mkdir(image, "/gone");
  await image.op((fs) => fs.rmdir(root, "gone"));
  await rejectsWith(resolve(image, "/gone"), ENOENT);

  // Symlinks: fast (in the inode) and slow (a block).
  const fast = await image.op((fs) => fs.symlink(root, "fast", "tmp/c.txt"));
  const slowTarget = "/very/long/" + "p".repeat(100);
  const slow = await image.op((fs) => fs.symlink(root, "slow", slowTarget));
  assert.equal(await image.op((fs) => fs.readlink(fast)), "tmp/c.txt");
  assert.equal(await image.op((fs) => fs.readlink(slow)), slowTarget);
  assert.equal((await attr(image, fast)).blocks, 0);
  assert.equal((await attr(image, slow)).blocks, 2);
  assert.equal((await attr(image, slow)).size, slowTarget.length);

  // Hard links.
  await image.op((fs) => fs.link(a, docs, "again"));
  assert.equal((await attr(image, a)).nlink, 2);
  await image.op((fs) => fs.unlink(tmp, "c.txt"));
  assert.equal((await attr(image, a)).nlink, 1);
  assert.deepEqual(await readAll(image, a), text.encode("hello"));

  // A dense file into the triple indirect block (12 + 256 + 65536 + 300 blocks of 1 KiB).
  const denseBlocks = 12 + 256 + 65536 + 300;
  const dense = await create(image, "/dense");
  const denseData = pattern(denseBlocks * KIB, 4);
  assert.equal(await writeAll(image, dense, 0, denseData), denseData.length);
  const denseMeta = 1 + (1 + 256) + (1 + 1 + 2);
  assert.equal((await attr(image, dense)).blocks, (denseBlocks + denseMeta) * 2);
  assert.deepEqual(await readRange(image, dense, 0, 300 * KIB), denseData.subarray(0, 300 * KIB));
  const tail = denseData.length - 400 * KIB;
  assert.deepEqual(await readRange(image, dense, tail, 400 * KIB), denseData.subarray(tail));
  // Truncate inside the triple indirect range: partial triple, double and single blocks.
  const denseKept = (12 + 256 + 65536 + 10) * KIB + 100;
  await image.op((fs) => fs.setattr(dense, { size: denseKept }));
  assert.equal((await attr(image, dense)).blocks, (12 + 256 + 65536 + 11 + denseMeta - 1) * 2);
  await image.op((fs) => fs.setattr(dense, { size: denseKept + 2000 }));
  const denseEnd = await readRange(image, dense, denseKept - 100, 2100);
  assert.deepEqual(denseEnd.subarray(0, 100), denseData.subarray(denseKept - 100, denseKept));
  assert.ok(denseEnd.subarray(100).every((b) => b === 0), "the cut tail reads as zeros");

  // A sparse file with one byte at 70 MiB: data, triple, double and single indirect blocks.
  const sparse = await create(image, "/sparse");
  await writeAll(image, sparse, 70 * MIB, new Uint8Array([0xab]));
  const sparseAttr = await attr(image, sparse);
  assert.equal(sparseAttr.size, 70 * MIB + 1);
  assert.equal(sparseAttr.blocks, 4 * 2);
  assert.deepEqual(await readRange(image, sparse, 70 * MIB - 2, 3), new Uint8Array([0, 0, 0xab]));
  const holes = await image.op((fs) => fs.read(sparse, 0, 64 * KIB));
  assert.deepEqual(holes.pieces, [{ hole: 64 * KIB }]);

  // Holes in a small file, and reads that are views into the cache.
  const holey = await create(image, "/holey");
  await writeAll(image, holey, 0, new Uint8Array([1]));
  await writeAll(image, holey, 100 * KIB, new Uint8Array([2]));
  assert.equal((await attr(image, holey)).blocks, 3 * 2);
  const middle = await image.op((fs) => fs.read(holey, 0, 50 * KIB));
  assert.equal(middle.bytes, 50 * KIB);
  const first = middle.pieces[0] as Uint8Array;
  assert.ok(first instanceof Uint8Array && first[0] === 1);
  assert.ok(image.cache.slotOf(first) >= 0, "read data is a view into a cache slot");
  assert.ok(middle.pieces.some((p) => !(p instanceof Uint8Array)), "a hole piece");

  // Truncation: down (blocks freed, the tail zeroed), up (zeros), into the middle of the
  // double indirect range, and appends.
  const trunc = await create(image, "/trunc");
  const truncData = pattern(1000 * KIB, 5);
  await writeAll(image, trunc, 0, truncData);
  await image.op((fs) => fs.setattr(trunc, { size: 500 * KIB }));
  assert.equal((await attr(image, trunc)).blocks, (500 + 3) * 2);
  await image.op((fs) => fs.setattr(trunc, { size: 5000 }));
  assert.equal((await attr(image, trunc)).blocks, 5 * 2);
  await image.op((fs) => fs.setattr(trunc, { size: 300 * KIB }));
  const grown = await readAll(image, trunc);
  assert.deepEqual(grown.subarray(0, 5000), truncData.subarray(0, 5000));
  assert.ok(grown.subarray(5000).every((b) => b === 0), "zeros past the old end");
  await image.op((fs) => fs.setattr(trunc, { size: 0 }));
  assert.equal((await attr(image, trunc)).blocks, 0);
  const appended: number[] = [];
  for (let i = 0; i < 40; i++) {
    const piece = pattern(97 + i, 100 + i);
    const at = (await attr(image, trunc)).size;
    await writeAll(image, trunc, at, piece);
    appended.push(...piece);
  }
  assert.deepEqual(await readAll(image, trunc), new Uint8Array(appended));

  // Past 4 GiB: i_size_high (LARGE_FILE).
  const large = await create(image, "/large");
  await writeAll(image, large, 5 * 2 ** 30, text.encode("far"));
  assert.equal((await attr(image, large)).size, 5 * 2 ** 30 + 3);
  assert.deepEqual(await readRange(image, large, 5 * 2 ** 30, 3), text.encode("far"));
  await image.op((fs) => fs.setattr(large, { size: 3 * 2 ** 30 }));
  assert.equal((await attr(image, large)).blocks, 0);
  await image.op((fs) => fs.setattr(large, { size: 5 * 2 ** 30 + 3 }));

  // Device nodes keep their number; a FIFO has no blocks.
  const nul = await image.op((fs) => fs.create(root, "null", S_IFCHR | 0o666, (1 << 8) | 3));
  assert.equal((await attr(image, nul)).rdev, (1 << 8) | 3);
  assert.equal((await attr(image, nul)).mode, S_IFCHR | 0o666);
  const disk = await image.op((fs) => fs.create(root, "disk", S_IFBLK | 0o600, (259 << 8) | 7));
  assert.equal((await attr(image, disk)).rdev, (259 << 8) | 7);
  const fifo = await image.op((fs) => fs.create(root, "fifo", S_IFIFO | 0o644, 0));
  assert.equal((await attr(image, fifo)).blocks, 0);

  // Names: 255 bytes are fine, 256 are not.
  const long = "n".repeat(255);
  const longIno = await image.op((fs) => fs.create(root, long, 0o644, 0));
  assert.equal(await resolve(image, `/${long}`), longIno);
  await rejectsWith(image.op((fs) => fs.create(root, "n".repeat(256), 0o644, 0)), ENAMETOOLONG);

  await syncAndCheck(image, async (path) => {
    assert.deepEqual(await debugfsCat(path, "/docs/again"), text.encode("hello"));
    assert.deepEqual(await debugfsCat(path, "/trunc"), new Uint8Array(appended));
    const denseFinal = new Uint8Array(denseKept + 2000);
    denseFinal.set(denseData.subarray(0, denseKept));
    assert.deepEqual(await debugfsCat(path, "/dense"), denseFinal);
    const stat = await debugfs(path, "stat /large");
    assert.match(stat, new RegExp(`Size: ${5 * 2 ** 30 + 3}\\b`));
    assert.match(await debugfs(path, "stat /slow"), /BLOCKS:\s*\(0\):\d+/);
    assert.match(await debugfs(path, "stat /fast"), /Fast link dest: "tmp\/c.txt"/);
    assert.match(await debugfs(path, "stat /null"), /Device major\/minor number: 01:03/);
    assert.match(await debugfs(path, "stat /disk"), /Device major\/minor number: 259:07/);
    assert.match(await debugfs(path, "ls -l /tmp/sub2"), / x\b/);
    assert.ok(await debugfsBmap(path, "/sparse", 70 * 1024) > 0);
    assert.equal(await debugfsBmap(path, "/sparse", 1024), 0);
  });
});

Deno.test("ext2: rename and friends refuse what POSIX refuses", async () => {
  const image = await freshImage(4 * MIB);
  const root = image.fs.root();
  const a = await mkdir(image, "/a");
  const b = await mkdir(image, "/a/b");
  const file = await create(image, "/a/file");
  await mkdir(image, "/empty");
  await mkdir(image, "/full");
  await create(image, "/full/x");

  await rejectsWith(image.op((fs) => fs.rename(root, "a", b, "a")), EINVAL);
  await rejectsWith(image.op((fs) => fs.rename(root, "a", a, "self")), EINVAL);
  await rejectsWith(image.op((fs) => fs.rename(root, "empty", root, "full")), ENOTEMPTY);
  await rejectsWith(image.op((fs) => fs.rename(a, "file", root, "empty")), EISDIR);
  await rejectsWith(image.op((fs) => fs.rename(root, "empty", a, "file")), ENOTDIR);
  await rejectsWith(image.op((fs) => fs.rename(root, "nothing", a, "x")), ENOENT);
  await rejectsWith(image.op((fs) => fs.rmdir(root, "full")), ENOTEMPTY);
  await rejectsWith(image.op((fs) => fs.rmdir(a, "file")), ENOTDIR);
  await rejectsWith(image.op((fs) => fs.unlink(root, "a")), EISDIR);
  await rejectsWith(image.op((fs) => fs.mkdir(root, "a", 0o755)), EEXIST);
  await rejectsWith(image.op((fs) => fs.create(a, "file", 0o644, 0)), EEXIST);
  await rejectsWith(image.op((fs) => fs.lookup(file, "x")), ENOTDIR);
  await rejectsWith(image.op((fs) => fs.read(a, 0, 10)), EISDIR);
  await rejectsWith(image.op((fs) => fs.link(a, root, "alias")), EPERM);
  await rejectsWith(image.op((fs) => fs.create(root, "a/b", 0o644, 0)), EINVAL);
  await rejectsWith(image.op((fs) => fs.create(root, "..", 0o644, 0)), EINVAL);
  await rejectsWith(image.op((fs) => fs.symlink(root, "nowhere", "")), ENOENT);
  await rejectsWith(image.op((fs) => fs.symlink(root, "far", "x".repeat(1024))), ENAMETOOLONG);
  await rejectsWith(image.op((fs) => fs.setattr(a, { size: 0 })), EISDIR);

  // A directory replaces an empty one; a file replaces a file; renaming onto itself is nothing.
  await image.op((fs) => fs.rename(root, "empty", a, "b"));
  assert.equal((await attr(image, a)).nlink, 3);
  await image.op((fs) => fs.rename(a, "file", a, "file"));
  await image.op((fs) => fs.link(file, root, "hard"));
  await image.op((fs) => fs.rename(a, "file", root, "hard"));
  assert.equal((await attr(image, file)).nlink, 2);

  // EFBIG past the largest file (about 16 GiB with 1 KiB blocks); EMLINK at 32000 links.
  const big = await create(image, "/big");
  const max = (12 + 256 + 256 ** 2 + 256 ** 3) * KIB;
  await rejectsWith(image.op((fs) => fs.write(big, max, new Uint8Array(1))), EFBIG);
  assert.equal(await image.op((fs) => fs.write(big, max - 1, new Uint8Array(2))), 1);
  await rejectsWith(image.op((fs) => fs.setattr(big, { size: max + 1 })), EFBIG);
  await image.op((fs) => fs.setattr(big, { size: 0 }));
  await syncAndCheck(image);

  const linked = await debugfsWrite(image.disk, ["sif /a/file links_count 32000"]);
  const again = await mountImage(linked);
  const fileAgain = await resolve(again, "/a/file");
  await rejectsWith(again.op((fs) => fs.link(fileAgain, 2, "one-more")), EMLINK);
});

Deno.test("ext2: ENOSPC when the blocks run out, and the space comes back", async () => {
  const image = await freshImage(MIB, 1024, { inodes: 64 });
  const before = await image.op((fs) => fs.statfs());
  assert.equal(before.magic, 0xef53);
  assert.equal(before.blockSize, 1024);
  assert.equal(before.nameMax, 255);
  const hog = await create(image, "/hog");
  const chunk = pattern(64 * KIB, 6);
  let size = 0;
  for (let i = 0; i < 100; i++) {
    const n = await writeAll(image, hog, size, chunk);
    size += n;
    if (n < chunk.length) break;
  }
  await rejectsWith(image.op((fs) => fs.write(hog, size, chunk)), ENOSPC);
  // The hog's next block needs an indirect block too: fill what is left with direct blocks.
  assert.ok((await image.op((fs) => fs.statfs())).blocksFree <= 2);
  const crumbs = await create(image, "/crumbs");
  for (let at = 0; (await image.op((fs) => fs.statfs())).blocksFree > 0; at += KIB) {
    assert.equal(await image.op((fs) => fs.write(crumbs, at, new Uint8Array(KIB))), KIB);
  }
  assert.equal((await image.op((fs) => fs.statfs())).blocksFree, 0);
  await rejectsWith(image.op((fs) => fs.mkdir(2, "d", 0o755)), ENOSPC);
  assert.deepEqual(await readRange(image, hog, size - 10, 10), readPattern(chunk, size - 10, 10));
  await syncAndCheck(image);
  await image.op((fs) => fs.unlink(2, "hog"));
  await image.op((fs) => fs.unlink(2, "crumbs"));
  const after = await image.op((fs) => fs.statfs());
  assert.equal(after.blocksFree, before.blocksFree);
  assert.equal(after.inodesFree, before.inodesFree);
  await syncAndCheck(image);
});

/** The bytes of a file made of repeated `chunk`s, at `offset`. */
function readPattern(chunk: Uint8Array, offset: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => chunk[(offset + i) % chunk.length]);
}

Deno.test("ext2: ENOSPC when the inode table is full", async () => {
  const image = await freshImage(MIB, 1024, { inodes: 32 });
  const { inodesFree } = await image.op((fs) => fs.statfs());
  for (let i = 0; i < inodesFree; i++) {
    await image.op((fs) => fs.create(2, `f${i}`, 0o644, 0));
  }
  await rejectsWith(image.op((fs) => fs.create(2, "one-too-many", 0o644, 0)), ENOSPC);
  await rejectsWith(image.op((fs) => fs.symlink(2, "link", "f0")), ENOSPC);
  assert.equal((await image.op((fs) => fs.statfs())).inodesFree, 0);
  await syncAndCheck(image);
  await image.op((fs) => fs.unlink(2, "f3"));
  await image.op((fs) => fs.create(2, "fits-again", 0o644, 0));
  await syncAndCheck(image);
});

Deno.test("ext2: an unlinked open file stays readable until evict; a crash leaves it to the next mount", async () => {
  const image = await freshImage(4 * MIB);
  const open = new Set<number>();
  image.fs.setOpenCheck((ino) => open.has(ino));
  const ino = await create(image, "/open");
  const data = pattern(10 * KIB, 7);
  await writeAll(image, ino, 0, data);
  const free = (await image.op((fs) => fs.statfs())).blocksFree;
  open.add(ino);
  await image.op((fs) => fs.unlink(2, "open"));
  await rejectsWith(resolve(image, "/open"), ENOENT);
  assert.equal((await attr(image, ino)).nlink, 0);
  assert.deepEqual(await readAll(image, ino), data);
  assert.equal((await image.op((fs) => fs.statfs())).blocksFree, free);

  // A crash now: the next mount frees the orphan.
  await image.op((fs) => fs.sync());
  const crashed = await mountImage(image.disk.slice());
  assert.equal((await crashed.op((fs) => fs.statfs())).blocksFree, free + 10);
  await crashed.op((fs) => fs.unmount());
  await assertDiskClean(crashed.disk);

  // No crash: evict frees it.
  await image.op((fs) => fs.evict(ino));
  open.delete(ino);
  assert.equal((await image.op((fs) => fs.statfs())).blocksFree, free + 10);
  await syncAndCheck(image);
});

Deno.test("ext2: a read-only mount refuses changes; unknown features are refused", async () => {
  const disk = await makeExt2Image({
    sizeBytes: 2 * MIB,
    root: { f: { kind: "file", data: text.encode("ro") } },
  });
  const ro = await mountImage(disk.slice(), { readOnly: true });
  assert.equal(ro.fs.readOnly, true);
  const f = await resolve(ro, "/f");
  assert.deepEqual(await readAll(ro, f), text.encode("ro"));
  await rejectsWith(ro.op((fs) => fs.create(2, "new", 0o644, 0)), EROFS);
  await rejectsWith(ro.op((fs) => fs.write(f, 0, text.encode("x"))), EROFS);
  await rejectsWith(ro.op((fs) => fs.setattr(f, { mode: 0o600 })), EROFS);

  const withFeature = (offset: number, bit: number) => {
    const copy = disk.slice();
    const view = new DataView(copy.buffer);
    view.setUint32(1024 + offset, view.getUint32(1024 + offset, true) | bit, true);
    return copy;
  };
  await rejectsWith(mountImage(withFeature(96, 0x40)), EINVAL); // extents: incompatible
  await rejectsWith(mountImage(withFeature(100, 0x400)), EINVAL); // metadata_csum: rw refused
  const roCompat = await mountImage(withFeature(100, 0x400), { readOnly: true });
  assert.deepEqual(await readAll(roCompat, await resolve(roCompat, "/f")), text.encode("ro"));
  const dirIndex = await mountImage(withFeature(92, 0x20)); // compatible: ignored
  await dirIndex.op((fs) => fs.create(2, "ok", 0o644, 0));
});

// ---- broken images ----

/** A small image with a file, a big file (indirect blocks) and nested directories. */
async function brokenBase(): Promise<Uint8Array> {
  return await makeExt2Image({
    sizeBytes: 2 * MIB,
    blockSize: 1024,
    root: {
      file: { kind: "file", data: pattern(3 * KIB, 8) },
      big: { kind: "file", data: pattern(40 * KIB, 9) },
      dir: {
        kind: "dir",
        entries: {
          sub: { kind: "dir", entries: { leaf: { kind: "file", data: text.encode("leaf") } } },
          one: { kind: "file", data: text.encode("1") },
          two: { kind: "file", data: text.encode("2") },
        },
      },
      other: { kind: "dir", entries: {} },
    },
  });
}

/** The disk block of logical block 0 of `path` in `disk`. */
async function blockOf(disk: Uint8Array, path: string): Promise<number> {
  return await withImageFile(disk, (file) => debugfsBmap(file, path, 0));
}

/** `disk` with a 32- or 16-bit little-endian value written at byte `at`. */
function patched(disk: Uint8Array, at: number, value: number, bytes: 2 | 4): Uint8Array {
  const copy = disk.slice();
  const view = new DataView(copy.buffer);
  if (bytes === 4) view.setUint32(at, value, true);
  else view.setUint16(at, value, true);
  return copy;
}

Deno.test("ext2: a bad magic or a truncated image is refused with EINVAL", async () => {
  const disk = await brokenBase();
  await rejectsWith(mountImage(patched(disk, 1024 + 56, 0x1234, 2)), EINVAL);
  await rejectsWith(mountImage(disk.slice(0, disk.length / 2)), EINVAL);
  await rejectsWith(mountImage(patched(disk, 1024 + 24, 7, 4)), EINVAL); // block size
  await rejectsWith(mountImage(patched(disk, 1024 + 0, 12345, 4)), EINVAL); // inode count
  await rejectsWith(mountImage(patched(disk, 2048 + 8, 999_999, 4)), EINVAL); // inode table
  await rejectsWith(mountImage(patched(disk, 1024 + 88, 100, 2)), EINVAL); // inode size
  await rejectsWith(mountImage(new Uint8Array(1024)), EIO); // smaller than a superblock
});

Deno.test("ext2: block pointers past the end or into metadata are EIO", async () => {
  const disk = await brokenBase();
  const wild = await debugfsWrite(disk, [
    "sif /file block[0] 99999999",
    "sif /big block[IND] 2",
  ]);
  const image = await mountImage(wild);
  const file = await resolve(image, "/file");
  const big = await resolve(image, "/big");
  await rejectsWith(image.op((fs) => fs.read(file, 0, 10)), EIO);
  await rejectsWith(image.op((fs) => fs.write(file, 0, text.encode("x"))), EIO);
  assert.equal((await image.op((fs) => fs.read(big, 0, 10))).bytes, 10);
  await rejectsWith(image.op((fs) => fs.read(big, 20 * KIB, 10)), EIO);
  await rejectsWith(image.op((fs) => fs.unlink(2, "big")), EIO);
});

Deno.test("ext2: broken directory blocks are EIO at once", async () => {
  const disk = await brokenBase();
  const bs = 1024;
  const dirBlock = (await blockOf(disk, "/dir")) * bs;
  const image = async (bytes: Uint8Array) => {
    const mounted = await mountImage(bytes);
    return { mounted, dir: await resolve(mounted, "/dir") };
  };
  const cases: Array<[string, Uint8Array]> = [
    ["rec_len 0", patched(disk, dirBlock + 4, 0, 2)],
    ["rec_len past the block", patched(disk, dirBlock + 12 + 4, bs, 2)],
    ["rec_len not a multiple of 4", patched(disk, dirBlock + 4, 13, 2)],
    ["an entry past s_inodes_count", patched(disk, dirBlock + 24, 0x7fff_ffff, 4)],
    ["'..' naming inode 0", patched(disk, dirBlock + 12, 0, 4)],
    ["'.' naming inode 0", patched(disk, dirBlock, 0, 4)],
  ];
  for (const [what, bytes] of cases) {
    const { mounted, dir } = await image(bytes);
    await rejectsWith(mounted.op((fs) => fs.readdir(dir, 0, 100)), EIO).catch((e) => {
      throw new Error(`${what}: ${e.message}`);
    });
    await rejectsWith(mounted.op((fs) => fs.lookup(dir, "two")), EIO);
    await rejectsWith(mounted.op((fs) => fs.create(dir, "new", 0o644, 0)), EIO);
  }
});

Deno.test("ext2: a loop through '..' is EIO, not an endless walk", async () => {
  const disk = await brokenBase();
  const probe = await mountImage(disk.slice());
  const sub = await resolve(probe, "/dir/sub");
  const dir = await resolve(probe, "/dir");
  // /dir/sub's ".." names /dir/sub itself, and /dir's names /dir/sub: a cycle above /dir/sub.
  let bytes = patched(disk, (await blockOf(disk, "/dir/sub")) * 1024 + 12, sub, 4);
  bytes = patched(bytes, (await blockOf(disk, "/dir")) * 1024 + 12, sub, 4);
  const image = await mountImage(bytes);
  await rejectsWith(image.op((fs) => fs.rename(2, "other", sub, "other")), EIO);
  await rejectsWith(image.op((fs) => fs.rename(2, "other", dir, "other")), EIO);
  assert.equal((await listAll(image, sub)).length, 3);
});

Deno.test("ext2: random damage to metadata gives FsError or success, never another error", async () => {
  const disk = await brokenBase();
  const regions = await metadataRegions(disk);
  const next = prng(0x2e_57);
  const outcomes = { ok: 0, refused: 0 };
  for (let round = 0; round < 300; round++) {
    const bytes = disk.slice();
    for (let i = 1 + (next() % 4); i > 0; i--) {
      const [start, length] = regions[next() % regions.length];
      bytes[start + (next() % length)] = next() & 0xff;
    }
    try {
      await exercise(await mountImage(bytes));
      outcomes.ok++;
    } catch (e) {
      assert.ok(e instanceof FsError, `round ${round}: ${e}`);
      outcomes.refused++;
    }
  }
  assert.ok(outcomes.ok > 30 && outcomes.refused > 30, JSON.stringify(outcomes));
});

/** [offset, length] of the bytes of `disk` that hold metadata in use. */
async function metadataRegions(disk: Uint8Array): Promise<Array<[number, number]>> {
  const bs = 1024;
  const sb = decodeSuperblock(disk.subarray(1024, 2048));
  const gd = decodeGroupDesc(disk, 2 * bs);
  const regions: Array<[number, number]> = [
    [1024, 264],
    [2 * bs, 32],
    [gd.blockBitmap * bs, 64],
    [gd.inodeBitmap * bs, 8],
    [gd.inodeTable * bs, 20 * sb.inodeSize],
  ];
  for (const dir of ["/", "/dir", "/dir/sub"]) regions.push([(await blockOf(disk, dir)) * bs, bs]);
  return regions;
}

/** Walks and changes a (possibly corrupt) image; only FsError may come out of it. */
async function exercise(image: MountedImage): Promise<void> {
  const seen = new Set<number>();
  const queue = [image.fs.root()];
  for (let dir = queue.shift(); dir !== undefined && seen.size < 200; dir = queue.shift()) {
    if (seen.has(dir)) continue;
    seen.add(dir);
    for (const entry of await listAll(image, dir, 50)) {
      if (entry.name === "." || entry.name === "..") continue;
      const a = await attr(image, entry.ino);
      if ((a.mode & S_IFMT) === S_IFDIR) queue.push(entry.ino);
      else if ((a.mode & S_IFMT) === S_IFLNK) await image.op((fs) => fs.readlink(entry.ino));
      else await readRange(image, entry.ino, 0, Math.min(a.size, 64 * KIB));
    }
  }
  const ino = await image.op((fs) => fs.create(2, "probe", 0o644, 0));
  await image.op((fs) => fs.write(ino, 0, pattern(20 * KIB, 10)));
  await image.op((fs) => fs.unlink(2, "probe"));
  await image.op((fs) => fs.sync());
}

Deno.test("ext2: a 4 KiB-block image through the same operations stays clean", async () => {
  const image = await freshImage(32 * MIB, 4096, { inodeSize: 128 });
  await mkdir(image, "/d");
  const f = await create(image, "/d/f");
  const data = pattern(5 * MIB, 11);
  await writeAll(image, f, 0, data);
  assert.equal((await attr(image, f)).blocks, (1280 + 1 + 1 + 1) * 8);
  await image.op((fs) => fs.setattr(f, { size: 4 * MIB + 123 }));
  const sparse = await create(image, "/d/sparse");
  await writeAll(image, sparse, 3 * 2 ** 30, text.encode("x"));
  const d = await resolve(image, "/d");
  await image.op((fs) => fs.symlink(d, "s", "f"));
  for (let i = 0; i < 300; i++) await image.op((fs) => fs.create(d, `entry-${i}`, 0o644, 0));
  for (let i = 0; i < 300; i += 2) await image.op((fs) => fs.unlink(d, `entry-${i}`));
  assert.equal((await names(image, d)).length, 150 + 3);
  await syncAndCheck(image, async (path) => {
    assert.deepEqual(await debugfsCat(path, "/d/f"), data.subarray(0, 4 * MIB + 123));
  });
});
