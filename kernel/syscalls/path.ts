/**
 * Calls that name files by path: openat, statx, mkdirat, mknodat, unlinkat, renameat2,
 * linkat, symlinkat, readlinkat, truncate64, fchmod, fchmodat, utimensat, faccessat(2),
 * chdir, fchdir, getcwd, umask, sync, syncfs, mount, umount2, statfs64, fstatfs64.
 *
 * The VFS resolves paths (symbolic links, "..", mount points); the kernel passes the path in a
 * staging slot with the directory it is relative to (the working directory, a directory
 * descriptor, or the root for an absolute path). A call that needs two answers (open a
 * terminal: the VFS, then the tty driver; fchmodat: resolve, then change) keeps the first in
 * `syscallState` across its re-runs.
 */

import { ACCESS_WRITE } from "../../machine/mmu.ts";
import { MAJOR, MEM_MINOR, minor } from "../../abi/tty.ts";
import { type Node, OPEN, RESOLVE, SET, VFS, type WireAttr } from "../../abi/vfs.ts";
import { MemFile, terminalOf, TtyFile } from "../chardev.ts";
import { EACCES, EINVAL, EISDIR, ENODEV, ENOTDIR, ENXIO, ERANGE, SyscallError } from "../errno.ts";
import {
  type FileStat,
  O_ACCMODE,
  O_APPEND,
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOCTTY,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_PATH,
  O_RDONLY,
  O_TRUNC,
  type OpenFile,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFMT,
  S_IFREG,
} from "../file.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import type { Process } from "../proc.ts";
import {
  AT_FDCWD,
  baseNode,
  nodeOf,
  PATH_MAX,
  readPath,
  stagePaths,
  statOf,
} from "../vfs_client.ts";
import { VfsFile } from "../vfs_file.ts";
import { BLOCKED } from "../wait.ts";
import type { SyscallArgs } from "./numbers.ts";

const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_SYMLINK_FOLLOW = 0x400;
const AT_EMPTY_PATH = 0x1000;
const RENAME_NOREPLACE = 1;
const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

/** What a multi-step call remembers from its first answer. */
interface Resolved {
  attr: WireAttr;
}

function remembered(p: Process): Resolved | undefined {
  return p.syscallState as Resolved | undefined;
}

/**
 * Resolves a path to its attributes (step one of several calls). `empty` lets an empty path
 * name `dirfd` itself (AT_EMPTY_PATH).
 */
function resolve(
  k: Kernel,
  p: Process,
  dirfd: number,
  pathPtr: number,
  flags: number,
): WireAttr | typeof BLOCKED {
  const done = remembered(p);
  if (done) return done.attr;
  const path = readPath(p, pathPtr, (flags & RESOLVE.EMPTY) !== 0);
  const r = k.vfs.call(
    p,
    VFS.resolve,
    (data) => ({ base: baseNode(p, dirfd), flags, data }),
    stagePaths(path),
  );
  if (r === BLOCKED) return BLOCKED;
  p.syscallState = { attr: r.value } satisfies Resolved;
  return r.value;
}

// ------------------------------------------------------------------ open

/** The VFS's open flags for open(2) flags. */
function vfsOpenFlags(flags: number): number {
  let v = 0;
  if (!(flags & O_NOFOLLOW)) v |= RESOLVE.FOLLOW;
  if (flags & O_DIRECTORY) v |= RESOLVE.DIRECTORY;
  if (flags & O_CREAT) v |= OPEN.CREATE;
  if (flags & O_EXCL) v |= OPEN.EXCLUSIVE;
  if (flags & O_TRUNC) v |= OPEN.TRUNCATE;
  if ((flags & O_ACCMODE) !== O_RDONLY || flags & O_TRUNC) v |= OPEN.WRITE;
  return v;
}

