/**
 * The torture suite in CI (tests/resilience/torture.ts): every service — the drivers, hostfs,
 * the VFS and the shell — killed, crashed or hung 100 times at random moments on a seeded
 * schedule, under load (three writers writing, fsync-ing, renaming, reading back and removing
 * checksummed files; the shell running a script and pipelines over them). It passes only with
 * no acknowledged write lost (every writer's fsync'd files check out), no hung client (the
 * writers end their rounds), every service back after each of its faults, the shell then
 * running a command typed at it, no kernel death, and e2fsck clean. The seed is fixed so that
 * CI runs the same schedule (TORTURE_SEED overrides it; `deno task torture` runs any seed and
 * size).
 */

import assert from "node:assert/strict";
import { ALL_SERVICES, formatReport, torture } from "./torture.ts";

const SEED = Number(Deno.env.get("TORTURE_SEED") ?? 20261207);
const FAULTS = 100;

Deno.test({
  name: `torture: every service failed ${FAULTS} times under load loses nothing (seed ${SEED})`,
  fn: async () => {
    const report = await torture({
      seed: SEED,
      faults: FAULTS,
      services: ALL_SERVICES,
      progress: (line) => console.log(line),
      shellAnswers: true,
    });
    for (const line of formatReport(report)) console.log(`torture: ${line}`);
    for (const name of ALL_SERVICES) {
      const f = report.faults[name];
      assert.equal(f.kill + f.crash + f.hang, FAULTS, name);
      // Every fault a restart; the supervisor may add one of its own (a start under this load
      // that did not register in time is tried again), listed above.
      assert.ok((report.restartMs[name]?.length ?? 0) >= FAULTS, `${name}: every fault a restart`);
    }
  },
});
