/**
 * Entry point of the kernel's own worker: the kernel runs here, not on the main thread.
 *
 * The main thread (scripts/rv32.ts) creates this worker with only the permission to read
 * files and hands it the boot parameters once by postMessage. The kernel asks the main thread
 * to launch its hart workers (Deno starts a worker created inside a worker about a second
 * late); after that, harts and kernel talk only through shared memory. The exit status goes
 * back by postMessage at the end.
 */

/// <reference lib="deno.worker" />

import type { HartDescriptor } from "../machine/machine.ts";
import { Kernel, type KernelOptions, SpawnError } from "./kernel.ts";
import { formatStats } from "./stats.ts";

/** What the main thread sends first. */
export interface BootRequest {
  type: "boot";
  options: Pick<KernelOptions, "harts" | "mode" | "hostRoot" | "trace" | "verbose">;
  /** The program as init execs it, and its arguments (argv[1..]). */
  program: string;
  args: string[];
  envp: string[];
  /** Print per-hart and per-process counters on stderr at the end. */
  stats: boolean;
}

/** The main thread's answer to a LaunchRequest. */
export interface HartLaunched {
  type: "launched";
  hartId: number;
}

/** Messages to the kernel worker. */
export type ToKernel = BootRequest | HartLaunched;

/** The kernel asks the main thread to start a hart worker with these buffers. */
export interface LaunchRequest {
  type: "launch";
  descriptor: HartDescriptor;
}

/** The end: the exit status for the runner, or why the system could not boot. */
export type BootReply = { type: "exit"; status: number } | { type: "error"; error: string };

/** Messages from the kernel worker. */
export type FromKernel = LaunchRequest | BootReply;

const launched = new Map<number, () => void>();

function post(message: FromKernel): void {
  self.postMessage(message);
}

async function boot(req: BootRequest): Promise<void> {
  let reply: BootReply;
  try {
    const kernel = new Kernel({
      ...req.options,
      hartLauncher: (descriptor) =>
        new Promise((resolve) => {
          launched.set(descriptor.hartId, () => resolve(() => {}));
          post({ type: "launch", descriptor });
        }),
    });
    kernel.boot(req.program, req.args, req.envp);
    const exit = await kernel.run();
    if (req.stats) console.error(formatStats(kernel));
    reply = { type: "exit", status: exit.signal ? 128 + exit.signal : exit.status };
  } catch (e) {
    if (!(e instanceof SpawnError)) throw e;
    reply = { type: "error", error: e.message };
  }
  post(reply);
}

self.onmessage = (event: MessageEvent<ToKernel>) => {
  const msg = event.data;
  if (msg.type === "boot") boot(msg);
  else launched.get(msg.hartId)?.();
};
