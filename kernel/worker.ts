/**
 * Entry point of the kernel's own worker: the kernel runs here, not on the main thread.
 *
 * The main thread (scripts/rv32.ts) creates this worker with only the permission to read
 * files, hands it the boot parameters once by postMessage, and gets the exit status back the
 * same way. Everything else — the machine, its hart workers, the console — lives here.
 */

/// <reference lib="deno.worker" />

import { Kernel, type KernelOptions, SpawnError } from "./kernel.ts";
import { formatStats } from "./stats.ts";

/** What the main thread sends. */
export interface BootRequest {
  options: Pick<KernelOptions, "harts" | "mode" | "hostRoot" | "trace" | "verbose">;
  /** The program as init execs it, and its arguments (argv[1..]). */
  program: string;
  args: string[];
  envp: string[];
  /** Print per-hart and per-process counters on stderr at the end. */
  stats: boolean;
}

/** What the worker answers: the exit status for the runner, or why it could not boot. */
export type BootReply = { status: number } | { error: string };

self.onmessage = async (event: MessageEvent<BootRequest>) => {
  const req = event.data;
  let reply: BootReply;
  try {
    const kernel = new Kernel(req.options);
    kernel.boot(req.program, req.args, req.envp);
    const exit = await kernel.run();
    if (req.stats) console.error(formatStats(kernel));
    reply = { status: exit.signal ? 128 + exit.signal : exit.status };
  } catch (e) {
    if (!(e instanceof SpawnError)) throw e;
    reply = { error: e.message };
  }
  self.postMessage(reply);
};
