/**
 * The kernel's end of the web console's link (kernel/console_link.ts) checks every message it
 * is sent: nonsense is answered with an error naming what was wrong, and the kernel goes on;
 * a window size reaches the tty driver; a state request answers with the system tables.
 */

import assert from "node:assert/strict";
import { decodePayload, encodePayload } from "../../abi/codec.ts";
import { TIOC, TTY, TTY_ENDPOINT } from "../../abi/tty.ts";
import { type FromConsole, serveConsole } from "../../kernel/console_link.ts";
import { LinkTerminal } from "../../machine/backends/link_terminal.ts";
import { bootProgram } from "../helpers/system.ts";

Deno.test("console link: nonsense gets a reason, state gets the tables, the kernel lives", async () => {
  const { system } = await bootProgram(
    [new URL("../../userland/bin/sleep.elf", import.meta.url).pathname, "1"],
  );
  const k = system.kernel;
  const answers: FromConsole[] = [];
  const port = {
    onmessage: null as ((event: MessageEvent) => void) | null,
    postMessage: (m: FromConsole) => answers.push(m),
  };
  const typed: Uint8Array[] = [];
  serveConsole(k, port, [{ minor: 0, line: new LinkTerminal((bytes) => typed.push(bytes)) }]);
  const send = async (data: unknown) => {
    const before = answers.length;
    port.onmessage!(new MessageEvent("message", { data }));
    while (answers.length === before) await new Promise((r) => setTimeout(r, 1));
    return answers.at(-1)!;
  };
  const errors: Array<[unknown, RegExp]> = [
    [null, /unknown message null/],
    ["text", /unknown message null/],
    [{ type: "launch", id: 1 }, /unknown message "launch"/],
    [{ type: "input", id: 2, term: 0, bytes: "not bytes" }, /input: bytes expected/],
    [{ type: "input", id: 14, bytes: new Uint8Array(1) }, /input: a terminal from 0 to 0/],
    [{ type: "input", id: 15, term: 3, bytes: new Uint8Array(1) }, /a terminal from 0 to 0/],
    [{ type: "fault", id: 3, service: 7, fault: "crash" }, /a service name and crash/],
    [{ type: "fault", id: 4, service: "vfs", fault: "explode" }, /a service name and crash/],
    [{ type: "fault", id: 5, service: "nosuch", fault: "kill" }, /nosuch is not running/],
    [{ type: "kill", id: 6, pid: 1 }, /a process id above 1/],
    [{ type: "kill", id: 7, pid: "2" }, /a process id above 1/],
    [{ type: "kill", id: 8, pid: 4242 }, /no process group -4242/],
    [{ type: "resize", id: 11, term: 0, rows: 0, cols: 80 }, /rows and columns from 1 to 1000/],
    [{ type: "resize", id: 12, term: 0, rows: 24, cols: 5000 }, /rows and columns from 1 to 1000/],
  ];
  for (const [message, reason] of errors) {
    const a = await send(message);
    assert.equal(a.type, "done", JSON.stringify(message));
    assert.match((a as { error?: string }).error ?? "", reason, JSON.stringify(message));
  }
  assert.deepEqual(
    await send({ type: "input", id: 9, term: 0, bytes: new Uint8Array([104, 105]) }),
    {
      type: "done",
      id: 9,
    },
  );
  assert.deepEqual(await send({ type: "resize", id: 13, term: 0, rows: 40, cols: 132 }), {
    type: "done",
    id: 13,
  });
  // The size reached the tty driver: its TIOCGWINSZ answers it.
  const { reply } = await k.client.request(
    TTY_ENDPOINT,
    TTY.ioctl.label,
    () =>
      encodePayload(TTY.ioctl.request, {
        term: 0,
        caller: { pid: 0, pgid: 0, sid: 0 },
        cmd: TIOC.TIOCGWINSZ,
        arg: new Uint8Array(0),
      }),
  );
  const size = decodePayload(TTY.ioctl.reply, reply.payload);
  const view = new DataView(size.buffer, size.byteOffset);
  assert.deepEqual([view.getUint16(0, true), view.getUint16(2, true)], [40, 132]);
  const s = await send({ type: "state", id: 10 });
  assert.equal(s.type, "state");
  if (s.type !== "state") return;
  assert.equal(s.id, 10);
  assert.deepEqual(Object.keys(s.state.tables).sort(), [
    "connections",
    "endpoints",
    "harts",
    "latency",
    "procs",
    "services",
  ]);
  assert.ok(s.state.tables.procs.rows.some((r) => r[4] === "init"));
  assert.ok(s.state.memory.usedKb > 0 && s.state.memory.usedKb < s.state.memory.totalKb);
  assert.deepEqual(await system.run(), { status: 0, signal: 0 });
});
