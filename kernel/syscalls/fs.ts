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
import { EBADF, EFAULT, EINVAL, EISDIR, EPIPE, ESPIPE, SyscallError } from "../errno.ts";
import { O_CLOEXEC, O_NONBLOCK, O_SETFL_MASK, type OpenFile } from "../file.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import { Pipe, PipeEnd } from "../pipe.ts";
import type { Process } from "../proc.ts";
import { sendSignal } from "../signal_delivery.ts";
import { SI_USER, SIGPIPE } from "../signals.ts";
import { IO_CHUNK_MAX, VfsFile } from "../vfs_file.ts";
import { BLOCKED } from "../wait.ts";
import type { SyscallArgs } from "./numbers.ts";

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

export function sysClose(_k: Kernel, p: Process, a: SyscallArgs): number {
  p.fds.close(a[0]);
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
      return file.flags & ~O_CLOEXEC;
    case F_SETFL:
      file.flags = (file.flags & ~O_SETFL_MASK) | (arg & O_SETFL_MASK);
      return 0;
    default:
      throw new SyscallError(EINVAL, `fcntl command ${cmd}`);
  }
}
