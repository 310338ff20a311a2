/**
 * Descriptor calls: read, write, readv, writev, pread64, pwrite64, llseek, close, dup, dup3,
 * pipe2, fcntl64, ioctl, getdents64, ftruncate64, fsync, fdatasync.
 *
 * Each works on an open file description (kernel/file.ts), which moves data between the
 * user's memory and wherever it lives (a pipe, the VFS's cache, the tty driver) and may sleep:
 * a call that cannot finish returns BLOCKED and runs again when woken, keeping what it has
 * done in `syscallProgress`. The calls that name files by path are in path.ts.
 */

import { ACCESS_WRITE } from "../../machine/mmu.ts";
import {
  EAGAIN,
  EBADF,
  EFAULT,
  EINVAL,
  EISDIR,
  EOVERFLOW,
  EPIPE,
  ESPIPE,
  SyscallError,
} from "../errno.ts";
import { F_RDLCK, F_UNLCK, F_WRLCK } from "../locks.ts";
import { O_CLOEXEC, O_NONBLOCK, O_SETFL_MASK, type OpenFile } from "../file.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import { Pipe, PipeEnd } from "../pipe.ts";
import type { Process } from "../proc.ts";
import { sendSignal } from "../signal_delivery.ts";
import { SI_USER, SIGPIPE } from "../signals.ts";
import { IO_CHUNK_MAX, VfsFile } from "../vfs_file.ts";
import { BLOCKED } from "../wait.ts";
import type { SyscallArgs } from "./numbers.ts";

/** The key of a file's record locks: its VFS node. */
function lockKey(file: VfsFile): string {
  return `${file.vnode.mount}:${file.vnode.ino}`;
}

/** struct flock (32-bit offsets) and struct flock64, as rv32 lays them out. */
const FLOCK = { bytes: 16, start: 4, len: 8, pid: 12 } as const;
const FLOCK64 = { bytes: 32, start: 8, len: 16, pid: 24 } as const;

/** F_GETLK, F_SETLK, F_SETLKW (and their 64-bit forms) on `file`. */
function recordLock(
  k: Kernel,
  p: Process,
  file: OpenFile,
  cmd: number,
  ptr: number,
): SyscallResult {
  if (!(file instanceof VfsFile) || file.isDirectory) throw new SyscallError(EINVAL);
  const wide = cmd >= F_GETLK64;
  const layout = wide ? FLOCK64 : FLOCK;
  const raw = p.as.copyIn(ptr, layout.bytes);
  const dv = new DataView(raw.buffer);
  const type = dv.getInt16(0, true);
  const whence = dv.getInt16(2, true);
  const start = wide ? Number(dv.getBigInt64(layout.start, true)) : dv.getInt32(layout.start, true);
  const len = wide ? Number(dv.getBigInt64(layout.len, true)) : dv.getInt32(layout.len, true);
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) throw new SyscallError(EINVAL);
  const setting = cmd !== F_GETLK && cmd !== F_GETLK64;
  if (setting && type === F_RDLCK && !file.readable) throw new SyscallError(EBADF);
  if (setting && type === F_WRLCK && !file.writable) throw new SyscallError(EBADF);
  let base: number;
  if (whence === 0) base = 0;
  else if (whence === 1) base = file.offset;
  else if (whence === 2) {
    const st = file.stat(k, p);
    if (st === BLOCKED) return BLOCKED;
    base = st.size;
  } else throw new SyscallError(EINVAL, `l_whence ${whence}`);
  let from = base + start;
  let to = len === 0 ? Infinity : from + len;
  if (len < 0) [from, to] = [from + len, from];
  if (from < 0) throw new SyscallError(EINVAL, "lock before the start of the file");
  const key = lockKey(file);
  const want = { owner: p.group, type, start: from, end: to };
  if (!setting) {
    const blocker = k.locks.conflict(key, want);
    if (!blocker) dv.setInt16(0, F_UNLCK, true);
    else {
      dv.setInt16(0, blocker.type, true);
      dv.setInt16(2, 0, true);
      const l = blocker.end === Infinity ? 0 : blocker.end - blocker.start;
      if (wide) {
        dv.setBigInt64(layout.start, BigInt(blocker.start), true);
        dv.setBigInt64(layout.len, BigInt(l), true);
      } else {
        if (blocker.start > 0x7fff_ffff || l > 0x7fff_ffff) throw new SyscallError(EOVERFLOW);
        dv.setInt32(layout.start, blocker.start, true);
        dv.setInt32(layout.len, l, true);
      }
      dv.setInt32(layout.pid, blocker.owner.tgid, true);
    }
    p.as.copyOut(ptr, raw);
    return 0;
  }
  k.locks.doneWaiting(p.group);
  const blocker = k.locks.set(key, want);
  if (!blocker) {
    const q = k.locks.waiters(key);
    if (q) k.wake(q);
    return 0;
  }
  if (cmd === F_SETLK || cmd === F_SETLK64) throw new SyscallError(EAGAIN);
  return k.block(p, "BLOCKED", [k.locks.waitOn(key, p.group, blocker.owner)]);
}

