/**
 * Block and inode allocation over the per-group bitmaps.
 *
 * Each group has one bitmap block for its blocks (bit i: block groupStart + i) and one for its
 * inodes (bit i: inode g * inodes_per_group + i + 1); 1 means in use. Bits past the end of a
 * short last group, and past inodes_per_group, are padding and stay 1.
 *
 * Invariants kept here, and only here:
 * - A bit changes together with its group's free count (and used_dirs_count for a directory
 *   inode) and the superblock's free count, so e2fsck's pass 5 finds them equal.
 * - A freed block is dropped from the cache (`forget`): its stale contents are never written.
 *
 * Placement: a block goes as close after `goal` as possible (the caller passes the block after
 * the file's previous one, so files stay contiguous), in the goal's group first; a file's inode
 * goes in its parent's group, a directory's in a group with many free inodes and blocks (the
 * old ext2 policy, which spreads directories out). Each group keeps a hint, the lowest bit that
 * may be free, so that a search never rescans the full part of a bitmap.
 */

import { FsError } from "../fs.ts";
import { corrupt, ENOSPC } from "./errors.ts";
import { groupBlocks, groupStart } from "./layout.ts";
import type { Volume } from "./volume.ts";

/** The first clear bit of `bits` in [from, to), or -1. */
export function findClearBit(bits: Uint8Array, from: number, to: number): number {
  let i = from;
  while (i < to && i % 8 !== 0) {
    if (!(bits[i >> 3] & (1 << (i & 7)))) return i;
    i++;
  }
  while (i + 8 <= to && bits[i >> 3] === 0xff) i += 8;
  for (; i < to; i++) {
    if (!(bits[i >> 3] & (1 << (i & 7)))) return i;
  }
  return -1;
}

function testBit(bits: Uint8Array, i: number): boolean {
  return (bits[i >> 3] & (1 << (i & 7))) !== 0;
}

/** Sets bit `i`. */
export function setBit(bits: Uint8Array, i: number): void {
  bits[i >> 3] |= 1 << (i & 7);
}

function clearBit(bits: Uint8Array, i: number): void {
  bits[i >> 3] &= ~(1 << (i & 7));
}

/** Allocates and frees blocks and inodes of one volume. */
export class Allocator {
  private readonly blockHint: number[];
  private readonly inodeHint: number[];

  constructor(private readonly vol: Volume) {
    this.blockHint = new Array(vol.geo.groups).fill(0);
    this.inodeHint = new Array(vol.geo.groups).fill(0);
  }

  /** Free blocks left. */
  get freeBlocks(): number {
    return this.vol.sb.freeBlocksCount;
  }

  /** A free block, as near after `goal` as possible, marked in use: ENOSPC if none. */
  async allocBlock(goal: number): Promise<number> {
    const { geo, sb } = this.vol;
    if (sb.freeBlocksCount === 0) throw new FsError(ENOSPC, "ext2: no free block");
    if (goal < geo.firstDataBlock || goal >= geo.blocksCount) goal = geo.firstDataBlock;
    const first = this.vol.groupOfBlock(goal);
    for (let i = 0; i < geo.groups; i++) {
      const g = (first + i) % geo.groups;
      if (this.vol.groups[g].freeBlocks === 0) continue;
      const from = i === 0 ? goal - groupStart(geo, g) : 0;
      return groupStart(geo, g) + await this.takeBlockBit(g, from);
    }
    throw new FsError(ENOSPC, "ext2: no free block");
  }

  private async takeBlockBit(g: number, from: number): Promise<number> {
    const gd = this.vol.groups[g];
    const buf = await this.vol.cache.read(gd.blockBitmap);
    const n = groupBlocks(this.vol.geo, g);
    const hint = this.blockHint[g];
    let bit = findClearBit(buf.data, Math.max(from, hint), n);
    if (bit < 0 && from > hint) bit = findClearBit(buf.data, hint, from);
    if (bit < 0) throw corrupt(`group ${g} counts ${gd.freeBlocks} free blocks, its bitmap none`);
    this.vol.cache.modify(buf);
    setBit(buf.data, bit);
    if (bit === hint) this.blockHint[g] = bit + 1;
    gd.freeBlocks--;
    this.vol.sb.freeBlocksCount--;
    await this.vol.saveGroup(g);
    await this.vol.saveSuper();
    return bit;
  }

