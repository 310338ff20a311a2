/**
 * IPC between TypeScript services, end to end: ordering, bounded queues and back-pressure,
 * timeouts, a server dying during a call or a send and restarting, rights, zero-copy regions,
 * notifications, barriers and typed protocols. Every scenario (fixtures/scenarios.ts) runs
 * against fixture services started in-line and as workers, from the test's own party and from
 * a worker client. Nothing here measures time: timeouts only bound how long a failure takes.
 */

import assert from "node:assert/strict";
import { EAGAIN, EBADF, ECONNRESET, EINVAL, ENOTCONN, EPERM, ETIMEDOUT } from "../../abi/errno.ts";
import { RING_SLOTS } from "../../abi/ipc.ts";
import {
  type ClientKind,
  type Isolation,
  SERVER_MODULE,
  SINK_MODULE,
  TestSystem,
} from "./system.ts";

const ISOLATIONS: Isolation[] = ["inline", "worker"];
const CLIENTS: ClientKind[] = ["embedded", "worker"];

/** Registers one test per server isolation and client kind. */
function matrix(
  name: string,
  body: (system: TestSystem, server: Isolation, client: ClientKind) => Promise<void>,
): void {
  for (const server of ISOLATIONS) {
    for (const client of CLIENTS) {
      Deno.test(`ipc: ${name} (server ${server}, client ${client})`, async () => {
        const system = await TestSystem.create();
        try {
          await body(system, server, client);
        } finally {
          await system.close();
        }
      });
    }
  }
}

matrix("per-client FIFO for sends and pipelined calls", async (system, server, client) => {
  await system.start("server", SERVER_MODULE, server);
  assert.deepEqual(await system.run("fifo", client), {
    sends: { count: 200, violations: 0 },
    calls: { count: 100, violations: 0 },
    arrivalsIncrease: true,
    echoesMatch: true,
  });
});

matrix("bounded queue: EAGAIN after RING_SLOTS, a blocking send waits for the drain", async (
  system,
  server,
  client,
) => {
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  system.on("sink.hold", () => held);
  system.on("sink.release", () => release());
  await system.start("sink", SINK_MODULE, server);
  assert.deepEqual(await system.run("backpressure", client), {
    accepted: RING_SLOTS,
    overflow: EAGAIN,
    sentBeforeRelease: false,
    sent: true,
    received: RING_SLOTS + 1,
    inOrder: true,
  });
});

matrix("a call times out, its late reply is dropped, the next call works", async (
  system,
  server,
  client,
) => {
  await system.start("server", SERVER_MODULE, server);
  assert.deepEqual(await system.run("callTimeout", client), {
    first: ETIMEDOUT,
    second: "after",
    third: "again",
  });
});

for (const where of ISOLATIONS) {
  Deno.test(`ipc: receive times out, and fails once the server is closed (${where})`, async () => {
    const system = await TestSystem.create();
    try {
      assert.deepEqual(await system.run("receiveTimeout", where), {
        errno: ETIMEDOUT,
        closed: EBADF,
      });
    } finally {
      await system.close();
    }
  });
}

matrix("server death during a call: ECONNRESET; the next call reaches its restart", async (
  system,
  server,
  client,
) => {
  await system.start("server", SERVER_MODULE, server);
  system.on("blocked", () => system.service("server").stop());
  system.on("server.restart", () => system.start("server", SERVER_MODULE, server));
  assert.deepEqual(await system.run("serverDeath", client), {
    before: "before",
    during: ECONNRESET,
    open: false,
    gone: ENOTCONN,
    after: "after",
    reopened: true,
  });
});

matrix("server death during a blocked send: ECONNRESET", async (system, server, client) => {
  system.on("sink.hold", () => new Promise(() => {}));
  system.on("sink.kill", () => system.service("sink").stop());
  await system.start("sink", SINK_MODULE, server);
  assert.deepEqual(await system.run("sendDeath", client), { during: ECONNRESET });
});

matrix("rights: grant, send, read-only views, revocation", async (system, server, client) => {
  await system.start("server", SERVER_MODULE, server);
  assert.deepEqual(await system.run("rights", client), {
    refused: EPERM,
    connect: EPERM,
    readOnly: { read: 0, write: -EPERM },
    readWrite: { read: 0, write: 0 },
    revoked: { read: -EBADF, write: -EBADF, reopen: -EBADF },
    own: { read: EBADF, write: EBADF },
  });
});

matrix("zero-copy: region data is shared, never copied", async (system, server, client) => {
  await system.start("server", SERVER_MODULE, server);
  const [small, large] = await system.run("zeroCopy", client) as Array<Record<string, unknown>>;
  for (const r of [small, large]) {
    assert.equal(r.sumMatches, true, `sum over ${r.size} bytes`);
    assert.equal(r.fillVisible, true, `fill of ${r.size} bytes`);
  }
  assert.equal(large.copiedHere, small.copiedHere);
  assert.equal(large.copiedThere, small.copiedThere);
  assert.ok((small.copiedHere as number) < 1024);
});

matrix("notification bits coalesce", async (system, server, client) => {
  await system.start("server", SERVER_MODULE, server);
  assert.deepEqual(await system.run("notification", client), { bits: 0b1011, more: ETIMEDOUT });
});

matrix("barrier between services", async (system, server, client) => {
  await system.start("server", SERVER_MODULE, server);
  const rounds = await system.run("barrier", client) as Array<{ mine: boolean; theirs: boolean }>;
  assert.equal(rounds.length, 2);
  for (const { mine, theirs } of rounds) assert.equal(Number(mine) + Number(theirs), 1);
});

matrix("typed protocols refuse malformed requests and replies", async (system, server, client) => {
  await system.start("server", SERVER_MODULE, server);
  assert.deepEqual(await system.run("typed", client), {
    short: -EINVAL,
    long: -EINVAL,
    unknown: -EINVAL,
    handlerRuns: 1,
    badReply: EINVAL,
    still: "fine",
  });
});
