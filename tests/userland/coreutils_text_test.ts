/**
 * The text commands of userland/coreutils (echo, wc, head, tail, grep, sort, uniq, seq, yes,
 * true, false, env, sleep, date, uname) against the host's own GNU tools, with LC_ALL=C and
 * TZ=UTC (our date prints UTC: denix has no time zones).
 *
 * Each case runs our command under qemu-riscv32 and GNU's on the host, in the same fresh
 * temporary directory of fixture files (or with the same stdin), and both must print the same
 * stdout and exit with the same status. Timing commands are measured (sleep), streams are cut
 * after a prefix (yes), tail -f runs beside GNU's tail -f while the files grow, and uname is
 * compared field by field with the host's (under qemu the machine is riscv32). A subset then
 * runs on denix itself through `runProgram`, reading the same host files, and must print what
 * GNU's tools print on the host.
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
import { UTSNAME } from "../../kernel/syscalls/system.ts";
import { TIMEBASE_HZ } from "../../machine/clock.ts";

const BIN = new URL("../../userland/bin/", import.meta.url).pathname;
const ENV = { ...C_LOCALE, PATH: "/usr/bin:/bin" };
const enc = new TextEncoder();
const dec = new TextDecoder();
const TIMEOUT_MS = 20_000;

type RunOptions = SideOptions;

const { ours, gnu, same } = sideBySide(ENV, TIMEOUT_MS);

/** Runs `same` for each argument list. */
async function sameAll(prog: string, cases: string[][], cwd: string, opts: RunOptions = {}) {
  for (const args of cases) await same(prog, args, cwd, opts);
}

const bytes = seededBytes;

const WORDS = ["apple", "Banana", "cherry", "apple", "date", "Elder", "fig", "10", "9", "-3"];

/** Text files with the shapes the commands care about. */
function makeFixture(dir: string): void {
  const w = (name: string, data: string | Uint8Array) =>
    Deno.writeFileSync(`${dir}/${name}`, typeof data === "string" ? enc.encode(data) : data);
  w(
    "text",
    "Hello World\nhello there\nfoo bar baz\nfoobar\n123 456\nabc123def\n\nthe end\nTHE END\n" +
      "x_y z\n  indented\ttab\n(a+b)*c [x] {y} ^$.\\\nlast line without newline",
  );
  w("nonl", "a\nb\nc");
  w("empty", "");
  w("lines", Array.from({ length: 40 }, (_, i) => `line ${i + 1}`).join("\n") + "\n");
  w("ctl", "x\x01y z\x80w\n\tab\r\ncd\fef\vgh\n");
  w("binary", new Uint8Array([...enc.encode("bin\0ary\nhello\n"), ...bytes(300, 3)]));
  w("random", bytes(20_000, 11));
  w(
    "table",
    "banana 3 x\napple 10 y\nCherry 2 z\n  apple 1 a\nbanana 3 x\n-5 neg\n3.14 pi\n-0 zero\n" +
      "0 zero2\n.5 half\n1e3 exp\n\nApple 10 Y\nb\tc\t1\na\tb\t2\n 10 sp\n10 nosp\n+7 plus\n" +
      "007 seven\n-1.5 m\n-1.50 m2\nabc\nABC\naBc\n",
  );
  w("colon", "z:1:9\ny:2:8\nx:10:7\nw:2:6\nv::5\nu:1:5\nt:01:4\n");
  w(
    "dups",
    "a\na\nb\nA\na\nc\nc\nc\nd\n  x 1\n y 1\nz 1\nz  1\nq\nq",
  );
  let words = "";
  let x = 7;
  for (let i = 0; i < 500; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    words += `${WORDS[x % WORDS.length]} ${(x >>> 8) % 100} ${WORDS[(x >>> 16) % WORDS.length]}\n`;
  }
  w("words", words);
  w("patterns", "foo\n^the\nEND$\n");
}

