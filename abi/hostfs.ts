/**
 * The hostfs protocol: what the VFS asks of the hostfs service, the one service that may read
 * the host's files (read-only, confined to its directory). Like a disk, hostfs puts file data
 * straight into the VFS's buffer cache region, which the VFS hands it on `hello`: a read names
 * where in that region the bytes go. Directory pages and link targets go there too.
 *
 * Inodes are hostfs's own numbers (1 is the root), stable while it runs.
 */

import { empty, struct, u16, u32, u64 } from "./codec.ts";
import { attr, statfs } from "./vfs.ts";

/** The endpoint hostfs serves. */
export const HOSTFS_ENDPOINT = "hostfs";

/** Where in the VFS's region output goes, and how much room there is. */
const into = struct({ at: u32, room: u32 });

export const HOSTFS = {
  /** The VFS's cache region comes as handle 0 (WRITE); the reply is the root inode. */
  hello: { label: 1, request: empty, reply: u32 },
  /**
   * The entry of directory `dir` whose name (UTF-8, at most 255 bytes: more than a message
   * holds) the VFS wrote into its region at `at`.
   */
  lookup: { label: 2, request: struct({ dir: u32, at: u32, length: u16 }), reply: attr },
  getattr: { label: 3, request: u32, reply: attr },
  /**
   * Writes directory entries from `cookie` on into the region, each as u32 ino, u8 type,
   * u8 name length, the name; replies how many, and the cookie to continue from (0: done).
   */
  readdir: {
    label: 4,
    request: struct({ ino: u32, cookie: u32, max: u16, into }),
    reply: struct({ count: u32, next: u32 }),
  },
  /** Reads into the region; replies the bytes read (fewer only at the end of the file). */
  read: {
    label: 5,
    request: struct({ ino: u32, offset: u64, length: u32, at: u32 }),
    reply: u32,
  },
  /** Writes a symbolic link's target into the region; replies its length. */
  readlink: { label: 6, request: struct({ ino: u32, into }), reply: u32 },
  statfs: { label: 7, request: empty, reply: statfs },
} as const;
