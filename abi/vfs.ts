/**
 * The VFS protocol: what the kernel asks of the VFS service ("vfs") on behalf of system calls.
 *
 * Nodes are named by (mount, ino): the VFS keeps no per-process state. The kernel keeps what
 * belongs to a process — its open file descriptions (node, offset, flags), its working
 * directory (node and path) — so the VFS can restart without anyone losing a file; the only
 * thing the VFS counts is how often each node is open (OPEN / CLOSE; a new instance learns
 * the count from HELLO), so that an unlinked file lives until its last close.
 *
 * Bulk data never travels in a message:
 * - Request data (paths, names, the bytes of a write) is placed by the kernel in a slot of its
 *   staging region, which the VFS may read and write (handed over by HELLO); a request names
 *   it as `data` (offset, length). Replies with bulk output (READDIR, READLINK) write into the
 *   slot the request named.
 * - File data read comes back as extents of the VFS's buffer cache region (abi/vfs_cache.ts),
 *   which the kernel holds read-only: the kernel copies from there straight into the user's
 *   buffer (one copy), checking each slot's generation (a seqlock) and asking again if the
 *   slot changed under the copy.
 *
 * Paths and names are UTF-8 (a byte string that is not is EINVAL). Errors are -errno in the
 * reply's label, with Linux values.
 */

import { empty, i64, list, struct, u32, u64, u8, type Value } from "./codec.ts";

/** The endpoint the VFS serves. */
export const VFS_ENDPOINT = "vfs";

/** Slots in the kernel's staging region, and their size. */
export const STAGING_SLOTS = 64;
export const STAGING_SLOT_BYTES = 64 * 1024;

/** A node: which mount, which inode. */
export const node = struct({ mount: u32, ino: u32 });
export type Node = Value<typeof node>;

/** Bytes in the kernel's staging region: where a request's data (or a reply's output) is. */
export const data = struct({ at: u32, len: u32 });
export type Data = Value<typeof data>;

/** An inode's attributes. */
export const attr = struct({
  mount: u32,
  ino: u32,
  mode: u32,
  nlink: u32,
  uid: u32,
  gid: u32,
  size: u64,
  blocks: u64,
  blksize: u32,
  rdev: u32,
  atimeNs: i64,
  mtimeNs: i64,
  ctimeNs: i64,
  btimeNs: i64,
});
export type WireAttr = Value<typeof attr>;

/** A piece of read data in the cache region; `at` = HOLE means `len` zero bytes. */
export const extent = struct({ at: u32, len: u32, gen: u32 });
export type Extent = Value<typeof extent>;
/** The `at` of a hole. */
export const HOLE = 0xffff_ffff;
/** Most extents in one READ reply (what fits a payload). */
export const EXTENTS_MAX = 16;

/** RESOLVE / OPEN flags (the VFS's own, not O_*). */
export const RESOLVE = {
  /** Follow a symbolic link in the last component. */
  FOLLOW: 1,
  /** The result must be a directory (ENOTDIR). */
  DIRECTORY: 2,
  /** An empty path names the base itself (AT_EMPTY_PATH). */
  EMPTY: 4,
} as const;

/** OPEN flags. */
export const OPEN = {
  CREATE: 8,
  EXCLUSIVE: 16,
  TRUNCATE: 32,
  /** Opened for writing (EISDIR on a directory, EROFS on a read-only mount). */
  WRITE: 64,
} as const;

/** SETATTR fields present. */
export const SET = { MODE: 1, SIZE: 2, ATIME: 4, MTIME: 8, ATIME_NOW: 16, MTIME_NOW: 32 } as const;

/** File-system figures (statfs). */
export const statfs = struct({
  magic: u32,
  blockSize: u32,
  blocks: u64,
  blocksFree: u64,
  blocksAvailable: u64,
  inodes: u64,
  inodesFree: u64,
  nameMax: u32,
  mount: u32,
});

const base = node;

/** A node the kernel holds open, and in how many open file descriptions. */
export const heldNode = struct({ mount: u32, ino: u32, count: u32 });
export type HeldNode = Value<typeof heldNode>;
/** Distinct nodes the kernel holds open at once, system-wide (one more is ENFILE). */
export const HELD_NODES_MAX = 4096;
/** What the kernel holds open, as the greeting's second region carries it. */
export const heldList = list(heldNode, HELD_NODES_MAX);
/** Bytes of the region the held list travels in (its count, then the nodes). */
export const HELD_REGION_BYTES = 2 + HELD_NODES_MAX * 12;