  /** Marks `block` free and drops it from the cache (EIO if it was not in use). */
  async freeBlock(block: number): Promise<void> {
    this.vol.checkDataBlock(block, "freeing");
    const g = this.vol.groupOfBlock(block);
    const gd = this.vol.groups[g];
    const bit = block - groupStart(this.vol.geo, g);
    const buf = await this.vol.cache.read(gd.blockBitmap);
    if (!testBit(buf.data, bit)) throw corrupt(`block ${block} freed but not in use`);
    this.vol.cache.modify(buf);
    clearBit(buf.data, bit);
    this.blockHint[g] = Math.min(this.blockHint[g], bit);
    gd.freeBlocks++;
    this.vol.sb.freeBlocksCount++;
    await this.vol.saveGroup(g);
    await this.vol.saveSuper();
    this.vol.cache.forget(block);
  }

  /** A free inode for a child of `parent`, marked in use: ENOSPC if none. */
  async allocInode(parent: number, isDir: boolean): Promise<number> {
    const { geo, sb } = this.vol;
    if (sb.freeInodesCount === 0) throw new FsError(ENOSPC, "ext2: no free inode");
    const first = isDir ? this.directoryGroup(parent) : this.vol.groupOfInode(parent);
    for (let i = 0; i < geo.groups; i++) {
      const g = (first + i) % geo.groups;
      if (this.vol.groups[g].freeInodes === 0) continue;
      return g * geo.inodesPerGroup + await this.takeInodeBit(g, isDir) + 1;
    }
    throw new FsError(ENOSPC, "ext2: no free inode");
  }

  /** A group with at least the average of free inodes and the most free blocks. */
  private directoryGroup(parent: number): number {
    const groups = this.vol.groups;
    const average = this.vol.sb.freeInodesCount / groups.length;
    let best = -1;
    for (let g = 0; g < groups.length; g++) {
      const gd = groups[g];
      if (gd.freeInodes === 0 || gd.freeInodes < average) continue;
      if (best < 0 || gd.freeBlocks > groups[best].freeBlocks) best = g;
    }
    return best >= 0 ? best : this.vol.groupOfInode(parent);
  }

  private async takeInodeBit(g: number, isDir: boolean): Promise<number> {
    const { geo } = this.vol;
    const gd = this.vol.groups[g];
    const buf = await this.vol.cache.read(gd.inodeBitmap);
    const reserved = g === 0 ? geo.firstIno - 1 : 0;
    const bit = findClearBit(buf.data, Math.max(this.inodeHint[g], reserved), geo.inodesPerGroup);
    if (bit < 0) throw corrupt(`group ${g} counts ${gd.freeInodes} free inodes, its bitmap none`);
    this.vol.cache.modify(buf);
    setBit(buf.data, bit);
    this.inodeHint[g] = bit + 1;
    gd.freeInodes--;
    if (isDir) gd.usedDirs++;
    this.vol.sb.freeInodesCount--;
    await this.vol.saveGroup(g);
    await this.vol.saveSuper();
    return bit;
  }

  /** Marks inode `ino` free (EIO if it was not in use). */
  async freeInode(ino: number, isDir: boolean): Promise<void> {
    const { geo } = this.vol;
    this.vol.checkIno(ino, "freeing");
    if (ino < geo.firstIno) throw corrupt(`freeing reserved inode ${ino}`);
    const g = this.vol.groupOfInode(ino);
    const gd = this.vol.groups[g];
    const bit = (ino - 1) % geo.inodesPerGroup;
    const buf = await this.vol.cache.read(gd.inodeBitmap);
    if (!testBit(buf.data, bit)) throw corrupt(`inode ${ino} freed but not in use`);
    this.vol.cache.modify(buf);
    clearBit(buf.data, bit);
    this.inodeHint[g] = Math.min(this.inodeHint[g], bit);
    gd.freeInodes++;
    if (isDir && gd.usedDirs > 0) gd.usedDirs--;
    this.vol.sb.freeInodesCount++;
    await this.vol.saveGroup(g);
    await this.vol.saveSuper();
  }
}
