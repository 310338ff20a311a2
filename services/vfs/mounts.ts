/**
 * The mount table: which file system is mounted where. A mount has an id (the `mount` of every
 * node the kernel names), its file system, and where it sits: a name in a directory of its
 * parent (none for the root). A mount sits on a name rather than on an inode, so a file system
 * can be mounted where its parent has no such directory — /dev and /proc over the host's files,
 * which hostfs may not even look at. Ids are given in mount order from 1, so a VFS that mounts
 * the same table again after a restart gives every node the same name it had.
 *
 * A union mount (Plan 9's `bind -a`) lets the directory it covers show through its root: a
 * name its own file system lacks is looked up there (namei.ts), and a listing shows both. That
 * is how the tmpfs on /tmp leaves a host directory under /tmp reachable.
 */

import { EBUSY, EINVAL } from "../../abi/errno.ts";
import type { Node } from "../../abi/vfs.ts";
import { type FileSystem, FsError } from "./fs.ts";

/** Most mounts. */
export const MOUNTS_MAX = 64;

/** A mounted file system. */
export interface Mount {
  id: number;
  fs: FileSystem;
  /** What /proc/mounts shows: the source, the path it is mounted on, the type. */
  source: string;
  path: string;
  readOnly: boolean;
  /** Where it sits: a directory of the parent and a name in it (undefined for the root). */
  at: MountPoint | undefined;
  /** The directory it covers shows through its root. */
  union: boolean;
}

/** A name in a directory. */
export interface MountPoint {
  dir: Node;
  name: string;
}

function key(dir: Node, name: string): string {
  return `${dir.mount}:${dir.ino}/${name}`;
}

/** The mount table. */
export class MountTable {
  private readonly mounts = new Map<number, Mount>();
  private readonly covered = new Map<string, Mount>();
  private nextId = 1;

  /** The root mount (the first). */
  get root(): Mount {
    const r = this.mounts.get(1);
    if (!r) throw new FsError(EINVAL, "nothing mounted");
    return r;
  }

  /** The root node of the whole tree. */
  get rootNode(): Node {
    return { mount: 1, ino: this.root.fs.root() };
  }

  get(id: number): Mount {
    const m = this.mounts.get(id);
    if (!m) throw new FsError(EINVAL, `no mount ${id}`);
    return m;
  }

  /** Adds a mount at `at` (undefined: the root, which must come first). */
  add(
    fs: FileSystem,
    source: string,
    path: string,
    at: MountPoint | undefined,
    union = false,
  ): Mount {
    if (this.mounts.size >= MOUNTS_MAX) throw new FsError(EINVAL, "too many mounts");
    if ((at === undefined) !== (this.mounts.size === 0)) {
      throw new FsError(EINVAL, "the root is mounted first, and only once");
    }
    if (at && this.covered.has(key(at.dir, at.name))) {
      throw new FsError(EBUSY, "already mounted on");
    }
    const m: Mount = { id: this.nextId++, fs, source, path, readOnly: fs.readOnly, at, union };
    this.mounts.set(m.id, m);
    if (at) this.covered.set(key(at.dir, at.name), m);
    return m;
  }

  /** Removes a mount (EBUSY if something is mounted inside it, or it is the root). */
  remove(m: Mount): void {
    if (!m.at) throw new FsError(EBUSY, "the root cannot be unmounted");
    for (const other of this.mounts.values()) {
      if (other.at?.dir.mount === m.id) throw new FsError(EBUSY, "something is mounted inside");
    }
    this.mounts.delete(m.id);
    this.covered.delete(key(m.at.dir, m.at.name));
  }

  /** The mount sitting on `name` in directory `dir`, if any. */
  over(dir: Node, name: string): Mount | undefined {
    return this.covered.get(key(dir, name));
  }

  all(): Mount[] {
    return [...this.mounts.values()];
  }

  /** /proc/mounts. */
  text(): string {
    return this.all()
      .map((m) =>
        `${m.source} ${m.path} ${m.fs.type} ${m.readOnly ? "ro" : "rw"}${
          m.union ? ",union" : ""
        } 0 0`
      )
      .join("\n") + "\n";
  }
}
