/**
 * The shell killed under a person at the terminal: the supervisor restarts it, the new shell
 * takes its session over — the background job keeps running and is its job again — the history
 * is kept, and the prompt comes back. And a shell killed while it waits for a line does not
 * take the next line with it.
 */

import assert from "node:assert/strict";
import { TerminalSession } from "../helpers/terminal.ts";
import { BOOT_ARGS } from "../helpers/boot.ts";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { eventually } from "../helpers/poll.ts";
import { bootProgram } from "../helpers/system.ts";
import { shellReading } from "./torture.ts";

Deno.test("the shell, killed, comes back with its jobs and history", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denix-shell-restart-" });
  try {
    const t = new TerminalSession([
      ...BOOT_ARGS,
      "--quiet",
      "--fresh",
      "--disk",
      `${dir}/root.img`,
    ]);
    let at = await t.until("$ ", 0);
    await t.type("sleep 100 &\r");
    at = await t.until(/\[1\] \d+/, at);
    at = await t.until("$ ", at);
    await t.type("echo remembered\r");
    at = await t.until("$ ", at);
    await t.type("svc kill shell\r");
    at = await t.until("1 job(s) taken over", at);
    at = await t.until("$ ", at);
    await t.type("jobs\r");
    at = await t.until(/Running +sleep 100/, at);
    await t.type("\x1b[A\x1b[A\x1b[A");
    at = await t.until("echo remembered", at);
    await t.type("\x15query \"select restarts, last_cause from services where name = 'shell'\"\r");
    at = await t.until(/1 {2}killed/, at);
    await t.type("kill %1; wait; exit\r");
    assert.equal(await t.end(), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the shell killed while it waits for a line: the next line typed reaches the new shell", async () => {
  const echo = Deno.readFileSync(new URL("../../userland/bin/echo.elf", import.meta.url));
  const disk = new MemoryDisk(
    await makeExt2Image({
      sizeBytes: 4 * 1024 * 1024,
      root: { bin: { kind: "dir", entries: { echo: { kind: "file", data: echo, mode: 0o755 } } } },
    }),
  );
  const { system, console1, log } = await bootProgram(
    [new URL("../../userland/bin/sleep.elf", import.meta.url).pathname, "60"],
    {
      mode: "threads",
      isolation: "worker",
      disk,
      shell: { interactive: false, env: ["PATH=/mnt/bin"], term: 1 },
    },
  );
  const k = system.kernel;
  const running = system.run();
  const story = () =>
    `${console1.text()}\n${log.slice(-30).join("\n")}\nunreceived ${console1.unreceived}\n` +
    [...k.ipc.connections.values()].map((
      { client, endpoint, channel: { requests: q, replies: r } },
    ) =>
      `${client.name}(${client.id}) -> ${endpoint.name}: ${q.head}/${q.tail} ${r.head}/${r.tail} ${q.state}`
    ).join("\n") + `\nshell party ${k.services.running.get("shell")?.party.id}\n` +
    [...k.procs.values()].map((p) =>
      `${p.pid} ${p.name} ${p.state} pgid ${p.group.pgid} sid ${p.group.sid}`
    ).join("\n");
  const until = (what: string, ok: () => boolean) =>
    eventually(what, ok, { boundMs: 15_000, everyMs: 5, story });
  const restarts = () => k.supervisor.restarts.filter((r) => r.name === "shell").length;
  for (let round = 1; round <= 3; round++) {
    // Its read waits at the tty driver when it dies; the driver must not hand the next line
    // to that read (nobody takes its reply) but to the new shell's.
    await until(`the shell's read (round ${round})`, () => shellReading(k));
    assert.ok(k.supervisor.kill("shell"));
    await until(`the shell's restart (round ${round})`, () => restarts() === round);
    await until(`the new shell's read (round ${round})`, () => shellReading(k));
    console1.feed(`echo back ${round}\n`);
    await until(`the answer of round ${round}`, () => console1.text().includes(`back ${round}\n`));
  }
  const sleeper = [...k.procs.values()].find((p) => p.name === "sleep.elf");
  k.signalFromService(-sleeper!.pid, 15);
  assert.deepEqual(await running, { status: 128 + 15, signal: 0 });
});
