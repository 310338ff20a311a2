/**
 * The block map: which disk block holds logical block `l` of an inode.
 *
 * i_block[0..11] point at the first 12 blocks. i_block[12] points at a single indirect block
 * of p = block_size / 4 block numbers (the next p blocks), i_block[13] at a double indirect
 * block (p single indirect blocks: p² blocks), i_block[14] at a triple indirect one (p³). A
 * zero anywhere on the path is a hole: the block reads as zeros and is allocated by the first
 * write into it.
 *
 * Invariants:
 * - i_blocks counts, in 512-byte units, every block the map reaches: data and indirect blocks.
 * - An indirect block reachable from the map is never all zeros after a truncation: the
 *   truncation frees the ones it empties (a write may leave one empty only transiently).
 * - Every pointer read from the disk passes `Volume.checkDataBlock` before it is followed or
 *   freed, and a tree is at most three levels deep, so a corrupt map ends in EIO, not a loop.
 */

import type { Buf } from "../cache.ts";
import { FsError } from "../fs.ts";
import type { Allocator } from "./alloc.ts";
import { EFBIG, ENOSPC } from "./errors.ts";
import { DIRECT_BLOCKS, type Inode } from "./layout.ts";
import type { Volume } from "./volume.ts";

/** The block number at index `i` of an indirect block. */
function pointerAt(data: Uint8Array, i: number): number {
  const o = i * 4;
  return (data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24)) >>> 0;
}

function setPointer(data: Uint8Array, i: number, block: number): void {
  const o = i * 4;
  data[o] = block & 0xff;
  data[o + 1] = (block >>> 8) & 0xff;
  data[o + 2] = (block >>> 16) & 0xff;
  data[o + 3] = block >>> 24;
}

function allZero(data: Uint8Array): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0) return false;
  return true;
}

/** Maps, allocates and frees the blocks of inodes. */
export class BlockMap {
  /** Block numbers per indirect block. */
  private readonly p: number;
  /** 512-byte units per block (what one block adds to i_blocks). */
  private readonly sectorsPerBlock: number;

  constructor(private readonly vol: Volume, private readonly alloc: Allocator) {
    this.p = vol.geo.pointersPerBlock;
    this.sectorsPerBlock = vol.geo.blockSize / 512;
  }

  /** Logical blocks the map can address. */
  get addressableBlocks(): number {
    const p = this.p;
    return DIRECT_BLOCKS + p + p * p + p * p * p;
  }

  /**
   * The path to logical block `l`: the index in i_block, then the index in each indirect
   * block on the way (EFBIG beyond the triple indirect block).
   */
  path(logical: number): number[] {
    const p = this.p;
    let l = logical;
    if (l < DIRECT_BLOCKS) return [l];
    l -= DIRECT_BLOCKS;
    if (l < p) return [DIRECT_BLOCKS, l];
    l -= p;
    if (l < p * p) return [DIRECT_BLOCKS + 1, Math.floor(l / p), l % p];
    l -= p * p;
    if (l < p * p * p) {
      return [DIRECT_BLOCKS + 2, Math.floor(l / (p * p)), Math.floor(l / p) % p, l % p];
    }
    throw new FsError(EFBIG, `ext2: block ${logical} is past the triple indirect block`);
  }

  /** The disk block holding logical block `l`, or 0 for a hole. */
  async lookup(inode: Inode, l: number): Promise<number> {
    const path = this.path(l);
    let block = inode.block[path[0]];
    for (let level = 1; level < path.length && block !== 0; level++) {
      this.vol.checkDataBlock(block, "an indirect pointer");
      const buf = await this.vol.cache.read(block);
      block = pointerAt(buf.data, path[level]);
    }
    if (block !== 0) this.vol.checkDataBlock(block, "a block pointer");
    return block;
  }

