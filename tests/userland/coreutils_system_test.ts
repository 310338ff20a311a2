/**
 * The system commands (userland/coreutils: kill, ps, top, free, df, mount, uptime, dmesg).
 *
 * Under qemu-riscv32 they read the host's own /proc, so their output is compared with the host's
 * tools (procps-ng's kill, ps, top, free, uptime; GNU df; util-linux mount) run on the same
 * machine a moment apart: byte for byte where nothing moves (kill's lists, the headers), and by
 * shape where the figures do (column edges, line patterns). On denix (runProgram, in-line harts)
 * they read the OS's /proc, and the values are checked against the kernel's own state: the
 * processes and their pids, the memory size, the mounts configured, the kernel log, the harts.
 */

import assert from "node:assert/strict";
import { hostMounts } from "../../scripts/deploy.ts";
import { type Run, runProgram } from "../helpers/system.ts";
import { C_LOCALE, qemu, type Ran, runCommand } from "../helpers/commands.ts";

const BIN = "userland/bin";
const TIMEOUT_MS = 20_000;
const ROOT = { status: 0, signal: 0 };

type Output = Ran;

const inC = { env: C_LOCALE, boundMs: TIMEOUT_MS };

/** Our command under qemu-riscv32. */
function underQemu(name: string, ...args: string[]): Promise<Output> {
  return qemu(name, args, inC);
}

/** The host's command of that name. */
function host(name: string, ...args: string[]): Promise<Output> {
  return runCommand(name, args, inC);
}

/** Whether the host has a command (the comparisons with it are skipped otherwise). */
function hostHas(name: string): boolean {
  return (Deno.env.get("PATH") ?? "/usr/bin:/bin").split(":").some((dir) => {
    try {
      return Deno.statSync(`${dir}/${name}`).isFile;
    } catch {
      return false;
    }
  });
}

/** Our command on denix. */
function denix(name: string, args: string[] = [], settings = {}): Promise<Run> {
  return runProgram([`${BIN}/${name}.elf`, ...args], settings);
}

