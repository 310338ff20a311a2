/**
 * What a file system back end is to the VFS: a tree of inodes named by number, with the
 * operations POSIX needs. The VFS core (path resolution, mounts, the protocol with the kernel)
 * is written against this interface only; ext2, tmpfs, devfs, procfs and hostfs implement it.
 *
 * Conventions every back end keeps:
 * - Inodes are named by their number (`ino`, a positive integer unique within the file system
 *   while the inode lives). `root()` is the root directory's.
 * - Errors are thrown as `FsError(errno)` with Linux errno values (abi/errno.ts); nothing
 *   else may escape (anything else is a back-end bug, which the VFS contains and reports as
 *   EIO). A back end validates what it reads from its medium: a corrupt disk gives EIO (or
 *   EUCLEAN-like EIO with a message), never an exception of another kind or a hang.
 * - Names are byte strings of 1..255 bytes without "/" or NUL; a back end checks (EINVAL,
 *   ENAMETOOLONG). "." and ".." are never created, removed or renamed (EINVAL), but `lookup`
 *   answers them for a directory: itself and its parent (the root's parent is the root) —
 *   the VFS walks up a file system with "..", and finds a mount's way out itself.
 * - Times are nanoseconds since the Unix epoch, as bigint. `now()` comes from the VFS
 *   (FsContext), so every back end stamps the same clock.
 * - File data reaches the VFS as views (`Uint8Array`) that stay valid until the next call into
 *   the back end; a back end whose data lives in the buffer cache returns views into cache
 *   slots, which the VFS hands to the kernel without copying (see cache.ts).
 * - The VFS calls one operation of a file system at a time (it serialises them), so a back end
 *   needs no locking of its own.
 */

import type { BlockCache } from "./cache.ts";

/** File type bits of a mode (as in st_mode). */
export const S_IFMT = 0o170000;
export const S_IFSOCK = 0o140000;
export const S_IFLNK = 0o120000;
export const S_IFREG = 0o100000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFCHR = 0o020000;
export const S_IFIFO = 0o010000;

/** Directory entry types (getdents64's d_type). */
export const DT = {
  UNKNOWN: 0,
  FIFO: 1,
  CHR: 2,
  DIR: 4,
  BLK: 6,
  REG: 8,
  LNK: 10,
  SOCK: 12,
} as const;

/** The d_type for a mode. */
export function dtype(mode: number): number {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return DT.REG;
    case S_IFDIR:
      return DT.DIR;
    case S_IFLNK:
      return DT.LNK;
    case S_IFCHR:
      return DT.CHR;
    case S_IFBLK:
      return DT.BLK;
    case S_IFIFO:
      return DT.FIFO;
    case S_IFSOCK:
      return DT.SOCK;
    default:
      return DT.UNKNOWN;
  }
}

/** Longest name of a directory entry, in bytes. */
export const NAME_MAX = 255;

/** A failed file-system operation: a Linux errno (positive) and a detail for logs. */
export class FsError extends Error {
  constructor(readonly errno: number, detail = "") {
    super(detail || `errno ${errno}`);
  }
}

/** An inode's attributes (what stat reports). */
export interface Attr {
  ino: number;
  /** Type and permission bits. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  /** Bytes (for a symlink: the target's length). */
  size: number;
  /** 512-byte units allocated (holes are not counted). */
  blocks: number;
  /** Preferred I/O size, in bytes. */
  blksize: number;
  /** Device number of a character or block special file (major << 8 | minor), else 0. */
  rdev: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** Creation time, when the file system keeps one (0n otherwise). */
  btimeNs: bigint;
}

/** Attributes to change (setattr); absent fields stay. */
export interface AttrChange {
  /** Permission bits only (the type never changes). */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Truncate or extend (with a hole) to this size. */
  size?: number;
  atimeNs?: bigint;
  mtimeNs?: bigint;
}

/** One directory entry. */
export interface DirEntry {
  ino: number;
  name: string;
  /** A DT value. */
  type: number;
}

/** A page of a directory listing. */
export interface DirPage {
  entries: DirEntry[];
  /** Where the next page starts (pass it back to readdir), or 0 at the end. */
  next: number;
}

/** What a read returns: pieces of data in order, their lengths summing to the bytes read. */
export interface ReadResult {
  /**
   * The data, in order. A `{ hole }` piece is that many bytes of zeros, which a back end need
   * not materialise.
   */
  pieces: Array<Uint8Array | { hole: number }>;
  /** Bytes read (less than asked only at the end of the file). */
  bytes: number;
}

