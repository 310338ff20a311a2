/**
 * A disk whose image the host thread holds: the block back end of a machine running in a
 * worker without file permissions. The worker's side (RemoteDisk) sends each transfer over a
 * MessagePort to the host's side (serveDisk), which moves the bytes straight between the image
 * file and guest RAM — a view of the same SharedArrayBuffer, so still no copy — and answers.
 * This is the hypervisor's job: the guest (the kernel's worker) never touches a host file.
 */

import type { BlockBackend } from "../block_device.ts";

/** What the host tells the worker about the disk. */
export interface RemoteDiskInfo {
  capacity_sectors: number;
  read_only: boolean;
  id: string;
}

/** A transfer, as it crosses the port (no id yet). */
type DiskTransfer =
  | {
    op: "read" | "write";
    sector: number;
    buffer: SharedArrayBuffer;
    at: number;
    length: number;
  }
  | { op: "flush" };

/** A transfer with the id its answer carries. */
type DiskRequest = DiskTransfer & { id: number };

/** The answer to a transfer. */
interface DiskReply {
  id: number;
  error?: string;
}

/** The worker's side: a BlockBackend over a port. */
export class RemoteDisk implements BlockBackend {
  readonly capacity_sectors: number;
  readonly read_only: boolean;
  readonly id: string;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(private readonly port: MessagePort, info: RemoteDiskInfo) {
    this.capacity_sectors = info.capacity_sectors;
    this.read_only = info.read_only;
    this.id = info.id;
    port.onmessage = (e: MessageEvent<DiskReply>) => {
      const p = this.pending.get(e.data.id);
      if (!p) return;
      this.pending.delete(e.data.id);
      if (e.data.error === undefined) p.resolve();
      else p.reject(new Error(e.data.error));
    };
  }

  private send(request: DiskTransfer): Promise<void> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.port.postMessage({ ...request, id });
    });
  }

  private transfer(op: "read" | "write", sector: number, view: Uint8Array): Promise<void> {
    if (!(view.buffer instanceof SharedArrayBuffer)) {
      return Promise.reject(new Error("remote disk: DMA only into shared memory"));
    }
    return this.send({ op, sector, buffer: view.buffer, at: view.byteOffset, length: view.length });
  }

  read(sector: number, into: Uint8Array): Promise<void> {
    return this.transfer("read", sector, into);
  }

  write(sector: number, from: Uint8Array): Promise<void> {
    return this.transfer("write", sector, from);
  }

  flush(): Promise<void> {
    return this.send({ op: "flush" });
  }

  /** Stops listening (the machine is going away). */
  close(): void {
    this.port.close();
  }
}

/** The host's side: serves `disk` on `port`; each answer says whether the transfer failed. */
export function serveDisk(port: MessagePort, disk: BlockBackend): void {
  port.onmessage = async (e: MessageEvent<DiskRequest>) => {
    const r = e.data;
    let error: string | undefined;
    try {
      if (r.op === "flush") await disk.flush();
      else {
        const view = new Uint8Array(r.buffer, r.at, r.length);
        if (r.op === "read") await disk.read(r.sector, view);
        else await disk.write(r.sector, view);
      }
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    port.postMessage({ id: r.id, error } satisfies DiskReply);
  };
}
