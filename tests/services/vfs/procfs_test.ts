/**
 * /proc and /dev through the VFS, read by a RISC-V program (cat): the kernel's tables as
 * Linux formats them — memory, harts, uptime, the mount table, the service table, a process's
 * status, memory areas and argv — and a device node (/dev/null reads empty); /proc/stat (time
 * per hart), /proc/loadavg (with a busy system's load average), /proc/kmsg (the kernel log).
 */

import assert from "node:assert/strict";
import { SYSINFO } from "../../../abi/ipc.ts";
import type { Kernel } from "../../../kernel/kernel.ts";
import { LoadAverage } from "../../../kernel/loadavg.ts";
import { sysinfoText } from "../../../kernel/sysinfo.ts";
import { Clock } from "../../../machine/clock.ts";
import { hostMounts } from "../../../scripts/deploy.ts";
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

Deno.test("procfs: /proc/stat has a cpu line per hart, btime and the process counts", async () => {
  const r = await runProgram([CAT, "/proc/stat", "/proc/uptime"], { harts: 3 });
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  const lines = r.out.split("\n");
  const cpu = (name: string) =>
    lines.find((l) => l.startsWith(`${name} `))!.trim().split(/ +/).slice(1).map(Number);
  assert.match(lines[0], /^cpu {2}(\d+ ){9}\d+$/);
  assert.deepEqual(lines.filter((l) => /^cpu\d+ (\d+ ){9}\d+$/.test(l)).length, 3);
  const harts = [cpu("cpu0"), cpu("cpu1"), cpu("cpu2")];
  // The first line is the sum of the harts'; each hart's time adds up to the uptime.
  assert.deepEqual(cpu("cpu"), harts[0].map((_, i) => harts.reduce((n, h) => n + h[i], 0)));
  const uptime = Number(lines.find((l) => /^\d+\.\d\d \d+\.\d\d$/.test(l))!.split(" ")[0]);
  for (const h of harts) {
    const total = h.slice(0, 4).reduce((a, b) => a + b);
    assert.ok(Math.abs(total - uptime * 100) <= 4, `${total} ticks in ${uptime} s`);
  }
  assert.ok(r.out.includes(`\nbtime ${r.kernel.realtimeOffsetNs / 1_000_000_000n}\n`));
  assert.match(r.out, /\nprocesses 2\nprocs_running \d+\nprocs_blocked \d+\n/);
  assert.equal(r.kernel.tasksCreated, 2, "init and cat");
  assert.match(r.out, /\nintr \d+\nctxt \d+\n/);
});

Deno.test("procfs: /proc/loadavg: the averages, runnable/all threads, the last pid", async () => {
  const r = await runProgram([CAT, "/proc/loadavg"]);
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  // Under 5 s of machine time: no sample yet. cat waits for the VFS (not runnable).
  assert.equal(r.out, "0.00 0.00 0.00 0/2 2\n");
});

Deno.test("procfs: the load average of a busy system, sampled every 5 s as Linux does", async () => {
  // bench_spin keeps one hart busy (threads mode: real time) past the first sample at 5 s: a
  // short run measures its rate, the next runs for 7 s (again if it still fell short).
  const busyMs = (k: Kernel) =>
    Math.max(...k.hartCounters.map((c) => Clock.ticksToMs(c.userTicks)));
  let units = 100;
  let r = await runProgram(["userland/bin/bench_spin.elf", String(units)], { mode: "threads" });
  for (let tries = 0; tries < 3 && r.kernel.loadavg.samples === 0; tries++) {
    units = Math.ceil((units * 7000) / Math.max(1, busyMs(r.kernel)));
    r = await runProgram(["userland/bin/bench_spin.elf", String(units)], { mode: "threads" });
  }
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  const samples = r.kernel.loadavg.samples;
  assert.ok(samples >= 1, "it ran past a 5 s sample");
  // Every sample saw the one spinning thread (init waits); nothing else ran.
  const model = new LoadAverage(0, 1);
  for (let n = 1; n <= samples; n++) model.sample(n, () => 1);
  assert.equal(r.kernel.loadavg.text(), model.text());
  assert.match(model.text(), /^0\.(0[8-9]|[1-9]\d) /);
  const stat = sysinfoText(r.kernel, SYSINFO.STAT, []);
  const busiest = Math.max(
    ...stat.split("\n").filter((l) => /^cpu\d/.test(l)).map((l) => Number(l.split(" ")[1])),
  );
  assert.ok(busiest >= 400, `a hart ran user code for ${busiest} ticks`);
});

Deno.test("procfs: /proc/kmsg is the kernel log as /dev/kmsg records", async () => {
  const r = await runProgram([CAT, "/proc/kmsg"], {
    mounts: [...hostMounts(false), "nosuchfs - /nowhere"],
  });
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  for (const line of r.out.trimEnd().split("\n")) assert.match(line, /^\d+,\d+,\d+,-;/);
  assert.match(r.out, /^6,0,0,-;denix: 2 harts \(inline\), 128 MiB of memory$/m);
  assert.match(r.out, /^6,\d+,\d+,-;service vfs started \(inline\)$/m);
  assert.match(r.out, /^6,\d+,\d+,-;run \/sbin\/init as init process$/m);
  // A service's line (the VFS could not mount): daemon facility, warning level.
  assert.match(r.out, /^28,\d+,\d+,-;vfs: nosuchfs nosuchfs not mounted on \/nowhere: /m);
  assert.ok(r.kernel.klog.text().startsWith(r.out), "what the kernel holds");
});

Deno.test("procfs: /proc/PID/stat: USER_HZ times, start time, priority, virtual size", async () => {
  const r = await runProgram([CAT, "/proc/2/stat", "/proc/2/maps"]);
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  const stat = r.out.split("\n")[0].split(" ");
  assert.equal(stat[1], "(cat.elf)");
  assert.equal(stat[3], "1", "ppid");
  assert.deepEqual([stat[17], stat[18], stat[19]], ["20", "0", "1"], "priority, nice, threads");
  const started = r.kernel.history.find((s) => s.pid === 2);
  assert.ok(started);
  assert.ok(Number(stat[21]) <= Math.ceil(Clock.ticksToMs(r.kernel.mtime()) / 10), "starttime");
  const maps = r.out.split("\n").slice(1).filter((l) => /^[0-9a-f]{8}-/.test(l));
  const size = maps.reduce((n, l) => {
    const [a, b] = l.split(" ")[0].split("-").map((x) => parseInt(x, 16));
    return n + (b - a);
  }, 0);
  assert.equal(Number(stat[22]), size, "vsize: every area of /proc/2/maps");
  assert.ok(Number(stat[23]) > 0, "rss");
});