/** File-system-wide figures (statfs). */
export interface FsStats {
  /** Fundamental block size, in bytes. */
  blockSize: number;
  blocks: number;
  blocksFree: number;
  /** Free blocks an unprivileged user may use. */
  blocksAvailable: number;
  inodes: number;
  inodesFree: number;
  /** The file system's magic number (statfs's f_type): 0xEF53 for ext2, 0x01021994 tmpfs… */
  magic: number;
  nameMax: number;
}

/** What the VFS gives a back end. */
export interface FsContext {
  /** The current wall-clock time, in ns since the epoch. */
  now(): bigint;
}

/** A mounted (or mountable) file system. */
export interface FileSystem {
  /** The type's name, as /proc/mounts shows it: "ext2", "tmpfs", "devtmpfs", "proc", "hostfs". */
  readonly type: string;
  /** Whether it refuses every change (EROFS). */
  readonly readOnly: boolean;

  root(): number;
  getattr(ino: number): Promise<Attr>;
  setattr(ino: number, change: AttrChange): Promise<Attr>;

  /** The inode `name` names in directory `dir`: ENOENT, ENOTDIR. */
  lookup(dir: number, name: string): Promise<number>;
  /** A page of at most `max` entries of `dir` from `cookie` (0: the start), "." and ".." included. */
  readdir(dir: number, cookie: number, max: number): Promise<DirPage>;

  /** Creates a regular file (or, with S_IFCHR/S_IFBLK/S_IFIFO in `mode`, a node): EEXIST. */
  create(dir: number, name: string, mode: number, rdev: number): Promise<number>;
  mkdir(dir: number, name: string, mode: number): Promise<number>;
  symlink(dir: number, name: string, target: string): Promise<number>;
  readlink(ino: number): Promise<string>;
  /** A new name for `ino` (not a directory: EPERM). */
  link(ino: number, dir: number, name: string): Promise<void>;
  /** Removes a non-directory's name (EISDIR for a directory). */
  unlink(dir: number, name: string): Promise<void>;
  /** Removes an empty directory (ENOTEMPTY, ENOTDIR). */
  rmdir(dir: number, name: string): Promise<void>;
  /**
   * Moves `from/fromName` to `to/toName`, replacing what is there as rename(2) does (a
   * directory only by an empty directory; EINVAL moving a directory into itself).
   */
  rename(from: number, fromName: string, to: number, toName: string): Promise<void>;

  /** Reads up to `length` bytes at `offset` (EISDIR for a directory). */
  read(ino: number, offset: number, length: number): Promise<ReadResult>;
  /** Writes `data` at `offset`, growing the file; returns bytes written (ENOSPC, EFBIG). */
  write(ino: number, offset: number, data: Uint8Array): Promise<number>;

  /**
   * The inode has no name left and nobody has it open: free it. Called by the VFS, which
   * counts opens, after the last close of an unlinked file (an unlink of a file nobody has
   * open frees it at once, inside unlink, unless `isOpen` says otherwise).
   */
  evict(ino: number): Promise<void>;
  /** Tells the back end which inodes are open, so that unlink keeps their data. */
  setOpenCheck(isOpen: (ino: number) => boolean): void;
  /**
   * Frees every inode that has no name left and that `isOpen` no longer calls open (a
   * restarted VFS, once the kernel has said which files it still holds).
   */
  reapOrphans(): Promise<void>;

  /** Makes the file's data and metadata durable (`dataOnly`: fdatasync). */
  fsync(ino: number, dataOnly: boolean): Promise<void>;
  /** Makes everything durable. */
  sync(): Promise<void>;
  statfs(): Promise<FsStats>;
  /** Syncs and lets go of the medium (unmount); the object is not used afterwards. */
  unmount(): Promise<void>;
}

/** How a disk file system is made from a block cache (ext2's `mount`). */
export type DiskFsMount = (
  cache: BlockCache,
  ctx: FsContext,
  options: {
    readOnly: boolean;
    /**
     * Leaves the orphan list alone (a restarted VFS: the kernel may still hold those files
     * open; `reapOrphans` frees the rest once the kernel has said which).
     */
    keepOrphans?: boolean;
  },
) => Promise<FileSystem>;
