/**
 * File calls: read, write, readv, writev, openat, close, llseek, statx, ioctl, getcwd, chdir,
 * dup, dup3, pipe2, fcntl64.
 *
 * Descriptors refer to the console, read-only host files, and pipes. Buffers are checked
 * against the address space before any data moves, so a bad pointer fails with EFAULT and
 * consumes nothing. A read or write that cannot proceed sleeps and is re-run when woken; a
 * write keeps the bytes it has already written in `syscallProgress`.
 */

import { ACCESS_WRITE } from "../../machine/mmu.ts";
import { EBADF, EINVAL, ENOTDIR, ENOTTY, EPIPE, ERANGE, EROFS, SyscallError } from "../errno.ts";
import type { FileStat } from "../file.ts";
import { HostDirectory, openHost, PATH_MAX, statHost } from "../hostfs.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import { Pipe, PipeEnd } from "../pipe.ts";
import type { Process } from "../proc.ts";
import { sendSignal } from "../signal_delivery.ts";
import { SI_USER, SIGPIPE } from "../signals.ts";
import type { SyscallArgs } from "./numbers.ts";

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_NONBLOCK = 0o4000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
/** Largest single read or write moved per call (a short count is returned beyond it). */
const IO_CHUNK_MAX = 1024 * 1024;
/** Most iovec entries in readv/writev. */
const IOV_MAX = 1024;

export function sysRead(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, buf, count] = a;
  const file = p.fds.get(fd);
  const n = Math.min(count >>> 0, IO_CHUNK_MAX);
  p.as.checkAccess(buf, n, ACCESS_WRITE);
  const tmp = new Uint8Array(n);
  const got = file.read(tmp);
  if (typeof got !== "number") return k.block(p, "BLOCKED", [got]);
  p.as.copyOut(buf, tmp.subarray(0, got));
  return got;
}

/** Writes `data` to `fd`, continuing from `p.syscallProgress`; sleeps while it cannot. */
function writeAll(k: Kernel, p: Process, fd: number, data: Uint8Array): SyscallResult {
  const file = p.fds.get(fd);
  let done = p.syscallProgress;
  while (done < data.length) {
    let r;
    try {
      r = file.write(data.subarray(done));
    } catch (e) {
      if (!(e instanceof SyscallError && e.errno === EPIPE)) throw e;
      sendSignal(k, p.group, p, SIGPIPE, { signo: SIGPIPE, code: SI_USER, pid: p.pid });
      if (done > 0) return done;
      throw e;
    }
    if (typeof r !== "number") {
      p.syscallProgress = done;
      return k.block(p, "BLOCKED", [r]);
    }
    done += r;
  }
  return done;
}

export function sysWrite(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, buf, count] = a;
  p.fds.get(fd);
  return writeAll(k, p, fd, p.as.copyIn(buf, Math.min(count >>> 0, IO_CHUNK_MAX)));
}

/** The (base, length) pairs of an iovec array. */
function readIovecs(p: Process, iov: number, count: number): Array<[number, number]> {
  if (count < 0 || count > IOV_MAX) throw new SyscallError(EINVAL);
  const raw = p.as.copyIn(iov, count * 8);
  const dv = new DataView(raw.buffer);
  const out: Array<[number, number]> = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    const len = dv.getUint32(n * 8 + 4, true);
    total += len;
    if (total > IO_CHUNK_MAX) break;
    out.push([dv.getUint32(n * 8, true), len]);
  }
  return out;
}

export function sysReadv(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, iov, count] = a;
  const file = p.fds.get(fd);
  const vecs = readIovecs(p, iov, count);
  for (const [base, len] of vecs) p.as.checkAccess(base, len, ACCESS_WRITE);
  const tmp = new Uint8Array(vecs.reduce((n, [, len]) => n + len, 0));
  const got = file.read(tmp);
  if (typeof got !== "number") return k.block(p, "BLOCKED", [got]);
  let at = 0;
  for (const [base, len] of vecs) {
    if (at >= got) break;
    const n = Math.min(len, got - at);
    p.as.copyOut(base, tmp.subarray(at, at + n));
    at += n;
  }
  return got;
}

export function sysWritev(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, iov, count] = a;
  p.fds.get(fd);
  const parts = readIovecs(p, iov, count).map(([base, len]) => p.as.copyIn(base, len));
  const data = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    data.set(b, at);
    at += b.length;
  }
  return writeAll(k, p, fd, data);
}

export function sysOpenat(k: Kernel, p: Process, a: SyscallArgs): number {
  const [dirfd, pathPtr, flags] = a;
  const path = p.as.readString(pathPtr, PATH_MAX);
  if ((flags & O_ACCMODE) !== 0 || flags & (O_CREAT | O_TRUNC)) {
    throw new SyscallError(EROFS, "host files are read-only");
  }
  const base = baseDir(p, dirfd, path);
  const hostPath = k.hostFs.resolve(base, path);
  const file = openHost(hostPath, resolveView(base, path));
  if (flags & O_DIRECTORY && !(file instanceof HostDirectory)) {
    file.close();
    throw new SyscallError(ENOTDIR);
  }
  try {
    return p.fds.install(file, (flags & O_CLOEXEC) !== 0);
  } catch (e) {
    file.close();
    throw e;
  }
}

export function sysClose(_k: Kernel, p: Process, a: SyscallArgs): number {
  p.fds.close(a[0]);
  return 0;
}

export function sysLlseek(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [fd, high, low, resultPtr, whence] = a;
  const file = p.fds.get(fd);
  const offset = high * 2 ** 32 + (low >>> 0);
  p.as.checkAccess(resultPtr, 8, ACCESS_WRITE);
  const pos = file.seek(offset, whence);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(pos), true);
  p.as.copyOut(resultPtr, out);
  return 0;
}

