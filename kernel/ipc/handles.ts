/**
 * Capabilities: each party's table of handles. A handle is a small positive integer that
 * means something only in its holder's table, so it cannot be forged: naming an object takes
 * a handle to it with the right for the operation. Tables are bounded (HANDLES_MAX).
 */

import { EBADF, EMFILE, EPERM, SyscallError } from "../errno.ts";
import { HANDLES_MAX } from "../../abi/ipc.ts";

/** Something a handle can refer to (endpoints, regions, notifications, barriers, devices). */
export interface IpcObject {
  readonly kind: "endpoint" | "region" | "notification" | "barrier" | "device";
  readonly id: number;
  /** False once the object is gone (its server died, it was revoked). */
  readonly alive: boolean;
  /** Handles naming it, in every table (kept by HandleTable). */
  held: number;
}

/** One slot of a table. */
export interface HandleEntry<T extends IpcObject = IpcObject> {
  object: T;
  rights: number;
}

/** A party's handles. */
export class HandleTable {
  private readonly slots: (HandleEntry | undefined)[] = [];

  /** `unheld` is called when an object loses its last handle, in this table or another. */
  constructor(private readonly unheld: (object: IpcObject) => void) {}

  /** Adds an entry; returns its handle (>= 1). EMFILE when the table is full. */
  add(object: IpcObject, rights: number): number {
    for (let i = 0; i < HANDLES_MAX; i++) {
      if (!this.slots[i]) {
        this.slots[i] = { object, rights };
        object.held++;
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
    this.dropped(entry.object);
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
      if (this.slots[i]?.object !== object) continue;
      this.slots[i] = undefined;
      this.dropped(object);
    }
  }

  /** Empties the table (its holder is gone). */
  clear(): void {
    const objects = this.slots.flatMap((e) => e ? [e.object] : []);
    this.slots.length = 0;
    objects.forEach((o) => this.dropped(o));
  }

  private dropped(object: IpcObject): void {
    if (--object.held === 0) this.unheld(object);
  }

  /** Number of handles held. */
  get size(): number {
    return this.slots.filter((e) => e !== undefined).length;
  }
}
