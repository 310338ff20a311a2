/**
 * The inode tables: where inode `n` lives and how it is read and written.
 *
 * Inode n is entry (n - 1) % inodes_per_group of the table of group (n - 1) / inodes_per_group,
 * s_inode_size bytes each, packed block after block from the group's bg_inode_table. Inodes
 * are decoded afresh from their cached block on every use and written straight back into it,
 * so the cache holds the only copy: nothing here can go stale.
 */

import type { Buf } from "../cache.ts";
import { decodeInode, encodeInode, type Inode } from "./layout.ts";
import type { Volume } from "./volume.ts";

/** The cached block holding inode `ino` and the inode's bytes in it (a view). */
async function locate(vol: Volume, ino: number): Promise<{ buf: Buf; bytes: Uint8Array }> {
  vol.checkIno(ino, "inode table");
  const { geo } = vol;
  const index = (ino - 1) % geo.inodesPerGroup;
  const table = vol.groups[vol.groupOfInode(ino)].inodeTable;
  const buf = await vol.cache.read(table + Math.floor(index / geo.inodesPerBlock));
  const at = (index % geo.inodesPerBlock) * geo.inodeSize;
  return { buf, bytes: buf.data.subarray(at, at + geo.inodeSize) };
}

/** Inode `ino` as it is on the disk. */
export async function readInode(vol: Volume, ino: number): Promise<Inode> {
  return decodeInode((await locate(vol, ino)).bytes);
}

/** Writes `inode` as inode `ino`. */
export async function writeInode(vol: Volume, ino: number, inode: Inode): Promise<void> {
  const { buf, bytes } = await locate(vol, ino);
  vol.cache.modify(buf);
  encodeInode(inode, bytes);
}

/** Zeroes inode `ino`'s bytes (a newly allocated inode starts from nothing) and decodes them. */
export async function clearInode(vol: Volume, ino: number): Promise<Inode> {
  const { buf, bytes } = await locate(vol, ino);
  vol.cache.modify(buf);
  bytes.fill(0);
  return decodeInode(bytes);
}