/** openat(dirfd, path, flags, mode). */
export function sysOpenat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, flags, mode] = a;
  if ((flags & O_ACCMODE) === O_ACCMODE) throw new SyscallError(EINVAL, "access mode 3");
  const path = readPath(p, pathPtr);
  let state = remembered(p);
  if (!state) {
    const attr = k.vfs.open(
      p,
      (data) => ({
        base: baseNode(p, dirfd),
        flags: vfsOpenFlags(flags),
        mode: mode & ~p.umask & 0o7777,
        data,
      }),
      stagePaths(path),
    );
    if (attr === BLOCKED) return BLOCKED;
    state = { attr };
    p.syscallState = state;
    const type = attr.mode & S_IFMT;
    if (type === S_IFCHR || type === S_IFBLK) k.vfs.closed(nodeOf(attr)); // not counted
  }
  const file = openNode(k, p, state.attr, flags, new TextDecoder().decode(path));
  if (file === BLOCKED) return BLOCKED;
  try {
    return p.fds.install(file, (flags & O_CLOEXEC) !== 0);
  } catch (e) {
    file.close(k);
    throw e;
  }
}

/** The open file description for a node the VFS opened. */
function openNode(
  k: Kernel,
  p: Process,
  attr: WireAttr,
  flags: number,
  path: string,
): OpenFile | typeof BLOCKED {
  const kept = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH);
  const type = attr.mode & S_IFMT;
  if (type === S_IFCHR && !(flags & O_PATH)) return openDevice(k, p, attr, kept, flags, path);
  if (type === S_IFBLK && !(flags & O_PATH)) {
    throw new SyscallError(ENXIO, "no block device access");
  }
  if (type !== S_IFREG && type !== S_IFDIR && !(flags & O_PATH)) {
    throw new SyscallError(ENXIO, "no such device");
  }
  return new VfsFile(k.vfs, nodeOf(attr), type, kept, path);
}

/** Opens a character device through the device switch. */
function openDevice(
  k: Kernel,
  p: Process,
  attr: WireAttr,
  flags: number,
  openFlags: number,
  path: string,
): OpenFile | typeof BLOCKED {
  const st = statOf(attr);
  const maj = attr.rdev >>> 8;
  if (maj === MAJOR.MEM) {
    const m = minor(attr.rdev);
    if (!Object.values(MEM_MINOR).includes(m as never)) throw new SyscallError(ENXIO);
    return new MemFile(m, flags, st);
  }
  if (maj === MAJOR.TTYS || maj === MAJOR.TTY) {
    const term = k.tty.open(p, terminalOf(attr.rdev), (openFlags & O_NOCTTY) !== 0);
    if (term === BLOCKED) return BLOCKED;
    return new TtyFile(k.tty, term, flags, st, path);
  }
  throw new SyscallError(ENXIO, `no driver for major ${maj}`);
}

// ------------------------------------------------------------------ stat

const STATX_SIZE = 256;
const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;

/** Encodes Linux's struct statx. */
function encodeStatx(st: FileStat): Uint8Array {
  const out = new Uint8Array(STATX_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, STATX_BASIC_STATS | (st.btimeNs !== 0n ? STATX_BTIME : 0), true); // stx_mask
  dv.setUint32(4, st.blksize, true);
  dv.setUint32(16, st.nlink, true);
  dv.setUint32(20, st.uid, true);
  dv.setUint32(24, st.gid, true);
  dv.setUint16(28, st.mode, true);
  dv.setBigUint64(32, BigInt(st.ino), true);
  dv.setBigUint64(40, BigInt(st.size), true);
  dv.setBigUint64(48, BigInt(st.blocks), true);
  const time = (at: number, ns: bigint) => {
    const sec = ns / 1_000_000_000n;
    dv.setBigInt64(at, sec, true);
    dv.setUint32(at + 8, Number(ns - sec * 1_000_000_000n), true);
  };
  time(0x40, st.atimeNs);
  time(0x50, st.btimeNs);
  time(0x60, st.ctimeNs);
  time(0x70, st.mtimeNs);
  dv.setUint32(0x80, st.rdev >>> 8, true); // stx_rdev_major
  dv.setUint32(0x84, st.rdev & 0xff, true);
  dv.setUint32(0x88, 0, true); // stx_dev_major: the mount, as minor of major 0
  dv.setUint32(0x8c, st.dev, true);
  return out;
}

