/**
 * ext2's on-disk structures, revision 0 and 1 ("The Second Extended File System", Dave Poirier;
 * Linux Documentation/filesystems/ext2.rst), and their codecs. Nothing here does I/O: each codec
 * reads or writes one structure in a byte array that the caller got from the buffer cache.
 *
 * The disk is an array of blocks (1, 2 or 4 KiB). Block `s_first_data_block` (1 for 1 KiB blocks,
 * else 0) starts block group 0; each group of `s_blocks_per_group` blocks holds, in order:
 *
 *   [superblock copy] [group descriptor table copy]   (group 0 always; with SPARSE_SUPER only
 *                                                      groups 1 and powers of 3, 5 and 7 too)
 *   block bitmap      one bit per block of the group, 1 = in use
 *   inode bitmap      one bit per inode of the group, 1 = in use
 *   inode table       s_inodes_per_group inodes of s_inode_size bytes
 *   data blocks
 *
 * The primary superblock is always at byte 1024 of the device, whatever the block size; the
 * group descriptor table starts in the block after the one holding it. Inode `n` (numbered
 * from 1) is entry (n - 1) % s_inodes_per_group of group (n - 1) / s_inodes_per_group.
 * Inodes 1..s_first_ino-1 are reserved (2 is the root directory).
 *
 * An inode's i_block[15] holds 12 direct block numbers, then one single, one double and one
 * triple indirect block (blocks of 32-bit block numbers); 0 is a hole. A fast symlink keeps its
 * target in i_block itself; a device node keeps its number in i_block[0] or [1].
 *
 * A directory is a file of blocks, each a chain of entries {inode u32, rec_len u16, name_len
 * u8, file_type u8, name}; rec_len links to the next entry, the last one reaches the block's
 * end, and inode 0 marks a free slot. Without the FILETYPE feature, name_len is 16 bits.
 *
 * All numbers are little-endian. `checkSuperblock` refuses any superblock whose geometry does
 * not add up; everything read later (group descriptors, inodes, entries) is checked against it.
 */

