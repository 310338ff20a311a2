/**
 * A block back end over a disk image file on the host.
 *
 * Each transfer seeks and then reads or writes straight between the file and the device's
 * view of guest RAM: Deno's file I/O accepts views of a SharedArrayBuffer, so no bounce
 * buffer is needed. Seek and transfer are one step: operations run one after another, in the
 * order they were asked for. FLUSH is `syncData`. The image must be a whole number of 512-byte
 * sectors.
 */

import { type BlockBackend } from "../block_device.ts";
import { BLOCK_ID_BYTES, SECTOR_BYTES } from "../../abi/devices.ts";

/** Options of a disk image. */
export interface DiskImageOptions {
  /** Opens the file read-only and refuses writes. */
  read_only?: boolean;
  /** What GET_ID reports; the file's name by default. */
  id?: string;
}

/** A disk image file. */
export class DiskImage implements BlockBackend {
  private tail: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: Deno.FsFile,
    readonly path: string,
    readonly capacity_sectors: number,
    readonly read_only: boolean,
    readonly id: string,
  ) {}

  /** Opens an image; throws a clear error for a missing file or a bad size. */
  static async open(path: string, options: DiskImageOptions = {}): Promise<DiskImage> {
    const read_only = options.read_only ?? false;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(path, { read: true, write: !read_only });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw new Error(`disk image ${path}: no such file`);
      throw new Error(`disk image ${path}: cannot open: ${e instanceof Error ? e.message : e}`);
    }
    try {
      const info = await file.stat();
      if (!info.isFile) throw new Error(`disk image ${path}: not a regular file`);
      if (info.size === 0 || info.size % SECTOR_BYTES !== 0) {
        throw new Error(
          `disk image ${path}: size ${info.size} bytes is not a positive multiple of ` +
            `${SECTOR_BYTES}`,
        );
      }
      const name = path.split(/[\\/]/).pop() ?? path;
      const id = (options.id ?? name).slice(0, BLOCK_ID_BYTES);
      return new DiskImage(file, path, info.size / SECTOR_BYTES, read_only, id);
    } catch (e) {
      file.close();
      throw e;
    }
  }

  read(sector: number, into: Uint8Array): Promise<void> {
    return this.serialized(async () => {
      await this.seek(sector, into.length);
      for (let done = 0; done < into.length;) {
        const n = await this.file.read(into.subarray(done));
        if (n === null) throw new Error(`disk image ${this.path}: short read at sector ${sector}`);
        done += n;
      }
    });
  }

  write(sector: number, from: Uint8Array): Promise<void> {
    return this.serialized(async () => {
      if (this.read_only) throw new Error(`disk image ${this.path}: read-only`);
      await this.seek(sector, from.length);
      for (let done = 0; done < from.length;) {
        done += await this.file.write(from.subarray(done));
      }
    });
  }

  flush(): Promise<void> {
    return this.serialized(() => this.file.syncData());
  }

  /** Closes the file once the operations already asked for are done. */
  async close(): Promise<void> {
    await this.tail;
    this.file.close();
  }

  private async seek(sector: number, length_bytes: number): Promise<void> {
    const count = length_bytes / SECTOR_BYTES;
    if (!Number.isInteger(sector) || sector < 0 || !Number.isInteger(count)) {
      throw new RangeError(`disk image ${this.path}: bad transfer of ${length_bytes} bytes`);
    }
    if (sector + count > this.capacity_sectors) {
      throw new RangeError(`disk image ${this.path}: sectors ${sector}+${count} past the end`);
    }
    await this.file.seek(sector * SECTOR_BYTES, Deno.SeekMode.Start);
  }

  /** Runs `operation` after every operation asked for before it. */
  private serialized<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.catch(() => {});
    return result;
  }
}