/** statx(dirfd, path, flags, mask, buf). */
export function sysStatx(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, flags, _mask, buf] = a;
  p.as.checkAccess(buf, STATX_SIZE, ACCESS_WRITE);
  const path = readPath(p, pathPtr, (flags & AT_EMPTY_PATH) !== 0);
  let st: FileStat | typeof BLOCKED;
  if (path.length === 0) {
    st = dirfd === AT_FDCWD ? statNode(k, p, p.cwd.node) : p.fds.get(dirfd).stat(k, p);
  } else {
    const follow = flags & AT_SYMLINK_NOFOLLOW ? 0 : RESOLVE.FOLLOW;
    const attr = resolve(k, p, dirfd, pathPtr, follow);
    st = attr === BLOCKED ? BLOCKED : statOf(attr);
  }
  if (st === BLOCKED) return BLOCKED;
  p.as.copyOut(buf, encodeStatx(st));
  return 0;
}

function statNode(k: Kernel, p: Process, n: Node): FileStat | typeof BLOCKED {
  const r = k.vfs.call(p, VFS.getattr, () => n);
  return r === BLOCKED ? BLOCKED : statOf(r.value);
}

// ------------------------------------------------------------------ the namespace

/** mkdirat(dirfd, path, mode). */
export function sysMkdirat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, mode] = a;
  const path = readPath(p, pathPtr);
  const r = k.vfs.call(
    p,
    VFS.mkdir,
    (data) => ({ base: baseNode(p, dirfd), mode: mode & ~p.umask & 0o7777, data }),
    stagePaths(path),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** mknodat(dirfd, path, mode, dev): regular files and device nodes. */
export function sysMknodat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, mode, dev] = a;
  const type = mode & S_IFMT;
  if (type !== S_IFREG && type !== S_IFCHR && type !== S_IFBLK && type !== 0) {
    throw new SyscallError(EINVAL, "only regular files and device nodes");
  }
  const path = readPath(p, pathPtr);
  const r = k.vfs.call(
    p,
    VFS.mknod,
    (data) => ({
      base: baseNode(p, dirfd),
      mode: (type || S_IFREG) | (mode & ~p.umask & 0o7777),
      rdev: dev,
      data,
    }),
    stagePaths(path),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** unlinkat(dirfd, path, flags): AT_REMOVEDIR removes a directory. */
export function sysUnlinkat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, flags] = a;
  if (flags & ~AT_REMOVEDIR) throw new SyscallError(EINVAL);
  const path = readPath(p, pathPtr);
  const r = k.vfs.call(
    p,
    VFS.unlink,
    (data) => ({ base: baseNode(p, dirfd), dir: flags & AT_REMOVEDIR ? 1 : 0, data }),
    stagePaths(path),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** renameat2(olddirfd, oldpath, newdirfd, newpath, flags): RENAME_NOREPLACE supported. */
export function sysRenameat2(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [oldfd, oldPtr, newfd, newPtr, flags] = a;
  if (flags & ~RENAME_NOREPLACE) throw new SyscallError(EINVAL, "rename flags");
  const from = readPath(p, oldPtr);
  const to = readPath(p, newPtr);
  const r = k.vfs.call(
    p,
    VFS.rename,
    (data) => ({ base: baseNode(p, oldfd), to: baseNode(p, newfd), flags, data }),
    stagePaths(from, to),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** linkat(olddirfd, oldpath, newdirfd, newpath, flags). */
export function sysLinkat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [oldfd, oldPtr, newfd, newPtr, flags] = a;
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) throw new SyscallError(EINVAL);
  const from = readPath(p, oldPtr);
  const to = readPath(p, newPtr);
  const r = k.vfs.call(
    p,
    VFS.link,
    (data) => ({
      base: baseNode(p, oldfd),
      to: baseNode(p, newfd),
      flags: flags & AT_SYMLINK_FOLLOW ? RESOLVE.FOLLOW : 0,
      data,
    }),
    stagePaths(from, to),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** symlinkat(target, newdirfd, linkpath). */
export function sysSymlinkat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [targetPtr, dirfd, pathPtr] = a;
  const target = readPath(p, targetPtr);
  const path = readPath(p, pathPtr);
  const r = k.vfs.call(
    p,
    VFS.symlink,
    (data) => ({ base: baseNode(p, dirfd), data }),
    stagePaths(target, path),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** readlinkat(dirfd, path, buf, bufsiz): the target, not NUL-terminated, cut to bufsiz. */
export function sysReadlinkat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, buf, bufsiz] = a;
  if ((bufsiz | 0) <= 0) throw new SyscallError(EINVAL);
  const room = Math.min(bufsiz >>> 0, PATH_MAX);
  p.as.checkAccess(buf, room, ACCESS_WRITE);
  const path = readPath(p, pathPtr, true);
  const r = k.vfs.call(
    p,
    VFS.readlink,
    (data) => ({ base: baseNode(p, dirfd), flags: path.length === 0 ? RESOLVE.EMPTY : 0, data }),
    // The path, NUL-terminated, in a slot with room for the answer.
    { bytes: Math.max(room, path.length + 1), fill: (slot) => slot.set([...path, 0]) },
  );
  if (r === BLOCKED) return BLOCKED;
  const n = Math.min(r.value, room);
  p.as.copyOut(buf, r.slot.subarray(0, n));
  return n;
}

// ------------------------------------------------------------------ attributes

/** Changes attributes of a resolved node (the second step of the *at attribute calls). */
function setattr(
  k: Kernel,
  p: Process,
  node: Node,
  change: { set: number; mode?: number; size?: number; atimeNs?: bigint; mtimeNs?: bigint },
): SyscallResult {
  const r = k.vfs.call(p, VFS.setattr, () => ({
    node,
    set: change.set,
    mode: change.mode ?? 0,
    size: change.size ?? 0,
    atimeNs: change.atimeNs ?? 0n,
    mtimeNs: change.mtimeNs ?? 0n,
  }));
  return r === BLOCKED ? BLOCKED : 0;
}

/** truncate64(path, length_lo, length_hi). */
export function sysTruncate(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [pathPtr, lo, hi] = a;
  const size = hi * 2 ** 32 + (lo >>> 0);
  if (hi < 0 || !Number.isSafeInteger(size)) throw new SyscallError(EINVAL);
  const attr = resolve(k, p, AT_FDCWD, pathPtr, RESOLVE.FOLLOW);
  if (attr === BLOCKED) return BLOCKED;
  if ((attr.mode & S_IFMT) === S_IFDIR) throw new SyscallError(EISDIR);
  return setattr(k, p, nodeOf(attr), { set: SET.SIZE, size });
}

/** fchmod(fd, mode). */
export function sysFchmod(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, mode] = a;
  return setattr(k, p, p.fds.get(fd).node(), { set: SET.MODE, mode: mode & 0o7777 });
}

/** fchmodat(dirfd, path, mode). */
export function sysFchmodat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, mode] = a;
  const attr = resolve(k, p, dirfd, pathPtr, RESOLVE.FOLLOW);
  if (attr === BLOCKED) return BLOCKED;
  return setattr(k, p, nodeOf(attr), { set: SET.MODE, mode: mode & 0o7777 });
}

