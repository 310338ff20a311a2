/**
 * mkfs: builds an ext2 image (revision 1; features sparse_super, large_file, filetype) in
 * memory, populated from a tree description.
 *
 * Two steps, so that files are only ever created by one code path:
 * 1. The skeleton is written directly: superblock and descriptor table copies (groups 0, 1
 *    and powers of 3, 5, 7), bitmaps, zeroed inode tables, the reserved inodes 1..10 marked in
 *    use, and the root directory (inode 2, one block holding "." and "..").
 * 2. The skeleton is mounted with this back end (image.ts) and filled through the FileSystem
 *    interface: lost+found first (where e2fsck puts what it reconnects), then the tree.
 *
 * Each group is laid out [super + descriptors] [block bitmap] [inode bitmap] [inode table]
 * [data]; bitmap bits past a short last group, or past inodes_per_group, are padding set to 1.
 * A last group too small to hold its own metadata and some data is left out.
 */

import { EINVAL } from "../../../abi/errno.ts";
import { FsError, S_IFDIR } from "../fs.ts";
import { setBit } from "./alloc.ts";
import { ENOSPC } from "./errors.ts";
import { hostClock, type MountedImage, mountImage } from "./image.ts";
import {
  decodeInode,
  DYNAMIC_REV,
  encodeDirent,
  encodeGroupDesc,
  encodeInode,
  encodeSuperblock,
  ERRORS_CONTINUE,
  EXT2_MAGIC,
  FT,
  GOOD_OLD_FIRST_INO,
  GOOD_OLD_INODE_SIZE,
  GROUP_DESC_BYTES,
  type GroupDesc,
  groupHasSuper,
  INCOMPAT_FILETYPE,
  OS_LINUX,
  RO_COMPAT_LARGE_FILE,
  RO_COMPAT_SPARSE_SUPER,
  ROOT_INO,
  STATE_VALID,
  type Superblock,
  SUPERBLOCK_BYTES,
  SUPERBLOCK_OFFSET,
} from "./layout.ts";

/** A regular file of the tree. */
export interface FileNode {
  kind: "file";
  data: Uint8Array;
  /** Permission bits (0o644 by default). */
  mode?: number;
}

/** A directory of the tree: entries by name. */
export interface DirNode {
  kind: "dir";
  entries: Record<string, TreeNode>;
  /** Permission bits (0o755 by default). */
  mode?: number;
}

/** A symbolic link of the tree. */
export interface SymlinkNode {
  kind: "symlink";
  target: string;
}

/** What an image holds. */
export type TreeNode = FileNode | DirNode | SymlinkNode;

/** What `makeExt2Image` builds. */
export interface MkfsOptions {
  /** Size of the image in bytes (rounded down to whole blocks). */
  sizeBytes: number;
  /** 1024, 2048 or 4096 (the default). */
  blockSize?: number;
  /** 128 or 256 (the default: room for creation times and nanoseconds). */
  inodeSize?: number;
  /** Inodes wanted (rounded up to fill the inode table blocks); one per 16 KiB by default. */
  inodes?: number;
  /** The root directory's contents. */
  root?: Record<string, TreeNode>;
  /** Up to 16 bytes of UTF-8. */
  volumeName?: string;
  /** The clock for every timestamp (ns since the epoch); the host's by default. */
  now?: () => bigint;
}

/** Bytes per inode when `inodes` is not given. */
const BYTES_PER_INODE = 16384;
/** Data blocks a group must have room for beyond its metadata to be worth keeping. */
const MIN_GROUP_DATA_BLOCKS = 16;
/** Bytes written per operation while copying file contents in. */
const WRITE_CHUNK_BYTES = 64 * 1024;

/** The shape of the image being made. */
interface Plan {
  blockSize: number;
  blocksCount: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  groups: number;
  gdtBlocks: number;
  inodeSize: number;
  inodesPerGroup: number;
  inodeTableBlocks: number;
}

