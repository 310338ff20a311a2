/**
 * The VFS's answers to the kernel (abi/vfs.ts): each operation resolved over the mount table
 * (namei.ts) and carried out by the file system that owns the node.
 *
 * Operations run one at a time (the VFS's lock: file systems and the buffer cache need no
 * locking of their own), each bracketed by the cache's beginOp/endOp. Read data goes back as
 * cache extents with each slot's generation taken after endOp, when every slot is stable;
 * data a back end produced outside the cache is first put in transient slots. The VFS counts
 * how often the kernel has each node open, so that a file unlinked while open keeps its data
 * until the last close.
 *
 * Errors are Linux errnos; an exception that is not an FsError is a bug in a back end, which
 * is contained here: logged, counted, and answered EIO, never allowed to end the service.
 */

import {
  EACCES,
  EBUSY,
  EEXIST,
  EINVAL,
  EIO,
  EISDIR,
  ELOOP,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  EROFS,
  EXDEV,
} from "../../abi/errno.ts";
import { CodecError, decodePayload, encodePayload, type Operation } from "../../abi/codec.ts";
import { SLOT_BYTES } from "../../abi/vfs_cache.ts";
import {
  type Data,
  DIRENT64,
  direntSize,
  type Extent,
  EXTENTS_MAX,
  heldList,
  HOLE,
  type Node,
  OPEN,
  RESOLVE,
  SET,
  VFS,
  type WireAttr,
} from "../../abi/vfs.ts";
import { IpcError } from "../lib/errors.ts";
import type { Region, Request } from "../lib/ipc.ts";
import type { BufferCache } from "./cache.ts";
import {
  type Attr,
  type AttrChange,
  type DirEntry,
  type DirPage,
  type FileSystem,
  type FsContext,
  FsError,
  type ReadResult,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "./fs.ts";
import type { Mount, MountPoint, MountTable } from "./mounts.ts";
import { Resolver } from "./namei.ts";

/** Cookies of a union mount's listing from here on are the directory below's (plus this). */
const BELOW_COOKIE = 2 ** 31;

/**
 * Mount options: "ro", "union" (the covered directory shows through: mounts.ts), and key=value
 * settings (tmpfs's size=, nr_inodes=).
 */
export interface MountOptions {
  readOnly: boolean;
  union: boolean;
  settings: Record<string, string>;
}

/** Parses a comma-separated option list ("ro,size=1m"). */
export function mountOptions(text: string | undefined, readOnly = false): MountOptions {
  const settings: Record<string, string> = {};
  let union = false;
  for (const item of (text ?? "").split(",").filter((x) => x !== "")) {
    if (item === "ro") readOnly = true;
    else if (item === "rw") readOnly = false;
    else if (item === "union") union = true;
    else {
      const eq = item.indexOf("=");
      if (eq <= 0) throw new FsError(EINVAL, `bad mount option ${item}`);
      settings[item.slice(0, eq)] = item.slice(eq + 1);
    }
  }
  return { readOnly, union, settings };
}

/** Makes a file system of a type, for mount(2). */
export type FsFactory = (
  type: string,
  source: string,
  options: MountOptions,
) => Promise<FileSystem>;

/** What the server is given. */
export interface VfsHost {
  cache: BufferCache;
  mounts: MountTable;
  ctx: FsContext;
  makeFs: FsFactory;
  /** The handle (READ|GRANT) of the cache region to give the kernel. */
  cacheHandle(): Promise<number>;
  openRegion(handle: number): Promise<Region>;
  log(line: string): void;
}

/** A reply: its payload, and handles to pass. */
interface Answer {
  payload: Uint8Array;
  handles?: number[];
}

function key(n: Node): string {
  return `${n.mount}:${n.ino}`;
}

function wire(mount: number, a: Attr): WireAttr {
  return { ...a, mount };
}

function isDir(a: Attr): boolean {
  return (a.mode & S_IFMT) === S_IFDIR;
}

/** Splits staged data at NULs into strings (UTF-8; EINVAL if not). */
function strings(bytes: Uint8Array, count: number): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < count; i++) {
    const end = i === count - 1 ? bytes.length : bytes.indexOf(0, start);
    if (end < 0) throw new FsError(EINVAL, "missing path");
    try {
      out.push(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(start, end)));
    } catch {
      throw new FsError(EINVAL, "path is not UTF-8");
    }
    start = end + 1;
  }
  return out;
}