/** The operations, by label. */
export const VFS = {
  /**
   * The kernel introduces itself: its staging region comes as handle 0, and as handle 1 a
   * region whose first `held` bytes are the `heldList` of the files it has open (after a
   * restart, the only record of them: the VFS counts them and frees the orphans nobody holds).
   * The reply's handle 0 is the cache region (read-only) and its payload the root node.
   */
  hello: { label: 1, request: struct({ held: u32 }), reply: node },
  /** Looks a path up from `base` (`data` holds the path). */
  resolve: { label: 2, request: struct({ base, flags: u32, data }), reply: attr },
  /** Opens (or creates, with OPEN.CREATE and `mode`) a path; counts the open. */
  open: { label: 3, request: struct({ base, flags: u32, mode: u32, data }), reply: attr },
  /** The kernel closed its last description of the node (one-way). */
  close: { label: 4, request: node, reply: empty },
  getattr: { label: 5, request: node, reply: attr },
  setattr: {
    label: 6,
    request: struct({
      node,
      set: u32,
      mode: u32,
      size: u64,
      atimeNs: i64,
      mtimeNs: i64,
    }),
    reply: attr,
  },
  /**
   * Reads at `offset`: the reply's `bytes` lie in `extents` (fewer than asked when they would
   * not fit a reply); `eof` once the end of the file was reached.
   */
  read: {
    label: 7,
    request: struct({ node, offset: u64, length: u32 }),
    reply: struct({ bytes: u32, eof: u8, extents: list(extent, EXTENTS_MAX) }),
  },
  /** Writes `data` at `offset` (APPEND: at the end, atomically); replies bytes and the end. */
  write: {
    label: 8,
    request: struct({ node, offset: u64, append: u8, data }),
    reply: struct({ bytes: u32, end: u64 }),
  },
  /**
   * Fills `data` with linux_dirent64 records from `cookie` on; replies the bytes filled and
   * the cookie to continue from (0 at the end).
   */
  readdir: {
    label: 9,
    request: struct({ node, cookie: u32, data }),
    reply: struct({ bytes: u32, next: u32 }),
  },
  mkdir: { label: 10, request: struct({ base, mode: u32, data }), reply: attr },
  /** mknodat: a special file (`rdev` for a device). */
  mknod: { label: 11, request: struct({ base, mode: u32, rdev: u32, data }), reply: attr },
  /** unlinkat (`dir` 1: rmdir). */
  unlink: { label: 12, request: struct({ base, dir: u8, data }), reply: empty },
  /** `data` holds the old path, a NUL, the new path (relative to `base` and `to`). */
  rename: { label: 13, request: struct({ base, to: node, flags: u32, data }), reply: empty },
  /** `data` holds the existing path, a NUL, the new path. */
  link: { label: 14, request: struct({ base, to: node, flags: u32, data }), reply: attr },
  /** `data` holds the target, a NUL, the new path. */
  symlink: { label: 15, request: struct({ base, data }), reply: attr },
  /** Writes the link's target into `data` (at most its length); replies the bytes. */
  readlink: { label: 16, request: struct({ base, flags: u32, data }), reply: u32 },
  fsync: { label: 17, request: struct({ node, dataOnly: u8 }), reply: empty },
  /** Makes everything durable (sync, and before the system stops). */
  sync: { label: 18, request: empty, reply: empty },
  statfs: { label: 19, request: node, reply: statfs },
  /** `data` holds the mount point, a NUL, the type, a NUL, the source. */
  mount: { label: 20, request: struct({ base, flags: u32, data }), reply: empty },
  umount: { label: 21, request: struct({ base, flags: u32, data }), reply: empty },
  /**
   * Resolves the path in `data` (or, with RESOLVE.EMPTY and an empty path, `base` itself) and
   * writes its canonical absolute path over `data` (which must have room for it).
   */
  realpath: {
    label: 22,
    request: struct({ base, flags: u32, pathBytes: u32, data }),
    reply: struct({ attr, length: u32 }),
  },
} as const;

/**
 * The calls the kernel sends again, with their tag, to the VFS's next instance when the VFS
 * dies with them in flight (kernel/ipc/kernel_client.ts): "again", calls that change nothing
 * (or, fsync and sync, make durable what is already so); "once", changes the VFS applies at
 * most once per tag — its journal (services/vfs/journal.ts), in memory the kernel keeps across
 * the VFS's restarts, holds the reply of every change it committed, and a tag it has committed
 * is answered with that reply instead of being applied again. Any other call in flight (mount,
 * umount) fails with EIO.
 */
export const VFS_RESEND: ReadonlyMap<number, "again" | "once"> = new Map([
  ...[
    VFS.resolve,
    VFS.getattr,
    VFS.read,
    VFS.readdir,
    VFS.readlink,
    VFS.fsync,
    VFS.sync,
    VFS.statfs,
    VFS.realpath,
  ].map((op) => [op.label, "again"] as const),
  ...[
    VFS.open,
    VFS.setattr,
    VFS.write,
    VFS.mkdir,
    VFS.mknod,
    VFS.unlink,
    VFS.rename,
    VFS.link,
    VFS.symlink,
  ].map((op) => [op.label, "once"] as const),
]);

/** Byte layout of a linux_dirent64 record (getdents64). */
export const DIRENT64 = { INO: 0, OFF: 8, RECLEN: 16, TYPE: 18, NAME: 19 } as const;

/** The size of a linux_dirent64 record for a name of `nameBytes` bytes (8-byte aligned). */
export function direntSize(nameBytes: number): number {
  return (DIRENT64.NAME + nameBytes + 1 + 7) & ~7;
}
