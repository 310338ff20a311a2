/**
 * The physical address space: RAM banks backed by SharedArrayBuffers and memory-mapped
 * device registers.
 *
 * The CPU reaches RAM through its TLB fast path and falls back to the bus for everything
 * else; the kernel and device models (DMA) reach physical memory only through the bus. A bus
 * built on a host thread that has no device models (a hart worker) simply has no device
 * regions, so an access there is an access fault.
 */

/** A device's register window. Offsets are relative to the window's base. */
export interface MmioDevice {
  readonly name: string;
  /** Reads `width` bytes (1, 2 or 4) at `offset`; returns the value zero-extended. */
  read(offset: number, width: 1 | 2 | 4): number;
  /** Writes the low `width` bytes of `value` at `offset`. */
  write(offset: number, width: 1 | 2 | 4, value: number): void;
}

/**
 * A contiguous piece of RAM at a physical base address.
 *
 * Each 4 KiB frame also has a code generation, a word in a shared buffer of its own: whoever
 * replaces a frame's contents behind the harts' backs (the kernel freeing a frame for reuse)
 * bumps it, and code a hart translated from the frame is dropped when next entered (see
 * code_cache.ts). The buffer is shared with every thread that runs a hart.
 */
export class RamBank {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly i32: Int32Array;
  readonly size: number;
  /** Code generation per frame. */
  readonly codeGen: Int32Array;

  constructor(
    readonly name: string,
    readonly base: number,
    readonly buffer: SharedArrayBuffer,
    readonly codeGenBuffer = new SharedArrayBuffer(buffer.byteLength / 4096 * 4),
  ) {
    if (base % 4096 !== 0 || buffer.byteLength % 4096 !== 0) {
      throw new RangeError(`bank ${name}: base and size must be page-aligned`);
    }
    if (base + buffer.byteLength > 2 ** 32) {
      throw new RangeError(`bank ${name}: ends above 4 GiB`);
    }
    if (codeGenBuffer.byteLength !== buffer.byteLength / 4096 * 4) {
      throw new RangeError(`bank ${name}: the code generation buffer needs a word per frame`);
    }
    this.size = buffer.byteLength;
    this.u8 = new Uint8Array(buffer);
    this.u16 = new Uint16Array(buffer);
    this.i32 = new Int32Array(buffer);
    this.codeGen = new Int32Array(codeGenBuffer);
  }

  /** Whether [paddr, paddr + length) lies inside this bank. */
  contains(paddr: number, length = 1): boolean {
    return paddr >= this.base && paddr + length <= this.base + this.size;
  }

  /**
   * Announces that the frames holding [paddr, paddr + length) get new contents: bumps their
   * code generations so that no hart keeps running code translated from the old ones. Safe
   * from any thread.
   */
  replaceFrames(paddr: number, length = 1): void {
    const first = Math.floor((paddr - this.base) / 4096);
    const last = Math.floor((paddr + length - 1 - this.base) / 4096);
    for (let f = first; f <= last; f++) Atomics.add(this.codeGen, f, 1);
  }
}

/** Thrown by the bus for an access to an address with nothing behind it. */
export class AccessFault extends Error {
  constructor(readonly paddr: number, what: string) {
    super(`access fault: ${what} at physical 0x${(paddr >>> 0).toString(16).padStart(8, "0")}`);
  }
}

interface DeviceWindow {
  base: number;
  size: number;
  device: MmioDevice;
}

/** The physical address space of one host thread's view of the machine. */
export class Bus {
  readonly banks: RamBank[] = [];
  readonly windows: DeviceWindow[] = [];

  /** Adds a RAM bank; banks and device windows must not overlap. */
  addBank(bank: RamBank): void {
    this.assertFree(bank.base, bank.size, bank.name);
    this.banks.push(bank);
  }

  /** Takes the bank based at `base` off the bus; false if there is none. */
  removeBank(base: number): boolean {
    const i = this.banks.findIndex((b) => b.base === base);
    if (i >= 0) this.banks.splice(i, 1);
    return i >= 0;
  }

  /** Maps a device's registers at `base`. */
  addDevice(base: number, size: number, device: MmioDevice): void {
    this.assertFree(base, size, device.name);
    this.windows.push({ base, size, device });
  }

  /** The bank holding [paddr, paddr + length), or undefined. */
  bankAt(paddr: number, length = 1): RamBank | undefined {
    for (const bank of this.banks) if (bank.contains(paddr, length)) return bank;
    return undefined;
  }

  /**
   * Reads an aligned or unaligned little-endian value of `width` bytes, zero-extended.
   * Physical addresses are up to 34 bits (Sv32); nothing lies at or above 4 GiB.
   */
  read(paddr: number, width: 1 | 2 | 4): number {
    const bank = this.bankAt(paddr, width);
    if (bank) {
      const off = paddr - bank.base;
      let v = 0;
      for (let i = width - 1; i >= 0; i--) v = (v << 8) | bank.u8[off + i];
      return width === 4 ? v >>> 0 : v;
    }
    const w = this.windowAt(paddr, width);
    if (!w) throw new AccessFault(paddr, `read of ${width} bytes`);
    return w.device.read(paddr - w.base, width) >>> 0;
  }

  /** Writes the low `width` bytes of `value`, little-endian. */
  write(paddr: number, width: 1 | 2 | 4, value: number): void {
    const bank = this.bankAt(paddr, width);
    if (bank) {
      const off = paddr - bank.base;
      for (let i = 0; i < width; i++) bank.u8[off + i] = value >>> (8 * i);
      return;
    }
    const w = this.windowAt(paddr, width);
    if (!w) throw new AccessFault(paddr, `write of ${width} bytes`);
    w.device.write(paddr - w.base, width, value);
  }

  /** A view of `length` bytes of RAM at `paddr` (no copy), for DMA. Throws if not all RAM. */
  view(paddr: number, length: number): Uint8Array {
    const bank = this.bankAt(paddr, length);
    if (!bank) throw new AccessFault(paddr, `DMA of ${length} bytes`);
    const off = paddr - bank.base;
    return bank.u8.subarray(off, off + length);
  }

  private windowAt(paddr: number, width: number): DeviceWindow | undefined {
    for (const w of this.windows) {
      if (paddr >= w.base && paddr + width <= w.base + w.size) return w;
    }
    return undefined;
  }

  private assertFree(base: number, size: number, name: string): void {
    const overlaps = (b: number, s: number) => base < b + s && b < base + size;
    for (const bank of this.banks) {
      if (overlaps(bank.base, bank.size)) throw new RangeError(`${name} overlaps ${bank.name}`);
    }
    for (const w of this.windows) {
      if (overlaps(w.base, w.size)) throw new RangeError(`${name} overlaps ${w.device.name}`);
    }
  }
}
