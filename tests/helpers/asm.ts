/**
 * A tiny RISC-V encoder for tests: builds instruction words from mnemonics-as-functions, so
 * that CPU, MMU and trap tests can place exact instructions in memory without a toolchain.
 * Register arguments are numbers (x0..x31); immediates are plain numbers.
 */

export const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const i = (imm: number, rs1: number, f3: number, rd: number, op: number) =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
export const s = (imm: number, rs2: number, rs1: number, f3: number, op: number) =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 0x1f) << 7) |
    op) >>> 0;
export const bType = (imm: number, rs2: number, rs1: number, f3: number) =>
  ((((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
    (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63) >>> 0;

export const lui = (rd: number, imm20: number) =>
  (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x37) >>> 0;
export const auipc = (rd: number, imm20: number) =>
  (((imm20 & 0xfffff) << 12) | (rd << 7) | 0x17) >>> 0;
export const jal = (rd: number, imm: number) =>
  ((((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f) >>> 0;
export const jalr = (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x67);
export const beq = (rs1: number, rs2: number, imm: number) => bType(imm, rs2, rs1, 0);
export const bne = (rs1: number, rs2: number, imm: number) => bType(imm, rs2, rs1, 1);
export const blt = (rs1: number, rs2: number, imm: number) => bType(imm, rs2, rs1, 4);
export const addi = (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x13);
export const add = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 0, rd, 0x33);
export const sub = (rd: number, rs1: number, rs2: number) => r(0x20, rs2, rs1, 0, rd, 0x33);
export const lw = (rd: number, rs1: number, imm: number) => i(imm, rs1, 2, rd, 0x03);
export const lh = (rd: number, rs1: number, imm: number) => i(imm, rs1, 1, rd, 0x03);
export const lbu = (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x03);
export const sw = (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 2, 0x23);
export const sb = (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 0, 0x23);
export const bge = (rs1: number, rs2: number, imm: number) => bType(imm, rs2, rs1, 5);
export const bltu = (rs1: number, rs2: number, imm: number) => bType(imm, rs2, rs1, 6);
export const bgeu = (rs1: number, rs2: number, imm: number) => bType(imm, rs2, rs1, 7);
export const slti = (rd: number, rs1: number, imm: number) => i(imm, rs1, 2, rd, 0x13);
export const sltiu = (rd: number, rs1: number, imm: number) => i(imm, rs1, 3, rd, 0x13);
export const xori = (rd: number, rs1: number, imm: number) => i(imm, rs1, 4, rd, 0x13);
export const ori = (rd: number, rs1: number, imm: number) => i(imm, rs1, 6, rd, 0x13);
export const andi = (rd: number, rs1: number, imm: number) => i(imm, rs1, 7, rd, 0x13);
export const slli = (rd: number, rs1: number, shamt: number) => i(shamt & 31, rs1, 1, rd, 0x13);
export const srli = (rd: number, rs1: number, shamt: number) => i(shamt & 31, rs1, 5, rd, 0x13);
export const srai = (rd: number, rs1: number, shamt: number) =>
  i(0x400 | (shamt & 31), rs1, 5, rd, 0x13);
export const sll = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 1, rd, 0x33);
export const slt = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 2, rd, 0x33);
export const sltu = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 3, rd, 0x33);
export const xor = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 4, rd, 0x33);
export const srl = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 5, rd, 0x33);
export const sra = (rd: number, rs1: number, rs2: number) => r(0x20, rs2, rs1, 5, rd, 0x33);
export const or = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 6, rd, 0x33);
export const and = (rd: number, rs1: number, rs2: number) => r(0, rs2, rs1, 7, rd, 0x33);
export const mul = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 0, rd, 0x33);
export const mulh = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 1, rd, 0x33);
export const mulhsu = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 2, rd, 0x33);
export const mulhu = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 3, rd, 0x33);
export const div = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 4, rd, 0x33);
export const divu = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 5, rd, 0x33);
export const rem = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 6, rd, 0x33);
export const remu = (rd: number, rs1: number, rs2: number) => r(1, rs2, rs1, 7, rd, 0x33);
export const lb = (rd: number, rs1: number, imm: number) => i(imm, rs1, 0, rd, 0x03);
export const lhu = (rd: number, rs1: number, imm: number) => i(imm, rs1, 5, rd, 0x03);
export const sh = (rs2: number, rs1: number, imm: number) => s(imm, rs2, rs1, 1, 0x23);
export const ecall = () => 0x0000_0073;
export const ebreak = () => 0x0010_0073;
export const wfi = () => 0x1050_0073;
export const fence = () => 0x0ff0_000f;
export const csrrs = (rd: number, csr: number, rs1: number) => i(csr, rs1, 2, rd, 0x73);
export const csrrw = (rd: number, csr: number, rs1: number) => i(csr, rs1, 1, rd, 0x73);
export const csrrc = (rd: number, csr: number, rs1: number) => i(csr, rs1, 3, rd, 0x73);
export const csrrwi = (rd: number, csr: number, uimm: number) => i(csr, uimm, 5, rd, 0x73);
export const csrrsi = (rd: number, csr: number, uimm: number) => i(csr, uimm, 6, rd, 0x73);
export const csrrci = (rd: number, csr: number, uimm: number) => i(csr, uimm, 7, rd, 0x73);
/** The user counter CSRs (Zicntr). */
export const CSR_CYCLE = 0xc00;
export const CSR_TIME = 0xc01;
export const CSR_INSTRET = 0xc02;
export const CSR_CYCLEH = 0xc80;
export const CSR_TIMEH = 0xc81;
export const CSR_INSTRETH = 0xc82;
export const rdcycle = (rd: number) => csrrs(rd, CSR_CYCLE, 0);
export const rdtime = (rd: number) => csrrs(rd, CSR_TIME, 0);
export const rdinstret = (rd: number) => csrrs(rd, CSR_INSTRET, 0);
export const sret = () => 0x1020_0073;
export const mret = () => 0x3020_0073;
export const sfenceVma = (rs1: number, rs2: number) => r(0x09, rs2, rs1, 0, 0, 0x73);
export const amo = (funct5: number, rd: number, rs1: number, rs2: number) =>
  r(funct5 << 2, rs2, rs1, 2, rd, 0x2f);
