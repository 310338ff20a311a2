/**
 * Driving the harts: the loop that picks a process, runs it on a hart and handles the trap.
 *
 * Two ways, one kernel: in the in-line mode every hart runs on the kernel's thread, one slice
 * each per round, and the machine clock is a manual one advanced by the instructions executed
 * (NOMINAL_MIPS), so a run is deterministic; idle time jumps straight to the next timer. In
 * the threads mode each hart runs on its own permission-less worker (HartThread), truly in
 * parallel; the kernel awaits each hart without blocking its thread, and kernel timers are
 * host timers. An idle hart's worker sleeps in Atomics.wait on its control word while the
 * kernel waits (asynchronously) for work for it, or for an interrupt raised on it; the next
 * RUN command wakes the worker — one wake-up, not an IPI and an answer to it.
 */

import { Clock, HOST_TIMER_MAX_MS } from "../machine/clock.ts";
import { HartThread } from "../machine/hart_thread.ts";
import { HART_WORDS, HS } from "../machine/hart_state.ts";
import { watchWord } from "../abi/wait.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";

/** Instruction rate the in-line mode's clock assumes. */
export const NOMINAL_MIPS = 100;
/** Instructions per slice in the in-line mode (10 ms at NOMINAL_MIPS). */
const INLINE_SLICE_INSTRUCTIONS = 1_000_000;
/** Instructions a hart worker may run before reporting back even without a trap. */
const THREAD_BUDGET = 50_000_000;
/** Longest an idle hart sleeps before looking again, in ms. */
const IDLE_SLEEP_MS = 100;
/** Longest the in-line loop keeps the thread before letting host events in, in ms. */
const YIELD_INTERVAL_MS = 100;
const TICKS_PER_INSTRUCTION = Clock.msToTicks(1) / (NOMINAL_MIPS * 1000);

/** Picks a process for hart `h` that is ready to run after `prepare`, or undefined. */
function pickRunnable(k: Kernel, h: number): Process | undefined {
  for (;;) {
    const p = k.sched.pick(h);
    if (!p) return undefined;
    if (k.prepare(h, p)) return p;
  }
}

/** Runs every hart on the kernel's thread until the system ends. */
export async function runInline(k: Kernel): Promise<void> {
  const clock = k.machine.clock;
  const harts = k.machine.harts;
  const running: (Process | undefined)[] = new Array(harts).fill(undefined);
  let kick: (() => void) | undefined;
  k.wakeHart = () => kick?.();
  let lastYield = performance.now();
  // Ticks each hart ran its process this round (-1: it had none), for the time accounting.
  const ran = new Array<number>(harts);
  while (!k.halted) {
    let longest = 0;
    let busy = false;
    ran.fill(-1);
    for (let h = 0; h < harts && !k.halted; h++) {
      let p = running[h];
      if (p && k.mustReschedule(h, p)) { // killed, stopped or signalled between rounds
        k.leave(h, p);
        p = running[h] = undefined;
      }
      if (!p) {
        k.idleInterrupts(h);
        p = pickRunnable(k, h);
        if (!p) continue;
        k.enter(h, p);
      }
      busy = true;
      const cpu = k.machine.cpus[h];
      const before = cpu.instret;
      const exit = cpu.run(INLINE_SLICE_INSTRUCTIONS);
      const n = cpu.instret - before;
      longest = Math.max(longest, n);
      ran[h] = Math.round(n * TICKS_PER_INSTRUCTION);
      k.afterRun(h, p, exit, n, ran[h]);
      if (k.mustReschedule(h, p)) {
        k.leave(h, p);
        running[h] = undefined;
      } else {
        k.resume(h, p);
        running[h] = p;
      }
    }
    if (busy) {
      const round = Math.max(1, Math.round(longest * TICKS_PER_INSTRUCTION));
      clock.advance(round);
      // A hart that ran for less than the round spent the rest in the kernel (its trap).
      ran.forEach((t, h) => {
        if (t < 0) k.hartCounters[h].idleTicks += round;
        else k.hartCounters[h].systemTicks += round - t;
      });
    } else if (k.client.pending > 0 && !k.halted) {
      // A service is working for a process: its answer is a host event, and time stands
      // still (on the machine's clock) until it comes.
      await new Promise<void>((resolve) => (kick = resolve));
      kick = undefined;
      lastYield = performance.now();
    } else if (k.timers.next() !== Infinity) {
      const idle = k.timers.next() - clock.now();
      if (idle > 0) {
        clock.advance(idle);
        for (const c of k.hartCounters) c.idleTicks += idle;
      }
    } else if (!k.halted) {
      await new Promise<void>((resolve) => (kick = resolve)); // only host events remain
      kick = undefined;
    }
    k.timers.fireDue(clock.now());
    if (performance.now() - lastYield > YIELD_INTERVAL_MS) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      lastYield = performance.now();
    }
  }
}

