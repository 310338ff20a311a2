/**
 * The ELF boundary: parses and validates a static RV32 executable before anything is loaded.
 *
 * Accepted: ELFCLASS32, little-endian, EM_RISCV, ET_EXEC, soft-float ABI, no interpreter, every
 * PT_LOAD inside user space and inside the file. Anything else is rejected with an ElfError
 * that says what is wrong in words a user can act on; nothing is mapped until the whole file
 * has passed.
 */

/** Lowest and highest (exclusive) user virtual addresses a segment may occupy. */
export const USER_BASE = 0x0000_1000;
export const USER_TOP = 0xc000_0000;

const EM_RISCV = 243;
const ET_EXEC = 2;
const ET_DYN = 3;
const PT_LOAD = 1;
const PT_INTERP = 3;
const PT_PHDR = 6;
const EF_RISCV_FLOAT_ABI = 0x6;
const EF_RISCV_RVE = 0x8;
const HEADER_SIZE = 52;
const PHDR_SIZE = 32;
const PHNUM_MAX = 64;
const IMAGE_SIZE_MAX = 512 * 1024 * 1024;

/** Segment permission bits (p_flags). */
export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

/** Why an ELF file was refused. */
export class ElfError extends Error {}

/** One loadable segment. */
export interface ElfSegment {
  vaddr: number;
  memSize: number;
  fileOffset: number;
  fileSize: number;
  flags: number;
}

/** A validated executable. */
export interface ElfImage {
  entry: number;
  segments: ElfSegment[];
  /** Where the program headers are in the loaded image (for AT_PHDR), or 0. */
  phdrAddr: number;
  phnum: number;
  bytes: Uint8Array;
}

/** Parses `bytes` as a static RV32 executable or throws ElfError. */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (
    bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  ) {
    throw new ElfError("not an ELF file (bad magic number)");
  }
  if (bytes.length < HEADER_SIZE) {
    throw new ElfError(`truncated ELF header (${bytes.length} bytes, need ${HEADER_SIZE})`);
  }
  if (bytes[4] !== 1) {
    throw new ElfError(
      `ELF class ${bytes[4] === 2 ? "64-bit" : bytes[4]}: need a 32-bit (ELFCLASS32) file`,
    );
  }
  if (bytes[5] !== 1) throw new ElfError("big-endian or unknown data encoding: need little-endian");
  if (bytes[6] !== 1) throw new ElfError(`unknown ELF version ${bytes[6]}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => dv.getUint16(o, true);
  const u32 = (o: number) => dv.getUint32(o, true);
  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_RISCV) throw new ElfError(`machine ${machine} is not RISC-V (${EM_RISCV})`);
  if (type === ET_DYN) throw new ElfError("position-independent executable: need a static ET_EXEC");
  if (type !== ET_EXEC) throw new ElfError(`ELF type ${type} is not an executable`);
  const flags = u32(36);
  if (flags & EF_RISCV_FLOAT_ABI) throw new ElfError("hard-float ABI: this machine has no F/D");
  if (flags & EF_RISCV_RVE) throw new ElfError("RV32E ABI is not supported");
  const entry = u32(24);
  const phoff = u32(28);
  const phentsize = u16(42);
  const phnum = u16(44);
  if (phentsize !== PHDR_SIZE) throw new ElfError(`program header size ${phentsize}, need 32`);
  if (phnum === 0 || phnum > PHNUM_MAX) {
    throw new ElfError(`${phnum} program headers (1..64 allowed)`);
  }
  if (phoff + phnum * PHDR_SIZE > bytes.length) {
    throw new ElfError("truncated: program headers lie past the end of the file");
  }

  const segments: ElfSegment[] = [];
  let phdrAddr = 0;
  let total = 0;
  for (let n = 0; n < phnum; n++) {
    const p = phoff + n * PHDR_SIZE;
    const pType = u32(p);
    if (pType === PT_INTERP) {
      throw new ElfError("dynamically linked (PT_INTERP): need a static executable");
    }
    if (pType === PT_PHDR) phdrAddr = u32(p + 8);
    if (pType !== PT_LOAD) continue;
    const seg: ElfSegment = {
      fileOffset: u32(p + 4),
      vaddr: u32(p + 8),
      fileSize: u32(p + 16),
      memSize: u32(p + 20),
      flags: u32(p + 24),
    };
    const where = `segment ${n} (0x${hex(seg.vaddr)}, ${seg.memSize} bytes)`;
    if (seg.fileSize > seg.memSize) throw new ElfError(`${where}: file size exceeds memory size`);
    if (seg.fileOffset + seg.fileSize > bytes.length) {
      throw new ElfError(`truncated: ${where} extends past the end of the file`);
    }
    if (seg.vaddr < USER_BASE || seg.vaddr + seg.memSize > USER_TOP) {
      throw new ElfError(`${where} lies outside user space 0x${hex(USER_BASE)}-0x${hex(USER_TOP)}`);
    }
    if (seg.fileSize > 0 && (seg.vaddr - seg.fileOffset) % 4096 !== 0) {
      throw new ElfError(`${where}: address and file offset differ modulo the page size`);
    }
    total += seg.memSize;
    if (total > IMAGE_SIZE_MAX) throw new ElfError("image larger than 512 MiB");
    segments.push(seg);
  }
  if (segments.length === 0) throw new ElfError("no loadable segment");
  const executable = segments.some((s) =>
    s.flags & PF_X && entry >= s.vaddr && entry < s.vaddr + s.memSize
  );
  if (!executable) {
    throw new ElfError(`entry point 0x${hex(entry)} is not in an executable segment`);
  }
  if (phdrAddr === 0) {
    const holder = segments.find((s) =>
      phoff >= s.fileOffset && phoff + phnum * PHDR_SIZE <= s.fileOffset + s.fileSize
    );
    if (holder) phdrAddr = holder.vaddr + (phoff - holder.fileOffset);
  }
  return { entry, segments, phdrAddr, phnum, bytes };
}

function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, "0");
}
