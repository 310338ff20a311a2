/**
 * Entry point of a host worker that runs one hart (see hart_thread.ts for the protocol).
 *
 * The worker is created with no Deno permissions at all: it touches nothing but the shared
 * buffers it is handed once, at start, by postMessage.
 */

/// <reference lib="deno.worker" />

import { HART_WORDS, HS } from "./hart_state.ts";
import { CONTROL_IDLE, CONTROL_QUIT, CONTROL_RUN, CONTROL_WAIT } from "./hart_thread.ts";
import { cpuFromDescriptor, type HartDescriptor } from "./machine.ts";

/** Polls of the control word before the worker sleeps (some tens of microseconds). */
const SPIN_BEFORE_SLEEP = 20_000;

self.onmessage = (event: MessageEvent<HartDescriptor>) => {
  const cpu = cpuFromDescriptor(event.data);
  const h = new Int32Array(event.data.hartState);
  const base = event.data.hartId * HART_WORDS;
  const control = base + HS.CONTROL;
  self.postMessage("ready");
  for (;;) {
    // A trap usually gets its answer within microseconds: spin briefly before sleeping, since
    // waking a sleeping thread costs tens of microseconds.
    for (let spin = 0; spin < SPIN_BEFORE_SLEEP && Atomics.load(h, control) === CONTROL_IDLE;) {
      spin++;
    }
    Atomics.wait(h, control, CONTROL_IDLE);
    const command = Atomics.load(h, control);
    if (command === CONTROL_QUIT) break;
    if (command === CONTROL_RUN) {
      h[base + HS.EXIT] = cpu.run(h[base + HS.BUDGET]);
    } else if (command === CONTROL_WAIT) {
      cpu.waitForInterrupt(h[base + HS.BUDGET]);
    }
    Atomics.store(h, control, CONTROL_IDLE);
    Atomics.notify(h, control);
  }
  self.close();
};
