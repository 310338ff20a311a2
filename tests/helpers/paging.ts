/**
 * Hand-built Sv32 page tables for machine tests, independent of the kernel's VM code: a bump
 * allocator of zeroed frames in the user bank and functions that write PTEs directly.
 */

import type { Machine } from "../../machine/machine.ts";
import { makeSatp, PTE_V } from "../../machine/mmu.ts";
import { RAM_BASE } from "../../machine/memory_map.ts";

/** A root page table plus a frame allocator, writing straight into the machine's RAM. */
export class TestPageTables {
  readonly root: number;
  private next: number;

  /** Frames are handed out from `firstFrame` (a physical address) upwards. */
  constructor(readonly machine: Machine, firstFrame = RAM_BASE + 0x0100_0000) {
    this.next = firstFrame;
    this.root = this.frame();
  }

  /** A fresh zeroed 4 KiB frame; returns its physical address. */
  frame(): number {
    const pa = this.next;
    this.next += 4096;
    this.machine.ram.u8.fill(0, pa - RAM_BASE, pa - RAM_BASE + 4096);
    return pa;
  }

  satp(asid = 0): number {
    return makeSatp(this.root / 4096, asid);
  }

  /** Maps the 4 KiB page at `va` to `pa` with PTE `flags` (V is added). */
  map(va: number, pa: number, flags: number): void {
    const l1 = this.root + (va >>> 22) * 4;
    let pte = this.read(l1);
    if (!(pte & PTE_V)) {
      pte = ((this.frame() / 4096) << 10) | PTE_V;
      this.write(l1, pte);
    }
    const l0 = (pte >>> 10) * 4096 + ((va >>> 12) & 0x3ff) * 4;
    this.write(l0, ((pa / 4096) << 10) | flags | PTE_V);
  }

  /** Maps the 4 MiB megapage at `va` to `pa` (both 4 MiB-aligned) with `flags`. */
  mapMega(va: number, pa: number, flags: number): void {
    this.write(this.root + (va >>> 22) * 4, ((pa / 4096) << 10) | flags | PTE_V);
  }

  /** The PTE that maps `va` (leaf), or 0. */
  leaf(va: number): number {
    const l1 = this.read(this.root + (va >>> 22) * 4);
    if (!(l1 & PTE_V) || (l1 & 0xa)) return l1;
    return this.read((l1 >>> 10) * 4096 + ((va >>> 12) & 0x3ff) * 4);
  }

  /** Overwrites the leaf PTE that maps `va`. */
  setLeaf(va: number, pte: number): void {
    const l1addr = this.root + (va >>> 22) * 4;
    const l1 = this.read(l1addr);
    if (l1 & 0xa) this.write(l1addr, pte);
    else this.write((l1 >>> 10) * 4096 + ((va >>> 12) & 0x3ff) * 4, pte);
  }

  read(pa: number): number {
    return this.machine.ram.i32[(pa - RAM_BASE) >> 2];
  }

  write(pa: number, v: number): void {
    this.machine.ram.i32[(pa - RAM_BASE) >> 2] = v;
  }
}
