/**
 * ext2 (revision 0 and 1) as a FileSystem back end of the VFS (fs.ts), on a block cache.
 *
 * The layers, bottom up, one module each:
 *
 *   layout.ts   on-disk structures and their codecs; superblock checks
 *   volume.ts   the mounted volume: superblock, group descriptors, block number checks
 *   alloc.ts    block and inode bitmaps, free counts
 *   itable.ts   inodes in the inode tables
 *   bmap.ts     logical → disk blocks: direct, single, double, triple indirect
 *   data.ts     file contents: read, write, truncate
 *   dir.ts      directory entries
 *   symlink.ts  fast and slow symlinks
 *   orphan.ts   the orphan list (unlinked but open inodes)
 *   ext2.ts     this file: the FileSystem operations, built from the above
 *
 * Supported: the FILETYPE incompatible feature (nothing else incompatible mounts), SPARSE_SUPER
 * and LARGE_FILE read-write; other read-only-compatible features mount read-only only. Any
 * compatible feature is ignored, as ext2 may: a hash-indexed directory is read as the plain
 * directory it also is, and its index flag is cleared when it changes. Attribute blocks are
 * released with their inode but never read. Access times are not updated on reads.
 *
 * Durability (there is no journal): every change goes into cached blocks at once, in an order
 * that never makes a block reachable before it is written, and reaches the disk on fsync, sync,
 * unmount, the VFS's periodic writeback or eviction from the cache. fsync writes back every
 * dirty block of the device (not only the file's), then FLUSHes. A crash loses the changes not
 * yet written back, and may leave a mix of written and unwritten metadata (a bitmap without its
 * inode, a count off by the blocks in flight): what e2fsck repairs. While mounted read-write,
 * s_state is "not clean", so e2fsck knows to check after a crash; unmount marks it clean again.
 * Inodes unlinked while open are kept on the orphan list and freed at the next mount.
 */

