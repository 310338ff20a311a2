/**
 * Running a hart on its own host thread.
 *
 * The kernel's thread and the hart's worker share the hart's state block. The protocol is one
 * word, CONTROL: the kernel writes BUDGET, stores RUN and notifies; the worker runs, writes
 * EXIT, stores IDLE and notifies; the kernel awaits that through abi/wait.ts (whose
 * keep-alive timer also catches a notify Deno failed to deliver), so its own thread never
 * blocks. Between runs the worker sleeps in Atomics.wait on CONTROL (after a
 * short spin). Only the kernel moves CONTROL from IDLE and only the worker moves it back, and
 * a wake-up that finds CONTROL unchanged is no command (a notify can arrive late).
 * postMessage is used for set-up only: the buffers, and the changes to the set of shared RAM
 * banks (IPC regions made or freed later), which the worker applies, in order, when
 * told to (ATTACH) before its next run. Only while it executes does a worker's bus matter to
 * the shared window (`Machine.hartExecuting`): a range its stale bus still maps is not reused
 * until that run ends, and every run starts with the bus caught up.
 *
 * Who creates the worker is a WorkerFactory (workers.ts): on this thread, or, for a kernel
 * that runs in a worker, on the main thread; after set-up everything goes through the shared
 * control word either way.
 */

import { startWait } from "../abi/wait.ts";
import { HART_WORDS, HS } from "./hart_state.ts";
import type { RamBank } from "./bus.ts";
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
/** Apply the bank changes posted to the worker until it has applied BUDGET of them in all. */
export const CONTROL_ATTACH = 3;

/**
 * What a hart worker receives by postMessage: its descriptor, then changes to its banks: a
 * bank to add, or the base of one to remove.
 */
export type ToHart = HartDescriptor | { bank: BankDescriptor } | { removeBank: number };

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
  /** The shared banks the worker's bus has, and the bank-set version that is. */
  private readonly banks: Set<RamBank>;
  private bankVersion: number;
  /** Bank changes posted to the worker so far. */
  private changesPosted = 0;

  private constructor(
    readonly hartId: number,
    private readonly machine: Machine,
    private readonly worker: WorkerLike,
    banks: RamBank[],
    bankVersion: number,
  ) {
    this.banks = new Set(banks);
    this.bankVersion = bankVersion;
    this.h = new Int32Array(machine.hartState);
    this.base = hartId * HART_WORDS;
  }

  /** Starts a worker for `hartId` of `machine` and waits until it is ready. */
  static async start(
    machine: Machine,
    hartId: number,
    workers: WorkerFactory = localWorkers,
  ): Promise<HartThread> {
    const descriptor = machine.hartDescriptor(hartId);
    const banks = [...machine.sharedBanks];
    const worker = await launch(workers, descriptor);
    return new HartThread(hartId, machine, worker, banks, descriptor.bankVersion);
  }

  /** Brings the worker's bus up to the machine's shared banks: removals first, then additions. */
  private async catchUpOnBanks(): Promise<void> {
    const machine = this.machine;
    const version = machine.bankVersion;
    const now = new Set(machine.sharedBanks);
    for (const bank of [...this.banks].filter((b) => !now.has(b))) {
      this.worker.postMessage({ removeBank: bank.base } satisfies ToHart);
      this.banks.delete(bank);
      this.changesPosted++;
    }
    for (const bank of [...now].filter((b) => !this.banks.has(b))) {
      this.worker.postMessage({ bank: bankDescriptor(bank) } satisfies ToHart);
      this.banks.add(bank);
      this.changesPosted++;
    }
    await this.command(CONTROL_ATTACH, this.changesPosted);
    this.bankVersion = version;
  }

  /**
   * Runs at most `budget` instructions (capped at 2^31 - 1, the width of the shared budget word)
   * on the worker; resolves with RUN_BUDGET or RUN_TRAP.
   */
  async run(budget: number): Promise<number> {
    // Banks may change while the worker applies earlier changes: catch up until none are left.
    while (this.bankVersion !== this.machine.bankVersion) await this.catchUpOnBanks();
    this.machine.hartExecuting(this.hartId, this.bankVersion);
    try {
      await this.command(CONTROL_RUN, Math.max(0, Math.min(2 ** 31 - 1, Math.floor(budget))));
    } finally {
      this.machine.hartExecuting(this.hartId, undefined);
    }
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
        await startWait(this.h, control, command, Infinity, true).promise;
      }
    } finally {
      this.busy = false;
    }
  }
}
