/**
 * The kernel's side of the VFS protocol (abi/vfs.ts): typed calls for system calls, the
 * greeting that hands the VFS the staging region and brings back its cache region, and the
 * copy of read data from the cache straight into a process's memory.
 *
 * That copy is the one copy a read makes. A reply names extents of the cache region with the
 * generation each slot had; the kernel copies and then checks the generation again (a
 * seqlock, abi/vfs_cache.ts). A slot that changed under the copy makes the read ask again.
 * Everything the VFS says is checked before use: an extent outside the cache, a reply that
 * does not decode, are EIO — a misbehaving VFS fails calls, never the kernel.
 */

import {
  CodecError,
  decodePayload,
  encodePayload,
  type Operation,
  type Value,
} from "../abi/codec.ts";
import { CACHE_HEADER, CACHE_MAGIC, cacheSlotsOffset, SLOT_BYTES } from "../abi/vfs_cache.ts";
import {
  type Data,
  type Extent,
  HELD_NODES_MAX,
  HELD_REGION_BYTES,
  heldList,
  type HeldNode,
  HOLE,
  type Node,
  node as nodeCodec,
  VFS,
  VFS_ENDPOINT,
  VFS_RESEND,
  type WireAttr,
} from "../abi/vfs.ts";
import { EIO, ENAMETOOLONG, ENFILE, ENOENT, SyscallError } from "./errno.ts";
import type { FileStat } from "./file.ts";
import type { Stage } from "./ipc/kernel_client.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { BLOCKED } from "./wait.ts";

/** The VFS's cache region as the kernel sees it (read-only). */
interface CacheView {
  bytes: Uint8Array;
  gens: Int32Array;
  slotsOffset: number;
  slots: number;
}

/** Bytes copied by the kernel between the VFS's cache and user memory (the zero-copy tests). */
export interface VfsCopyStats {
  /** Bytes copied from cache slots into user memory (the one copy of a read). */
  readBytes: number;
  /** Reads asked again because a slot changed under the copy. */
  staleRetries: number;
}

/** The kernel's VFS client. */
export class VfsClient {
  /** The root directory, as the VFS announced it. */
  root: Node = { mount: 0, ino: 0 };
  private cache: CacheView | undefined;
  readonly stats: VfsCopyStats = { readBytes: 0, staleRetries: 0 };

  /** The nodes the kernel holds open (open file descriptions of each), by "mount:ino". */
  private readonly held = new Map<string, HeldNode>();
  /** The region the held list is written into for each greeting. */
  private readonly heldRegion: { bytes: Uint8Array; handle: number };

  constructor(private readonly k: Kernel) {
    this.heldRegion = k.client.ownRegion(HELD_REGION_BYTES);
    k.client.greet(VFS_ENDPOINT, {
      label: VFS.hello.label,
      payload: () => this.greeting(),
      handles: [this.heldRegion.handle],
      accepted: (reply) => this.hello(reply.payload, reply.handles),
    });
  }

  /** The greeting's payload: the held list, written into its region first. */
  private greeting(): Uint8Array {
    const list = encodePayload(heldList, [...this.held.values()], this.heldRegion.bytes);
    return encodePayload(VFS.hello.request, { held: list.length });
  }

  private hello(payload: Uint8Array, handles: number[]): void {
    this.root = decodePayload(nodeCodec, payload);
    if (handles.length !== 1) throw new Error("the VFS sent no cache region");
    const region = this.k.client.region(handles[0]);
    const bytes = region.bank.u8;
    const words = new Int32Array(region.bank.buffer);
    const slots = words[CACHE_HEADER.SLOTS];
    if (
      words[CACHE_HEADER.MAGIC] !== CACHE_MAGIC || words[CACHE_HEADER.SLOT_BYTES] !== SLOT_BYTES ||
      slots <= 0 || cacheSlotsOffset(slots) + slots * SLOT_BYTES > bytes.length
    ) {
      throw new Error("the VFS's cache region has a bad header");
    }
    this.cache = {
      bytes,
      gens: words.subarray(CACHE_HEADER.GENS, CACHE_HEADER.GENS + slots),
      slotsOffset: cacheSlotsOffset(slots),
      slots,
    };
  }

  /**
   * One VFS operation for `p`'s system call: its decoded reply (and the staging slot, for
   * output the VFS left there), or BLOCKED. A negative label is thrown as SyscallError.
   */
  call<Req, Rep>(
    p: Process,
    op: Operation<Req, Rep>,
    request: (data: Data) => Req,
    stage?: Stage,
    orphan?: (reply: Rep) => void,
  ): { value: Rep; slot: Uint8Array } | typeof BLOCKED {
    const r = this.k.client.call(
      p,
      VFS_ENDPOINT,
      op.label,
      (data) => encodePayload(op.request, request(data)),
      {
        stage,
        orphan: orphan && ((reply) => {
          if (reply.label >= 0) orphan(this.decode(op, reply.payload));
        }),
        resend: VFS_RESEND.has(op.label),
      },
    );
    if (r === BLOCKED) return BLOCKED;
    if (r.reply.label < 0) throw new SyscallError(-r.reply.label, `vfs: error ${-r.reply.label}`);
    return { value: this.decode(op, r.reply.payload), slot: r.slot };
  }