/** The VFS protocol server. */
export class VfsServer {
  private readonly resolver: Resolver;
  private readonly opens = new Map<string, number>();
  private staging: Region | undefined;
  /** Back-end bugs contained so far. */
  contained = 0;

  constructor(private readonly host: VfsHost) {
    this.resolver = new Resolver(host.mounts);
  }

  /** Whether node `ino` of `mount` is open. */
  isOpen(mount: number, ino: number): boolean {
    return (this.opens.get(`${mount}:${ino}`) ?? 0) > 0;
  }

  private fs(n: Node): FileSystem {
    return this.host.mounts.get(n.mount).fs;
  }

  private writableMount(n: Node): FileSystem {
    const m = this.host.mounts.get(n.mount);
    if (m.readOnly) throw new FsError(EROFS);
    return m.fs;
  }

  private staged(d: Data): Uint8Array {
    if (!this.staging) throw new FsError(EPERM, "no staging region: hello first");
    if (d.at + d.len > this.staging.size) throw new FsError(EINVAL, "data outside staging");
    return this.staging.write().subarray(d.at, d.at + d.len);
  }

  /**
   * Answers one request (the caller runs it under the VFS's lock, inside a cache operation):
   * the reply payload, or a function that builds it once the cache operation has ended.
   */
  async handle(req: Request): Promise<Answer | (() => Answer) | undefined> {
    try {
      return await this.dispatch(req);
    } catch (e) {
      if (e instanceof FsError) throw new IpcError(e.errno, e.message);
      if (e instanceof CodecError) throw new IpcError(e.errno, e.message);
      if (e instanceof IpcError) throw e;
      this.contained++;
      this.host.log(`vfs: operation ${req.label} failed: ${e instanceof Error ? e.stack : e}`);
      throw new IpcError(EIO, "internal error");
    }
  }

  private decode<Q, R>(op: Operation<Q, R>, req: Request): Q {
    return decodePayload(op.request, req.payload);
  }

  private answer<Q, R>(op: Operation<Q, R>, value: R, handles?: number[]): Answer {
    return { payload: encodePayload(op.reply, value), handles };
  }

  private async dispatch(req: Request): Promise<Answer | (() => Answer) | undefined> {
    switch (req.label) {
      case VFS.hello.label:
        return await this.hello(req);
      case VFS.resolve.label: {
        const { base, flags, data } = this.decode(VFS.resolve, req);
        const [path] = strings(this.staged(data), 1);
        const w = await this.lookup(base, path, flags);
        return this.answer(VFS.resolve, wire(w.node.mount, w.attr));
      }
      case VFS.open.label:
        return this.answer(VFS.open, await this.open(this.decode(VFS.open, req)));
      case VFS.close.label:
        await this.close(this.decode(VFS.close, req));
        return undefined;
      case VFS.getattr.label: {
        const n = this.decode(VFS.getattr, req);
        return this.answer(VFS.getattr, wire(n.mount, await this.fs(n).getattr(n.ino)));
      }
      case VFS.setattr.label:
        return this.answer(VFS.setattr, await this.setattr(this.decode(VFS.setattr, req)));
      case VFS.read.label:
        return await this.read(this.decode(VFS.read, req));
      case VFS.write.label:
        return this.answer(VFS.write, await this.write(this.decode(VFS.write, req)));
      case VFS.readdir.label:
        return this.answer(VFS.readdir, await this.readdir(this.decode(VFS.readdir, req)));
      case VFS.mkdir.label: {
        const { base, mode, data } = this.decode(VFS.mkdir, req);
        return this.answer(VFS.mkdir, await this.make(base, data, S_IFDIR | mode, 0));
      }
      case VFS.mknod.label: {
        const { base, mode, rdev, data } = this.decode(VFS.mknod, req);
        return this.answer(VFS.mknod, await this.make(base, data, mode, rdev));
      }
      case VFS.unlink.label:
        await this.unlink(this.decode(VFS.unlink, req));
        return this.answer(VFS.unlink, undefined);
      case VFS.rename.label:
        await this.rename(this.decode(VFS.rename, req));
        return this.answer(VFS.rename, undefined);
      case VFS.link.label:
        return this.answer(VFS.link, await this.link(this.decode(VFS.link, req)));
      case VFS.symlink.label:
        return this.answer(VFS.symlink, await this.symlink(this.decode(VFS.symlink, req)));
      case VFS.readlink.label:
        return this.answer(VFS.readlink, await this.readlink(this.decode(VFS.readlink, req)));
      case VFS.fsync.label: {
        const { node, dataOnly } = this.decode(VFS.fsync, req);
        await this.fs(node).fsync(node.ino, dataOnly !== 0);
        return this.answer(VFS.fsync, undefined);
      }
      case VFS.sync.label:
        await this.syncAll();
        return this.answer(VFS.sync, undefined);
      case VFS.statfs.label: {
        const n = this.decode(VFS.statfs, req);
        const s = await this.fs(n).statfs();
        return this.answer(VFS.statfs, { ...s, mount: n.mount });
      }
      case VFS.mount.label:
        await this.mount(this.decode(VFS.mount, req));
        return this.answer(VFS.mount, undefined);
      case VFS.umount.label:
        await this.umount(this.decode(VFS.umount, req));
        return this.answer(VFS.umount, undefined);
      case VFS.realpath.label:
        return this.answer(VFS.realpath, await this.realpath(this.decode(VFS.realpath, req)));
      default:
        throw new FsError(EINVAL, `unknown operation ${req.label}`);
    }
  }

