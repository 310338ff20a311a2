/**
 * The VFS's journal (services/vfs/journal.ts): records, the commit point, replies kept for a
 * resent change, and — the property the VFS's restarts rest on — that an ext2 disk whose VFS
 * "dies" at random moments (in the middle of an operation, after a partial write-back) and is
 * replayed by the next instance holds exactly what every completed operation left, and
 * e2fsck finds it clean.
 */

import assert from "node:assert/strict";
import { type Asker, Journal, JOURNAL_RESERVE } from "../../../services/vfs/journal.ts";
import { mountImage } from "../../../services/vfs/ext2/image.ts";
import { makeExt2Image } from "../../../services/vfs/ext2/mkfs.ts";
import { S_IFREG } from "../../../services/vfs/fs.ts";
import { prng, seededBytes } from "../../helpers/commands.ts";
import { assertDiskClean } from "./e2fsprogs.ts";

const KEPT_BYTES = 2 * JOURNAL_RESERVE + 1024 * 1024;

function kept(bytes = KEPT_BYTES): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(bytes));
}

function block(fill: number, size = 1024): Uint8Array {
  return new Uint8Array(size).fill(fill);
}

Deno.test("journal: the newest version of each block is what a replay writes", () => {
  const mem = kept();
  const j = new Journal(mem);
  assert.equal(j.restarted, false);
  j.commit([{ block: 5, data: block(1) }, { block: 9, data: block(2) }], 1024);
  j.commit([{ block: 5, data: block(3) }], 1024);
  const writes = new Journal(mem).pending();
  assert.deepEqual(writes.map((w) => w.byte), [5 * 1024, 9 * 1024]);
  assert.deepEqual(writes.map((w) => w.data[0]), [3, 2]);
  assert.ok(writes.every((w) => w.data.length === 1024));
});

Deno.test("journal: a record torn past the commit point is not replayed", () => {
  const mem = kept();
  const j = new Journal(mem);
  j.commit([{ block: 1, data: block(7, 4096) }], 4096);
  const used = j.used;
  // The next record, half written when its writer died: everything after END is ignored.
  j.commit([{ block: 2, data: block(8, 4096) }], 4096);
  new Int32Array(mem.buffer)[2] = used;
  assert.deepEqual(new Journal(mem).pending().map((w) => w.byte), [4096]);
});

Deno.test("journal: a committed change's reply answers its resend, across a reset and a restart", () => {
  const mem = kept();
  const asker: Asker = { sender: 3, tag: 77 };
  const first = new Journal(mem);
  first.commit([{ block: 4, data: block(1) }], 1024, {
    ...asker,
    label: 0,
    payload: new Uint8Array([1, 2, 3]),
  });
  first.commit([{ block: 6, data: block(1) }], 1024, {
    sender: 3,
    tag: 78,
    label: -2,
    payload: new Uint8Array(0),
  });
  const second = new Journal(mem);
  assert.equal(second.restarted, true);
  assert.deepEqual(second.replied(asker)?.payload, new Uint8Array([1, 2, 3]));
  second.reset();
  assert.equal(second.used, 0);
  assert.deepEqual(second.pending(), []);
  const third = new Journal(mem);
  assert.deepEqual(third.replied(asker)?.payload, new Uint8Array([1, 2, 3]));
  assert.equal(third.replied({ sender: 3, tag: 78 })?.label, -2);
  assert.equal(third.replied({ sender: 4, tag: 77 }), undefined, "another sender's tag");
  assert.equal(third.replied({ sender: 3, tag: 79 }), undefined, "a tag never committed");
});

Deno.test("journal: bad memory and an oversized operation are refused with a reason", () => {
  assert.throws(() => new Journal(kept(JOURNAL_RESERVE)), /kept memory/);
  const mem = kept();
  const j = new Journal(mem);
  const many = Array.from({ length: (KEPT_BYTES / 1024) | 0 }, (_, i) => ({
    block: i,
    data: block(0),
  }));
  assert.throws(() => j.commit(many, 1024), /more than the log holds/);
  assert.equal(j.used, 0, "nothing committed");
  j.commit([{ block: 1, data: block(1) }], 1024);
  new DataView(mem.buffer).setUint32(65536, 0xdeadbeef, true); // the record's magic
  assert.throws(() => new Journal(mem), /a bad record/);
});

