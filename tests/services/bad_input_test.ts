/**
 * Bad input to the system's services, and a disk that is not what it claims to be: every
 * service — the VFS, hostfs and the tty, block and rtc drivers — refuses garbage requests
 * (unknown labels, payloads that do not decode, random bytes, a handle that is not the
 * sender's, one-way garbage) with an errno and goes on serving; no garbage is a kernel bug.
 * A corrupt disk is left unmounted with a clear line in the log, and the system still runs.
 */

import assert from "node:assert/strict";
import { BLOCK, BLOCK_ENDPOINT } from "../../abi/block.ts";
import { HOSTFS, HOSTFS_ENDPOINT } from "../../abi/hostfs.ts";
import { RTC, RTC_ENDPOINT } from "../../abi/rtc.ts";
import { TTY, TTY_ENDPOINT } from "../../abi/tty.ts";
import { VFS, VFS_ENDPOINT } from "../../abi/vfs.ts";
import { encodePayload } from "../../abi/codec.ts";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { IpcError } from "../../services/lib/errors.ts";
import type { Client } from "../../services/lib/ipc.ts";
import { embedded } from "../../services/lib/service.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { bootProgram, runProgram } from "../helpers/system.ts";

/** A request each service must answer with 0 once the garbage is behind it. */
const VALID: Record<string, { label: number; payload: Uint8Array }> = {
  [VFS_ENDPOINT]: {
    label: VFS.getattr.label,
    payload: encodePayload(VFS.getattr.request, { mount: 1, ino: 1 }),
  },
  [HOSTFS_ENDPOINT]: {
    label: HOSTFS.getattr.label,
    payload: encodePayload(HOSTFS.getattr.request, 1),
  },
  [TTY_ENDPOINT]: {
    label: TTY.open.label,
    payload: encodePayload(TTY.open.request, {
      term: 0,
      caller: { pid: 1, pgid: 1, sid: 1 },
      noctty: 1,
    }),
  },
  [RTC_ENDPOINT]: { label: RTC.time.label, payload: new Uint8Array(0) },
  [BLOCK_ENDPOINT]: { label: BLOCK.flush.label, payload: new Uint8Array(0) },
};

/** Labels each protocol knows (garbage payloads go to each of them). */
const LABELS: Record<string, number[]> = {
  [VFS_ENDPOINT]: Object.values(VFS).map((op) => op.label),
  [HOSTFS_ENDPOINT]: Object.values(HOSTFS).map((op) => op.label),
  [TTY_ENDPOINT]: Object.values(TTY).map((op) => op.label),
  [RTC_ENDPOINT]: Object.values(RTC).map((op) => op.label),
  [BLOCK_ENDPOINT]: Object.values(BLOCK).map((op) => op.label),
};

/** A seeded generator (xorshift32), so a failure names its inputs. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

/** The label of a call's answer: the errno when the library raised it. */
async function answer(client: Client, label: number, payload: Uint8Array, handles: number[] = []) {
  try {
    return (await client.call(label, payload, { timeoutMs: 10_000, handles })).label;
  } catch (e) {
    if (e instanceof IpcError) return -e.errno;
    throw e;
  }
}

for (const isolation of ["inline", "worker"] as const) {
  Deno.test(`every service refuses garbage and goes on serving (${isolation})`, async () => {
    const disk = new MemoryDisk(await makeExt2Image({ sizeBytes: 4 * 1024 * 1024 }));
    const { system } = await bootProgram(["userland/bin/hello.elf"], {
      disk,
      isolation,
      mode: "threads",
    });
    const k = system.kernel;
    try {
      const ipc = embedded(k.services.embeddedPort("garbler"));
      const next = random(0x5eed);
      for (const [name, valid] of Object.entries(VALID)) {
        const client = await ipc.lookup(name);
        const region = await ipc.createRegion(4096);
        const labels = [...LABELS[name], 0, -1, 999, 0x7fff_fff0];
        for (const label of labels) {
          assert.ok((await answer(client, label, new Uint8Array(0))) <= 0, `${name} ${label}`);
          for (let i = 0; i < 4; i++) {
            const junk = Uint8Array.from({ length: Math.floor(next() * 224) }, () => next() * 256);
            const got = await answer(client, label, junk);
            assert.ok(Number.isInteger(got), `${name} answered label ${label}`);
          }
        }
        assert.ok((await answer(client, 999, new Uint8Array(0))) < 0, `${name}: unknown label`);
        // A handle that is not the sender's to give: refused before the service sees it.
        assert.ok((await answer(client, valid.label, valid.payload, [4242])) < 0);
        // One-way garbage: nothing to answer, nothing to break.
        for (const label of labels) await client.send(label, new Uint8Array([1, 2, 3]));
        await ipc.close(region.handle);
        assert.equal(await answer(client, valid.label, valid.payload), 0, `${name} still serves`);
        assert.ok(k.services.running.get(name)?.party.alive, `${name} is alive`);
      }
      assert.equal(k.containedFaults, 0, "no garbage was a kernel bug");
    } finally {
      await system.stop();
    }
  });
}

Deno.test("a corrupt disk is left unmounted, with the reason in the log; the system runs", async () => {
  const image = await makeExt2Image({ sizeBytes: 4 * 1024 * 1024 });
  image[1024 + 56] ^= 0xff; // the superblock's magic
  const r = await runProgram(["userland/bin/cat.elf", "/mnt/x"], {
    disk: new MemoryDisk(image),
  });
  assert.equal(r.exit.status, 1);
  assert.match(r.err, /\/mnt\/x: No such file or directory/);
  assert.ok(
    r.log.some((l) => /^vfs: ext2 block not mounted on \/mnt: .*magic/.test(l)),
    r.log.join("\n"),
  );
  assert.equal(r.kernel.containedFaults, 0);
});

Deno.test("a truncated disk is refused the same way", async () => {
  const image = (await makeExt2Image({ sizeBytes: 4 * 1024 * 1024 })).slice(0, 512 * 1024);
  const r = await runProgram(["userland/bin/hello.elf"], { disk: new MemoryDisk(image) });
  assert.deepEqual(r.exit, { status: 0, signal: 0 });
  assert.ok(r.log.some((l) => /^vfs: ext2 block not mounted on \/mnt: /.test(l)), r.log.join("\n"));
});
