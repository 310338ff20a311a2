/**
 * Each service of a booted system (`deno task boot`, services as workers), killed, crashed and
 * hung through the shell's fault tool (`svc`), is restarted alone by the supervisor and its
 * clients carry on: the commands after the fault work (they reach the tty, the rtc, the block
 * driver and the VFS), and the service table counts the restart with its cause. And a service
 * that crashes as soon as it starts is given up on (escalation) after its intensity.
 */

import assert from "node:assert/strict";
import { runProgram } from "../helpers/system.ts";
import { bootScript } from "../helpers/boot.ts";

const boot = bootScript;

const CAUSE: Record<string, RegExp> = {
  kill: /killed/,
  crash: /crashed/,
  hang: /hung \(no heartbeat for \d+ ms\)/,
};

Deno.test("every service, killed, crashed or hung, comes back and its clients carry on", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denix-faults-" });
  try {
    const disk = `${dir}/root.img`;
    await Deno.mkdir(`${dir}/host`);
    await Deno.writeTextFile(`${dir}/host/note`, "from the host\n");
    await boot("true\n", disk, ["--fresh"]);
    for (const service of ["tty", "rtc", "block", "vfs", "hostfs"]) {
      for (const fault of ["kill", "crash", "hang"]) {
        const r = await boot(
          [
            `svc ${fault} ${service}`,
            "sleep 0.8",
            "echo after > /tmp/f; cat /tmp/f /host/note; ls /bin | wc -l > /dev/null",
            "date +%Y | wc -c",
            `query "select restarts, last_cause from services where name = '${service}'"`,
          ].join("\n") + "\n",
          disk,
          ["--mount-host", `${dir}/host`],
        );
        const what = `${fault} ${service}: ${r.out}\n${r.err}`;
        const lines = r.out.split("\n");
        assert.deepEqual(
          lines.slice(0, 4),
          ["after", "from the host", "5", "restarts  last_cause"],
          what,
        );
        assert.match(lines[4], /^ +1 {2}/, what);
        assert.match(lines[4], CAUSE[fault], what);
        assert.equal(r.code, 0, what);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a service that crashes as it starts is given up on after its intensity", async () => {
  const r = await runProgram(["userland/bin/sleep.elf", "2"], {
    mode: "threads",
    isolation: "worker",
    extraServices: [{
      name: "crasher",
      module: "tests/resilience/fixtures/crasher.ts",
      isolation: "worker",
      policy: { intensity: 3, periodMs: 10_000, backoffBaseMs: 5 },
    }],
  }).catch((e) => e as Error);
  assert.ok(!(r instanceof Error), String(r));
  const row = r.kernel.services.table().find((s) => s.name === "crasher");
  assert.equal(row?.state, "failed", `${JSON.stringify(row)}\n${r.log.join("\n")}`);
  assert.equal(row?.restarts, 3);
  assert.ok(
    r.log.some((l) => /^supervisor: crasher failed \(.*3 restarts in 10000 ms\)/.test(l)),
    r.log.join("\n"),
  );
});