/** The column where each whitespace-separated field of `line` ends. */
function ends(line: string): number[] {
  return [...line.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
}

const lines = (text: string) => text.replace(/\n$/, "").split("\n");

// ---------------------------------------------------------------- against the host's tools

Deno.test({
  name: "kill under qemu: -l, -L, -l SIGNAL and errors as procps's kill prints them",
  ignore: !hostHas("kill"),
  fn: async () => {
    for (
      const args of [
        ["-l"],
        ["-L"],
        ["-l", "9"],
        ["-l", "SIGKILL"],
        ["-l", "term"],
        ["-l", "137"],
        ["-0", "2147483647"],
        ["-s", "0", "2147483647"],
        ["-TERM", "--", "-2147483647"],
        ["-0", "1"],
      ]
    ) {
      const [ours, theirs] = await Promise.all([underQemu("kill", ...args), host("kill", ...args)]);
      theirs.err = theirs.err.replace(/^\S*kill:/gm, "kill:"); // as invoked: /usr/bin/kill
      assert.deepEqual(ours, theirs, `kill ${args.join(" ")}`);
    }
  },
});

Deno.test({
  name: "free under qemu: procps's layout for every unit option",
  ignore: !hostHas("free"),
  fn: async () => {
    for (const args of [[], ["-k"], ["-m"], ["-g"], ["-b"], ["-h"], ["-h", "--si"], ["-t"]]) {
      const [ours, theirs] = await Promise.all([underQemu("free", ...args), host("free", ...args)]);
      assert.equal(ours.code, 0);
      const [a, b] = [lines(ours.out), lines(theirs.out)];
      assert.equal(a[0], b[0], "header");
      assert.equal(a.length, b.length);
      for (let i = 1; i < a.length; i++) {
        assert.equal(a[i].split(/\s+/)[0], b[i].split(/\s+/)[0], "label");
        assert.deepEqual(ends(a[i]), ends(b[i]), `free ${args.join(" ")}: columns of ${a[i]}`);
      }
    }
  },
});

/** procps's uptime line; the host's procps may say "0 user". */
const UPTIME =
  /^ \d\d:\d\d:\d\d up +(\d+ days?, +)?(\d+ min|\d+:\d\d), +(\d+|\?) users?, +load average: \d+\.\d\d, \d+\.\d\d, \d+\.\d\d$/;

Deno.test({
  name: "uptime under qemu: procps's line",
  ignore: !hostHas("uptime"),
  fn: async () => {
    const start = performance.now();
    const [ours, theirs] = await Promise.all([underQemu("uptime"), host("uptime")]);
    const tookSeconds = Math.ceil((performance.now() - start) / 1000);
    assert.match(ours.out.trimEnd(), UPTIME);
    assert.match(theirs.out.trimEnd(), UPTIME);
    // The same time of day, up to the seconds that passed while both ran (a second's edge may
    // fall between them).
    const [a, b] = [ours, theirs].map((r) => {
      const [h, m, sec] = r.out.slice(1, 9).split(":").map(Number);
      return h * 3600 + m * 60 + sec;
    });
    const apart = Math.min(Math.abs(a - b), 86400 - Math.abs(a - b));
    assert.ok(
      apart <= tookSeconds,
      `times of day ${ours.out.slice(0, 10)} and ${theirs.out.slice(0, 10)}`,
    );
    const [p, q] = await Promise.all([underQemu("uptime", "-s"), host("uptime", "-s")]);
    assert.match(p.out, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n$/);
    assert.equal(p.out.slice(0, 16), q.out.slice(0, 16));
  },
});

Deno.test({
  name: "ps under qemu: procps's headers and columns",
  ignore: !hostHas("ps"),
  fn: async () => {
    const shapes: [string[], RegExp][] = [
      [[], /^ *\d+ \S+ +(\d+-)?\d\d:\d\d:\d\d .+$/],
      [["-e"], /^ *\d+ \S+ +(\d+-)?\d\d:\d\d:\d\d .+$/],
      [["-ef"], /^\S+ +\d+ +\d+ +\d+ (\d\d:\d\d|\w{3}\d\d| \d{4}) \S+ +(\d+-)?\d\d:\d\d:\d\d .+$/],
      [["aux"], /^\S+ +\d+ +\d+\.\d +\d+\.\d +\d+ +\d+ \S+ +\S+ +\S+ +\d+:\d\d .+$/],
    ];
    // A process whose argument holds a control character (CI runners have such processes):
    // procps shows it as '?', one process per line.
    const odd = new Deno.Command("bash", { args: ["-c", "sleep 30; :", "a\nb\tc"] }).spawn();
    try {
      await checkShapes(shapes);
      const listing = await underQemu("ps", "-ef");
      const row = lines(listing.out).find((l) => l.includes(`${odd.pid} `) && l.includes("sleep"));
      assert.ok(row?.endsWith("sleep 30; : a?b?c"), `the odd process as one line: ${row}`);
    } finally {
      odd.kill();
      await odd.status;
    }
  },
});

/** Each ps listing has the host's header and rows of its shape, PIDs right-aligned. */
async function checkShapes(shapes: [string[], RegExp][]): Promise<void> {
  for (const [args, shape] of shapes) {
    const [ours, theirs] = await Promise.all([underQemu("ps", ...args), host("ps", ...args)]);
    assert.equal(ours.code, 0, ours.err);
    const [a, b] = [lines(ours.out), lines(theirs.out)];
    assert.equal(a[0], b[0], `ps ${args.join(" ")}: header`);
    assert.ok(a.length > 2, "the host's processes");
    const pidEnd = a[0].indexOf("PID") + 3;
    for (const row of a.slice(1)) {
      assert.match(row, shape);
      if (args[0] !== "-ef") assert.equal(row[pidEnd - 1] !== " ", true, `PID aligned: ${row}`);
    }
  }
}

Deno.test({
  name: "df under qemu: GNU df's table for the same mounts",
  ignore: !hostHas("df"),
  fn: async () => {
    for (const args of [[], ["-h"], ["-T"], ["-a"]]) {
      const [ours, theirs] = await Promise.all([underQemu("df", ...args), host("df", ...args)]);
      assert.equal(ours.code, theirs.code, ours.err);
      const [a, b] = [lines(ours.out), lines(theirs.out)];
      assert.deepEqual(a[0].split(/\s+/), b[0].split(/\s+/), "header");
      const where = (rows: string[]) =>
        rows.slice(1).map((r) => [r.split(" ")[0], r.split(" ").at(-1)]);
      assert.deepEqual(where(a), where(b), `df ${args.join(" ")}: the same file systems`);
    }
  },
});

Deno.test({
  name: "mount under qemu: util-linux's SOURCE on DIR type TYPE (OPTIONS) lines",
  ignore: !hostHas("mount"),
  fn: async () => {
    const [ours, theirs] = await Promise.all([underQemu("mount"), host("mount")]);
    assert.equal(ours.code, 0, ours.err);
    for (const line of lines(ours.out)) assert.match(line, /^\S+ on \S+ type \S+ \(\S*\)$/);
    const dirs = (text: string) => lines(text).map((l) => l.split(" ")[2]);
    assert.deepEqual(dirs(ours.out), dirs(theirs.out));
  },
});

Deno.test({
  name: "top -b under qemu: procps's summary lines, a %Cpu line per CPU",
  ignore: !hostHas("top"),
  fn: async () => {
    const [ours, theirs] = await Promise.all([
      underQemu("top", "-b", "-n", "1"),
      host("top", "-b", "-n", "1"),
    ]);
    assert.equal(ours.code, 0, ours.err);
    const [a, b] = [
      lines(ours.out).map((l) => l.trimEnd()),
      lines(theirs.out).map((l) => l.trimEnd()),
    ];
    for (const rows of [a, b]) {
      assert.match(rows[0], new RegExp(`^top -${UPTIME.source.slice(1)}`));
      assert.match(
        rows[1],
        /^Tasks: +\d+ total, +\d+ running, +\d+ sleeping, +\d+ stopped, +\d+ zombie$/,
      );
      const mem = rows.findIndex((l) => l.startsWith("MiB Mem :"));
      for (const cpu of rows.slice(2, mem)) {
        assert.match(cpu, /^%Cpu(\d+ *|\(s\)):( *\d+\.\d (us|sy|ni|id|wa|hi|si|st),?){8}$/);
      }
      assert.match(
        rows[mem],
        /^MiB Mem : +\d+\.\d total, +\d+\.\d free, +\d+\.\d used, +\d+\.\d buff\/cache$/,
      );
      assert.match(
        rows[mem + 1],
        /^MiB Swap: +\d+\.\d total, +\d+\.\d free, +\d+\.\d used\. +\d+\.\d avail Mem$/,
      );
      assert.equal(rows[mem + 2], "");
      assert.deepEqual(
        rows[mem + 3].split(/\s+/).filter(Boolean),
        "PID USER PR NI VIRT RES SHR S %CPU %MEM TIME+ COMMAND".split(" "),
      );
      for (const row of rows.slice(mem + 4)) {
        assert.match(
          row,
          /^ *\d+ \S+ +(-?\d+|rt) +-?\d+ +\S+ +\S+ +\S+ \S +\d+\.\d +\d+\.\d +\d+:\d\d\.\d\d .+$/,
        );
        assert.ok(row.length < 80, "within 80 columns");
      }
    }
    const harts = (await Deno.readTextFile("/proc/stat")).match(/^cpu\d+ /gm)!.length;
    assert.equal(a.filter((l) => l.startsWith("%Cpu")).length, harts, "one line per CPU");
  },
});

// ---------------------------------------------------------------- on denix

/** What the kernel knows of the process with pid `pid` that has exited. */
function exited(r: Run, pid: number) {
  return r.kernel.history.find((s) => s.pid === pid && s.tid === pid);
}

Deno.test("ps on denix: init and ps itself, with their pids, parents and command lines", async () => {
  const plain = await denix("ps");
  assert.deepEqual(plain.exit, ROOT, plain.err);
  assert.equal(exited(plain, 2)?.name, "ps.elf", "the kernel gave ps pid 2");
  assert.equal(
    plain.out,
    "  PID TTY          TIME CMD\n" +
      "    1 ?        00:00:00 init\n" +
      "    2 ?        00:00:00 ps.elf\n",
  );

  const full = await denix("ps", ["-ef"]);
  assert.deepEqual(full.exit, ROOT, full.err);
  const boot = new Date(Number(full.kernel.realtimeOffsetNs / 1_000_000n));
  const stime = boot.toISOString().slice(11, 16); // HH:MM (UTC), as procps prints today's
  const rows = lines(full.out);
  assert.equal(rows[0], "UID        PID  PPID  C STIME TTY          TIME CMD");
  assert.match(
    rows[1],
    new RegExp(`^root +1 +0 +0 \\d\\d:\\d\\d \\? +00:00:00 init ${BIN}/ps\\.elf -ef$`),
  );
  assert.match(
    rows[2],
    new RegExp(`^root +2 +1 +0 \\d\\d:\\d\\d \\? +00:00:00 ${BIN}/ps\\.elf -ef$`),
  );
  assert.ok(
    [rows[1], rows[2]].every((r) => Math.abs(toMinutes(r.split(/ +/)[4]) - toMinutes(stime)) <= 1),
  );
  assert.equal(rows.length, 3);

  const user = await denix("ps", ["aux"]);
  assert.deepEqual(user.exit, ROOT, user.err);
  const [header, init, self] = lines(user.out);
  assert.equal(header, "USER       PID %CPU %MEM    VSZ   RSS TTY      STAT START   TIME COMMAND");
  // init leads session 1 and waits for its child; ps is in a service call (reading /proc).
  assert.match(
    init,
    new RegExp(
      `^root +1 +\\d+\\.\\d +\\d+\\.\\d +\\d+ +\\d+ \\? +Ss +\\d\\d:\\d\\d +0:00 init ${BIN}/ps\\.elf aux$`,
    ),
  );
  assert.match(
    self,
    new RegExp(
      `^root +2 +\\d+\\.\\d +\\d+\\.\\d +\\d+ +\\d+ \\? +[RDS] +\\d\\d:\\d\\d +0:00 ${BIN}/ps\\.elf aux$`,
    ),
  );
});

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return h * 60 + m;
}