import { EINVAL } from "../../../abi/errno.ts";
import {
  FsError,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../fs.ts";
import { corrupt } from "./errors.ts";

/** s_magic. */
export const EXT2_MAGIC = 0xef53;
/** Byte offset of the primary superblock on the device, and its size. */
export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_BYTES = 1024;
/** s_rev_level values. */
export const GOOD_OLD_REV = 0;
export const DYNAMIC_REV = 1;
/** The inode size and first unreserved inode of revision 0. */
export const GOOD_OLD_INODE_SIZE = 128;
export const GOOD_OLD_FIRST_INO = 11;
/** The root directory's inode. */
export const ROOT_INO = 2;
/** Bytes of one group descriptor. */
export const GROUP_DESC_BYTES = 32;
/** i_block layout: 12 direct pointers, then single, double, triple indirect (15 in all). */
export const DIRECT_BLOCKS = 12;
export const N_BLOCKS = 15;
/** Bytes of i_block (a fast symlink's target is shorter than this). */
export const I_BLOCK_BYTES = 60;
/** Most links an inode may have. */
export const LINK_MAX = 32000;
/** s_state bits. */
export const STATE_VALID = 1;
export const STATE_ERROR = 2;
/** i_flags: the directory has a hash index (kept by ext3/4; cleared when we change it). */
export const INDEX_FL = 0x1000;
/** s_creator_os for Linux; s_errors "continue". */
export const OS_LINUX = 0;
export const ERRORS_CONTINUE = 1;

/** Feature bits this back end knows. */
export const COMPAT_RESIZE_INODE = 0x0010;
export const INCOMPAT_FILETYPE = 0x0002;
export const RO_COMPAT_SPARSE_SUPER = 0x0001;
export const RO_COMPAT_LARGE_FILE = 0x0002;
/** Incompatible features we can mount at all, and read-only-compatible ones we can write. */
export const INCOMPAT_SUPPORTED = INCOMPAT_FILETYPE;
export const RO_COMPAT_SUPPORTED = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE;

/** Directory entry file types (with the FILETYPE feature). */
export const FT = {
  UNKNOWN: 0,
  REG: 1,
  DIR: 2,
  CHRDEV: 3,
  BLKDEV: 4,
  FIFO: 5,
  SOCK: 6,
  SYMLINK: 7,
} as const;

/** The superblock fields this back end reads or writes. */
export interface Superblock {
  inodesCount: number;
  blocksCount: number;
  rBlocksCount: number;
  freeBlocksCount: number;
  freeInodesCount: number;
  firstDataBlock: number;
  logBlockSize: number;
  logFragSize: number;
  blocksPerGroup: number;
  fragsPerGroup: number;
  inodesPerGroup: number;
  mtime: number;
  wtime: number;
  mntCount: number;
  maxMntCount: number;
  magic: number;
  state: number;
  errors: number;
  minorRevLevel: number;
  lastCheck: number;
  checkInterval: number;
  creatorOs: number;
  revLevel: number;
  defResuid: number;
  defResgid: number;
  firstIno: number;
  inodeSize: number;
  blockGroupNr: number;
  featureCompat: number;
  featureIncompat: number;
  featureRoCompat: number;
  /** Blocks reserved after each descriptor table copy for growing it (RESIZE_INODE). */
  reservedGdtBlocks: number;
  uuid: Uint8Array;
  volumeName: Uint8Array;
  lastOrphan: number;
  hashSeed: Uint8Array;
  mkfsTime: number;
  minExtraIsize: number;
  wantExtraIsize: number;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Decodes the 1024 bytes of a superblock. */
export function decodeSuperblock(bytes: Uint8Array): Superblock {
  const d = view(bytes);
  const u32 = (o: number) => d.getUint32(o, true);
  const u16 = (o: number) => d.getUint16(o, true);
  return {
    inodesCount: u32(0),
    blocksCount: u32(4),
    rBlocksCount: u32(8),
    freeBlocksCount: u32(12),
    freeInodesCount: u32(16),
    firstDataBlock: u32(20),
    logBlockSize: u32(24),
    logFragSize: u32(28),
    blocksPerGroup: u32(32),
    fragsPerGroup: u32(36),
    inodesPerGroup: u32(40),
    mtime: u32(44),
    wtime: u32(48),
    mntCount: u16(52),
    maxMntCount: d.getInt16(54, true),
    magic: u16(56),
    state: u16(58),
    errors: u16(60),
    minorRevLevel: u16(62),
    lastCheck: u32(64),
    checkInterval: u32(68),
    creatorOs: u32(72),
    revLevel: u32(76),
    defResuid: u16(80),
    defResgid: u16(82),
    firstIno: u32(84),
    inodeSize: u16(88),
    blockGroupNr: u16(90),
    featureCompat: u32(92),
    featureIncompat: u32(96),
    featureRoCompat: u32(100),
    reservedGdtBlocks: u16(206),
    uuid: bytes.slice(104, 120),
    volumeName: bytes.slice(120, 136),
    lastOrphan: u32(232),
    hashSeed: bytes.slice(236, 252),
    mkfsTime: u32(264),
    minExtraIsize: u16(348),
    wantExtraIsize: u16(350),
  };
}

/** Writes every field of `sb` into the 1024 bytes of a superblock; other bytes stay. */
export function encodeSuperblock(sb: Superblock, bytes: Uint8Array): void {
  const d = view(bytes);
  const u32 = (o: number, v: number) => d.setUint32(o, v, true);
  const u16 = (o: number, v: number) => d.setUint16(o, v, true);
  u32(0, sb.inodesCount);
  u32(4, sb.blocksCount);
  u32(8, sb.rBlocksCount);
  u32(12, sb.freeBlocksCount);
  u32(16, sb.freeInodesCount);
  u32(20, sb.firstDataBlock);
  u32(24, sb.logBlockSize);
  u32(28, sb.logFragSize);
  u32(32, sb.blocksPerGroup);
  u32(36, sb.fragsPerGroup);
  u32(40, sb.inodesPerGroup);
  u32(44, sb.mtime);
  u32(48, sb.wtime);
  u16(52, sb.mntCount);
  d.setInt16(54, sb.maxMntCount, true);
  u16(56, sb.magic);
  u16(58, sb.state);
  u16(60, sb.errors);
  u16(62, sb.minorRevLevel);
  u32(64, sb.lastCheck);
  u32(68, sb.checkInterval);
  u32(72, sb.creatorOs);
  u32(76, sb.revLevel);
  u16(80, sb.defResuid);
  u16(82, sb.defResgid);
  if (sb.revLevel === GOOD_OLD_REV) return;
  u32(84, sb.firstIno);
  u16(88, sb.inodeSize);
  u16(90, sb.blockGroupNr);
  u32(92, sb.featureCompat);
  u32(96, sb.featureIncompat);
  u32(100, sb.featureRoCompat);
  bytes.set(sb.uuid, 104);
  bytes.set(sb.volumeName, 120);
  u16(206, sb.reservedGdtBlocks);
  u32(232, sb.lastOrphan);
  bytes.set(sb.hashSeed, 236);
  u32(264, sb.mkfsTime);
  u16(348, sb.minExtraIsize);
  u16(350, sb.wantExtraIsize);
}

/** The shape of a file system, derived from a checked superblock. */
export interface Geometry {
  blockSize: number;
  blocksCount: number;
  inodesCount: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  groups: number;
  inodeSize: number;
  inodesPerBlock: number;
  /** Blocks of one group's inode table. */
  inodeTableBlocks: number;
  /** Blocks of the group descriptor table. */
  gdtBlocks: number;
  /** First inode that is not reserved. */
  firstIno: number;
  /** Block numbers per indirect block. */
  pointersPerBlock: number;
}

function refuse(what: string): FsError {
  return new FsError(EINVAL, `ext2: cannot mount: ${what}`);
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/**
 * Checks that `sb` describes an ext2 file system that fits a device of `deviceBytes`, and
 * returns its geometry; EINVAL naming the first thing that is wrong.
 */
export function checkSuperblock(sb: Superblock, deviceBytes: number): Geometry {
  if (sb.magic !== EXT2_MAGIC) {
    throw refuse(`bad magic 0x${sb.magic.toString(16)} (not ext2)`);
  }
  if (sb.revLevel !== GOOD_OLD_REV && sb.revLevel !== DYNAMIC_REV) {
    throw refuse(`unknown revision ${sb.revLevel}`);
  }
  if (sb.logBlockSize > 2) throw refuse(`block size 1024 << ${sb.logBlockSize}`);
  const blockSize = 1024 << sb.logBlockSize;
  const firstDataBlock = blockSize === 1024 ? 1 : 0;
  if (sb.firstDataBlock !== firstDataBlock) {
    throw refuse(`first data block ${sb.firstDataBlock} with ${blockSize}-byte blocks`);
  }
  const deviceBlocks = Math.floor(deviceBytes / blockSize);
  if (sb.blocksCount > deviceBlocks) {
    throw refuse(
      `truncated image: the superblock claims ${sb.blocksCount} blocks, ` +
        `the device has ${deviceBlocks}`,
    );
  }
  if (sb.blocksCount <= firstDataBlock + 1) throw refuse(`${sb.blocksCount} blocks`);
  const bitsPerBlock = blockSize * 8;
  if (sb.blocksPerGroup < 8 || sb.blocksPerGroup > bitsPerBlock || sb.blocksPerGroup % 8) {
    throw refuse(`${sb.blocksPerGroup} blocks per group`);
  }
  const inodeSize = sb.revLevel === GOOD_OLD_REV ? GOOD_OLD_INODE_SIZE : sb.inodeSize;
  if (inodeSize < GOOD_OLD_INODE_SIZE || inodeSize > blockSize || !isPowerOfTwo(inodeSize)) {
    throw refuse(`inode size ${inodeSize}`);
  }
  const inodesPerBlock = blockSize / inodeSize;
  if (
    sb.inodesPerGroup < inodesPerBlock || sb.inodesPerGroup > bitsPerBlock ||
    sb.inodesPerGroup % inodesPerBlock
  ) {
    throw refuse(`${sb.inodesPerGroup} inodes per group`);
  }
  const groups = Math.ceil((sb.blocksCount - firstDataBlock) / sb.blocksPerGroup);
  if (sb.inodesCount !== groups * sb.inodesPerGroup) {
    throw refuse(`${sb.inodesCount} inodes in ${groups} groups of ${sb.inodesPerGroup}`);
  }
  const firstIno = sb.revLevel === GOOD_OLD_REV ? GOOD_OLD_FIRST_INO : sb.firstIno;
  if (firstIno < GOOD_OLD_FIRST_INO || firstIno > sb.inodesCount) {
    throw refuse(`first inode ${firstIno}`);
  }
  const gdtBlocks = Math.ceil((groups * GROUP_DESC_BYTES) / blockSize);
  const reserved = sb.featureCompat & COMPAT_RESIZE_INODE ? sb.reservedGdtBlocks : 0;
  if (reserved > blockSize / 4 || 1 + gdtBlocks + reserved > sb.blocksPerGroup) {
    throw refuse(`group descriptor table of ${gdtBlocks}+${reserved} blocks does not fit`);
  }
  if (sb.freeBlocksCount > sb.blocksCount || sb.freeInodesCount > sb.inodesCount) {
    throw refuse("free counts larger than the totals");
  }
  return {
    blockSize,
    blocksCount: sb.blocksCount,
    inodesCount: sb.inodesCount,
    firstDataBlock,
    blocksPerGroup: sb.blocksPerGroup,
    inodesPerGroup: sb.inodesPerGroup,
    groups,
    inodeSize,
    inodesPerBlock,
    inodeTableBlocks: sb.inodesPerGroup / inodesPerBlock,
    gdtBlocks,
    firstIno,
    pointersPerBlock: blockSize / 4,
  };
}

/** The first block of group `g`. */
export function groupStart(geo: Geometry, g: number): number {
  return geo.firstDataBlock + g * geo.blocksPerGroup;
}

/** Blocks in group `g` (the last group may be short). */
export function groupBlocks(geo: Geometry, g: number): number {
  return Math.min(geo.blocksPerGroup, geo.blocksCount - groupStart(geo, g));
}

function isPowerOf(n: number, base: number): boolean {
  while (n > 1 && n % base === 0) n /= base;
  return n === 1;
}

/** Whether group `g` holds a copy of the superblock and descriptor table. */
export function groupHasSuper(g: number, sparse: boolean): boolean {
  if (g <= 1 || !sparse) return true;
  return isPowerOf(g, 3) || isPowerOf(g, 5) || isPowerOf(g, 7);
}

/** One block group's descriptor. */
export interface GroupDesc {
  blockBitmap: number;
  inodeBitmap: number;
  inodeTable: number;
  freeBlocks: number;
  freeInodes: number;
  usedDirs: number;
}

/** Decodes the descriptor at byte `offset` of a descriptor table block. */
export function decodeGroupDesc(bytes: Uint8Array, offset: number): GroupDesc {
  const d = view(bytes);
  return {
    blockBitmap: d.getUint32(offset, true),
    inodeBitmap: d.getUint32(offset + 4, true),
    inodeTable: d.getUint32(offset + 8, true),
    freeBlocks: d.getUint16(offset + 12, true),
    freeInodes: d.getUint16(offset + 14, true),
    usedDirs: d.getUint16(offset + 16, true),
  };
}

/** Writes a descriptor at byte `offset` of a descriptor table block. */
export function encodeGroupDesc(gd: GroupDesc, bytes: Uint8Array, offset: number): void {
  const d = view(bytes);
  d.setUint32(offset, gd.blockBitmap, true);
  d.setUint32(offset + 4, gd.inodeBitmap, true);
  d.setUint32(offset + 8, gd.inodeTable, true);
  d.setUint16(offset + 12, gd.freeBlocks, true);
  d.setUint16(offset + 14, gd.freeInodes, true);
  d.setUint16(offset + 16, gd.usedDirs, true);
}

/** Checks group `g`'s descriptor against the geometry: its bitmaps and table lie in the group. */
export function checkGroupDesc(geo: Geometry, g: number, gd: GroupDesc): void {
  const first = groupStart(geo, g);
  const end = first + groupBlocks(geo, g);
  const inside = (b: number, n: number) => b >= first && b + n <= end;
  if (!inside(gd.blockBitmap, 1)) throw refuse(`group ${g}: block bitmap at ${gd.blockBitmap}`);
  if (!inside(gd.inodeBitmap, 1)) throw refuse(`group ${g}: inode bitmap at ${gd.inodeBitmap}`);
  if (!inside(gd.inodeTable, geo.inodeTableBlocks)) {
    throw refuse(`group ${g}: inode table at ${gd.inodeTable}`);
  }
  if (gd.freeBlocks > end - first || gd.freeInodes > geo.inodesPerGroup) {
    throw refuse(`group ${g}: free counts ${gd.freeBlocks}/${gd.freeInodes}`);
  }
  if (gd.usedDirs > geo.inodesPerGroup) throw refuse(`group ${g}: ${gd.usedDirs} directories`);
}

/** An inode's fields. Times are ns since the epoch; `size` is the whole 64-bit size. */
export interface Inode {
  mode: number;
  uid: number;
  gid: number;
  size: number;
  atimeNs: bigint;
  ctimeNs: bigint;
  mtimeNs: bigint;
  /** Creation time (256-byte inodes with room for it), else 0n. */
  crtimeNs: bigint;
  /** Deletion time, or the next inode of the orphan list while the inode is an orphan. */
  dtime: number;
  links: number;
  /** i_blocks: 512-byte units, data and indirect blocks (and an xattr block). */
  blocks: number;
  flags: number;
  /** i_block: 15 block numbers (or a fast symlink's bytes, or a device number). */
  block: number[];
  generation: number;
  /** Block of extended attributes, or 0. */
  fileAcl: number;
  /** i_extra_isize: bytes used past the first 128 (0 for 128-byte inodes). */
  extraIsize: number;
}

const NS_PER_S = 1_000_000_000n;

/** Offsets of the times and their ext4 "extra" words (epoch bits and nanoseconds). */
const TIMES = {
  atime: { sec: 8, extra: 140 },
  ctime: { sec: 12, extra: 132 },
  mtime: { sec: 16, extra: 136 },
  crtime: { sec: 144, extra: 148 },
} as const;

/** Whether a field of 4 bytes at `offset` lies inside an inode's extra space. */
function hasExtra(extraIsize: number, offset: number): boolean {
  return GOOD_OLD_INODE_SIZE + extraIsize >= offset + 4;
}

function readTime(d: DataView, at: { sec: number; extra: number }, extraIsize: number): bigint {
  if (at.sec >= GOOD_OLD_INODE_SIZE && !hasExtra(extraIsize, at.sec)) return 0n;
  let sec = BigInt(d.getInt32(at.sec, true));
  let nsec = 0n;
  if (hasExtra(extraIsize, at.extra)) {
    const extra = d.getUint32(at.extra, true);
    sec += BigInt(extra & 3) << 32n;
    nsec = BigInt(extra >>> 2);
  }
  return sec * NS_PER_S + nsec;
}

function writeTime(
  d: DataView,
  at: { sec: number; extra: number },
  extraIsize: number,
  ns: bigint,
): void {
  if (at.sec >= GOOD_OLD_INODE_SIZE && !hasExtra(extraIsize, at.sec)) return;
  let sec = ns / NS_PER_S;
  const nsec = Number(ns - sec * NS_PER_S);
  if (!hasExtra(extraIsize, at.extra)) {
    sec = sec < -(2n ** 31n) ? -(2n ** 31n) : sec >= 2n ** 31n ? 2n ** 31n - 1n : sec;
    d.setInt32(at.sec, Number(sec), true);
    return;
  }
  const low = BigInt.asIntN(32, sec);
  const epoch = Number((sec - low) >> 32n) & 3;
  d.setInt32(at.sec, Number(low), true);
  d.setUint32(at.extra, ((nsec << 2) | epoch) >>> 0, true);
}

/** Decodes an inode from its `inodeSize` bytes. */
export function decodeInode(bytes: Uint8Array): Inode {
  const d = view(bytes);
  const u32 = (o: number) => d.getUint32(o, true);
  const u16 = (o: number) => d.getUint16(o, true);
  const mode = u16(0);
  const extraIsize = bytes.length > GOOD_OLD_INODE_SIZE ? u16(128) : 0;
  const sizeHigh = (mode & S_IFMT) === S_IFREG ? u32(108) : 0;
  return {
    mode,
    uid: (u16(2) | (u16(120) << 16)) >>> 0,
    gid: (u16(24) | (u16(122) << 16)) >>> 0,
    size: u32(4) + sizeHigh * 2 ** 32,
    atimeNs: readTime(d, TIMES.atime, extraIsize),
    ctimeNs: readTime(d, TIMES.ctime, extraIsize),
    mtimeNs: readTime(d, TIMES.mtime, extraIsize),
    crtimeNs: readTime(d, TIMES.crtime, extraIsize),
    dtime: u32(20),
    links: u16(26),
    blocks: u32(28),
    flags: u32(32),
    block: Array.from({ length: N_BLOCKS }, (_, i) => u32(40 + 4 * i)),
    generation: u32(100),
    fileAcl: u32(104),
    extraIsize,
  };
}

/** Writes `inode` into its `inodeSize` bytes; fields it does not model stay. */
export function encodeInode(inode: Inode, bytes: Uint8Array): void {
  const d = view(bytes);
  const u32 = (o: number, v: number) => d.setUint32(o, v >>> 0, true);
  const u16 = (o: number, v: number) => d.setUint16(o, v & 0xffff, true);
  u16(0, inode.mode);
  u16(2, inode.uid);
  u16(120, inode.uid >>> 16);
  u16(24, inode.gid);
  u16(122, inode.gid >>> 16);
  u32(4, inode.size % 2 ** 32);
  if ((inode.mode & S_IFMT) === S_IFREG) u32(108, Math.floor(inode.size / 2 ** 32));
  u32(20, inode.dtime);
  u16(26, inode.links);
  u32(28, inode.blocks);
  u32(32, inode.flags);
  inode.block.forEach((b, i) => u32(40 + 4 * i, b));
  u32(100, inode.generation);
  u32(104, inode.fileAcl);
  if (bytes.length > GOOD_OLD_INODE_SIZE) u16(128, inode.extraIsize);
  writeTime(d, TIMES.atime, inode.extraIsize, inode.atimeNs);
  writeTime(d, TIMES.ctime, inode.extraIsize, inode.ctimeNs);
  writeTime(d, TIMES.mtime, inode.extraIsize, inode.mtimeNs);
  writeTime(d, TIMES.crtime, inode.extraIsize, inode.crtimeNs);
}

/** The directory entry file type for a mode. */
export function fileTypeOf(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return FT.REG;
    case S_IFDIR:
      return FT.DIR;
    case S_IFLNK:
      return FT.SYMLINK;
    case S_IFCHR:
      return FT.CHRDEV;
    case S_IFBLK:
      return FT.BLKDEV;
    case S_IFIFO:
      return FT.FIFO;
    case S_IFSOCK:
      return FT.SOCK;
    default:
      return FT.UNKNOWN;
  }
}

/** Whether `mode` is a type an ext2 inode may have. */
export function isKnownType(mode: number): boolean {
  return fileTypeOf(mode) !== FT.UNKNOWN;
}

/** Bytes of a directory entry header (before the name). */
export const DIRENT_HEADER_BYTES = 8;

/** The smallest rec_len that holds a name of `nameLen` bytes. */
export function direntLength(nameLen: number): number {
  return (DIRENT_HEADER_BYTES + nameLen + 3) & ~3;
}

/** A directory entry, as found at `offset` of a directory block. */
export interface Dirent {
  offset: number;
  ino: number;
  recLen: number;
  nameLen: number;
  fileType: number;
}

/**
 * Decodes and checks the entry at `offset` of a directory block: its rec_len stays inside the
 * block and holds the name, its inode is at most `inodesCount`. EIO otherwise.
 */
export function decodeDirent(
  block: Uint8Array,
  offset: number,
  hasFileType: boolean,
  inodesCount: number,
): Dirent {
  if (offset + DIRENT_HEADER_BYTES > block.length) {
    throw corrupt(`directory entry at ${offset} runs past the block`);
  }
  const d = view(block);
  const ino = d.getUint32(offset, true);
  const recLen = d.getUint16(offset + 4, true);
  const nameLen = hasFileType ? block[offset + 6] : d.getUint16(offset + 6, true);
  const fileType = hasFileType ? block[offset + 7] : FT.UNKNOWN;
  if (recLen < DIRENT_HEADER_BYTES || recLen % 4 !== 0 || offset + recLen > block.length) {
    throw corrupt(`directory entry at ${offset} has rec_len ${recLen}`);
  }
  if (DIRENT_HEADER_BYTES + nameLen > recLen || nameLen > 255) {
    throw corrupt(`directory entry at ${offset}: name of ${nameLen} bytes in ${recLen}`);
  }
  if (ino > inodesCount) throw corrupt(`directory entry names inode ${ino}`);
  return { offset, ino, recLen, nameLen, fileType };
}

/** The name bytes of an entry (a view). */
export function direntName(block: Uint8Array, e: Dirent): Uint8Array {
  return block.subarray(e.offset + DIRENT_HEADER_BYTES, e.offset + DIRENT_HEADER_BYTES + e.nameLen);
}

/** A directory entry to write. */
export interface NewDirent {
  ino: number;
  recLen: number;
  name: Uint8Array;
  fileType: number;
}

/** Writes an entry at `offset` of a directory block. */
export function encodeDirent(
  block: Uint8Array,
  offset: number,
  entry: NewDirent,
  hasFileType: boolean,
): void {
  const d = view(block);
  d.setUint32(offset, entry.ino, true);
  d.setUint16(offset + 4, entry.recLen, true);
  if (hasFileType) {
    block[offset + 6] = entry.name.length;
    block[offset + 7] = entry.fileType;
  } else {
    d.setUint16(offset + 6, entry.name.length, true);
  }
  block.set(entry.name, offset + DIRENT_HEADER_BYTES);
}

/** Changes the inode of the entry at `offset` (0 frees the entry). */
export function setDirentIno(block: Uint8Array, offset: number, ino: number): void {
  view(block).setUint32(offset, ino, true);
}

/** Changes the rec_len of the entry at `offset`. */
export function setDirentRecLen(block: Uint8Array, offset: number, recLen: number): void {
  view(block).setUint16(offset + 4, recLen, true);
}
