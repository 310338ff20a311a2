/**
 * A mounted ext2 volume: the block cache it lives in, its superblock and group descriptors
 * (decoded, and written back through the cache whenever they change), its geometry, and the
 * checks every block number read from the disk must pass before it is used.
 *
 * Invariants:
 * - The superblock's free counts are the sums of the group descriptors' (recomputed at mount,
 *   then changed only together with them, in alloc.ts).
 * - A block number taken from an inode or an indirect block is a data block: inside the file
 *   system and none of the blocks holding a superblock copy, descriptors, bitmaps or inode
 *   tables. Anything else is EIO (`checkDataBlock`), so a corrupt pointer can neither read
 *   past the device nor free metadata.
 */

import { EINVAL } from "../../../abi/errno.ts";
import type { BlockCache } from "../cache.ts";
import { FsError } from "../fs.ts";
import type { FsContext } from "../fs.ts";
import { corrupt } from "./errors.ts";
import {
  checkGroupDesc,
  checkSuperblock,
  COMPAT_RESIZE_INODE,
  decodeGroupDesc,
  decodeSuperblock,
  encodeGroupDesc,
  encodeSuperblock,
  type Geometry,
  GROUP_DESC_BYTES,
  type GroupDesc,
  groupHasSuper,
  groupStart,
  INCOMPAT_FILETYPE,
  INCOMPAT_SUPPORTED,
  RO_COMPAT_LARGE_FILE,
  RO_COMPAT_SPARSE_SUPER,
  RO_COMPAT_SUPPORTED,
  type Superblock,
  SUPERBLOCK_BYTES,
  SUPERBLOCK_OFFSET,
} from "./layout.ts";

const NS_PER_S = 1_000_000_000n;

/** The state of one mounted ext2 file system that every layer above shares. */
export class Volume {
  private constructor(
    readonly cache: BlockCache,
    readonly sb: Superblock,
    readonly geo: Geometry,
    readonly groups: GroupDesc[],
    readonly readOnly: boolean,
    private readonly ctx: FsContext,
  ) {}

  /**
   * Reads and checks the superblock (at block size 1024), switches the cache to the file
   * system's block size, then reads and checks every group descriptor.
   */
  static async load(cache: BlockCache, ctx: FsContext, readOnly: boolean): Promise<Volume> {
    if (cache.blockSize !== 1024) await cache.setBlockSize(1024); // a remount of the device
    const first = await cache.read(SUPERBLOCK_OFFSET / 1024);
    const sb = decodeSuperblock(first.data.subarray(0, SUPERBLOCK_BYTES));
    const geo = checkSuperblock(sb, cache.deviceBytes);
    checkFeatures(sb, readOnly);
    await cache.setBlockSize(geo.blockSize);
    const groups = await readGroups(cache, geo);
    const volume = new Volume(cache, sb, geo, groups, readOnly || cache.readOnly, ctx);
    volume.checkOverlaps();
    volume.recount();
    return volume;
  }

  /** Whether directory entries carry a file type byte. */
  get hasFileType(): boolean {
    return (this.sb.featureIncompat & INCOMPAT_FILETYPE) !== 0;
  }

  get sparseSuper(): boolean {
    return (this.sb.featureRoCompat & RO_COMPAT_SPARSE_SUPER) !== 0;
  }

  get largeFile(): boolean {
    return (this.sb.featureRoCompat & RO_COMPAT_LARGE_FILE) !== 0;
  }

  /** The current time in whole seconds, as ns (ext2 keeps seconds). */
  nowNs(): bigint {
    return (this.ctx.now() / NS_PER_S) * NS_PER_S;
  }

  /** The current time in seconds. */
  nowSeconds(): number {
    return Number(this.ctx.now() / NS_PER_S);
  }

  /** Writes the superblock into its cached block. */
  async saveSuper(): Promise<void> {
    const bs = this.geo.blockSize;
    const buf = await this.cache.read(Math.floor(SUPERBLOCK_OFFSET / bs));
    this.cache.modify(buf);
    const at = SUPERBLOCK_OFFSET % bs;
    encodeSuperblock(this.sb, buf.data.subarray(at, at + SUPERBLOCK_BYTES));
  }