/** The SETATTR fields for a struct __kernel_timespec[2] (or NULL: both now). */
function timesChange(p: Process, ptr: number): { set: number; atimeNs: bigint; mtimeNs: bigint } {
  if (ptr === 0) return { set: SET.ATIME_NOW | SET.MTIME_NOW, atimeNs: 0n, mtimeNs: 0n };
  const dv = new DataView(p.as.copyIn(ptr, 32).buffer);
  let set = 0;
  const one = (at: number, given: number, now: number): bigint => {
    const sec = dv.getBigInt64(at, true);
    const nsec = Number(dv.getBigInt64(at + 8, true));
    if (nsec === UTIME_OMIT) return 0n;
    if (nsec === UTIME_NOW) {
      set |= now;
      return 0n;
    }
    if (nsec < 0 || nsec >= 1e9) throw new SyscallError(EINVAL, "tv_nsec");
    set |= given;
    return sec * 1_000_000_000n + BigInt(nsec);
  };
  const atimeNs = one(0, SET.ATIME, SET.ATIME_NOW);
  const mtimeNs = one(16, SET.MTIME, SET.MTIME_NOW);
  return { set, atimeNs, mtimeNs };
}

/** utimensat(dirfd, path, times, flags); a NULL path means dirfd itself (futimens). */
export function sysUtimensat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [dirfd, pathPtr, timesPtr, flags] = a;
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) throw new SyscallError(EINVAL);
  const change = timesChange(p, timesPtr);
  if (change.set === 0) return 0;
  let node: Node;
  if (pathPtr === 0) {
    node = p.fds.get(dirfd).node();
  } else {
    const follow = flags & AT_SYMLINK_NOFOLLOW ? 0 : RESOLVE.FOLLOW;
    const empty = flags & AT_EMPTY_PATH ? RESOLVE.EMPTY : 0;
    const attr = resolve(k, p, dirfd, pathPtr, follow | empty);
    if (attr === BLOCKED) return BLOCKED;
    node = nodeOf(attr);
  }
  return setattr(k, p, node, change);
}

