/**
 * SQLite is crash-safe on a restartable VFS: a writer (the sqlite front end, -bail) commits
 * one-row transactions in rollback-journal mode and prints each one's id after its COMMIT
 * returns, while the test kills the VFS worker (and, in the second test, the block driver) at
 * random moments, KILLS times, each time waiting for the supervisor to bring it back. The
 * writer never sees an error (the kernel sends the calls in flight to the next instance,
 * which applies a change at most once). Afterwards every printed id is in the database,
 * `PRAGMA integrity_check` says ok, and e2fsck finds the disk clean: what fsync acknowledged
 * survived the service's crash.
 */

import assert from "node:assert/strict";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { prng } from "../helpers/commands.ts";
import { eventually } from "../helpers/poll.ts";
import { bootProgram, runProgram } from "../helpers/system.ts";
import { sqliteBuild } from "../helpers/sqlite.ts";
import { failService } from "../resilience/torture.ts";
import { assertDiskClean } from "../services/vfs/e2fsprogs.ts";

const KILLS = 20;
/** Transactions typed ahead of the writer, so that it is always busy when a kill comes. */
const AHEAD = 15;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function transaction(id: number): string {
  return `BEGIN; INSERT INTO log VALUES (${id}, zeroblob(${500 + id % 3000})); COMMIT; ` +
    `SELECT 'committed ${id}';\n`;
}

function committed(out: string): number[] {
  return [...out.matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1]));
}

for (const [service, seed] of [["vfs", 151], ["block", 152]] as const) {
  Deno.test(`sqlite: every transaction a writer saw commit survives ${KILLS} kills of the ${service} service (seed ${seed})`, async () => {
    const random = prng(seed);
    const { elf } = await sqliteBuild();
    const disk = new MemoryDisk(await makeExt2Image({ sizeBytes: 32 * 1024 * 1024 }));
    const { system, console0, console1, log } = await bootProgram([elf, "-bail", "/mnt/w.db"], {
      mode: "threads",
      isolation: "worker",
      disk,
      keepInputOpen: true,
      // Kills come faster than any real failure rate: no escalation here.
      policy: { intensity: 100_000, periodMs: 1000, backoffBaseMs: 1, backoffMaxMs: 5 },
    });
    const k = system.kernel;
    const story = () =>
      `${console0.text().slice(-400)}\n${console1.text()}\n${log.slice(-30).join("\n")}`;
    let fed = 0;
    const keepBusy = () => {
      const done = committed(console0.text()).length;
      let text = "";
      while (fed < done + AHEAD) text += transaction(++fed);
      console0.feed(text);
    };
    console0.feed(
      "PRAGMA journal_mode=DELETE;\nCREATE TABLE log(id INTEGER PRIMARY KEY, pad BLOB);\n",
    );
    const running = system.run();
    keepBusy();
    await eventually("the writer's first commits", () => committed(console0.text()).length >= 3, {
      boundMs: 30_000,
      story,
    });
    const before = committed(console0.text()).length;
    for (let n = 0; n < KILLS; n++) {
      keepBusy();
      await sleep(5 + Math.floor(random() * 60));
      const problem = await failService(k, service, "kill");
      if (problem) assert.fail(`${problem}\n${story()}`);
    }
    const during = committed(console0.text()).length - before;
    console0.hangup();
    const exit = await running;
    assert.deepEqual(exit, { status: 0, signal: 0 }, story());
    assert.equal(console1.text(), "", "the writer saw no error");
    const printed = committed(console0.text());
    assert.deepEqual(printed, Array.from({ length: fed }, (_, i) => i + 1), story());
    assert.ok(during > 0, `the writer committed while its ${service} service was being killed`);
    assert.equal(
      k.supervisor.restarts.filter((r) => r.name === service).length,
      KILLS,
      `${service} restarted once per kill`,
    );

    // A fresh boot on the same disk: every printed id is there, and the database is sound.
    const check = await runProgram(
      [elf, "-batch", "/mnt/w.db", "PRAGMA integrity_check", "SELECT id FROM log ORDER BY id"],
      { disk },
    );
    assert.equal(check.err, "");
    const [integrity, ...ids] = check.out.trimEnd().split("\n");
    assert.equal(integrity, "ok");
    const stored = new Set(ids.map(Number));
    assert.deepEqual(printed.filter((id) => !stored.has(id)), [], "printed ids missing");
    await assertDiskClean(disk.data);
  });
}
