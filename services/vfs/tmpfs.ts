/**
 * tmpfs: a file system in memory (/tmp). Inodes are JavaScript objects; a file's data lives in
 * pages of the buffer cache (anonymous slots, never evicted), so reads reach the kernel as
 * extents of the cache, with no copy, exactly as ext2's do. Everything is lost at restart or
 * power-off, as with Linux's tmpfs.
 *
 * Limits: `maxBytes` of file data and `maxInodes` inodes (ENOSPC past either; Linux's
 * tmpfs options size= and nr_inodes=), at most INODES_MAX.
 */

import {
  EEXIST,
  EFBIG,
  EINVAL,
  EISDIR,
  EMLINK,
  ENAMETOOLONG,
  ENOENT,
  ENOSPC,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
} from "../../abi/errno.ts";
import { SLOT_BYTES } from "../../abi/vfs_cache.ts";
import type { BufferCache } from "./cache.ts";
import {
  type Attr,
  type AttrChange,
  type DirPage,
  dtype,
  type FileSystem,
  type FsContext,
  FsError,
  type FsStats,
  NAME_MAX,
  type ReadResult,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "./fs.ts";

/** Most inodes a tmpfs may be given. */
export const INODES_MAX = 65536;
/** Largest file. */
const FILE_BYTES_MAX = 2 ** 40;
/** Most links to one inode. */
const LINKS_MAX = 65000;
/** tmpfs's statfs magic (TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;

interface TNode {
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  btimeNs: bigint;
  /** Directories: name → ino, in creation order; and the parent. */
  entries?: Map<string, number>;
  parent?: number;
  /** Symbolic links. */
  target?: string;
  /** Regular files: page index → cache slot. */
  pages?: Map<number, number>;
}

/** A tmpfs instance. */
export class Tmpfs implements FileSystem {
  readonly type: string = "tmpfs";
  readonly readOnly = false;
  private readonly nodes = new Map<number, TNode>();
  private nextIno = 2;
  private pagesUsed = 0;
  private isOpen: (ino: number) => boolean = () => false;

  constructor(
    private readonly cache: BufferCache,
    private readonly ctx: FsContext,
    private readonly maxBytes: number,
    private readonly maxInodes = INODES_MAX,
  ) {
    this.nodes.set(1, this.newNode(1, S_IFDIR | 0o1777, 0));
    this.nodes.get(1)!.entries = new Map();
    this.nodes.get(1)!.parent = 1;
    this.nodes.get(1)!.nlink = 2;
  }

  private newNode(ino: number, mode: number, rdev: number): TNode {
    const now = this.ctx.now();
    return {
      ino,
      mode,
      nlink: 1,
      uid: 0,
      gid: 0,
      rdev,
      size: 0,
      atimeNs: now,
      mtimeNs: now,
      ctimeNs: now,
      btimeNs: now,
    };
  }

  root(): number {
    return 1;
  }

  private node(ino: number): TNode {
    const n = this.nodes.get(ino);
    if (!n) throw new FsError(ENOENT, `no inode ${ino}`);
    return n;
  }

  private dir(ino: number): TNode & { entries: Map<string, number> } {
    const n = this.node(ino);
    if (!n.entries) throw new FsError(ENOTDIR);
    return n as TNode & { entries: Map<string, number> };
  }

  private checkName(name: string): void {
    if (name === "" || name === "." || name === ".." || name.includes("/")) {
      throw new FsError(EINVAL, `bad name ${JSON.stringify(name)}`);
    }
    if (new TextEncoder().encode(name).length > NAME_MAX) throw new FsError(ENAMETOOLONG);
  }

  getattr(ino: number): Promise<Attr> {
    const n = this.node(ino);
    return Promise.resolve({
      ino: n.ino,
      mode: n.mode,
      nlink: n.nlink,
      uid: n.uid,
      gid: n.gid,
      size: n.size,
      blocks: (n.pages?.size ?? 0) * (SLOT_BYTES / 512),
      blksize: SLOT_BYTES,
      rdev: n.rdev,
      atimeNs: n.atimeNs,
      mtimeNs: n.mtimeNs,
      ctimeNs: n.ctimeNs,
      btimeNs: n.btimeNs,
    });
  }

