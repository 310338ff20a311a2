/**
 * Least permission, proved: every service of the system is created with the permission set its
 * spec gives it (none at all, or for hostfs reading its root and nothing else), and a worker
 * created with that set is refused each Deno permission it should not have (NotCapable for
 * read, write, net, run, env, ffi, sys). And no service is ever handed the user-memory bank —
 * the buffer that holds every process's pages and page tables — by anything the kernel posts
 * to it, while hart workers (which must have it) are.
 */

import assert from "node:assert/strict";
import { RIGHT } from "../../abi/ipc.ts";
import { Kernel } from "../../kernel/kernel.ts";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { Echo } from "../../services/echo/protocol.ts";
import { embedded } from "../../services/lib/service.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { localWorkers, type WorkerFactory, type WorkerPermissions } from "../../machine/workers.ts";
import { TEST_PROBE } from "./fixtures/probe.ts";
import { bootProgram } from "../helpers/system.ts";

/** The services of services/deploy.json, each by its module's directory and file. */
const SERVICES = {
  tty: "tty/main.ts",
  rtc: "rtc/main.ts",
  block: "block/main.ts",
  hostfs: "hostfs/main.ts",
  vfs: "vfs/main.ts",
};

/** `url`'s last two path components ("vfs/main.ts"). */
function moduleName(url: URL): string {
  return url.pathname.split("/").slice(-2).join("/");
}

/** The permissions each service's worker was created with, in a booted system with a disk. */
async function deployedPermissions(hostRoot: string): Promise<Map<string, WorkerPermissions>> {
  const given = new Map<string, WorkerPermissions>();
  const spying: WorkerFactory = (url, permissions) => {
    given.set(moduleName(url), permissions ?? "none");
    return localWorkers(url, permissions);
  };
  const disk = new MemoryDisk(await makeExt2Image({ sizeBytes: 4 * 1024 * 1024 }));
  await Deno.copyFile("userland/bin/hello.elf", `${hostRoot}/hello.elf`);
  const { system } = await bootProgram(["/hello.elf"], {
    mode: "threads",
    workers: spying,
    isolation: "worker",
    hostRoot,
    cwd: "/",
    disk,
  });
  assert.deepEqual(await system.run(), { status: 0, signal: 0 });
  return given;
}

/**
 * What a probe worker created with `permissions` may do: each permission's outcome, and
 * `file`'s for reading `file` when given.
 */
async function probe(permissions: WorkerPermissions, file = ""): Promise<Record<string, string>> {
  const kernel = new Kernel({ mode: "inline" });
  await kernel.services.start({
    name: "probe",
    module: "tests/services/fixtures/probe.ts",
    isolation: "worker",
    permissions,
  });
  try {
    const probe = await embedded(kernel.services.embeddedPort("tester")).lookup(TEST_PROBE);
    const reply = await probe.call(1, new TextEncoder().encode(file), { timeoutMs: 30_000 });
    return Object.fromEntries(
      new TextDecoder().decode(reply.payload).split(";").map((pair) => pair.split("=")),
    );
  } finally {
    kernel.services.stopAll();
  }
}

/** Every permission refused. */
const NOTHING = {
  read: "NotCapable",
  write: "NotCapable",
  net: "NotCapable",
  run: "NotCapable",
  env: "NotCapable",
  ffi: "NotCapable",
  sys: "NotCapable",
};

Deno.test("each service is refused every Deno permission its spec does not give it", async () => {
  const root = await Deno.makeTempDir({ prefix: "denix-hostfs-root-" });
  try {
    await Deno.writeTextFile(`${root}/inside.txt`, "hostfs may read this\n");
    const given = await deployedPermissions(root);
    for (const [service, module] of Object.entries(SERVICES)) {
      const permissions = given.get(module);
      assert.ok(permissions !== undefined, `${service} was started as a worker`);
      if (service === "hostfs") {
        // Reading its root and nothing else: deno.json (outside the root) is refused.
        assert.deepEqual(permissions, { read: [root] });
        assert.deepEqual(await probe(permissions, `${root}/inside.txt`), {
          ...NOTHING,
          file: "allowed",
        }, "hostfs reads inside its root only");
      } else {
        assert.equal(permissions, "none", `${service} has no permissions`);
        assert.deepEqual(await probe(permissions, `${root}/inside.txt`), {
          ...NOTHING,
          file: "NotCapable",
        }, `${service} may do nothing`);
      }
    }
  } finally {
    await Deno.remove(root, { recursive: true });
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
    const name = moduleName(url);
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
    disk: new MemoryDisk(await makeExt2Image({ sizeBytes: 4 * 1024 * 1024 })),
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
  for (const name of ["echo/main.ts", ...Object.values(SERVICES)]) {
    const sent = posted.get(name);
    assert.ok(sent && sent.size > 0, `the spy saw what ${name} was sent`);
    assert.equal(sent.has(user), false, `${name} was never sent the user bank`);
  }
  assert.ok(posted.get("machine/hart_worker.ts")?.has(user), "hart workers were (the spy works)");
});
