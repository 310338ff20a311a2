/**
 * Path resolution (namei): from a starting directory and a path to a node, across mount
 * points, through "..", following symbolic links.
 *
 * - An absolute path starts at the root; a relative one at the base the kernel names (the
 *   process's working directory, or a directory descriptor).
 * - ".." at the root stays there; at the root of a mounted file system it goes to the parent
 *   of the directory that mount covers.
 * - A symbolic link met before the last component is always followed; the last one only when
 *   asked. At most LINKS_MAX links are followed in one resolution (ELOOP beyond).
 * - Every component must be at most NAME_MAX bytes (ENAMETOOLONG); every component but the last
 *   must be a directory (ENOTDIR), and so must the last one if the path ends with "/".
 * - The walk keeps the canonical path of where it is (no ".", "..", or links), which realpath
 *   and chdir report.
 * - In the root of a union mount, a name its file system lacks is looked up in the directory the
 *   mount covers; what is found there keeps its own mount, so ".." from it leads back through
 *   the covered file system.
 */

import { EACCES, EEXIST, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from "../../abi/errno.ts";
import type { Node } from "../../abi/vfs.ts";
import { type Attr, FsError, NAME_MAX, S_IFDIR, S_IFLNK, S_IFMT } from "./fs.ts";
import type { MountTable } from "./mounts.ts";

/** Most symbolic links followed in one resolution (Linux's limit). */
export const LINKS_MAX = 40;
/** Most ".." steps when finding the path of a node. */
const DEPTH_MAX = 4096;

/** Where a walk ended. */
export interface Walked {
  node: Node;
  attr: Attr;
  /** The canonical path's components (only when the walk was asked to keep them). */
  parts: string[] | undefined;
}

/** A directory and a name in it (what create, unlink and rename act on). */
export interface Parent {
  dir: Node;
  name: string;
  /** The path ended with "/": the name must be (or become) a directory. */
  trailingSlash: boolean;
}

function isDir(a: Attr): boolean {
  return (a.mode & S_IFMT) === S_IFDIR;
}

/** Resolves paths over a mount table. */
export class Resolver {
  constructor(private readonly mounts: MountTable) {}

  /** The attributes of a node. */
  async attr(n: Node): Promise<Attr> {
    return await this.mounts.get(n.mount).fs.getattr(n.ino);
  }

  /** What `name` in directory `dir` is: a mount sitting there, or the file system's entry. */
  async child(dir: Node, name: string): Promise<Node> {
    const m = this.mounts.over(dir, name);
    if (m) return { mount: m.id, ino: m.fs.root() };
    return await this.entry(dir, name);
  }

  /** `name` in `dir`'s file system or, in a union mount's root, in the directory below. */
  private async entry(dir: Node, name: string): Promise<Node> {
    try {
      return { mount: dir.mount, ino: await this.mounts.get(dir.mount).fs.lookup(dir.ino, name) };
    } catch (e) {
      const absent = e instanceof FsError && e.errno === ENOENT && name !== "." && name !== "..";
      const below = absent ? await this.below(dir) : undefined;
      if (!below) throw e;
      return await this.child(below, name);
    }
  }

  /**
   * The directory that shows through `dir`: the one a union mount covers, when `dir` is that
   * mount's root (undefined for any other directory, or when the mount covers no directory).
   */
  async below(dir: Node): Promise<Node | undefined> {
    const m = this.mounts.get(dir.mount);
    if (!m.union || !m.at || dir.ino !== m.fs.root()) return undefined;
    try {
      const n = await this.entry(m.at.dir, m.at.name);
      return isDir(await this.attr(n)) ? n : undefined;
    } catch (e) {
      if (e instanceof FsError && (e.errno === ENOENT || e.errno === EACCES)) return undefined;
      throw e;
    }
  }

  /**
   * Whether `name` in `dir` is found only below a union mount: it belongs to the covered
   * directory, which the mount's file system cannot change (EROFS for removing or replacing it).
   */
  async onlyBelow(dir: Node, name: string): Promise<boolean> {
    const below = await this.below(dir);
    if (!below) return false;
    try {
      await this.mounts.get(dir.mount).fs.lookup(dir.ino, name);
      return false;
    } catch (e) {
      if (!(e instanceof FsError && e.errno === ENOENT)) throw e;
    }
    try {
      await this.child(below, name);
      return true;
    } catch (e) {
      if (e instanceof FsError && e.errno === ENOENT) return false;
      throw e;
    }
  }

  /** The parent directory of directory `n`. */
  private async up(n: Node): Promise<Node> {
    const root = this.mounts.rootNode;
    if (n.mount === root.mount && n.ino === root.ino) return n;
    const m = this.mounts.get(n.mount);
    if (n.ino === m.fs.root() && m.at) return m.at.dir;
    return { mount: n.mount, ino: await m.fs.lookup(n.ino, "..") };
  }

  /**
   * Resolves `path` from `base`; the last component is followed if it is a symbolic link and
   * `follow` is set. With `keepPath`, the canonical path is kept (base's is found first when
   * the path is relative).
   */
  async walk(base: Node, path: string, follow: boolean, keepPath = false): Promise<Walked> {
    let cur = path.startsWith("/") ? this.mounts.rootNode : base;
    let parts = keepPath ? (path.startsWith("/") ? [] : await this.pathOf(base)) : undefined;
    const stack = path.split("/").filter((c) => c !== "").reverse();
    const mustBeDir = path.endsWith("/");
    let attr = await this.attr(cur);
    let links = 0;
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (!isDir(attr)) throw new FsError(ENOTDIR);
      if (name === ".") continue;
      if (name === "..") {
        cur = await this.up(cur);
        attr = await this.attr(cur);
        parts?.pop();
        continue;
      }
      if (new TextEncoder().encode(name).length > NAME_MAX) throw new FsError(ENAMETOOLONG);
      const child = await this.child(cur, name);
      const childAttr = await this.attr(child);
      if ((childAttr.mode & S_IFMT) === S_IFLNK && (stack.length > 0 || follow || mustBeDir)) {
        if (++links > LINKS_MAX) throw new FsError(ELOOP);
        const target = await this.mounts.get(child.mount).fs.readlink(child.ino);
        if (target === "") throw new FsError(ENOENT, "empty symbolic link");
        stack.push(...target.split("/").filter((c) => c !== "").reverse());
        if (target.startsWith("/")) {
          cur = this.mounts.rootNode;
          attr = await this.attr(cur);
          if (parts) parts = [];
        }
        continue;
      }
      cur = child;
      attr = childAttr;
      parts?.push(name);
    }
    if (mustBeDir && !isDir(attr)) throw new FsError(ENOTDIR);
    return { node: cur, attr, parts };
  }

  /** The directory a create, unlink or rename acts in, and the name. */
  async parent(base: Node, path: string): Promise<Parent> {
    const trimmed = path.replace(/\/+$/, "");
    if (trimmed === "") throw new FsError(path.startsWith("/") ? EEXIST : ENOENT, "no name");
    const slash = trimmed.lastIndexOf("/");
    const dirPath = slash < 0 ? "." : trimmed.slice(0, slash) || "/";
    const name = trimmed.slice(slash + 1);
    if (new TextEncoder().encode(name).length > NAME_MAX) throw new FsError(ENAMETOOLONG);
    const { node, attr } = await this.walk(base, dirPath, true);
    if (!isDir(attr)) throw new FsError(ENOTDIR);
    return { dir: node, name, trailingSlash: trimmed !== path };
  }

  /** The canonical path of directory `n`, as components, found by walking ".." up. */
  async pathOf(n: Node): Promise<string[]> {
    const parts: string[] = [];
    const root = this.mounts.rootNode;
    let cur = n;
    for (let depth = 0; depth < DEPTH_MAX; depth++) {
      if (cur.mount === root.mount && cur.ino === root.ino) return parts.reverse();
      const parent = await this.up(cur);
      parts.push(await this.nameIn(parent, cur));
      cur = parent;
    }
    throw new FsError(ELOOP, "directory tree too deep");
  }

  /** The name `child` has in directory `dir` (a mount's root: the name it sits on). */
  private async nameIn(dir: Node, child: Node): Promise<string> {
    const m = this.mounts.get(child.mount);
    if (child.ino === m.fs.root() && m.at) return m.at.name;
    const fs = this.mounts.get(dir.mount).fs;
    for (let cookie = 0, pages = 0; pages < 1 << 20; pages++) {
      const page = await fs.readdir(dir.ino, cookie, 256);
      for (const e of page.entries) {
        if (e.name === "." || e.name === "..") continue;
        if (dir.mount === child.mount && e.ino === child.ino) return e.name;
      }
      if (page.next === 0) break;
      cookie = page.next;
    }
    throw new FsError(ENOENT, "the directory has no name in its parent");
  }
}
