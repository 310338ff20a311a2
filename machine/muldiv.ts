/**
 * The M extension's multiply-high, divide and remainder on 32-bit values, in one place so that
 * the interpreter (cpu.ts) and the translator (translate.ts) share one semantics. Operands and
 * results are int32 (the register encoding); division by zero and the one overflowing case
 * give the results the specification fixes instead of trapping.
 */

/** MULHU: high 32 bits of the unsigned 64-bit product. */
export function mulhu(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lo = aLo * bLo;
  const mid1 = aHi * bLo;
  const mid2 = aLo * bHi;
  const carry = ((lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aHi * bHi + (mid1 >>> 16) + (mid2 >>> 16) + carry) | 0;
}

/** MULH: high 32 bits of the signed 64-bit product. */
export function mulh(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** MULHSU: high 32 bits of signed `a` times unsigned `b`. */
export function mulhsu(a: number, b: number): number {
  return (mulhu(a, b) - (a < 0 ? b : 0)) | 0;
}

/** DIV: rounds toward zero; x / 0 = -1; -2^31 / -1 = -2^31. */
export function div(a: number, b: number): number {
  return b === 0 ? -1 : (a === -0x8000_0000 && b === -1) ? a : (a / b) | 0;
}

/** DIVU: x / 0 = 2^32 - 1. */
export function divu(a: number, b: number): number {
  return b === 0 ? -1 : ((a >>> 0) / (b >>> 0)) | 0;
}

/** REM: the sign of the dividend; x % 0 = x; -2^31 % -1 = 0. */
export function rem(a: number, b: number): number {
  return b === 0 ? a : (a === -0x8000_0000 && b === -1) ? 0 : (a % b) | 0;
}

/** REMU: x % 0 = x. */
export function remu(a: number, b: number): number {
  return b === 0 ? a : ((a >>> 0) % (b >>> 0)) | 0;
}
