/**
 * POSIX record locks (fcntl F_GETLK, F_SETLK, F_SETLKW): byte ranges of a file, read-shared
 * or write-exclusive, owned by a process. The kernel keeps them (they are per process, and
 * must outlive a VFS restart), keyed by the file's VFS node.
 *
 * The rules are POSIX's: a process's own locks never conflict with each other — a new lock
 * replaces the old ones where the ranges overlap, splitting them as needed, and unlocking can
 * punch a hole; another process's lock conflicts if the ranges overlap and either is a write
 * lock. Closing any descriptor of a file releases every lock the process holds on that file,
 * and a process's locks go when it ends. A waiter (F_SETLKW) sleeps until some lock on the
 * file changes, then tries again; a wait that would close a cycle of waiting processes is
 * EDEADLK. Limits: LOCKS_MAX locks in all (ENOLCK beyond).
 */

import { EDEADLK, ENOLCK } from "./errno.ts";
import { SyscallError } from "./errno.ts";
import type { ThreadGroup } from "./proc.ts";
import { WaitQueue } from "./wait.ts";

export const F_RDLCK = 0;
export const F_WRLCK = 1;
export const F_UNLCK = 2;

/** Most locks held at once, over every file. */
export const LOCKS_MAX = 4096;

/** One lock: [start, end) of a file, by a process. */
export interface RecordLock {
  owner: ThreadGroup;
  type: typeof F_RDLCK | typeof F_WRLCK;
  start: number;
  /** Exclusive; Infinity for "to the end of the file, however long it grows". */
  end: number;
}

/** The locks of one file, and whoever waits for them to change. */
interface FileLocks {
  locks: RecordLock[];
  waiters: WaitQueue;
}

/** Every record lock. */
export class LockTable {
  private readonly files = new Map<string, FileLocks>();
  /** What each waiting process waits for: the owner of the lock in its way. */
  private readonly waitsFor = new Map<ThreadGroup, ThreadGroup>();
  private count = 0;

  private file(key: string): FileLocks {
    let f = this.files.get(key);
    if (!f) this.files.set(key, f = { locks: [], waiters: new WaitQueue() });
    return f;
  }

  /** The first lock of another process that conflicts with `want` (F_GETLK), if any. */
  conflict(key: string, want: Omit<RecordLock, "type"> & { type: number }): RecordLock | undefined {
    const f = this.files.get(key);
    if (!f) return undefined;
    return f.locks.find((l) =>
      l.owner !== want.owner && l.start < want.end && want.start < l.end &&
      (l.type === F_WRLCK || want.type === F_WRLCK)
    );
  }

  /**
   * Sets (or, with F_UNLCK, clears) a lock. Returns the conflicting lock if another process is
   * in the way (nothing changes), else undefined.
   */
  set(key: string, want: Omit<RecordLock, "type"> & { type: number }): RecordLock | undefined {
    if (want.type !== F_UNLCK) {
      const blocker = this.conflict(key, want);
      if (blocker) return blocker;
    }
    const f = this.file(key);
    const kept: RecordLock[] = [];
    for (const l of f.locks) {
      if (l.owner !== want.owner || l.end <= want.start || want.end <= l.start) {
        kept.push(l);
        continue;
      }
      if (l.start < want.start) kept.push({ ...l, end: want.start });
      if (want.end < l.end) kept.push({ ...l, start: want.end });
    }
    if (want.type !== F_UNLCK) {
      kept.push({
        owner: want.owner,
        type: want.type as RecordLock["type"],
        start: want.start,
        end: want.end,
      });
    }
    const delta = kept.length - f.locks.length;
    if (this.count + delta > LOCKS_MAX) throw new SyscallError(ENOLCK, "lock table full");
    this.count += delta;
    f.locks = kept;
    return undefined;
  }

  /** Whether `waiter` waiting for `holder` would close a cycle (a deadlock). */
  wouldDeadlock(waiter: ThreadGroup, holder: ThreadGroup): boolean {
    for (let g: ThreadGroup | undefined = holder, hops = 0; g && hops < LOCKS_MAX; hops++) {
      if (g === waiter) return true;
      g = this.waitsFor.get(g);
    }
    return false;
  }

  /** The queue a process waiting on `key` sleeps on, recording whom it waits for. */
  waitOn(key: string, waiter: ThreadGroup, holder: ThreadGroup): WaitQueue {
    if (this.wouldDeadlock(waiter, holder)) throw new SyscallError(EDEADLK);
    this.waitsFor.set(waiter, holder);
    return this.file(key).waiters;
  }

  /** `waiter` no longer waits. */
  doneWaiting(waiter: ThreadGroup): void {
    this.waitsFor.delete(waiter);
  }

  /** The waiters of `key`, for waking after a change. */
  waiters(key: string): WaitQueue | undefined {
    return this.files.get(key)?.waiters;
  }

  /** Releases `owner`'s locks on `key` (a descriptor of the file closed); returns the waiters. */
  releaseFile(owner: ThreadGroup, key: string): WaitQueue | undefined {
    const f = this.files.get(key);
    if (!f) return undefined;
    const before = f.locks.length;
    f.locks = f.locks.filter((l) => l.owner !== owner);
    this.count -= before - f.locks.length;
    if (f.locks.length === 0 && f.waiters.size === 0) this.files.delete(key);
    return f.waiters;
  }

  /** Releases every lock `owner` holds (it ended); returns the queues of the files concerned. */
  releaseAll(owner: ThreadGroup): WaitQueue[] {
    this.waitsFor.delete(owner);
    const woken: WaitQueue[] = [];
    for (const [key, f] of [...this.files]) {
      if (!f.locks.some((l) => l.owner === owner)) continue;
      const q = this.releaseFile(owner, key);
      if (q) woken.push(q);
    }
    return woken;
  }
}
