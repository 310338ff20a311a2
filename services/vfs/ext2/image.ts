/**
 * An ext2 image held in memory and mounted, with nothing else around it: the disk is a
 * `Uint8Array` behind a MemoryBlockIo, the cache a BufferCache of its own, and `op` brackets
 * each call with `beginOp`/`endOp` as the VFS does. mkfs builds images through it (one code
 * path for creating files), and tests use it to exercise the back end as the VFS would.
 */

import { cacheRegionBytes } from "../../../abi/vfs_cache.ts";
import { BufferCache, type DeviceCache, MemoryBlockIo } from "../cache.ts";
import type { FileSystem, FsContext } from "../fs.ts";
import { attachJournal, type Journal } from "../journal.ts";
import { mountExt2 } from "./ext2.ts";

/** Options of `mountImage`. */
export interface ImageOptions {
  readOnly?: boolean;
  /** Cache slots (one block each); at least 16. */
  cacheSlots?: number;
  /** The clock (ns since the epoch); the host's by default. */
  now?: () => bigint;
  /** A journal to replay onto the disk first and commit each operation's changes to. */
  journal?: Journal;
}

/** A mounted in-memory image. */
export interface MountedImage {
  /** The disk: changes reach it when the cache writes back (sync, unmount, eviction). */
  readonly disk: Uint8Array;
  readonly fs: FileSystem;
  readonly cache: BufferCache;
  readonly device: DeviceCache;
  /** Runs `fn` as one VFS operation (between the cache's beginOp and endOp). */
  op<T>(fn: (fs: FileSystem) => Promise<T>): Promise<T>;
}

/** The default clock: the host's wall clock in ns. */
export function hostClock(): bigint {
  return BigInt(Date.now()) * 1_000_000n;
}

/**
 * Mounts the ext2 file system in `disk` (whose length is a multiple of 512).
 *
 * @example
 * const image = await mountImage(bytes);
 * const ino = await image.op((fs) => fs.lookup(fs.root(), "bin"));
 */
export async function mountImage(
  disk: Uint8Array,
  options: ImageOptions = {},
): Promise<MountedImage> {
  const memory = new Uint8Array(
    new SharedArrayBuffer(cacheRegionBytes(options.cacheSlots ?? 1024)),
  );
  const cache = new BufferCache({ bytes: memory });
  const device = cache.device(new MemoryBlockIo(disk, memory));
  const ctx: FsContext = { now: options.now ?? hostClock };
  const op = async <T>(fn: () => Promise<T>): Promise<T> => {
    cache.beginOp();
    try {
      return await fn();
    } finally {
      cache.endOp();
    }
  };
  const { journal } = options;
  const fs = await op(async () => {
    if (journal) await attachJournal(journal, device);
    return await mountExt2(device, ctx, {
      readOnly: options.readOnly ?? false,
      keepOrphans: journal?.restarted,
    });
  });
  return { disk, fs, cache, device, op: (fn) => op(() => fn(fs)) };
}
