/**
 * Program loading: an ELF image into a fresh address space, and the initial user stack.
 *
 * The stack is laid out as Linux lays it out for a new process (and as crt0 and qemu-user
 * expect): at sp, argc; then argv pointers and NULL; envp pointers and NULL; auxv pairs ending
 * in AT_NULL; above them the strings and AT_RANDOM's 16 bytes. sp is 16-byte aligned.
 */

import { PAGE_SIZE } from "../machine/memory_map.ts";
import { PTE_R, PTE_W, PTE_X } from "../machine/mmu.ts";
import { type ElfImage, PF_R, PF_W, PF_X } from "./elf.ts";
import { E2BIG, ENOMEM, SyscallError } from "./errno.ts";
import type { FrameAllocator } from "./frames.ts";
import { TRAMPOLINE_VA } from "./signals.ts";
import type { AddressSpace, Prot } from "./vm.ts";

/** Top of the user stack (exclusive; the sigreturn trampoline page is above) and its size. */
export const STACK_TOP = TRAMPOLINE_VA;
export const STACK_SIZE_MAX = 8 * 1024 * 1024;
/** Largest total size of argument and environment strings. */
export const ARG_BYTES_MAX = 128 * 1024;

const AT_NULL = 0;
const AT_PHDR = 3;
const AT_PHENT = 4;
const AT_PHNUM = 5;
const AT_PAGESZ = 6;
const AT_ENTRY = 9;
const AT_UID = 11;
const AT_EUID = 12;
const AT_GID = 13;
const AT_EGID = 14;
const AT_HWCAP = 16;
const AT_CLKTCK = 17;
const AT_RANDOM = 25;
const AT_EXECFN = 31;
/** ISA letters I, M, A, C as bits of AT_HWCAP ('a' = bit 0). */
const HWCAP = (1 << 0) | (1 << 2) | (1 << 8) | (1 << 12);

const pageDown = (v: number) => v - (v % PAGE_SIZE);
const pageUp = (v: number) => Math.ceil(v / PAGE_SIZE) * PAGE_SIZE;

function protOf(flags: number): Prot {
  return (flags & PF_R ? PTE_R : 0) | (flags & PF_W ? PTE_W | PTE_R : 0) |
    (flags & PF_X ? PTE_X : 0);
}

/**
 * Maps every loadable segment of `image` into `as` (eagerly, with file bytes copied and the
 * rest zeroed) and returns the initial program break: the page after the highest segment.
 */
export function loadImage(as: AddressSpace, frames: FrameAllocator, image: ElfImage): number {
  // Page-granular protection, merged where two segments share a page.
  const pages = new Map<number, Prot>();
  for (const seg of image.segments) {
    for (let va = pageDown(seg.vaddr); va < seg.vaddr + seg.memSize; va += PAGE_SIZE) {
      pages.set(va, (pages.get(va) ?? 0) | protOf(seg.flags));
    }
  }
  const sorted = [...pages.keys()].sort((a, b) => a - b);
  for (const va of sorted) {
    const pa = frames.allocZeroed();
    if (pa < 0) throw new SyscallError(ENOMEM, "out of memory loading the program");
    as.mapPage(va, pa, pages.get(va)!);
  }
  for (let n = 0; n < sorted.length;) { // one area per run of pages with equal protection
    let end = n + 1;
    while (
      end < sorted.length && sorted[end] === sorted[end - 1] + PAGE_SIZE &&
      pages.get(sorted[end]) === pages.get(sorted[n])
    ) end++;
    as.addVma({
      start: sorted[n],
      end: sorted[end - 1] + PAGE_SIZE,
      prot: pages.get(sorted[n])!,
      kind: "image",
    });
    n = end;
  }
  for (const seg of image.segments) {
    const data = image.bytes.subarray(seg.fileOffset, seg.fileOffset + seg.fileSize);
    writeKernel(as, frames, seg.vaddr, data);
  }
  return pageUp(Math.max(...image.segments.map((s) => s.vaddr + s.memSize)));
}

/** Writes into mapped user pages regardless of their protection (the loader's privilege). */
function writeKernel(as: AddressSpace, frames: FrameAllocator, va: number, data: Uint8Array) {
  let at = 0;
  while (at < data.length) {
    const page = pageDown(va + at);
    const off = (va + at) - page;
    const n = Math.min(PAGE_SIZE - off, data.length - at);
    const frame = (as.pte(page) >>> 10) * PAGE_SIZE;
    frames.bytes(frame).set(data.subarray(at, at + n), off);
    at += n;
  }
}

/** What the new program's stack needs to know. */
export interface StackArgs {
  argv: string[];
  envp: string[];
  execPath: string;
  image: ElfImage;
  random: Uint8Array;
}

/** Creates the stack area, writes argv/envp/auxv and returns the initial sp. */
export function buildStack(as: AddressSpace, args: StackArgs): number {
  const enc = new TextEncoder();
  const strings = [...args.argv, ...args.envp, args.execPath].map((s) => enc.encode(s + "\0"));
  const stringBytes = strings.reduce((n, s) => n + s.length, 0);
  if (stringBytes > ARG_BYTES_MAX) throw new SyscallError(E2BIG);
  as.addVma({
    start: STACK_TOP - STACK_SIZE_MAX,
    end: STACK_TOP,
    prot: PTE_R | PTE_W,
    kind: "stack",
  });

  let sp = STACK_TOP;
  const addrs: number[] = [];
  for (const s of strings) {
    sp -= s.length;
    as.copyOut(sp, s);
    addrs.push(sp);
  }
  sp -= 16;
  const random = sp;
  as.copyOut(random, args.random.subarray(0, 16));

  const argc = args.argv.length;
  const execFn = addrs[addrs.length - 1];
  const auxv = [
    [AT_PHDR, args.image.phdrAddr],
    [AT_PHENT, 32],
    [AT_PHNUM, args.image.phnum],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_ENTRY, args.image.entry],
    [AT_UID, 0],
    [AT_EUID, 0],
    [AT_GID, 0],
    [AT_EGID, 0],
    [AT_HWCAP, HWCAP],
    [AT_CLKTCK, 100],
    [AT_RANDOM, random],
    [AT_EXECFN, execFn],
    [AT_NULL, 0],
  ];
  const words = [
    argc,
    ...addrs.slice(0, argc),
    0,
    ...addrs.slice(argc, argc + args.envp.length),
    0,
    ...auxv.flat(),
  ];
  sp = Math.floor((sp - words.length * 4) / 16) * 16;
  const block = new Uint8Array(words.length * 4);
  const dv = new DataView(block.buffer);
  words.forEach((w, n) => dv.setUint32(n * 4, w >>> 0, true));
  as.copyOut(sp, block);
  return sp;
}
