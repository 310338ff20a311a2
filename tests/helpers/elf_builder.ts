/**
 * Builds small static RV32 ELF executables in memory, for tests that need a program with
 * exact instructions (or an exactly broken header) without a toolchain.
 */

/** A segment to emit: `bytes` at `vaddr`, `memSize` (default bytes.length), p_flags. */
export interface SegmentSpec {
  vaddr: number;
  bytes: Uint8Array;
  memSize?: number;
  flags: number;
}

/** An ELF32 RISC-V ET_EXEC with one PT_LOAD per segment, file offsets page-aligned. */
export function buildElf(entry: number, segments: SegmentSpec[]): Uint8Array {
  const headerSize = 52 + 32 * segments.length;
  const offsets: number[] = [];
  let at = Math.ceil(headerSize / 4096) * 4096;
  for (const s of segments) {
    at += ((s.vaddr % 4096) - (at % 4096) + 4096) % 4096; // offset ≡ vaddr (mod page)
    offsets.push(at);
    at += s.bytes.length;
  }
  const out = new Uint8Array(at);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
  dv.setUint16(16, 2, true); // ET_EXEC
  dv.setUint16(18, 243, true); // EM_RISCV
  dv.setUint32(20, 1, true);
  dv.setUint32(24, entry, true);
  dv.setUint32(28, 52, true); // e_phoff
  dv.setUint32(36, 0x1, true); // EF_RISCV_RVC, soft float
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, segments.length, true);
  segments.forEach((s, n) => {
    const p = 52 + 32 * n;
    dv.setUint32(p, 1, true); // PT_LOAD
    dv.setUint32(p + 4, offsets[n], true);
    dv.setUint32(p + 8, s.vaddr, true);
    dv.setUint32(p + 12, s.vaddr, true);
    dv.setUint32(p + 16, s.bytes.length, true);
    dv.setUint32(p + 20, s.memSize ?? s.bytes.length, true);
    dv.setUint32(p + 24, s.flags, true);
    dv.setUint32(p + 28, 4096, true);
    out.set(s.bytes, offsets[n]);
  });
  return out;
}
