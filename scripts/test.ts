/**
 * `deno task test`: the whole test suite. Installs the Debian packages the tests need (the
 * RISC-V toolchain to check the committed binaries against their sources, qemu-user to
 * compare against), builds SQLite (scripts/sqlite.ts) once, runs `deno test` over tests/, and ends with one line
 * `N passed, N failed` (plus `, N skipped` if any) taken from Deno's own summary.
 * Extra arguments are passed to `deno test` (e.g. a file or `--filter`).
 *
 * Every test is bounded: Deno prints a test's name when it starts and its result when it ends,
 * so when nothing is printed for TEST_BOUND_MS (env DENIX_TEST_BOUND_MS) a test is stuck (an
 * await that never settles) — Deno's notes that a test "has been running for over" a while do
 * not count. The run is then killed and reported as failed, naming that test
 * and counting the results printed so far, rather than hanging CI. The slowest test takes
 * about 12 s on a 2-core VM.
 */

import { ensureDebianPackages } from "./deps.ts";
import { ensureSqlite } from "./sqlite.ts";

await ensureDebianPackages();
// Built before the tests start: the first build takes longer than one test's bound.
await ensureSqlite();

const TEST_BOUND_MS = Number(Deno.env.get("DENIX_TEST_BOUND_MS") ?? 120_000);
/** The note Deno prints about a slow test, which must not count as progress. */
const RUNNING_FOR_OVER = /^.*has been running for over.*$/gm;

const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", ...args],
  stdout: "piped",
  stderr: "inherit",
}).spawn();

// Stream Deno's output through while keeping its last summary line and the results so far.
let summary = "";
let pending = "";
let passed = 0;
let failed = 0;
let stuck = false;
const decoder = new TextDecoder();
let watchdog = setTimeout(kill, TEST_BOUND_MS);
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  const text = decoder.decode(chunk, { stream: true });
  // Deno's own "… has been running for over …" notes are not progress.
  if (stripAnsi(text).replace(RUNNING_FOR_OVER, "").trim() !== "") {
    clearTimeout(watchdog);
    watchdog = setTimeout(kill, TEST_BOUND_MS);
  }
  pending += text;
  const lines = pending.split("\n");
  pending = lines.pop()!;
  for (const raw of lines) {
    const line = stripAnsi(raw);
    if (/^(ok|FAILED) \| \d+ passed/.test(line)) summary = line;
    else if (/ \.\.\. ok \(/.test(line)) passed++;
    else if (/ \.\.\. FAILED \(/.test(line)) failed++;
  }
}
clearTimeout(watchdog);
const status = await child.status;
if (stuck) {
  const test = stripAnsi(pending).replace(/ \.\.\.\s*$/, "").trim() || "(between tests)";
  console.log(`\ntest bound: nothing finished in ${TEST_BOUND_MS / 1000} s; stuck in: ${test}`);
  console.log(`${passed} passed, ${failed + 1} failed`);
  Deno.exit(1);
}

const count = (what: string) => Number(summary.match(new RegExp(`(\\d+) ${what}`))?.[1] ?? 0);
if (!summary) {
  console.log("0 passed, 1 failed");
  Deno.exit(status.code || 1);
}
const skipped = count("ignored");
console.log(
  `${count("passed")} passed, ${count("failed")} failed` + (skipped ? `, ${skipped} skipped` : ""),
);
Deno.exit(status.code);

/** A test ran past its bound: end the run (the report above names the test). */
function kill(): void {
  stuck = true;
  child.kill("SIGKILL");
}

function stripAnsi(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}