/** Runs each hart on its own host worker until the system ends. */
export async function runThreaded(k: Kernel): Promise<void> {
  const harts = k.machine.harts;
  const threads = await Promise.all(
    Array.from({ length: harts }, (_, h) => HartThread.start(k.machine, h, k.workers)),
  );
  let hostTimer: ReturnType<typeof setTimeout> | undefined;
  const armHostTimer = () => {
    if (hostTimer !== undefined) clearTimeout(hostTimer);
    hostTimer = undefined;
    const ms = k.msUntilNextTimer();
    if (ms === Infinity || k.halted) return;
    hostTimer = setTimeout(() => {
      hostTimer = undefined;
      k.timers.fireDue(k.mtime());
      armHostTimer();
    }, Math.min(HOST_TIMER_MAX_MS, Math.ceil(ms))); // a later deadline re-arms when this fires
  };
  k.onTimerChange = armHostTimer;
  const kicks: Array<() => void> = threads.map(() => () => {});
  k.wakeHart = (h) => kicks[h]();
  const idle = (h: number, ms: number) =>
    new Promise<void>((resolve) => {
      const words = new Int32Array(k.machine.hartState);
      const wake = h * HART_WORDS + HS.WAKE;
      const timer = setTimeout(done, Math.max(1, Math.ceil(ms)));
      const stopWatching = watchWord(words, wake, Atomics.load(words, wake), done);
      kicks[h] = done;
      function done() {
        kicks[h] = () => {};
        clearTimeout(timer);
        stopWatching();
        resolve();
      }
    });
  try {
    await Promise.all(threads.map((t, h) => hartLoop(k, h, t, (ms) => idle(h, ms))));
  } finally {
    if (hostTimer !== undefined) clearTimeout(hostTimer);
    for (const t of threads) t.terminate();
  }
}

async function hartLoop(
  k: Kernel,
  h: number,
  thread: HartThread,
  idle: (ms: number) => Promise<void>,
): Promise<void> {
  const cpu = k.machine.cpus[h];
  const counters = k.hartCounters[h];
  let p: Process | undefined;
  // The end of the last idle wait or run: the time since went to the kernel.
  let mark = k.mtime();
  while (!k.halted) {
    if (!p) {
      p = pickRunnable(k, h);
      if (!p) {
        const start = k.mtime();
        counters.systemTicks += start - mark;
        await idle(Math.min(IDLE_SLEEP_MS, k.msUntilNextTimer()));
        mark = k.mtime();
        counters.idleTicks += mark - start;
        k.idleInterrupts(h);
        continue;
      }
      k.enter(h, p);
    }
    const before = cpu.instret;
    const start = k.mtime();
    counters.systemTicks += start - mark;
    k.executing[h] = true;
    const exit = await thread.run(THREAD_BUDGET);
    k.executing[h] = false;
    mark = k.mtime();
    k.afterRun(h, p, exit, cpu.instret - before, mark - start);
    if (k.mustReschedule(h, p)) {
      k.leave(h, p);
      p = undefined;
    } else {
      k.resume(h, p);
    }
  }
}