export const amoaddW = (rd: number, rs1: number, rs2: number) => amo(0x00, rd, rs1, rs2);
export const lrW = (rd: number, rs1: number) => amo(0x02, rd, rs1, 0);
export const scW = (rd: number, rs1: number, rs2: number) => amo(0x03, rd, rs1, rs2);
export const amoswapW = (rd: number, rs1: number, rs2: number) => amo(0x01, rd, rs1, rs2);
export const amoxorW = (rd: number, rs1: number, rs2: number) => amo(0x04, rd, rs1, rs2);
export const amoorW = (rd: number, rs1: number, rs2: number) => amo(0x08, rd, rs1, rs2);
export const amoandW = (rd: number, rs1: number, rs2: number) => amo(0x0c, rd, rs1, rs2);
export const amominW = (rd: number, rs1: number, rs2: number) => amo(0x10, rd, rs1, rs2);
export const amomaxW = (rd: number, rs1: number, rs2: number) => amo(0x14, rd, rs1, rs2);
export const amominuW = (rd: number, rs1: number, rs2: number) => amo(0x18, rd, rs1, rs2);
export const amomaxuW = (rd: number, rs1: number, rs2: number) => amo(0x1c, rd, rs1, rs2);

/** Loads a 32-bit constant into `rd` (lui + addi). */
export function li(rd: number, value: number): number[] {
  const lo = (value << 20) >> 20;
  const hi = ((value - lo) >>> 12) & 0xfffff;
  return hi === 0 ? [addi(rd, 0, lo)] : [lui(rd, hi), addi(rd, rd, lo)];
}

/** Serialises instruction words (32-bit) and halfwords (for compressed tests) to bytes. */
export function toBytes(code: Array<number | { half: number }>): Uint8Array {
  const out: number[] = [];
  for (const c of code) {
    if (typeof c === "number") out.push(c & 0xff, (c >>> 8) & 0xff, (c >>> 16) & 0xff, c >>> 24);
    else out.push(c.half & 0xff, (c.half >>> 8) & 0xff);
  }
  return new Uint8Array(out);
}
