/**
 * Host files seen read-only by user programs, resolved as qemu-user resolves them: relative
 * to the process's working directory, on the host. With a root directory the process is
 * confined to it: "/" is the root, ".." stops there, and a symbolic link that leads outside
 * is refused, so nothing outside the root can be named.
 */

import * as posix from "node:path/posix";
import {
  EACCES,
  EBADF,
  EINVAL,
  EIO,
  EISDIR,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  SyscallError,
} from "./errno.ts";
import { type FileStat, type OpenFile, S_IFDIR, S_IFREG } from "./file.ts";

/** Longest path accepted from a program, in bytes (PATH_MAX). */
export const PATH_MAX = 4096;

/** Maps a process's paths to host paths. */
export class HostFs {
  private readonly realRoot: string | undefined;

  /**
   * @param root confine every path to this host directory (undefined: the whole host)
   */
  constructor(readonly root: string | undefined) {
    this.realRoot = root === undefined ? undefined : Deno.realPathSync(root);
  }

  /** The working directory a new process starts in: "/" when confined, else the host's. */
  initialCwd(): string {
    return this.realRoot === undefined ? Deno.cwd() : "/";
  }

  /** Resolves `path` (relative to `cwd`, both in the process's view) to a host path. */
  resolve(cwd: string, path: string): string {
    if (path.length > PATH_MAX) throw new SyscallError(ENAMETOOLONG);
    if (path === "") throw new SyscallError(ENOENT);
    const view = posix.resolve(cwd, path);
    if (this.realRoot === undefined) return view;
    const host = posix.join(this.realRoot, view);
    let real: string;
    try {
      real = Deno.realPathSync(host);
    } catch {
      return host; // does not exist: the caller's open or stat reports ENOENT
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + "/")) {
      throw new SyscallError(EACCES, `${path} leads outside the root`);
    }
    return real;
  }
}

/** Translates a host file-system error into the errno a program expects. */
export function hostErrno(e: unknown): SyscallError {
  if (e instanceof SyscallError) return e;
  if (e instanceof Deno.errors.NotFound) return new SyscallError(ENOENT);
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return new SyscallError(EACCES);
  }
  if (e instanceof Deno.errors.IsADirectory) return new SyscallError(EISDIR);
  if (e instanceof Deno.errors.NotADirectory) return new SyscallError(ENOTDIR);
  return new SyscallError(EIO, String(e));
}

function statOf(info: Deno.FileInfo): FileStat {
  const type = info.isDirectory ? S_IFDIR : S_IFREG;
  return {
    mode: type | ((info.mode ?? 0o644) & 0o7777),
    sizeBytes: info.size,
    ino: info.ino ?? 0,
    nlink: info.nlink ?? 1,
    blockSizeBytes: info.blksize ?? 4096,
    mtimeMs: info.mtime?.getTime() ?? 0,
    atimeMs: info.atime?.getTime() ?? 0,
    ctimeMs: info.ctime?.getTime() ?? 0,
    birthtimeMs: info.birthtime?.getTime() ?? 0,
  };
}

/**
 * Opens a host path read-only: a regular file or a directory. `viewPath` is the path as the
 * process names it (directories keep it, to resolve paths relative to them).
 */
export function openHost(hostPath: string, viewPath: string): OpenFile {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(hostPath);
  } catch (e) {
    throw hostErrno(e);
  }
  if (info.isDirectory) return new HostDirectory(hostPath, viewPath);
  try {
    return new HostFile(Deno.openSync(hostPath, { read: true }));
  } catch (e) {
    throw hostErrno(e);
  }
}

/** Stats a host path. */
export function statHost(hostPath: string): FileStat {
  try {
    return statOf(Deno.statSync(hostPath));
  } catch (e) {
    throw hostErrno(e);
  }
}

/** A regular host file opened for reading. */
class HostFile implements OpenFile {
  constructor(private readonly file: Deno.FsFile) {}

  read(dst: Uint8Array): number {
    try {
      return this.file.readSync(dst) ?? 0;
    } catch (e) {
      throw hostErrno(e);
    }
  }

  write(): number {
    throw new SyscallError(EBADF); // opened read-only
  }

  seek(offset: number, whence: number): number {
    if (whence < 0 || whence > 2) throw new SyscallError(EINVAL);
    const base = whence === 0
      ? 0
      : whence === 1
      ? this.file.seekSync(0, Deno.SeekMode.Current)
      : this.stat().sizeBytes;
    if (base + offset < 0) throw new SyscallError(EINVAL);
    return this.file.seekSync(base + offset, Deno.SeekMode.Start);
  }

  stat(): FileStat {
    return statOf(this.file.statSync());
  }

  close(): void {
    this.file.close();
  }
}

/** A host directory: it can be opened and stat-ed; reading it as a file is EISDIR. */
export class HostDirectory implements OpenFile {
  constructor(readonly hostPath: string, readonly viewPath: string) {}

  read(): number {
    throw new SyscallError(EISDIR);
  }

  write(): number {
    throw new SyscallError(EBADF);
  }

  seek(): number {
    return 0;
  }

  stat(): FileStat {
    return statHost(this.hostPath);
  }

  close(): void {}
}
