/**
 * The IPC programs (userland/src/ipc_*.c, userland/bench/ipc_call.c), each booted under init
 * on a fresh kernel in both hart modes, with the TypeScript echo service started first: as a
 * worker and in-line for the programs that talk to it, in-line for the others. Each program
 * checks itself and prints what it proved; the tests assert the exit status and those lines.
 *
 * In one test the test itself is a party: "tester", a TypeScript client on the kernel's thread
 * (kernel.services.embedded), which a RISC-V program calls after some of its children died as
 * clients of echo; it checks that echo still answers, and that the kernel refuses the handles a
 * TypeScript client may not pass before a RISC-V server ever sees them.
 */

import assert from "node:assert/strict";
import { EBADF, EPERM } from "../../kernel/errno.ts";
import { RING_SLOTS } from "../../abi/ipc.ts";
import type { ServiceSpec } from "../../kernel/ipc/service_host.ts";
import type { HartMode, Kernel } from "../../kernel/kernel.ts";
import { Echo } from "../../services/echo/protocol.ts";
import { assertLines } from "../helpers/lines.ts";
import { bootProgram } from "../helpers/system.ts";
import { embedded } from "../../services/lib/service.ts";

const MODES: HartMode[] = ["inline", "threads"];
const ISOLATIONS: ServiceSpec["isolation"][] = ["worker", "inline"];
const BIN = "userland/bin";

/**
 * Boots `program` under init with echo (`isolation`) started after the system's services, lets
 * `setup` prepare the kernel (it returns what to do while the system runs) and runs it to the
 * end.
 */
async function boot(
  mode: HartMode,
  program: string,
  options: {
    args?: string[];
    isolation?: ServiceSpec["isolation"];
    setup?: (kernel: Kernel) => Promise<() => Promise<void>>;
  } = {},
) {
  const { system, console0, console1, log } = await bootProgram(
    [`${BIN}/${program}.elf`, ...options.args ?? []],
    {
      mode,
      harts: 2,
      // Temporary: the programs check what a client sees once echo has crashed and is gone.
      extraServices: [{
        name: "echo",
        module: "services/echo/main.ts",
        isolation: options.isolation ?? "inline",
        restart: "temporary",
      }],
    },
  );
  const kernel = system.kernel;
  const echo = kernel.services.running.get("echo")!;
  const during = await options.setup?.(kernel);
  const [exit] = await Promise.all([system.run(), during?.()]);
  const out = console0.text();
  const report = out + console1.text() + log.join("\n");
  return { out, exit, report, kernel, echo };
}

/** Lines a program must print, in order (strings exactly, patterns matched). */
const EXPECT: Record<string, Array<string | RegExp>> = {
  ipc_echo: [
    "server registered rvecho",
    "3 clients x 200 calls: every reply right",
    "50 one-way messages arrived in order",
    "server answered 602 calls and 50 one-way messages",
    "server quit",
  ],
  ipc_region: [
    "child mapped the region by its handle and saw the parent's bytes",
    "parent sees the child's writes: one memory, no copy",
    "read-only handle: no writable mapping (-EPERM), a write is SIGSEGV (11)",
    "revoked: the child's handle is gone (-EBADF) and its mapping faults (SIGSEGV)",
    "region_map with a revoked handle: -EBADF (9)",
  ],
  ipc_notify: [
    "notify 1, 2, 4 before the wait: one wait returned 7",
    "the bits were taken: a 20 ms wait returned -ETIMEDOUT (110)",
    "a child blocked in notification_wait was woken by notify with its bits",
    "a handle without SIGNAL: notify is -EPERM (1)",
  ],
  ipc_barrier: [
    "4 processes x 50 rounds: nobody left a round before all arrived",
    "exactly one serial arrival (1) per round",
  ],
  ipc_errors: [
    "bad handle: -EBADF (9)",
    "handle without the right: -EPERM (1), passing one without GRANT too",
    "unknown name: -ENOENT (2)",
    "length 300, nhandles 9, bad timeout, token, name or size: -EINVAL (22)",
    "wild pointer: -EFAULT (14)",
    "registering a name already served: -EEXIST (17)",
    "nonblocking sends to a server that never receives: 64 queued, then -EAGAIN (11)",
    "the server died holding the call: -ECONNRESET (104)",
    "calling a name whose server is gone: -ENOTCONN (107)",
  ],
};