  async setattr(ino: number, change: AttrChange): Promise<Attr> {
    const n = this.node(ino);
    if (change.size !== undefined) {
      if ((n.mode & S_IFMT) !== S_IFREG) throw new FsError(EISDIR);
      this.truncate(n, change.size);
    }
    if (change.mode !== undefined) n.mode = (n.mode & S_IFMT) | (change.mode & 0o7777);
    if (change.uid !== undefined) n.uid = change.uid;
    if (change.gid !== undefined) n.gid = change.gid;
    if (change.atimeNs !== undefined) n.atimeNs = change.atimeNs;
    if (change.mtimeNs !== undefined) n.mtimeNs = change.mtimeNs;
    n.ctimeNs = this.ctx.now();
    return await this.getattr(ino);
  }

  private truncate(n: TNode, size: number): void {
    if (size < 0 || size > FILE_BYTES_MAX) throw new FsError(EFBIG);
    const pages = n.pages ?? new Map<number, number>();
    n.pages = pages;
    for (const [index, slot] of [...pages]) {
      const start = index * SLOT_BYTES;
      if (start >= size) {
        this.cache.changing(slot);
        this.cache.release(slot);
        pages.delete(index);
        this.pagesUsed--;
      } else if (start + SLOT_BYTES > size && size < n.size) {
        this.cache.changing(slot);
        this.cache.view(slot).fill(0, size - start);
      }
    }
    n.size = size;
    n.mtimeNs = n.ctimeNs = this.ctx.now();
  }

  lookup(dir: number, name: string): Promise<number> {
    const d = this.dir(dir);
    if (name === ".") return Promise.resolve(dir);
    if (name === "..") return Promise.resolve(d.parent ?? dir);
    const ino = d.entries.get(name);
    if (ino === undefined) throw new FsError(ENOENT);
    return Promise.resolve(ino);
  }

  readdir(dir: number, cookie: number, max: number): Promise<DirPage> {
    const d = this.dir(dir);
    const all = [
      { ino: dir, name: ".", type: dtype(S_IFDIR) },
      { ino: d.parent ?? dir, name: "..", type: dtype(S_IFDIR) },
      ...[...d.entries].map(([name, ino]) => ({ ino, name, type: dtype(this.node(ino).mode) })),
    ];
    const entries = all.slice(cookie, cookie + max);
    const next = cookie + entries.length;
    return Promise.resolve({ entries, next: next >= all.length ? 0 : next });
  }

  private add(dir: number, name: string, mode: number, rdev: number): TNode {
    this.checkName(name);
    const d = this.dir(dir);
    if (d.entries.has(name)) throw new FsError(EEXIST);
    if (this.nodes.size >= this.maxInodes) throw new FsError(ENOSPC, "no free inode");
    const n = this.newNode(this.nextIno++, mode, rdev);
    this.nodes.set(n.ino, n);
    d.entries.set(name, n.ino);
    d.mtimeNs = d.ctimeNs = this.ctx.now();
    return n;
  }

  create(dir: number, name: string, mode: number, rdev: number): Promise<number> {
    const type = mode & S_IFMT || S_IFREG;
    const n = this.add(dir, name, type | (mode & 0o7777), rdev);
    if (type === S_IFREG) n.pages = new Map();
    return Promise.resolve(n.ino);
  }

  mkdir(dir: number, name: string, mode: number): Promise<number> {
    const parent = this.dir(dir);
    if (parent.nlink >= LINKS_MAX) throw new FsError(EMLINK);
    const n = this.add(dir, name, S_IFDIR | (mode & 0o7777), 0);
    n.entries = new Map();
    n.parent = dir;
    n.nlink = 2;
    parent.nlink++;
    return Promise.resolve(n.ino);
  }

