/**
 * File contents: reads, writes and truncation of a regular file (and of a slow symlink's
 * block), over the block map.
 *
 * Reads return views into cache slots (zero copies) and `{ hole }` pieces for unmapped blocks.
 * A write allocates the holes it covers; a fresh block, or one written whole, is taken with
 * `cache.zero` (never read from the disk), any other is read, then `modify`d, then written.
 *
 * Invariants:
 * - The bytes of the last block past i_size are zero (a truncation zeroes them), so growing
 *   a file by a write or a truncation exposes zeros, as POSIX requires.
 * - i_size never exceeds `maxFileSize`; a file past 2 GiB sets the LARGE_FILE feature.
 * - A write that runs out of space stops at the last whole block it could write and returns
 *   the bytes written (ENOSPC only when none could be); i_size covers every block written.
 */

import { FsError, type ReadResult } from "../fs.ts";
import type { BlockMap } from "./bmap.ts";
import { EFBIG, ENOSPC } from "./errors.ts";
import { groupStart, type Inode, RO_COMPAT_LARGE_FILE } from "./layout.ts";
import type { Volume } from "./volume.ts";

/** The largest size a file without LARGE_FILE (revision 0) may have. */
const SMALL_FILE_MAX = 2 ** 31 - 1;

/** Indirect blocks a dense file of `n` blocks needs. */
function indirectBlocksFor(n: number, p: number): number {
  let rest = n - 12;
  if (rest <= 0) return 0;
  let meta = 1;
  rest -= p;
  if (rest <= 0) return meta;
  meta += 1 + Math.ceil(Math.min(rest, p * p) / p);
  rest -= p * p;
  if (rest <= 0) return meta;
  return meta + 1 + Math.ceil(rest / (p * p)) + Math.ceil(rest / p);
}

/** Reads and writes the data of inodes. */
export class FileData {
  /** The largest file size, in bytes. */
  readonly maxFileSize: number;

  constructor(private readonly vol: Volume, private readonly bmap: BlockMap) {
    this.maxFileSize = this.computeMaxFileSize();
  }

  /**
   * The map's reach, limited so that i_blocks (32 bits of 512-byte units, indirect blocks
   * included) cannot overflow, and to 2 GiB - 1 on a revision 0 file system.
   */
  private computeMaxFileSize(): number {
    const { blockSize, pointersPerBlock } = this.vol.geo;
    const iblocksMax = Math.floor((2 ** 32 - 1) / (blockSize / 512));
    let blocks = this.bmap.addressableBlocks;
    if (blocks + indirectBlocksFor(blocks, pointersPerBlock) > iblocksMax) {
      blocks = iblocksMax - indirectBlocksFor(iblocksMax, pointersPerBlock);
    }
    const bytes = blocks * blockSize;
    return this.vol.sb.revLevel === 0 ? Math.min(bytes, SMALL_FILE_MAX) : bytes;
  }

  /** Up to `length` bytes at `offset`: views into the cache and holes. */
  async read(inode: Inode, offset: number, length: number): Promise<ReadResult> {
    const bs = this.vol.geo.blockSize;
    const end = Math.min(inode.size, offset + length);
    const first = Math.floor(offset / bs);
    const blocks: number[] = [];
    for (let l = first; l * bs < end; l++) blocks.push(await this.bmap.lookup(inode, l));
    await this.vol.cache.prefetch(blocks);
    const pieces: ReadResult["pieces"] = [];
    for (let pos = offset; pos < end;) {
      const at = pos % bs;
      const n = Math.min(bs - at, end - pos);
      const block = blocks[Math.floor(pos / bs) - first];
      const last = pieces.at(-1);
      if (block !== 0) {
        pieces.push((await this.vol.cache.read(block)).data.subarray(at, at + n));
      } else if (last !== undefined && !(last instanceof Uint8Array)) {
        last.hole += n;
      } else {
        pieces.push({ hole: n });
      }
      pos += n;
    }
    return { pieces, bytes: Math.max(0, end - offset) };
  }

  /** Writes `data` at `offset` of inode `ino`, allocating as needed; returns bytes written. */
  async write(ino: number, inode: Inode, offset: number, data: Uint8Array): Promise<number> {
    if (data.length === 0) return 0;
    if (offset >= this.maxFileSize) throw new FsError(EFBIG, "ext2: past the largest file size");
    const bs = this.vol.geo.blockSize;
    const end = Math.min(offset + data.length, this.maxFileSize);
    if (end > SMALL_FILE_MAX) await this.needLargeFile();
    let goal = await this.goal(ino, inode, Math.floor(offset / bs));
    let done = 0;
    for (let pos = offset; pos < end;) {
      const at = pos % bs;
      const n = Math.min(bs - at, end - pos);
      let mapped;
      try {
        mapped = await this.bmap.ensure(inode, Math.floor(pos / bs), goal);
      } catch (e) {
        if (done > 0 && e instanceof FsError && e.errno === ENOSPC) break;
        throw e;
      }
      const whole = mapped.fresh || n === bs;
      const buf = whole
        ? await this.vol.cache.zero(mapped.block)
        : await this.vol.cache.read(mapped.block);
      if (!whole) this.vol.cache.modify(buf);
      buf.data.set(data.subarray(done, done + n), at);
      goal = mapped.block + 1;
      done += n;
      pos += n;
      if (pos > inode.size) inode.size = pos;
    }
    return done;
  }

  /** Sets the size: frees the blocks past it and zeroes the tail of the last one. */
  async truncate(inode: Inode, size: number): Promise<void> {
    if (size > this.maxFileSize) throw new FsError(EFBIG, "ext2: past the largest file size");
    if (size > SMALL_FILE_MAX) await this.needLargeFile();
    if (size < inode.size) {
      const bs = this.vol.geo.blockSize;
      await this.bmap.truncate(inode, Math.ceil(size / bs));
      const block = size % bs ? await this.bmap.lookup(inode, Math.floor(size / bs)) : 0;
      if (block !== 0) {
        const buf = await this.vol.cache.read(block);
        this.vol.cache.modify(buf);
        buf.data.fill(0, size % bs);
      }
    }
    inode.size = size;
  }

  /** Where to look for a block for logical block `l`: after the previous one, or the group. */
  private async goal(ino: number, inode: Inode, l: number): Promise<number> {
    const previous = l > 0 ? await this.bmap.lookup(inode, l - 1) : 0;
    if (previous !== 0) return previous + 1;
    return groupStart(this.vol.geo, this.vol.groupOfInode(ino));
  }

  private async needLargeFile(): Promise<void> {
    if (this.vol.largeFile) return;
    this.vol.sb.featureRoCompat |= RO_COMPAT_LARGE_FILE;
    await this.vol.saveSuper();
  }
}
