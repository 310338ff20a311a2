/**
 * The file commands of userland/coreutils (ls, stat, hexdump, cat -n; cp, mv, rm, mkdir, rmdir,
 * touch, ln, tee, sync) against the host's own GNU coreutils and util-linux hexdump, run with
 * LC_ALL=C and TZ=UTC (our commands print UTC: denix has no time zones).
 *
 * Readers run under qemu-riscv32 and on the host over the same fixture tree, and must print the
 * same stdout and exit with the same status. Writers run the same steps on two identical fixture
 * trees, GNU's in one and ours in the other, and the resulting trees must match: names, types,
 * permission bits, sizes, contents, link targets and link counts (times where the command sets
 * them). On denix a subset of the readers runs through `runProgram` over the same host files,
 * and the writers run in one boot (`steps` runs them one after the other) on a tmpfs working
 * directory and an ext2 disk: their tree is read back by our ls, stat and cat in the same boot
 * and, for the disk, by debugfs afterwards, and must equal the tree GNU's tools made on the host.
 */

import assert from "node:assert/strict";
import { runProgram } from "../helpers/system.ts";
import {
  C_LOCALE,
  type Ran,
  seededBytes,
  sideBySide,
  type SideOptions,
} from "../helpers/commands.ts";
import { hostMounts } from "../../scripts/deploy.ts";
import { readHostTree } from "../../scripts/mkfs.ts";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image, type TreeNode } from "../../services/vfs/ext2/mkfs.ts";
import { assertFsckClean, runTool, withImageFile } from "../services/vfs/e2fsprogs.ts";

const BIN = new URL("../../userland/bin/", import.meta.url).pathname;
const ENV = { ...C_LOCALE, PATH: "/usr/bin:/bin:/usr/sbin:/sbin" };
const TIMEOUT_MS = 20_000;

type RunOptions = SideOptions;

const { ours, gnu, same } = sideBySide(ENV, TIMEOUT_MS);

const bytes = seededBytes;

const DAY_MS = 86_400_000;
const STARTED = Date.now();

/**
 * The fixture: files of several sizes and modes, hidden names, names whose C order differs from
 * a locale's, symbolic links (to a file, to a directory, dangling), two hard links, a fifo, and
 * modification times old, recent and in the future.
 */
async function makeFixture(dir: string): Promise<void> {
  const w = (name: string, data: string | Uint8Array, mode = 0o644) => {
    const path = `${dir}/${name}`;
    Deno.writeFileSync(path, typeof data === "string" ? new TextEncoder().encode(data) : data);
    Deno.chmodSync(path, mode);
  };
  Deno.mkdirSync(`${dir}/sub/deeper`, { recursive: true });
  Deno.mkdirSync(`${dir}/sub/emptydir`);
  Deno.mkdirSync(`${dir}/sticky`);
  Deno.chmodSync(`${dir}/sticky`, 0o1777);
  w("README", "A fixture for the file commands.\nSecond line\n\nlast line without newline");
  w("big.bin", bytes(123_457, 7));
  w("zeros", new Uint8Array(200));
  w("odd", "abc");
  w("empty", "");
  w("run.sh", "#!/bin/sh\necho hi\n", 0o755);
  w("secret", "s3cret\n", 0o600);
  w("setuid", "x", 0o4755);
  w("with space", "spaced\n");
  w(".hidden", "hidden\n");
  w("Upper", "U\n");
  w("lower", "l\n");
  w("_under", "_\n");
  w("10", "ten\n");
  w("9", "nine\n");
  w("it's", "quote\n");
  w("old", "old\n");
  w("future", "future\n");
  w("recent", "recent\n");
  w("hard1", "linked\n");
  Deno.linkSync(`${dir}/hard1`, `${dir}/hard2`);
  w("sub/inner.txt", "inner\n");
  w("sub/.dot", "dot\n");
  w("sub/deeper/leaf", "leaf\n", 0o640);
  Deno.symlinkSync("README", `${dir}/link`);
  Deno.symlinkSync("sub", `${dir}/dirlink`);
  Deno.symlinkSync("nowhere", `${dir}/dangling`);
  const fifo = await gnu("mkfifo", ["fifo"], dir);
  assert.equal(fifo.code, 0, fifo.err);
  const now = STARTED; // the same times in every fixture
  // Every time fixed (two days ago), but for the ones that show ls's other formats.
  const setTimes = (path: string) => {
    const st = Deno.lstatSync(path);
    if (st.isDirectory) { for (const e of Deno.readDirSync(path)) setTimes(`${path}/${e.name}`); }
    if (!st.isSymlink) Deno.utimeSync(path, new Date(now - 2 * DAY_MS), new Date(now - 2 * DAY_MS));
  };
  setTimes(dir);
  Deno.utimeSync(`${dir}/old`, new Date(981173106_000), new Date(981173106_000)); // 2001-02-03
  Deno.utimeSync(`${dir}/future`, new Date(now + 3000 * DAY_MS), new Date(now + 3000 * DAY_MS));
  Deno.utimeSync(`${dir}/recent`, new Date(now - 3_600_000), new Date(now - 3_600_000));
  Deno.utimeSync(`${dir}/sub/deeper`, new Date(now - 400 * DAY_MS), new Date(now - 400 * DAY_MS));
  // Read everything once: with relatime the first read moves the access time (stat reads
  // symbolic links, ls directories), which would then differ between two runs.
  const warm = (path: string) => {
    const st = Deno.lstatSync(path);
    if (st.isSymlink) Deno.readLinkSync(path);
    else if (st.isDirectory) {
      for (const e of Deno.readDirSync(path)) warm(`${path}/${e.name}`);
    } else if (st.isFile) Deno.readFileSync(path);
  };
  warm(dir);
}