function fail(what: string): FsError {
  return new FsError(EINVAL, `mkfs: ${what}`);
}

function groupStart(plan: Plan, g: number): number {
  return plan.firstDataBlock + g * plan.blocksPerGroup;
}

function groupBlocks(plan: Plan, g: number): number {
  return Math.min(plan.blocksPerGroup, plan.blocksCount - groupStart(plan, g));
}

/** Blocks at the start of group `g` taken by metadata. */
function overhead(plan: Plan, g: number): number {
  const copies = groupHasSuper(g, true) ? 1 + plan.gdtBlocks : 0;
  return copies + 2 + plan.inodeTableBlocks;
}

/** Chooses the geometry for the options (EINVAL when they cannot make a file system). */
function plan(options: MkfsOptions): Plan {
  const blockSize = options.blockSize ?? 4096;
  const inodeSize = options.inodeSize ?? 256;
  if (![1024, 2048, 4096].includes(blockSize)) throw fail(`block size ${blockSize}`);
  if (inodeSize !== 128 && inodeSize !== 256) throw fail(`inode size ${inodeSize}`);
  const firstDataBlock = blockSize === 1024 ? 1 : 0;
  const blocksPerGroup = 8 * blockSize;
  let blocksCount = Math.min(Math.floor(options.sizeBytes / blockSize), 2 ** 32 - 1);
  let groups = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  const wanted = options.inodes ?? Math.floor((blocksCount * blockSize) / BYTES_PER_INODE);
  const perBlock = blockSize / inodeSize;
  const unit = Math.max(8, perBlock);
  const perGroup = Math.ceil(Math.max(wanted, 2 * GOOD_OLD_FIRST_INO) / groups / unit) * unit;
  const inodesPerGroup = Math.min(perGroup, 8 * blockSize);
  const p: Plan = {
    blockSize,
    blocksCount,
    firstDataBlock,
    blocksPerGroup,
    groups,
    gdtBlocks: Math.ceil((groups * GROUP_DESC_BYTES) / blockSize),
    inodeSize,
    inodesPerGroup,
    inodeTableBlocks: inodesPerGroup / perBlock,
  };
  const last = groups - 1;
  if (groups > 1 && groupBlocks(p, last) < overhead(p, last) + MIN_GROUP_DATA_BLOCKS) {
    groups--;
    blocksCount = groupStart(p, groups);
    const gdtBlocks = Math.ceil((groups * GROUP_DESC_BYTES) / blockSize);
    Object.assign(p, { groups, blocksCount, gdtBlocks });
  }
  if (groups < 1 || groupBlocks(p, 0) < overhead(p, 0) + MIN_GROUP_DATA_BLOCKS) {
    throw fail(`${options.sizeBytes} bytes is too small for a file system`);
  }
  return p;
}

/** The descriptor of group `g`; the root directory's block is the first data block of 0. */
function describeGroup(p: Plan, g: number): GroupDesc {
  const start = groupStart(p, g) + (groupHasSuper(g, true) ? 1 + p.gdtBlocks : 0);
  const rootBlock = g === 0 ? 1 : 0;
  const reservedInodes = g === 0 ? GOOD_OLD_FIRST_INO - 1 : 0;
  return {
    blockBitmap: start,
    inodeBitmap: start + 1,
    inodeTable: start + 2,
    freeBlocks: groupBlocks(p, g) - overhead(p, g) - rootBlock,
    freeInodes: p.inodesPerGroup - reservedInodes,
    usedDirs: g === 0 ? 1 : 0,
  };
}

