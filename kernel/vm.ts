/**
 * Address spaces: a process's Sv32 page tables in physical memory, its virtual memory areas,
 * demand-zero paging, and the kernel's checked access to user memory.
 *
 * Layers, bottom up:
 * 1. Page tables: a root frame and level-0 frames allocated on demand, each PTE written as the
 *    MMU reads it (V/R/W/X/U; A and D are set by the MMU's walker).
 * 2. Areas (Vma): ranges with a protection and a kind. A page inside an area but not yet
 *    mapped is materialised on the first fault (zero-filled); a fault outside every area is the
 *    process's error (SIGSEGV). The stack area has no area below it: the guard page.
 * 3. Copy-on-write: `fork` shares every private writable page read-only with the COW bit (a
 *    PTE software bit) set in both address spaces; the first store to such a page takes a page
 *    fault, and the fault gets a private copy (or, if no one else shares the frame any more,
 *    simply gets write permission back).
 * 4. User access from the kernel (copyIn/copyOut/readString): every byte goes through the same
 *    page walker the hart uses, with user permissions, so a pointer the process could not use
 *    itself fails with EFAULT.
 *
 * Limits: an address space may hold at most `limitPages` pages, counting its resident user pages
 * and the IPC regions its process created (`regionPages`); a fault beyond that fails with
 * ENOMEM ("memory limit"), as does running out of physical frames.
 *
 * Pages outside the user bank (IPC regions) are never the frame allocator's: their mappings are
 * counted for the IPC layer instead (ForeignPages), so that a region is freed only when no
 * page table maps it and no TLB can reach it.
 *
 * Invariant: a frame removed from a mapping is released only through `tlb.defer`, after every
 * hart that might cache the mapping has flushed it, so no hart can reach a reused frame
 * through a stale TLB entry.
 */

import type { Bus } from "../machine/bus.ts";
import { PAGE_SIZE } from "../machine/memory_map.ts";
import {
  type Access,
  ACCESS_READ,
  ACCESS_WRITE,
  makeSatp,
  PageWalker,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE_X,
} from "../machine/mmu.ts";
import { EACCES, EFAULT, ENOMEM, SyscallError } from "./errno.ts";
import type { FrameAllocator } from "./frames.ts";

/** Protection bits of an area, in PTE terms (PTE_R | PTE_W | PTE_X). */
export type Prot = number;

/** Counts the mappings of pages outside the user bank (IPC regions' pages). */
export interface ForeignPages {
  /** A page-table entry now maps `pa`. */
  mapped(pa: number): void;
  /** An entry that mapped `pa` is gone, and no TLB holds it any more. */
  unmapped(pa: number): void;
}

/**
 * Memory that several areas map (MAP_SHARED): the frames of its pages, filled on demand, and
 * kept as long as some area maps it. Fork shares the object, so parent and child see the same
 * pages even where neither had touched them yet.
 */
export class SharedMemory {
  /** Frame of each page, or -1 until first touched. */
  readonly pages: number[];
  /** Areas mapping this object. */
  refs = 0;

  constructor(private readonly frames: FrameAllocator, sizePages: number) {
    this.pages = new Array(sizePages).fill(-1);
  }

  /** The frame of page `n`, allocated zeroed on first use; -1 if memory is exhausted. */
  frame(n: number): number {
    if (this.pages[n] < 0) this.pages[n] = this.frames.allocZeroed();
    return this.pages[n];
  }

  /** Drops one area's reference; the frames go with the last. */
  release(): void {
    if (--this.refs > 0) return;
    for (const pa of this.pages) if (pa >= 0) this.frames.release(pa);
    this.pages.fill(-1);
  }
}

/** A virtual memory area: [start, end), page-aligned. */
export interface Vma {
  start: number;
  end: number;
  prot: Prot;
  kind: "image" | "heap" | "stack" | "anon" | "trampoline" | "region";
  /** For a mapped IPC region: its id (revocation finds the mappings by it). */
  regionId?: number;
  /**
   * The most protection mprotect may give it, where that is less than everything: what a
   * region's handle allowed; read and execute for the trampoline, one frame every process maps.
   */
  maxProt?: Prot;
  /** MAP_SHARED: the object behind the area, and which of its pages is at `start`. */
  shared?: { memory: SharedMemory; firstPage: number };
}