async function withFixture(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "coreutils-files-" });
  try {
    await makeFixture(dir);
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Readers under qemu-riscv32

Deno.test("ls: GNU ls's output for every option and operand mix", async () => {
  await withFixture(async (dir) => {
    const sets: string[][] = [
      [],
      ["-a"],
      ["-A"],
      ["-1"],
      ["-l"],
      ["-la"],
      ["-al", "sub"],
      ["-lA"],
      ["-R"],
      ["-aR"],
      ["-lR"],
      ["-laR"],
      ["-Ra", "sub"],
      ["-R", "sub/"],
      ["-d"],
      ["-ld"],
      ["-d", "sub", "README", "."],
      ["-ld", "sub", "README", "."],
      ["-l", "sub", "README", "link", "dirlink", "fifo"],
      ["dirlink"],
      ["-l", "dirlink"],
      ["-d", "dirlink"],
      ["sub"],
      ["sub", "sticky"],
      ["-1", "sub", "README", "link", "dangling"],
      ["-l1"],
      ["-1l", "sub"],
      ["missing"],
      ["missing", "sub"],
      ["-l", "missing", "README"],
      ["-l", "/dev/null", "/dev/zero", "/dev/random", "README"],
      ["-l", "old", "future", "recent"],
      ["--", "-not-an-option"],
    ];
    for (const args of sets) await same("ls", args, dir, { stderr: true });
    // The fixture does exercise the formats compared above.
    const long = await gnu("ls", ["-ld", "old", "future", "recent", "setuid", "sticky"], dir);
    assert.match(long.out, /Feb {2}3 {2}2001 old/);
    assert.match(long.out, / \d\d:\d\d recent/);
    assert.match(long.out, /^-rwsr-xr-x /m);
    assert.match(long.out, /^drwxrwxrwt /m);
    const devices = await gnu("ls", ["-l", "/dev/null"], dir);
    assert.match(devices.out, /1, 3 /);
    // Columns, as on a terminal, at several widths.
    for (const columns of ["20", "40", "80", "200"]) {
      await same("ls", ["-C"], dir, { env: { COLUMNS: columns } });
      await same("ls", ["-Ca", "sub", "."], dir, { env: { COLUMNS: columns } });
    }
  });
});

Deno.test("stat: GNU stat's default format and -c directives", async () => {
  await withFixture(async (dir) => {
    const all = [
      "README",
      "sub",
      "link",
      "dangling",
      "empty",
      "fifo",
      "setuid",
      "sticky",
      "hard1",
      "it's",
      "with space",
      "/dev/null",
    ];
    const want = await same("stat", all, dir, { stderr: true });
    assert.match(want.out, /Device type: 1,3/);
    assert.match(want.out, /File: link -> README\n/);
    await same("stat", ["-L", "link", "dirlink"], dir);
    await same("stat", ["missing", "README"], dir, { stderr: true });
    await same("stat", ["-c", "%n %s %a %A %F %h %i %u %g %X %Y %Z", ...all], dir);
    await same("stat", ["-c", "%U:%G %b %B %o %d %D %f %t %T %r %R %Hd,%Ld %Hr %Lr", ...all], dir);
    await same("stat", ["-c", "%x|%y|%z|%w|%W|%N", ...all], dir);
    await same("stat", ["-c", "[%-8n|%8s|%#a|%05a|%.3Y|%.12X|%14.4A|%-3h|%%|%q|%", ...all], dir);
    await same("stat", ["-Lc", "%n %F %s", "link", "dirlink"], dir);
  });
});

Deno.test("hexdump: util-linux hexdump's default and -C formats", async () => {
  await withFixture(async (dir) => {
    Deno.writeFileSync(`${dir}/repeats`, new Uint8Array([...new Array(40).fill(97), 98]));
    const files = ["README", "big.bin", "zeros", "odd", "empty", "repeats"];
    const hexdump = await gnu("sh", ["-c", "command -v hexdump"], dir);
    if (hexdump.code === 0) {
      for (const f of files) {
        await same("hexdump", [f], dir);
        await same("hexdump", ["-C", f], dir);
      }
      await same("hexdump", ["-v", "zeros"], dir);
      await same("hexdump", ["-Cv", "zeros"], dir);
      await same("hexdump", ["-C", "README", "odd", "empty", "zeros"], dir);
      await same("hexdump", ["-C", "-s", "5", "-n", "40", "big.bin"], dir);
      await same("hexdump", ["-s", "0x10", "-n", "077", "big.bin"], dir);
      await same("hexdump", ["-C", "-s", "500", "odd"], dir);
      await same("hexdump", ["-C"], dir, { input: bytes(1000, 3) });
      await same("hexdump", [], dir, { input: "stdin\n" });
      await same("hexdump", ["-C", "missing", "odd"], dir, { stderr: true });
    } else {
      // No hexdump here: -Cv and -v against od's bytes laid out as hexdump lays them out.
      for (const f of files) {
        const od = await gnu("od", ["-A", "x", "-t", "x1", "-v", "-w16", f], dir);
        const lines = od.out.trim().split("\n").map((l) => l.trim().split(/\s+/));
        const end = parseInt(lines.pop()![0], 16);
        let c = "", plain = "";
        for (const [offset, ...hex] of lines) {
          const b = hex.map((h) => parseInt(h, 16));
          const cells = Array.from({ length: 16 }, (_, i) => i < b.length ? `${hex[i]} ` : "   ");
          const text = b.map((x) => x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : ".").join("");
          const at = parseInt(offset, 16);
          c += `${at.toString(16).padStart(8, "0")}  ${cells.slice(0, 8).join("")} ` +
            `${cells.slice(8).join("")} |${text}|\n`;
          const words = Array.from(
            { length: 8 },
            (_, i) =>
              2 * i < b.length
                ? ` ${((b[2 * i + 1] ?? 0) * 256 + b[2 * i]).toString(16).padStart(4, "0")}`
                : "     ",
          );
          plain += `${at.toString(16).padStart(7, "0")}${words.join("")}\n`;
        }
        if (end > 0) {
          c += `${end.toString(16).padStart(8, "0")}\n`;
          plain += `${end.toString(16).padStart(7, "0")}\n`;
        }
        assert.equal((await ours("hexdump", ["-Cv", f], dir)).out, c, `hexdump -Cv ${f}`);
        assert.equal((await ours("hexdump", ["-v", f], dir)).out, plain, `hexdump -v ${f}`);
      }
    }
  });
});

Deno.test("cat -n numbers lines as GNU cat does; plain cat is unchanged", async () => {
  await withFixture(async (dir) => {
    await same("cat", ["-n", "README"], dir);
    await same("cat", ["-n", "README", "odd", "empty", "sub/inner.txt"], dir);
    await same("cat", ["-n"], dir, { input: "one\ntwo\n\nthree" });
    await same("cat", ["README", "big.bin", "odd"], dir);
    await same("cat", ["-n", "missing", "odd"], dir);
  });
});

// ---------------------------------------------------------------------------------------------
// Writers under qemu-riscv32: the same steps on two copies of the fixture

interface Node {
  type: string;
  mode: string;
  nlink?: number;
  size?: number;
  data?: string;
  target?: string;
  mtime?: number | "now";
}

/** Everything about a tree the comparison looks at (times only with `times`). */
function snapshot(root: string, times = false): Record<string, Node> {
  const out: Record<string, Node> = {};
  const walk = (rel: string) => {
    const path = rel === "" ? root : `${root}/${rel}`;
    const st = Deno.lstatSync(path);
    const mode = ((st.mode ?? 0) & 0o7777).toString(8);
    const node: Node = { type: "?", mode };
    if (st.isSymlink) {
      node.type = "symlink";
      node.target = Deno.readLinkSync(path);
    } else if (st.isDirectory) {
      node.type = "dir";
    } else if (st.isFile) {
      node.type = "file";
      node.size = st.size;
      node.nlink = st.nlink ?? undefined;
      const data = Deno.readFileSync(path);
      let hash = 0;
      for (const b of data) hash = (hash * 31 + b) >>> 0;
      node.data = data.length <= 200 ? new TextDecoder().decode(data) : `#${hash}`;
    } else {
      node.type = "other";
    }
    if (times && !st.isSymlink) {
      // A time a step set to now differs between the two runs: "now" stands for any such.
      const mtime = st.mtime!.getTime();
      node.mtime = mtime > STARTED - 60_000 && mtime < Date.now() + 60_000 ? "now" : mtime;
    }
    out[rel === "" ? "." : rel] = node;
    if (st.isDirectory) {
      for (const name of [...Deno.readDirSync(path)].map((e) => e.name).sort()) {
        walk(rel === "" ? name : `${rel}/${name}`);
      }
    }
  };
  walk("");
  return out;
}

type Step = [string, ...string[]];

interface Scenario {
  name: string;
  steps: Step[];
  input?: string;
  times?: boolean;
  /** A second tree on another file system ({other} in arguments). */
  otherFs?: string;
}

async function otherFsDir(base: string, prefix: string): Promise<string | null> {
  try {
    const dir = await Deno.makeTempDir({ dir: base, prefix });
    const a = await gnu("stat", ["-c", "%d", dir], "/");
    const b = await gnu("stat", ["-c", "%d", Deno.env.get("TMPDIR") ?? "/tmp"], "/");
    if (a.out !== b.out) return dir;
    await Deno.remove(dir, { recursive: true });
  } catch {
    // no such file system here
  }
  return null;
}

async function runScenario(s: Scenario): Promise<void> {
  const sides = { gnu: "", ours: "" } as Record<"gnu" | "ours", string>;
  const others = { gnu: "", ours: "" } as Record<"gnu" | "ours", string>;
  try {
    for (const side of ["gnu", "ours"] as const) {
      sides[side] = await Deno.makeTempDir({ prefix: `coreutils-${side}-` });
      await makeFixture(sides[side]);
      if (s.otherFs) {
        const other = await otherFsDir(s.otherFs, `coreutils-${side}-`);
        if (other === null) {
          console.log(`${s.name}: no other file system at ${s.otherFs}; skipped`);
          return;
        }
        others[side] = other;
      }
    }
    for (const [prog, ...rawArgs] of s.steps) {
      const results: Ran[] = [];
      for (const side of ["gnu", "ours"] as const) {
        const args = rawArgs.map((a) => a.replaceAll("{other}", others[side]));
        const run = side === "gnu" ? gnu : ours;
        results.push(await run(prog, args, sides[side], { input: s.input }));
      }
      const what = `${s.name}: ${prog} ${rawArgs.join(" ")}`;
      assert.equal(results[1].out, results[0].out, `${what}: stdout`);
      assert.equal(results[1].code, results[0].code, `${what}: exit status (${results[1].err})`);
    }
    assert.deepEqual(snapshot(sides.ours, s.times), snapshot(sides.gnu, s.times), s.name);
    if (s.otherFs) {
      assert.deepEqual(snapshot(others.ours, s.times), snapshot(others.gnu, s.times), s.name);
    }
  } finally {
    for (const dir of [...Object.values(sides), ...Object.values(others)]) {
      if (dir !== "") await Deno.remove(dir, { recursive: true });
    }
  }
}

const SCENARIOS: Scenario[] = [
  {
    name: "cp",
    steps: [
      ["cp", "README", "copy"],
      ["cp", "README", "odd", "sub"],
      ["cp", "secret", "run.sh", "setuid", "sub/deeper"],
      ["cp", "link", "followed"],
      ["cp", "README", "recent"],
      ["cp", "sub", "nodir"],
      ["cp", "missing", "x"],
      ["cp", "README", "README"],
      ["cp", "README", "odd", "empty"],
      ["cp", "README"],
      ["cp", "big.bin", "zeros", "sub/emptydir"],
    ],
  },
  {
    name: "cp -r",
    steps: [
      ["cp", "-r", "sub", "tree"],
      ["cp", "-R", "sub", "tree"],
      ["cp", "-r", "link", "dirlink", "dangling", "sticky", "tree"],
      ["cp", "-r", "sub", "sub/deeper"],
      ["cp", "-r", "sub", "README"],
    ],
  },
  {
    name: "cp -p",
    times: true,
    steps: [
      ["cp", "-p", "old", "future", "secret", "sub/emptydir"],
      ["cp", "-rp", "sub", "kept"],
      ["cp", "-a", "sub", "archived"],
    ],
  },
  {
    name: "mv",
    times: true,
    steps: [
      ["mv", "README", "renamed"],
      ["mv", "odd", "empty", "sub"],
      ["mv", "sub", "moved"],
      ["mv", "moved/deeper", "."],
      ["mv", "secret", "hard1"],
      ["mv", "missing", "x"],
      ["mv", "deeper", "deeper/inside"],
      ["mv", "zeros", "zeros"],
      ["mv", "link", "dangling", "moved/emptydir"],
      ["mv", "-f", "run.sh", "script"],
    ],
  },
  {
    name: "mv across file systems",
    otherFs: "/dev/shm",
    times: true,
    steps: [
      ["mv", "README", "{other}/readme"],
      ["mv", "sub", "link", "old", "{other}"],
      ["mv", "{other}/readme", "hard2"],
    ],
  },
  {
    name: "rm",
    steps: [
      ["rm", "README", "odd"],
      ["rm", "sub"],
      ["rm", "missing"],
      ["rm", "-f", "missing", "empty"],
      ["rm", "-f"],
      ["rm"],
      ["rm", "-r", "sub/deeper", "link", "dangling"],
      ["rm", "-d", "sub/emptydir"],
      ["rm", "-d", "sub"],
      ["rm", "-rf", "sub", "sticky", "nothing"],
      ["rm", "-r", "."],
      ["rm", "dirlink"],
    ],
  },
  {
    name: "mkdir",
    steps: [
      ["mkdir", "a", "b"],
      ["mkdir", "a"],
      ["mkdir", "-p", "a", "p/q/r", "b/c"],
      ["mkdir", "x/y"],
      ["mkdir", "-m", "700", "m700"],
      ["mkdir", "-m", "1777", "m1777"],
      ["mkdir", "-m", "u=rwx,g=rx,o=", "sym"],
      ["mkdir", "-m", "go-w", "gow"],
      ["mkdir", "-m", "-w", "nw"],
      ["mkdir", "-m", "a=rx,u+w", "arx"],
      ["mkdir", "-pm", "750", "deep/er/est"],
      ["mkdir", "-p", "README/x"],
      ["mkdir", "-p", "sub/deeper"],
    ],
  },
  {
    name: "rmdir",
    steps: [
      ["rmdir", "sub/emptydir"],
      ["rmdir", "sub"],
      ["rmdir", "missing", "README"],
      ["mkdir", "-p", "a/b/c"],
      ["rmdir", "-p", "a/b/c"],
      ["mkdir", "-p", "x/y/z"],
      ["touch", "x/keep"],
      ["rmdir", "-p", "x/y/z"],
    ],
  },
  {
    name: "touch",
    times: true,
    steps: [
      ["touch", "-t", "202001021234.56", "README", "newfile"],
      ["touch", "-c", "-t", "201001010000", "absent", "odd"],
      ["touch", "-d", "@1000000000", "zeros", "sub"],
      ["touch", "-r", "old", "empty"],
      ["touch", "-m", "-t", "199912312359", "secret"],
      ["touch", "-a", "-t", "199912312359", "run.sh"],
      ["touch", "missingdir/x"],
    ],
  },
  {
    name: "touch (now)",
    times: true,
    steps: [
      ["touch", "created", "README", "sub"],
      ["touch", "-c", "notcreated"],
    ],
  },
  {
    name: "ln",
    steps: [
      ["ln", "README", "hard"],
      ["ln", "-s", "README", "soft"],
      ["ln", "-s", "nowhere/at/all", "broken"],
      ["ln", "README", "hard"],
      ["ln", "-f", "odd", "hard"],
      ["ln", "-sf", "odd", "soft"],
      ["ln", "odd", "empty", "sub"],
      ["ln", "-s", "../README", "sub/deeper"],
      ["ln", "sub", "dirhard"],
      ["ln", "link", "linkhard"],
      ["ln", "missing", "x"],
      ["ln", "-s", "sub/inner.txt"],
    ],
  },
  {
    name: "tee",
    input: "line one\nline two\n",
    steps: [
      ["tee", "t1", "t2"],
      ["tee", "-a", "t1", "README"],
      ["tee"],
      ["tee", "t3", "missing/dir/t4"],
    ],
  },
  {
    name: "sync",
    steps: [["sync"], ["sync", "README", "sub"], ["sync", "missing"]],
  },
];

for (const scenario of SCENARIOS) {
  Deno.test(`${scenario.name}: the tree GNU's makes from the same steps`, () =>
    runScenario(scenario));
}

// ---------------------------------------------------------------------------------------------
// On denix

/** Our command on denix, through runProgram, reading the host's files through hostfs. */
async function onDenix(prog: string, args: string[], cwd: string, env: string[] = []) {
  const r = await runProgram([`${BIN}${prog}.elf`, ...args], {
    cwd,
    envp: ["LANG=C", "LC_ALL=C", "TZ=UTC", ...env],
  });
  return { out: r.out, err: r.err, code: r.exit.status };
}

Deno.test("on denix: ls, stat, hexdump and cat -n read the host's files as GNU's tools do", async () => {
  await withFixture(async (dir) => {
    const root = Deno.uid() === 0 && Deno.gid() === 0; // hostfs says every file is root's
    // [our arguments, GNU's]: denix's console is a terminal, where ls makes columns (GNU's -C).
    // Not -a: hostfs lists no "." and ".." (a bug of its own, reported).
    const checks: [string, string[], string[]][] = [
      ["ls", ["-A"], ["-CA"]],
      ["ls", ["-A1"], ["-A1"]],
      ["ls", ["-1R", "sub"], ["-1R", "sub"]],
      ["ls", ["-1d", "sub", "README", "link"], ["-d", "sub", "README", "link"]],
      ["stat", ["-c", "%n|%s|%a|%A|%F|%h|%Y|%N", "README", "big.bin", "sub", "link", "setuid"], []],
      ["hexdump", ["-C", "big.bin"], []],
      ["hexdump", ["odd", "README"], []],
      ["cat", ["-n", "README", "odd"], []],
    ];
    if (root) {
      checks.push(
        // (Not the fifo: hostfs calls it a character device, another bug of its own.)
        ["ls", ["-l", "README", "big.bin", "link", "dangling", "setuid", "hard1", "sub"], []],
        ["ls", ["-lR", "sub/deeper", "old", "future"], []],
        ["stat", ["README", "sub", "link"], []],
      );
    }
    for (const [prog, args, gnuArgs] of checks) {
      const env = { COLUMNS: "60" };
      const want = await gnu(prog, gnuArgs.length ? gnuArgs : args, dir, { env });
      let got = await onDenix(prog, args, dir, ["COLUMNS=60"]);
      if (prog === "stat" && args[0] !== "-c") {
        // hostfs numbers its own inodes and device, and has the host's times from Deno to the
        // millisecond (ctime to the second): compare the rest of each record, times to the second.
        const strip = (s: string) =>
          s.replace(/Device: .*\n/g, "Device\n").replace(/(\d\d:\d\d:\d\d)\.\d{9}/g, "$1");
        got = { ...got, out: strip(got.out) };
        want.out = strip(want.out);
      }
      assert.equal(got.out, want.out, `denix: ${prog} ${args.join(" ")}`);
      assert.equal(got.code, want.code, `denix: ${prog} ${args.join(" ")}: ${got.err}`);
    }
  });
});

Deno.test("on denix: cp, mv, rm, mkdir, rmdir, ln, touch on a tmpfs and ext2 make GNU's trees", async () => {
  await withFixture(async (fix) => {
    // The disk starts as fix/sub; GNU's side works in host directories standing for both.
    const host = await Deno.makeTempDir({ prefix: "coreutils-denix-" });
    try {
      const work = `${host}/work`;
      const mnt = `${host}/mnt`;
      Deno.mkdirSync(work);
      const cpTree = await gnu("cp", ["-rp", `${fix}/sub`, mnt], "/");
      assert.equal(cpTree.code, 0, cpTree.err);
      const image = await makeExt2Image({
        sizeBytes: 16 * 1024 * 1024,
        root: (readHostTree(mnt) as { entries: Record<string, TreeNode> }).entries,
      });
      const steps: Step[] = [
        ["mkdir", "-p", "a/b/c"],
        ["mkdir", "-m", "700", "private"],
        ["mkdir", "a"],
        ["cp", "-r", `${fix}/sub`, "copy"],
        ["cp", `${fix}/README`, "readme"],
        ["cp", "-p", `${fix}/old`, "oldcopy"],
        ["mv", "readme", "renamed"],
        ["mv", "copy", "moved"],
        ["mv", "renamed", "{mnt}/fromtmp"],
        ["mv", "{mnt}/deeper", "fromdisk"],
        ["cp", "-r", "moved", "{mnt}/tree"],
        ["rm", "-r", "moved/deeper"],
        ["rm", "moved/inner.txt", "{mnt}/inner.txt"],
        ["rm", "-f", "nothing"],
        ["rm", "a"],
        ["rmdir", "a/b/c"],
        ["ln", "-s", "oldcopy", "sl"],
        ["ln", "oldcopy", "hard"],
        ["touch", "-t", "202001021234.56", "stamp"],
        ["touch", "-c", "nothere"],
        ["sync"],
      ];
      // GNU's tools on the host.
      let want = "";
      for (const [prog, ...args] of steps) {
        const r = await gnu(prog, args.map((a) => a.replaceAll("{mnt}", mnt)), work);
        want += `${r.out}[exit ${r.code}]\n`;
      }
      // What the tree looks like, in the same words on both sides.
      const tree = snapshot(work);
      // (Not "." itself: GNU's is a host directory, ours the tmpfs's root, mode 1777.)
      const dirs = Object.keys(tree).filter((p) => tree[p].type === "dir" && p !== ".");
      const others = Object.keys(tree).filter((p) => tree[p].type !== "dir");
      const files = others.filter((p) => tree[p].type === "file");
      const readBack: Step[] = [
        ["ls", "-1aR", "."],
        ["stat", "-c", "%n|%F|%a|%h|%s|%N", ...others],
        ["stat", "-c", "%n|%F|%a", ...dirs],
        ["stat", "-c", "%n|%Y", "stamp", "oldcopy"],
        ["cat", ...files],
      ];
      for (const [prog, ...args] of readBack) {
        const r = await gnu(prog, args, work);
        want += `${r.out}[exit ${r.code}]\n`;
      }
      assert.ok(others.length > 5 && dirs.length > 5, JSON.stringify(tree));

      // Ours on denix, one boot: cwd a tmpfs, the disk at /mnt.
      const disk = new MemoryDisk(image);
      const argv: string[] = [`${BIN}steps.elf`];
      for (const [prog, ...args] of [...steps, ...readBack]) {
        argv.push(`${BIN}${prog}.elf`, ...args.map((a) => a.replaceAll("{mnt}", "/mnt")), ";");
      }
      const r = await runProgram(argv, {
        disk,
        mounts: [...hostMounts(true), "tmpfs - /tmp/work"],
        cwd: "/tmp/work",
        envp: ["LANG=C", "LC_ALL=C", "TZ=UTC"],
      });
      assert.equal(r.out, want);
      assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);

      // The disk, read back by e2fsprogs after the system shut down.
      await withImageFile(disk.data, async (path) => {
        await assertFsckClean(path);
        const out = `${host}/rdump`;
        Deno.mkdirSync(out);
        const dump = await runTool("debugfs", ["-R", `rdump / ${out}`, path]);
        assert.equal(dump.code, 0, dump.stderr);
        Deno.removeSync(`${out}/lost+found`);
        const disked = snapshot(out);
        const expected = snapshot(mnt);
        delete disked["."];
        delete expected["."];
        assert.deepEqual(disked, expected);
      });
    } finally {
      await Deno.remove(host, { recursive: true });
    }
  });
});

Deno.test("rm -r refuses the root however it is written (on denix, whose / is read-only)", async () => {
  for (const root of ["/", "//", "/usr/.."]) {
    const r = await runProgram(["userland/bin/rm.elf", "-r", root]);
    assert.equal(r.exit.status, 1, root);
    assert.match(r.err, /rm: (it is dangerous to operate recursively|refusing to remove)/, root);
  }
});
