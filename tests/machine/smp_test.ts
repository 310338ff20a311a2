/**
 * Two harts on two host threads (machine/hart_thread.ts) sharing one Sv32 address space:
 * `amoadd.w` and LR/SC increment loops give exact totals, plain lw/add/sw loops are exact on
 * each hart's own word and within the possible bounds on a shared one (its total is logged,
 * lost updates are not asserted), and hart workers
 * run without any Deno permission. Every worker is terminated at the end of its test, with
 * Deno's sanitizers on.
 */

import assert from "node:assert/strict";
import { CAUSE, RUN_TRAP } from "../../machine/cpu.ts";
import { HartThread } from "../../machine/hart_thread.ts";
import { HS } from "../../machine/hart_state.ts";
import { Machine } from "../../machine/machine.ts";
import { PTE_R, PTE_U, PTE_W, PTE_X } from "../../machine/mmu.ts";
import { RAM_BASE, SHARED_BASE } from "../../machine/memory_map.ts";
import * as A from "../helpers/asm.ts";
import { CODE_PA, CODE_VA, DATA_PA, DATA_VA, MiB } from "../helpers/hart_fixture.ts";
import { TestPageTables } from "../helpers/paging.ts";

const N = 1_000_000;

/** A two-hart machine with `program` mapped at CODE_VA and a data page at DATA_VA. */
function twoHarts(program: number[]): Machine {
  const m = new Machine({ harts: 2, ramSizeBytes: 32 * MiB, clock: "manual" });
  const pt = new TestPageTables(m);
  pt.map(CODE_VA, CODE_PA, PTE_R | PTE_X | PTE_U);
  pt.map(DATA_VA, DATA_PA, PTE_R | PTE_W | PTE_U);
  m.ram.u8.set(A.toBytes(program), CODE_PA - RAM_BASE);
  for (const cpu of m.cpus) {
    cpu.satp = pt.satp(1);
    cpu.pc = CODE_VA;
  }
  return m;
}

/** The counter word both harts update. */
function counter(m: Machine): number {
  return m.ram.i32[(DATA_PA - RAM_BASE) >> 2];
}

/** Runs hart threads until each stops at a trap (their program's final ecall). */
async function runBoth(m: Machine): Promise<void> {
  const threads: HartThread[] = [];
  try {
    for (const h of [0, 1]) threads.push(await HartThread.start(m, h));
    await Promise.all(threads.map(async (t) => {
      for (let guard = 0; guard < 1000; guard++) {
        if ((await t.run(10_000_000)) === RUN_TRAP) return;
      }
      throw new Error(`hart ${t.hartId} did not finish`);
    }));
  } finally {
    for (const t of threads) t.terminate();
  }
  for (const cpu of m.cpus) {
    assert.equal(cpu.scause, CAUSE.ECALL_FROM_U, `hart ${cpu.hartId} ended at its ecall`);
    assert.equal(cpu.x[5], 0, `hart ${cpu.hartId} finished its loop`);
  }
}

/** Loop prologue: x5 = N (iterations), x11 = 1, x10 = &counter. */
const prologue = [...A.li(5, N), A.addi(11, 0, 1), A.lui(10, DATA_VA >>> 12)];

Deno.test("SMP: amoadd.w from two threads loses no update", async () => {
  const m = twoHarts([
    ...prologue,
    A.amoaddW(0, 10, 11), // loop:
    A.addi(5, 5, -1),
    A.bne(5, 0, -8),
    A.ecall(),
  ]);
  await runBoth(m);
  assert.equal(counter(m), 2 * N);
});

Deno.test("SMP: LR/SC increment loops with retry from two threads lose no update", async () => {
  const m = twoHarts([
    ...prologue,
    A.lrW(6, 10), // loop:
    A.add(6, 6, 11),
    A.scW(7, 10, 6),
    A.beq(7, 0, 12), // success: on to the count
    A.addi(8, 8, 1), // failure: count the retry
    A.jal(0, -20), // and try again
    A.addi(5, 5, -1),
    A.bne(5, 0, -28),
    A.ecall(),
  ]);
  await runBoth(m);
  assert.equal(counter(m), 2 * N);
  console.log(`SC retries: hart 0 ${m.cpus[0].x[8]}, hart 1 ${m.cpus[1].x[8]}`);
});