/** Most iovec entries in readv/writev. */
const IOV_MAX = 1024;

function readable(p: Process, fd: number): OpenFile {
  const file = p.fds.get(fd);
  if (!file.readable) throw new SyscallError(EBADF);
  return file;
}

function writable(p: Process, fd: number): OpenFile {
  const file = p.fds.get(fd);
  if (!file.writable) throw new SyscallError(EBADF);
  return file;
}

/** A write that met a pipe with no reader: SIGPIPE, and EPIPE unless something was written. */
function brokenPipe(k: Kernel, p: Process, e: unknown): number {
  if (!(e instanceof SyscallError && e.errno === EPIPE)) throw e;
  sendSignal(k, p.group, p, SIGPIPE, { signo: SIGPIPE, code: SI_USER, pid: p.pid });
  if (p.syscallProgress > 0) return p.syscallProgress;
  throw e;
}

export function sysRead(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, buf, count] = a;
  return readable(p, fd).read(k, p, buf, Math.min(count >>> 0, IO_CHUNK_MAX));
}

export function sysWrite(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, buf, count] = a;
  const file = writable(p, fd);
  try {
    return file.write(k, p, buf, Math.min(count >>> 0, IO_CHUNK_MAX));
  } catch (e) {
    return brokenPipe(k, p, e);
  }
}

/** A 64-bit offset passed as two registers (low, high). */
function offset64(low: number, high: number): number {
  const v = high * 2 ** 32 + (low >>> 0);
  if (high < 0 || !Number.isSafeInteger(v)) throw new SyscallError(EINVAL, "offset");
  return v;
}

/** pread64(fd, buf, count, offset_lo, offset_hi): reads at an offset, which stays put. */
export function sysPread(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, buf, count, lo, hi] = a;
  const file = readable(p, fd);
  if (!(file instanceof VfsFile)) throw new SyscallError(ESPIPE);
  return file.read(k, p, buf, Math.min(count >>> 0, IO_CHUNK_MAX), offset64(lo, hi));
}

/** pwrite64(fd, buf, count, offset_lo, offset_hi). */
export function sysPwrite(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, buf, count, lo, hi] = a;
  const file = writable(p, fd);
  if (!(file instanceof VfsFile)) throw new SyscallError(ESPIPE);
  return file.write(k, p, buf, Math.min(count >>> 0, IO_CHUNK_MAX), offset64(lo, hi));
}

/** The (base, length) pairs of an iovec array, cut at IO_CHUNK_MAX bytes in all. */
function readIovecs(p: Process, iov: number, count: number): Array<[number, number]> {
  if (count < 0 || count > IOV_MAX) throw new SyscallError(EINVAL);
  const raw = p.as.copyIn(iov, count * 8);
  const dv = new DataView(raw.buffer);
  const out: Array<[number, number]> = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    const len = Math.min(dv.getUint32(n * 8 + 4, true), IO_CHUNK_MAX - total);
    if (len < 0) throw new SyscallError(EINVAL);
    out.push([dv.getUint32(n * 8, true), len]);
    total += len;
    if (total >= IO_CHUNK_MAX) break;
  }
  return out;
}

/** Where a vectored call stands between its runs. */
interface Vectored {
  index: number;
  total: number;
}

/**
 * Runs `op` over the vectors in order, one at a time (each keeps its own progress in
 * syscallProgress while it sleeps); stops at a short transfer, or, with `firstOnly`, after the
 * first vector that moved anything (a pipe or terminal returns what it has).
 */
