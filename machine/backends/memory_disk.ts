/**
 * A block back end held in memory, for tests: a Uint8Array of whole sectors. It can be made
 * read-only, and chosen sectors can be made to fail, so tests can see the device's IOERR path.
 */

import { type BlockBackend } from "../block_device.ts";
import { SECTOR_BYTES } from "../../abi/devices.ts";

/** Options of a memory disk. */
export interface MemoryDiskOptions {
  read_only?: boolean;
  /** What GET_ID reports. */
  id?: string;
}

/** A disk in memory. */
export class MemoryDisk implements BlockBackend {
  readonly capacity_sectors: number;
  readonly read_only: boolean;
  readonly id: string;
  /** FLUSH requests that reached the back end. */
  flushes = 0;
  private readonly failing = new Set<number>();

  /** @param data the disk's contents, used in place (a multiple of 512 bytes) */
  constructor(readonly data: Uint8Array, options: MemoryDiskOptions = {}) {
    if (data.length % SECTOR_BYTES !== 0) {
      throw new RangeError(`memory disk: ${data.length} bytes is not a whole number of sectors`);
    }
    this.capacity_sectors = data.length / SECTOR_BYTES;
    this.read_only = options.read_only ?? false;
    this.id = options.id ?? "memory-disk";
  }

  /** Makes every read or write touching `sector` fail (or work again). */
  failSector(sector: number, failing = true): void {
    if (failing) this.failing.add(sector);
    else this.failing.delete(sector);
  }

  read(sector: number, into: Uint8Array): Promise<void> {
    const start = this.check(sector, into.length);
    into.set(this.data.subarray(start, start + into.length));
    return Promise.resolve();
  }

  write(sector: number, from: Uint8Array): Promise<void> {
    if (this.read_only) throw new Error("memory disk: read-only");
    const start = this.check(sector, from.length);
    this.data.set(from, start);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    this.flushes++;
    return Promise.resolve();
  }

  /** Validates a transfer and returns its byte offset; throws for a bad or failing one. */
  private check(sector: number, length_bytes: number): number {
    const count = length_bytes / SECTOR_BYTES;
    if (!Number.isInteger(sector) || sector < 0 || !Number.isInteger(count)) {
      throw new RangeError(`memory disk: bad transfer of ${length_bytes} bytes at ${sector}`);
    }
    if (sector + count > this.capacity_sectors) {
      throw new RangeError(`memory disk: sectors ${sector}+${count} past the end`);
    }
    for (const bad of this.failing) {
      if (bad >= sector && bad < sector + count) {
        throw new Error(`memory disk: sector ${bad} failed`);
      }
    }
    return sector * SECTOR_BYTES;
  }
}
