/**
 * Memory calls: brk, mmap2, munmap, mprotect.
 *
 * The heap is one demand-zero area from the break set at exec (the page after the image) to
 * the current break, rounded up to a page. Growing only extends the area; pages appear when
 * first touched. Shrinking unmaps the pages past the new end. Anonymous mappings are areas
 * placed top-down below the stack's reserve, also filled on demand.
 */

import { PAGE_SIZE } from "../../machine/memory_map.ts";
import { PTE_R, PTE_W, PTE_X } from "../../machine/mmu.ts";
import { USER_BASE, USER_TOP } from "../elf.ts";
import { EEXIST, EINVAL, ENODEV, ENOMEM, SyscallError } from "../errno.ts";
import { STACK_SIZE_MAX, STACK_TOP } from "../exec.ts";
import type { Process } from "../proc.ts";
import { SharedMemory } from "../vm.ts";
import type { Kernel } from "../kernel.ts";
import type { SyscallArgs } from "./numbers.ts";

const pageUp = (v: number) => Math.ceil(v / PAGE_SIZE) * PAGE_SIZE;

/** brk(addr): sets the break if it can; always returns the (possibly unchanged) break. */
export function sysBrk(_k: Kernel, p: Process, a: SyscallArgs): number {
  const want = a[0] >>> 0;
  if (want < p.brkStart) return p.brk;
  const heap = p.as.vmas.find((v) => v.kind === "heap");
  const oldEnd = heap ? heap.end : p.brkStart;
  const newEnd = pageUp(want);
  if (newEnd > oldEnd) {
    const blocked = p.as.vmas.some((v) => v !== heap && v.start < newEnd && oldEnd < v.end);
    if (blocked) return p.brk;
    if (heap) heap.end = newEnd;
    else p.as.addVma({ start: p.brkStart, end: newEnd, prot: PTE_R | PTE_W, kind: "heap" });
  } else if (newEnd < oldEnd && heap) {
    for (let va = newEnd; va < oldEnd; va += PAGE_SIZE) p.as.unmapPage(va);
    if (newEnd === heap.start) p.as.vmas.splice(p.as.vmas.indexOf(heap), 1);
    else heap.end = newEnd;
  }
  p.brk = want;
  return p.brk;
}

const PROT_READ = 1;
const PROT_WRITE = 2;
const PROT_EXEC = 4;
const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
/** Lowest address mmap hands out when the caller has no preference. */
export const MMAP_BASE = 0x4000_0000;
/** mmap areas are placed below the stack's reserve and a guard gap. */
export const MMAP_TOP = STACK_TOP - STACK_SIZE_MAX - 16 * PAGE_SIZE;

/** Converts PROT_* bits to PTE bits (write implies read: W without R is reserved in Sv32). */
function protToPte(prot: number): number {
  return (prot & (PROT_READ | PROT_WRITE) ? PTE_R : 0) | (prot & PROT_WRITE ? PTE_W : 0) |
    (prot & PROT_EXEC ? PTE_X : 0);
}

/** mmap2(addr, length, prot, flags, fd, pgoffset): anonymous mappings, private or shared. */
export function sysMmap2(k: Kernel, p: Process, a: SyscallArgs): number {
  const [hint, lengthArg, prot, flags] = a;
  const length = pageUp(lengthArg >>> 0);
  const addr = hint >>> 0;
  const type = flags & (MAP_SHARED | MAP_PRIVATE);
  if (length === 0 || length > MMAP_TOP || (type !== MAP_SHARED && type !== MAP_PRIVATE)) {
    throw new SyscallError(EINVAL);
  }
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) throw new SyscallError(EINVAL);
  if (!(flags & MAP_ANONYMOUS)) throw new SyscallError(ENODEV, "only anonymous mappings");
  const fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
  let start: number;
  if (fixed) {
    if (addr % PAGE_SIZE || addr < USER_BASE || addr + length > USER_TOP) {
      throw new SyscallError(EINVAL);
    }
    if (flags & MAP_FIXED_NOREPLACE && !p.as.isFree(addr, addr + length)) {
      throw new SyscallError(EEXIST);
    }
    start = addr;
    p.as.removeRange(start, start + length);
  } else {
    const wanted = addr >= MMAP_BASE && addr % PAGE_SIZE === 0 && addr + length <= MMAP_TOP &&
      p.as.isFree(addr, addr + length);
    start = wanted ? addr : p.as.findFree(length, MMAP_BASE, MMAP_TOP);
    if (start < 0) throw new SyscallError(ENOMEM);
  }
  p.as.addVma({
    start,
    end: start + length,
    prot: protToPte(prot),
    kind: "anon",
    shared: type === MAP_SHARED
      ? { memory: new SharedMemory(k.frames, length / PAGE_SIZE), firstPage: 0 }
      : undefined,
  });
  return start;
}

/** munmap(addr, length). */
export function sysMunmap(_k: Kernel, p: Process, a: SyscallArgs): number {
  const addr = a[0] >>> 0;
  const length = pageUp(a[1] >>> 0);
  if (addr % PAGE_SIZE || length === 0 || addr + length > 2 ** 32) throw new SyscallError(EINVAL);
  p.as.removeRange(addr, addr + length);
  return 0;
}

/** mprotect(addr, length, prot). */
export function sysMprotect(_k: Kernel, p: Process, a: SyscallArgs): number {
  const addr = a[0] >>> 0;
  const length = pageUp(a[1] >>> 0);
  const prot = a[2];
  if (addr % PAGE_SIZE || addr + length > 2 ** 32) throw new SyscallError(EINVAL);
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) throw new SyscallError(EINVAL);
  if (!p.as.protectRange(addr, addr + length, protToPte(prot))) throw new SyscallError(ENOMEM);
  return 0;
}
