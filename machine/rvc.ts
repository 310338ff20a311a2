/**
 * The C extension: every 16-bit instruction valid on RV32 expanded to its 32-bit equivalent.
 *
 * The CPU looks compressed instructions up in a 64 K-entry table built once from `expand`, so
 * the interpreter decodes a single format. An entry of 0 means the encoding is illegal on RV32
 * (reserved, or belonging to F/D, which this machine does not have). Compressed jumps link
 * `pc + 2`; the CPU knows the instruction length separately.
 */

const X_RA = 1;
const X_SP = 2;

function rType(f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}

function iType(imm: number, rs1: number, f3: number, rd: number, op: number) {
  return ((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op;
}

function sType(imm: number, rs2: number, rs1: number, f3: number, op: number) {
  return (((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
    ((imm & 0x1f) << 7) | op;
}

function bType(imm: number, rs2: number, rs1: number, f3: number) {
  return (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) | (rs2 << 20) |
    (rs1 << 15) | (f3 << 12) | (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) | 0x63;
}

function jType(imm: number, rd: number) {
  return (((imm >> 20) & 1) << 31) | (((imm >> 1) & 0x3ff) << 21) | (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}

/** Sign-extends the low `bits` bits of `v`. */
function sext(v: number, bits: number): number {
  const shift = 32 - bits;
  return (v << shift) >> shift;
}

/** CJ-format jump offset (c.j, c.jal). */
function cjOffset(c: number): number {
  const imm = (((c >> 12) & 1) << 11) | (((c >> 11) & 1) << 4) | (((c >> 9) & 3) << 8) |
    (((c >> 8) & 1) << 10) | (((c >> 7) & 1) << 6) | (((c >> 6) & 1) << 7) |
    (((c >> 3) & 7) << 1) | (((c >> 2) & 1) << 5);
  return sext(imm, 12);
}

/** CB-format branch offset (c.beqz, c.bnez). */
function cbOffset(c: number): number {
  const imm = (((c >> 12) & 1) << 8) | (((c >> 10) & 3) << 3) | (((c >> 5) & 3) << 6) |
    (((c >> 3) & 3) << 1) | (((c >> 2) & 1) << 5);
  return sext(imm, 9);
}

/** The 6-bit signed immediate in bits 12 and 6:2 (c.addi, c.li, c.andi). */
function ciImm(c: number): number {
  return sext((((c >> 12) & 1) << 5) | ((c >> 2) & 0x1f), 6);
}

/** Expands one 16-bit instruction; returns 0 if it is illegal on RV32IMAC. */
export function expand(c: number): number {
  const funct3 = (c >> 13) & 7;
  const rdFull = (c >> 7) & 0x1f;
  const rs2Full = (c >> 2) & 0x1f;
  const rdPrime = ((c >> 2) & 7) + 8;
  const rs1Prime = ((c >> 7) & 7) + 8;
  switch (c & 3) {
    case 0: {
      const memOffset = (((c >> 10) & 7) << 3) | (((c >> 6) & 1) << 2) | (((c >> 5) & 1) << 6);
      if (funct3 === 0) { // c.addi4spn
        const imm = (((c >> 11) & 3) << 4) | (((c >> 7) & 0xf) << 6) | (((c >> 6) & 1) << 2) |
          (((c >> 5) & 1) << 3);
        return imm === 0 ? 0 : iType(imm, X_SP, 0, rdPrime, 0x13);
      }
      if (funct3 === 2) return iType(memOffset, rs1Prime, 2, rdPrime, 0x03); // c.lw
      if (funct3 === 6) return sType(memOffset, rdPrime, rs1Prime, 2, 0x23); // c.sw
      return 0;
    }
    case 1:
      switch (funct3) {
        case 0: // c.addi, c.nop and hints
          return iType(ciImm(c), rdFull, 0, rdFull, 0x13);
        case 1: // c.jal
          return jType(cjOffset(c), X_RA);
        case 2: // c.li
          return iType(ciImm(c), 0, 0, rdFull, 0x13);
        case 3: {
          if (rdFull === X_SP) { // c.addi16sp
            const imm = sext(
              (((c >> 12) & 1) << 9) | (((c >> 6) & 1) << 4) | (((c >> 5) & 1) << 6) |
                (((c >> 3) & 3) << 7) | (((c >> 2) & 1) << 5),
              10,
            );
            return imm === 0 ? 0 : iType(imm, X_SP, 0, X_SP, 0x13);
          }
          const imm = ciImm(c); // c.lui: imm[17:12]
          return imm === 0 ? 0 : ((imm << 12) | (rdFull << 7) | 0x37);
        }
        case 4: {
          const funct2 = (c >> 10) & 3;
          const bit12 = (c >> 12) & 1;
          if (funct2 === 0 || funct2 === 1) { // c.srli, c.srai: shamt[5] must be 0 on RV32
            if (bit12) return 0;
            return rType(funct2 === 1 ? 0x20 : 0, rs2Full, rs1Prime, 5, rs1Prime, 0x13);
          }
          if (funct2 === 2) return iType(ciImm(c), rs1Prime, 7, rs1Prime, 0x13); // c.andi
          if (bit12) return 0; // c.subw / c.addw are RV64 only
          switch ((c >> 5) & 3) {
            case 0:
              return rType(0x20, rdPrime, rs1Prime, 0, rs1Prime, 0x33); // c.sub
            case 1:
              return rType(0, rdPrime, rs1Prime, 4, rs1Prime, 0x33); // c.xor
            case 2:
              return rType(0, rdPrime, rs1Prime, 6, rs1Prime, 0x33); // c.or
            default:
              return rType(0, rdPrime, rs1Prime, 7, rs1Prime, 0x33); // c.and
          }
        }
        case 5: // c.j
          return jType(cjOffset(c), 0);
        case 6: // c.beqz
          return bType(cbOffset(c), 0, rs1Prime, 0);
        default: // c.bnez
          return bType(cbOffset(c), 0, rs1Prime, 1);
      }
    case 2:
      switch (funct3) {
        case 0: // c.slli: shamt[5] must be 0 on RV32
          return (c >> 12) & 1 ? 0 : rType(0, rs2Full, rdFull, 1, rdFull, 0x13);
        case 2: { // c.lwsp
          if (rdFull === 0) return 0;
          const imm = (((c >> 12) & 1) << 5) | (((c >> 4) & 7) << 2) | (((c >> 2) & 3) << 6);
          return iType(imm, X_SP, 2, rdFull, 0x03);
        }
        case 4:
          if (((c >> 12) & 1) === 0) {
            if (rs2Full === 0) return rdFull === 0 ? 0 : iType(0, rdFull, 0, 0, 0x67); // c.jr
            return rType(0, rs2Full, 0, 0, rdFull, 0x33); // c.mv
          }
          if (rs2Full === 0) {
            if (rdFull === 0) return 0x0010_0073; // c.ebreak
            return iType(0, rdFull, 0, X_RA, 0x67); // c.jalr
          }
          return rType(0, rs2Full, rdFull, 0, rdFull, 0x33); // c.add
        case 6: { // c.swsp
          const imm = (((c >> 9) & 0xf) << 2) | (((c >> 7) & 3) << 6);
          return sType(imm, rs2Full, X_SP, 2, 0x23);
        }
        default:
          return 0;
      }
    default:
      return 0;
  }
}

let table: Int32Array | undefined;

/** The expansion of every 16-bit pattern (index = instruction), built on first use. */
export function compressedTable(): Int32Array {
  if (!table) {
    table = new Int32Array(65536);
    for (let c = 0; c < 65536; c++) if ((c & 3) !== 3) table[c] = expand(c);
  }
  return table;
}
