/**
 * Open files and file descriptor tables.
 *
 * An OpenFile is an open file description: what `openat` creates and `dup` shares. A process's
 * FdTable maps small integers to descriptions. Every kind of file (console, host file,
 * directory) implements the same interface; operations a kind does not support fail with the
 * errno Linux gives for them.
 */

import { EBADF, EMFILE, ESPIPE, SyscallError } from "./errno.ts";

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
  /** Reads up to dst.length bytes into dst; returns the count (0 at end of file). */
  read(dst: Uint8Array): number | Promise<number>;
  /** Writes src; returns the count written. */
  write(src: Uint8Array): number | Promise<number>;
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

/** A process's descriptor table. */
export class FdTable {
  private readonly slots: (Slot | undefined)[] = [];

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