Deno.test("journal: an ext2 disk replayed after deaths at random moments holds every completed operation, e2fsck clean", async () => {
  const seed = 20261207;
  const random = prng(seed);
  let disk = await makeExt2Image({ sizeBytes: 8 * 1024 * 1024, root: {} });
  const mem = kept();
  /** What every completed operation left: file name -> contents. */
  const model = new Map<string, Uint8Array>();
  let serial = 0;
  for (let round = 0; round < 12; round++) {
    const image = await mountImage(disk, { journal: new Journal(mem), cacheSlots: 256 });
    const { fs } = image;
    const root = fs.root();
    // Everything completed before the last death is there, byte for byte, and nothing else.
    const names = new Set<string>();
    for (let cookie = 0;;) {
      const page = await image.op(() => fs.readdir(root, cookie, 64));
      for (const e of page.entries) if (e.name.startsWith("f")) names.add(e.name);
      if (page.next === 0) break;
      cookie = page.next;
    }
    assert.deepEqual([...names].sort(), [...model.keys()].sort(), `round ${round}: the names`);
    for (const [name, want] of model) {
      const ino = await image.op(() => fs.lookup(root, name));
      const got = new Uint8Array(want.length);
      let at = 0;
      while (at < want.length) {
        const r = await image.op(() => fs.read(ino, at, want.length - at));
        for (const piece of r.pieces) {
          if (piece instanceof Uint8Array) got.set(piece, at);
          at += piece instanceof Uint8Array ? piece.length : piece.hole;
        }
        if (r.bytes === 0) break;
      }
      assert.equal((await image.op(() => fs.getattr(ino))).size, want.length, name);
      assert.deepEqual(got, want, `round ${round}: ${name}'s bytes (seed ${seed})`);
    }
    await assertDiskClean(image.disk);

    // Completed operations: creations, rewrites, renames, removals.
    for (let i = 0; i < 6; i++) {
      const names = [...model.keys()];
      const pick = names[Math.floor(random() * names.length)];
      const choice = random();
      if (choice < 0.4 || !pick) {
        const name = `f${serial++}`;
        const data = seededBytes(Math.floor(random() * 40_000), seed + serial);
        await image.op(async () => {
          const ino = await fs.create(root, name, S_IFREG | 0o644, 0);
          for (let at = 0; at < data.length; at += 64 * 1024) {
            await fs.write(ino, at, data.subarray(at, at + 64 * 1024));
          }
        });
        model.set(name, data);
      } else if (choice < 0.6) {
        const data = seededBytes(Math.floor(random() * 20_000), seed + ++serial);
        await image.op(async () => {
          const ino = await fs.lookup(root, pick);
          await fs.setattr(ino, { size: 0 });
          await fs.write(ino, 0, data);
        });
        model.set(pick, data);
      } else if (choice < 0.8) {
        const name = `f${serial++}`;
        await image.op(() => fs.rename(root, pick, root, name));
        model.set(name, model.get(pick)!);
        model.delete(pick);
      } else {
        await image.op(() => fs.unlink(root, pick));
        model.delete(pick);
      }
    }
    // Some committed blocks reach the disk, in no particular order...
    await image.cache.writeback(Math.floor(random() * 64));
    // ...and the VFS dies in the middle of an operation, after the write-back had its turn.
    image.cache.beginOp();
    const ino = await fs.create(root, `f${serial++}`, S_IFREG | 0o644, 0);
    await fs.write(ino, 0, seededBytes(30_000, seed));
    await fs.unlink(root, [...model.keys()][0] ?? "f-none").catch(() => {});
    await image.cache.writeback(1024);
    disk = image.disk;
  }
});

Deno.test("journal: a restarted instance keeps the orphans still open and frees the rest when told", async () => {
  const disk = await makeExt2Image({ sizeBytes: 4 * 1024 * 1024, root: {} });
  const mem = kept();
  const data = seededBytes(30_000, 7);
  const first = await mountImage(disk, { journal: new Journal(mem) });
  const open = new Set<number>();
  first.fs.setOpenCheck((ino) => open.has(ino));
  const root = first.fs.root();
  const free = (await first.op((fs) => fs.statfs())).blocksFree;
  const [held, lost] = await first.op(async (fs) => {
    const inos = [await fs.create(root, "held", S_IFREG | 0o644, 0)];
    inos.push(await fs.create(root, "lost", S_IFREG | 0o644, 0));
    for (const ino of inos) await fs.write(ino, 0, data);
    return inos;
  });
  open.add(held).add(lost);
  await first.op((fs) => fs.unlink(root, "held"));
  await first.op((fs) => fs.unlink(root, "lost"));

  // The instance dies; "lost"'s last close went to it. The next one keeps both orphans until
  // it is told what is open, then frees "lost" alone.
  const next = await mountImage(disk, { journal: new Journal(mem) });
  const stillOpen = new Set([held]);
  next.fs.setOpenCheck((ino) => stillOpen.has(ino));
  const used = (await next.op((fs) => fs.statfs())).blocksFree;
  const each = (free - used) / 2;
  assert.ok(each >= 8, `both orphans still hold their blocks (${used} of ${free} free)`);
  await next.op((fs) => fs.reapOrphans());
  assert.equal((await next.op((fs) => fs.statfs())).blocksFree, free - each);
  const r = await next.op((fs) => fs.read(held, 0, data.length));
  assert.equal(r.bytes, data.length);
  assert.equal((await next.op((fs) => fs.getattr(held))).nlink, 0);
  stillOpen.delete(held);
  await next.op((fs) => fs.evict(held));
  assert.equal((await next.op((fs) => fs.statfs())).blocksFree, free);
  await next.op((fs) => fs.unmount());
  await assertDiskClean(next.disk);
});
