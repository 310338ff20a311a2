/**
 * The disk as the buffer cache sees it (a BlockIo): the block driver's client. The cache's
 * region is handed to the driver once, and every transfer names an offset in it, so blocks
 * move by DMA between the disk and the cache.
 */

import { BLOCK, BLOCK_ENDPOINT } from "../../abi/block.ts";
import { RIGHT } from "../../abi/ipc.ts";
import type { Ipc, Region } from "../lib/ipc.ts";
import { defineProtocol } from "../lib/schema.ts";
import type { BlockIo } from "./cache.ts";

const Block = defineProtocol(BLOCK_ENDPOINT, BLOCK);

/** Connects to the block driver and hands it `region` (the cache's) for DMA. */
export async function connectBlock(ipc: Ipc, region: Region): Promise<BlockIo & { id: string }> {
  const block = Block.client(await ipc.lookup(BLOCK_ENDPOINT));
  const handle = await region.grant(RIGHT.READ | RIGHT.WRITE | RIGHT.GRANT);
  const info = await block.hello(undefined, { handles: [handle] });
  return {
    sectors: info.sectors,
    readOnly: info.readOnly !== 0,
    id: info.id,
    read: (sector, count, offset) => block.read({ sector, count, offset }),
    write: (sector, count, offset) => block.write({ sector, count, offset }),
    flush: () => block.flush(undefined),
  };
}