Deno.test("SMP: plain lw/add/sw loops are exact on each hart's own word; the shared total is logged", async () => {
  // Each pass adds 1 to a word of its hart's own (x12: a different word per hart) and to the
  // word both share (x10), with plain loads and stores. The own words must come out exact.
  // The shared one loses updates when the two threads overlap, by any amount the interleaving
  // allows: a read-modify-write that a hart holds across many of the other's can undo them
  // all, so its total is anywhere from 2 (the least two racing increment loops can leave) to
  // 2N, and logged, not pinned.
  const m = twoHarts([
    ...prologue,
    A.lw(7, 10, 0), // loop:
    A.add(7, 7, 11),
    A.sw(7, 10, 0),
    A.lw(8, 12, 0),
    A.add(8, 8, 11),
    A.sw(8, 12, 0),
    A.addi(5, 5, -1),
    A.bne(5, 0, -28),
    A.ecall(),
  ]);
  const own = [DATA_VA + 64, DATA_VA + 128];
  m.cpus.forEach((cpu, h) => (cpu.x[12] = own[h]));
  await runBoth(m);
  for (const [h, va] of own.entries()) {
    assert.equal(m.ram.i32[(DATA_PA + (va - DATA_VA) - RAM_BASE) >> 2], N, `hart ${h}'s own word`);
  }
  const total = counter(m);
  console.log(`plain lw/add/sw total: ${total} of ${2 * N} (${2 * N - total} updates lost)`);
  assert.ok(total <= 2 * N, `total ${total} exceeds ${2 * N}`);
  assert.ok(total >= 2, `total ${total} below 2`);
});

Deno.test("SMP: hart workers are created with no permissions and still run programs", async () => {
  const m = twoHarts([
    A.addi(5, 0, 0), // sum 1..100 into x5
    A.addi(6, 0, 100),
    A.add(5, 5, 6), // loop:
    A.addi(6, 6, -1),
    A.bne(6, 0, -8),
    A.sw(5, 10, 0),
    A.ecall(),
  ]);
  m.cpus[0].x[10] = DATA_VA;
  // Record the options HartThread passes when it creates its worker.
  const seen: Array<WorkerOptions | undefined> = [];
  const RealWorker = globalThis.Worker;
  class SpyWorker extends RealWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      seen.push(options);
      super(url, options);
    }
  }
  globalThis.Worker = SpyWorker;
  let t: HartThread;
  try {
    t = await HartThread.start(m, 0);
  } finally {
    globalThis.Worker = RealWorker;
  }
  try {
    assert.equal(await t.run(10_000), RUN_TRAP);
  } finally {
    t.terminate();
  }
  assert.equal(m.cpus[0].scause, CAUSE.ECALL_FROM_U);
  assert.equal(m.cpus[0].x[5], 5050);
  assert.equal(counter(m), 5050);
  assert.equal(seen.length, 1, "one worker per hart thread");
  assert.deepEqual(seen[0]?.deno, { permissions: "none" });

  // A worker created with those same options can do nothing outside its buffers.
  const probe = `self.onmessage = () => {
    const states = {};
    for (const name of ["read", "write", "net", "env", "run", "ffi", "sys"]) {
      states[name] = Deno.permissions.querySync({ name }).state;
    }
    const tries = {};
    const attempt = (what, fn) => {
      try { fn(); tries[what] = "allowed"; }
      catch (e) { tries[what] = e instanceof Deno.errors.NotCapable ? "NotCapable" : String(e); }
    };
    attempt("read", () => Deno.readTextFileSync("deno.json"));
    attempt("write", () => Deno.writeTextFileSync("hart-probe.txt", "x"));
    attempt("env", () => Deno.env.get("HOME"));
    attempt("run", () => new Deno.Command("true").outputSync());
    self.postMessage({ states, tries });
  };`;
  const url = URL.createObjectURL(new Blob([probe], { type: "application/javascript" }));
  const worker = new Worker(url, { type: "module", deno: { permissions: "none" } });
  try {
    const reply = await new Promise<{ states: Record<string, string>; tries: object }>(
      (resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => {
          e.preventDefault();
          reject(new Error(e.message));
        };
        worker.postMessage(null);
      },
    );
    for (const [name, state] of Object.entries(reply.states)) {
      assert.notEqual(state, "granted", `${name} permission`);
    }
    assert.deepEqual(reply.tries, {
      read: "NotCapable",
      write: "NotCapable",
      env: "NotCapable",
      run: "NotCapable",
    });
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
});

