/**
 * The block protocol: what a file system asks of the block driver ("block"). Data never
 * travels in a message: the client hands the driver a region once (`hello`), the driver maps
 * it for the device's DMA, and every read or write names sectors and an offset in that region.
 * The disk's data moves between the disk and the region by DMA, with no copy in the driver.
 */

import { empty, string, struct, u32, u64, u8 } from "./codec.ts";

/** The endpoint the block driver serves. */
export const BLOCK_ENDPOINT = "block";

/** Bytes per sector. */
export const SECTOR_BYTES = 512;
/** Largest transfer in one request, in bytes (the device's limit). */
export const TRANSFER_BYTES_MAX = 1024 * 1024;

/** The disk, as the driver reports it. */
export const diskInfo = struct({ sectors: u64, readOnly: u8, id: string(32) });

/** A transfer: `count` sectors from `sector`, at byte `offset` of the client's region. */
export const transfer = struct({ sector: u64, count: u32, offset: u32 });

/** The operations. */
export const BLOCK = {
  /** The client's region comes as handle 0 (READ|WRITE); the driver maps it for DMA. */
  hello: { label: 1, request: empty, reply: diskInfo },
  read: { label: 2, request: transfer, reply: empty },
  write: { label: 3, request: transfer, reply: empty },
  /** Every write answered before it is durable once this is answered. */
  flush: { label: 4, request: empty, reply: empty },
} as const;