function superblock(p: Plan, groups: GroupDesc[], options: MkfsOptions, now: number): Superblock {
  const uuid = crypto.getRandomValues(new Uint8Array(16));
  uuid[6] = (uuid[6] & 0x0f) | 0x40;
  uuid[8] = (uuid[8] & 0x3f) | 0x80;
  const volumeName = new Uint8Array(16);
  volumeName.set(new TextEncoder().encode(options.volumeName ?? "").subarray(0, 16));
  const extra = p.inodeSize > GOOD_OLD_INODE_SIZE ? 32 : 0;
  return {
    inodesCount: p.inodesPerGroup * p.groups,
    blocksCount: p.blocksCount,
    rBlocksCount: 0,
    freeBlocksCount: groups.reduce((n, gd) => n + gd.freeBlocks, 0),
    freeInodesCount: groups.reduce((n, gd) => n + gd.freeInodes, 0),
    firstDataBlock: p.firstDataBlock,
    logBlockSize: Math.log2(p.blockSize) - 10,
    logFragSize: Math.log2(p.blockSize) - 10,
    blocksPerGroup: p.blocksPerGroup,
    fragsPerGroup: p.blocksPerGroup,
    inodesPerGroup: p.inodesPerGroup,
    mtime: 0,
    wtime: now,
    mntCount: 0,
    maxMntCount: -1,
    magic: EXT2_MAGIC,
    state: STATE_VALID,
    errors: ERRORS_CONTINUE,
    minorRevLevel: 0,
    lastCheck: now,
    checkInterval: 0,
    creatorOs: OS_LINUX,
    revLevel: DYNAMIC_REV,
    defResuid: 0,
    defResgid: 0,
    firstIno: GOOD_OLD_FIRST_INO,
    inodeSize: p.inodeSize,
    blockGroupNr: 0,
    featureCompat: 0,
    featureIncompat: INCOMPAT_FILETYPE,
    featureRoCompat: RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE,
    reservedGdtBlocks: 0,
    uuid,
    volumeName,
    lastOrphan: 0,
    hashSeed: new Uint8Array(16),
    mkfsTime: now,
    minExtraIsize: extra,
    wantExtraIsize: extra,
  };
}

/** Writes the superblock and descriptor table into every group that keeps a copy. */
function writeSuperCopies(disk: Uint8Array, p: Plan, sb: Superblock, groups: GroupDesc[]) {
  const table = new Uint8Array(p.gdtBlocks * p.blockSize);
  groups.forEach((gd, g) => encodeGroupDesc(gd, table, g * GROUP_DESC_BYTES));
  for (let g = 0; g < p.groups; g++) {
    if (!groupHasSuper(g, true)) continue;
    const start = groupStart(p, g) * p.blockSize;
    const at = g === 0 ? SUPERBLOCK_OFFSET : start;
    encodeSuperblock({ ...sb, blockGroupNr: g }, disk.subarray(at, at + SUPERBLOCK_BYTES));
    disk.set(table, start + p.blockSize);
  }
}

/** Sets the bits [from, to) of the bitmap block at `block`. */
function markBits(disk: Uint8Array, p: Plan, block: number, from: number, to: number): void {
  const bits = disk.subarray(block * p.blockSize, (block + 1) * p.blockSize);
  for (let i = from; i < to; i++) setBit(bits, i);
}

/** Bitmaps: metadata, the root block and the reserved inodes in use; padding set. */
function writeBitmaps(disk: Uint8Array, p: Plan, groups: GroupDesc[]): void {
  const bits = 8 * p.blockSize;
  groups.forEach((gd, g) => {
    const used = overhead(p, g) + (g === 0 ? 1 : 0);
    markBits(disk, p, gd.blockBitmap, 0, used);
    markBits(disk, p, gd.blockBitmap, groupBlocks(p, g), bits);
    markBits(disk, p, gd.inodeBitmap, 0, g === 0 ? GOOD_OLD_FIRST_INO - 1 : 0);
    markBits(disk, p, gd.inodeBitmap, p.inodesPerGroup, bits);
  });
}