const X_OK = 1;

/** Whether `path` may be accessed as `mode` says; everyone is root, so only X_OK can fail. */
function access(
  k: Kernel,
  p: Process,
  dirfd: number,
  pathPtr: number,
  mode: number,
  flags: number,
): SyscallResult {
  if (mode & ~7 || flags & ~AT_SYMLINK_NOFOLLOW) throw new SyscallError(EINVAL);
  const follow = flags & AT_SYMLINK_NOFOLLOW ? 0 : RESOLVE.FOLLOW;
  const attr = resolve(k, p, dirfd, pathPtr, follow);
  if (attr === BLOCKED) return BLOCKED;
  const isDir = (attr.mode & S_IFMT) === S_IFDIR;
  if (mode & X_OK && !isDir && (attr.mode & 0o111) === 0) throw new SyscallError(EACCES);
  return 0;
}

/** faccessat(dirfd, path, mode). */
export function sysFaccessat(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  return access(k, p, a[0], a[1], a[2], 0);
}

/** faccessat2(dirfd, path, mode, flags). */
export function sysFaccessat2(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  return access(k, p, a[0], a[1], a[2], a[3]);
}

// ------------------------------------------------------------------ working directory

/** getcwd(buf, size). */
export function sysGetcwd(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [buf, size] = a;
  const bytes = new TextEncoder().encode(p.cwd.path + "\0");
  if (bytes.length > (size >>> 0)) throw new SyscallError(ERANGE);
  p.as.copyOut(buf, bytes);
  return bytes.length;
}

/** Makes the directory `path` (relative to `base`; empty: `base`) the working directory. */
function changeDirectory(k: Kernel, p: Process, base: Node, path: Uint8Array): SyscallResult {
  const stage = stagePaths(path);
  const r = k.vfs.call(
    p,
    VFS.realpath,
    (data) => ({
      base,
      flags: RESOLVE.FOLLOW | RESOLVE.DIRECTORY | (path.length === 0 ? RESOLVE.EMPTY : 0),
      pathBytes: path.length,
      data,
    }),
    { bytes: PATH_MAX, fill: stage.fill },
  );
  if (r === BLOCKED) return BLOCKED;
  const { attr, length } = r.value;
  if ((attr.mode & S_IFMT) !== S_IFDIR) throw new SyscallError(ENOTDIR);
  if (length === 0 || length > PATH_MAX) throw new SyscallError(ERANGE);
  p.cwd = { node: nodeOf(attr), path: new TextDecoder().decode(r.slot.subarray(0, length)) };
  return 0;
}

