/**
 * File system calls: read, write, openat, close, llseek, statx, ioctl, getcwd.
 *
 * Files are what the process's descriptors refer to: the console, and host files opened
 * read-only through HostFs. Buffers are checked against the address space before any data
 * moves, so a bad pointer fails with EFAULT and consumes nothing.
 */

import { EBADF, ENOTDIR, ENOTTY, ERANGE, EROFS, SyscallError } from "../errno.ts";
import type { FileStat } from "../file.ts";
import { HostDirectory, openHost, PATH_MAX, statHost } from "../hostfs.ts";
import type { Process } from "../proc.ts";
import type { KernelServices, SyscallArgs } from "./types.ts";
import { ACCESS_WRITE } from "../../machine/mmu.ts";

const AT_FDCWD = -100;
const AT_EMPTY_PATH = 0x1000;
const O_ACCMODE = 3;
const O_CREAT = 0o100;
const O_TRUNC = 0o1000;
const O_DIRECTORY = 0o200000;
const O_CLOEXEC = 0o2000000;
/** Largest single read or write moved per call (a short count is returned beyond it). */
const IO_CHUNK_MAX = 1024 * 1024;

export async function sysRead(_k: KernelServices, p: Process, a: SyscallArgs): Promise<number> {
  const [fd, buf, count] = a;
  const file = p.fds.get(fd);
  const n = Math.min(count >>> 0, IO_CHUNK_MAX);
  p.as.checkAccess(buf, n, ACCESS_WRITE);
  const tmp = new Uint8Array(n);
  const got = await file.read(tmp);
  p.as.copyOut(buf, tmp.subarray(0, got));
  return got;
}

export async function sysWrite(_k: KernelServices, p: Process, a: SyscallArgs): Promise<number> {
  const [fd, buf, count] = a;
  const file = p.fds.get(fd);
  const n = Math.min(count >>> 0, IO_CHUNK_MAX);
  return await file.write(p.as.copyIn(buf, n));
}

export function sysOpenat(k: KernelServices, p: Process, a: SyscallArgs): number {
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

export function sysClose(_k: KernelServices, p: Process, a: SyscallArgs): number {
  p.fds.close(a[0]);
  return 0;
}

export function sysLlseek(_k: KernelServices, p: Process, a: SyscallArgs): number {
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

export function sysStatx(k: KernelServices, p: Process, a: SyscallArgs): number {
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

export function sysIoctl(_k: KernelServices, p: Process, a: SyscallArgs): number {
  p.fds.get(a[0]);
  throw new SyscallError(ENOTTY);
}

export function sysGetcwd(_k: KernelServices, p: Process, a: SyscallArgs): number {
  const [buf, size] = a;
  const bytes = new TextEncoder().encode(p.cwd + "\0");
  if (bytes.length > (size >>> 0)) throw new SyscallError(ERANGE);
  p.as.copyOut(buf, bytes);
  return bytes.length;
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
