/**
 * One RV32IMAC hart running in U-mode: the interpreter.
 *
 * The machine has no M-mode or S-mode code: the supervisor is the TypeScript kernel, which
 * drives a hart through `run(budget)`. A run executes user instructions until the budget is
 * spent or a trap happens; every trap (exception or interrupt) stops the hart with scause,
 * stval and sepc written to its shared state block, exactly what a RISC-V supervisor's trap
 * handler would see. The kernel handles it, edits registers, and calls `run` again.
 *
 * Choices the specification leaves open, made here:
 * - Misaligned loads and stores are handled in place (as QEMU's user mode does), byte by byte,
 *   each byte translated, so a misaligned access that crosses into an unmapped page faults
 *   with stval = the faulting byte's address. Misaligned LR/SC/AMOs raise the misaligned
 *   exceptions (causes 4 and 6): atomics must be naturally aligned.
 * - SC.W is a compare-and-exchange against the value LR.W read (as QEMU does), which makes
 *   LR/SC atomic across host threads; a store of the same value in between (ABA) does not
 *   break the reservation. The kernel clears a hart's reservation on a context switch.
 * - One instruction per cycle: `cycle` equals `instret`; `time` is the CLINT's mtime.
 * - Instructions execute only from the user bank; a fetch from anywhere else is an
 *   instruction access fault.
 * - Interrupts are sampled at the start of a run and then at least every POLL_INTERVAL
 *   instructions (between blocks when compiled code runs).
 *
 * The inner loop keeps to the shape of mini-rv32ima: one function, one switch on the major
 * opcode, registers in an Int32Array, RAM in typed arrays, the TLB checked inline, no
 * allocation per instruction. Compressed instructions are expanded through a table.
 *
 * This is the first of two tiers. At every block boundary (the start of a run, after a jump or
 * branch, after an instruction that ends blocks, after compiled code) the loop looks pc up in the
 * hart's code cache (code_cache.ts); once a block is hot it runs as a compiled function
 * (translate.ts) instead, provided its page is still in the exec TLB and the whole block fits
 * in the budget before the next stop or interrupt sample. Compiled code makes only the accesses
 * the TLB gives it; for any other it returns with `interpret` set and this loop makes it, so
 * every slow path and every trap is the interpreter's.
 */

import { AccessFault, type Bus, type RamBank } from "./bus.ts";
import type { Clint } from "./clint.ts";
import { HART_WORDS, HS, SEIP, SSIP, STIP } from "./hart_state.ts";
import {
  type Access,
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  PageWalker,
  Tlb,
  TLB_MASK,
  tlbIndex,
  tlbSpread,
  tlbTagBase,
} from "./mmu.ts";
import { CodeCache } from "./code_cache.ts";
import { div, divu, mulh, mulhsu, mulhu, rem, remu } from "./muldiv.ts";
import { compressedTable } from "./rvc.ts";
import type { BlockEnv } from "./translate.ts";

/** Exception cause codes (scause with the interrupt bit clear). */
export const CAUSE = {
  INSTRUCTION_ACCESS_FAULT: 1,
  ILLEGAL_INSTRUCTION: 2,
  BREAKPOINT: 3,
  LOAD_ADDRESS_MISALIGNED: 4,
  LOAD_ACCESS_FAULT: 5,
  STORE_ADDRESS_MISALIGNED: 6,
  STORE_ACCESS_FAULT: 7,
  ECALL_FROM_U: 8,
  INSTRUCTION_PAGE_FAULT: 12,
  LOAD_PAGE_FAULT: 13,
  STORE_PAGE_FAULT: 15,
} as const;

/** Interrupt cause codes (scause with bit 31 set). */
export const INTERRUPT = {
  SUPERVISOR_SOFTWARE: 1,
  SUPERVISOR_TIMER: 5,
  SUPERVISOR_EXTERNAL: 9,
} as const;

/** scause's interrupt bit. */
export const INTERRUPT_BIT = 0x8000_0000 | 0;

/** `run` stopped because the budget was spent. */
export const RUN_BUDGET = 0;
/** `run` stopped at a trap; scause/stval/sepc say which. */
export const RUN_TRAP = 1;

