/**
 * Pipes: a bounded byte ring shared by a read end and a write end.
 *
 * Reading an empty pipe sleeps until data arrives or every write end is closed (then it
 * returns 0, end of file). Writing sleeps while the pipe is full; a write of at most PIPE_BUF
 * bytes is atomic (it waits until all of it fits). Writing when no read end is left fails
 * with EPIPE, and the kernel sends the writer SIGPIPE. With O_NONBLOCK, EAGAIN replaces
 * sleeping. Bytes move between the ring and the user's memory directly.
 */

import { ACCESS_READ, ACCESS_WRITE } from "../machine/mmu.ts";
import { EAGAIN, EPIPE, SyscallError } from "./errno.ts";
import {
  anonymousStat,
  type FileStat,
  O_NONBLOCK,
  O_RDONLY,
  O_WRONLY,
  OpenFile,
  S_IFIFO,
} from "./file.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { type SyscallResult, WaitQueue } from "./wait.ts";

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

  /**
   * Called when the state changes in a way a sleeper may care about; `sync` when the caller is
   * likely to block next (a writer waking readers), so the sleepers may wait for its hart.
   */
  constructor(private readonly wake: (q: WaitQueue, sync: boolean) => void) {}

  notify(q: WaitQueue, sync = false): void {
    this.wake(q, sync);
  }
}

/** One end of a pipe, as an open file description. */
export class PipeEnd extends OpenFile {
  constructor(
    readonly pipe: Pipe,
    readonly end: "read" | "write",
    nonblocking: boolean,
  ) {
    super((end === "read" ? O_RDONLY : O_WRONLY) | (nonblocking ? O_NONBLOCK : 0));
    if (end === "read") pipe.readers++;
    else pipe.writers++;
  }

  override read(k: Kernel, p: Process, buf: number, count: number): SyscallResult {
    const pipe = this.pipe;
    if (count === 0) return 0;
    p.as.checkAccess(buf, count, ACCESS_WRITE);
    if (pipe.length === 0) {
      if (pipe.writers === 0) return 0;
      if (this.nonblocking) throw new SyscallError(EAGAIN);
      return k.block(p, "BLOCKED", [pipe.readable]);
    }
    const n = Math.min(count, pipe.length);
    const first = Math.min(n, PIPE_CAPACITY - pipe.head);
    p.as.copyOut(buf, pipe.buffer.subarray(pipe.head, pipe.head + first));
    if (n > first) p.as.copyOut(buf + first, pipe.buffer.subarray(0, n - first));
    pipe.head = (pipe.head + n) % PIPE_CAPACITY;
    pipe.length -= n;
    pipe.notify(pipe.writable);
    return n;
  }

  override write(k: Kernel, p: Process, buf: number, count: number): SyscallResult {
    const pipe = this.pipe;
    if (pipe.readers === 0) throw new SyscallError(EPIPE);
    if (count === 0) return 0;
    p.as.checkAccess(buf, count, ACCESS_READ);
    const room = PIPE_CAPACITY - pipe.length;
    if (room === 0 || (count <= PIPE_BUF && room < count)) {
      if (this.nonblocking) throw new SyscallError(EAGAIN);
      return k.block(p, "BLOCKED", [pipe.writable]);
    }
    const n = Math.min(room, count);
    const tail = (pipe.head + pipe.length) % PIPE_CAPACITY;
    const first = Math.min(n, PIPE_CAPACITY - tail);
    p.as.copyInto(buf, pipe.buffer.subarray(tail, tail + first));
    if (n > first) p.as.copyInto(buf + first, pipe.buffer.subarray(0, n - first));
    pipe.length += n;
    pipe.notify(pipe.readable, true);
    return n;
  }

  override stat(): FileStat {
    return { ...anonymousStat(S_IFIFO | 0o600, this.pipe.ino), size: this.pipe.length };
  }

  override close(): void {
    const pipe = this.pipe;
    if (this.end === "read") {
      pipe.readers--;
      if (pipe.readers === 0) pipe.notify(pipe.writable);
    } else {
      pipe.writers--;
      if (pipe.writers === 0) pipe.notify(pipe.readable);
    }
  }

  describe(): string {
    return `pipe:[${this.pipe.ino}]`;
  }
}
