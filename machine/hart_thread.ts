/**
 * Running a hart on its own host thread.
 *
 * The kernel's thread and the hart's worker share the hart's state block. The protocol is one
 * word, CONTROL: the kernel writes BUDGET, stores RUN and notifies; the worker runs, writes
 * EXIT, stores IDLE and notifies; the kernel awaits that with Atomics.waitAsync, so its own
 * thread never blocks. Between runs the worker sleeps in Atomics.wait on CONTROL (after a
 * short spin). postMessage is used for set-up only: the buffers, and RAM banks made later.
 *
 * Who creates the worker is a WorkerFactory (workers.ts): on this thread, or, for a kernel
 * that runs in a worker, on the main thread; after set-up everything goes through the shared
 * control word either way.
 */

import { HART_WORDS, HS } from "./hart_state.ts";
import {
  type BankDescriptor,
  bankDescriptor,
  type HartDescriptor,
  type Machine,
} from "./machine.ts";
import { localWorkers, type WorkerFactory, type WorkerLike } from "./workers.ts";

/** Polls of the control word before the kernel awaits a hart asynchronously. */
const SPIN_BEFORE_AWAIT = 2_000;

export const CONTROL_IDLE = 0;
export const CONTROL_RUN = 1;
export const CONTROL_QUIT = 2;
/** Add the banks posted to the worker until its bus has BUDGET banks. */
export const CONTROL_ATTACH = 3;

/** What a hart worker receives by postMessage: its descriptor, then banks made later. */
export type ToHart = HartDescriptor | { bank: BankDescriptor };

/** Starts the hart worker for `descriptor`; resolves once it is ready. */
async function launch(workers: WorkerFactory, descriptor: HartDescriptor): Promise<WorkerLike> {
  const worker = workers(new URL("./hart_worker.ts", import.meta.url));
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = () => resolve();
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`hart ${descriptor.hartId} worker failed: ${e.message}`));
    };
  });
  worker.postMessage(descriptor);
  await ready;
  return worker;
}

/** A hart executing on a dedicated, permission-less Deno worker. */
export class HartThread {
  private readonly h: Int32Array;
  private readonly base: number;
  private busy = false;

  /** Banks the worker's bus has. */
  private banks: number;

  private constructor(
    readonly hartId: number,
    hartState: SharedArrayBuffer,
    private readonly worker: WorkerLike,
    banks: number,
  ) {
    this.banks = banks;
    this.h = new Int32Array(hartState);
    this.base = hartId * HART_WORDS;
  }

  /** Starts a worker for `hartId` of `machine` and waits until it is ready. */
  static async start(
    machine: Machine,
    hartId: number,
    workers: WorkerFactory = localWorkers,
  ): Promise<HartThread> {
    const descriptor = machine.hartDescriptor(hartId);
    const worker = await launch(workers, descriptor);
    return new HartThread(hartId, machine.hartState, worker, 1 + descriptor.sharedBanks.length);
  }

  /** Gives the worker the machine's shared banks it does not have yet. */
  async attachBanks(machine: Machine): Promise<void> {
    const want = 1 + machine.sharedBanks.length;
    if (this.banks >= want) return;
    for (const bank of machine.sharedBanks.slice(this.banks - 1)) {
      this.worker.postMessage({ bank: bankDescriptor(bank) } satisfies ToHart);
    }
    await this.command(CONTROL_ATTACH, want);
    this.banks = want;
  }

  /** Whether the worker lacks some of the machine's banks. */
  lacksBanks(machine: Machine): boolean {
    return this.banks < 1 + machine.sharedBanks.length;
  }

  /**
   * Runs at most `budget` instructions (capped at 2^31 - 1, the width of the shared budget word)
   * on the worker; resolves with RUN_BUDGET or RUN_TRAP.
   */
  async run(budget: number): Promise<number> {
    await this.command(CONTROL_RUN, Math.max(0, Math.min(2 ** 31 - 1, Math.floor(budget))));
    return this.h[this.base + HS.EXIT];
  }

  /** Stops the worker. The hart's state stays in shared memory. */
  terminate(): void {
    Atomics.store(this.h, this.base + HS.CONTROL, CONTROL_QUIT);
    Atomics.notify(this.h, this.base + HS.CONTROL);
    this.worker.terminate();
  }

  private async command(command: number, argument: number): Promise<void> {
    if (this.busy) throw new Error(`hart ${this.hartId} is already busy`);
    this.busy = true;
    try {
      const control = this.base + HS.CONTROL;
      this.h[this.base + HS.BUDGET] = argument;
      Atomics.store(this.h, control, command);
      Atomics.notify(this.h, control);
      // A short run (a system call's round trip) ends within microseconds: poll briefly first.
      for (let spin = 0; spin < SPIN_BEFORE_AWAIT && Atomics.load(this.h, control) === command;) {
        spin++;
      }
      while (Atomics.load(this.h, control) === command) {
        const wait = Atomics.waitAsync(this.h, control, command);
        if (wait.async) await wait.value;
      }
    } finally {
      this.busy = false;
    }
  }
}
