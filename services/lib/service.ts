/**
 * Running a service module as its own worker. A service module exports `main(ipc)` and ends
 * with `if (import.meta.main) runService(main);`: when the kernel starts the module as a
 * worker (a worker with no Deno permissions at all), this receives the boot parameters once by
 * postMessage and runs main over a WorkerTransport; when the kernel imports the module to run
 * it in-line, nothing here runs.
 */

/// <reference lib="deno.worker" />

import type { ToService } from "../../kernel/ipc/service_host.ts";
import type { Attachment } from "../../kernel/ipc/protocol.ts";
import { Ipc } from "./ipc.ts";
import { WorkerTransport } from "./transport.ts";

/** A service's entry point. */
export type ServiceMain = (ipc: Ipc) => Promise<void>;

/** Waits for the boot message, then runs `main`; tells the kernel when it returns. */
export function runService(main: ServiceMain): void {
  let transport: WorkerTransport | undefined;
  const early: Attachment[] = [];
  self.onmessage = async (event: MessageEvent<ToService>) => {
    const msg = event.data;
    if (msg.type === "attach") {
      if (transport) transport.deliver(msg.attachment);
      else early.push(msg.attachment);
      return;
    }
    transport = new WorkerTransport(msg);
    for (const a of early.splice(0)) transport.deliver(a);
    await main(new Ipc(transport));
    self.postMessage("finished");
  };
}