Deno.test("kill on denix: -0 probes, a signal ends its target, groups by negative id", async () => {
  const live = await denix("kill", ["-0", "1"]);
  assert.deepEqual(live.exit, ROOT, live.err);
  assert.equal(live.out + live.err, "");

  const dead = await denix("kill", ["-0", "30000"]);
  assert.equal(dead.exit.status, 1);
  assert.equal(dead.err, "kill: (30000): No such process\n");
  assert.equal(dead.kernel.procs.has(30000), false);

  // kill signals itself (pid 2): init reports 128 + the signal.
  for (const args of [["-9", "2"], ["-KILL", "2"], ["-s", "SIGKILL", "2"], ["-s", "9", "2"]]) {
    const r = await denix("kill", args);
    assert.deepEqual(r.exit, { status: 128 + 9, signal: 0 }, `kill ${args.join(" ")}`);
  }
  const term = await denix("kill", ["2"]);
  assert.deepEqual(term.exit, { status: 128 + 15, signal: 0 }, "SIGTERM by default");
  const usr1 = await denix("kill", ["-USR1", "2"]);
  assert.deepEqual(usr1.exit, { status: 128 + 10, signal: 0 });

  // 0 is kill's own process group (init's, which is shielded): kill ends itself.
  const group = await denix("kill", ["-9", "0"]);
  assert.deepEqual(group.exit, { status: 128 + 9, signal: 0 });
  // -1 is every process but init and the caller: none here.
  const all = await denix("kill", ["-9", "--", "-1"]);
  assert.equal(all.err, "kill: (-1): No such process\n");
  const noGroup = await denix("kill", ["-0", "--", "-30000"]);
  assert.equal(noGroup.exit.status, 1);
  assert.equal(noGroup.err, "kill: (-30000): No such process\n");

  const list = await denix("kill", ["-l"]);
  assert.equal(list.out, (await underQemu("kill", "-l")).out);
});

