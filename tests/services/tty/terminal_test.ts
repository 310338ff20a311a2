/**
 * The terminal end to end: a RISC-V program on the console line (ttyS0) of a whole booted
 * system, its input typed into the machine's UART and its output read off it. With
 * `interactive` the line starts cooked: a program reads edited lines and the typist sees the
 * echo; ^C kills the foreground program; "\n" goes out as "\r\n". A terminal read that a
 * signal interrupts fails with EINTR, or goes on after a SA_RESTART handler. A program reads
 * and sets the line's termios, reads the window size, and in raw mode gets bytes unedited.
 * Every test runs with the services in-line and as workers, and on in-line and threaded harts.
 */

import assert from "node:assert/strict";
import type { BufferTerminal } from "../../../machine/backends/buffer_terminal.ts";
import type { ExitInfo } from "../../../kernel/kernel.ts";
import { bootProgram, type BootSettings, runProgram } from "../../helpers/system.ts";

const CAT = "userland/bin/cat.elf";
const HELLO = "userland/bin/hello.elf";
const TTY_CHECK = "userland/bin/tty_check.elf";

/** Generous bound on anything a test waits for; only a broken system reaches it. */
const DEADLINE_MS = 60_000;

const SETUPS: { name: string; settings: BootSettings }[] = [
  { name: "services in-line", settings: { isolation: "inline", mode: "inline" } },
  { name: "services as workers", settings: { isolation: "worker", mode: "inline" } },
  { name: "threaded harts", settings: { isolation: "worker", mode: "threads" } },
];

/** Runs `body` once per setup, as separate tests. */
function eachSetup(what: string, body: (settings: BootSettings) => Promise<void>): void {
  for (const { name, settings } of SETUPS) {
    Deno.test(`tty: ${what} (${name})`, () => body(settings));
  }
}

/** Resolves once the console has put out `text`; rejects at the deadline. */
function outputIncludes(console: BufferTerminal, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const check = () => {
      if (settled || !console.text().includes(text)) return;
      settled = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      reject(
        new Error(`no ${JSON.stringify(text)} on the console: ${JSON.stringify(console.text())}`),
      );
    }, DEADLINE_MS);
    console.onOutput(check);
    check();
  });
}

/**
 * The end of a run that was started: its exit. At the deadline the console hangs up (a read
 * waiting for input ends) and the test fails.
 */
async function finished(run: Promise<ExitInfo>, console: BufferTerminal): Promise<ExitInfo> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"late">((resolve) => (timer = setTimeout(resolve, DEADLINE_MS, "late")));
  const first = await Promise.race([run, late]);
  clearTimeout(timer);
  if (first !== "late") return first;
  console.hangup();
  const after = await Promise.race([
    run,
    new Promise<"late">((resolve) => (timer = setTimeout(resolve, DEADLINE_MS, "late"))),
  ]);
  clearTimeout(timer);
  throw new Error(
    `the program had not ended by the deadline (after a hang-up: ${JSON.stringify(after)}); ` +
      `console: ${JSON.stringify(console.text())}`,
  );
}

/**
 * Boots `argv` with the console open, waits for `marker` on it, types `input`, and returns the
 * run's exit and the console's output.
 */
async function typeAfter(
  argv: string[],
  settings: BootSettings,
  marker: string,
  input: string,
): Promise<{ exit: ExitInfo; out: string; err: string }> {
  const { system, console0, console1 } = await bootProgram(argv, {
    ...settings,
    keepInputOpen: true,
  });
  const run = system.run();
  await Promise.race([outputIncludes(console0, marker), run.then(() => {})]);
  console0.feed(input);
  const exit = await finished(run, console0);
  return { exit, out: console0.text(), err: console1.text() };
}

eachSetup("cooked input is edited, and the typist sees the edit", async (settings) => {
  const r = await runProgram([CAT], { ...settings, interactive: true, input: "ab\x7fc\n\x04" });
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.err);
  // The echo ("c" after backspace-space-backspace rubs out "b"; the newline as "\r\n"), then
  // cat's copy of the one line it read, "ac\n", with "\n" as "\r\n".
  assert.equal(r.out, "ab\b \bc\r\nac\r\n");
  assert.equal(r.err, "");
});

eachSetup("^C kills the foreground program with SIGINT", async (settings) => {
  const r = await typeAfter(
    [TTY_CHECK, "read"],
    { ...settings, interactive: true },
    "ready\r\n",
    "ab\x03",
  );
  assert.deepEqual(r.exit, { status: 128 + 2, signal: 0 }, r.out + r.err);
  // The program read nothing: "ab" was still a line being typed, and ^C flushed it.
  assert.equal(r.out, "ready\r\nab^C\r\n");
  assert.equal(r.err, "");
});

eachSetup("output: \\n as \\r\\n when interactive, unchanged otherwise", async (settings) => {
  const cooked = await runProgram([HELLO], { ...settings, interactive: true });
  assert.deepEqual(cooked.exit, { status: 0, signal: 0 }, cooked.err);
  assert.equal(cooked.out, `hello, world\r\nargc=1\r\nargv[0]=${HELLO}\r\n`);
  const plain = await runProgram([HELLO], settings);
  assert.deepEqual(plain.exit, { status: 0, signal: 0 }, plain.err);
  assert.equal(plain.out, `hello, world\nargc=1\nargv[0]=${HELLO}\n`);
});

eachSetup("a signal interrupts a terminal read: EINTR without SA_RESTART", async (settings) => {
  const { system, console0, console1 } = await bootProgram([TTY_CHECK, "intr"], {
    ...settings,
    keepInputOpen: true,
  });
  const exit = await finished(system.run(), console0);
  assert.deepEqual(exit, { status: 0, signal: 0 }, console0.text() + console1.text());
  assert.equal(console0.text(), "reading\nread: EINTR\nok\n");
});

eachSetup("a read interrupted by a SA_RESTART handler goes on", async (settings) => {
  // The handler writes "signal"; the line is typed only after it, so the read that returns it
  // is the one the kernel restarted.
  const r = await typeAfter([TTY_CHECK, "restart"], settings, "signal\n", "line\n");
  assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.out + r.err);
  assert.equal(r.out, "reading\nsignal\nread: line\nok\n");
});

for (const interactive of [true, false]) {
  const mode = interactive ? "cooked" : "transparent";
  eachSetup(`termios (${mode}): get, set, window size, raw input`, async (settings) => {
    const nl = interactive ? "\r\n" : "\n";
    const r = await typeAfter(
      [TTY_CHECK, "termios", mode],
      { ...settings, interactive },
      "raw\n",
      "a\x7fb\x03\r\x15q",
    );
    assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.out + r.err);
    const flags = interactive ? "icanon=1 echo=1 isig=1" : "icanon=0 echo=0 isig=0";
    // In raw mode: every byte as typed (no erase, ^C, CR mapping or kill), no echo, and "\n"
    // out unchanged until the first settings are back.
    assert.equal(
      r.out,
      `${flags}${nl}winsize 24x80${nl}round trip ok${nl}raw\ngot 61 7f 62 03 0d 15 71\nok${nl}`,
    );
  });
}
