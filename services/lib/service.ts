/**
 * Starting a service module, in-line or as its own worker. A service module ends with
 * `export default service(main, import.meta.main);`: when the kernel starts the module as a
 * worker (a worker with no Deno permissions at all), `service` receives the boot parameters
 * once by postMessage and runs main over a WorkerTransport; when the kernel imports the module
 * to run it in-line, it calls the default export with its in-line port.
 */

/// <reference lib="deno.worker" />

import type { Attachment } from "../../abi/ipc.ts";
import {
  type Fault,
  HEARTBEAT,
  HEARTBEAT_MS,
  type InlinePort,
  type InlineStart,
  SERVICE_FINISHED,
  type ToService,
} from "../../abi/service.ts";
import { Ipc } from "./ipc.ts";
import { InlineTransport, WorkerTransport } from "./transport.ts";

/** A service's entry point. */
export type ServiceMain = (ipc: Ipc) => Promise<void>;

/**
 * The module's service: started at once as a worker when `workerEntry` (the module's
 * `import.meta.main`), and in any case the in-line start the kernel calls.
 */
export function service(main: ServiceMain, workerEntry: boolean): InlineStart {
  if (workerEntry) runWorker(main);
  return (port) => main(embedded(port));
}

/** An IPC view over an in-line port (for code on the kernel's thread: tests, benchmarks). */
export function embedded(port: InlinePort): Ipc {
  return new Ipc(new InlineTransport(port));
}

/**
 * What an injected fault does: a crash is an exception nobody catches (the worker's error
 * event); a hang never returns to the event loop (the heartbeat stops) — it waits for the
 * kernel to stop the worker rather than spin, since a spinning worker's thread outlives its
 * `terminate()` (abi/service.ts), and then ends as a crash.
 */
function injectFault(fault: Fault, beat: Int32Array): never {
  if (fault === "hang") Atomics.wait(beat, HEARTBEAT.STOPPED, 0);
  const e = new Error(`${fault === "hang" ? "hung" : "crashed"} on request (an injected fault)`);
  e.stack = e.message; // one line on stderr per fault, not a stack trace
  throw e;
}

/** Waits for the boot message, then runs `main`; tells the kernel when it returns. */
function runWorker(main: ServiceMain): void {
  let transport: WorkerTransport | undefined;
  let beat: Int32Array<ArrayBufferLike> = new Int32Array(HEARTBEAT.WORDS);
  const early: Attachment[] = [];
  self.onmessage = async (event: MessageEvent<ToService>) => {
    const msg = event.data;
    if (msg.type === "attach") {
      if (transport) transport.deliver(msg.attachment);
      else early.push(msg.attachment);
      return;
    }
    if (msg.type === "fault") {
      injectFault(msg.fault, beat);
      return;
    }
    beat = new Int32Array(msg.heartbeat);
    setInterval(() => Atomics.add(beat, HEARTBEAT.BEAT, 1), HEARTBEAT_MS);
    transport = new WorkerTransport(msg);
    for (const a of early.splice(0)) transport.deliver(a);
    await main(new Ipc(transport));
    self.postMessage(SERVICE_FINISHED);
  };
}