  /** Writes group `g`'s descriptor into its cached block. */
  async saveGroup(g: number): Promise<void> {
    const perBlock = this.geo.blockSize / GROUP_DESC_BYTES;
    const buf = await this.cache.read(this.geo.firstDataBlock + 1 + Math.floor(g / perBlock));
    this.cache.modify(buf);
    encodeGroupDesc(this.groups[g], buf.data, (g % perBlock) * GROUP_DESC_BYTES);
  }

  /** The group a block belongs to. */
  groupOfBlock(block: number): number {
    return Math.floor((block - this.geo.firstDataBlock) / this.geo.blocksPerGroup);
  }

  /** The group an inode belongs to. */
  groupOfInode(ino: number): number {
    return Math.floor((ino - 1) / this.geo.inodesPerGroup);
  }

  /** Blocks at the start of group `g` holding a superblock and descriptor copy (or 0). */
  superBlocks(g: number): number {
    if (!groupHasSuper(g, this.sparseSuper)) return 0;
    const resize = this.sb.featureCompat & COMPAT_RESIZE_INODE;
    return 1 + this.geo.gdtBlocks + (resize ? this.sb.reservedGdtBlocks : 0);
  }

  /** Whether `block` holds file system metadata (a superblock, descriptors, bitmaps, table). */
  isMetadata(block: number): boolean {
    if (block < this.geo.firstDataBlock) return true;
    const g = this.groupOfBlock(block);
    const gd = this.groups[g];
    const start = groupStart(this.geo, g);
    return block < start + this.superBlocks(g) || block === gd.blockBitmap ||
      block === gd.inodeBitmap ||
      (block >= gd.inodeTable && block < gd.inodeTable + this.geo.inodeTableBlocks);
  }

  /** Checks that a block number read from the disk names a data block (EIO otherwise). */
  checkDataBlock(block: number, what: string): void {
    if (!Number.isInteger(block) || block >= this.geo.blocksCount || this.isMetadata(block)) {
      throw corrupt(`${what} points to block ${block}`);
    }
  }

  /** Inode numbers must name an inode of the table. */
  checkIno(ino: number, what: string): void {
    if (!Number.isInteger(ino) || ino < 1 || ino > this.geo.inodesCount) {
      throw corrupt(`${what}: inode ${ino} out of range`);
    }
  }

  private checkOverlaps(): void {
    for (let g = 0; g < this.geo.groups; g++) {
      const gd = this.groups[g];
      const reserved = groupStart(this.geo, g) + this.superBlocks(g);
      if (
        gd.blockBitmap < reserved || gd.inodeBitmap < reserved || gd.inodeTable < reserved ||
        gd.blockBitmap === gd.inodeBitmap
      ) {
        throw new FsError(EINVAL, `ext2: cannot mount: group ${g}'s metadata overlaps`);
      }
    }
  }

  /** Makes the superblock's free counts the sums of the groups' (as Linux does at mount). */
  private recount(): void {
    this.sb.freeBlocksCount = this.groups.reduce((n, gd) => n + gd.freeBlocks, 0);
    this.sb.freeInodesCount = this.groups.reduce((n, gd) => n + gd.freeInodes, 0);
  }
}

function checkFeatures(sb: Superblock, readOnly: boolean): void {
  const incompat = sb.featureIncompat & ~INCOMPAT_SUPPORTED;
  if (incompat) {
    throw new FsError(
      EINVAL,
      `ext2: cannot mount: unsupported incompatible features 0x${incompat.toString(16)}`,
    );
  }
  const roCompat = sb.featureRoCompat & ~RO_COMPAT_SUPPORTED;
  if (roCompat && !readOnly) {
    throw new FsError(
      EINVAL,
      `ext2: cannot mount read-write: unsupported features 0x${roCompat.toString(16)} ` +
        "(mount read-only)",
    );
  }
}

async function readGroups(cache: BlockCache, geo: Geometry): Promise<GroupDesc[]> {
  const perBlock = geo.blockSize / GROUP_DESC_BYTES;
  const groups: GroupDesc[] = [];
  for (let b = 0; b < geo.gdtBlocks; b++) {
    const buf = await cache.read(geo.firstDataBlock + 1 + b);
    for (let i = 0; i < perBlock && groups.length < geo.groups; i++) {
      const gd = decodeGroupDesc(buf.data, i * GROUP_DESC_BYTES);
      checkGroupDesc(geo, groups.length, gd);
      groups.push(gd);
    }
  }
  return groups;
}
