/**
 * Sv32 address translation: the page-table walker and the per-hart TLB.
 *
 * The walker follows the privileged specification's algorithm (section "Virtual Address
 * Translation Process") over page tables that live in emulated physical RAM: two levels of
 * 1024 four-byte PTEs, 4 KiB pages and 4 MiB megapages. Accesses come from U-mode, so a leaf
 * must have U set. Accessed and dirty bits are set by the walker itself (the Svadu behaviour),
 * atomically with a compare-and-swap on the PTE so that harts on other threads and the kernel
 * never lose an update.
 *
 * The TLB is direct-mapped, indexed by the page number XORed with a per-ASID offset
 * (`tlbSpread`), and tagged with the ASID (or a "bare" bit when translation is off).
 * It caches only pages of the user bank, as a byte offset into that bank, with one tag array
 * per access kind so that the CPU's fast path is one compare. Write permission is cached only
 * once D is set, so the first store to a clean page walks and sets D. The TLB lives in a
 * SharedArrayBuffer so that the kernel can flush a stopped hart's TLB from its own thread;
 * nothing flushes it implicitly (flushing is the kernel's job, as with sfence.vma).
 */

import type { Bus } from "./bus.ts";

export const PTE_V = 1 << 0;
export const PTE_R = 1 << 1;
export const PTE_W = 1 << 2;
export const PTE_X = 1 << 3;
export const PTE_U = 1 << 4;
export const PTE_G = 1 << 5;
export const PTE_A = 1 << 6;
export const PTE_D = 1 << 7;

/** satp.MODE = Sv32. */
export const SATP_SV32 = 0x8000_0000 | 0;

/** Builds a satp value. */
export function makeSatp(rootPpn: number, asid = 0): number {
  return SATP_SV32 | ((asid & 0x1ff) << 22) | (rootPpn & 0x3f_ffff);
}

/** Kinds of access, as the walker and fault codes know them. */
export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;
export type Access = typeof ACCESS_READ | typeof ACCESS_WRITE | typeof ACCESS_EXEC;

/** Exception causes by access kind: [page fault, access fault]. */
const PAGE_FAULT = [13, 15, 12];
const ACCESS_FAULT = [5, 7, 1];

/** Number of TLB entries per hart (a power of two). */
export const TLB_ENTRIES = 1024;
export const TLB_MASK = TLB_ENTRIES - 1;
const BARE_TAG = 1 << 29;
const INVALID = -1;

/** The TLB tag base for a satp value: the ASID, or the bare bit when translation is off. */
export function tlbTagBase(satp: number): number {
  return satp < 0 ? ((satp >>> 22) & 0x1ff) << 20 : BARE_TAG;
}

/** Odd, so that each address space's index offset differs from every other's. */
const TLB_SPREAD = 613;

/**
 * What the TLB index of a page is XORed with in the address space of tag base `tagBase`.
 * Processes forked from one another use the same virtual pages; indexed by the page alone, two
 * of them sharing a hart evicted each other's code, stack and data at every switch
 * (bench_pipepingpong on threaded harts: 5.6 refills per round trip). Hot paths work it out
 * once per run and index as `tlbIndex` does.
 */
export function tlbSpread(tagBase: number): number {
  return Math.imul(tagBase >>> 20, TLB_SPREAD) & TLB_MASK;
}

/** The TLB entry of page `vpn` in the address space of tag base `tagBase`. */
export function tlbIndex(tagBase: number, vpn: number): number {
  return (vpn ^ tlbSpread(tagBase)) & TLB_MASK;
}