/**
 * Most instructions between two interrupt samples: at most ~80 µs interpreted, a few µs
 * compiled. Compiled code returns to `run` for each sample, and a region with many registers
 * pays for that in loads and stores; at 1024, bench_sha256 ran ~25% slower (alternating runs,
 * median 1,065 against 1,395 MIPS) and the others within noise.
 */
export const POLL_INTERVAL = 8192;

/** Sentinel thrown inside the interpreter to unwind to `run` on an exception. */
const TRAP = Symbol("trap");

/** Everything a hart is wired to. */
export interface HartWiring {
  hartId: number;
  /** The machine's hart-state buffer. */
  hartState: SharedArrayBuffer;
  /** This hart's TLB buffer. */
  tlb: SharedArrayBuffer;
  bus: Bus;
  /** The user bank: where instructions execute from and what the TLB caches. */
  ram: RamBank;
  clint: Clint;
  /** Whether hot code is compiled (default true); false keeps the hart in the interpreter. */
  translate?: boolean;
}

/** A hart. Construct one per host thread that runs it; the state is shared. */
export class Cpu {
  readonly hartId: number;
  /** x0..x31 (a view of the shared state block). */
  readonly x: Int32Array;
  readonly tlb: Tlb;
  readonly walker: PageWalker;
  /** The compiled blocks, or null when this hart only interprets. */
  readonly codeCache: CodeCache | null;
  private readonly h: Int32Array;
  private readonly b: number;
  private readonly bus: Bus;
  private readonly ram: RamBank;
  private readonly clint: Clint;
  private readonly rvc: Int32Array;
  private trapCause = 0;
  private trapValue = 0;
  private amoWords: Int32Array;
  private amoIndex = 0;
  /** This hart's mtimecmp (Infinity: disarmed) as read when WAKE was `timerWake`. */
  private timerAt = Infinity;
  private timerWake = -1;
  /** What `runCompiled` hands back besides pc and `env.left`: its limit, and an interrupt. */
  private compiledLimit = 0;
  private compiledIrq = 0;
  /** What compiled blocks reach of this hart. */
  private readonly env: BlockEnv;

  constructor(w: HartWiring) {
    this.hartId = w.hartId;
    this.h = new Int32Array(w.hartState);
    this.b = w.hartId * HART_WORDS;
    if (this.b + HART_WORDS > this.h.length) throw new RangeError(`no hart ${w.hartId}`);
    this.x = this.h.subarray(this.b + HS.X, this.b + HS.X + 32);
    this.tlb = new Tlb(w.tlb);
    this.walker = new PageWalker(w.bus);
    this.bus = w.bus;
    this.ram = w.ram;
    this.clint = w.clint;
    this.rvc = compressedTable();
    this.amoWords = w.ram.i32;
    this.env = {
      x: this.x,
      m8: w.ram.u8,
      m16: w.ram.u16,
      m32: w.ram.i32,
      tagR: this.tlb.tagRead,
      tagW: this.tlb.tagWrite,
      tOff: this.tlb.offset,
      left: 0,
      interpret: false,
    };
    this.codeCache = w.translate === false ? null : new CodeCache(w.ram, this.rvc, this.env);
  }

  get pc(): number {
    return this.h[this.b + HS.PC];
  }
  set pc(v: number) {
    this.h[this.b + HS.PC] = v;
  }
  get satp(): number {
    return this.h[this.b + HS.SATP];
  }
  set satp(v: number) {
    this.h[this.b + HS.SATP] = v;
  }
  /** Which interrupts stop the hart (SSIP/STIP/SEIP bits). */
  get sie(): number {
    return this.h[this.b + HS.SIE];
  }
  set sie(v: number) {
    this.h[this.b + HS.SIE] = v;
  }
  get scause(): number {
    return this.h[this.b + HS.SCAUSE];
  }
  get stval(): number {
    return this.h[this.b + HS.STVAL];
  }
  get sepc(): number {
    return this.h[this.b + HS.SEPC];
  }
  /** Instructions retired so far. */
  get instret(): number {
    return (this.h[this.b + HS.INSTRET_HI] >>> 0) * 2 ** 32 +
      (this.h[this.b + HS.INSTRET_LO] >>> 0);
  }

  /** Forgets any LR reservation (the kernel does this on a context switch). */
  clearReservation(): void {
    this.h[this.b + HS.RESV_ADDR] = -1;
  }