  private decode<Req, Rep>(op: Operation<Req, Rep>, payload: Uint8Array): Rep {
    try {
      return decodePayload(op.reply, payload);
    } catch (e) {
      if (e instanceof CodecError) {
        throw new SyscallError(EIO, `vfs: malformed reply: ${e.message}`);
      }
      throw e;
    }
  }

  /**
   * VFS.open for `p`: the node it answers is held by the kernel (counted for the next VFS
   * instance's greeting) until `closed`. ENFILE past HELD_NODES_MAX distinct nodes.
   */
  open(
    p: Process,
    request: (data: Data) => Value<typeof VFS.open.request>,
    stage: Stage,
  ): WireAttr | typeof BLOCKED {
    const r = this.call(p, VFS.open, request, stage, (attr) => this.post(nodeOf(attr)));
    if (r === BLOCKED) return BLOCKED;
    const k = `${r.value.mount}:${r.value.ino}`;
    const held = this.held.get(k);
    if (held) held.count++;
    else if (this.held.size >= HELD_NODES_MAX) {
      this.post(nodeOf(r.value));
      throw new SyscallError(ENFILE, "too many open files in the system");
    } else this.held.set(k, { mount: r.value.mount, ino: r.value.ino, count: 1 });
    return r.value;
  }

  /** The kernel let go of one open of `node` (from `open`): the VFS is told. */
  closed(node: Node): void {
    const k = `${node.mount}:${node.ino}`;
    const held = this.held.get(k);
    if (held && --held.count === 0) this.held.delete(k);
    this.post(node);
  }

  private post(node: Node): void {
    this.k.client.post(VFS_ENDPOINT, VFS.close.label, encodePayload(VFS.close.request, node));
  }

  /**
   * Copies `bytes` of read data, described by `extents`, to `sink` (user memory, or a kernel
   * buffer for exec), in order. Returns false if a cache slot changed under the copy (ask
   * again); EIO for extents that do not make sense.
   */
  copyExtents(
    extents: Extent[],
    bytes: number,
    sink: (at: number, data: Uint8Array) => void,
  ): boolean {
    const cache = this.cache;
    if (!cache) throw new SyscallError(EIO, "vfs: no cache region");
    let at = 0;
    for (const e of extents) {
      if (e.len === 0 || at + e.len > bytes) throw new SyscallError(EIO, "vfs: bad extent");
      if (e.at === HOLE) {
        sink(at, new Uint8Array(e.len));
        at += e.len;
        continue;
      }
      const rel = e.at - cache.slotsOffset;
      const slot = Math.floor(rel / SLOT_BYTES);
      if (rel < 0 || slot >= cache.slots || (rel % SLOT_BYTES) + e.len > SLOT_BYTES) {
        throw new SyscallError(EIO, "vfs: extent outside the cache");
      }
      if (Atomics.load(cache.gens, slot) !== e.gen || (e.gen & 1) !== 0) {
        this.stats.staleRetries++;
        return false;
      }
      sink(at, cache.bytes.subarray(e.at, e.at + e.len));
      if (Atomics.load(cache.gens, slot) !== e.gen) {
        this.stats.staleRetries++;
        return false;
      }
      at += e.len;
    }
    if (at !== bytes) throw new SyscallError(EIO, "vfs: extents do not add up");
    this.stats.readBytes += bytes;
    return true;
  }
}

/** A FileStat from the VFS's attributes. */
export function statOf(a: WireAttr): FileStat {
  return {
    dev: a.mount,
    rdev: a.rdev,
    ino: a.ino,
    mode: a.mode,
    nlink: a.nlink,
    uid: a.uid,
    gid: a.gid,
    size: a.size,
    blocks: a.blocks,
    blksize: a.blksize,
    atimeNs: a.atimeNs,
    mtimeNs: a.mtimeNs,
    ctimeNs: a.ctimeNs,
    btimeNs: a.btimeNs,
  };
}

/** The node of an attribute record. */
export function nodeOf(a: WireAttr): Node {
  return { mount: a.mount, ino: a.ino };
}

/** Longest path accepted from a program, in bytes, its NUL included (PATH_MAX). */
export const PATH_MAX = 4096;
/** The *at calls' "relative to the working directory". */
export const AT_FDCWD = -100;

/**
 * A path from user memory: ENAMETOOLONG past PATH_MAX, ENOENT if empty (unless `emptyOk`),
 * EINVAL if it is not UTF-8.
 */
export function readPath(p: Process, ptr: number, emptyOk = false): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = p.as.readBytes(ptr, PATH_MAX - 1);
  } catch (e) {
    if (e instanceof SyscallError && e.message === "string too long") {
      throw new SyscallError(ENAMETOOLONG);
    }
    throw e;
  }
  if (bytes.length === 0 && !emptyOk) throw new SyscallError(ENOENT);
  return bytes;
}

/** Request data that is one path, or several joined by NULs. */
export function stagePaths(...paths: Uint8Array[]): Stage {
  const bytes = paths.reduce((n, b) => n + b.length, 0) + paths.length - 1;
  return {
    bytes,
    fill(slot) {
      let at = 0;
      for (const [i, b] of paths.entries()) {
        if (i > 0) slot[at++] = 0;
        slot.set(b, at);
        at += b.length;
      }
    },
  };
}

/** The directory a relative path starts from: the working directory or `dirfd`'s node. */
export function baseNode(p: Process, dirfd: number): Node {
  if (dirfd === AT_FDCWD) return p.cwd.node;
  return p.fds.get(dirfd).node();
}