  symlink(dir: number, name: string, target: string): Promise<number> {
    const n = this.add(dir, name, S_IFLNK | 0o777, 0);
    n.target = target;
    n.size = new TextEncoder().encode(target).length;
    return Promise.resolve(n.ino);
  }

  readlink(ino: number): Promise<string> {
    const n = this.node(ino);
    if (n.target === undefined) throw new FsError(EINVAL, "not a symbolic link");
    return Promise.resolve(n.target);
  }

  link(ino: number, dir: number, name: string): Promise<void> {
    const n = this.node(ino);
    if (n.entries) throw new FsError(EPERM, "hard link to a directory");
    if (n.nlink >= LINKS_MAX) throw new FsError(EMLINK);
    this.checkName(name);
    const d = this.dir(dir);
    if (d.entries.has(name)) throw new FsError(EEXIST);
    d.entries.set(name, ino);
    n.nlink++;
    n.ctimeNs = d.mtimeNs = this.ctx.now();
    return Promise.resolve();
  }

  private dropLink(n: TNode): void {
    n.nlink--;
    n.ctimeNs = this.ctx.now();
    if (n.nlink <= 0 && !this.isOpen(n.ino)) this.free(n);
  }

  private free(n: TNode): void {
    for (const slot of n.pages?.values() ?? []) {
      this.cache.release(slot);
      this.pagesUsed--;
    }
    this.nodes.delete(n.ino);
  }

  unlink(dir: number, name: string): Promise<void> {
    const d = this.dir(dir);
    const ino = d.entries.get(name);
    if (ino === undefined) throw new FsError(ENOENT);
    const n = this.node(ino);
    if (n.entries) throw new FsError(EISDIR);
    d.entries.delete(name);
    d.mtimeNs = d.ctimeNs = this.ctx.now();
    this.dropLink(n);
    return Promise.resolve();
  }

  rmdir(dir: number, name: string): Promise<void> {
    const d = this.dir(dir);
    const ino = d.entries.get(name);
    if (ino === undefined) throw new FsError(ENOENT);
    const n = this.node(ino);
    if (!n.entries) throw new FsError(ENOTDIR);
    if (n.entries.size > 0) throw new FsError(ENOTEMPTY);
    d.entries.delete(name);
    d.nlink--;
    d.mtimeNs = d.ctimeNs = this.ctx.now();
    n.nlink = 0;
    if (!this.isOpen(ino)) this.free(n);
    return Promise.resolve();
  }

  /** Whether directory `ino` is `ancestor` or lies below it. */
  private within(ino: number, ancestor: number): boolean {
    for (let cur = ino, hops = 0; hops < INODES_MAX; hops++) {
      if (cur === ancestor) return true;
      const parent = this.node(cur).parent ?? cur;
      if (parent === cur) return false;
      cur = parent;
    }
    return false;
  }

  rename(from: number, fromName: string, to: number, toName: string): Promise<void> {
    const src = this.dir(from);
    const dst = this.dir(to);
    const ino = src.entries.get(fromName);
    if (ino === undefined) throw new FsError(ENOENT);
    this.checkName(toName);
    const n = this.node(ino);
    if (n.entries && this.within(to, ino)) throw new FsError(EINVAL, "into its own subtree");
    const existing = dst.entries.get(toName);
    if (existing === ino) return Promise.resolve();
    if (existing !== undefined) {
      const victim = this.node(existing);
      if (n.entries && !victim.entries) throw new FsError(ENOTDIR);
      if (!n.entries && victim.entries) throw new FsError(EISDIR);
      if (victim.entries && victim.entries.size > 0) throw new FsError(ENOTEMPTY);
      dst.entries.delete(toName);
      if (victim.entries) {
        dst.nlink--;
        victim.nlink = 0;
        if (!this.isOpen(existing)) this.free(victim);
      } else this.dropLink(victim);
    }
    src.entries.delete(fromName);
    dst.entries.set(toName, ino);
    if (n.entries && from !== to) {
      n.parent = to;
      src.nlink--;
      dst.nlink++;
    }
    const now = this.ctx.now();
    src.mtimeNs =
      src.ctimeNs =
      dst.mtimeNs =
      dst.ctimeNs =
      n.ctimeNs =
        now;
    return Promise.resolve();
  }

