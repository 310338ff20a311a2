/**
 * Files and directories of the VFS, as open file descriptions.
 *
 * The description is the kernel's: the node (mount, ino), the offset, the flags and the path
 * it was opened by live here, not in the VFS, so a VFS that restarts loses no open file (the
 * VFS only counts opens, and is told when the last description of a node closes). Every
 * operation is one or more VFS calls (vfs_client.ts); a read copies the data once, from the
 * VFS's cache into the user's buffer, and a write copies it once into a staging slot, from
 * where the VFS takes it.
 *
 * Descriptions shared between processes (fork, dup) serialise their reads and writes, as
 * Linux's f_pos lock does: the offset moves by whole operations.
 */

import { Clock } from "../machine/clock.ts";
import { ACCESS_WRITE } from "../machine/mmu.ts";
import { STAGING_SLOT_BYTES, VFS } from "../abi/vfs.ts";
import { EFAULT, EINVAL, EIO, EOVERFLOW, SyscallError } from "./errno.ts";
import { type FileStat, isDirectory, O_APPEND, OpenFile, S_IFDIR, S_IFMT } from "./file.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { statOf, type VfsClient } from "./vfs_client.ts";
import { BLOCKED, type SyscallResult, WaitQueue } from "./wait.ts";
import type { Node } from "../abi/vfs.ts";

/** Largest single read or write moved per call (a short count is returned beyond it). */
export const IO_CHUNK_MAX = 1024 * 1024;
/** Bytes one READ request asks for. */
const READ_REQUEST_BYTES = 64 * 1024;
/** Times a read asks again because cache slots changed under its copy, before EIO. */
const STALE_RETRIES_MAX = 16;
/** The directory offset once a listing has reached its end. */
const END_OF_DIRECTORY = 0xffff_ffff;
/** How often a process waiting for a description's offset looks again, in mtime ticks. */
const LOCK_RECHECK_TICKS = Clock.msToTicks(10);
/** Largest file offset (off_t is 64-bit; the codec carries up to 2^53). */
const OFFSET_MAX = 2 ** 53 - 1;

/** A file or directory opened through the VFS. */
export class VfsFile extends OpenFile {
  offset = 0;
  /**
   * The system call moving the offset now (Linux's f_pos lock): its process and that
   * process's system call count, so a call that ended without letting go (a signal, a kill)
   * holds nothing.
   */
  private owner: { p: Process; call: number } | undefined;
  private readonly turn = new WaitQueue();
  private staleReads = 0;

  constructor(
    private readonly vfs: VfsClient,
    readonly vnode: Node,
    /** File type bits (S_IFREG, S_IFDIR …). */
    readonly type: number,
    flags: number,
    /** The path it was opened by, as the process named it. */
    readonly path: string,
  ) {
    super(flags);
  }

  get isDirectory(): boolean {
    return (this.type & S_IFMT) === S_IFDIR;
  }

  /**
   * Runs `step` holding the description's offset; a process finding it held sleeps. The
   * holder keeps it across its sleeps (BLOCKED) and gives it up when the call ends.
   */
  private locked(k: Kernel, p: Process, step: () => SyscallResult): SyscallResult {
    const owner = this.owner;
    if (
      owner && owner.p !== p && owner.p.state !== "ZOMBIE" &&
      owner.p.counters.syscalls === owner.call
    ) {
      // Woken when the holder lets go, or after a while to look again (a holder can vanish).
      return k.block(p, "BLOCKED", [this.turn], k.mtime() + LOCK_RECHECK_TICKS);
    }
    this.owner = { p, call: p.counters.syscalls };
    let result: SyscallResult = BLOCKED;
    try {
      result = step();
      return result;
    } finally {
      if (result !== BLOCKED) {
        this.owner = undefined;
        k.wake(this.turn);
      }
    }
  }

  override read(k: Kernel, p: Process, buf: number, count: number, at?: number): SyscallResult {
    if (this.isDirectory) isDirectory();
    const total = Math.min(count >>> 0, IO_CHUNK_MAX);
    if (total === 0) return 0;
    p.as.checkAccess(buf, total, ACCESS_WRITE);
    const step = () => {
      const start = at ?? this.offset;
      let done = p.syscallProgress;
      while (done < total) {
        const r = this.vfs.call(p, VFS.read, () => ({
          node: this.vnode,
          offset: start + done,
          length: Math.min(total - done, READ_REQUEST_BYTES),
        }));
        if (r === BLOCKED) {
          p.syscallProgress = done;
          return BLOCKED;
        }
        const { bytes, eof, extents } = r.value;
        const base = buf + done;
        if (!this.vfs.copyExtents(extents, bytes, (off, d) => p.as.copyOut(base + off, d))) {
          if (++this.staleReads > STALE_RETRIES_MAX) {
            throw new SyscallError(EIO, "the cache kept changing under the copy");
          }
          continue;
        }
        this.staleReads = 0;
        done += bytes;
        if (eof || bytes === 0) break;
      }
      if (at === undefined) this.offset = start + done;
      return done;
    };
    return at === undefined ? this.locked(k, p, step) : step();
  }