  /**
   * The kernel's greeting: its staging region, and the files it holds open. Those are the
   * open counts from now on (a restarted VFS starts with none), and an unlinked file that
   * none of them names is freed: its last close went to an instance that is gone.
   */
  private async hello(req: Request): Promise<Answer> {
    const { held } = this.decode(VFS.hello, req);
    if (req.handles.length !== 2) throw new FsError(EINVAL, "no staging or held-files region");
    const list = await this.host.openRegion(req.handles[1]);
    if (held > list.size) throw new FsError(EINVAL, "held-files list outside its region");
    const nodes = decodePayload(heldList, list.read().slice(0, held));
    this.staging = await this.host.openRegion(req.handles[0]);
    this.opens.clear();
    for (const n of nodes) if (n.count > 0) this.countOpen(n, n.count);
    for (const m of this.host.mounts.all()) if (!m.readOnly) await m.fs.reapOrphans();
    return this.answer(VFS.hello, this.host.mounts.rootNode, [await this.host.cacheHandle()]);
  }

  /**
   * An OPEN answered from the journal (the kernel sent it again after a restart): the kernel
   * now holds the file, so this instance counts it as the one that opened it did.
   */
  reopened(label: number, payload: Uint8Array): void {
    if (label !== VFS.open.label) return;
    this.countOpen(decodePayload(VFS.open.reply, payload), 1);
  }

  private countOpen(n: Node, count: number): void {
    this.opens.set(key(n), (this.opens.get(key(n)) ?? 0) + count);
  }

  /** Resolves with the RESOLVE flags (EMPTY: an empty path is the base itself). */
  private async lookup(base: Node, path: string, flags: number, keepPath = false) {
    if (path === "") {
      if (!(flags & RESOLVE.EMPTY)) throw new FsError(ENOENT);
      const attr = await this.fs(base).getattr(base.ino);
      if (flags & RESOLVE.DIRECTORY && !isDir(attr)) throw new FsError(ENOTDIR);
      const parts = keepPath ? await this.resolver.pathOf(base) : undefined;
      return { node: base, attr, parts };
    }
    const w = await this.resolver.walk(base, path, (flags & RESOLVE.FOLLOW) !== 0, keepPath);
    if (flags & RESOLVE.DIRECTORY && !isDir(w.attr)) throw new FsError(ENOTDIR);
    return w;
  }

