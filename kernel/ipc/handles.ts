/**
 * Capabilities: each party's table of handles. A handle is a small positive integer that
 * means something only in its holder's table, so it cannot be forged: naming an object takes
 * a handle to it with the right for the operation. Tables are bounded (HANDLES_MAX).
 */

import { EBADF, EMFILE, EPERM, SyscallError } from "../errno.ts";
import { HANDLES_MAX } from "./protocol.ts";

/** Something a handle can refer to (endpoints, regions, notifications, barriers). */
export interface IpcObject {
  readonly kind: "endpoint" | "region" | "notification" | "barrier";
  readonly id: number;
  /** False once the object is gone (its server died, it was revoked). */
  readonly alive: boolean;
}

/** One slot of a table. */
export interface HandleEntry<T extends IpcObject = IpcObject> {
  object: T;
  rights: number;
}

/** A party's handles. */
export class HandleTable {
  private readonly slots: (HandleEntry | undefined)[] = [];

  /** Adds an entry; returns its handle (>= 1). EMFILE when the table is full. */
  add(object: IpcObject, rights: number): number {
    for (let i = 0; i < HANDLES_MAX; i++) {
      if (!this.slots[i]) {
        this.slots[i] = { object, rights };
        return i + 1;
      }
    }
    throw new SyscallError(EMFILE, "handle table full");
  }

  /**
   * The entry for `handle` if it names an object of `kind` and carries every right in
   * `rights`: EBADF for a bad or dead handle, EPERM for a missing right.
   */
  get<T extends IpcObject>(handle: number, kind: T["kind"], rights: number): HandleEntry<T> {
    const entry = Number.isInteger(handle) && handle >= 1 ? this.slots[handle - 1] : undefined;
    if (!entry || entry.object.kind !== kind || !entry.object.alive) {
      throw new SyscallError(EBADF, `no ${kind} handle ${handle}`);
    }
    if ((entry.rights & rights) !== rights) {
      throw new SyscallError(EPERM, `handle ${handle} lacks the right`);
    }
    return entry as HandleEntry<T>;
  }

  /** Any live entry for `handle`, whatever its kind; EBADF if none. */
  entry(handle: number): HandleEntry {
    const entry = Number.isInteger(handle) && handle >= 1 ? this.slots[handle - 1] : undefined;
    if (!entry) throw new SyscallError(EBADF, `no handle ${handle}`);
    return entry;
  }

  /** Removes `handle`; EBADF if there is none. */
  remove(handle: number): HandleEntry {
    const entry = this.entry(handle);
    this.slots[handle - 1] = undefined;
    return entry;
  }

  /** Every live entry, with its handle. */
  *entries(): Generator<[number, HandleEntry]> {
    for (let i = 0; i < this.slots.length; i++) {
      const e = this.slots[i];
      if (e) yield [i + 1, e];
    }
  }

  /** Drops every handle to `object` (revocation). */
  dropObject(object: IpcObject): void {
    for (let i = 0; i < this.slots.length; i++) {
      if (this.slots[i]?.object === object) this.slots[i] = undefined;
    }
  }

  /** Empties the table (its holder is gone). */
  clear(): void {
    this.slots.length = 0;
  }

  /** Number of handles held. */
  get size(): number {
    return this.slots.filter((e) => e !== undefined).length;
  }
}