/** ipc_ts_client's lines (the region checksum depends only on the program's pattern). */
const TS_CLIENT = [
  "echo.add(40, 2) = 42, and wraps mod 2^32",
  "echo.echo: 220 bytes came back intact",
  "unknown label: -EINVAL (22)",
  "1 MiB region mapped read-write and filled",
  "checksum through a read-only handle: 133693440, as computed here",
  "fill through a read-write handle: 65536 bytes changed in our mapping, none sent in a message",
  "fill through a read-only handle: -EPERM (1), bytes untouched",
  "checksum past the region's end: -EINVAL (22)",
  "sleep(500) with a 50 ms timeout: -ETIMEDOUT (110)",
  "the next call gets its own reply, not the late one",
];

/** What the tester saw while ipc_ts_peers ran. */
interface TesterReport {
  /** Labels of the messages that filled its queue (and the call after them), in order. */
  fill: number[];
  sum: number;
  refused: number[];
  bounced: Uint8Array;
}

/** Resolves once `condition` holds, looking again after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
}

/**
 * Plays "tester" for ipc_ts_peers. It receives nothing until a process is asleep in a send for
 * want of room in its queue, then drains the queue (the sleeper must wake: the kernel does not
 * see a service pop a ring), answering the filler's last call. On the program's call (label 1)
 * it calls echo's add and the program's own
 * RISC-V server (twice with handles it may not pass, then properly) and replies with the sum.
 */
function playTester(report: TesterReport) {
  return async (kernel: Kernel) => {
    const tester = embedded(kernel.services.embeddedPort("tester"));
    const server = await tester.register("tester");
    const endpoint = kernel.ipc.names.get("tester")!;
    return async () => {
      await until(() => [...endpoint.connections].some((c) => c.spaceWaiters.size > 0));
      let request = await server.receive();
      for (; request.label !== 1; request = await server.receive()) {
        report.fill.push(request.label);
        if (request.isCall) await request.reply(0);
      }
      const echo = await tester.lookup("echo");
      report.sum = await Echo.client(echo).add({ a: 40, b: 2 });
      const rv = await tester.lookup("rvserver");
      const hello = new TextEncoder().encode("hello from TypeScript");
      const notGrantable = await rv.call(1, hello, { handles: [echo.handle] });
      const missing = await rv.call(1, hello, { handles: [999] });
      report.refused = [notGrantable.label, missing.label];
      report.bounced = (await rv.call(1, hello)).payload;
      const sum = new Uint8Array(4);
      new DataView(sum.buffer).setUint32(0, report.sum, true);
      await request.reply(0, sum);
      server.close();
    };
  };
}

for (const mode of MODES) {
  for (const [program, expected] of Object.entries(EXPECT)) {
    Deno.test(`${program} passes under init, ${mode} harts`, async () => {
      const r = await boot(mode, program);
      assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.report);
      assertLines(r.out, expected);
    });
  }

  for (const isolation of ISOLATIONS) {
    Deno.test(`ipc_ts_client talks to echo as a ${isolation}, ${mode} harts`, async () => {
      const r = await boot(mode, "ipc_ts_client", { isolation });
      assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.report);
      assertLines(r.out, TS_CLIENT);
    });

    Deno.test(
      `RISC-V clients dying leave echo (a ${isolation}) answering, ${mode} harts`,
      async () => {
        const seen: TesterReport = { fill: [], sum: 0, refused: [], bounced: new Uint8Array() };
        const r = await boot(mode, "ipc_ts_peers", {
          isolation,
          setup: playTester(seen),
        });
        assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.report);
        assertLines(r.out, [
          "a client killed while echo held its call: SIGKILL (9)",
          "a client dead of SIGSEGV (11) after its call",
          "echo still answers: add(20, 22) = 42",
          "tester's queue took 64 one-way messages, then -EAGAIN; a blocking send waited until " +
          "tester drained it",
          "the test's TypeScript client got add(40, 2) = 42 from echo",
          "rvserver answered 1 TypeScript call; the refused ones never reached it",
          "echo asked to crash: the call is -ECONNRESET (104)",
          "and with echo gone, calls are -ENOTCONN (107)",
        ]);
        assert.deepEqual(seen.fill, [...new Array(RING_SLOTS).fill(7), 8, 9]);
        assert.equal(seen.sum, 42);
        assert.deepEqual(seen.refused, [-EPERM, -EBADF]);
        assert.equal(new TextDecoder().decode(seen.bounced), "hello from TypeScript");
        assert.equal(r.kernel.ipc.rejected, 2);
        assert.match(String(await r.echo.done), /asked to crash/);
      },
    );

    Deno.test(`bench_ipc_call runs with echo as a ${isolation}, ${mode} harts`, async () => {
      for (const calls of ["0", "300"]) {
        const r = await boot(mode, "bench_ipc_call", { isolation, args: [calls] });
        assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.report);
        assert.equal(r.out, `ipc_call: ${calls} calls\n`);
      }
    });
  }
}
