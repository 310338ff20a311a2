/**
 * The orphan list: inodes that have no name left but are still open, so that a crash before
 * their last close does not leak them. As ext3/4 and e2fsck define it, s_last_orphan names the
 * first such inode and each orphan's i_dtime names the next (0 ends the list). An inode joins
 * when its last link goes while it is open, leaves when it is evicted, and whatever is left at
 * the next read-write mount is freed then.
 *
 * Every walk of the list is bounded: it stops with EIO at an inode out of range or one seen
 * before (a cycle).
 */

import { corrupt } from "./errors.ts";
import { readInode, writeInode } from "./itable.ts";
import type { Inode } from "./layout.ts";
import type { Volume } from "./volume.ts";

/** Puts inode `ino` at the head of the list (its inode is written back by the caller). */
export async function addOrphan(vol: Volume, ino: number, inode: Inode): Promise<void> {
  inode.dtime = vol.sb.lastOrphan;
  vol.sb.lastOrphan = ino;
  await vol.saveSuper();
}

/** Takes inode `ino` (`inode`, written back by the caller) off the list, if it is on it. */
export async function removeOrphan(vol: Volume, ino: number, inode: Inode): Promise<void> {
  if (vol.sb.lastOrphan === ino) {
    vol.sb.lastOrphan = inode.dtime;
    await vol.saveSuper();
    inode.dtime = 0;
    return;
  }
  const seen = new Set<number>();
  for (let cur = vol.sb.lastOrphan; cur !== 0;) {
    checkLink(vol, cur, seen);
    const node = await readInode(vol, cur);
    if (node.dtime === ino) {
      node.dtime = inode.dtime;
      await writeInode(vol, cur, node);
      inode.dtime = 0;
      return;
    }
    cur = node.dtime;
  }
}

/** Empties the list and returns the inodes that were on it, in order. */
export async function takeOrphans(vol: Volume): Promise<number[]> {
  const out: number[] = [];
  const seen = new Set<number>();
  for (let cur = vol.sb.lastOrphan; cur !== 0;) {
    checkLink(vol, cur, seen);
    out.push(cur);
    cur = (await readInode(vol, cur)).dtime;
  }
  vol.sb.lastOrphan = 0;
  await vol.saveSuper();
  return out;
}

function checkLink(vol: Volume, ino: number, seen: Set<number>): void {
  if (ino < vol.geo.firstIno || ino > vol.geo.inodesCount || seen.has(ino)) {
    throw corrupt(`orphan list reaches inode ${ino}`);
  }
  seen.add(ino);
}
