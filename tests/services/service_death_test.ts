/**
 * A service that dies while a process waits on it: the call fails with EIO at once — never a
 * hang — and the system goes on. A reader blocked on the terminal when the tty driver dies
 * gets EIO (picolibc's stdio then takes it for the end of input: cat exits 0); with the VFS
 * gone, exec fails (init reports it as status 127).
 */

import assert from "node:assert/strict";
import { VFS_ENDPOINT } from "../../abi/vfs.ts";
import { TTY_ENDPOINT } from "../../abi/tty.ts";
import { bootProgram } from "../helpers/system.ts";

/** Resolves once `ready()` holds, polling; fails after a generous bound. */
async function until(ready: () => boolean, what: string): Promise<void> {
  const end = performance.now() + 30_000;
  while (!ready()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

for (const isolation of ["inline", "worker"] as const) {
  Deno.test(`a terminal read fails with EIO when the tty driver dies (${isolation})`, async () => {
    const log: string[] = [];
    const { system } = await bootProgram(["userland/bin/cat.elf"], {
      isolation,
      mode: "threads",
      input: "",
      keepInputOpen: true,
      trace: true,
      log: (line) => log.push(line),
    });
    const k = system.kernel;
    const running = system.run();
    await until(
      () => [...k.procs.values()].some((p) => p.name === "cat.elf" && p.kcall !== undefined),
      "cat to block in its read of the terminal",
    );
    k.services.running.get(TTY_ENDPOINT)!.stop();
    // cat reports the failed read (exit 1), as GNU cat does; what matters is that it ends.
    assert.deepEqual(await running, { status: 1, signal: 0 }, "the system ends: no hang");
    assert.ok(log.some((l) => /^\[2\] read\(0x0, .*\) = -5$/.test(l)), "cat's read: -EIO");
    assert.ok(k.client.stats.failed >= 1);
  });
}

Deno.test("with the VFS gone, exec fails at once (EIO) and init says so", async () => {
  const { system } = await bootProgram(["userland/bin/hello.elf"], { mode: "inline" });
  system.kernel.services.running.get(VFS_ENDPOINT)!.stop();
  const exit = await system.run();
  assert.deepEqual(exit, { status: 127, signal: 0 });
});