  override write(k: Kernel, p: Process, buf: number, count: number, at?: number): SyscallResult {
    if (this.isDirectory) isDirectory();
    const total = Math.min(count >>> 0, IO_CHUNK_MAX);
    if (total === 0) return 0;
    const append = at === undefined && (this.flags & O_APPEND) !== 0;
    const step = () => {
      const start = at ?? this.offset;
      if (start + total > OFFSET_MAX) throw new SyscallError(EOVERFLOW);
      let done = p.syscallProgress;
      let end = start + done;
      while (done < total) {
        const n = Math.min(total - done, STAGING_SLOT_BYTES);
        const from = buf + done;
        let r;
        try {
          r = this.vfs.call(
            p,
            VFS.write,
            (data) => ({ node: this.vnode, offset: start + done, append: append ? 1 : 0, data }),
            { bytes: n, fill: (slot) => p.as.copyInto(from, slot) },
          );
        } catch (e) {
          if (done > 0 && e instanceof SyscallError && e.errno === EFAULT) break;
          throw e;
        }
        if (r === BLOCKED) {
          p.syscallProgress = done;
          return BLOCKED;
        }
        done += r.value.bytes;
        end = r.value.end;
        if (r.value.bytes < n) break;
      }
      if (at === undefined) this.offset = append ? end : start + done;
      return done;
    };
    return at === undefined ? this.locked(k, p, step) : step();
  }

  override seek(k: Kernel, p: Process, offset: number, whence: number): SyscallResult {
    let base: number;
    if (whence === 0) base = 0;
    else if (whence === 1) base = this.offset;
    else if (whence === 2) {
      const st = this.stat(k, p);
      if (st === BLOCKED) return BLOCKED;
      base = st.size;
    } else throw new SyscallError(EINVAL, `whence ${whence}`);
    const next = base + offset;
    if (next < 0 || next > OFFSET_MAX) throw new SyscallError(EINVAL);
    this.offset = next;
    return next;
  }

  override stat(_k: Kernel, p: Process): FileStat | typeof BLOCKED {
    const r = this.vfs.call(p, VFS.getattr, () => this.vnode);
    return r === BLOCKED ? BLOCKED : statOf(r.value);
  }

  override getdents(k: Kernel, p: Process, buf: number, count: number): SyscallResult {
    if (!this.isDirectory) return super.getdents(k, p, buf, count);
    if (this.offset === END_OF_DIRECTORY) return 0;
    const room = Math.min(count >>> 0, STAGING_SLOT_BYTES);
    p.as.checkAccess(buf, room, ACCESS_WRITE);
    return this.locked(k, p, () => {
      const r = this.vfs.call(
        p,
        VFS.readdir,
        (data) => ({ node: this.vnode, cookie: this.offset, data }),
        { bytes: room },
      );
      if (r === BLOCKED) return BLOCKED;
      const { bytes, next } = r.value;
      if (bytes > room) throw new SyscallError(EIO, "vfs: readdir overflowed its buffer");
      if (bytes === 0 && next !== 0) throw new SyscallError(EINVAL, "buffer too small");
      p.as.copyOut(buf, r.slot.subarray(0, bytes));
      this.offset = next === 0 ? END_OF_DIRECTORY : next;
      return bytes;
    });
  }

  override node(): Node {
    return this.vnode;
  }

  override truncate(_k: Kernel, p: Process, size: number): SyscallResult {
    if (this.isDirectory) isDirectory();
    const r = this.vfs.call(p, VFS.setattr, () => ({
      node: this.vnode,
      set: 2,
      mode: 0,
      size,
      atimeNs: 0n,
      mtimeNs: 0n,
    }));
    return r === BLOCKED ? BLOCKED : 0;
  }

  override fsync(_k: Kernel, p: Process, dataOnly: boolean): SyscallResult {
    const r = this.vfs.call(p, VFS.fsync, () => ({ node: this.vnode, dataOnly: dataOnly ? 1 : 0 }));
    return r === BLOCKED ? BLOCKED : 0;
  }

  override close(): void {
    this.vfs.closed(this.vnode);
  }

  describe(): string {
    return this.path;
  }
}