async function withFixture(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "coreutils-text-" });
  try {
    makeFixture(dir);
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("echo: GNU echo's -n, -e escapes (\\c, \\0NNN, \\xHH), -E and non-options", async () => {
  await sameAll("echo", [
    [],
    ["a", "b", "  c "],
    ["-n", "no newline"],
    ["-e", "a\\tb\\nc\\\\d\\ae\\bf\\fg\\rh\\vi"],
    ["-e", "x\\cy", "z"],
    ["-E", "a\\tb"],
    ["-ne", "a\\0101\\101\\x41\\xg\\q\\\\"],
    ["-e", "\\0", "\\08", "\\1234", "\\e"],
    ["-e", "trailing\\"],
    ["--", "-n"],
    ["-nx", "y"],
    ["-n", "-e", "-E", "a\\tb"],
    ["-", "-n"],
  ], "/");
});

Deno.test("wc: counts, option order and GNU's column widths for files, totals and stdin", async () => {
  await withFixture(async (dir) => {
    await sameAll(
      "wc",
      [
        ["text"],
        ["-l", "text"],
        ["-w", "text"],
        ["-c", "text"],
        ["-m", "text"],
        ["-L", "text"],
        ["-clw", "text"],
        ["-lmwc", "ctl"],
        ["text", "empty"],
        ["text", "empty", "random", "ctl", "words"],
        ["-l", "text", "words"],
        ["-w", "random"],
        ["-L", "text", "ctl", "lines"],
        ["nonexistent", "text"],
        ["text", "nonexistent", "nonl"],
        [".", "text"],
        ["-l", "empty"],
        ["-lc", "-", "text"],
        ["-", "words"],
        ["--lines", "--bytes", "nonl"],
      ],
      dir,
      { input: "hello world\nfoo\tbar\n" },
    );
    for (const args of [[], ["-l"], ["-c"], ["-lw"], ["-m"]]) {
      await same("wc", args, dir, { input: Deno.readFileSync(`${dir}/text`) });
    }
  });
});

Deno.test("head: -n N, -n -N, -c N, -c -N, -N, headers for several files, stdin", async () => {
  await withFixture(async (dir) => {
    await sameAll(
      "head",
      [
        ["lines"],
        ["-n", "3", "lines"],
        ["-n3", "lines"],
        ["-n", "-3", "lines"],
        ["-n", "-0", "lines"],
        ["-n", "0", "lines"],
        ["-n", "-100", "lines"],
        ["-c", "5", "lines"],
        ["-c", "-5", "lines"],
        ["-c", "1k", "random"],
        ["-5", "lines"],
        ["-3c", "lines"],
        ["lines", "nonl"],
        ["-n", "-1", "nonl"],
        ["-n", "-2", "nonl"],
        ["-n", "2", "nonl"],
        ["-c", "-1", "nonl"],
        ["-q", "lines", "nonl"],
        ["-v", "nonl"],
        ["nonexistent", "lines"],
        ["-n", "x", "lines"],
        ["-n", "2", "-", "nonl"],
        ["--lines=2", "lines", "-n", "1"],
        ["--bytes=-3", "nonl"],
        ["-n", "1", "empty", "nonl"],
      ],
      dir,
      { input: "one\ntwo\nthree\nfour\n" },
    );
    await same("head", ["-n", "-2"], dir, { input: "1\n2\n3\n4" });
  });
});

Deno.test("tail: -n N, -n +N, -c N, -c +N, -N and +N, headers for several files, stdin", async () => {
  await withFixture(async (dir) => {
    await sameAll(
      "tail",
      [
        ["lines"],
        ["-n", "3", "lines"],
        ["-n3", "lines"],
        ["-n", "+3", "lines"],
        ["-n", "+0", "lines"],
        ["-n", "0", "lines"],
        ["-n", "100", "lines"],
        ["-c", "5", "lines"],
        ["-c", "+5", "lines"],
        ["-c", "2k", "random"],
        ["-5", "lines"],
        ["-3c", "lines"],
        ["+38", "lines"],
        ["lines", "nonl"],
        ["-n", "1", "nonl"],
        ["-n", "+2", "nonl"],
        ["-c", "1", "nonl"],
        ["-q", "lines", "nonl"],
        ["-v", "nonl"],
        ["nonexistent", "nonl"],
        ["-n", "x", "lines"],
        ["-n", "2", "-", "nonl"],
        ["--lines=2", "lines"],
        ["-n", "1", "empty", "text"],
      ],
      dir,
      { input: "one\ntwo\nthree\nfour" },
    );
  });
});

/** Reads a child's stdout into `sink` until it is closed (the child killed). */
async function drain(stream: ReadableStream<Uint8Array>, sink: { text: string }) {
  for await (const chunk of stream) sink.text += dec.decode(chunk, { stream: true });
}

async function until(what: string, ok: () => boolean) {
  const deadline = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

Deno.test("tail -f: follows two growing files (and a truncated one) as GNU tail -f does", async () => {
  await withFixture(async (dir) => {
    Deno.writeFileSync(`${dir}/f1`, enc.encode("one\ntwo\n"));
    Deno.writeFileSync(`${dir}/f2`, enc.encode("x\n"));
    const start = (cmd: string, args: string[]) =>
      new Deno.Command(cmd, {
        args: [...args, "-s", "0.05", "-f", "f1", "f2"],
        cwd: dir,
        clearEnv: true,
        env: ENV,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    const children = [start("qemu-riscv32", [`${BIN}tail.elf`]), start("tail", [])];
    const outs = children.map(() => ({ text: "" }));
    const errs = children.map(() => ({ text: "" }));
    const readers = children.flatMap((
      c,
      i,
    ) => [drain(c.stdout, outs[i]), drain(c.stderr, errs[i])]);
    try {
      const appendEach = async (name: string, text: string) => {
        const f = Deno.openSync(`${dir}/${name}`, { append: true });
        f.writeSync(enc.encode(text));
        f.close();
        await until(
          `${JSON.stringify(text)} from both`,
          () => outs.every((o) => o.text.endsWith(text)),
        );
      };
      await until("the first lines", () => outs.every((o) => o.text.endsWith("x\n")));
      await appendEach("f1", "three\n");
      await appendEach("f1", "four\n");
      await appendEach("f2", "y\n");
      await appendEach("f1", "five\n");
      // A file that shrank is read again from its start.
      Deno.writeFileSync(`${dir}/f2`, enc.encode(""));
      await until("the truncation", () => errs.every((e) => e.text.includes("truncated")));
      await appendEach("f2", "new\n");
    } finally {
      for (const c of children) c.kill("SIGKILL");
      await Promise.all(readers);
      await Promise.all(children.map((c) => c.status));
    }
    assert.equal(outs[0].text, outs[1].text);
    assert.match(outs[0].text, /^==> f1 <==\none\ntwo\n\n==> f2 <==\nx\n\n==> f1 <==\nthree\n/);
  });
});

const GREP_CASES: string[][] = [
  ["hello", "text"],
  ["-i", "hello", "text"],
  ["-v", "hello", "text"],
  ["-c", "hello", "text"],
  ["-n", "o", "text"],
  ["-l", "o", "text", "lines", "empty"],
  ["-L", "o", "text", "lines", "empty"],
  ["-h", "a", "text", "nonl"],
  ["-H", "a", "text"],
  ["-q", "hello", "text"],
  ["-q", "zzz", "text"],
  ["-c", "-v", "e", "text", "lines"],
  ["-n", "a", "text", "nonl"],
  // Basic regular expressions.
  ["^the", "text"],
  ["end$", "text"],
  ["^$", "text"],
  ["fo*b", "text"],
  ["o\\{2\\}", "text"],
  ["[0-9]\\{3\\}", "text"],
  ["l\\{1,2\\}o", "text"],
  ["[[:upper:]][[:lower:]]", "text"],
  ["[^a-z ]", "text"],
  ["[]x[]", "text"],
  ["\\(o\\).*\\1", "text"],
  ["\\(ab\\|12\\)c", "text"],
  ["a\\+b\\?c", "text"],
  ["\\<the\\>", "text"],
  ["\\bfoo\\B", "text"],
  ["\\w\\W\\w", "text"],
  ["x\\s", "text"],
  ["(a+b)\\*c", "text"],
  ["*c", "text"],
  ["\\^\\$\\.", "text"],
  ["a.c", "text"],
  // Extended regular expressions.
  ["-E", "hel+o|END", "text"],
  ["-E", "(foo|bar)+$", "text"],
  ["-E", "[0-9]{3} [0-9]{2,}", "text"],
  ["-E", "^(the|THE) (end|END)$", "text"],
  ["-E", "o?b", "text"],
  ["-E", "(o)\\1", "text"],
  ["-E", "a{", "text"],
  ["-E", "\\(a\\+b\\)", "text"],
  ["-E", "()x|^$", "text"],
  // Fixed strings, whole lines and words, several patterns, -o.
  ["-F", "(a+b)*c", "text"],
  ["-F", "-i", "END", "text"],
  ["-x", "foobar", "text"],
  ["-x", "-F", "the end", "text"],
  ["-w", "foo", "text"],
  ["-w", "-i", "the", "text"],
  ["-e", "foo", "-e", "123", "text"],
  ["-f", "patterns", "text"],
  ["-o", "o.", "text"],
  ["-on", "-E", "[0-9]+", "text"],
  ["-io", "HELLO", "text"],
  ["-m", "2", "o", "text"],
  ["text", "-n", "-e", "e"],
  // Files that are binary, missing, directories; empty patterns.
  ["hello", "binary"],
  ["-c", "hello", "binary"],
  ["ary", "binary"],
  ["end", "nonexistent", "text"],
  ["-s", "end", "nonexistent", "text"],
  ["-q", "end", "nonexistent", "text"],
  ["x", ".", "text"],
  ["", "nonl"],
  ["-v", "", "nonl"],
  ["-c", "-v", "", "nonl"],
  ["-c", "-f", "empty", "text"],
  ["-v", "-f", "empty", "nonl"],
  // Pattern errors: exit status 2.
  ["\\(", "text"],
  ["[", "text"],
  ["\\1", "text"],
  ["a\\{1", "text"],
  ["-E", "(", "text"],
  ["[[:nope:]]", "text"],
  ["[b-a]", "text"],
  ["-E", "a|\\1", "text"],
];

Deno.test("grep: BRE, ERE and fixed strings with -i -v -c -n -l -h -H -q -E and more", async () => {
  await withFixture(async (dir) => {
    await sameAll("grep", GREP_CASES, dir);
    // stdin, also named "-".
    await sameAll("grep", [["-n", "b"], ["-c", "-i", "B"], ["b", "-", "nonl"], ["-H", "a"]], dir, {
      input: "abc\nxyz\nBBB\nlast",
    });
  });
});

Deno.test("sort: -r -n -u -f -b -d -s -k -t -o -c, last-resort and stable orders", async () => {
  await withFixture(async (dir) => {
    await sameAll(
      "sort",
      [
        ["table"],
        ["-r", "table"],
        ["-n", "table"],
        ["-nr", "table"],
        ["-f", "table"],
        ["-u", "table"],
        ["-fu", "table"],
        ["-nu", "table"],
        ["-b", "table"],
        ["-d", "table"],
        ["-df", "table"],
        ["-k2", "table"],
        ["-k2n", "table"],
        ["-k2,2n", "table"],
        ["-k", "2,2nr", "-k1", "table"],
        ["-bk2", "table"],
        ["-k1.2,1.3", "table"],
        ["-k1.2b,1.3", "table"],
        ["-k3", "table"],
        ["-k2,1", "table"],
        ["-t:", "-k2", "colon"],
        ["-t:", "-k2n", "colon"],
        ["-t", ":", "-k2,2n", "-k3", "colon"],
        ["-t:", "-k3r", "colon"],
        ["-t:", "-k2,2", "-u", "colon"],
        ["-s", "-t:", "-k2,2n", "colon"],
        ["-t:", "-k2.2", "colon"],
        ["-n", "-k2", "words"],
        ["-k3,3", "-k2,2nr", "words"],
        ["-s", "-k3,3", "words"],
        ["-u", "-k1,1", "words"],
        ["-f", "-s", "words"],
        ["table", "colon", "nonl"],
        ["-c", "table"],
        ["-C", "lines"],
        ["-k0", "table"],
        ["-k1.0", "table"],
        ["-t", "ab", "table"],
        ["nonexistent"],
        ["table", "-r"],
        ["-", "nonl"],
      ],
      dir,
      { input: "b\na\nc\n" },
    );
    // -o writes after reading everything: the output may be an input.
    for (const cmd of ["ours", "gnu"] as const) {
      Deno.copyFileSync(`${dir}/table`, `${dir}/sorted-${cmd}`);
      const run = cmd === "ours" ? ours : gnu;
      const r = await run("sort", ["-n", "-o", `sorted-${cmd}`, `sorted-${cmd}`], dir);
      assert.equal(r.code, 0, r.err);
    }
    assert.deepEqual(
      Deno.readFileSync(`${dir}/sorted-ours`),
      Deno.readFileSync(`${dir}/sorted-gnu`),
    );
  });
});

Deno.test("uniq: -c -d -u -i -D -f -s -w, a last line without newline, OUTPUT", async () => {
  await withFixture(async (dir) => {
    await sameAll(
      "uniq",
      [
        ["dups"],
        ["-c", "dups"],
        ["-d", "dups"],
        ["-u", "dups"],
        ["-i", "dups"],
        ["-ic", "dups"],
        ["-D", "dups"],
        ["-iD", "dups"],
        ["-du", "dups"],
        ["-f", "1", "dups"],
        ["-f1", "-c", "dups"],
        ["-s", "1", "dups"],
        ["-w", "1", "dups"],
        ["-s2", "-w1", "-c", "dups"],
        ["-c", "nonl"],
        ["empty"],
        ["nonexistent"],
        ["-c"],
        ["-c", "-"],
      ],
      dir,
      { input: "x\nx\ny\n" },
    );
    const sorted = (await gnu("sort", ["words"], dir)).out;
    await same("uniq", ["-c"], dir, { input: sorted });
    for (const cmd of ["ours", "gnu"] as const) {
      const r = await (cmd === "ours" ? ours : gnu)("uniq", ["-d", "dups", `out-${cmd}`], dir);
      assert.equal(r.code, 0, r.err);
    }
    assert.deepEqual(Deno.readFileSync(`${dir}/out-ours`), Deno.readFileSync(`${dir}/out-gnu`));
  });
});

Deno.test("seq: LAST, FIRST LAST, FIRST INCR LAST, fractions, exponents, -s, -w, errors", async () => {
  await sameAll("seq", [
    ["5"],
    ["2", "5"],
    ["1", "2", "10"],
    ["5", "1"],
    ["5", "-1", "1"],
    ["10", "-3", "-5"],
    ["-3", "-1"],
    ["0", "0"],
    ["-0", "2"],
    ["0.1", "0.1", "0.5"],
    ["0", "0.1", "0.35"],
    ["1.0", "3"],
    ["1", ".5", "2"],
    ["-1", "-0.5", "1"],
    ["1e2", "1e2"],
    ["1e-1", ".2", ".5"],
    ["1.5e1", "20"],
    ["1.2e-3", "1e-3", "5e-3"],
    ["0", "0.000001", "0.000003"],
    ["2.50", "3"],
    ["007", "010"],
    ["99999999999999999998", "100000000000000000001"],
    ["0x10", "0x12"],
    ["-s", ",", "1", "4"],
    ["-s", "", "1", "3"],
    ["-s", ":-:", "-w", "1", "0.25", "2"],
    ["-w", "8", "10"],
    ["-w", "-3", "3"],
    ["-w", "1", "0.5", "3"],
    ["-w", "007", "10"],
    ["-w", "1e1", "12"],
    ["-w", "-.5", "2"],
    ["-w", "5e-1", "1", "3"],
    ["-w", "100", "-25.5", "-10"],
    ["1", "0", "3"],
    ["x"],
    [],
    ["1", "2", "3", "4"],
    ["1", "3", "-w"],
  ], "/");
});

Deno.test("yes: the repeated line, as GNU yes writes it, cut after 64 KiB", async () => {
  const prefix = async (cmd: string, args: string[]) => {
    const child = new Deno.Command(cmd, {
      args,
      clearEnv: true,
      env: ENV,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const want = 65_536;
    const got = new Uint8Array(want);
    let n = 0;
    const reader = child.stdout.getReader();
    while (n < want) {
      const { value, done } = await reader.read();
      if (done) break;
      const take = Math.min(value.length, want - n);
      got.set(value.subarray(0, take), n);
      n += take;
    }
    await reader.cancel();
    child.kill("SIGKILL");
    await child.status;
    assert.equal(n, want, `${cmd} ${args.join(" ")} ended early`);
    return dec.decode(got);
  };
  for (const args of [[], ["a", "b c"], ["--", "x"], ["a".repeat(5000)]]) {
    assert.equal(
      await prefix("qemu-riscv32", [`${BIN}yes.elf`, ...args]),
      await prefix("yes", args),
    );
  }
});

Deno.test("true and false: status 0 and 1 whatever the arguments", async () => {
  for (const prog of ["true", "false"]) {
    await sameAll(prog, [[], ["x", "--", "-n"], ["--version", "x"]], "/");
  }
});

Deno.test("env: prints, -i, -u, NAME=VALUE in GNU's order, runs a command found on PATH", async () => {
  const sorted = (r: Ran) => ({ ...r, out: r.out.split("\n").sort().join("\n") });
  const vars = { A: "1", B: "two words", HOME: "/home/x" };
  // qemu hands a program its environment in reverse order, so inherited variables are compared
  // as sets; what env itself builds (-i and assignments) keeps its order.
  for (const args of [[], ["-u", "HOME"], ["-u", "HOME", "-u", "nope", "C=3", "A=9"]]) {
    const want = sorted(await gnu("env", args, "/", { env: vars, bareEnv: true }));
    const got = sorted(await ours("env", args, "/", { env: vars, bareEnv: true }));
    assert.deepEqual(got, want, `env ${args.join(" ")}`);
  }
  await sameAll(
    "env",
    [
      ["-i"],
      ["-i", "X=1", "Y=2", "X=3"],
      ["-", "Z="],
      ["-i", "-0", "P=1", "Q=2"],
      ["-i", "PATH=/usr/bin:/bin", "V=5", "printenv", "V"],
      ["-i", "PATH=/nowhere:/usr/bin", "sh", "-c", "echo $0 $1", "a", "b"],
      ["-i", "PATH=/usr/bin:/bin", "no-such-command"],
      ["-i", "/"],
      ["-u", "A=B"],
      ["-x"],
      ["-i", "X=1", "-u", "X"],
    ],
    "/",
    { env: vars },
  );
});

Deno.test("sleep: sums its arguments (s m h d suffixes, fractions); bad intervals fail", async () => {
  const t0 = performance.now();
  const r = await ours("sleep", ["0.2", "0.1s", "0.001m"], "/");
  const ms = performance.now() - t0;
  assert.equal(r.code, 0, r.err);
  assert.ok(ms >= 360, `slept ${ms} ms, not 360`);
  assert.ok(ms < 5_000, `slept ${ms} ms`);
  await sameAll("sleep", [[], ["1x"], ["-1"], ["0", "x"], ["0"], ["0s", "0m", "0h", "0d"]], "/");
});

/** Instants that cover leap years, ISO weeks across new year, 12/24-hour edges, before 1970. */
const INSTANTS = [
  "0",
  "1",
  "-1",
  "86399",
  "951782400",
  "951868800",
  "1104537600",
  "1135987200",
  "1230681600",
  "1262217600",
  "1293753600",
  "-2208988800",
  "-62135596800",
  "4102444800",
  "1796626642",
  "1234567890.123456789",
  "-0.5",
  "253402300799",
  "1609459200",
  "1704067200",
  "43200",
  "46800",
];
const DATE_FORMAT = [
  "%a|%A|%b|%B|%c|%C|%d|%D|%e|%F|%g|%G|%h|%H|%I|%j|%k|%l|%m|%M|%n|%N|%p|%P|%q|%r|%R|%s",
  "%S|%t|%T|%u|%U|%V|%w|%W|%x|%X|%y|%Y|%z|%:z|%::z|%:::z|%Z|%%|%-d|%_m|%05e|%^a|%#b|%#p",
  "%^B|%#Z|%10A|%-10A|%3N|%_5H|%012c|%Q|%-j|%Ey|%Od|%5Q|%_10s|%^c|%-e|%010Y|%-Y|%-I|%#P",
].join("|");

Deno.test("date: GNU date's strftime conversions and flags, -d @SECONDS, -u, -R, -I", async () => {
  for (const t of INSTANTS) await same("date", ["-d", `@${t}`, `+${DATE_FORMAT}`], "/");
  await sameAll("date", [
    ["-u", "-d", "@1234567890"],
    ["-d", "@1234567890.5", "-R"],
    ["-d", "@1234567890.5", "-I"],
    ["-d", "@1234567890.5", "-Iseconds"],
    ["-d", "@1234567890.5", "-Ins"],
    ["-d", "@1234567890.5", "--rfc-3339=seconds"],
    ["--date=2024-02-29 13:45:07", "+%s %A"],
    ["-d", "2024-02-29T13:45", "+%s"],
    ["-d", "@x"],
    ["-d", "2023-02-29"],
  ], "/");
  // Now: ours must print what GNU's printed just before or just after it.
  for (let attempt = 0;; attempt++) {
    const before = await gnu("date", [], "/");
    const got = await ours("date", [], "/");
    const after = await gnu("date", [], "/");
    assert.equal(got.code, 0, got.err);
    if (got.out === before.out || got.out === after.out) break;
    assert.ok(attempt < 3, `date printed ${got.out}, GNU ${before.out} and ${after.out}`);
  }
});

Deno.test("uname: each field as the host's uname(2) gives it; -a's order and spacing", async () => {
  const field = async (run: typeof ours, flag: string) => (await run("uname", [flag], "/")).out;
  for (const flag of ["-s", "-n", "-r", "-v", "-o", "-p", "-i"]) {
    assert.equal(await field(ours, flag), await field(gnu, flag), `uname ${flag}`);
  }
  // Under qemu-riscv32 the machine is riscv32, so -m is ours and the rest is the host's.
  const machine = (await field(ours, "-m")).trim();
  assert.equal(machine, "riscv32");
  const host = (await field(gnu, "-a")).trim();
  const hostMachine = (await field(gnu, "-m")).trim();
  const all = (await field(ours, "-a")).trim();
  assert.equal(all, host.replace(` ${hostMachine} `, ` ${machine} `));
  assert.equal((await ours("uname", [], "/")).out, await field(gnu, "-s"));
  await sameAll("uname", [["-x"], ["extra"], ["-snrv"], ["-sp", "-i"]], "/");
});

/** Our command on denix, through runProgram, reading the host's files through hostfs. */
async function onDenix(prog: string, args: string[], cwd: string, input?: string) {
  const r = await runProgram([`${BIN}${prog}.elf`, ...args], {
    cwd,
    input,
    envp: ["LANG=C", "LC_ALL=C", "TZ=UTC"],
  });
  return { out: r.out, err: r.err, code: r.exit.status, kernel: r.kernel };
}

Deno.test("on denix: the text commands read the host's files and stdin as GNU's tools do", async () => {
  await withFixture(async (dir) => {
    const checks: [string, string[], string?][] = [
      ["echo", ["-e", "a\\tb\\x41\\0101", "c"]],
      ["wc", ["text", "lines", "random"]],
      ["wc", ["-l"], "a\nb\nc\n"],
      ["head", ["-n", "-3", "lines", "nonl"]],
      ["head", ["-c", "7"], "stdin of head\n"],
      ["tail", ["-n", "+37", "lines"]],
      ["tail", ["-c", "5", "nonl", "text"]],
      ["grep", ["-n", "-i", "the", "text", "nonl"]],
      ["grep", ["-c", "-E", "(foo|bar)+$", "text"]],
      ["grep", ["-o", "\\(o\\).*\\1", "text"]],
      ["grep", ["-v", "b"], "abc\nxyz\n"],
      ["grep", ["zzz", "text"]],
      ["sort", ["-t:", "-k2,2n", "-k3", "colon"]],
      ["sort", ["-nr"], "10\n9\n-1\n100\n"],
      ["uniq", ["-c", "dups"]],
      ["seq", ["-w", "1", "0.5", "3"]],
      ["seq", ["-s", ",", "10", "-3", "-5"]],
      ["date", ["-d", "@1234567890.5", `+${DATE_FORMAT}`]],
      ["env", ["-i", "A=1", "B=2"]],
      ["false", []],
    ];
    for (const [prog, args, input] of checks) {
      const want = await gnu(prog, args, dir, input === undefined ? {} : { input });
      const got = await onDenix(prog, args, dir, input);
      assert.equal(got.out, want.out, `${prog} ${args.join(" ")}: stdout`);
      assert.equal(got.code, want.code, `${prog} ${args.join(" ")}: status (${got.err})`);
    }
  });
});

Deno.test("on denix: env runs a command from PATH, sleep sleeps, date and uname", async () => {
  // env finds our env.elf on PATH and runs it with the environment it built.
  const env = await onDenix("env", ["-i", `PATH=${BIN}`, "X=5", "env.elf"], "/");
  assert.equal(env.out, (await gnu("env", ["-i", `PATH=${BIN}`, "X=5", "/usr/bin/env"], "/")).out);
  const missing = await onDenix("env", ["-i", `PATH=${BIN}`, "no-such-command"], "/");
  assert.equal(missing.code, 127);

  // The machine's clock (in-line harts step it) must have moved on by the interval.
  const sleep = await onDenix("sleep", ["1.5", "0.01m"], "/");
  assert.equal(sleep.code, 0, sleep.err);
  assert.ok(sleep.kernel.mtime() >= 2.1 * TIMEBASE_HZ, `mtime ${sleep.kernel.mtime()}`);

  // denix's realtime clock starts from the host's.
  const date = await onDenix("date", ["+%s"], "/");
  assert.ok(Math.abs(Number(date.out) - Date.now() / 1000) < 60, `denix's date: ${date.out}`);
  const now = await onDenix("date", [], "/");
  assert.match(
    now.out,
    /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 123]\d \d\d:\d\d:\d\d UTC \d{4}\n$/,
  );

  // uname: what the kernel reports, in GNU's order.
  const u = UTSNAME;
  const uname = await onDenix("uname", ["-a"], "/");
  assert.equal(
    uname.out,
    `${u.sysname} ${u.nodename} ${u.release} ${u.version} ${u.machine} ${u.sysname}\n`,
  );
  assert.equal((await onDenix("uname", ["-m", "-r"], "/")).out, `${u.release} ${u.machine}\n`);
});