Deno.test("free on denix: the kernel's memory, in each unit", async () => {
  const r = await denix("free");
  assert.deepEqual(r.exit, ROOT, r.err);
  const meminfo = await runProgram([`${BIN}/cat.elf`, "/proc/meminfo"]);
  const memTotal = Number(meminfo.out.match(/^MemTotal: +(\d+) kB$/m)![1]);
  assert.equal(memTotal, r.kernel.machine.ram.size / 1024);
  const [header, mem, swap] = lines(r.out);
  assert.equal(
    header,
    "               total        used        free      shared  buff/cache   available",
  );
  const [total, used, free, shared, cache, available] = mem.split(/ +/).slice(1).map(Number);
  assert.equal(total, memTotal);
  assert.equal(used + free, total, "used is total - available, and available is free");
  assert.equal(available, free);
  assert.equal(cache, 0);
  assert.ok(shared > 0, "the services' shared regions");
  assert.equal(swap, "Swap:              0           0           0");

  const mib = await denix("free", ["-m"]);
  assert.match(mib.out, /\nMem: +128 +\d+ +\d+ /);
  const human = await denix("free", ["-h"]);
  assert.match(human.out, /\nMem: +128Mi +\d+(\.\d)?[KM]i +\d+(\.\d)?Mi /);
  assert.match(human.out, /\nSwap: +0B +0B +0B\n$/);
  const totals = await denix("free", ["-k", "-t"]);
  assert.match(totals.out, /\nTotal: +131072 +\d+ +\d+\n$/);
});