  private async open(
    r: { base: Node; flags: number; mode: number; data: Data },
  ): Promise<WireAttr> {
    const [path] = strings(this.staged(r.data), 1);
    let node: Node;
    let attr: Attr;
    if (r.flags & OPEN.CREATE) {
      ({ node, attr } = await this.openOrCreate(r.base, path, r.flags, r.mode));
    } else {
      ({ node, attr } = await this.lookup(r.base, path, r.flags));
    }
    const type = attr.mode & S_IFMT;
    if (type === S_IFLNK) throw new FsError(ELOOP, "a symbolic link (O_NOFOLLOW)");
    if (r.flags & RESOLVE.DIRECTORY && type !== S_IFDIR) throw new FsError(ENOTDIR);
    if (r.flags & OPEN.WRITE) {
      if (type === S_IFDIR) throw new FsError(EISDIR);
      if (type === S_IFREG) this.writableMount(node);
    }
    if (r.flags & OPEN.TRUNCATE && type === S_IFREG && attr.size > 0) {
      attr = await this.fs(node).setattr(node.ino, { size: 0 });
    }
    this.countOpen(node, 1);
    return wire(node.mount, attr);
  }

  private async openOrCreate(base: Node, path: string, flags: number, mode: number) {
    const parent = await this.resolver.parent(base, path);
    let exists = true;
    try {
      await this.resolver.child(parent.dir, parent.name);
    } catch (e) {
      if (!(e instanceof FsError && e.errno === ENOENT)) throw e;
      exists = false;
    }
    if (exists) {
      if (flags & OPEN.EXCLUSIVE) throw new FsError(EEXIST);
      return await this.lookup(base, path, flags);
    }
    if (parent.trailingSlash) throw new FsError(EISDIR);
    const wfs = this.writableMount(parent.dir);
    const created = await wfs.create(parent.dir.ino, parent.name, S_IFREG | (mode & 0o7777), 0);
    const node = { mount: parent.dir.mount, ino: created };
    return { node, attr: await wfs.getattr(created) };
  }

  private async close(n: Node): Promise<void> {
    const k = key(n);
    const count = (this.opens.get(k) ?? 0) - 1;
    if (count > 0) {
      this.opens.set(k, count);
      return;
    }
    this.opens.delete(k);
    const fs = this.fs(n);
    let attr: Attr;
    try {
      attr = await fs.getattr(n.ino);
    } catch (e) {
      if (e instanceof FsError && e.errno === ENOENT) return;
      throw e;
    }
    if (attr.nlink === 0) await fs.evict(n.ino);
  }

  private async setattr(r: {
    node: Node;
    set: number;
    mode: number;
    size: number;
    atimeNs: bigint;
    mtimeNs: bigint;
  }): Promise<WireAttr> {
    const fs = this.writableMount(r.node);
    const change: AttrChange = {};
    const now = this.host.ctx.now();
    if (r.set & SET.MODE) change.mode = r.mode & 0o7777;
    if (r.set & SET.SIZE) change.size = r.size;
    if (r.set & SET.ATIME) change.atimeNs = r.atimeNs;
    if (r.set & SET.ATIME_NOW) change.atimeNs = now;
    if (r.set & SET.MTIME) change.mtimeNs = r.mtimeNs;
    if (r.set & SET.MTIME_NOW) change.mtimeNs = now;
    return wire(r.node.mount, await fs.setattr(r.node.ino, change));
  }

  /** READ: the back end's pieces as extents, built once the operation's slots are stable. */
  private async read(r: { node: Node; offset: number; length: number }): Promise<() => Answer> {
    const length = Math.min(r.length, EXTENTS_MAX * SLOT_BYTES);
    const result = await this.fs(r.node).read(r.node.ino, r.offset, length);
    const pieces = await this.inCache(result);
    return () => {
      const extents: Extent[] = [];
      let bytes = 0;
      let cut = false;
      for (const p of pieces) {
        if (extents.length === EXTENTS_MAX) {
          cut = true;
          break;
        }
        if ("hole" in p) {
          if (p.hole > 0) extents.push({ at: HOLE, len: p.hole, gen: 0 });
          bytes += p.hole;
          continue;
        }
        const slot = this.host.cache.slotOf(p);
        extents.push({
          at: p.byteOffset - this.host.cache.memory.bytes.byteOffset,
          len: p.length,
          gen: this.host.cache.generation(slot),
        });
        bytes += p.length;
      }
      const eof = !cut && result.bytes < length ? 1 : 0;
      return this.answer(VFS.read, { bytes, eof, extents });
    };
  }

