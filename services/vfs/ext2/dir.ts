/**
 * Directories: a directory is a file of whole blocks, each a chain of entries linked by
 * rec_len (layout.ts). This module finds, lists, adds and removes entries.
 *
 * Invariants:
 * - i_size is a multiple of the block size and every block is mapped (no holes).
 * - In each block the entries tile the block exactly: every rec_len is at least the entry's
 *   header and name rounded up to 4, and the last entry ends at the block's end.
 * - Block 0 starts with "." (the directory itself) and ".." (its parent), both non-zero.
 * - A removed entry merges into the entry before it in its block; the first entry of a block
 *   has none, so it stays as a free slot (inode 0). A new entry takes the first free slot or
 *   the slack after an entry that is large enough, else a new block at the end.
 *
 * Every entry is checked as it is decoded (decodeDirent), so a corrupt block (rec_len 0, past
 * the block, an inode past the table) is EIO, and a walk visits each block once: it ends.
 */

import type { Buf } from "../cache.ts";
import { type DirEntry, type DirPage, DT, FsError } from "../fs.ts";
import type { BlockMap } from "./bmap.ts";
import { corrupt, ENOSPC } from "./errors.ts";
import {
  decodeDirent,
  type Dirent,
  direntLength,
  direntName,
  encodeDirent,
  FT,
  groupStart,
  INDEX_FL,
  type Inode,
  type NewDirent,
  setDirentIno,
  setDirentRecLen,
} from "./layout.ts";
import type { Volume } from "./volume.ts";

/** Where an entry is: its block and the entry before it in that block (if any). */
export interface Slot {
  buf: Buf;
  entry: Dirent;
  prev: Dirent | undefined;
}

/** d_type for each ext2 file type. */
const DTYPE_OF_FT = [DT.UNKNOWN, DT.REG, DT.DIR, DT.CHR, DT.BLK, DT.FIFO, DT.SOCK, DT.LNK];

const DOT = new Uint8Array([0x2e]);
const DOTDOT = new Uint8Array([0x2e, 0x2e]);
/** The largest directory: i_size is 32 bits for a directory. */
const DIR_SIZE_MAX = 2 ** 32 - 1;

const decoder = new TextDecoder();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Directory operations of one volume. */
export class Directories {
  constructor(private readonly vol: Volume, private readonly bmap: BlockMap) {}

  private blockCount(inode: Inode): number {
    const bs = this.vol.geo.blockSize;
    if (inode.size % bs !== 0 || inode.size > DIR_SIZE_MAX) {
      throw corrupt(`directory of ${inode.size} bytes`);
    }
    return inode.size / bs;
  }

  private async block(inode: Inode, l: number): Promise<Buf> {
    const block = await this.bmap.lookup(inode, l);
    if (block === 0) throw corrupt(`directory has a hole at block ${l}`);
    return await this.vol.cache.read(block);
  }

  /** The checked entries of block `l` of a directory. */
  private entries(buf: Buf, l: number): Dirent[] {
    const { blockSize, inodesCount } = this.vol.geo;
    const out: Dirent[] = [];
    for (let offset = 0; offset < blockSize;) {
      const e = decodeDirent(buf.data, offset, this.vol.hasFileType, inodesCount);
      out.push(e);
      offset += e.recLen;
    }
    if (l === 0) this.checkDots(buf.data, out);
    return out;
  }

  private checkDots(data: Uint8Array, entries: Dirent[]): void {
    const [dot, dotdot] = entries;
    if (!dot || dot.ino === 0 || !sameBytes(direntName(data, dot), DOT)) {
      throw corrupt("directory does not start with '.'");
    }
    if (!dotdot || dotdot.ino === 0 || !sameBytes(direntName(data, dotdot), DOTDOT)) {
      throw corrupt("directory's second entry is not '..'");
    }
  }

  /** The entry named `name` (bytes), or undefined. */
  async find(dir: Inode, name: Uint8Array): Promise<Slot | undefined> {
    const n = this.blockCount(dir);
    for (let l = 0; l < n; l++) {
      const buf = await this.block(dir, l);
      let prev: Dirent | undefined;
      for (const entry of this.entries(buf, l)) {
        if (entry.ino !== 0 && sameBytes(direntName(buf.data, entry), name)) {
          return { buf, entry, prev };
        }
        prev = entry;
      }
    }
    return undefined;
  }

  /**
   * At most `max` entries from position `cookie` (a byte offset in the directory; 0 is the
   * start). An offset that no longer starts an entry (entries merged since) resumes at the
   * next entry of its block.
   */
  async list(dir: Inode, cookie: number, max: number): Promise<DirPage> {
    const bs = this.vol.geo.blockSize;
    const n = this.blockCount(dir);
    const entries: DirEntry[] = [];
    for (let l = Math.floor(cookie / bs); l < n; l++) {
      const buf = await this.block(dir, l);
      for (const e of this.entries(buf, l)) {
        if (l * bs + e.offset < cookie || e.ino === 0) continue;
        if (entries.length === max) return { entries, next: l * bs + e.offset };
        entries.push({
          ino: e.ino,
          name: decoder.decode(direntName(buf.data, e)),
          type: DTYPE_OF_FT[e.fileType] ?? DT.UNKNOWN,
        });
      }
    }
    return { entries, next: 0 };
  }