Deno.test("df on denix: the mounts of /proc/mounts with statfs's figures", async () => {
  const mounts = [...hostMounts(false), "tmpfs - /tmp/work size=2m"];
  const r = await denix("df", ["-T"], { mounts });
  assert.deepEqual(r.exit, ROOT, r.err);
  const rows = lines(r.out);
  assert.deepEqual(rows[0].split(/ +/), [
    "Filesystem",
    "Type",
    "1K-blocks",
    "Used",
    "Available",
    "Use%",
    "Mounted",
    "on",
  ]);
  // hostfs (no size) and proc are left out, as GNU df leaves them.
  assert.deepEqual(
    rows.slice(1).map((l) => [l.split(/ +/)[0], l.split(/ +/)[1], l.split(/ +/).at(-1)]),
    [
      ["devtmpfs", "devtmpfs", "/dev"],
      ["tmpfs", "tmpfs", "/tmp"],
      ["tmpfs", "tmpfs", "/tmp/work"],
    ],
  );
  assert.match(rows[3], /^tmpfs +tmpfs +2048 +0 +2048 +0% \/tmp\/work$/, "size=2m");

  const human = await denix("df", ["-h"], { mounts });
  assert.match(lines(human.out).at(-1)!, /^tmpfs +2\.0M +0 +2\.0M +0% \/tmp\/work$/);

  const all = await denix("df", ["-a"], { mounts });
  const dirs = lines(all.out).slice(1).map((l) => l.split(" ").at(-1));
  assert.deepEqual(dirs, ["/", "/dev", "/proc", "/tmp", "/tmp/work"]);
});

