/**
 * The user-mode runner (`deno task rv32`): the userland programs give the same output and exit
 * status as under qemu-riscv32, the runner adds nothing to stdout, --root confines file
 * access, and faults become signals that kill only the program.
 */

import assert from "node:assert/strict";
import { runProgram } from "../helpers/system.ts";

/** One variable: the order in which a host passes several to qemu is not defined. */
const ENV: Record<string, string> = { LANG: "C" };
const ENVP = ["LANG=C"];
const BIN = "userland/bin";

/**
 * Runs a program under init on a fresh system, as the runner does; returns its output and
 * exit. With `root`, hostfs serves that directory as "/" and the program starts there.
 */
function runHere(program: string, args: string[], input = "", root?: string) {
  return runProgram([program, ...args], {
    input,
    envp: ENVP,
    hostRoot: root === undefined ? undefined : Deno.realPathSync(root),
    cwd: root === undefined ? undefined : "/",
  });
}

/** Runs a command with the fixed environment. */
async function runCommand(cmd: string, args: string[], stdin = "") {
  const child = new Deno.Command(cmd, {
    args,
    clearEnv: true,
    env: ENV,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const r = await child.output();
  const dec = new TextDecoder();
  return { out: dec.decode(r.stdout), err: dec.decode(r.stderr), code: r.code };
}

/** Programs and arguments whose behaviour must match qemu-riscv32's exactly. */
const CASES: Array<{ program: string; args: string[]; input?: string; exit: number }> = [
  { program: "hello", args: ["one", "two"], exit: 0 },
  { program: "args", args: ["a b", "", "c"], exit: 0 },
  { program: "cat", args: ["tests/fixtures/hello.txt"], exit: 0 },
  { program: "cat", args: [], input: "from stdin\n", exit: 0 },
  { program: "cat", args: ["tests/fixtures/missing.txt"], exit: 1 },
  { program: "malloc", args: [], exit: 0 },
  { program: "exitcode", args: ["0"], exit: 0 },
  { program: "exitcode", args: ["3"], exit: 3 },
  { program: "exitcode", args: ["255"], exit: 255 },
  { program: "efault", args: [], exit: 0 },
  { program: "clock", args: [], exit: 0 },
  { program: "random", args: [], exit: 0 },
  { program: "posix_calls", args: [], exit: 0 },
  { program: "isa_rv32i", args: [], exit: 0 },
  { program: "isa_rv32m", args: [], exit: 0 },
  { program: "isa_rv32a", args: [], exit: 0 },
  { program: "isa_rv32c", args: [], exit: 0 },
];

for (const c of CASES) {
  const name = `${c.program} ${c.args.map((a) => JSON.stringify(a)).join(" ")}`.trim();
  Deno.test(`rv32 runs ${name} with exit ${c.exit}`, async () => {
    const r = await runHere(`${BIN}/${c.program}.elf`, c.args, c.input);
    assert.equal(r.exit.signal, 0, r.log.join("\n"));
    assert.equal(r.exit.status, c.exit);
    if (c.program.startsWith("isa_")) assert.match(r.out, / 0 failed\n$/);
  });

  // `deno task test` installs qemu-user; without it these fail rather than pass unrun.
  Deno.test({
    name: `rv32 matches qemu-riscv32 on ${name}`,
    fn: async () => {
      const ours = await runHere(`${BIN}/${c.program}.elf`, c.args, c.input);
      const qemu = await runCommand(
        "qemu-riscv32",
        [`${BIN}/${c.program}.elf`, ...c.args],
        c.input,
      );
      assert.equal(ours.out, qemu.out);
      assert.equal(ours.err, qemu.err);
      assert.equal(ours.exit.status, qemu.code);
    },
  });
}

Deno.test("rv32 passes argv and envp in order, strings intact", async () => {
  // init execs the program with argv[0] as its path, so argv[0] is the path.
  const envp = ["Z=last", "A=first", "EMPTY=", "SPACE=a b"];
  const r = await runProgram([`${BIN}/args.elf`, "x", ""], { envp });
  assert.deepEqual(r.exit, { status: 0, signal: 0 });
  assert.equal(
    r.out,
    `argc=3\nargv[0]=${BIN}/args.elf\nargv[1]=x\nargv[2]=\n` +
      envp.map((e, n) => `envp[${n}]=${e}\n`).join(""),
  );
});

Deno.test("rv32 CLI prints only the program's output on stdout and returns its status", async () => {
  const r = await runCommand(Deno.execPath(), [
    "task",
    "-q",
    "rv32",
    `${BIN}/exitcode.elf`,
    "7",
  ]);
  assert.equal(r.code, 7);
  assert.equal(r.out, "");
  const hello = await runCommand(Deno.execPath(), ["task", "-q", "rv32", `${BIN}/hello.elf`]);
  const direct = await runHere(`${BIN}/hello.elf`, []);
  assert.equal(hello.code, 0);
  assert.equal(
    hello.out,
    direct.out.replace(`argv[0]=${BIN}/hello.elf`, `argv[0]=${BIN}/hello.elf`),
  );
  assert.equal(hello.err, "");
});

Deno.test("rv32 --trace writes every system call to stderr, not stdout", async () => {
  const r = await runCommand(Deno.execPath(), [
    "task",
    "-q",
    "rv32",
    "--trace",
    `${BIN}/hello.elf`,
  ]);
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.out, /write\(/);
  assert.match(r.err, /^\[\d+\] write\(0x1, .*\) = \d+$/m);
  assert.match(r.err, /^\[\d+\] exit_group\(0x0/m);
});

Deno.test("rv32 --root confines paths: inside works, escapes fail", async () => {
  // The program is exec'd through the VFS, so it must be inside the root too (as the runner
  // requires); a symbolic link is followed inside the root, as under chroot.
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/bin`);
    await Deno.copyFile(`${BIN}/cat.elf`, `${dir}/bin/cat.elf`);
    await Deno.copyFile("tests/fixtures/hello.txt", `${dir}/hello.txt`);
    const inside = await runHere("/bin/cat.elf", ["/hello.txt"], "", dir);
    assert.equal(inside.exit.status, 0);
    assert.equal(inside.out, "first line\nsecond line\n");
    const dotdot = await runHere("/bin/cat.elf", ["/../../deno.json"], "", dir);
    assert.equal(dotdot.exit.status, 1);
    assert.match(dotdot.err, /cat: \/\.\.\/\.\.\/deno\.json: No such file or directory/);
    await Deno.writeTextFile(`${dir}/ok.txt`, "fine\n");
    await Deno.symlink(Deno.realPathSync("deno.json"), `${dir}/escape`);
    const viaLink = await runHere("/bin/cat.elf", ["/escape"], "", dir);
    assert.equal(viaLink.exit.status, 1);
    assert.match(viaLink.err, /cat: \/escape: No such file or directory/);
    const outside = await runHere(`${Deno.cwd()}/${BIN}/cat.elf`, [], "", dir);
    assert.equal(outside.exit.status, 127);
    assert.match(outside.err, /^init: .*\/cat\.elf: No such file or directory\n$/);
    const ok = await runHere("bin/cat.elf", ["ok.txt"], "", dir);
    assert.equal(ok.out, "fine\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("rv32 --inline --cores 3 --stats: counters for every hart on stderr", async () => {
  const r = await runCommand(Deno.execPath(), [
    "task",
    "-q",
    "rv32",
    "--inline",
    "--cores",
    "3",
    "--stats",
    `${BIN}/fork.elf`,
    "20",
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /20 children exited with their own status/);
  assert.match(r.err, /^harts:\nhart +instructions +switches/m);
  assert.match(r.err, /^2 +\d+ +\d+/m, "a row for hart 2");
  assert.match(r.err, /^clone +\d+$/m, "clone among the system calls");
  assert.doesNotMatch(r.out, /harts:/);
});

Deno.test("rv32 rejects a bad option or core count with usage, exit 2", async () => {
  for (const args of [["--cores", "0", `${BIN}/hello.elf`], ["--bogus", `${BIN}/hello.elf`], []]) {
    const r = await runCommand(Deno.execPath(), ["task", "-q", "rv32", ...args]);
    assert.equal(r.code, 2);
    assert.match(r.err, /^usage: deno task rv32/);
  }
});
