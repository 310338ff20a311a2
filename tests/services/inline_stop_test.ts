/**
 * Stopping in-line services ends them as terminating workers ends worker services: nothing of
 * theirs — a driver waiting for its interrupt, a server loop, the VFS's flusher — keeps the
 * kernel's thread alive. A process that boots a system with every service in-line (the tty and
 * block drivers wait on notifications), runs a program and stops it, must exit by itself.
 */

import assert from "node:assert/strict";

Deno.test("a process whose system ran its services in-line ends once the system stops", async () => {
  const root = new URL("../../", import.meta.url);
  const url = (path: string) => new URL(path, root).href;
  const code = `
    import { runProgram } from "${url("tests/helpers/system.ts")}";
    import { MemoryDisk } from "${url("machine/backends/memory_disk.ts")}";
    import { makeExt2Image } from "${url("services/vfs/ext2/mkfs.ts")}";
    const disk = new MemoryDisk(await makeExt2Image({ sizeBytes: 4 * 1024 * 1024 }));
    const r = await runProgram(["userland/bin/hello.elf"], { isolation: "inline", disk });
    if (r.exit.status !== 0 || !r.out.startsWith("hello, world")) {
      console.error(JSON.stringify(r.exit), r.out);
      Deno.exit(2);
    }
  `;
  const { code: status, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--unstable-worker-options", code],
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000), // a wait left behind would keep it alive for ever
  }).output();
  assert.equal(status, 0, new TextDecoder().decode(stderr));
});
