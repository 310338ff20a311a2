/**
 * Least permission, proved: a service worker can use no Deno permission at all (each attempt
 * is refused with NotCapable), and no service is ever handed the user-memory bank — the
 * buffer that holds every process's pages and page tables — by anything the kernel posts to
 * it, while hart workers (which must have it) are.
 */

import assert from "node:assert/strict";
import { RIGHT } from "../../abi/ipc.ts";
import { Kernel } from "../../kernel/kernel.ts";
import { Echo } from "../../services/echo/protocol.ts";
import { embedded } from "../../services/lib/service.ts";
import { localWorkers, type WorkerFactory } from "../../machine/workers.ts";
import { TEST_PROBE } from "./fixtures/probe.ts";
import { bootProgram } from "../helpers/system.ts";

Deno.test("a service worker is refused every Deno permission", async () => {
  const kernel = new Kernel({ mode: "inline" });
  await kernel.services.start({
    name: "probe",
    module: "tests/services/fixtures/probe.ts",
    isolation: "worker",
  });
  try {
    const probe = await embedded(kernel.services.embeddedPort("tester")).lookup(TEST_PROBE);
    const reply = await probe.call(1, undefined, { timeoutMs: 30_000 });
    const outcomes = Object.fromEntries(
      new TextDecoder().decode(reply.payload).split(";").map((pair) => pair.split("=")),
    );
    assert.deepEqual(outcomes, {
      read: "NotCapable",
      write: "NotCapable",
      net: "NotCapable",
      run: "NotCapable",
      env: "NotCapable",
      ffi: "NotCapable",
      sys: "NotCapable",
    });
  } finally {
    kernel.services.stopAll();
  }
});

/** Every SharedArrayBuffer inside `value` (messages are plain objects, arrays and buffers). */
function sharedBuffers(value: unknown, out = new Set<SharedArrayBuffer>()): Set<SharedArrayBuffer> {
  if (value instanceof SharedArrayBuffer) out.add(value);
  else if (ArrayBuffer.isView(value) && value.buffer instanceof SharedArrayBuffer) {
    out.add(value.buffer);
  } else if (value !== null && typeof value === "object") {
    for (const v of Object.values(value)) sharedBuffers(v, out);
  }
  return out;
}

Deno.test("no service is handed the user-memory bank; hart workers are", async () => {
  const posted = new Map<string, Set<SharedArrayBuffer>>();
  const spying: WorkerFactory = (url, permissions) => {
    const worker = localWorkers(url, permissions);
    const name = url.pathname.split("/").slice(-2).join("/");
    const seen = posted.get(name) ?? new Set();
    posted.set(name, seen);
    const post = worker.postMessage.bind(worker);
    worker.postMessage = (message: unknown) => {
      sharedBuffers(message, seen);
      post(message);
    };
    return worker;
  };
  // The system's services (drivers, hostfs, the VFS) and echo, all as workers.
  const { system } = await bootProgram(["userland/bin/hello.elf", "x"], {
    mode: "threads",
    workers: spying,
    isolation: "worker",
    extraServices: [{ name: "echo", module: "services/echo/main.ts", isolation: "worker" }],
  });
  const kernel = system.kernel;
  try {
    // A region handed to the service, and RISC-V programs run on threaded harts meanwhile.
    const ipc = embedded(kernel.services.embeddedPort("tester"));
    const echo = Echo.client(await ipc.lookup("echo"));
    const region = await ipc.createRegion(4096);
    region.write().fill(2, 0, 10);
    const handle = await region.grant(RIGHT.READ | RIGHT.WRITE | RIGHT.GRANT);
    assert.equal(await echo.checksum({ offset: 0, length: 10 }, { handles: [handle] }), 20);
  } catch (e) {
    await system.stop();
    throw e;
  }
  assert.deepEqual(await system.run(), { status: 0, signal: 0 });
  const user = kernel.machine.ram.buffer;
  const services = [
    "echo/main.ts",
    "tty/main.ts",
    "rtc/main.ts",
    "hostfs/main.ts",
    "vfs/main.ts",
  ];
  for (const name of services) {
    const sent = posted.get(name);
    assert.ok(sent && sent.size > 0, `the spy saw what ${name} was sent`);
    assert.equal(sent.has(user), false, `${name} was never sent the user bank`);
  }
  assert.ok(posted.get("machine/hart_worker.ts")?.has(user), "hart workers were (the spy works)");
});
