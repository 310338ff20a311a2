/**
 * Garbage in the IPC paths: malformed records written straight into a channel ring, and
 * garbage control requests from an in-line party and from a (fake) worker writing its control
 * channel by hand. Receivers drop them, answer -EINVAL where a reply is due, count them, and
 * go on serving.
 */

import assert from "node:assert/strict";
import { EINVAL } from "../../abi/errno.ts";
import { Kernel } from "../../kernel/kernel.ts";
import { CTL, type Message, MSG, MSG_SIZE, RING, RING_SLOTS } from "../../abi/ipc.ts";
import { Channel, type Ring } from "../../abi/ring.ts";
import type { ServiceBoot, ToService } from "../../abi/service.ts";
import type { WorkerLike } from "../../machine/workers.ts";
import { Writer } from "../../services/lib/schema.ts";
import { spinThenWait } from "../../abi/wait.ts";
import { Test, TEST_SERVER } from "./fixtures/protocol.ts";
import { SERVER_MODULE, TestSystem } from "./system.ts";
import { embedded } from "../../services/lib/service.ts";

/** Writes a record with the given header straight into `ring` and publishes it. */
function writeRaw(
  ring: Ring,
  header: { label: number; length: number; nhandles: number; tag: number },
): void {
  const tail = ring.tail;
  const at = ring.byteOffset + RING.SLOTS + (tail & (RING_SLOTS - 1)) * MSG_SIZE;
  const dv = new DataView(ring.buffer, at, MSG_SIZE);
  dv.setInt32(MSG.LABEL, header.label, true);
  dv.setUint16(MSG.LENGTH, header.length, true);
  dv.setUint16(MSG.NHANDLES, header.nhandles, true);
  dv.setUint32(MSG.TAG, header.tag, true);
  Atomics.store(ring.words, ring.tailIndex, (tail + 1) | 0);
}

/** Waits (up to a generous bound) until `ring` holds `count` messages; returns them. */
async function collect(ring: Ring, count: number): Promise<Message[]> {
  const got: Message[] = [];
  const end = performance.now() + 30_000;
  while (got.length < count && performance.now() < end) {
    const seen = ring.tail;
    for (let m = ring.pop(); m; m = ring.pop()) got.push(m);
    if (got.length < count) {
      await spinThenWait(ring.words, ring.tailIndex, seen, 100, false).promise;
    }
  }
  return got;
}

function ringBell(bell: Int32Array): void {
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
}

const encoder = new TextEncoder();

for (const isolation of ["inline", "worker"] as const) {
  Deno.test(`ipc garbage: malformed records in a service channel (${isolation})`, async () => {
    const system = await TestSystem.create();
    try {
      await system.start("server", SERVER_MODULE, isolation);
      const client = await system.ipc.lookup(TEST_SERVER);
      const raw = await system.ipc.openChannel(client.handle);
      const conn = system.kernel.ipc.connections.get(raw.channelId)!;
      const { requests, replies } = conn.channel;
      writeRaw(requests, { label: 1, length: 300, nhandles: 0, tag: 77 });
      writeRaw(requests, { label: 1, length: 0, nhandles: 9, tag: 0 });
      writeRaw(requests, { label: 1, length: 0xffff, nhandles: 0, tag: 78 });
      const w = new Writer();
      Test.ops.echo.request.encode(encoder.encode("ok"), w);
      requests.pushMessage({
        label: Test.ops.echo.label,
        tag: 79,
        handles: [],
        payload: w.finish(),
      }, 0);
      ringBell(conn.endpoint.doorbell);

      const got = await collect(replies, 3);
      assert.deepEqual(got.map((m) => [m.tag, m.label]), [[77, -EINVAL], [78, -EINVAL], [79, 0]]);
      assert.deepEqual(got[2].payload, new Uint8Array([2, 0, 0, 0, 111, 107]));
      const stats = await Test.client(client).stats();
      assert.equal(stats.rejected, 3);
      assert.equal(
        new TextDecoder().decode(await Test.client(client).echo(encoder.encode("on"))),
        "on",
      );
    } finally {
      await system.close();
    }
  });
}

Deno.test("ipc garbage: control requests from an in-line party get -EINVAL and are counted", async () => {
  const kernel = new Kernel({ mode: "inline" });
  const ipc = embedded(kernel.services.embeddedPort("garbage"));
  const before = kernel.ipc.rejected;
  const labels = [];
  labels.push((await ipc.transport.control(999)).label);
  labels.push((await ipc.transport.control(CTL.CONNECT, new Uint8Array(2))).label);
  labels.push((await ipc.transport.control(CTL.REGISTER, new Uint8Array([0xff, 0xfe]))).label);
  const tooMany = new Uint8Array(8);
  new DataView(tooMany.buffer).setUint32(4, 9, true);
  labels.push((await ipc.transport.control(CTL.TRANSFER, tooMany)).label);
  assert.deepEqual(labels, [-EINVAL, -EINVAL, -EINVAL, -EINVAL]);
  assert.equal(kernel.ipc.rejected - before, 4);
  const server = await ipc.register("still.fine");
  assert.ok(server.handle >= 1);
  server.close();
});

Deno.test("ipc garbage: malformed records on a worker's control channel", async () => {
  let boot: ServiceBoot | undefined;
  const fake: WorkerLike = {
    postMessage(message: unknown) {
      const m = message as ToService;
      if (m.type === "boot") boot = m;
    },
    terminate() {},
    onmessage: null,
    onerror: null,
  };
  const kernel = new Kernel({ mode: "inline", workers: () => fake });
  const started = kernel.services.start({
    name: "fake",
    module: "services/echo/main.ts",
    isolation: "worker",
  });
  try {
    assert.ok(boot, "the kernel sent the boot message");
    const control = new Channel(boot.control);
    const bell = new Int32Array(boot.doorbell);
    writeRaw(control.requests, { label: CTL.REGISTER, length: 1000, nhandles: 0, tag: 5 });
    writeRaw(control.requests, { label: CTL.LOOKUP, length: 0, nhandles: 7, tag: 6 });
    writeRaw(control.requests, { label: CTL.LOOKUP, length: 0, nhandles: 7, tag: 0 });
    control.requests.pushMessage(
      { label: CTL.REGISTER, tag: 8, handles: [], payload: encoder.encode("fake") },
      boot.partyId,
    );
    ringBell(bell);
    const got = await collect(control.replies, 3);
    assert.deepEqual(got.map((m) => m.tag), [5, 6, 8]);
    assert.deepEqual(got.slice(0, 2).map((m) => m.label), [-EINVAL, -EINVAL]);
    assert.ok(got[2].label >= 1, "the valid request after the garbage was served");
    assert.equal(kernel.ipc.rejected, 3);
    await started;
  } finally {
    kernel.services.stopAll();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
});
