/**
 * devfs: /dev, a tmpfs that starts with the machine's device nodes. The nodes carry Linux's
 * device numbers; opening one hands the kernel the number, and the kernel's device switch
 * (kernel/chardev.ts) finds the driver. New nodes can be made (mknod) like in any tmpfs.
 */

import { MAJOR, makedev, MEM_MINOR, TTY_MINOR } from "../../abi/tty.ts";
import type { BufferCache } from "./cache.ts";
import { type FsContext, S_IFBLK, S_IFCHR } from "./fs.ts";
import { Tmpfs } from "./tmpfs.ts";

/** The nodes /dev starts with: name, type, major, minor, permissions. */
const NODES: Array<[string, number, number, number, number]> = [
  ["null", S_IFCHR, MAJOR.MEM, MEM_MINOR.NULL, 0o666],
  ["zero", S_IFCHR, MAJOR.MEM, MEM_MINOR.ZERO, 0o666],
  ["full", S_IFCHR, MAJOR.MEM, MEM_MINOR.FULL, 0o666],
  ["random", S_IFCHR, MAJOR.MEM, MEM_MINOR.RANDOM, 0o666],
  ["urandom", S_IFCHR, MAJOR.MEM, MEM_MINOR.URANDOM, 0o666],
  ["tty", S_IFCHR, MAJOR.TTY, TTY_MINOR.TTY, 0o666],
  ["console", S_IFCHR, MAJOR.TTY, TTY_MINOR.CONSOLE, 0o600],
  ["ttyS0", S_IFCHR, MAJOR.TTYS, 64, 0o620],
  ["ttyS1", S_IFCHR, MAJOR.TTYS, 65, 0o620],
  ["vda", S_IFBLK, MAJOR.BLOCK, 0, 0o660],
];

/** A /dev. */
export class Devfs extends Tmpfs {
  override readonly type = "devtmpfs";

  /** A devfs with the standard nodes (call `populate` once before use). */
  constructor(cache: BufferCache, ctx: FsContext) {
    super(cache, ctx, 1024 * 1024);
  }

  /** Makes the standard nodes. */
  async populate(): Promise<void> {
    for (const [name, type, maj, min, perms] of NODES) {
      await this.create(this.root(), name, type | perms, makedev(maj, min));
    }
  }
}
