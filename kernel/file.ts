/**
 * Open files and file descriptor tables.
 *
 * An OpenFile is an open file description: what `openat` creates and `dup` and `fork` share. A
 * process's FdTable maps small integers to descriptions. Every kind of file (console, host
 * file, directory, pipe) implements the same interface; operations a kind does not support fail
 * with the errno Linux gives for them. A read or write that cannot proceed yet returns the
 * WaitQueue to sleep on; the system call sleeps there and tries again when woken.
 */

import { EBADF, EMFILE, ESPIPE, SyscallError } from "./errno.ts";
import type { WaitQueue } from "./wait.ts";

/** File type bits of st_mode. */
export const S_IFCHR = 0o020000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFIFO = 0o010000;

/** What statx reports. */
export interface FileStat {
  mode: number;
  sizeBytes: number;
  ino: number;
  nlink: number;
  blockSizeBytes: number;
  mtimeMs: number;
  atimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

/** An open file description. */
export interface OpenFile {
  /** Reads up to dst.length bytes into dst: the count (0 at end of file), or where to wait. */
  read(dst: Uint8Array): number | WaitQueue;
  /** Writes some of src: the count written (at least 1), or where to wait. */
  write(src: Uint8Array): number | WaitQueue;
  /** Moves the file offset (whence: 0 SET, 1 CUR, 2 END); returns the new offset. */
  seek(offset: number, whence: number): number;
  stat(): FileStat;
  /** Releases host resources; called when the last descriptor closes. */
  close(): void;
}

/** Behaviour shared by files that have no offset (consoles, pipes). */
export function notSeekable(): never {
  throw new SyscallError(ESPIPE);
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
    if (--description.refs === 0) description.file.close();
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
    const copy = new FdTable();
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