export function sysStatx(k: Kernel, p: Process, a: SyscallArgs): number {
  const [dirfd, pathPtr, flags, _mask, buf] = a;
  const path = p.as.readString(pathPtr, PATH_MAX);
  p.as.checkAccess(buf, STATX_SIZE, ACCESS_WRITE);
  let st: FileStat;
  if (path === "" && flags & AT_EMPTY_PATH) {
    st = p.fds.get(dirfd).stat();
  } else {
    st = statHost(k.hostFs.resolve(baseDir(p, dirfd, path), path));
  }
  p.as.copyOut(buf, encodeStatx(st));
  return 0;
}

export function sysIoctl(_k: Kernel, p: Process, a: SyscallArgs): number {
  p.fds.get(a[0]);
  throw new SyscallError(ENOTTY);
}

export function sysGetcwd(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [buf, size] = a;
  const bytes = new TextEncoder().encode(p.cwd + "\0");
  if (bytes.length > (size >>> 0)) throw new SyscallError(ERANGE);
  p.as.copyOut(buf, bytes);
  return bytes.length;
}

export function sysChdir(k: Kernel, p: Process, a: SyscallArgs): number {
  const path = p.as.readString(a[0], PATH_MAX);
  const view = resolveView(p.cwd, path);
  const st = statHost(k.hostFs.resolve(p.cwd, path));
  if ((st.mode & 0o170000) !== 0o040000) throw new SyscallError(ENOTDIR);
  p.cwd = normalize(view);
  return 0;
}

export function sysDup(_k: Kernel, p: Process, a: SyscallArgs): number {
  return p.fds.dup(a[0]);
}

export function sysDup3(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [oldfd, newfd, flags] = a;
  if (oldfd === newfd || flags & ~O_CLOEXEC) throw new SyscallError(EINVAL);
  return p.fds.dupTo(oldfd, newfd, (flags & O_CLOEXEC) !== 0);
}

export function sysPipe2(k: Kernel, p: Process, a: SyscallArgs): number {
  const [fdsPtr, flags] = a;
  if (flags & ~(O_CLOEXEC | O_NONBLOCK)) throw new SyscallError(EINVAL);
  p.as.checkAccess(fdsPtr, 8, ACCESS_WRITE);
  const pipe = new Pipe((q) => k.wake(q));
  const nonblocking = (flags & O_NONBLOCK) !== 0;
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const readEnd = new PipeEnd(pipe, "read", nonblocking);
  const writeEnd = new PipeEnd(pipe, "write", nonblocking);
  let r = -1;
  try {
    r = p.fds.install(readEnd, cloexec);
    const w = p.fds.install(writeEnd, cloexec);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setInt32(0, r, true);
    new DataView(out.buffer).setInt32(4, w, true);
    p.as.copyOut(fdsPtr, out);
    return 0;
  } catch (e) {
    if (r >= 0) p.fds.close(r);
    else readEnd.close();
    writeEnd.close();
    throw e;
  }
}

const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_DUPFD_CLOEXEC = 1030;
const FD_CLOEXEC = 1;

export function sysFcntl(_k: Kernel, p: Process, a: SyscallArgs): number {
  const [fd, cmd, arg] = a;
  const file = p.fds.get(fd);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      return p.fds.dup(fd, cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return p.fds.cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      p.fds.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      if (file instanceof PipeEnd) {
        return (file.end === "read" ? 0 : 1) | (file.nonblocking ? O_NONBLOCK : 0);
      }
      return 2;
    case F_SETFL:
      if (file instanceof PipeEnd) file.nonblocking = (arg & O_NONBLOCK) !== 0;
      return 0;
    default:
      throw new SyscallError(EINVAL);
  }
}

/** The directory a path is relative to: the cwd, or a directory descriptor. */
function baseDir(p: Process, dirfd: number, path: string): string {
  if (path.startsWith("/") || dirfd === AT_FDCWD) return p.cwd;
  const file = p.fds.get(dirfd);
  if (!(file instanceof HostDirectory)) throw new SyscallError(dirfd < 0 ? EBADF : ENOTDIR);
  return file.viewPath;
}

function resolveView(base: string, path: string): string {
  if (path.startsWith("/")) return path;
  return base.endsWith("/") ? base + path : `${base}/${path}`;
}

/** Removes "." and ".." components lexically. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

const STATX_SIZE = 256;
const STATX_BASIC_STATS = 0x7ff;
const STATX_BTIME = 0x800;

/** Encodes Linux's struct statx. */
function encodeStatx(st: FileStat): Uint8Array {
  const out = new Uint8Array(STATX_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, STATX_BASIC_STATS | STATX_BTIME, true); // stx_mask
  dv.setUint32(4, st.blockSizeBytes, true);
  dv.setUint32(16, st.nlink, true);
  dv.setUint16(28, st.mode, true);
  dv.setBigUint64(32, BigInt(st.ino), true);
  dv.setBigUint64(40, BigInt(st.sizeBytes), true);
  dv.setBigUint64(48, BigInt(Math.ceil(st.sizeBytes / 512)), true);
  const time = (at: number, ms: number) => {
    dv.setBigInt64(at, BigInt(Math.floor(ms / 1000)), true);
    dv.setUint32(at + 8, Math.floor((ms % 1000) * 1e6), true);
  };
  time(0x40, st.atimeMs);
  time(0x50, st.birthtimeMs);
  time(0x60, st.ctimeMs);
  time(0x70, st.mtimeMs);
  return out;
}