/** One hart's TLB, in shared memory. */
export class Tlb {
  /** Tag (tag base | VPN) valid for reads, writes and fetches; -1 where not permitted. */
  readonly tagRead: Int32Array;
  readonly tagWrite: Int32Array;
  readonly tagExec: Int32Array;
  /** Byte offset of the page inside the user bank. */
  readonly offset: Int32Array;
  /** 1 where the entry was filled from a megapage leaf. */
  readonly megapage: Int32Array;
  /** Flush count (for observability). */
  readonly stats: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    const n = TLB_ENTRIES;
    this.tagRead = new Int32Array(buffer, 0, n);
    this.tagWrite = new Int32Array(buffer, 4 * n, n);
    this.tagExec = new Int32Array(buffer, 8 * n, n);
    this.offset = new Int32Array(buffer, 12 * n, n);
    this.megapage = new Int32Array(buffer, 16 * n, n);
    this.stats = new Int32Array(buffer, 20 * n, 2);
  }

  /** A new, empty TLB buffer. */
  static allocate(): SharedArrayBuffer {
    const sab = new SharedArrayBuffer(20 * TLB_ENTRIES + 8);
    const tlb = new Tlb(sab);
    tlb.flushAll();
    tlb.stats.fill(0);
    return sab;
  }

  /** Caches a translation. Permissions are the leaf PTE's after A/D update. */
  fill(tagBase: number, va: number, pageOffset: number, pte: number, megapage: boolean): void {
    const vpn = va >>> 12;
    const e = tlbIndex(tagBase, vpn);
    const tag = tagBase | vpn;
    this.tagRead[e] = pte & PTE_R ? tag : INVALID;
    this.tagWrite[e] = (pte & (PTE_W | PTE_D)) === (PTE_W | PTE_D) ? tag : INVALID;
    this.tagExec[e] = pte & PTE_X ? tag : INVALID;
    this.offset[e] = pageOffset;
    this.megapage[e] = megapage ? 1 : 0;
  }

  /** Forgets every translation (sfence.vma x0, x0). */
  flushAll(): void {
    this.tagRead.fill(INVALID);
    this.tagWrite.fill(INVALID);
    this.tagExec.fill(INVALID);
    this.stats[0]++;
  }

  /** Forgets every translation of one address space (sfence.vma x0, asid). */
  flushAsid(asid: number): void {
    for (let e = 0; e < TLB_ENTRIES; e++) {
      const tag = this.tagOf(e);
      if (tag !== INVALID && tag >>> 20 === asid) this.invalidate(e);
    }
    this.stats[0]++;
  }

  /**
   * Forgets the translation of the page holding `va` (sfence.vma va, asid), in one address
   * space or, with asid -1, in all. A megapage leaf is forgotten across its whole 4 MiB.
   */
  flushPage(va: number, asid = -1): void {
    const vpn = va >>> 12;
    const matches = (tag: number) => tag !== INVALID && (asid < 0 || tag >>> 20 === asid);
    // Each address space keeps the page at its own index, so every entry is looked at.
    for (let i = 0; i < TLB_ENTRIES; i++) {
      const tag = this.tagOf(i);
      if (!matches(tag)) continue;
      const page = tag & 0xf_ffff;
      if (page === vpn || (this.megapage[i] && page >>> 10 === vpn >>> 10)) this.invalidate(i);
    }
    this.stats[0]++;
  }

  private tagOf(e: number): number {
    const r = this.tagRead[e];
    if (r !== INVALID) return r;
    const x = this.tagExec[e];
    return x !== INVALID ? x : this.tagWrite[e];
  }

  private invalidate(e: number): void {
    this.tagRead[e] = INVALID;
    this.tagWrite[e] = INVALID;
    this.tagExec[e] = INVALID;
  }
}

/** Result details of the last successful walk. */
export interface WalkResult {
  /** Physical address of the access. */
  paddr: number;
  /** The leaf PTE after the A/D update. */
  pte: number;
  /** Whether the leaf was a megapage. */
  megapage: boolean;
}

/**
 * Walks Sv32 page tables in physical memory. Returns the physical address (>= 0) or minus
 * the exception cause (page fault or access fault for that access kind).
 */
export class PageWalker {
  /** Details of the last successful walk (valid until the next call). */
  readonly last: WalkResult = { paddr: 0, pte: 0, megapage: false };

  constructor(private readonly bus: Bus) {}

  translate(satp: number, va: number, access: Access): number {
    va >>>= 0;
    if (satp >= 0) { // MODE = Bare: no translation
      this.last.paddr = va;
      this.last.pte = PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D;
      this.last.megapage = false;
      return va;
    }
    for (;;) {
      let table = (satp & 0x3f_ffff) * 4096;
      let level = 1;
      let pteAddr = 0;
      let pte = 0;
      for (;;) {
        const vpn = level === 1 ? va >>> 22 : (va >>> 12) & 0x3ff;
        pteAddr = table + vpn * 4;
        const bank = this.bus.bankAt(pteAddr, 4);
        if (!bank) return -ACCESS_FAULT[access];
        pte = Atomics.load(bank.i32, (pteAddr - bank.base) >> 2);
        if (!(pte & PTE_V) || ((pte & (PTE_R | PTE_W)) === PTE_W)) return -PAGE_FAULT[access];
        if (pte & (PTE_R | PTE_X)) break; // leaf
        if (level === 0) return -PAGE_FAULT[access];
        table = (pte >>> 10) * 4096;
        level = 0;
      }
      const megapage = level === 1;
      if (megapage && ((pte >>> 10) & 0x3ff) !== 0) return -PAGE_FAULT[access]; // misaligned
      if (!(pte & PTE_U)) return -PAGE_FAULT[access];
      const need = access === ACCESS_READ ? PTE_R : access === ACCESS_WRITE ? PTE_W : PTE_X;
      if (!(pte & need)) return -PAGE_FAULT[access];
      const want = pte | PTE_A | (access === ACCESS_WRITE ? PTE_D : 0);
      if (want !== pte) {
        const bank = this.bus.bankAt(pteAddr, 4)!;
        if (Atomics.compareExchange(bank.i32, (pteAddr - bank.base) >> 2, pte, want) !== pte) {
          continue; // the PTE changed under us: walk again
        }
      }
      const ppn = want >>> 10;
      const base = megapage ? ((ppn >>> 10) * 1024 + ((va >>> 12) & 0x3ff)) * 4096 : ppn * 4096;
      this.last.paddr = base + (va & 0xfff);
      this.last.pte = want;
      this.last.megapage = megapage;
      return this.last.paddr;
    }
  }
}
