/**
 * Entry point of a host worker that runs one hart (see hart_thread.ts for the protocol).
 *
 * The worker is created with no Deno permissions at all: it touches nothing but the shared
 * buffers it is handed by postMessage — its descriptor once, at start, and later the changes to
 * the shared RAM banks (IPC regions made or freed), which it applies to its bus in the order
 * they were posted, and waits for when told to (ATTACH).
 */

/// <reference lib="deno.worker" />

import type { Bus } from "./bus.ts";
import { CAUSE, type Cpu, RUN_TRAP } from "./cpu.ts";
import { ANSWERS_MAX, HART_WORDS, HS } from "./hart_state.ts";
import {
  CONTROL_ATTACH,
  CONTROL_IDLE,
  CONTROL_QUIT,
  CONTROL_RUN,
  type ToHart,
} from "./hart_thread.ts";
import { bankFromDescriptor, cpuFromDescriptor } from "./machine.ts";

/** Polls of the control word before the worker sleeps (some tens of microseconds). */
const SPIN_BEFORE_SLEEP = 20_000;

let bus: Bus | undefined;
/** Bank changes applied so far. */
let changesApplied = 0;

self.onmessage = (event: MessageEvent<ToHart>) => {
  const msg = event.data;
  if ("bank" in msg || "removeBank" in msg) {
    if ("bank" in msg) bus?.addBank(bankFromDescriptor(msg.bank));
    else bus?.removeBank(msg.removeBank);
    changesApplied++;
    return;
  }
  const hart = cpuFromDescriptor(msg);
  bus = hart.bus;
  self.postMessage("ready");
  serve(hart.cpu, new Int32Array(msg.hartState), msg.hartId * HART_WORDS);
};

/**
 * Runs the hart for `budget` instructions, answering here the environment calls the kernel
 * listed in the hart's answer table (a value that cannot change while the process is on this
 * hart, such as its pid): a0 gets the value and the hart goes on after the ecall, without the
 * round trip to the kernel's thread. Any other trap ends the run.
 */
function runAnswering(cpu: Cpu, h: Int32Array, base: number, budget: number): number {
  const start = cpu.instret;
  for (;;) {
    const exit = cpu.run(budget - (cpu.instret - start));
    if (exit !== RUN_TRAP || cpu.scause !== CAUSE.ECALL_FROM_U) return exit;
    const entries = Math.min(h[base + HS.ANSWERS], ANSWERS_MAX);
    const nr = cpu.x[17];
    let i = 0;
    while (i < entries && h[base + HS.ANSWER_NR + i] !== nr) i++;
    if (i === entries || cpu.instret - start >= budget) return exit;
    cpu.x[10] = h[base + HS.ANSWER_VALUE + i];
    cpu.pc = cpu.sepc + 4;
    Atomics.add(h, base + HS.ANSWERED + i, 1);
  }
}

async function serve(cpu: Cpu, h: Int32Array, base: number): Promise<void> {
  const control = base + HS.CONTROL;
  for (;;) {
    // A trap usually gets its answer within microseconds: spin briefly before sleeping, since
    // waking a sleeping thread costs tens of microseconds.
    for (let spin = 0; spin < SPIN_BEFORE_SLEEP && Atomics.load(h, control) === CONTROL_IDLE;) {
      spin++;
    }
    // The wait can end with the word still IDLE: the kernel's notify for the last command may
    // come after this worker saw the command by polling, ran it and went back to sleep. Serving
    // that wake-up (storing IDLE) could overwrite the kernel's next RUN, and the kernel would
    // take a run that never happened for a finished one; so only a command ends the wait.
    while (Atomics.load(h, control) === CONTROL_IDLE) Atomics.wait(h, control, CONTROL_IDLE);
    const command = Atomics.load(h, control);
    if (command === CONTROL_QUIT) break;
    if (command === CONTROL_RUN) {
      h[base + HS.EXIT] = runAnswering(cpu, h, base, h[base + HS.BUDGET]);
    } else if (command === CONTROL_ATTACH) {
      // The changes were posted before the command: let the event loop deliver them.
      while (changesApplied < h[base + HS.BUDGET]) await new Promise((r) => setTimeout(r, 0));
    }
    Atomics.store(h, control, CONTROL_IDLE);
    Atomics.notify(h, control);
  }
  self.close();
}