Deno.test("HartThread: run honours budgets of 2^31 instructions and more", async () => {
  // Two instructions and an ecall: any budget of at least 3 must reach the ecall, as
  // `cpu.run` does in-line.
  const m = twoHarts([A.addi(5, 5, 1), A.addi(5, 5, 1), A.ecall()]);
  const t = await HartThread.start(m, 0);
  const got: Array<[number, number, number]> = [];
  try {
    for (const budget of [2 ** 31, 2 ** 32 + 1, 3e9]) {
      m.cpus[0].pc = CODE_VA;
      m.cpus[0].x[5] = 0;
      got.push([budget, await t.run(budget), m.cpus[0].x[5]]);
    }
  } finally {
    t.terminate();
  }
  assert.deepEqual(got, [
    [2 ** 31, RUN_TRAP, 2],
    [2 ** 32 + 1, RUN_TRAP, 2],
    [3e9, RUN_TRAP, 2],
  ]);
});

Deno.test("HartThread: a freed bank's range waits only for a hart executing on it; every run starts caught up", async () => {
  const SHARED_VA = 0x0003_0000;
  const m = new Machine({ harts: 1, ramSizeBytes: 32 * MiB, clock: "manual" });
  const pt = new TestPageTables(m);
  pt.map(CODE_VA, CODE_PA, PTE_R | PTE_X | PTE_U);
  pt.map(SHARED_VA, SHARED_BASE, PTE_R | PTE_U);
  m.ram.u8.set(A.toBytes([A.lw(5, 10, 0), A.ecall()]), CODE_PA - RAM_BASE);
  const cpu = m.cpus[0];
  cpu.satp = pt.satp(1);
  const first = m.addSharedBank("first", 4096)!;
  first.i32[0] = 111;
  const t = await HartThread.start(m, 0);
  const read = async () => {
    cpu.pc = CODE_VA;
    cpu.x[10] = SHARED_VA;
    assert.equal(await t.run(100), RUN_TRAP);
    return cpu.x[5];
  };
  try {
    assert.equal(await read(), 111);
    // No hart is executing: the range is free at once, and the next bank takes it.
    m.removeSharedBank(first);
    assert.equal(m.window.quarantinedBytes, 0);
    const second = m.addSharedBank("second", 4096)!;
    assert.equal(second.base, first.base);
    second.i32[0] = 222;
    assert.equal(await read(), 222, "the worker dropped the first bank before it ran");
    // Removed while the hart executes: quarantined until that run ends.
    cpu.pc = CODE_VA;
    const running = t.run(100);
    m.removeSharedBank(second);
    assert.equal(m.window.quarantinedBytes, 4096);
    assert.equal(m.addSharedBank("third", 4096)!.base, first.base + 4096);
    assert.equal(await running, RUN_TRAP);
    assert.equal(m.window.quarantinedBytes, 0);
  } finally {
    t.terminate();
  }
});

Deno.test("HartThread: wake-ups with no command (a late notify) never end a run early", async () => {
  // Another thread notifies the control word without pause, as a notify that comes after the
  // worker polled its command would; every run must still execute its addi (the ecall traps, retiring nothing).
  const m = twoHarts([A.addi(5, 5, 1), A.ecall()]);
  const t = await HartThread.start(m, 0);
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const notifier = new Worker(
    `data:text/javascript,onmessage = (e) => { const [w, s, i] = e.data; const c = new Int32Array(w); const q = new Int32Array(s); while (Atomics.load(q, 0) === 0) Atomics.notify(c, i); postMessage(0); };`,
    { type: "module" },
  );
  const stopped = new Promise((resolve) => (notifier.onmessage = resolve));
  notifier.postMessage([m.hartState, stop.buffer, HS.CONTROL]);
  const cpu = m.cpus[0];
  let short = 0;
  try {
    for (let n = 0; n < 20_000; n++) {
      cpu.pc = CODE_VA;
      const before = cpu.instret;
      if ((await t.run(100)) !== RUN_TRAP || cpu.instret - before !== 1) short++;
    }
  } finally {
    Atomics.store(stop, 0, 1);
    await stopped;
    notifier.terminate();
    t.terminate();
  }
  assert.equal(short, 0, "runs that did not execute");
  assert.equal(cpu.x[5], 20_000);
});