Deno.test("mount on denix: the VFS's mount table; mount(2) through -t", async () => {
  const r = await denix("mount");
  assert.deepEqual(r.exit, ROOT, r.err);
  assert.equal(
    r.out,
    "/ on / type hostfs (ro)\n" +
      "devtmpfs on /dev type devtmpfs (rw)\n" +
      "proc on /proc type proc (ro)\n" +
      "tmpfs on /tmp type tmpfs (rw,union)\n",
  );
  const proc = await denix("mount", ["-t", "proc"]);
  assert.equal(proc.out, "proc on /proc type proc (ro)\n");

  // A directory of the host's /tmp, seen through the union on denix's /tmp.
  const dir = await Deno.makeTempDir({ dir: "/tmp", prefix: "mount-" });
  try {
    const made = await denix("mount", ["-t", "tmpfs", "-o", "size=1m", "none", dir]);
    assert.deepEqual(made.exit, ROOT, made.err);
    const busy = await denix("mount", ["-t", "tmpfs", "none", "/tmp"]);
    assert.equal(busy.exit.status, 32);
    assert.equal(busy.err, "mount: /tmp: Device or resource busy\n");
    const bad = await denix("mount", ["-t", "nosuchfs", "none", dir]);
    assert.equal(bad.exit.status, 32);
    assert.equal(bad.err, `mount: ${dir}: No such device\n`);
    const usage = await denix("mount", ["none", dir]);
    assert.equal(usage.exit.status, 1);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("uptime on denix: the kernel's uptime and load average", async () => {
  const before = new Date();
  const r = await denix("uptime");
  assert.deepEqual(r.exit, ROOT, r.err);
  // In-line harts: the machine's clock has moved well under a minute; no load sample yet.
  assert.match(
    r.out,
    /^ \d\d:\d\d:\d\d up 0 min, {2}0 users, {2}load average: 0\.00, 0\.00, 0\.00\n$/,
  );
  const shown = toMinutes(r.out.slice(1, 6));
  assert.ok(Math.abs(shown - toMinutes(before.toISOString().slice(11, 16))) <= 1, "UTC now");
  const pretty = await denix("uptime", ["-p"]);
  assert.equal(pretty.out, "up 0 minute\n"); // procps's wording
});

Deno.test("dmesg on denix: the kernel's log records and the services' lines", async () => {
  const mounts = [...hostMounts(false), "nosuchfs - /nowhere"];
  const r = await denix("dmesg", [], { mounts });
  assert.deepEqual(r.exit, ROOT, r.err);
  const expected = r.kernel.klog.list().map((rec) =>
    `[${String(Math.floor(rec.usec / 1e6)).padStart(5)}.${
      String(rec.usec % 1e6).padStart(6, "0")
    }] ${rec.text}`
  );
  const shown = lines(r.out);
  assert.deepEqual(shown, expected.slice(0, shown.length));
  assert.ok(shown.includes("[    0.000000] run /sbin/init as init process"));
  assert.ok(
    shown.some((l) =>
      /^\[ +\d+\.\d{6}\] vfs: nosuchfs nosuchfs not mounted on \/nowhere: /.test(l)
    ),
  );

  const raw = await denix("dmesg", ["-r"], { mounts });
  assert.match(raw.out, /^<6>\[ {4}0\.000000\] denix: 2 harts \(inline\), 128 MiB of memory$/m);
  assert.match(raw.out, /^<28>\[ +\d+\.\d{6}\] vfs: nosuchfs /m, "daemon facility, warning");
  const bare = await denix("dmesg", ["-t"]);
  assert.equal(lines(bare.out)[0], "denix: 2 harts (inline), 128 MiB of memory");
});

Deno.test("top -b on denix: a %Cpu line per hart, the processes, the memory", async () => {
  const r = await denix("top", ["-b", "-n", "1"], { harts: 3 });
  assert.deepEqual(r.exit, ROOT, r.err);
  const rows = lines(r.out);
  assert.match(
    rows[0],
    /^top - \d\d:\d\d:\d\d up 0 min, {2}0 users, {2}load average: 0\.00, 0\.00, 0\.00$/,
  );
  assert.match(
    rows[1],
    /^Tasks: {3}2 total, +\d running, +\d sleeping, {3}0 stopped, {3}0 zombie$/,
  );
  assert.deepEqual(rows.slice(2, 5).map((l) => l.slice(0, 8)), [
    "%Cpu0  :",
    "%Cpu1  :",
    "%Cpu2  :",
  ]);
  for (const cpu of rows.slice(2, 5)) {
    assert.match(cpu, /^%Cpu\d {2}:( *\d+\.\d (us|sy|ni|id|wa|hi|si|st),?){8}$/);
  }
  assert.match(
    rows[5],
    /^MiB Mem : {4}128\.0 total, +\d+\.\d free, +\d+\.\d used, {6}0\.0 buff\/cache$/,
  );
  assert.match(
    rows[6],
    /^MiB Swap: {6}0\.0 total, {6}0\.0 free, {6}0\.0 used\. +\d+\.\d avail Mem$/,
  );
  assert.equal(
    rows[8],
    "  PID USER      PR  NI    VIRT    RES    SHR S  %CPU  %MEM     TIME+ COMMAND",
  );
  const procs = rows.slice(9).map((l) => l.trim().split(/ +/));
  assert.deepEqual(procs.map((p) => [p[0], p[1], p[2], p[3], p.at(-1)]).sort(), [
    ["1", "root", "20", "0", "init"],
    ["2", "root", "20", "0", "top.elf"],
  ]);

  const two = await denix("top", ["-b", "-n", "2", "-d", "0.2"]);
  assert.deepEqual(two.exit, ROOT, two.err);
  assert.equal(two.out.match(/^top - /gm)?.length, 2);
  assert.match(two.out, /\n\ntop - /, "a blank line between frames");
});

Deno.test("top on denix's console: raw mode, repaints, q quits", async () => {
  // The q is typed before top starts: the cooked terminal echoes it; top then reads it raw.
  const r = await denix("top", [], { input: "q", interactive: true });
  assert.deepEqual(r.exit, ROOT, r.err);
  assert.ok(r.out.startsWith("q\x1b[Htop - "), JSON.stringify(r.out.slice(0, 40)));
  assert.ok(r.out.includes(" st\x1b[K\r\n%Cpu1  :"), "lines cleared to their end");
  assert.equal(r.out.match(/top - /g)?.length, 1, "one frame, then q");
});