export function sysChdir(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  return changeDirectory(k, p, p.cwd.node, readPath(p, a[0]));
}

export function sysFchdir(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  return changeDirectory(k, p, p.fds.get(a[0]).node(), new Uint8Array(0));
}

/** umask(mask): the old mask. */
export function sysUmask(_k: Kernel, p: Process, a: SyscallArgs): number {
  const old = p.umask;
  p.umask = a[0] & 0o777;
  return old;
}

// ------------------------------------------------------------------ file systems

export function sysSync(k: Kernel, p: Process): SyscallResult {
  const r = k.vfs.call(p, VFS.sync, () => undefined);
  return r === BLOCKED ? BLOCKED : 0;
}

/** syncfs(fd): everything, as sync (the VFS writes back every file system). */
export function sysSyncfs(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  p.fds.get(a[0]);
  return sysSync(k, p);
}

/** mount(source, target, fstype, flags, data): flags MS_RDONLY (1) honoured, data ignored. */
export function sysMount(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [sourcePtr, targetPtr, typePtr, flags] = a;
  const target = readPath(p, targetPtr);
  const type = typePtr === 0 ? new Uint8Array(0) : readPath(p, typePtr, true);
  const source = sourcePtr === 0 ? new Uint8Array(0) : readPath(p, sourcePtr, true);
  if (type.length === 0) throw new SyscallError(ENODEV, "no file-system type");
  const r = k.vfs.call(
    p,
    VFS.mount,
    (data) => ({ base: p.cwd.node, flags: flags & 1, data }),
    stagePaths(target, type, source),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** umount2(target, flags). */
export function sysUmount2(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [targetPtr, flags] = a;
  const target = readPath(p, targetPtr);
  const r = k.vfs.call(
    p,
    VFS.umount,
    (data) => ({ base: p.cwd.node, flags, data }),
    stagePaths(target),
  );
  return r === BLOCKED ? BLOCKED : 0;
}

/** Bytes of struct statfs64 that the kernel fills (its size on rv32 is 88, with padding). */
const STATFS64_BYTES = 84;

function statfsOf(k: Kernel, p: Process, node: Node, buf: number, size: number): SyscallResult {
  if (size !== STATFS64_BYTES && size !== STATFS64_BYTES + 4) {
    throw new SyscallError(EINVAL, "statfs64 size");
  }
  p.as.checkAccess(buf, size, ACCESS_WRITE);
  const r = k.vfs.call(p, VFS.statfs, () => node);
  if (r === BLOCKED) return BLOCKED;
  const s = r.value;
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, s.magic, true);
  dv.setUint32(4, s.blockSize, true);
  dv.setBigUint64(8, BigInt(s.blocks), true);
  dv.setBigUint64(16, BigInt(s.blocksFree), true);
  dv.setBigUint64(24, BigInt(s.blocksAvailable), true);
  dv.setBigUint64(32, BigInt(s.inodes), true);
  dv.setBigUint64(40, BigInt(s.inodesFree), true);
  dv.setUint32(48, s.mount, true); // f_fsid
  dv.setUint32(56, s.nameMax, true);
  dv.setUint32(60, s.blockSize, true); // f_frsize
  p.as.copyOut(buf, out);
  return 0;
}

/** statfs64(path, size, buf). */
export function sysStatfs(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [pathPtr, size, buf] = a;
  const attr = resolve(k, p, AT_FDCWD, pathPtr, RESOLVE.FOLLOW);
  if (attr === BLOCKED) return BLOCKED;
  return statfsOf(k, p, nodeOf(attr), buf, size);
}

/** fstatfs64(fd, size, buf). */
export function sysFstatfs(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, size, buf] = a;
  return statfsOf(k, p, p.fds.get(fd).node(), buf, size);
}
