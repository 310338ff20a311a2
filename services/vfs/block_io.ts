/**
 * The disk as the buffer cache sees it (a BlockIo): the block driver's client. The cache's
 * region is handed to the driver (hello), and every transfer names an offset in it, so blocks
 * move by DMA between the disk and the cache.
 *
 * The driver may be restarted under us (kernel/supervisor.ts): a transfer cut off by that is
 * made again on the next instance, after a new hello (services/lib/reconnect.ts) — reading or
 * writing the same sectors from the same cache slot again, or flushing again, does no harm.
 */

import { BLOCK, BLOCK_ENDPOINT } from "../../abi/block.ts";
import { RIGHT } from "../../abi/ipc.ts";
import type { Ipc, Region } from "../lib/ipc.ts";
import { lookupServed, Reconnecting } from "../lib/reconnect.ts";
import { defineProtocol } from "../lib/schema.ts";
import type { BlockIo } from "./cache.ts";

const Block = defineProtocol(BLOCK_ENDPOINT, BLOCK);

/** Connects to the block driver and hands it `region` (the cache's) for DMA. */
export async function connectBlock(
  ipc: Ipc,
  region: Region,
): Promise<BlockIo & { id: string; readonly retries: number }> {
  const connection = await lookupServed(ipc, BLOCK_ENDPOINT);
  const raw = Block.client(connection);
  let info: { sectors: number; readOnly: number; id: string } | undefined;
  const handle = await region.grant(RIGHT.READ | RIGHT.WRITE | RIGHT.GRANT);
  const link = new Reconnecting(connection, async () => {
    info = await raw.hello(undefined, { handles: [handle] });
  });
  await link.run(() => Promise.resolve()); // the driver may be restarting as we start
  const block = link.wrap(raw);
  return {
    sectors: info!.sectors,
    readOnly: info!.readOnly !== 0,
    id: info!.id,
    read: (sector, count, offset) => block.read({ sector, count, offset }),
    write: (sector, count, offset) => block.write({ sector, count, offset }),
    flush: () => block.flush(undefined),
    get retries() {
      return link.retries;
    },
  };
}
