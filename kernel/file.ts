/**
 * Open files and file descriptor tables.
 *
 * An OpenFile is an open file description: what `openat` creates and `dup` and `fork` share.
 * A process's FdTable maps small integers to descriptions. Every kind of file — files and
 * directories of the VFS (vfs_file.ts), terminals and the memory devices (chardev.ts), pipes —
 * extends OpenFile, whose defaults fail an operation the kind does not support with the errno
 * Linux gives for it.
 *
 * An operation moves data straight between the user's memory and wherever the data lives (a
 * pipe's ring, the VFS's cache), and may need a service to answer: then it returns BLOCKED,
 * the process sleeps, and the system call runs again when woken (kernel/ipc/kernel_client.ts).
 * Progress made before sleeping is kept in `p.syscallProgress`.
 */

import { EBADF, EINVAL, EISDIR, EMFILE, ENOTDIR, ENOTTY, ESPIPE, SyscallError } from "./errno.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import type { BLOCKED, SyscallResult } from "./wait.ts";
import type { Node } from "../abi/vfs.ts";

/** File type bits of st_mode. */
export const S_IFMT = 0o170000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFIFO = 0o010000;
export const S_IFLNK = 0o120000;

/** open(2) flags (asm-generic values). */
export const O_ACCMODE = 3;
export const O_RDONLY = 0;
export const O_WRONLY = 1;
export const O_RDWR = 2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000;
export const O_DSYNC = 0o10000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
/** Status flags F_SETFL may change. */
export const O_SETFL_MASK = O_APPEND | O_NONBLOCK;

/** What stat reports (statx's fields). */
export interface FileStat {
  /** Device the file lives on (the VFS mount), and the file's own device number if special. */
  dev: number;
  rdev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: number;
  /** 512-byte units allocated. */
  blocks: number;
  blksize: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  btimeNs: bigint;
}

/** A stat for a file with no inode of its own (a pipe, a terminal opened by the kernel). */
export function anonymousStat(mode: number, ino: number, rdev = 0): FileStat {
  return {
    dev: 0,
    rdev,
    ino,
    mode,
    nlink: 1,
    uid: 0,
    gid: 0,
    size: 0,
    blocks: 0,
    blksize: 4096,
    atimeNs: 0n,
    mtimeNs: 0n,
    ctimeNs: 0n,
    btimeNs: 0n,
  };
}

/** An open file description. The defaults are what a file that cannot do it answers. */
export abstract class OpenFile {
  /** Access mode (O_ACCMODE) and status flags (O_APPEND, O_NONBLOCK). */
  flags: number;

  constructor(flags: number) {
    this.flags = flags;
  }

  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY && !(this.flags & O_PATH);
  }

  get writable(): boolean {
    return (this.flags & O_ACCMODE) !== O_RDONLY && !(this.flags & O_PATH);
  }

  get nonblocking(): boolean {
    return (this.flags & O_NONBLOCK) !== 0;
  }

  /**
   * Reads up to `count` bytes into user memory at `buf`, from the description's offset (or
   * from `at`, pread): the count (0 at the end), or BLOCKED.
   */
  read(_k: Kernel, _p: Process, _buf: number, _count: number, _at?: number): SyscallResult {
    throw new SyscallError(EINVAL);
  }

  /** Writes up to `count` bytes from user memory at `buf`: the count, or BLOCKED. */
  write(_k: Kernel, _p: Process, _buf: number, _count: number, _at?: number): SyscallResult {
    throw new SyscallError(EINVAL);
  }

  /** Moves the offset (whence 0 SET, 1 CUR, 2 END): the new offset, or BLOCKED. */
  seek(_k: Kernel, _p: Process, _offset: number, _whence: number): SyscallResult {
    throw new SyscallError(ESPIPE);
  }

  stat(_k: Kernel, _p: Process): FileStat | typeof BLOCKED {
    throw new SyscallError(EBADF);
  }

  ioctl(_k: Kernel, _p: Process, _cmd: number, _arg: number): SyscallResult {
    throw new SyscallError(ENOTTY);
  }

  /** getdents64 into user memory: bytes filled (0 at the end), or BLOCKED. */
  getdents(_k: Kernel, _p: Process, _buf: number, _count: number): SyscallResult {
    throw new SyscallError(ENOTDIR);
  }

  /** The VFS node behind the description, for the *at calls and fchdir (ENOTDIR if none). */
  node(): Node {
    throw new SyscallError(ENOTDIR);
  }

  /** The file's own operations on its inode: truncate, sync, attributes (EINVAL if none). */
  truncate(_k: Kernel, _p: Process, _size: number): SyscallResult {
    throw new SyscallError(EINVAL);
  }

  fsync(_k: Kernel, _p: Process, _dataOnly: boolean): SyscallResult {
    throw new SyscallError(EINVAL);
  }

  /** Called when the last descriptor referring to it closes (no process waits on this). */
  close(_k: Kernel): void {}

  /** What it is, for /proc/PID/fd: a path, "pipe:[N]", a device name. */
  abstract describe(): string;
}

