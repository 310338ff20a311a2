/**
 * The errno values ext2 needs beyond abi/errno.ts (which holds only what the kernel's ABI
 * already uses), and the one way this back end reports a corrupt medium.
 *
 * Every failure leaves an ext2 method as an `FsError`: a Linux errno for what the caller did
 * wrong (ENOENT, EEXIST, ENOSPC…), EIO with a message naming the structure for what the disk
 * got wrong. A corrupt image never produces another kind of exception.
 */

import { EIO } from "../../../abi/errno.ts";
import { FsError } from "../fs.ts";

/** File too large (Linux value; not in abi/errno.ts). */
export const EFBIG = 27;
/** No space left on device: no free block or no free inode (Linux value). */
export const ENOSPC = 28;
/** Too many links (Linux value; not in abi/errno.ts). */
export const EMLINK = 31;
/** Directory not empty (Linux value; not in abi/errno.ts). */
export const ENOTEMPTY = 39;

/** The error for a structure on the disk that cannot be right: EIO, naming what is wrong. */
export function corrupt(what: string): FsError {
  return new FsError(EIO, `ext2: corrupt file system: ${what}`);
}
