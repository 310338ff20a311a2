/**
 * hostfs as the VFS sees it: a read-only FileSystem whose operations are calls to the hostfs
 * service (main.ts), the one service allowed to read host files. File data, directory pages
 * and link targets come back written into transient slots of the buffer cache, so a read
 * reaches the kernel as cache extents like any other.
 */

import { EROFS } from "../../../abi/errno.ts";
import { HOSTFS } from "../../../abi/hostfs.ts";
import { SLOT_BYTES } from "../../../abi/vfs_cache.ts";
import type { WireAttr } from "../../../abi/vfs.ts";
import type { Client } from "../../lib/ipc.ts";
import { IpcError } from "../../lib/errors.ts";
import { type TypedClient } from "../../lib/schema.ts";
import type { BufferCache } from "../cache.ts";
import {
  type Attr,
  type DirEntry,
  type DirPage,
  type FileSystem,
  FsError,
  type FsStats,
  type ReadResult,
} from "../fs.ts";

/** Entries asked for per readdir call. */
const READDIR_BATCH = 256;

function toAttr(a: WireAttr): Attr {
  return {
    ino: a.ino,
    mode: a.mode,
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    blocks: a.blocks,
    blksize: a.blksize,
    rdev: a.rdev,
    atimeNs: a.atimeNs,
    mtimeNs: a.mtimeNs,
    ctimeNs: a.ctimeNs,
    btimeNs: a.btimeNs,
  };
}

/** A hostfs call, its failure as an FsError (what a back end throws). */
async function ask<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (e) {
    if (e instanceof IpcError) throw new FsError(e.errno, e.message);
    throw e;
  }
}

function readOnly(): never {
  throw new FsError(EROFS, "hostfs is read-only");
}

/** The hostfs back end. */
export class HostFs implements FileSystem {
  readonly type = "hostfs";
  readonly readOnly = true;
  /** Parents of the directories looked up, for "..". */
  private readonly parents = new Map<number, number>();

  constructor(
    private readonly host: TypedClient<typeof HOSTFS>,
    readonly connection: Client,
    private readonly cache: BufferCache,
    private readonly rootIno: number,
  ) {}

  root(): number {
    return this.rootIno;
  }

  async getattr(ino: number): Promise<Attr> {
    return toAttr(await ask(this.host.getattr(ino)));
  }

  setattr(): Promise<Attr> {
    readOnly();
  }

  async lookup(dir: number, name: string): Promise<number> {
    if (name === ".") return dir;
    if (name === "..") return this.parents.get(dir) ?? this.rootIno;
    const slot = await this.cache.transient();
    const { written } = new TextEncoder().encodeInto(name, this.cache.view(slot));
    const a = await ask(this.host.lookup({ dir, at: this.cache.offset(slot), length: written }));
    if ((a.mode & 0o170000) === 0o040000) this.parents.set(a.ino, dir);
    return a.ino;
  }

  async readdir(dir: number, cookie: number, max: number): Promise<DirPage> {
    const slot = await this.cache.transient();
    const at = this.cache.offset(slot);
    const { count, next } = await ask(this.host.readdir({
      ino: dir,
      cookie,
      max: Math.min(max, READDIR_BATCH),
      into: { at, room: SLOT_BYTES },
    }));
    const bytes = this.cache.view(slot);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const entries: DirEntry[] = [];
    let off = 0;
    for (let i = 0; i < count; i++) {
      const len = bytes[off + 5];
      entries.push({
        ino: dv.getUint32(off, true),
        type: bytes[off + 4],
        name: new TextDecoder().decode(bytes.subarray(off + 6, off + 6 + len)),
      });
      off += 6 + len;
    }
    return { entries, next };
  }

  create(): Promise<number> {
    readOnly();
  }
  mkdir(): Promise<number> {
    readOnly();
  }
  symlink(): Promise<number> {
    readOnly();
  }

  async readlink(ino: number): Promise<string> {
    const slot = await this.cache.transient();
    const length = await ask(this.host.readlink({
      ino,
      into: { at: this.cache.offset(slot), room: SLOT_BYTES },
    }));
    return new TextDecoder().decode(this.cache.view(slot, Math.min(length, SLOT_BYTES)));
  }

  link(): Promise<void> {
    readOnly();
  }
  unlink(): Promise<void> {
    readOnly();
  }
  rmdir(): Promise<void> {
    readOnly();
  }
  rename(): Promise<void> {
    readOnly();
  }

  async read(ino: number, offset: number, length: number): Promise<ReadResult> {
    const pieces: Uint8Array[] = [];
    let bytes = 0;
    while (bytes < length) {
      const slot = await this.cache.transient();
      const want = Math.min(SLOT_BYTES, length - bytes);
      const got = await ask(this.host.read({
        ino,
        offset: offset + bytes,
        length: want,
        at: this.cache.offset(slot),
      }));
      if (got > 0) pieces.push(this.cache.view(slot, got));
      bytes += got;
      if (got < want) break;
    }
    return { pieces, bytes };
  }

  write(): Promise<number> {
    readOnly();
  }

  evict(): Promise<void> {
    return Promise.resolve();
  }

  setOpenCheck(): void {}
  reapOrphans(): Promise<void> {
    return Promise.resolve();
  }

  fsync(): Promise<void> {
    return Promise.resolve();
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  async statfs(): Promise<FsStats> {
    const s = await ask(this.host.statfs());
    return { ...s };
  }

  unmount(): Promise<void> {
    return Promise.resolve();
  }
}
