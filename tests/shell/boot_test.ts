/**
 * `deno task boot` as a person or a script uses it: the real boot (kernel worker, drivers, VFS,
 * shell as workers, a root disk made by our mkfs), driven through a pipe — the scripted mode
 * prints only what the programs print and exits with the last status — and through a
 * pseudo-terminal (util-linux `script`), where keys are typed: Tab completion, ↑ history,
 * ^C of a running `yes`, ^Z and `fg`, a background job killed. A clean shutdown leaves e2fsck
 * clean, and a second boot sees the first one's files (a SQLite database among them).
 */

import assert from "node:assert/strict";
import { TerminalSession } from "../helpers/terminal.ts";
import { BOOT_ARGS, bootScript, inTempDir } from "../helpers/boot.ts";
import { sqliteBuild } from "../helpers/sqlite.ts";

const BOUND_MS = 60_000;

const boot = bootScript;

function withDisk(body: (disk: string) => Promise<void>): Promise<void> {
  return inTempDir("denix-boot-", (dir) => body(`${dir}/root.img`));
}

async function fsck(disk: string): Promise<{ code: number; out: string }> {
  const r = await new Deno.Command("e2fsck", {
    args: ["-fn", disk],
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(BOUND_MS),
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test("boot: a script through a pipe runs line by line, prints only the programs' output", async () => {
  await withDisk(async (disk) => {
    const r = await boot(
      [
        "echo hi | wc -c",
        "cd /tmp && pwd",
        'X="a  b"; echo "$X" $X',
        "echo one > f; echo two >> f; cat < f",
        "ls nosuch 2>/dev/null || echo missing $?",
        "echo f* '*' \\*",
        "echo $(echo inner) after",
        "nosuch-command",
        "echo status $?",
        "echo ) oops",
        "echo carried on",
        "echo 'echo in a script; cd /; exit 3' > /tmp/s.sh; sh /tmp/s.sh; echo \"status $? in $PWD\"",
        "false",
      ].join("\n") + "\n",
      disk,
      ["--fresh"],
    );
    assert.equal(
      r.out,
      [
        "3",
        "/tmp",
        "a  b a b",
        "one",
        "two",
        "missing 2",
        "f * *",
        "inner after",
        "sh: nosuch-command: not found",
        "status 127",
        "sh: syntax error near unexpected token `)'",
        "carried on",
        "in a script",
        "status 3 in /tmp",
        "",
      ].join("\n"),
      r.err,
    );
    assert.equal(r.code, 1, "the last status (false)");
  });
});

Deno.test("boot: a 3-stage pipeline; files outlive the boot; e2fsck is clean after", async () => {
  await withDisk(async (disk) => {
    const first = await boot(
      "seq 1 20000 | tail -n 7000 | wc -l\nmkdir -p /root/d && echo kept > /root/d/file && echo done\n",
      disk,
      ["--fresh", "--inline"],
    );
    assert.equal(first.out, "7000\ndone\n", first.err);
    assert.equal(first.code, 0);
    const clean = await fsck(disk);
    assert.equal(clean.code, 0, clean.out);
    const second = await boot("cat /root/d/file\n", disk);
    assert.equal(second.out, "kept\n", second.err);
  });
});

Deno.test("boot: sqlite is in /bin; a database made in one boot is there in the next", async () => {
  await sqliteBuild(); // a root image made after the build has it
  await withDisk(async (disk) => {
    const first = await boot(
      [
        'sqlite /root/notes.db "CREATE TABLE n(t TEXT)" "INSERT INTO n VALUES (\'first boot\')"',
        'echo "SELECT count(*) FROM n; SELECT nope;" | sqlite /root/notes.db',
        "echo status $?",
      ].join("\n") + "\n",
      disk,
      ["--fresh"],
    );
    // The programs' stderr is the same terminal as their stdout.
    assert.equal(
      first.out,
      [
        "1",
        "Parse error near line 1: no such column: nope",
        "  SELECT nope;",
        "         ^--- error here",
        "status 1",
        "",
      ].join("\n"),
      first.err,
    );
    const second = await boot("sqlite -c 'SELECT t FROM n' /root/notes.db\n", disk);
    assert.equal(second.out, "first boot\n", second.err);
    const clean = await fsck(disk);
    assert.equal(clean.code, 0, clean.out);
  });
});

Deno.test("boot: at a terminal — Tab completion, ↑ history (kept across boots), ^C of the foreground job only, ^Z, fg, & and kill", async () => {
  await withDisk(async (disk) => {
    await boot("true\n", disk, ["--fresh"]);
    const t = new TerminalSession([...BOOT_ARGS, "--quiet", "--disk", disk]);
    let at = await t.until("$ ", 0);
    await t.type("ech\t");
    at = await t.until("echo ", at);
    await t.type("hi\r");
    at = await t.until(/hi\r*\n/, at);
    at = await t.until("$ ", at);
    await t.type("\x1b[A");
    at = await t.until("echo hi", at);
    await t.type("\r");
    at = await t.until(/hi\r*\n/, at);
    at = await t.until("$ ", at);

    await t.type("sleep 100 &\r");
    at = await t.until(/\[1\] \d+/, at);
    await t.type("yes > /dev/null\r");
    await new Promise((r) => setTimeout(r, 500));
    await t.type("\x03");
    at = await t.until("$ ", at);
    await t.type("echo after $?; jobs\r");
    at = await t.until(/after 130\r*\n\[1\] +Running +sleep 100/, at);
    await t.type("kill %1; wait; jobs; echo killed\r");
    at = await t.until(/killed\r*\n/, at);
    at = await t.until("$ ", at);

    await t.type("cat\r");
    await new Promise((r) => setTimeout(r, 300));
    await t.type("\x1a");
    at = await t.until("Stopped", at);
    at = await t.until("$ ", at);
    await t.type("jobs\r");
    at = await t.until(/\[1\] +Stopped +cat/, at);
    await t.type("fg\r");
    at = await t.until(/cat\r*\n/, at);
    await t.type("typed\r");
    at = await t.until(/typed\r*\ntyped\r*\n/, at);
    await t.type("\x04");
    at = await t.until("$ ", at);
    await t.type("echo fg $?\r");
    at = await t.until(/fg 0\r*\n/, at);

    await t.type("exit\r");
    assert.equal(await t.end(), 0);

    // The history outlives the boot: ↑ at the next one brings back the last lines.
    const again = new TerminalSession([...BOOT_ARGS, "--quiet", "--disk", disk]);
    at = await again.until("$ ", 0);
    await again.type("\x1b[A\x1b[A");
    at = await again.until("echo fg $?", at);
    await again.type("\x15exit\r");
    assert.equal(await again.end(), 0);
  });
});

Deno.test("boot: query reads the kernel's tables and the mounts", async () => {
  await withDisk(async (disk) => {
    const r = await boot(
      [
        `query "select name, state from services order by name"`,
        `query "select pid, name from procs where name = 'init'"`,
        `query "select target, type from mounts order by target"`,
        `query "select count(*) from harts"`,
        `query "select tid from threads where name = 'query'" | wc -l`,
        `query "select endpoint, client from connections where endpoint = 'vfs' and requests > 0 and client = 'kernel'"`,
        `query "select distinct service from latency where service = 'vfs' and calls > 0"`,
        `query "update procs set pid = 1"`,
      ].join("\n") + "\n",
      disk,
      ["--fresh", "--cores", "3"],
    );
    assert.equal(
      r.out,
      [
        "name   state",
        "block  running",
        "rtc    running",
        "shell  running",
        "tty    running",
        "vfs    running",
        "pid  name",
        "  1  init",
        "target  type",
        "/       ext2",
        "/dev    devtmpfs",
        "/proc   proc",
        "/tmp    tmpfs",
        "count(*)",
        "       3",
        "1",
        "endpoint  client",
        "vfs       kernel",
        "service",
        "vfs",
        "sh: query: update: only SELECT is supported",
        "",
      ].join("\n"),
      r.err,
    );
    assert.equal(r.code, 1);
  });
});
