/**
 * Extended attribute blocks, only as far as freeing an inode needs them. ext2 does not read or
 * write attributes here, but an image made elsewhere may give an inode one (i_file_acl): a
 * block starting with the magic 0xEA020000 and a reference count (blocks are shared between
 * inodes with equal attributes). Dropping an inode drops one reference; the last frees it.
 */

import type { Allocator } from "./alloc.ts";
import { corrupt } from "./errors.ts";
import type { Volume } from "./volume.ts";

/** h_magic of an attribute block. */
const XATTR_MAGIC = 0xea020000;

/** Drops one reference to attribute block `block`, freeing it with the last. */
export async function releaseXattrBlock(
  vol: Volume,
  alloc: Allocator,
  block: number,
): Promise<void> {
  vol.checkDataBlock(block, "an extended attribute pointer");
  const buf = await vol.cache.read(block);
  const header = new DataView(buf.data.buffer, buf.data.byteOffset, 8);
  if (header.getUint32(0, true) !== XATTR_MAGIC) throw corrupt(`attribute block ${block}`);
  const refs = header.getUint32(4, true);
  if (refs > 1) {
    vol.cache.modify(buf);
    header.setUint32(4, refs - 1, true);
    return;
  }
  await alloc.freeBlock(block);
}
