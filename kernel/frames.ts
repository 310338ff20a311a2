/**
 * The physical frame allocator: every 4 KiB frame of the user bank, handed out for page
 * tables and user pages, with a reference count per frame (copy-on-write shares frames).
 *
 * Free frames sit on a stack, so allocation and release are O(1). A frame returns to the stack
 * only when its count drops to zero. Nothing here zeroes or flushes: callers zero a frame they
 * expose to a process, and the VM layer flushes TLBs before a frame may be reused. A freed
 * frame's code generation is bumped, so no hart runs code it translated from the old contents.
 */

import type { RamBank } from "../machine/bus.ts";
import { PAGE_SIZE } from "../machine/memory_map.ts";

/** The frame allocator over one RAM bank. */
export class FrameAllocator {
  readonly total: number;
  private readonly refs: Uint16Array;
  private readonly free: Int32Array;
  private freeCount: number;

  constructor(readonly bank: RamBank) {
    this.total = bank.size / PAGE_SIZE;
    this.refs = new Uint16Array(this.total);
    this.free = new Int32Array(this.total);
    // Lowest frames on top of the stack, so early allocations are at the bottom of RAM.
    for (let i = 0; i < this.total; i++) this.free[i] = this.total - 1 - i;
    this.freeCount = this.total;
  }

  /** Frames not in use. */
  get available(): number {
    return this.freeCount;
  }

  /** Allocates a frame with a count of 1; returns its physical address, or -1 if none is left. */
  alloc(): number {
    if (this.freeCount === 0) return -1;
    const f = this.free[--this.freeCount];
    this.refs[f] = 1;
    return this.bank.base + f * PAGE_SIZE;
  }

  /** Allocates a frame and fills it with zeros; -1 if none is left. */
  allocZeroed(): number {
    const pa = this.alloc();
    if (pa >= 0) this.bytes(pa).fill(0);
    return pa;
  }

  /** Adds a reference to an allocated frame. */
  retain(pa: number): void {
    const f = this.index(pa);
    if (this.refs[f] === 0) throw new Error(`retain of free frame 0x${pa.toString(16)}`);
    if (this.refs[f] === 0xffff) throw new Error(`frame 0x${pa.toString(16)}: too many references`);
    this.refs[f]++;
  }

  /** Drops a reference; the frame is free again when none is left. Returns the new count. */
  release(pa: number): number {
    const f = this.index(pa);
    if (this.refs[f] === 0) throw new Error(`double free of frame 0x${pa.toString(16)}`);
    if (--this.refs[f] === 0) {
      this.free[this.freeCount++] = f;
      this.bank.replaceFrames(pa);
    }
    return this.refs[f];
  }

  /** Current reference count of a frame. */
  refCount(pa: number): number {
    return this.refs[this.index(pa)];
  }

  /** The frame's bytes (a view, no copy). */
  bytes(pa: number): Uint8Array {
    const off = pa - this.bank.base;
    return this.bank.u8.subarray(off, off + PAGE_SIZE);
  }

  private index(pa: number): number {
    const off = pa - this.bank.base;
    if (off < 0 || off >= this.bank.size || off % PAGE_SIZE !== 0) {
      throw new RangeError(`0x${pa.toString(16)} is not a frame of ${this.bank.name}`);
    }
    return off / PAGE_SIZE;
  }
}