  /**
   * Interrupts that are pending and enabled right now. Compiled code polls every few hundred
   * nanoseconds, so this is kept cheap: the timer is looked at only when it is enabled, and
   * this hart's mtimecmp is re-read only when the WAKE word has moved (every write to
   * mtimecmp bumps it), so a poll does not touch the CLINT's 64-bit registers.
   */
  pendingInterrupts(): number {
    const enabled = this.h[this.b + HS.SIE];
    let pending = Atomics.load(this.h, this.b + HS.SIP);
    if (enabled & STIP) {
      const wake = Atomics.load(this.h, this.b + HS.WAKE);
      if (wake !== this.timerWake) {
        this.timerWake = wake;
        this.timerAt = this.clint.timecmp(this.hartId);
      }
      if (this.timerAt !== Infinity && this.clint.mtime() >= this.timerAt) pending |= STIP;
    }
    return pending & enabled;
  }

  /**
   * WFI: sleeps the calling host thread until an enabled interrupt is pending or `timeoutMs`
   * passes (whichever first; the hart's own timer deadline shortens the sleep). Returns whether
   * an interrupt is pending. Never spins.
   */
  waitForInterrupt(timeoutMs: number): boolean {
    const wake = this.b + HS.WAKE;
    const seq = Atomics.load(this.h, wake);
    if (this.pendingInterrupts() !== 0) return true;
    let sleepMs = Math.max(0, timeoutMs);
    if (this.h[this.b + HS.SIE] & STIP) {
      sleepMs = Math.min(sleepMs, this.clint.msUntilTimer(this.hartId));
    }
    if (sleepMs > 0) Atomics.wait(this.h, wake, seq, sleepMs);
    return this.pendingInterrupts() !== 0;
  }

