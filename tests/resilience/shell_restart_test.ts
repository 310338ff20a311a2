/**
 * The shell killed under a person at the terminal: the supervisor restarts it, the new shell
 * takes its session over — the background job keeps running and is its job again — the history
 * is kept, and the prompt comes back.
 */

import assert from "node:assert/strict";
import { TerminalSession } from "../helpers/terminal.ts";
import { BOOT_ARGS } from "../helpers/boot.ts";

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