/** How the VM layer asks the harts to forget stale translations. */
export interface TlbControl {
  flushPage(asid: number, va: number): void;
  flushAsid(asid: number): void;
  /**
   * Runs `fn` once every flush requested so far has taken effect on every hart: at once (`now`
   * true) when none is pending, else later, from whatever trap completes the last one.
   */
  defer(fn: (now: boolean) => void): void;
}

const PROT_MASK = PTE_R | PTE_W | PTE_X;
/** PTE software bit marking a page shared copy-on-write. */
export const PTE_COW = 1 << 8;

/** A process's address space. */
export class AddressSpace {
  readonly root: number;
  readonly vmas: Vma[] = [];
  /** User pages currently mapped (not counting page tables). */
  residentPages = 0;
  /** Pages of the live IPC regions its process created, counted against `limitPages`. */
  regionPages = 0;
  /** Processes (threads) using this address space. */
  users = 0;
  /** Most user pages ever resident at once. */
  maxResidentPages = 0;
  private readonly walker: PageWalker;
  private readonly ramI32: Int32Array;

  constructor(
    private readonly frames: FrameAllocator,
    private readonly bus: Bus,
    private readonly tlb: TlbControl,
    readonly asid: number,
    readonly limitPages: number,
    private readonly foreign: ForeignPages,
  ) {
    const root = frames.allocZeroed();
    if (root < 0) throw new SyscallError(ENOMEM, "out of memory for a page table");
    this.root = root;
    this.walker = new PageWalker(bus);
    this.ramI32 = frames.bank.i32;
  }

  /** The satp value that selects this address space. */
  get satp(): number {
    return makeSatp(this.root / PAGE_SIZE, this.asid);
  }

  /** Adds an area. Areas must not overlap. */
  addVma(vma: Vma): void {
    if (vma.start % PAGE_SIZE || vma.end % PAGE_SIZE || vma.end <= vma.start) {
      throw new RangeError(`bad area 0x${vma.start.toString(16)}-0x${vma.end.toString(16)}`);
    }
    if (this.vmas.some((v) => vma.start < v.end && v.start < vma.end)) {
      throw new RangeError(`area 0x${vma.start.toString(16)} overlaps an existing one`);
    }
    if (vma.shared) vma.shared.memory.refs++;
    this.vmas.push(vma);
    this.vmas.sort((a, b) => a.start - b.start);
  }

  /** The area containing `va`, if any. */
  findVma(va: number): Vma | undefined {
    va >>>= 0;
    return this.vmas.find((v) => va >= v.start && va < v.end);
  }

  /** Whether [start, end) is free of areas. */
  isFree(start: number, end: number): boolean {
    return !this.vmas.some((v) => start < v.end && v.start < end);
  }

  /**
   * The highest free, page-aligned range of `length` bytes that ends at or below `top` and
   * starts at or above `bottom`; -1 if there is none.
   */
  findFree(length: number, bottom: number, top: number): number {
    let end = top;
    for (let n = this.vmas.length - 1; n >= -1; n--) {
      const v = this.vmas[n];
      if (v && v.start >= end) continue;
      const gapStart = v ? Math.max(v.end, bottom) : bottom;
      if (end - gapStart >= length) return end - length;
      if (!v) break;
      end = Math.min(end, v.start);
    }
    return -1;
  }

  /** Removes [start, end) from every area (splitting them) and unmaps its pages. */
  removeRange(start: number, end: number): void {
    this.splitAt(start);
    this.splitAt(end);
    for (let n = this.vmas.length - 1; n >= 0; n--) {
      const v = this.vmas[n];
      if (v.start >= start && v.end <= end) {
        for (let va = v.start; va < v.end; va += PAGE_SIZE) this.unmapPage(va);
        this.vmas.splice(n, 1);
        const memory = v.shared?.memory;
        if (memory) this.tlb.defer(() => memory.release());
      }
    }
  }

  /**
   * Changes the protection of [start, end), which must be covered by areas (else false), and
   * of every page already mapped there. EACCES beyond an area's `maxProt`.
   */
  protectRange(start: number, end: number, prot: Prot): boolean {
    for (let va = start; va < end; va += PAGE_SIZE) {
      const vma = this.findVma(va);
      if (!vma) return false;
      if (vma.maxProt !== undefined && prot & ~vma.maxProt) {
        throw new SyscallError(EACCES, "protection beyond what the mapping allows");
      }
    }
    this.splitAt(start);
    this.splitAt(end);
    for (const v of this.vmas) {
      if (v.start < start || v.end > end) continue;
      v.prot = prot;
      for (let va = v.start; va < v.end; va += PAGE_SIZE) {
        const slot = this.leafSlot(va, false);
        const pte = this.ramI32[slot];
        if (slot < 0 || !(pte & PTE_V)) continue;
        // A copy-on-write page gets write permission only when a store breaks the sharing.
        const bits = prot & PROT_MASK & (pte & PTE_COW ? ~PTE_W : -1);
        this.ramI32[slot] = (pte & ~PROT_MASK) | bits;
        this.tlb.flushPage(this.asid, va);
      }
    }
    return true;
  }