function vectored(
  p: Process,
  vecs: Array<[number, number]>,
  firstOnly: boolean,
  op: (base: number, len: number) => SyscallResult,
): SyscallResult {
  const state = (p.syscallState as Vectored | undefined) ?? { index: 0, total: 0 };
  p.syscallState = state;
  while (state.index < vecs.length) {
    const [base, len] = vecs[state.index];
    if (len === 0) {
      state.index++;
      continue;
    }
    const r = op(base, len);
    if (r === BLOCKED) return BLOCKED;
    p.syscallProgress = 0;
    state.total += r;
    state.index++;
    if (r < len || firstOnly) break;
  }
  return state.total;
}

export function sysReadv(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, iov, count] = a;
  const file = readable(p, fd);
  const vecs = readIovecs(p, iov, count);
  for (const [base, len] of vecs) p.as.checkAccess(base, len, ACCESS_WRITE);
  const firstOnly = !(file instanceof VfsFile);
  return vectored(p, vecs, firstOnly, (base, len) => file.read(k, p, base, len));
}

export function sysWritev(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, iov, count] = a;
  const file = writable(p, fd);
  const vecs = readIovecs(p, iov, count);
  try {
    return vectored(p, vecs, false, (base, len) => file.write(k, p, base, len));
  } catch (e) {
    const done = (p.syscallState as Vectored | undefined)?.total ?? 0;
    if (done > 0 && e instanceof SyscallError && e.errno === EFAULT) return done;
    p.syscallProgress = done;
    return brokenPipe(k, p, e);
  }
}

/** close(fd): the process's record locks on the file go with any descriptor of it. */
export function sysClose(k: Kernel, p: Process, a: SyscallArgs): number {
  const file = p.fds.get(a[0]);
  p.fds.close(a[0]);
  if (file instanceof VfsFile) {
    const q = k.locks.releaseFile(p.group, lockKey(file));
    if (q) k.wake(q);
  }
  return 0;
}

/** _llseek(fd, offset_hi, offset_lo, loff_t *result, whence). */
export function sysLlseek(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, high, low, resultPtr, whence] = a;
  const file = p.fds.get(fd);
  const offset = high * 2 ** 32 + (low >>> 0);
  p.as.checkAccess(resultPtr, 8, ACCESS_WRITE);
  const pos = file.seek(k, p, offset, whence);
  if (pos === BLOCKED) return BLOCKED;
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(pos), true);
  p.as.copyOut(resultPtr, out);
  return 0;
}

export function sysIoctl(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, cmd, arg] = a;
  return p.fds.get(fd).ioctl(k, p, cmd, arg);
}

/** getdents64(fd, buf, count). */
export function sysGetdents64(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, buf, count] = a;
  return p.fds.get(fd).getdents(k, p, buf, count);
}

/** ftruncate64(fd, length_lo, length_hi). */
export function sysFtruncate(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, lo, hi] = a;
  const file = p.fds.get(fd);
  if (!file.writable) throw new SyscallError(file.readable ? EINVAL : EBADF);
  if (file instanceof VfsFile && file.isDirectory) throw new SyscallError(EISDIR);
  return file.truncate(k, p, offset64(lo, hi));
}

export function sysFsync(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  return p.fds.get(a[0]).fsync(k, p, false);
}

export function sysFdatasync(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  return p.fds.get(a[0]).fsync(k, p, true);
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
  const pipe = new Pipe((q, sync) => k.wake(q, Infinity, sync));
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
const F_GETLK = 5;
const F_SETLK = 6;
const F_SETLKW = 7;
const F_GETLK64 = 12;
const F_SETLK64 = 13;
const F_SETLKW64 = 14;
const F_DUPFD_CLOEXEC = 1030;
const FD_CLOEXEC = 1;

export function sysFcntl(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [fd, cmd, arg] = a;
  const file = p.fds.get(fd);
  switch (cmd) {
    case F_GETLK:
    case F_SETLK:
    case F_SETLKW:
    case F_GETLK64:
    case F_SETLK64:
    case F_SETLKW64:
      return recordLock(k, p, file, cmd, arg);
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      return p.fds.dup(fd, cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD:
      return p.fds.cloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      p.fds.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL:
      return file.flags & ~O_CLOEXEC;
    case F_SETFL:
      file.flags = (file.flags & ~O_SETFL_MASK) | (arg & O_SETFL_MASK);
      return 0;
    default:
      throw new SyscallError(EINVAL, `fcntl command ${cmd}`);
  }
}