/** The root directory: inode 2 and its block ("." and ".." both the root). */
function writeRoot(disk: Uint8Array, p: Plan, group0: GroupDesc, nowNs: bigint): void {
  const rootBlock = groupStart(p, 0) + overhead(p, 0);
  const at = group0.inodeTable * p.blockSize + (ROOT_INO - 1) * p.inodeSize;
  const bytes = disk.subarray(at, at + p.inodeSize);
  const inode = decodeInode(bytes);
  Object.assign(inode, {
    mode: S_IFDIR | 0o755,
    links: 2,
    size: p.blockSize,
    blocks: p.blockSize / 512,
    atimeNs: nowNs,
    ctimeNs: nowNs,
    mtimeNs: nowNs,
    crtimeNs: nowNs,
    extraIsize: p.inodeSize > GOOD_OLD_INODE_SIZE ? 32 : 0,
  });
  inode.block[0] = rootBlock;
  encodeInode(inode, bytes);
  const block = disk.subarray(rootBlock * p.blockSize, (rootBlock + 1) * p.blockSize);
  const dot = { ino: ROOT_INO, recLen: 12, name: new Uint8Array([0x2e]), fileType: FT.DIR };
  encodeDirent(block, 0, dot, true);
  const dotdot = { ...dot, recLen: p.blockSize - 12, name: new Uint8Array([0x2e, 0x2e]) };
  encodeDirent(block, 12, dotdot, true);
}

/** The skeleton: an empty file system whose root is an empty directory. */
function skeleton(p: Plan, options: MkfsOptions, nowNs: bigint): Uint8Array {
  const disk = new Uint8Array(p.blocksCount * p.blockSize);
  const groups = Array.from({ length: p.groups }, (_, g) => describeGroup(p, g));
  const sb = superblock(p, groups, options, Number(nowNs / 1_000_000_000n));
  writeSuperCopies(disk, p, sb, groups);
  writeBitmaps(disk, p, groups);
  writeRoot(disk, p, groups[0], nowNs);
  return disk;
}

/** Creates `tree` under directory `dir` of the mounted image, breadth first. */
async function populate(image: MountedImage, dir: number, tree: Record<string, TreeNode>) {
  const queue: Array<[number, Record<string, TreeNode>]> = [[dir, tree]];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [parent, entries] = next;
    for (const [name, node] of Object.entries(entries)) {
      if (node.kind === "dir") {
        const ino = await image.op((fs) => fs.mkdir(parent, name, node.mode ?? 0o755));
        queue.push([ino, node.entries]);
      } else if (node.kind === "symlink") {
        await image.op((fs) => fs.symlink(parent, name, node.target));
      } else {
        await writeFile(image, parent, name, node);
      }
    }
  }
}

async function writeFile(image: MountedImage, parent: number, name: string, node: FileNode) {
  const ino = await image.op((fs) => fs.create(parent, name, node.mode ?? 0o644, 0));
  for (let at = 0; at < node.data.length; at += WRITE_CHUNK_BYTES) {
    const chunk = node.data.subarray(at, at + WRITE_CHUNK_BYTES);
    const written = await image.op((fs) => fs.write(ino, at, chunk));
    if (written !== chunk.length) throw new FsError(ENOSPC, `mkfs: no room for ${name}`);
  }
}

/**
 * Builds an ext2 image of `options.sizeBytes` holding `options.root`. EINVAL for options that
 * make no file system, ENOSPC when the tree does not fit.
 *
 * @example
 * const image = await makeExt2Image({
 *   sizeBytes: 16 << 20,
 *   root: { etc: { kind: "dir", entries: { motd: { kind: "file", data: bytes } } } },
 * });
 */
export async function makeExt2Image(options: MkfsOptions): Promise<Uint8Array> {
  const now = options.now ?? hostClock;
  const p = plan(options);
  const disk = skeleton(p, options, (now() / 1_000_000_000n) * 1_000_000_000n);
  const image = await mountImage(disk, { now });
  await image.op((fs) => fs.mkdir(fs.root(), "lost+found", 0o700));
  await populate(image, image.fs.root(), options.root ?? {});
  await image.op((fs) => fs.unmount());
  return disk;
}