  /** Splits the area containing `va` (if any) so that an area boundary falls at `va`. */
  private splitAt(va: number): void {
    const v = this.findVma(va);
    if (!v || v.start === va) return;
    const shared = v.shared &&
      { memory: v.shared.memory, firstPage: v.shared.firstPage + (va - v.start) / PAGE_SIZE };
    if (shared) shared.memory.refs++;
    this.vmas.splice(this.vmas.indexOf(v) + 1, 0, { ...v, start: va, shared });
    v.end = va;
  }

  /** Maps the page at `va` to frame `pa` with protection `prot` (takes over one reference). */
  mapPage(va: number, pa: number, prot: Prot): void {
    const slot = this.leafSlot(va, true);
    const old = this.ramI32[slot];
    if (old & PTE_V) throw new Error(`page 0x${(va >>> 0).toString(16)} is already mapped`);
    this.ramI32[slot] = ((pa / PAGE_SIZE) << 10) | (prot & PROT_MASK) | PTE_U | PTE_V;
    this.residentPages++;
    this.maxResidentPages = Math.max(this.maxResidentPages, this.residentPages);
  }

  /**
   * Maps the page at `va` to `pa` in a bank other than the user bank (an IPC region): not
   * counted against the memory limit, never released to the frame allocator.
   */
  mapForeignPage(va: number, pa: number, prot: Prot): void {
    const slot = this.leafSlot(va, true);
    if (this.ramI32[slot] & PTE_V) {
      throw new Error(`page 0x${(va >>> 0).toString(16)} is already mapped`);
    }
    this.ramI32[slot] = ((pa / PAGE_SIZE) << 10) | (prot & PROT_MASK) | PTE_U | PTE_V;
    this.foreign.mapped(pa);
  }

  /** Unmaps the page at `va` if mapped; its frame is released once no TLB can reach it. */
  unmapPage(va: number): void {
    const slot = this.leafSlot(va, false);
    if (slot < 0) return;
    const pte = this.ramI32[slot];
    if (!(pte & PTE_V)) return;
    this.ramI32[slot] = 0;
    this.tlb.flushPage(this.asid, va);
    const pa = (pte >>> 10) * PAGE_SIZE;
    if (!this.ownsFrame(pa)) {
      this.tlb.defer(() => this.foreign.unmapped(pa));
      return;
    }
    this.tlb.defer(() => this.frames.release(pa));
    this.residentPages--;
  }

  /** Whether `pa` is a frame of the user bank (the allocator's), not a region's page. */
  private ownsFrame(pa: number): boolean {
    return this.frames.bank.contains(pa, PAGE_SIZE);
  }

  /**
   * A copy of this address space for a child (fork) with ASID `asid`: the same areas, shared
   * pages shared, private writable pages turned copy-on-write in both.
   */
  fork(asid: number): AddressSpace {
    const child = new AddressSpace(
      this.frames,
      this.bus,
      this.tlb,
      asid,
      this.limitPages,
      this.foreign,
    );
    for (const v of this.vmas) {
      if (v.shared) v.shared.memory.refs++;
      child.vmas.push({ ...v });
    }
    let downgraded = false;
    try {
      for (let i = 0; i < 1024; i++) {
        const l1 = this.ramI32[this.index(this.root) + i];
        if (!(l1 & PTE_V)) continue;
        const table = this.index((l1 >>> 10) * PAGE_SIZE);
        for (let j = 0; j < 1024; j++) {
          let pte = this.ramI32[table + j];
          if (!(pte & PTE_V)) continue;
          const va = (i << 22 | j << 12) >>> 0;
          const vma = this.findVma(va);
          const slot = child.leafSlot(va, true);
          if (pte & PTE_W && !vma?.shared && vma?.kind !== "region") {
            pte = (pte & ~PTE_W) | PTE_COW;
            this.ramI32[table + j] = pte;
            downgraded = true;
          }
          this.ramI32[slot] = pte;
          const pa = (pte >>> 10) * PAGE_SIZE;
          if (!this.ownsFrame(pa)) {
            this.foreign.mapped(pa);
            continue;
          }
          this.frames.retain(pa);
          child.residentPages++;
        }
      }
    } catch (e) {
      child.destroy(); // out of frames for a page table: undo what was copied
      throw e;
    } finally {
      if (downgraded) this.tlb.flushAsid(this.asid);
    }
    return child;
  }

