/**
 * Pipes: a bounded byte ring shared by a read end and a write end.
 *
 * Reading an empty pipe sleeps until data arrives or every write end is closed (then it
 * returns 0, end of file). Writing sleeps while the pipe is full; a write of at most PIPE_BUF
 * bytes is atomic (it waits until all of it fits). Writing when no read end is left fails
 * with EPIPE, and the kernel sends the writer SIGPIPE. With O_NONBLOCK, EAGAIN replaces
 * sleeping.
 */

import { EAGAIN, EBADF, EPIPE, SyscallError } from "./errno.ts";
import { type FileStat, notSeekable, type OpenFile, S_IFIFO } from "./file.ts";
import { WaitQueue } from "./wait.ts";

/** Bytes a pipe holds. */
export const PIPE_CAPACITY = 64 * 1024;
/** Writes up to this size are atomic. */
export const PIPE_BUF = 4096;

/** The shared part of a pipe. */
export class Pipe {
  readonly buffer = new Uint8Array(PIPE_CAPACITY);
  head = 0;
  length = 0;
  readers = 0;
  writers = 0;
  /** Readers wait here for data; writers for room. */
  readonly readable = new WaitQueue();
  readonly writable = new WaitQueue();
  private static nextIno = 1;
  readonly ino = Pipe.nextIno++;

  /** Called when the state changes in a way a sleeper may care about. */
  constructor(private readonly wake: (q: WaitQueue) => void) {}

  notify(q: WaitQueue): void {
    this.wake(q);
  }
}

/** One end of a pipe, as an open file description. */
export class PipeEnd implements OpenFile {
  constructor(
    readonly pipe: Pipe,
    readonly end: "read" | "write",
    public nonblocking: boolean,
  ) {
    if (end === "read") pipe.readers++;
    else pipe.writers++;
  }

  read(dst: Uint8Array): number | WaitQueue {
    const pipe = this.pipe;
    if (this.end !== "read") throw new SyscallError(EBADF);
    if (dst.length === 0) return 0;
    if (pipe.length === 0) {
      if (pipe.writers === 0) return 0;
      if (this.nonblocking) throw new SyscallError(EAGAIN);
      return pipe.readable;
    }
    const n = Math.min(dst.length, pipe.length);
    const first = Math.min(n, PIPE_CAPACITY - pipe.head);
    dst.set(pipe.buffer.subarray(pipe.head, pipe.head + first));
    dst.set(pipe.buffer.subarray(0, n - first), first);
    pipe.head = (pipe.head + n) % PIPE_CAPACITY;
    pipe.length -= n;
    pipe.notify(pipe.writable);
    return n;
  }

  write(src: Uint8Array): number | WaitQueue {
    const pipe = this.pipe;
    if (this.end !== "write") throw new SyscallError(EBADF);
    if (pipe.readers === 0) throw new SyscallError(EPIPE);
    if (src.length === 0) return 0;
    const room = PIPE_CAPACITY - pipe.length;
    if (room === 0 || (src.length <= PIPE_BUF && room < src.length)) {
      if (this.nonblocking) throw new SyscallError(EAGAIN);
      return pipe.writable;
    }
    const n = Math.min(room, src.length);
    const tail = (pipe.head + pipe.length) % PIPE_CAPACITY;
    const first = Math.min(n, PIPE_CAPACITY - tail);
    pipe.buffer.set(src.subarray(0, first), tail);
    pipe.buffer.set(src.subarray(first, n), 0);
    pipe.length += n;
    pipe.notify(pipe.readable);
    return n;
  }

  seek(): number {
    return notSeekable();
  }

  stat(): FileStat {
    return {
      mode: S_IFIFO | 0o600,
      sizeBytes: this.pipe.length,
      ino: this.pipe.ino,
      nlink: 1,
      blockSizeBytes: PIPE_BUF,
      mtimeMs: 0,
      atimeMs: 0,
      ctimeMs: 0,
      birthtimeMs: 0,
    };
  }

  close(): void {
    const pipe = this.pipe;
    if (this.end === "read") {
      pipe.readers--;
      if (pipe.readers === 0) pipe.notify(pipe.writable);
    } else {
      pipe.writers--;
      if (pipe.writers === 0) pipe.notify(pipe.readable);
    }
  }
}
