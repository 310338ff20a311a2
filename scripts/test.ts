/**
 * `deno task test`: the whole test suite. Installs the Debian packages the tests need (the
 * RISC-V toolchain to check the committed binaries against their sources, qemu-user to
 * compare against), runs `deno test` over tests/, and ends with one line
 * `N passed, N failed` (plus `, N skipped` if any) taken from Deno's own summary.
 * Extra arguments are passed to `deno test` (e.g. a file or `--filter`).
 */

import { ensureDebianPackages } from "./deps.ts";

await ensureDebianPackages();

const args = Deno.args.length > 0 ? Deno.args : ["tests/"];
const child = new Deno.Command(Deno.execPath(), {
  args: ["test", "--allow-all", ...args],
  stdout: "piped",
  stderr: "inherit",
}).spawn();

// Stream Deno's output through while keeping its last summary line.
let summary = "";
let pending = "";
const decoder = new TextDecoder();
for await (const chunk of child.stdout) {
  await Deno.stdout.write(chunk);
  pending += decoder.decode(chunk, { stream: true });
  const lines = pending.split("\n");
  pending = lines.pop()!;
  for (const line of lines) {
    if (/^(ok|FAILED) \| \d+ passed/.test(stripAnsi(line))) summary = stripAnsi(line);
  }
}
const status = await child.status;

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

function stripAnsi(s: string): string {
  // deno-lint-ignore no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, "");
}