  /**
   * The pieces of a read as views of cache slots (one slot each): views elsewhere are copied
   * into transient slots, views across slots are split.
   */
  private async inCache(result: ReadResult): Promise<Array<Uint8Array | { hole: number }>> {
    const cache = this.host.cache;
    const out: Array<Uint8Array | { hole: number }> = [];
    for (const p of result.pieces) {
      if ("hole" in p) {
        out.push(p);
        continue;
      }
      let rest = p;
      while (rest.length > 0) {
        const slot = cache.slotOf(rest);
        if (slot < 0) {
          const t = await cache.transient();
          const n = Math.min(SLOT_BYTES, rest.length);
          const view = cache.view(t, n);
          view.set(rest.subarray(0, n));
          out.push(view);
          rest = rest.subarray(n);
          continue;
        }
        const within = rest.byteOffset - cache.memory.bytes.byteOffset - cache.offset(slot);
        const n = Math.min(SLOT_BYTES - within, rest.length);
        out.push(rest.subarray(0, n));
        rest = rest.subarray(n);
      }
    }
    return out;
  }

  private async write(
    r: { node: Node; offset: number; append: number; data: Data },
  ): Promise<{ bytes: number; end: number }> {
    const fs = this.writableMount(r.node);
    const attr = await fs.getattr(r.node.ino);
    if (isDir(attr)) throw new FsError(EISDIR);
    const offset = r.append ? attr.size : r.offset;
    const bytes = await fs.write(r.node.ino, offset, this.staged(r.data));
    return { bytes, end: offset + bytes };
  }

  private async readdir(
    r: { node: Node; cookie: number; data: Data },
  ): Promise<{ bytes: number; next: number }> {
    const out = this.staged(r.data);
    const guess = Math.max(1, Math.floor(out.length / direntSize(8)));
    let page = await this.dirPage(r.node, r.cookie, guess);
    const fits = (entries: typeof page.entries): number => {
      let at = 0;
      let n = 0;
      for (const e of entries) {
        const size = direntSize(new TextEncoder().encode(e.name).length);
        if (at + size > out.length) break;
        at += size;
        n++;
      }
      return n;
    };
    const n = fits(page.entries);
    if (n === 0 && page.entries.length > 0) return { bytes: 0, next: r.cookie || 1 };
    if (n < page.entries.length) page = await this.dirPage(r.node, r.cookie, n);
    const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
    let at = 0;
    for (const e of page.entries) {
      const name = new TextEncoder().encode(e.name);
      const size = direntSize(name.length);
      dv.setBigUint64(at + DIRENT64.INO, BigInt(e.ino), true);
      dv.setBigInt64(at + DIRENT64.OFF, BigInt(page.next), true);
      dv.setUint16(at + DIRENT64.RECLEN, size, true);
      out[at + DIRENT64.TYPE] = e.type;
      out.set(name, at + DIRENT64.NAME);
      out.fill(0, at + DIRENT64.NAME + name.length, at + size);
      at += size;
    }
    return { bytes: at, next: page.next };
  }

  /**
   * Up to `max` entries of directory `node` from `cookie`. A union mount's root lists its own
   * entries, then those of the directory below that it does not have itself (cookies from
   * BELOW_COOKIE on); a page is never empty before the end.
   */
  private async dirPage(node: Node, cookie: number, max: number): Promise<DirPage> {
    const fs = this.fs(node);
    const below = await this.resolver.below(node);
    if (!below) return await fs.readdir(node.ino, cookie, max);
    if (cookie < BELOW_COOKIE) {
      const page = await fs.readdir(node.ino, cookie, max);
      if (page.next !== 0) return page;
      if (page.entries.length > 0) return { entries: page.entries, next: BELOW_COOKIE };
      cookie = BELOW_COOKIE;
    }
    const lower = this.fs(below);
    for (;;) {
      const page = await lower.readdir(below.ino, cookie - BELOW_COOKIE, max);
      const entries: DirEntry[] = [];
      for (const e of page.entries) {
        if (e.name !== "." && e.name !== ".." && await this.resolver.onlyBelow(node, e.name)) {
          entries.push(e);
        }
      }
      const next = page.next === 0 ? 0 : page.next + BELOW_COOKIE;
      if (entries.length > 0 || next === 0) return { entries, next };
      cookie = next;
    }
  }

  /** EEXIST if `name` in `dir` is found below a union mount (a create would hide it). */
  private async mustBeNew(dir: Node, name: string): Promise<void> {
    if (await this.resolver.onlyBelow(dir, name)) throw new FsError(EEXIST);
  }

