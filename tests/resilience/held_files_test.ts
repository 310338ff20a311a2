/**
 * Files a program holds open while the VFS restarts (userland/src/held_files.c). The kernel
 * tells each new VFS instance which files it holds (the HELLO's held list), so the instance
 * knows that an unlinked file is still in use (its blocks are not freed under the program),
 * and frees an unlinked file whose last close went to the instance that died. After the run,
 * e2fsck finds the disk clean: no block freed early, no orphan left behind.
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { SIGCONT } from "../../kernel/signals.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { eventually } from "../helpers/poll.ts";
import { bootProgram } from "../helpers/system.ts";
import { assertDiskClean } from "../services/vfs/e2fsprogs.ts";

const POLL = { boundMs: 15_000, everyMs: 5 };

Deno.test("files held open across a VFS restart: unlinked ones stay readable, a lost close frees nothing early and leaks nothing", async () => {
  const disk = new MemoryDisk(
    await makeExt2Image({
      sizeBytes: 8 * 1024 * 1024,
      root: { work: { kind: "dir", entries: {} } },
    }),
  );
  const { system, console0, log } = await bootProgram(
    [new URL("../../userland/bin/held_files.elf", import.meta.url).pathname, "/mnt/work"],
    { mode: "threads", isolation: "worker", disk },
  );
  const k = system.kernel;
  const running = system.run();
  const story = () => `${console0.text()}\n${log.slice(-40).join("\n")}`;
  const program = () => [...k.procs.values()].find((p) => p.name === "held_files.elf");
  await eventually("the program's stop", () => program()?.group.stopped === true, {
    ...POLL,
    story,
  });
  const restarts = () => k.supervisor.restarts.filter((r) => r.name === "vfs").length;
  assert.ok(k.supervisor.kill("vfs"), "the VFS was running");
  k.signalFromService(-program()!.pid, SIGCONT);
  await eventually("the VFS's restart", () => restarts() === 1 && k.services.running.has("vfs"), {
    ...POLL,
    story,
  });
  const exit = await running;
  assert.equal(console0.text(), "ready\nok\n", story());
  assert.deepEqual(exit, { status: 0, signal: 0 });
  await assertDiskClean(disk.data);
});