  /** The leaf PTE for `va`, or 0 if unmapped. */
  pte(va: number): number {
    const slot = this.leafSlot(va, false);
    return slot < 0 ? 0 : this.ramI32[slot];
  }

  /**
   * Resolves a page fault the process took at `va`: materialises a zero page if `va` lies in
   * an area that allows the access. Returns false if the access is the process's error.
   * Throws SyscallError(ENOMEM) if no frame is left.
   */
  handleFault(va: number, access: Access): boolean {
    const vma = this.findVma(va);
    if (!vma) return false;
    const need = access === ACCESS_READ ? PTE_R : access === ACCESS_WRITE ? PTE_W : PTE_X;
    if (!(vma.prot & need)) return false;
    const pte = this.pte(va);
    if (pte & PTE_V) {
      if (pte & need) return true; // another thread resolved it first
      if (access === ACCESS_WRITE && pte & PTE_COW) {
        this.breakCow(va, pte);
        return true;
      }
      return false; // mapped, yet the access was refused
    }
    if (this.residentPages + this.regionPages >= this.limitPages) {
      throw new SyscallError(ENOMEM, `memory limit of ${this.limitPages * PAGE_SIZE / 1024} KiB`);
    }
    const page = (va >>> 0) - ((va >>> 0) % PAGE_SIZE);
    let pa: number;
    if (vma.shared) {
      pa = vma.shared.memory.frame(vma.shared.firstPage + (page - vma.start) / PAGE_SIZE);
      if (pa >= 0) this.frames.retain(pa);
    } else {
      pa = this.frames.allocZeroed();
    }
    if (pa < 0) throw new SyscallError(ENOMEM, "out of physical memory");
    this.mapPage(page, pa, vma.prot);
    return true;
  }

  /** Gives the faulting address space its own writable copy of a copy-on-write page. */
  private breakCow(va: number, pte: number): void {
    const slot = this.leafSlot(va, false);
    const old = (pte >>> 10) * PAGE_SIZE;
    if (this.frames.refCount(old) === 1) {
      this.ramI32[slot] = (pte & ~PTE_COW) | PTE_W;
      return;
    }
    const copy = this.frames.alloc();
    if (copy < 0) throw new SyscallError(ENOMEM, "out of physical memory");
    this.frames.bytes(copy).set(this.frames.bytes(old));
    this.ramI32[slot] = ((copy / PAGE_SIZE) << 10) | (pte & 0x3ff & ~PTE_COW) | PTE_W;
    this.tlb.flushPage(this.asid, va & ~(PAGE_SIZE - 1));
    this.tlb.defer(() => this.frames.release(old));
  }

  /** Checks that the process may perform `access` on every byte of [va, va+length); EFAULT. */
  checkAccess(va: number, length: number, access: Access): void {
    this.forEachChunk(va, length, access, () => {});
  }

  /** Copies `length` bytes from user memory at `va`; EFAULT if any byte is not readable. */
  copyIn(va: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.forEachChunk(va, length, ACCESS_READ, (view, at) => out.set(view, at));
    return out;
  }

  /** Copies `dst.length` bytes from user memory at `va` into `dst`; EFAULT. */
  copyInto(va: number, dst: Uint8Array): void {
    this.forEachChunk(va, dst.length, ACCESS_READ, (view, at) => dst.set(view, at));
  }

  /** Copies `data` to user memory at `va`; EFAULT (and nothing written past the fault). */
  copyOut(va: number, data: Uint8Array): void {
    this.forEachChunk(va, data.length, ACCESS_WRITE, (view, at) => {
      view.set(data.subarray(at, at + view.length));
    });
  }

  /** Reads a NUL-terminated string of at most `max` bytes (without the NUL). */
  readString(va: number, max: number): string {
    return new TextDecoder().decode(this.readBytes(va, max));
  }