import {
  EEXIST,
  EINVAL,
  EIO,
  EISDIR,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  EPERM,
  EROFS,
} from "../../../abi/errno.ts";
import {
  type Attr,
  type AttrChange,
  type DirPage,
  type DiskFsMount,
  type FileSystem,
  FsError,
  type FsStats,
  NAME_MAX,
  type ReadResult,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../fs.ts";
import { Allocator } from "./alloc.ts";
import { BlockMap } from "./bmap.ts";
import { FileData } from "./data.ts";
import { Directories, type Slot } from "./dir.ts";
import { corrupt, EMLINK, ENOTEMPTY } from "./errors.ts";
import { clearInode, readInode, writeInode } from "./itable.ts";
import {
  EXT2_MAGIC,
  fileTypeOf,
  GOOD_OLD_INODE_SIZE,
  groupStart,
  type Inode,
  isKnownType,
  LINK_MAX,
  ROOT_INO,
  STATE_ERROR,
  STATE_VALID,
} from "./layout.ts";
import { addOrphan, removeOrphan, takeOrphans } from "./orphan.ts";
import { checkTarget, isFastSymlink, readTarget, writeTarget } from "./symlink.ts";
import { Volume } from "./volume.ts";
import { releaseXattrBlock } from "./xattr.ts";

/** i_extra_isize given to new inodes when the superblock does not say (ext4's default). */
const DEFAULT_EXTRA_ISIZE = 32;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Runs `fn`, turning anything but an FsError into EIO: nothing else leaves this back end. */
async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FsError) throw e;
    throw new FsError(EIO, `ext2: internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Checks a name and returns its bytes: EINVAL for "", ".", "..", "/" or NUL; ENAMETOOLONG. */
function nameBytes(name: string): Uint8Array {
  if (name === "" || name === "." || name === ".." || /[/\0]/.test(name)) {
    throw new FsError(EINVAL, `ext2: bad name ${JSON.stringify(name)}`);
  }
  const bytes = encoder.encode(name);
  if (bytes.length > NAME_MAX) throw new FsError(ENAMETOOLONG, "ext2: name too long");
  return bytes;
}

function isDir(inode: Inode): boolean {
  return (inode.mode & S_IFMT) === S_IFDIR;
}

/** Device number as fs.ts has it (major << 8 | minor) from i_block[0] (old) or [1] (new). */
function decodeRdev(inode: Inode): number {
  if (inode.block[0] !== 0) return inode.block[0] & 0xffff;
  const v = inode.block[1];
  const major = (v & 0xfff00) >>> 8;
  const minor = (v & 0xff) | ((v >>> 12) & 0xfff00);
  return major * 256 + minor;
}

function encodeRdev(inode: Inode, rdev: number): void {
  const major = Math.floor(rdev / 256);
  const minor = rdev % 256;
  if (major < 256) inode.block[0] = major * 256 + minor;
  else inode.block[1] = (minor | ((major & 0xfff) << 8)) >>> 0;
}

/** A named inode: its directory entry and the inode. */
interface Named {
  slot: Slot;
  ino: number;
  inode: Inode;
}

/** A rename in progress: both directories (the same object when `from === to`) and names. */
interface Move {
  from: number;
  to: number;
  fromDir: Inode;
  toDir: Inode;
  srcName: Uint8Array;
  dstName: Uint8Array;
  src: Named;
  dst: Named | undefined;
}

/** An ext2 file system mounted over a block cache. */
class Ext2Fs implements FileSystem {
  readonly type = "ext2";
  readonly readOnly: boolean;
  private readonly alloc: Allocator;
  private readonly bmap: BlockMap;
  private readonly data: FileData;
  private readonly dirs: Directories;
  private isOpen: (ino: number) => boolean = () => false;
  /** Whether s_state said "clean" at mount (unmount says so again only then). */
  private cleanAtMount = false;

  constructor(private readonly vol: Volume) {
    this.readOnly = vol.readOnly;
    this.alloc = new Allocator(vol);
    this.bmap = new BlockMap(vol, this.alloc);
    this.data = new FileData(vol, this.bmap);
    this.dirs = new Directories(vol, this.bmap);
  }

  /** Checks the root; read-write: frees the orphans (unless kept) and marks it mounted. */
  async start(keepOrphans: boolean): Promise<void> {
    const root = await this.inode(ROOT_INO);
    if (!isDir(root)) throw corrupt("the root is not a directory");
    if (this.readOnly) return;
    const { sb } = this.vol;
    this.cleanAtMount = (sb.state & STATE_VALID) !== 0 && (sb.state & STATE_ERROR) === 0;
    if (!keepOrphans) await this.freeOrphans();
    sb.state &= ~STATE_VALID;
    sb.mntCount = (sb.mntCount + 1) & 0xffff;
    sb.mtime = this.vol.nowSeconds();
    await this.vol.saveSuper();
  }

  /** Frees the orphans that are not open (at mount, none is); the open ones stay listed. */
  private async freeOrphans(): Promise<void> {
    for (const ino of await takeOrphans(this.vol)) {
      const inode = await readInode(this.vol, ino);
      inode.dtime = 0;
      if (inode.links === 0 && isKnownType(inode.mode)) await this.orphanOrRelease(ino, inode);
      else await writeInode(this.vol, ino, inode);
    }
  }

  root(): number {
    return ROOT_INO;
  }

  // ---- inodes ----

  /** Inode `ino`, which must be in use. */
  private async inode(ino: number): Promise<Inode> {
    const inode = await readInode(this.vol, ino);
    if (!isKnownType(inode.mode)) throw corrupt(`inode ${ino} is not in use`);
    if (inode.size > this.data.maxFileSize) throw corrupt(`inode ${ino} of ${inode.size} bytes`);
    return inode;
  }

  /** Inode `ino`, which must be a directory (ENOTDIR). */
  private async dirInode(ino: number): Promise<Inode> {
    const inode = await this.inode(ino);
    if (!isDir(inode)) throw new FsError(ENOTDIR);
    return inode;
  }

  /** A directory that may gain an entry: writable, still linked. */
  private async parentInode(ino: number): Promise<Inode> {
    this.writable();
    const dir = await this.dirInode(ino);
    if (dir.links === 0) throw new FsError(ENOENT, "ext2: the directory was removed");
    return dir;
  }

  private writable(): void {
    if (this.readOnly) throw new FsError(EROFS);
  }

  private attr(ino: number, inode: Inode): Attr {
    const type = inode.mode & S_IFMT;
    return {
      ino,
      mode: inode.mode,
      nlink: inode.links,
      uid: inode.uid,
      gid: inode.gid,
      size: inode.size,
      blocks: inode.blocks,
      blksize: this.vol.geo.blockSize,
      rdev: type === S_IFCHR || type === S_IFBLK ? decodeRdev(inode) : 0,
      atimeNs: inode.atimeNs,
      mtimeNs: inode.mtimeNs,
      ctimeNs: inode.ctimeNs,
      btimeNs: inode.crtimeNs,
    };
  }

  /** A new inode of `mode` for a child of `parent`, written, one link. */
  private async newInode(parent: number, mode: number): Promise<{ ino: number; inode: Inode }> {
    const ino = await this.alloc.allocInode(parent, (mode & S_IFMT) === S_IFDIR);
    const inode = await clearInode(this.vol, ino);
    const now = this.vol.nowNs();
    const room = this.vol.geo.inodeSize - GOOD_OLD_INODE_SIZE;
    Object.assign(inode, {
      mode,
      links: 1,
      atimeNs: now,
      mtimeNs: now,
      ctimeNs: now,
      crtimeNs: now,
      extraIsize: Math.min(room, this.vol.sb.wantExtraIsize || DEFAULT_EXTRA_ISIZE),
      generation: (Math.random() * 2 ** 32) >>> 0,
    });
    await writeInode(this.vol, ino, inode);
    return { ino, inode };
  }

  /** Frees an inode with no links and nobody holding it: its blocks, then the inode. */
  private async release(ino: number, inode: Inode): Promise<void> {
    const type = inode.mode & S_IFMT;
    const mapped = type === S_IFREG || type === S_IFDIR ||
      (type === S_IFLNK && !isFastSymlink(this.vol, inode));
    if (mapped) await this.bmap.truncate(inode, 0);
    if (inode.fileAcl !== 0) {
      await releaseXattrBlock(this.vol, this.alloc, inode.fileAcl);
      inode.blocks = Math.max(0, inode.blocks - this.vol.geo.blockSize / 512);
      inode.fileAcl = 0;
    }
    inode.size = 0;
    inode.links = 0;
    inode.dtime = this.vol.nowSeconds();
    await writeInode(this.vol, ino, inode);
    await this.alloc.freeInode(ino, type === S_IFDIR);
  }

  /** An inode that lost its last link: freed, or kept on the orphan list while open. */
  private async orphanOrRelease(ino: number, inode: Inode): Promise<void> {
    if (this.isOpen(ino)) {
      await addOrphan(this.vol, ino, inode);
      await writeInode(this.vol, ino, inode);
    } else {
      await this.release(ino, inode);
    }
  }

  /** Drops one link of a non-directory. */
  private async dropLink(ino: number, inode: Inode): Promise<void> {
    inode.links = Math.max(0, inode.links - 1);
    inode.ctimeNs = this.vol.nowNs();
    if (inode.links > 0) await writeInode(this.vol, ino, inode);
    else await this.orphanOrRelease(ino, inode);
  }

  /** Empties a directory being removed (its blocks go at once) and drops it. */
  private async dropDirectory(ino: number, inode: Inode): Promise<void> {
    await this.bmap.truncate(inode, 0);
    inode.size = 0;
    inode.links = 0;
    inode.ctimeNs = this.vol.nowNs();
    await this.orphanOrRelease(ino, inode);
  }

  /** Marks a directory changed (mtime, ctime) and writes it. */
  private async touchDir(ino: number, dir: Inode): Promise<void> {
    dir.mtimeNs = dir.ctimeNs = this.vol.nowNs();
    await writeInode(this.vol, ino, dir);
  }

  getattr(ino: number): Promise<Attr> {
    return guard(async () => this.attr(ino, await this.inode(ino)));
  }

  setattr(ino: number, change: AttrChange): Promise<Attr> {
    return guard(async () => {
      this.writable();
      const inode = await this.inode(ino);
      const now = this.vol.nowNs();
      try {
        if (change.size !== undefined) await this.resize(inode, change.size, now);
        if (change.mode !== undefined) {
          inode.mode = (inode.mode & S_IFMT) | (change.mode & 0o7777);
        }
        if (change.uid !== undefined) inode.uid = change.uid;
        if (change.gid !== undefined) inode.gid = change.gid;
        if (change.atimeNs !== undefined) inode.atimeNs = change.atimeNs;
        if (change.mtimeNs !== undefined) inode.mtimeNs = change.mtimeNs;
        inode.ctimeNs = now;
      } finally {
        await writeInode(this.vol, ino, inode);
      }
      return this.attr(ino, inode);
    });
  }

  private async resize(inode: Inode, size: number, now: bigint): Promise<void> {
    if (isDir(inode)) throw new FsError(EISDIR);
    if ((inode.mode & S_IFMT) !== S_IFREG) throw new FsError(EINVAL, "ext2: not a regular file");
    if (!Number.isSafeInteger(size) || size < 0) throw new FsError(EINVAL, `ext2: size ${size}`);
    await this.data.truncate(inode, size);
    inode.mtimeNs = now;
  }

  // ---- names ----

  lookup(dir: number, name: string): Promise<number> {
    return guard(async () => {
      if (name === ".") {
        await this.dirInode(dir); // ENOTDIR for a file
        return dir;
      }
      if (name === "..") return await this.dirs.parent(await this.dirInode(dir));
      const bytes = nameBytes(name);
      const slot = await this.dirs.find(await this.dirInode(dir), bytes);
      if (!slot) throw new FsError(ENOENT);
      return slot.entry.ino;
    });
  }

  readdir(dir: number, cookie: number, max: number): Promise<DirPage> {
    return guard(async () => {
      if (!Number.isSafeInteger(cookie) || cookie < 0 || !(max >= 1)) {
        throw new FsError(EINVAL, "ext2: bad readdir position or count");
      }
      return await this.dirs.list(await this.dirInode(dir), cookie, max);
    });
  }

  /** Fails with EEXIST if `name` is in `dir`. */
  private async absent(dir: Inode, name: Uint8Array): Promise<void> {
    if (await this.dirs.find(dir, name)) throw new FsError(EEXIST);
  }

  /**
   * Creates inode `ino` (set up by `init`) under `name` in `dir`; if anything fails, the new
   * inode and its blocks are freed again, so nothing leaks.
   */
  private async attach(
    dirIno: number,
    dir: Inode,
    name: Uint8Array,
    mode: number,
    init: (ino: number, inode: Inode) => Promise<void>,
  ): Promise<number> {
    const { ino, inode } = await this.newInode(dirIno, mode);
    try {
      await init(ino, inode);
      await writeInode(this.vol, ino, inode);
      await this.dirs.add(dirIno, dir, name, ino, fileTypeOf(mode));
    } catch (e) {
      inode.links = 0;
      await this.release(ino, inode);
      throw e;
    }
    await this.touchDir(dirIno, dir);
    return ino;
  }

  create(dir: number, name: string, mode: number, rdev: number): Promise<number> {
    return guard(async () => {
      const bytes = nameBytes(name);
      const parent = await this.parentInode(dir);
      const type = (mode & S_IFMT) || S_IFREG;
      if (![S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK].includes(type)) {
        throw new FsError(EINVAL, `ext2: cannot create mode 0o${mode.toString(8)}`);
      }
      await this.absent(parent, bytes);
      return await this.attach(dir, parent, bytes, type | (mode & 0o7777), (_ino, inode) => {
        if (type === S_IFCHR || type === S_IFBLK) encodeRdev(inode, rdev);
        return Promise.resolve();
      });
    });
  }

  mkdir(dir: number, name: string, mode: number): Promise<number> {
    return guard(async () => {
      const bytes = nameBytes(name);
      const parent = await this.parentInode(dir);
      if (parent.links >= LINK_MAX) throw new FsError(EMLINK);
      await this.absent(parent, bytes);
      const ino = await this.attach(dir, parent, bytes, S_IFDIR | (mode & 0o7777), (ino, inode) => {
        return this.initDirectory(ino, inode, dir);
      });
      parent.links++;
      await writeInode(this.vol, dir, parent);
      return ino;
    });
  }

  /** Gives a new directory its first block ("." and "..") and its two links. */
  private async initDirectory(ino: number, inode: Inode, parent: number): Promise<void> {
    const goal = groupStart(this.vol.geo, this.vol.groupOfInode(ino));
    const { block } = await this.bmap.ensure(inode, 0, goal);
    this.dirs.initBlock(await this.vol.cache.zero(block), ino, parent);
    inode.size = this.vol.geo.blockSize;
    inode.links = 2;
  }

  symlink(dir: number, name: string, target: string): Promise<number> {
    return guard(async () => {
      const bytes = nameBytes(name);
      const parent = await this.parentInode(dir);
      const targetBytes = encoder.encode(target);
      checkTarget(this.vol, targetBytes);
      await this.absent(parent, bytes);
      return await this.attach(dir, parent, bytes, S_IFLNK | 0o777, (ino, inode) => {
        return writeTarget(this.data, ino, inode, targetBytes);
      });
    });
  }

  readlink(ino: number): Promise<string> {
    return guard(async () => {
      const inode = await this.inode(ino);
      if ((inode.mode & S_IFMT) !== S_IFLNK) throw new FsError(EINVAL, "ext2: not a symlink");
      return decoder.decode(await readTarget(this.vol, this.data, inode));
    });
  }

  link(ino: number, dir: number, name: string): Promise<void> {
    return guard(async () => {
      const bytes = nameBytes(name);
      const parent = await this.parentInode(dir);
      const inode = await this.inode(ino);
      if (isDir(inode)) throw new FsError(EPERM, "ext2: hard link to a directory");
      if (inode.links === 0) throw new FsError(ENOENT, "ext2: the file was removed");
      if (inode.links >= LINK_MAX) throw new FsError(EMLINK);
      await this.absent(parent, bytes);
      await this.dirs.add(dir, parent, bytes, ino, fileTypeOf(inode.mode));
      await this.touchDir(dir, parent);
      inode.links++;
      inode.ctimeNs = this.vol.nowNs();
      await writeInode(this.vol, ino, inode);
    });
  }

  /** The entry `name` of directory `dir` (ENOENT) and its inode. */
  private async entry(dir: Inode, name: Uint8Array): Promise<Named> {
    const slot = await this.dirs.find(dir, name);
    if (!slot) throw new FsError(ENOENT);
    return { slot, ino: slot.entry.ino, inode: await this.inode(slot.entry.ino) };
  }

  unlink(dir: number, name: string): Promise<void> {
    return guard(async () => {
      const bytes = nameBytes(name);
      this.writable();
      const parent = await this.dirInode(dir);
      const child = await this.entry(parent, bytes);
      if (isDir(child.inode)) throw new FsError(EISDIR);
      this.dirs.remove(child.slot, parent);
      await this.touchDir(dir, parent);
      await this.dropLink(child.ino, child.inode);
    });
  }

  rmdir(dir: number, name: string): Promise<void> {
    return guard(async () => {
      const bytes = nameBytes(name);
      this.writable();
      const parent = await this.dirInode(dir);
      const child = await this.entry(parent, bytes);
      if (!isDir(child.inode)) throw new FsError(ENOTDIR);
      if (!(await this.dirs.isEmpty(child.inode))) throw new FsError(ENOTEMPTY);
      this.dirs.remove(child.slot, parent);
      parent.links = Math.max(2, parent.links - 1);
      await this.touchDir(dir, parent);
      await this.dropDirectory(child.ino, child.inode);
    });
  }

  rename(from: number, fromName: string, to: number, toName: string): Promise<void> {
    return guard(async () => {
      const srcName = nameBytes(fromName);
      const dstName = nameBytes(toName);
      this.writable();
      const fromDir = await this.dirInode(from);
      const toDir = from === to ? fromDir : await this.parentInode(to);
      const src = await this.entry(fromDir, srcName);
      const dstSlot = await this.dirs.find(toDir, dstName);
      if (dstSlot?.entry.ino === src.ino) return;
      const dst = dstSlot &&
        { slot: dstSlot, ino: dstSlot.entry.ino, inode: await this.inode(dstSlot.entry.ino) };
      const move = { from, to, fromDir, toDir, srcName, dstName, src, dst };
      await this.checkRename(move);
      await this.moveEntry(move);
      await this.settleRename(move);
    });
  }

  /** What rename refuses: a directory into itself, mismatched or non-empty targets, EMLINK. */
  private async checkRename(m: Move): Promise<void> {
    const moving = isDir(m.src.inode) && m.from !== m.to;
    if (moving && await this.isAncestor(m.src.ino, m.to)) {
      throw new FsError(EINVAL, "ext2: a directory cannot move into itself");
    }
    if (m.dst) await this.checkReplace(m.src.inode, m.dst.inode);
    if (moving && !m.dst && m.toDir.links >= LINK_MAX) throw new FsError(EMLINK);
  }

  /** Points the target name at the source (first, so ENOSPC changes nothing), then drops it. */
  private async moveEntry(m: Move): Promise<void> {
    const type = fileTypeOf(m.src.inode.mode);
    if (m.dst) this.dirs.retarget(m.dst.slot, m.src.ino, type);
    else await this.dirs.add(m.to, m.toDir, m.dstName, m.src.ino, type);
    // The add may have reshaped the block the source entry is in: find it again.
    const again = await this.dirs.find(m.fromDir, m.srcName);
    if (!again) throw corrupt("a renamed entry vanished");
    this.dirs.remove(again, m.fromDir);
  }

  /** Link counts and ".." after a rename; the replaced inode loses its link. */
  private async settleRename(m: Move): Promise<void> {
    if (m.dst && isDir(m.dst.inode)) {
      m.toDir.links = Math.max(2, m.toDir.links - 1);
      await this.dropDirectory(m.dst.ino, m.dst.inode);
    } else if (m.dst) {
      await this.dropLink(m.dst.ino, m.dst.inode);
    }
    if (isDir(m.src.inode) && m.from !== m.to) {
      await this.dirs.setParent(m.src.inode, m.to);
      m.fromDir.links = Math.max(2, m.fromDir.links - 1);
      m.toDir.links++;
    }
    m.src.inode.ctimeNs = this.vol.nowNs();
    await writeInode(this.vol, m.src.ino, m.src.inode);
    await this.touchDir(m.from, m.fromDir);
    if (m.to !== m.from) await this.touchDir(m.to, m.toDir);
  }

  /** rename's rules for replacing `dst` by `src`: types must agree, a directory be empty. */
  private async checkReplace(src: Inode, dst: Inode): Promise<void> {
    if (isDir(src) && !isDir(dst)) throw new FsError(ENOTDIR);
    if (!isDir(src) && isDir(dst)) throw new FsError(EISDIR);
    if (isDir(dst) && !(await this.dirs.isEmpty(dst))) throw new FsError(ENOTEMPTY);
  }

  /** Whether directory `ancestor` is `dir` or above it (a walk up "..", bounded: loops are EIO). */
  private async isAncestor(ancestor: number, dir: number): Promise<boolean> {
    const seen = new Set<number>();
    for (let cur = dir; cur !== ROOT_INO;) {
      if (cur === ancestor) return true;
      if (seen.has(cur)) throw corrupt(`directory loop through inode ${cur}`);
      seen.add(cur);
      const inode = await this.inode(cur);
      if (!isDir(inode)) throw corrupt(`'..' leads to inode ${cur}, not a directory`);
      cur = await this.dirs.parent(inode);
    }
    return ancestor === ROOT_INO;
  }

  // ---- data ----

  read(ino: number, offset: number, length: number): Promise<ReadResult> {
    return guard(async () => {
      const inode = await this.inode(ino);
      if (isDir(inode)) throw new FsError(EISDIR);
      if ((inode.mode & S_IFMT) !== S_IFREG) throw new FsError(EINVAL, "ext2: not a regular file");
      checkRange(offset, length);
      return await this.data.read(inode, offset, length);
    });
  }

  write(ino: number, offset: number, data: Uint8Array): Promise<number> {
    return guard(async () => {
      this.writable();
      const inode = await this.inode(ino);
      if (isDir(inode)) throw new FsError(EISDIR);
      if ((inode.mode & S_IFMT) !== S_IFREG) throw new FsError(EINVAL, "ext2: not a regular file");
      checkRange(offset, data.length);
      try {
        const written = await this.data.write(ino, inode, offset, data);
        if (written > 0) inode.mtimeNs = inode.ctimeNs = this.vol.nowNs();
        return written;
      } finally {
        await writeInode(this.vol, ino, inode);
      }
    });
  }

  // ---- lifetime ----

  evict(ino: number): Promise<void> {
    return guard(async () => {
      if (this.readOnly) return;
      const inode = await readInode(this.vol, ino);
      if (inode.links !== 0 || !isKnownType(inode.mode)) return;
      await removeOrphan(this.vol, ino, inode);
      await this.release(ino, inode);
    });
  }

  setOpenCheck(isOpen: (ino: number) => boolean): void {
    this.isOpen = isOpen;
  }

  reapOrphans(): Promise<void> {
    return guard(() => this.readOnly ? Promise.resolve() : this.freeOrphans());
  }

  fsync(_ino: number, _dataOnly: boolean): Promise<void> {
    return guard(async () => {
      if (!this.readOnly) await this.vol.cache.flush();
    });
  }

  sync(): Promise<void> {
    return guard(async () => {
      if (this.readOnly) return;
      this.vol.sb.wtime = this.vol.nowSeconds();
      await this.vol.saveSuper();
      await this.vol.cache.flush();
    });
  }

  statfs(): Promise<FsStats> {
    return guard(() => {
      const { sb, geo } = this.vol;
      return Promise.resolve({
        blockSize: geo.blockSize,
        blocks: geo.blocksCount,
        blocksFree: sb.freeBlocksCount,
        blocksAvailable: Math.max(0, sb.freeBlocksCount - sb.rBlocksCount),
        inodes: geo.inodesCount,
        inodesFree: sb.freeInodesCount,
        magic: EXT2_MAGIC,
        nameMax: NAME_MAX,
      });
    });
  }

  unmount(): Promise<void> {
    return guard(async () => {
      if (this.readOnly) return;
      if (this.cleanAtMount) this.vol.sb.state |= STATE_VALID;
      await this.sync();
    });
  }
}

function checkRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new FsError(EINVAL, "ext2: bad offset or length");
  }
}

/**
 * Mounts the ext2 file system on `cache`'s device: checks the superblock, the features and
 * every group descriptor (EINVAL naming what is wrong), then the root directory.
 */
export const mountExt2: DiskFsMount = (cache, ctx, options) => {
  return guard(async () => {
    const fs = new Ext2Fs(await Volume.load(cache, ctx, options.readOnly));
    await fs.start(options.keepOrphans ?? false);
    return fs;
  });
};
