/**
 * The architectural state of every hart, laid out in one SharedArrayBuffer.
 *
 * Each hart owns HART_WORDS consecutive 32-bit words. Keeping the state in shared memory is
 * what lets a core run on its own host thread while the kernel, on another thread, reads the
 * registers of a stopped hart, raises interrupts on a running one, or sleeps on it.
 *
 * Ownership: while a hart runs, only its own thread writes the registers (x, pc, counters).
 * Other threads touch only the interrupt words (SIP, WAKE), always with Atomics. The kernel
 * writes supervisor state (satp, sie) and registers only while the hart is stopped.
 */

/** Words per hart. */
export const HART_WORDS = 64;

/** Word offsets inside a hart's block. */
export const HS = {
  /** x0..x31; x0 always reads 0. */
  X: 0,
  PC: 32,
  /** Supervisor address translation: MODE (bit 31), ASID (bits 30..22), PPN (bits 21..0). */
  SATP: 33,
  /** Interrupt enable mask (SSIP/STIP/SEIP bits), written by the kernel. */
  SIE: 34,
  /** Pending interrupt bits set by the CLINT and PLIC with Atomics (STIP is computed). */
  SIP: 35,
  SCAUSE: 36,
  STVAL: 37,
  SEPC: 38,
  /** Instructions retired, 64 bits (also the cycle count: one instruction per cycle). */
  INSTRET_LO: 39,
  INSTRET_HI: 40,
  /** LR reservation: physical address (-1 = none) and the value LR read. */
  RESV_ADDR: 41,
  RESV_VALUE: 42,
  /** Incremented and notified whenever an interrupt is raised; idle harts wait on it. */
  WAKE: 43,
  /** Host-thread run protocol word (see hart_thread.ts). */
  CONTROL: 44,
  /** Budget of instructions for the next run request on a host thread. */
  BUDGET: 45,
  /** Result of the last run on a host thread (RUN_EXIT_*). */
  EXIT: 46,
  /** Counters: traps taken (exceptions), interrupts taken. */
  TRAPS: 47,
  INTERRUPTS: 48,
  /** Target of FENCE's atomic read-modify-write (a full barrier on shared memory). */
  FENCE: 49,
  /**
   * Calls answered on the hart's own thread (hart_worker.ts): how many entries of the table
   * are in use (0: none), the ecall numbers (a7) and the value each answers in a0, and how many
   * times each was answered since the kernel last took the counts. Written by the kernel while
   * the hart is not executing.
   */
  ANSWERS: 50,
  ANSWER_NR: 51,
  ANSWER_VALUE: 51 + 4,
  ANSWERED: 51 + 8,
} as const;

/** Entries of the table of calls answered on the hart's thread. */
export const ANSWERS_MAX = 4;

/** Supervisor interrupt pending/enable bits (the causes the kernel receives). */
export const SSIP = 1 << 1;
export const STIP = 1 << 5;
export const SEIP = 1 << 9;

/** Allocates the shared block for `harts` harts. */
export function allocateHartState(harts: number): SharedArrayBuffer {
  if (!Number.isInteger(harts) || harts < 1 || harts > 64) {
    throw new RangeError(`hart count must be 1..64, got ${harts}`);
  }
  const sab = new SharedArrayBuffer(harts * HART_WORDS * 4);
  const words = new Int32Array(sab);
  for (let h = 0; h < harts; h++) words[h * HART_WORDS + HS.RESV_ADDR] = -1;
  return sab;
}

/** Number of harts described by a hart-state buffer. */
export function hartCount(sab: SharedArrayBuffer): number {
  return sab.byteLength / (HART_WORDS * 4);
}

/**
 * Marks interrupt bits pending on a hart and wakes it if it sleeps in `wait`.
 * Safe from any thread.
 */
export function raiseInterrupt(words: Int32Array, hart: number, bits: number): void {
  const base = hart * HART_WORDS;
  Atomics.or(words, base + HS.SIP, bits);
  kickHart(words, hart);
}

/** Clears interrupt pending bits on a hart. Safe from any thread. */
export function clearInterrupt(words: Int32Array, hart: number, bits: number): void {
  Atomics.and(words, hart * HART_WORDS + HS.SIP, ~bits);
}

/** Bumps a hart's wake word so that a sleeping hart re-examines its interrupts. */
export function kickHart(words: Int32Array, hart: number): void {
  const at = hart * HART_WORDS + HS.WAKE;
  Atomics.add(words, at, 1);
  Atomics.notify(words, at);
}
