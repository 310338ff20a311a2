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
import type { Cpu } from "./cpu.ts";
import { HART_WORDS, HS } from "./hart_state.ts";
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
      h[base + HS.EXIT] = cpu.run(h[base + HS.BUDGET]);
    } else if (command === CONTROL_ATTACH) {
      // The changes were posted before the command: let the event loop deliver them.
      while (changesApplied < h[base + HS.BUDGET]) await new Promise((r) => setTimeout(r, 0));
    }
    Atomics.store(h, control, CONTROL_IDLE);
    Atomics.notify(h, control);
  }
  self.close();
}