  /** EROFS if `name` in `dir` is found below a union mount (it cannot be removed from there). */
  private async mustBeOwn(dir: Node, name: string): Promise<void> {
    if (await this.resolver.onlyBelow(dir, name)) {
      throw new FsError(EROFS, "it is in the directory below a union mount");
    }
  }

  /** mkdir and mknod. */
  private async make(base: Node, data: Data, mode: number, rdev: number): Promise<WireAttr> {
    const [path] = strings(this.staged(data), 1);
    const parent = await this.resolver.parent(base, path);
    if (parent.name === "." || parent.name === "..") throw new FsError(EEXIST);
    const fs = this.writableMount(parent.dir);
    await this.mustBeNew(parent.dir, parent.name);
    const type = mode & S_IFMT;
    if (type !== S_IFDIR && parent.trailingSlash) throw new FsError(ENOENT);
    const ino = type === S_IFDIR
      ? await fs.mkdir(parent.dir.ino, parent.name, mode & 0o7777)
      : await fs.create(parent.dir.ino, parent.name, mode, rdev);
    return wire(parent.dir.mount, await fs.getattr(ino));
  }

  private async unlink(r: { base: Node; dir: number; data: Data }): Promise<void> {
    const [path] = strings(this.staged(r.data), 1);
    const parent = await this.resolver.parent(r.base, path);
    if (parent.name === ".") throw new FsError(EINVAL);
    if (parent.name === "..") throw new FsError(r.dir ? ENOTEMPTY : EISDIR);
    if (this.host.mounts.over(parent.dir, parent.name)) throw new FsError(EBUSY);
    const fs = this.writableMount(parent.dir);
    await this.mustBeOwn(parent.dir, parent.name);
    if (r.dir) await fs.rmdir(parent.dir.ino, parent.name);
    else {
      if (parent.trailingSlash) throw new FsError(ENOTDIR);
      await fs.unlink(parent.dir.ino, parent.name);
    }
  }

  private async rename(r: { base: Node; to: Node; flags: number; data: Data }): Promise<void> {
    const [fromPath, toPath] = strings(this.staged(r.data), 2);
    const from = await this.resolver.parent(r.base, fromPath);
    const to = await this.resolver.parent(r.to, toPath);
    for (const name of [from.name, to.name]) {
      if (name === "." || name === "..") throw new FsError(EBUSY);
    }
    const mounts = this.host.mounts;
    if (mounts.over(from.dir, from.name) || mounts.over(to.dir, to.name)) {
      throw new FsError(EBUSY, "a mount point");
    }
    if (from.dir.mount !== to.dir.mount) throw new FsError(EXDEV);
    const fs = this.writableMount(from.dir);
    await this.mustBeOwn(from.dir, from.name);
    await this.mustBeOwn(to.dir, to.name);
    await fs.lookup(from.dir.ino, from.name);
    if (r.flags & 1) { // RENAME_NOREPLACE
      let exists = true;
      try {
        await fs.lookup(to.dir.ino, to.name);
      } catch (e) {
        if (!(e instanceof FsError && e.errno === ENOENT)) throw e;
        exists = false;
      }
      if (exists) throw new FsError(EEXIST);
    }
    await fs.rename(from.dir.ino, from.name, to.dir.ino, to.name);
  }

  private async link(r: { base: Node; to: Node; flags: number; data: Data }): Promise<WireAttr> {
    const [fromPath, toPath] = strings(this.staged(r.data), 2);
    const src = await this.resolver.walk(r.base, fromPath, (r.flags & RESOLVE.FOLLOW) !== 0);
    const to = await this.resolver.parent(r.to, toPath);
    if (src.node.mount !== to.dir.mount) throw new FsError(EXDEV);
    if (isDir(src.attr)) throw new FsError(EPERM, "hard link to a directory");
    const fs = this.writableMount(to.dir);
    await this.mustBeNew(to.dir, to.name);
    await fs.link(src.node.ino, to.dir.ino, to.name);
    return wire(to.dir.mount, await fs.getattr(src.node.ino));
  }