/** EISDIR: reading or writing a directory as a file. */
export function isDirectory(): never {
  throw new SyscallError(EISDIR);
}

/** Maximum open descriptors per process. */
export const FD_MAX = 256;

/** A description shared by every descriptor that refers to it (through dup or fork). */
class Description {
  refs = 0;
  constructor(readonly file: OpenFile) {}
}

interface Slot {
  description: Description;
  cloexec: boolean;
}

/** A process's descriptor table (shared by the threads created with CLONE_FILES). */
export class FdTable {
  private readonly slots: (Slot | undefined)[] = [];
  /** Processes using this table. */
  users = 0;

  constructor(private readonly kernel: Kernel) {}

  /** The description behind `fd`, or EBADF. */
  get(fd: number): OpenFile {
    return this.slot(fd).description.file;
  }

  /** Installs a new description of `file` at the lowest free descriptor >= `min`. */
  install(file: OpenFile, cloexec = false, min = 0): number {
    return this.place(new Description(file), cloexec, min);
  }

  /** A new descriptor >= `min` sharing `fd`'s description (dup, F_DUPFD). */
  dup(fd: number, cloexec = false, min = 0): number {
    return this.place(this.slot(fd).description, cloexec, min);
  }

  /** Closes `fd`; the description closes when no descriptor refers to it any more. */
  close(fd: number): void {
    const { description } = this.slot(fd);
    this.slots[fd] = undefined;
    if (--description.refs === 0) description.file.close(this.kernel);
  }

  /** Closes every descriptor. */
  closeAll(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]) this.close(fd);
  }

  /** Closes the descriptors marked close-on-exec (at execve). */
  closeOnExec(): void {
    for (let fd = 0; fd < this.slots.length; fd++) if (this.slots[fd]?.cloexec) this.close(fd);
  }

  /** A copy sharing every description (fork without CLONE_FILES). */
  clone(): FdTable {
    const copy = new FdTable(this.kernel);
    this.slots.forEach((slot, fd) => {
      if (!slot) return;
      copy.slots[fd] = { ...slot };
      slot.description.refs++;
    });
    return copy;
  }

  /** Installs `fd`'s description at exactly `target`, closing what was there (dup3). */
  dupTo(fd: number, target: number, cloexec: boolean): number {
    const { description } = this.slot(fd);
    if (!Number.isInteger(target) || target < 0 || target >= FD_MAX) throw new SyscallError(EBADF);
    if (this.slots[target]) this.close(target);
    this.slots[target] = { description, cloexec };
    description.refs++;
    return target;
  }

  /** The close-on-exec flag of `fd`. */
  cloexec(fd: number): boolean {
    return this.slot(fd).cloexec;
  }

  /** Sets the close-on-exec flag of `fd`. */
  setCloexec(fd: number, on: boolean): void {
    this.slot(fd).cloexec = on;
  }

  /** Every open descriptor and its description, in order. */
  list(): Array<[number, OpenFile]> {
    const out: Array<[number, OpenFile]> = [];
    this.slots.forEach((s, fd) => {
      if (s) out.push([fd, s.description.file]);
    });
    return out;
  }

  private slot(fd: number): Slot {
    const slot = Number.isInteger(fd) && fd >= 0 ? this.slots[fd] : undefined;
    if (!slot) throw new SyscallError(EBADF);
    return slot;
  }

  private place(description: Description, cloexec: boolean, min: number): number {
    for (let fd = Math.max(0, min); fd < FD_MAX; fd++) {
      if (!this.slots[fd]) {
        this.slots[fd] = { description, cloexec };
        description.refs++;
        return fd;
      }
    }
    throw new SyscallError(EMFILE);
  }
}