  /**
   * Reads the bytes of a NUL-terminated string of at most `max` bytes (without the NUL);
   * EFAULT with the message "string too long" past `max`.
   */
  readBytes(va: number, max: number): Uint8Array {
    const bytes: number[] = [];
    for (;;) {
      const chunk = this.userView(va + bytes.length, ACCESS_READ);
      const stop = Math.min(chunk.length, max + 1 - bytes.length);
      for (let i = 0; i < stop; i++) {
        if (chunk[i] === 0) return new Uint8Array(bytes);
        bytes.push(chunk[i]);
      }
      if (bytes.length > max) throw new SyscallError(EFAULT, "string too long");
    }
  }

  /**
   * The physical address behind user address `va`, made present and writable first (futex
   * keys: a later copy-on-write break cannot move it). EFAULT if the process cannot write it.
   */
  physicalAddress(va: number): number {
    const view = this.userView(va, ACCESS_WRITE);
    const bank = this.frames.bank;
    if (view.buffer !== bank.buffer) throw new SyscallError(EFAULT, "not in the user bank");
    return bank.base + view.byteOffset;
  }

  /** Reads a 32-bit word from user memory. */
  read32(va: number): number {
    const b = this.copyIn(va, 4);
    return b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
  }

  /** Writes a 32-bit word to user memory. */
  write32(va: number, value: number): void {
    this.copyOut(va, new Uint8Array([value, value >>> 8, value >>> 16, value >>> 24]));
  }

  /**
   * Frees every user page and page table (once no TLB can reach them); the address space is
   * unusable afterwards.
   */
  destroy(): void {
    const release: number[] = [];
    const foreign: number[] = [];
    for (let i = 0; i < 1024; i++) {
      const l1 = this.ramI32[this.index(this.root) + i];
      if (!(l1 & PTE_V)) continue;
      const table = (l1 >>> 10) * PAGE_SIZE;
      for (let j = 0; j < 1024; j++) {
        const pte = this.ramI32[this.index(table) + j];
        const pa = (pte >>> 10) * PAGE_SIZE;
        if (pte & PTE_V) (this.ownsFrame(pa) ? release : foreign).push(pa);
      }
      release.push(table);
    }
    release.push(this.root);
    const objects = this.vmas.flatMap((v) => v.shared ? [v.shared.memory] : []);
    this.tlb.flushAsid(this.asid);
    this.tlb.defer(() => {
      release.forEach((pa) => this.frames.release(pa));
      foreign.forEach((pa) => this.foreign.unmapped(pa));
      objects.forEach((m) => m.release());
    });
    this.residentPages = 0;
    this.vmas.length = 0;
  }

  /** Calls `fn` with a view of each page-sized piece of [va, va+length), checked for `access`. */
  private forEachChunk(
    va: number,
    length: number,
    access: Access,
    fn: (view: Uint8Array, at: number) => void,
  ): void {
    if (length < 0 || va + length > 2 ** 32) throw new SyscallError(EFAULT, "range wraps");
    let at = 0;
    while (at < length) {
      const view = this.userView(va + at, access);
      const n = Math.min(view.length, length - at);
      fn(view.subarray(0, n), at);
      at += n;
    }
  }

  /** A view from `va` to the end of its page, if the process may perform `access` there. */
  private userView(va: number, access: Access): Uint8Array {
    va >>>= 0;
    let pa = this.walker.translate(this.satp, va, access);
    if (pa < 0 && this.handleFault(va, access)) pa = this.walker.translate(this.satp, va, access);
    if (pa < 0) throw new SyscallError(EFAULT, `bad user address 0x${va.toString(16)}`);
    const bank = this.bus.bankAt(pa, 1);
    if (!bank) throw new SyscallError(EFAULT, `user address 0x${va.toString(16)} is not RAM`);
    const off = pa - bank.base;
    return bank.u8.subarray(off, off + (PAGE_SIZE - (va & (PAGE_SIZE - 1))));
  }

  /** Index in the bank's Int32Array of the leaf PTE slot for `va`; -1 if no table and !create. */
  private leafSlot(va: number, create: boolean): number {
    const l1 = this.index(this.root) + (va >>> 22);
    let pte = this.ramI32[l1];
    if (!(pte & PTE_V)) {
      if (!create) return -1;
      const table = this.frames.allocZeroed();
      if (table < 0) throw new SyscallError(ENOMEM, "out of memory for a page table");
      pte = ((table / PAGE_SIZE) << 10) | PTE_V;
      this.ramI32[l1] = pte;
    }
    return this.index((pte >>> 10) * PAGE_SIZE) + ((va >>> 12) & 0x3ff);
  }

  private index(pa: number): number {
    return (pa - this.frames.bank.base) >> 2;
  }
}
