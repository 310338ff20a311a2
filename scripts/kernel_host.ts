/**
 * The host side of a boot, shared by `deno task rv32` and `deno task boot`: starts the kernel
 * in its own worker with no Deno permissions, serves the disk image to it over a port, creates
 * the workers it asks for (harts, services) with the permissions it names and relays their
 * set-up messages, and returns how the system ended (kernel/worker.ts has the other side).
 */

import type { DiskImage } from "../machine/backends/disk_image.ts";
import { serveDisk } from "../machine/backends/remote_disk.ts";
import { localWorkers, type WorkerPermissions } from "../machine/workers.ts";
import type { BootReply, BootRequest, FromKernel, ToKernel } from "../kernel/worker.ts";

/**
 * Boots the system `request` describes, with `disk` fitted (and `console`, the web console's
 * end of its link and its number of terminals, handed to the kernel); resolves when it has
 * ended.
 */
export async function runKernel(
  request: Omit<BootRequest, "disk" | "diskPort" | "console">,
  disk: DiskImage | undefined,
  console?: BootRequest["console"],
): Promise<BootReply> {
  const worker = new Worker(new URL("../kernel/worker.ts", import.meta.url), {
    type: "module",
    deno: { permissions: "none" },
  });
  const workers = new Map<number, Worker>();
  const reply = new Promise<BootReply>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<FromKernel>) => {
      const msg = e.data;
      if (msg.type === "spawn") spawn(msg.id, msg.url, msg.permissions);
      else if (msg.type === "worker-post") workers.get(msg.id)?.postMessage(msg.data);
      else if (msg.type === "worker-terminate") {
        workers.get(msg.id)?.terminate();
        workers.delete(msg.id);
      } else resolve(msg);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`kernel worker failed: ${e.message}`));
    };
  });
  /** Creates a worker the kernel asked for and relays what it says. */
  const spawn = (id: number, url: string, permissions: WorkerPermissions) => {
    const w = localWorkers(new URL(url), permissions) as Worker;
    workers.set(id, w);
    w.onmessage = (e) =>
      worker.postMessage({ type: "worker-message", id, data: e.data } satisfies ToKernel);
    w.onerror = (e) => {
      e.preventDefault();
      worker.postMessage({ type: "worker-error", id, message: e.message } satisfies ToKernel);
    };
  };
  const channel = disk ? new MessageChannel() : undefined;
  if (disk && channel) serveDisk(channel.port1, disk);
  const full: BootRequest = {
    ...request,
    disk: disk && {
      capacity_sectors: disk.capacity_sectors,
      read_only: disk.read_only,
      id: disk.id,
    },
    diskPort: channel?.port2,
    console,
  };
  worker.postMessage(full, [...channel ? [channel.port2] : [], ...console ? [console.port] : []]);
  const result = await reply;
  worker.terminate();
  for (const w of workers.values()) w.terminate();
  channel?.port1.close();
  await disk?.close();
  return result;
}