  private async symlink(r: { base: Node; data: Data }): Promise<WireAttr> {
    const [target, path] = strings(this.staged(r.data), 2);
    const parent = await this.resolver.parent(r.base, path);
    if (parent.name === "." || parent.name === ".." || parent.trailingSlash) {
      throw new FsError(EEXIST);
    }
    const fs = this.writableMount(parent.dir);
    await this.mustBeNew(parent.dir, parent.name);
    const ino = await fs.symlink(parent.dir.ino, parent.name, target);
    return wire(parent.dir.mount, await fs.getattr(ino));
  }

  private async readlink(r: { base: Node; flags: number; data: Data }): Promise<number> {
    const out = this.staged(r.data);
    const end = out.indexOf(0);
    const [path] = strings(end < 0 ? out : out.subarray(0, end), 1);
    const w = await this.lookup(r.base, path, r.flags & RESOLVE.EMPTY);
    if ((w.attr.mode & S_IFMT) !== S_IFLNK) throw new FsError(EINVAL, "not a symbolic link");
    const target = new TextEncoder().encode(await this.fs(w.node).readlink(w.node.ino));
    out.set(target.subarray(0, out.length));
    return Math.min(target.length, out.length);
  }

  private async realpath(
    r: { base: Node; flags: number; pathBytes: number; data: Data },
  ): Promise<{ attr: WireAttr; length: number }> {
    const out = this.staged(r.data);
    if (r.pathBytes > out.length) throw new FsError(EINVAL, "path outside its data");
    const [path] = strings(out.slice(0, r.pathBytes), 1);
    const w = await this.lookup(r.base, path, r.flags, true);
    const canonical = new TextEncoder().encode("/" + (w.parts ?? []).join("/"));
    if (canonical.length > out.length) throw new FsError(EINVAL, "path too long");
    out.set(canonical);
    return { attr: wire(w.node.mount, w.attr), length: canonical.length };
  }

  /** Makes everything durable. */
  async syncAll(): Promise<void> {
    for (const m of this.host.mounts.all()) await m.fs.sync();
  }

  private async mount(r: { base: Node; flags: number; data: Data }): Promise<void> {
    const [target, type, source] = strings(this.staged(r.data), 3);
    const at = await this.mountPoint(r.base, target);
    const fs = await this.host.makeFs(type, source, mountOptions("", (r.flags & 1) !== 0));
    this.attach(fs, source, at.path, at);
  }

  /** Mounts `fs` on `target` (an absolute path), as the start-up table says. */
  async mountAt(fs: FileSystem, source: string, target: string, union = false): Promise<void> {
    const at = await this.mountPoint(this.host.mounts.rootNode, target);
    this.attach(fs, source, at.path, at, union);
  }

  /**
   * Where a mount on `target` sits: its directory and name. The name need not exist in the
   * directory's file system; if it does, it must be a directory.
   */
  private async mountPoint(base: Node, target: string) {
    const parent = await this.resolver.parent(base, target);
    if (parent.name === "." || parent.name === "..") throw new FsError(EBUSY);
    try {
      const n = await this.resolver.child(parent.dir, parent.name);
      if (!isDir(await this.resolver.attr(n))) throw new FsError(ENOTDIR);
    } catch (e) {
      // Absent, or hidden from us (hostfs may not look at the host's /dev): a name will do.
      if (!(e instanceof FsError && (e.errno === ENOENT || e.errno === EACCES))) throw e;
    }
    const dirParts = await this.resolver.pathOf(parent.dir);
    const path = "/" + [...dirParts, parent.name].join("/");
    return { dir: parent.dir, name: parent.name, path };
  }

  /** Adds a mounted file system at `at`. */
  attach(
    fs: FileSystem,
    source: string,
    path: string,
    at: MountPoint | undefined,
    union = false,
  ): Mount {
    const m = this.host.mounts.add(fs, source, path, at, union);
    fs.setOpenCheck((ino) => this.isOpen(m.id, ino));
    return m;
  }

  private async umount(r: { base: Node; flags: number; data: Data }): Promise<void> {
    const [target] = strings(this.staged(r.data), 1);
    const w = await this.resolver.walk(r.base, target, true);
    const m = this.host.mounts.get(w.node.mount);
    if (w.node.ino !== m.fs.root() || !m.at) throw new FsError(EINVAL, "not a mount point");
    for (const k of this.opens.keys()) {
      if (k.startsWith(`${m.id}:`)) throw new FsError(EBUSY, "files are open on it");
    }
    this.host.mounts.remove(m);
    await m.fs.unmount();
  }
}
