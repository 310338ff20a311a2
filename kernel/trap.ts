/**
 * Trap causes and what a trap means for the process that took it: the signal the kernel
 * delivers for each synchronous exception it cannot resolve, and a readable description.
 */

import { CAUSE } from "../machine/cpu.ts";
import { type Access, ACCESS_EXEC, ACCESS_READ, ACCESS_WRITE } from "../machine/mmu.ts";
import { SIGBUS, SIGILL, SIGSEGV, SIGTRAP } from "./signals.ts";

const DESCRIPTIONS: Record<number, string> = {
  [CAUSE.INSTRUCTION_ACCESS_FAULT]: "instruction access fault",
  [CAUSE.ILLEGAL_INSTRUCTION]: "illegal instruction",
  [CAUSE.BREAKPOINT]: "breakpoint",
  [CAUSE.LOAD_ADDRESS_MISALIGNED]: "misaligned load",
  [CAUSE.LOAD_ACCESS_FAULT]: "load access fault",
  [CAUSE.STORE_ADDRESS_MISALIGNED]: "misaligned store/AMO",
  [CAUSE.STORE_ACCESS_FAULT]: "store access fault",
  [CAUSE.ECALL_FROM_U]: "environment call",
  [CAUSE.INSTRUCTION_PAGE_FAULT]: "instruction page fault",
  [CAUSE.LOAD_PAGE_FAULT]: "load page fault",
  [CAUSE.STORE_PAGE_FAULT]: "store page fault",
};

/** "store page fault at 0x00000010" for a trap's cause and stval. */
export function describeTrap(cause: number, tval: number): string {
  const what = DESCRIPTIONS[cause] ?? `exception ${cause}`;
  if (cause === CAUSE.ILLEGAL_INSTRUCTION) return `${what} 0x${hex(tval)}`;
  return `${what} at 0x${hex(tval)}`;
}

/** The access kind of a page fault cause, or undefined if `cause` is not a page fault. */
export function pageFaultAccess(cause: number): Access | undefined {
  if (cause === CAUSE.INSTRUCTION_PAGE_FAULT) return ACCESS_EXEC;
  if (cause === CAUSE.LOAD_PAGE_FAULT) return ACCESS_READ;
  if (cause === CAUSE.STORE_PAGE_FAULT) return ACCESS_WRITE;
  return undefined;
}

/** The signal for an exception the kernel does not resolve itself. */
export function signalForException(cause: number): number {
  switch (cause) {
    case CAUSE.ILLEGAL_INSTRUCTION:
      return SIGILL;
    case CAUSE.BREAKPOINT:
      return SIGTRAP;
    case CAUSE.LOAD_ADDRESS_MISALIGNED:
    case CAUSE.STORE_ADDRESS_MISALIGNED:
      return SIGBUS;
    default:
      return SIGSEGV;
  }
}

function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, "0");
}
