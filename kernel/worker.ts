/**
 * Entry point of the kernel's own worker: the kernel runs here, not on the main thread.
 *
 * The main thread (scripts/rv32.ts) creates this worker with only the permission to read
 * files, and hands it the boot parameters once by postMessage. The workers the kernel needs
 * (harts, services) are created by the main thread on its behalf — Deno starts a worker created
 * inside a worker about a second late — and their set-up messages are relayed; after set-up,
 * harts, services and kernel talk only through shared memory. The exit status goes back by
 * postMessage at the end.
 */

/// <reference lib="deno.worker" />

import type { WorkerFactory, WorkerLike } from "../machine/workers.ts";
import type { ServiceSpec } from "./ipc/service_host.ts";
import { Kernel, type KernelOptions, SpawnError } from "./kernel.ts";
import { formatStats } from "./stats.ts";

/** What the main thread sends first. */
export interface BootRequest {
  type: "boot";
  options: Pick<KernelOptions, "harts" | "mode" | "hostRoot" | "trace" | "verbose">;
  /** Services to start before init. */
  services: ServiceSpec[];
  /** The program as init execs it, and its arguments (argv[1..]). */
  program: string;
  args: string[];
  envp: string[];
  /** Print per-hart and per-process counters on stderr at the end. */
  stats: boolean;
}

/** Messages to the kernel worker: boot, then what the workers it asked for say. */
export type ToKernel =
  | BootRequest
  | { type: "worker-message"; id: number; data: unknown }
  | { type: "worker-error"; id: number; message: string };

/** The end: the exit status for the runner, or why the system could not boot. */
export type BootReply = { type: "exit"; status: number } | { type: "error"; error: string };

/** Messages from the kernel worker: worker requests, then the end. */
export type FromKernel =
  | { type: "spawn"; id: number; url: string }
  | { type: "worker-post"; id: number; data: unknown }
  | { type: "worker-terminate"; id: number }
  | BootReply;

function post(message: FromKernel): void {
  self.postMessage(message);
}

const relayed = new Map<number, WorkerLike>();
let nextWorker = 1;

/** Workers created by the main thread, their messages relayed both ways. */
const relayedWorkers: WorkerFactory = (url) => {
  const id = nextWorker++;
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (data) => post({ type: "worker-post", id, data }),
    terminate: () => {
      relayed.delete(id);
      post({ type: "worker-terminate", id });
    },
  };
  relayed.set(id, worker);
  post({ type: "spawn", id, url: url.href });
  return worker;
};

async function boot(req: BootRequest): Promise<void> {
  let reply: BootReply;
  try {
    const kernel = new Kernel({ ...req.options, workers: relayedWorkers });
    for (const spec of req.services) await kernel.services.start(spec);
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
  if (msg.type === "boot") {
    boot(msg);
  } else if (msg.type === "worker-message") {
    relayed.get(msg.id)?.onmessage?.(new MessageEvent("message", { data: msg.data }));
  } else {
    relayed.get(msg.id)?.onerror?.(
      new ErrorEvent("error", { message: msg.message, cancelable: true }),
    );
  }
};
