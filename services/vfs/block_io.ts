/**
 * The disk as the buffer cache sees it (a BlockIo): the block driver's client. The cache's
 * region is handed to the driver (hello), and every transfer names an offset in it, so blocks
 * move by DMA between the disk and the cache.
 *
 * The driver may be restarted under us (kernel/supervisor.ts). A transfer cut off by that
 * (ECONNRESET, or ENOTCONN while nobody serves the name yet) is tried again on the next
 * instance, after a new hello, for up to RETRY_MS — as MINIX's libbdev does: reading or
 * writing the same sectors from the same cache slot again, or flushing again, does no harm.
 */

import { BLOCK, BLOCK_ENDPOINT } from "../../abi/block.ts";
import { RIGHT } from "../../abi/ipc.ts";
import { ECONNRESET, ENOTCONN } from "../../abi/errno.ts";
import { IpcError } from "../lib/errors.ts";
import type { Ipc, Region } from "../lib/ipc.ts";
import { defineProtocol } from "../lib/schema.ts";
import type { BlockIo } from "./cache.ts";

const Block = defineProtocol(BLOCK_ENDPOINT, BLOCK);

/** How long a transfer keeps trying across restarts of the driver. */
const RETRY_MS = 10_000;
const RETRY_PAUSE_MS = 2;

/** Connects to the block driver and hands it `region` (the cache's) for DMA. */
export async function connectBlock(
  ipc: Ipc,
  region: Region,
): Promise<BlockIo & { id: string; readonly retries: number }> {
  const connection = await ipc.lookup(BLOCK_ENDPOINT);
  const block = Block.client(connection);
  /** The connection the driver last had the region on. */
  let greeted = -1;
  const hello = async () => {
    const handle = await region.grant(RIGHT.READ | RIGHT.WRITE | RIGHT.GRANT);
    const info = await block.hello(undefined, { handles: [handle] });
    greeted = connection.channelId;
    return info;
  };
  const retrying = async <T>(op: () => Promise<T>): Promise<T> => {
    const end = performance.now() + RETRY_MS;
    for (;;) {
      try {
        if (connection.channelId !== greeted || !connection.open) await hello();
        return await op();
      } catch (e) {
        const cutOff = e instanceof IpcError && (e.errno === ECONNRESET || e.errno === ENOTCONN);
        if (!cutOff || performance.now() > end) throw e;
        retries++;
        await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
      }
    }
  };
  let retries = 0;
  const info = await hello();
  return {
    sectors: info.sectors,
    readOnly: info.readOnly !== 0,
    id: info.id,
    read: (sector, count, offset) => retrying(() => block.read({ sector, count, offset })),
    write: (sector, count, offset) => retrying(() => block.write({ sector, count, offset })),
    flush: () => retrying(() => block.flush(undefined)),
    get retries() {
      return retries;
    },
  };
}
