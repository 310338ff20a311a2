/**
 * Symbolic links. A target shorter than 60 bytes is a fast symlink: its bytes live in i_block
 * itself (the 15 block numbers' 60 bytes, zero-padded) and the inode has no blocks. A longer
 * one is a slow symlink: one data block holding the target, zero-padded, i_size its length.
 *
 * As Linux and e2fsck do, an inode is a fast symlink exactly when it owns no block (i_blocks is
 * 0, or only its extended attribute block).
 */

import { FsError, S_IFLNK, S_IFMT } from "../fs.ts";
import { ENAMETOOLONG, ENOENT } from "../../../abi/errno.ts";
import type { FileData } from "./data.ts";
import { corrupt } from "./errors.ts";
import { I_BLOCK_BYTES, type Inode, N_BLOCKS } from "./layout.ts";
import type { Volume } from "./volume.ts";

/** Whether `inode` is a symlink whose target lives in i_block. */
export function isFastSymlink(vol: Volume, inode: Inode): boolean {
  const xattrSectors = inode.fileAcl ? vol.geo.blockSize / 512 : 0;
  return (inode.mode & S_IFMT) === S_IFLNK && inode.blocks === xattrSectors;
}

/** Checks a new target's length: ENOENT when empty, ENAMETOOLONG past one block. */
export function checkTarget(vol: Volume, target: Uint8Array): void {
  if (target.length === 0) throw new FsError(ENOENT, "ext2: empty symlink target");
  if (target.length >= vol.geo.blockSize) throw new FsError(ENAMETOOLONG, "ext2: long target");
}

/** The target of symlink `inode`. */
export async function readTarget(vol: Volume, data: FileData, inode: Inode): Promise<Uint8Array> {
  if (isFastSymlink(vol, inode)) {
    if (inode.size >= I_BLOCK_BYTES) throw corrupt(`fast symlink of ${inode.size} bytes`);
    const bytes = new Uint8Array(I_BLOCK_BYTES);
    const words = new DataView(bytes.buffer);
    inode.block.forEach((w, i) => words.setUint32(i * 4, w, true));
    return bytes.slice(0, inode.size);
  }
  if (inode.size === 0 || inode.size >= vol.geo.blockSize) {
    throw corrupt(`symlink of ${inode.size} bytes`);
  }
  const { pieces } = await data.read(inode, 0, inode.size);
  const piece = pieces[0];
  if (pieces.length !== 1 || !(piece instanceof Uint8Array)) throw corrupt("symlink has no block");
  return piece.slice();
}

/** Stores `target` in the new symlink `ino` (its inode is written back by the caller). */
export async function writeTarget(
  data: FileData,
  ino: number,
  inode: Inode,
  target: Uint8Array,
): Promise<void> {
  if (target.length >= I_BLOCK_BYTES) {
    await data.write(ino, inode, 0, target);
    return;
  }
  const bytes = new Uint8Array(I_BLOCK_BYTES);
  bytes.set(target);
  const words = new DataView(bytes.buffer);
  for (let i = 0; i < N_BLOCKS; i++) inode.block[i] = words.getUint32(i * 4, true);
  inode.size = target.length;
}