  /**
   * Runs at most `budget` instructions. Returns RUN_BUDGET or RUN_TRAP. On a trap, sepc is
   * the pc of the instruction that trapped (or, for an interrupt, of the next instruction).
   */
  run(budget: number): number {
    const h = this.h;
    const b = this.b;
    const x = this.x;
    const m8 = this.ram.u8;
    const m16 = this.ram.u16;
    const m32 = this.ram.i32;
    const tlb = this.tlb;
    const tagR = tlb.tagRead;
    const tagW = tlb.tagWrite;
    const tOff = tlb.offset;
    const rvc = this.rvc;
    const cache = this.codeCache;
    const env = this.env;
    const satp = h[b + HS.SATP];
    const tagBase = tlbTagBase(satp);
    const spread = tlbSpread(tagBase);
    let pc = h[b + HS.PC];
    let left = Math.max(0, Math.floor(budget));
    let fetchVpn = -1;
    let fetchHalf = 0; // halfword index of the current code page in the user bank
    let resvAddr = h[b + HS.RESV_ADDR];
    let resvValue = h[b + HS.RESV_VALUE];
    const initial = left;
    // Stop (left 0) or sample interrupts when `left` comes down to `limit`.
    let limit = Math.max(0, left - POLL_INTERVAL);
    let irq = this.pendingInterrupts(); // pending interrupts stop the run (or keep it from starting)
    let trapped = false;

    try {
      // One pass of the outer loop per block boundary: the start of the run, a jump or
      // branch, an instruction that ends blocks, the end of a compiled block.
      if (irq === 0) {
        outer: for (;;) {
          // Compiled code for as long as there is some.
          if (cache !== null) {
            pc = this.runCompiled(cache, pc, left, limit, tagBase);
            left = env.left;
            limit = this.compiledLimit;
            irq = this.compiledIrq;
            if (irq !== 0) break;
          }

          // The interpreter, up to the next block boundary.
          for (;;) {
            if (left <= limit) {
              if (left === 0) break outer;
              irq = this.pendingInterrupts();
              if (irq !== 0) break outer;
              limit = Math.max(0, left - POLL_INTERVAL);
            }

            left--;
            x[0] = 0;

            // Fetch.
            if (pc >>> 12 !== fetchVpn) {
              fetchHalf = this.fetchPage(pc, tagBase) >>> 1;
              fetchVpn = pc >>> 12;
            }
            let insn = m16[fetchHalf + ((pc & 0xfff) >>> 1)];
            let ilen = 4;
            if ((insn & 3) !== 3) {
              const raw = insn;
              insn = rvc[raw];
              ilen = 2;
              if (insn === 0) this.raise(CAUSE.ILLEGAL_INSTRUCTION, raw);
            } else if ((pc & 0xfff) === 0xffe) {
              insn |= m16[this.fetchPage(pc + 2, tagBase) >>> 1] << 16;
            } else {
              insn |= m16[fetchHalf + ((pc & 0xfff) >>> 1) + 1] << 16;
            }

            const rd = (insn >>> 7) & 31;
            const rs1 = (insn >>> 15) & 31;
            const rs2 = (insn >>> 20) & 31;
            const funct3 = (insn >>> 12) & 7;

            switch ((insn >>> 2) & 31) { // major opcode (bits 6:2; bits 1:0 are 11)
              case 0x0d: // LUI
                x[rd] = insn & 0xfffff000;
                break;

              case 0x05: // AUIPC
                x[rd] = pc + (insn & 0xfffff000);
                break;

              case 0x1b: { // JAL
                const imm = ((insn >> 11) & 0xfff00000) | (insn & 0xff000) |
                  ((insn >>> 9) & 0x800) |
                  ((insn >>> 20) & 0x7fe);
                x[rd] = pc + ilen;
                pc = (pc + imm) | 0;
                continue outer;
              }

              case 0x19: { // JALR
                if (funct3 !== 0) this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                const target = (x[rs1] + (insn >> 20)) & ~1;
                if (cache !== null && (target ^ pc) >>> 12 === 0) {
                  cache.noteJump((fetchHalf << 1) + (pc & 0xfff), target & 0xfff);
                }
                x[rd] = pc + ilen;
                pc = target;
                continue outer;
              }

              case 0x18: { // BRANCH
                const a = x[rs1];
                const c = x[rs2];
                let taken: boolean;
                switch (funct3) {
                  case 0:
                    taken = a === c;
                    break;
                  case 1:
                    taken = a !== c;
                    break;
                  case 4:
                    taken = a < c;
                    break;
                  case 5:
                    taken = a >= c;
                    break;
                  case 6:
                    taken = (a >>> 0) < (c >>> 0);
                    break;
                  case 7:
                    taken = (a >>> 0) >= (c >>> 0);
                    break;
                  default:
                    this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                }
                if (taken) {
                  const imm = ((insn >> 19) & 0xfffff000) | ((insn << 4) & 0x800) |
                    ((insn >>> 20) & 0x7e0) | ((insn >>> 7) & 0x1e);
                  pc = (pc + imm) | 0;
                } else {
                  pc = (pc + ilen) | 0;
                }
                continue outer;
              }

              case 0x00: { // LOAD
                const va = (x[rs1] + (insn >> 20)) | 0;
                const e = ((va >>> 12) ^ spread) & TLB_MASK;
                let v = 0;
                if (tagR[e] === (tagBase | (va >>> 12))) {
                  const pa = tOff[e] + (va & 0xfff);
                  switch (funct3) {
                    case 0: // LB
                      v = (m8[pa] << 24) >> 24;
                      break;
                    case 1: // LH
                      v = pa & 1 ? this.loadSlow(va, funct3, insn) : (m16[pa >>> 1] << 16) >> 16;
                      break;
                    case 2: // LW
                      v = pa & 3 ? this.loadSlow(va, funct3, insn) : m32[pa >>> 2];
                      break;
                    case 4: // LBU
                      v = m8[pa];
                      break;
                    case 5: // LHU
                      v = pa & 1 ? this.loadSlow(va, funct3, insn) : m16[pa >>> 1];
                      break;
                    default:
                      this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                  }
                } else {
                  v = this.loadSlow(va, funct3, insn);
                }
                x[rd] = v;
                break;
              }

              case 0x08: { // STORE
                const va = (x[rs1] + (((insn >> 20) & ~31) | rd)) | 0;
                const v = x[rs2];
                const e = ((va >>> 12) ^ spread) & TLB_MASK;
                if (tagW[e] === (tagBase | (va >>> 12))) {
                  const pa = tOff[e] + (va & 0xfff);
                  switch (funct3) {
                    case 0: // SB
                      m8[pa] = v;
                      break;
                    case 1: // SH
                      if (pa & 1) this.storeSlow(va, funct3, v, insn);
                      else m16[pa >>> 1] = v;
                      break;
                    case 2: // SW
                      if (pa & 3) this.storeSlow(va, funct3, v, insn);
                      else m32[pa >>> 2] = v;
                      break;
                    default:
                      this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                  }
                } else {
                  this.storeSlow(va, funct3, v, insn);
                }
                break;
              }

              case 0x04: { // OP-IMM
                const a = x[rs1];
                const imm = insn >> 20;
                switch (funct3) {
                  case 0: // ADDI
                    x[rd] = a + imm;
                    break;
                  case 1: // SLLI
                    if (insn >>> 25 !== 0) this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                    x[rd] = a << rs2;
                    break;
                  case 2: // SLTI
                    x[rd] = a < imm ? 1 : 0;
                    break;
                  case 3: // SLTIU
                    x[rd] = (a >>> 0) < (imm >>> 0) ? 1 : 0;
                    break;
                  case 4: // XORI
                    x[rd] = a ^ imm;
                    break;
                  case 5: { // SRLI, SRAI
                    const f7 = insn >>> 25;
                    if (f7 === 0) x[rd] = a >>> rs2;
                    else if (f7 === 0x20) x[rd] = a >> rs2;
                    else this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                    break;
                  }
                  case 6: // ORI
                    x[rd] = a | imm;
                    break;
                  default: // ANDI
                    x[rd] = a & imm;
                }
                break;
              }

              case 0x0c: { // OP
                const a = x[rs1];
                const c = x[rs2];
                const f7 = insn >>> 25;
                if (f7 === 0) {
                  switch (funct3) {
                    case 0:
                      x[rd] = a + c;
                      break;
                    case 1:
                      x[rd] = a << c;
                      break;
                    case 2:
                      x[rd] = a < c ? 1 : 0;
                      break;
                    case 3:
                      x[rd] = (a >>> 0) < (c >>> 0) ? 1 : 0;
                      break;
                    case 4:
                      x[rd] = a ^ c;
                      break;
                    case 5:
                      x[rd] = a >>> c;
                      break;
                    case 6:
                      x[rd] = a | c;
                      break;
                    default:
                      x[rd] = a & c;
                  }
                } else if (f7 === 0x20) {
                  if (funct3 === 0) x[rd] = a - c;
                  else if (funct3 === 5) x[rd] = a >> c;
                  else this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                } else if (f7 === 1) { // M extension
                  switch (funct3) {
                    case 0: // MUL
                      x[rd] = Math.imul(a, c);
                      break;
                    case 1: // MULH
                      x[rd] = mulh(a, c);
                      break;
                    case 2: // MULHSU
                      x[rd] = mulhsu(a, c);
                      break;
                    case 3: // MULHU
                      x[rd] = mulhu(a, c);
                      break;
                    case 4: // DIV
                      x[rd] = div(a, c);
                      break;
                    case 5: // DIVU
                      x[rd] = divu(a, c);
                      break;
                    case 6: // REM
                      x[rd] = rem(a, c);
                      break;
                    default: // REMU
                      x[rd] = remu(a, c);
                  }
                } else {
                  this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                }
                break;
              }

              case 0x03: // MISC-MEM
                if (funct3 === 0) {
                  Atomics.add(h, b + HS.FENCE, 1); // FENCE: a full barrier on shared memory
                } else if (funct3 === 1) { // FENCE.I: fetches read RAM; only compiled code is stale
                  cache?.flush();
                } else {
                  this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                }
                pc = (pc + ilen) | 0;
                continue outer; // ends a block: what follows may start a compiled one

              case 0x1c: { // SYSTEM
                if (funct3 === 0) {
                  if (insn === 0x0000_0073) this.raise(CAUSE.ECALL_FROM_U, 0);
                  if (insn === 0x0010_0073) this.raise(CAUSE.BREAKPOINT, pc);
                  this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn); // sret, mret, wfi, sfence.vma: not in U-mode
                }
                // Zicsr: only the read-only user counters exist, so any write is illegal.
                const writes = funct3 === 1 || funct3 === 5 || rs1 !== 0;
                const csr = insn >>> 20;
                if (funct3 === 4 || writes) this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                x[rd] = this.readCounter(csr, initial - left - 1, insn);
                pc = (pc + ilen) | 0;
                continue outer; // ends a block: what follows may start a compiled one
              }

              case 0x0b: { // AMO
                if (funct3 !== 2) this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                const op = insn >>> 27;
                const va = x[rs1];
                if (op === 0x02) { // LR.W
                  if (rs2 !== 0) this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                  const pa = this.atomicAddress(va, ACCESS_READ, tagBase);
                  const v = Atomics.load(this.amoWords, this.amoIndex);
                  resvAddr = pa;
                  resvValue = v;
                  x[rd] = v;
                  pc = (pc + ilen) | 0;
                  continue outer; // ends a block: what follows may start a compiled one
                }
                if (op === 0x03) { // SC.W
                  const pa = this.atomicAddress(va, ACCESS_WRITE, tagBase);
                  const ok = resvAddr === pa &&
                    Atomics.compareExchange(this.amoWords, this.amoIndex, resvValue, x[rs2]) ===
                      resvValue;
                  resvAddr = -1;
                  x[rd] = ok ? 0 : 1;
                  pc = (pc + ilen) | 0;
                  continue outer; // ends a block: what follows may start a compiled one
                }
                const opIsValid = op === 0x00 || op === 0x01 || op === 0x04 || op === 0x08 ||
                  op === 0x0c || op === 0x10 || op === 0x14 || op === 0x18 || op === 0x1c;
                if (!opIsValid) this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
                this.atomicAddress(va, ACCESS_WRITE, tagBase);
                x[rd] = amo(this.amoWords, this.amoIndex, op, x[rs2]);
                pc = (pc + ilen) | 0;
                continue outer; // ends a block: what follows may start a compiled one
              }

              default:
                this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
            }
            pc = (pc + ilen) | 0;
          }
        }
      }
    } catch (e) {
      if (e !== TRAP) throw e;
      left++; // the trapping instruction does not retire
      resvAddr = -1;
      trapped = true;
    }
    // One way out for a stop, an interrupt and a trap alike: a path taken only when a run
    // ends by budget would be optimized without type feedback and deoptimize on every run.
    x[0] = 0;
    h[b + HS.RESV_ADDR] = resvAddr;
    h[b + HS.RESV_VALUE] = resvValue;
    h[b + HS.PC] = pc;
    this.retire(initial - left);
    if (irq !== 0) return this.takeInterrupt(irq, pc);
    if (!trapped) return RUN_BUDGET;
    h[b + HS.SCAUSE] = this.trapCause;
    h[b + HS.STVAL] = this.trapValue;
    h[b + HS.SEPC] = pc;
    h[b + HS.TRAPS]++;
    return RUN_TRAP;
  }

  /**
   * Runs compiled blocks from `pc` until the next one is not compiled (or its page is not in
   * the exec TLB: a miss or a fault is the interpreter's fetch to handle), does not fit in
   * the budget, left an access to the interpreter, or an interrupt is pending at a sample.
   * Returns the pc there; the budget left is in `env.left`, the interrupt sample's limit and
   * the pending interrupt (0: none) in `compiledLimit` and `compiledIrq`. A function of its
   * own, small, so that V8 optimizes it within milliseconds: as part of `run` (the whole
   * interpreter), hot compiled code waited ~60 ms per optimizing compile of `run`, several
   * times per boot, for its dispatch loop.
   */
  private runCompiled(
    cache: CodeCache,
    pc: number,
    left: number,
    limit: number,
    tagBase: number,
  ): number {
    const tagX = this.tlb.tagExec;
    const tOff = this.tlb.offset;
    const env = this.env;
    const spread = tlbSpread(tagBase);
    let irq = 0;
    let vpn = -1;
    let half = 0; // halfword index of pc's page in the user bank
    for (;;) {
      if (pc >>> 12 !== vpn) {
        vpn = pc >>> 12;
        const e = (vpn ^ spread) & TLB_MASK;
        if (tagX[e] !== (tagBase | vpn)) break;
        half = tOff[e] >>> 1;
      }
      const block = cache.find((half << 1) + (pc & 0xfff));
      if (block === null || block.insns > left) break;
      if (left - block.insns < limit) {
        // Sample interrupts now, then run it within a fresh interval.
        irq = this.pendingInterrupts();
        if (irq !== 0) break;
        limit = Math.max(0, left - POLL_INTERVAL);
      }
      pc = block.run(pc, left, limit, tagBase, spread, block.index);
      left = env.left;
      if (env.interpret) {
        env.interpret = false; // it left an access to the interpreter
        break;
      }
    }
    env.left = left;
    this.compiledLimit = limit;
    this.compiledIrq = irq;
    return pc;
  }

  /** Records an exception and unwinds the interpreter. */
  private raise(cause: number, value: number): never {
    this.trapCause = cause;
    this.trapValue = value;
    throw TRAP;
  }

  /** Stops the hart at `pc` for the highest-priority interrupt in `pending`. */
  private takeInterrupt(pending: number, pc: number): number {
    const h = this.h;
    const b = this.b;
    // Priority order of the privileged specification: external, software, timer.
    const code = pending & SEIP
      ? INTERRUPT.SUPERVISOR_EXTERNAL
      : pending & SSIP
      ? INTERRUPT.SUPERVISOR_SOFTWARE
      : INTERRUPT.SUPERVISOR_TIMER;
    h[b + HS.SCAUSE] = INTERRUPT_BIT | code;
    h[b + HS.STVAL] = 0;
    h[b + HS.SEPC] = pc;
    h[b + HS.PC] = pc;
    h[b + HS.INTERRUPTS]++;
    return RUN_TRAP;
  }

  private retire(n: number): void {
    const h = this.h;
    const b = this.b;
    const total = this.instret + n;
    h[b + HS.INSTRET_LO] = total % 2 ** 32;
    h[b + HS.INSTRET_HI] = Math.floor(total / 2 ** 32);
  }

  /** Translates `va` for `access`, raising the fault on failure; returns the physical address. */
  private translate(va: number, access: Access): number {
    const pa = this.walker.translate(this.h[this.b + HS.SATP], va, access);
    if (pa < 0) this.raise(-pa, va);
    return pa;
  }

  /**
   * Translates a user-bank page for the TLB fast path and fills the TLB. Returns the page's
   * byte offset in the user bank, or -1 if the page is elsewhere (not cacheable).
   */
  private fillTlb(va: number, access: Access, tagBase: number): number {
    const pa = this.translate(va, access);
    const page = pa - (pa & 0xfff);
    if (!this.ram.contains(page, 4096)) return -1;
    const off = page - this.ram.base;
    const last = this.walker.last;
    this.tlb.fill(tagBase, va, off, last.pte, last.megapage);
    return off;
  }

  /** Byte offset in the user bank of the code page holding `pc`. */
  private fetchPage(pc: number, tagBase: number): number {
    const e = tlbIndex(tagBase, pc >>> 12);
    if (this.tlb.tagExec[e] === (tagBase | (pc >>> 12))) return this.tlb.offset[e];
    const off = this.fillTlb(pc, ACCESS_EXEC, tagBase);
    if (off < 0) this.raise(CAUSE.INSTRUCTION_ACCESS_FAULT, pc);
    return off;
  }

  private loadSlow(va: number, funct3: number, insn: number): number {
    let width: 1 | 2 | 4;
    switch (funct3) {
      case 0:
      case 4:
        width = 1;
        break;
      case 1:
      case 5:
        width = 2;
        break;
      case 2:
        width = 4;
        break;
      default:
        this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
    }
    let v = 0;
    if ((va & (width - 1)) === 0) {
      v = this.readPhysical(this.translateData(va, ACCESS_READ), width, va, ACCESS_READ);
    } else {
      // Translate in ascending order so that stval names the first byte that faults.
      const pas = [0, 0, 0, 0];
      for (let i = 0; i < width; i++) pas[i] = this.translateData((va + i) | 0, ACCESS_READ);
      for (let i = width - 1; i >= 0; i--) {
        v = (v << 8) | this.readPhysical(pas[i], 1, (va + i) | 0, ACCESS_READ);
      }
    }
    if (funct3 === 0) return (v << 24) >> 24;
    if (funct3 === 1) return (v << 16) >> 16;
    return v | 0;
  }

  private storeSlow(va: number, funct3: number, v: number, insn: number): void {
    if (funct3 > 2) this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
    const width = (1 << funct3) as 1 | 2 | 4;
    if ((va & (width - 1)) === 0) {
      this.writePhysical(this.translateData(va, ACCESS_WRITE), width, v, va);
      return;
    }
    // Translate every byte first so that a fault leaves memory untouched.
    const pas = [0, 0, 0, 0];
    for (let i = 0; i < width; i++) pas[i] = this.translateData((va + i) | 0, ACCESS_WRITE);
    for (let i = 0; i < width; i++) this.writePhysical(pas[i], 1, v >>> (8 * i), (va + i) | 0);
  }

  /** Translates a data address, filling the TLB when the page is in the user bank. */
  private translateData(va: number, access: Access): number {
    const tagBase = tlbTagBase(this.h[this.b + HS.SATP]);
    const off = this.fillTlb(va, access, tagBase);
    return off >= 0 ? this.ram.base + off + (va & 0xfff) : this.walker.last.paddr;
  }

  private readPhysical(pa: number, width: 1 | 2 | 4, va: number, access: Access): number {
    try {
      return this.bus.read(pa, width);
    } catch (e) {
      if (!(e instanceof AccessFault)) throw e;
      return this.raise(
        access === ACCESS_READ ? CAUSE.LOAD_ACCESS_FAULT : CAUSE.STORE_ACCESS_FAULT,
        va,
      );
    }
  }

  private writePhysical(pa: number, width: 1 | 2 | 4, v: number, va: number): void {
    try {
      this.bus.write(pa, width, v);
    } catch (e) {
      if (!(e instanceof AccessFault)) throw e;
      this.raise(CAUSE.STORE_ACCESS_FAULT, va);
    }
  }

  /**
   * Resolves the word an LR/SC/AMO acts on into `amoWords[amoIndex]` and returns its physical
   * address. Atomics must be aligned and must target RAM.
   */
  private atomicAddress(va: number, access: Access, tagBase: number): number {
    if (va & 3) {
      this.raise(
        access === ACCESS_READ ? CAUSE.LOAD_ADDRESS_MISALIGNED : CAUSE.STORE_ADDRESS_MISALIGNED,
        va,
      );
    }
    const e = tlbIndex(tagBase, va >>> 12);
    const tags = access === ACCESS_READ ? this.tlb.tagRead : this.tlb.tagWrite;
    let pa: number;
    if (tags[e] === (tagBase | (va >>> 12))) {
      pa = this.ram.base + this.tlb.offset[e] + (va & 0xfff);
    } else {
      pa = this.translateData(va, access);
    }
    const bank = this.ram.contains(pa, 4) ? this.ram : this.bus.bankAt(pa, 4);
    if (!bank) {
      this.raise(access === ACCESS_READ ? CAUSE.LOAD_ACCESS_FAULT : CAUSE.STORE_ACCESS_FAULT, va);
    }
    this.amoWords = bank.i32;
    this.amoIndex = (pa - bank.base) >>> 2;
    return pa;
  }

  private readCounter(csr: number, retiredInRun: number, insn: number): number {
    switch (csr) {
      case 0xc00: // cycle
      case 0xc02: // instret
        return (this.instret + retiredInRun) % 2 ** 32 | 0;
      case 0xc80: // cycleh
      case 0xc82: // instreth
        return Math.floor((this.instret + retiredInRun) / 2 ** 32) | 0;
      case 0xc01: // time
        return this.clint.mtime() % 2 ** 32 | 0;
      case 0xc81: // timeh
        return Math.floor(this.clint.mtime() / 2 ** 32) | 0;
      default:
        return this.raise(CAUSE.ILLEGAL_INSTRUCTION, insn);
    }
  }
}

/** Performs one AMO (funct5 `op`) on `words[i]`; returns the old value. */
function amo(words: Int32Array, i: number, op: number, v: number): number {
  switch (op) {
    case 0x00:
      return Atomics.add(words, i, v);
    case 0x01:
      return Atomics.exchange(words, i, v);
    case 0x04:
      return Atomics.xor(words, i, v);
    case 0x0c:
      return Atomics.and(words, i, v);
    case 0x08:
      return Atomics.or(words, i, v);
  }
  for (;;) { // min/max: compare-and-swap loop
    const old = Atomics.load(words, i);
    let next: number;
    if (op === 0x10) next = Math.min(old, v);
    else if (op === 0x14) next = Math.max(old, v);
    else if (op === 0x18) next = (old >>> 0) < (v >>> 0) ? old : v;
    else next = (old >>> 0) > (v >>> 0) ? old : v;
    if (Atomics.compareExchange(words, i, old, next) === old) return old;
  }
}