  read(ino: number, offset: number, length: number): Promise<ReadResult> {
    const n = this.node(ino);
    if (n.entries) throw new FsError(EISDIR);
    if (!n.pages) throw new FsError(EINVAL, "not a regular file");
    const end = Math.min(n.size, offset + length);
    const pieces: ReadResult["pieces"] = [];
    for (let at = offset; at < end;) {
      const index = Math.floor(at / SLOT_BYTES);
      const within = at - index * SLOT_BYTES;
      const len = Math.min(SLOT_BYTES - within, end - at);
      const slot = n.pages.get(index);
      if (slot === undefined) pieces.push({ hole: len });
      else {
        this.cache.touch(slot);
        pieces.push(this.cache.view(slot).subarray(within, within + len));
      }
      at += len;
    }
    n.atimeNs = this.ctx.now();
    return Promise.resolve({ pieces, bytes: Math.max(0, end - offset) });
  }

  async write(ino: number, offset: number, data: Uint8Array): Promise<number> {
    const n = this.node(ino);
    if (n.entries) throw new FsError(EISDIR);
    if (!n.pages) throw new FsError(EINVAL, "not a regular file");
    if (offset + data.length > FILE_BYTES_MAX) throw new FsError(EFBIG);
    let done = 0;
    while (done < data.length) {
      const at = offset + done;
      const index = Math.floor(at / SLOT_BYTES);
      const within = at - index * SLOT_BYTES;
      const len = Math.min(SLOT_BYTES - within, data.length - done);
      let slot = n.pages.get(index);
      if (slot === undefined) {
        if ((this.pagesUsed + 1) * SLOT_BYTES > this.maxBytes) {
          if (done > 0) break;
          throw new FsError(ENOSPC, "tmpfs is full");
        }
        slot = await this.cache.anonymous();
        this.pagesUsed++;
        n.pages.set(index, slot);
      }
      this.cache.changing(slot);
      this.cache.view(slot).set(data.subarray(done, done + len), within);
      done += len;
    }
    n.size = Math.max(n.size, offset + done);
    n.mtimeNs = n.ctimeNs = this.ctx.now();
    return done;
  }

  evict(ino: number): Promise<void> {
    const n = this.nodes.get(ino);
    if (n && n.nlink <= 0) this.free(n);
    return Promise.resolve();
  }

  setOpenCheck(isOpen: (ino: number) => boolean): void {
    this.isOpen = isOpen;
  }

  reapOrphans(): Promise<void> {
    for (const n of [...this.nodes.values()]) {
      if (n.nlink <= 0 && !this.isOpen(n.ino)) this.free(n);
    }
    return Promise.resolve();
  }

  fsync(): Promise<void> {
    return Promise.resolve();
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  statfs(): Promise<FsStats> {
    const blocks = Math.floor(this.maxBytes / SLOT_BYTES);
    return Promise.resolve({
      blockSize: SLOT_BYTES,
      blocks,
      blocksFree: blocks - this.pagesUsed,
      blocksAvailable: blocks - this.pagesUsed,
      inodes: this.maxInodes,
      inodesFree: this.maxInodes - this.nodes.size,
      magic: TMPFS_MAGIC,
      nameMax: NAME_MAX,
    });
  }

  unmount(): Promise<void> {
    for (const n of this.nodes.values()) {
      for (const slot of n.pages?.values() ?? []) this.cache.release(slot);
    }
    this.nodes.clear();
    return Promise.resolve();
  }
}
