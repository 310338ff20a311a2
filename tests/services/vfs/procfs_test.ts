/**
 * /proc and /dev through the VFS, read by a RISC-V program (cat): the kernel's tables as
 * Linux formats them — memory, harts, uptime, the mount table, the service table, a process's
 * status, memory areas and argv — and a device node (/dev/null reads empty).
 */

import assert from "node:assert/strict";
import { runProgram } from "../../helpers/system.ts";

const CAT = "userland/bin/cat.elf";

Deno.test("procfs: meminfo, cpuinfo, uptime, mounts and the service table", async () => {
  const r = await runProgram(
    [CAT, "/proc/meminfo", "/proc/cpuinfo", "/proc/uptime", "/proc/mounts", "/proc/services"],
    { harts: 2 },
  );
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  assert.match(r.out, /^MemTotal: +131072 kB\nMemFree: +\d+ kB\n/);
  assert.equal(r.out.match(/^processor\t: \d$/gm)?.length, 2);
  assert.match(r.out, /^isa\t\t: rv32imac_zicsr_zifencei$/m);
  assert.match(r.out, /^\d+\.\d\d \d+\.\d\d$/m);
  for (const mount of ["/ / hostfs ro", "devtmpfs /dev devtmpfs rw", "proc /proc proc ro"]) {
    assert.ok(r.out.includes(`${mount} 0 0\n`), `mounts list ${mount}`);
  }
  for (const name of ["tty", "rtc", "hostfs", "vfs"]) {
    assert.match(r.out, new RegExp(`^${name} running 0 \\d+ inline$`, "m"));
  }
});

Deno.test("procfs: a process's status, stat, argv and memory areas", async () => {
  const r = await runProgram([
    CAT,
    "/proc/1/status",
    "/proc/1/stat",
    "/proc/1/cmdline",
    "/proc/2/maps",
  ]);
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  assert.match(r.out, /^Name:\tinit\nState:\tS \(waiting\)\nTgid:\t1\nPid:\t1\nPPid:\t0\n/);
  assert.match(r.out, /^1 \(init\) S 0 1 1 /m);
  assert.ok(r.out.includes(`init\0${CAT}\0/proc/1/status\0`), "argv, NUL-separated");
  const maps = r.out.slice(r.out.lastIndexOf("\0") + 1); // what follows argv
  assert.match(maps, /^00010000-[0-9a-f]{8} r-xp 00000000 00:00 0 cat\.elf$/m);
  assert.match(r.out, /^bffff000-c0000000 r-xp 00000000 00:00 0 \[vdso\]$/m);
});

Deno.test("procfs: a process that does not exist is ENOENT", async () => {
  const r = await runProgram([CAT, "/proc/4242/status"]);
  assert.equal(r.exit.status, 1);
  assert.match(r.err, /No such file or directory/);
});

Deno.test("devfs: /dev/null reads as empty", async () => {
  const r = await runProgram([CAT, "/dev/null"]);
  assert.deepEqual(r.exit, { status: 0, signal: 0 });
  assert.equal(r.out, "");
});