  /** Whether a directory holds nothing but "." and "..". */
  async isEmpty(dir: Inode): Promise<boolean> {
    const n = this.blockCount(dir);
    for (let l = 0; l < n; l++) {
      const entries = this.entries(await this.block(dir, l), l);
      if (entries.slice(l === 0 ? 2 : 0).some((e) => e.ino !== 0)) return false;
    }
    return true;
  }

  /** The parent a directory's ".." names. */
  async parent(dir: Inode): Promise<number> {
    if (this.blockCount(dir) === 0) throw corrupt("directory has no blocks");
    const buf = await this.block(dir, 0);
    return this.entries(buf, 0)[1].ino;
  }

  /** Points a directory's ".." at `parent`. */
  async setParent(dir: Inode, parent: number): Promise<void> {
    if (this.blockCount(dir) === 0) throw corrupt("directory has no blocks");
    const buf = await this.block(dir, 0);
    const dotdot = this.entries(buf, 0)[1];
    this.vol.cache.modify(buf);
    setDirentIno(buf.data, dotdot.offset, parent);
  }

  /** Writes the first block of a new directory: "." and "..". */
  initBlock(buf: Buf, self: number, parent: number): void {
    const dotLen = direntLength(1);
    const rest = this.vol.geo.blockSize - dotLen;
    const dot = { ino: self, recLen: dotLen, name: DOT, fileType: FT.DIR };
    encodeDirent(buf.data, 0, dot, this.ft);
    encodeDirent(
      buf.data,
      dotLen,
      { ino: parent, recLen: rest, name: DOTDOT, fileType: FT.DIR },
      this.ft,
    );
  }

  /**
   * Adds the entry `name` → `ino` to directory `dirIno` (whose inode is `dir`, written back by
   * the caller): in a free slot or slack, else in a new block (ENOSPC).
   */
  async add(
    dirIno: number,
    dir: Inode,
    name: Uint8Array,
    ino: number,
    fileType: number,
  ): Promise<void> {
    const entry: NewDirent = { ino, recLen: 0, name, fileType };
    const need = direntLength(name.length);
    const n = this.blockCount(dir);
    dir.flags &= ~INDEX_FL;
    for (let l = 0; l < n; l++) {
      const buf = await this.block(dir, l);
      for (const e of this.entries(buf, l)) {
        const used = e.ino === 0 ? 0 : direntLength(e.nameLen);
        if (e.recLen - used < need) continue;
        this.vol.cache.modify(buf);
        if (used > 0) setDirentRecLen(buf.data, e.offset, used);
        encodeDirent(buf.data, e.offset + used, { ...entry, recLen: e.recLen - used }, this.ft);
        return;
      }
    }
    await this.grow(dirIno, dir, { ...entry, recLen: this.vol.geo.blockSize });
  }

  private get ft(): boolean {
    return this.vol.hasFileType;
  }

  private async grow(dirIno: number, dir: Inode, entry: NewDirent): Promise<void> {
    const bs = this.vol.geo.blockSize;
    if (dir.size + bs > DIR_SIZE_MAX) throw new FsError(ENOSPC, "ext2: directory is full");
    const l = dir.size / bs;
    const previous = l > 0 ? await this.bmap.lookup(dir, l - 1) : 0;
    const goal = previous || groupStart(this.vol.geo, this.vol.groupOfInode(dirIno));
    const { block } = await this.bmap.ensure(dir, l, goal + 1);
    const buf = await this.vol.cache.zero(block);
    encodeDirent(buf.data, 0, entry, this.ft);
    dir.size += bs;
  }

  /** Removes the entry at `slot`: merged into the one before it, or left as a free slot. */
  remove(slot: Slot, dir: Inode): void {
    this.vol.cache.modify(slot.buf);
    dir.flags &= ~INDEX_FL;
    if (slot.prev) {
      setDirentRecLen(slot.buf.data, slot.prev.offset, slot.prev.recLen + slot.entry.recLen);
    } else {
      setDirentIno(slot.buf.data, slot.entry.offset, 0);
    }
  }

  /** Points the entry at `slot` at another inode (rename over an existing name). */
  retarget(slot: Slot, ino: number, fileType: number): void {
    this.vol.cache.modify(slot.buf);
    setDirentIno(slot.buf.data, slot.entry.offset, ino);
    if (this.ft) slot.buf.data[slot.entry.offset + 7] = fileType;
  }
}