  /**
   * The disk block for logical block `l`, allocating it (and the indirect blocks on its path)
   * if it is a hole; `fresh` says it was, and its contents are garbage. Allocation is all or
   * nothing: ENOSPC before anything changes. The caller writes `inode` back.
   */
  async ensure(inode: Inode, l: number, goal: number): Promise<{ block: number; fresh: boolean }> {
    const path = this.path(l);
    const holders: Buf[] = [];
    let level = 0;
    let block = inode.block[path[0]];
    while (block !== 0 && level < path.length - 1) {
      this.vol.checkDataBlock(block, "an indirect pointer");
      const buf = await this.vol.cache.read(block);
      holders.push(buf);
      level++;
      block = pointerAt(buf.data, path[level]);
    }
    if (block !== 0) {
      this.vol.checkDataBlock(block, "a block pointer");
      return { block, fresh: false };
    }
    if (this.alloc.freeBlocks < path.length - level) {
      throw new FsError(ENOSPC, "ext2: no free block");
    }
    for (; level < path.length; level++) {
      block = await this.alloc.allocBlock(goal);
      goal = block + 1;
      inode.blocks += this.sectorsPerBlock;
      if (level === 0) {
        inode.block[path[0]] = block;
      } else {
        const holder = holders[level - 1];
        this.vol.cache.modify(holder);
        setPointer(holder.data, path[level], block);
      }
      if (level < path.length - 1) holders.push(await this.vol.cache.zero(block));
    }
    return { block, fresh: true };
  }

  /** Frees every block from logical block `keep` on, and the indirect blocks left empty. */
  async truncate(inode: Inode, keep: number): Promise<void> {
    for (let i = keep; i < DIRECT_BLOCKS; i++) {
      if (inode.block[i] === 0) continue;
      await this.release(inode, inode.block[i]);
      inode.block[i] = 0;
    }
    let start = DIRECT_BLOCKS;
    let span = this.p;
    for (let depth = 1; depth <= 3; depth++) {
      const slot = DIRECT_BLOCKS + depth - 1;
      const root = inode.block[slot];
      if (root !== 0 && keep < start + span) {
        if (keep <= start) {
          await this.freeTree(inode, root, depth);
          inode.block[slot] = 0;
        } else if (await this.trim(inode, root, depth, keep - start)) {
          await this.release(inode, root);
          inode.block[slot] = 0;
        }
      }
      start += span;
      span *= this.p;
    }
  }

  /** Frees an indirect block of `depth` levels and everything below it. */
  private async freeTree(inode: Inode, block: number, depth: number): Promise<void> {
    this.vol.checkDataBlock(block, "an indirect pointer");
    const buf = await this.vol.cache.read(block);
    for (let i = 0; i < this.p; i++) {
      const child = pointerAt(buf.data, i);
      if (child === 0) continue;
      if (depth === 1) await this.release(inode, child);
      else await this.freeTree(inode, child, depth - 1);
    }
    await this.release(inode, block);
  }

  /**
   * Frees what an indirect block of `depth` levels maps from its logical block `keep` on
   * (0 < keep < its span); true when nothing is left in it (the caller frees it).
   */
  private async trim(inode: Inode, block: number, depth: number, keep: number): Promise<boolean> {
    this.vol.checkDataBlock(block, "an indirect pointer");
    const buf = await this.vol.cache.read(block);
    const childSpan = this.p ** (depth - 1);
    const partial = Math.floor(keep / childSpan);
    for (let i = Math.ceil(keep / childSpan); i < this.p; i++) {
      const child = pointerAt(buf.data, i);
      if (child === 0) continue;
      this.vol.cache.modify(buf);
      setPointer(buf.data, i, 0);
      if (depth === 1) await this.release(inode, child);
      else await this.freeTree(inode, child, depth - 1);
    }
    const child = pointerAt(buf.data, partial);
    if (depth > 1 && keep % childSpan !== 0 && child !== 0) {
      if (await this.trim(inode, child, depth - 1, keep % childSpan)) {
        this.vol.cache.modify(buf);
        setPointer(buf.data, partial, 0);
        await this.release(inode, child);
      }
    }
    return allZero(buf.data);
  }

  /** Frees one block of the inode's map. */
  private async release(inode: Inode, block: number): Promise<void> {
    await this.alloc.freeBlock(block);
    inode.blocks = Math.max(0, inode.blocks - this.sectorsPerBlock);
  }
}
