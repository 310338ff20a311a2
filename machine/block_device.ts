/**
 * The block device: a disk of 512-byte sectors that the driver reaches through a request ring
 * in guest RAM (virtio-blk in spirit, with a smaller interface).
 *
 * Registers, 32 bits wide (other widths and unaligned offsets read 0 and ignore writes):
 *
 * | offset | name          | access | meaning                                                |
 * |--------|---------------|--------|--------------------------------------------------------|
 * | 0x00   | MAGIC         | R      | 0x6b627672 ("rvbk" in memory order)                    |
 * | 0x04   | VERSION       | R      | 1                                                      |
 * | 0x08   | CAPACITY_LO   | R      | capacity in 512-byte sectors, low 32 bits              |
 * | 0x0c   | CAPACITY_HI   | R      | capacity in 512-byte sectors, high 32 bits             |
 * | 0x10   | FLAGS         | R      | bit 0: read-only                                       |
 * | 0x14   | QUEUE_SIZE    | R      | descriptors in the ring, N (64, a power of two)        |
 * | 0x18   | RING_ADDR     | RW     | physical address of the ring; 0 = none                 |
 * | 0x1c   | DOORBELL      | W      | any value: process the requests made available         |
 * | 0x20   | INT_STATUS    | R      | bit 0: used index advanced; bit 1: device error        |
 * | 0x24   | INT_ACK       | W      | clears the INT_STATUS bits written as 1                |
 * | 0x28   | DEVICE_STATUS | R      | bit 0: ring set; bit 1: busy (in flight); bit 2: error |
 * | 0x2c   | RESET         | W      | any value: back to the power-on state                  |
 *
 * The ring (16-byte aligned, 16 + 32 * N = 2064 bytes, all in one RAM bank; the driver zeroes
 * it before writing RING_ADDR, and the device starts at index 0):
 *
 * | offset        | field                                                              |
 * |---------------|--------------------------------------------------------------------|
 * | 0x00          | avail index, u32, written by the driver                            |
 * | 0x04          | used index, u32, written by the device                             |
 * | 0x08          | reserved (8 bytes)                                                 |
 * | 0x10 + 32 * i | descriptor i, for i in 0..N-1                                      |
 *
 * A descriptor (little-endian):
 *
 * | offset | field                                                                     |
 * |--------|---------------------------------------------------------------------------|
 * | 0x00   | op, u32: 0 READ, 1 WRITE, 2 FLUSH, 3 GET_ID                               |
 * | 0x04   | length in bytes, u32 (READ/WRITE: a multiple of 512, 512..1 MiB)          |
 * | 0x08   | first sector, u64                                                         |
 * | 0x10   | buffer physical address, u32                                              |
 * | 0x14   | reserved (4 bytes)                                                        |
 * | 0x18   | status, u8, written by the device (BLOCK_STATUS)                          |
 * | 0x19   | reserved (7 bytes)                                                        |
 *
 * Indices are free-running u32 counters; request k lives in descriptor k mod N. The driver
 * fills descriptor `avail mod N`, then advances avail and rings the doorbell. The device
 * handles requests strictly in order, one at a time: it moves the data by DMA straight
 * between the back end and a view of guest RAM (no copy in the device), writes the status
 * byte, advances the used index (so request k is done once used > k), sets INT_STATUS bit 0
 * and raises its line. A malformed request completes with an error status (BLOCK_STATUS). A
 * RING_ADDR that is misaligned or not all inside one RAM bank, a doorbell without a ring, or
 * an avail index more than N ahead of the device puts the device in the error state
 * (DEVICE_STATUS bit 2, INT_STATUS bit 1), where it handles no request until a reset. GET_ID
 * writes BLOCK_ID_BYTES of the back end's id, zero-padded; its length must be at least that.
 * The interrupt line is high while INT_STATUS is not 0.
 *
 * RESET or a RING_ADDR write while a request is in flight lets the back end finish moving that
 * request's data, but its status and the used index are not written.
 */

import type { Bus, MmioDevice, RamBank } from "./bus.ts";
import {
  BLOCK_DEVICE_STATUS,
  BLOCK_FLAG_READ_ONLY,
  BLOCK_ID_BYTES,
  BLOCK_INT,
  BLOCK_MAGIC,
  BLOCK_MAX_REQUEST_BYTES,
  BLOCK_OP,
  BLOCK_QUEUE_SIZE,
  BLOCK_REG,
  BLOCK_STATUS,
  BLOCK_VERSION,
  DESC,
  DESCRIPTOR_BYTES,
  RING,
  RING_ALIGN,
  RING_BYTES,
  RING_HEADER_BYTES,
  SECTOR_BYTES,
} from "../abi/devices.ts";

/** What a block device stores its sectors on. Every method rejects on an I/O error. */
export interface BlockBackend {
  /** Size of the disk, in 512-byte sectors. */
  readonly capacity_sectors: number;
  /** Whether writes are refused. */
  readonly read_only: boolean;
  /** Identifies the disk (GET_ID); at most BLOCK_ID_BYTES bytes of it are shown. */
  readonly id: string;
  /** Fills `into` (a multiple of 512 bytes) from the sectors starting at `sector`. */
  read(sector: number, into: Uint8Array): Promise<void>;
  /** Stores `from` (a multiple of 512 bytes) into the sectors starting at `sector`. */
  write(sector: number, from: Uint8Array): Promise<void>;
  /** Makes every completed write durable. */
  flush(): Promise<void>;
}

/** Counters for observability. */
export interface BlockStats {
  /** Requests completed, any status. */
  requests: number;
  /** Requests completed with a status other than OK. */
  errors: number;
  /** Successful READs, WRITEs and FLUSHes. */
  reads: number;
  writes: number;
  flushes: number;
  /** Bytes moved by successful READs and WRITEs. */
  read_bytes: number;
  written_bytes: number;
}

/** The block device model. */
export class BlockDevice implements MmioDevice {
  readonly name = "block";
  /** Counters since construction (a reset does not clear them). */
  readonly stats: BlockStats = {
    requests: 0,
    errors: 0,
    reads: 0,
    writes: 0,
    flushes: 0,
    read_bytes: 0,
    written_bytes: 0,
  };
  private ringAddr = 0;
  private ring: { bank: RamBank; offset: number; data: DataView } | null = null;
  private nextIndex = 0;
  private intStatus = 0;
  private error = false;
  private line = false;
  private generation = 0;
  private busy = false;
  private running: Promise<void> = Promise.resolve();

  /**
   * @param bus the physical address space the ring and buffers live in
   * @param backend the disk's storage
   * @param irq drives the device's interrupt line (a level)
   */
  constructor(
    private readonly bus: Bus,
    private readonly backend: BlockBackend,
    private readonly irq: (high: boolean) => void,
  ) {}

  /** Resolves once no request is in flight. */
  async idle(): Promise<void> {
    while (this.busy) await this.running;
  }

  read(offset: number, width: 1 | 2 | 4): number {
    if (width !== 4 || offset & 3) return 0;
    switch (offset) {
      case BLOCK_REG.MAGIC:
        return BLOCK_MAGIC;
      case BLOCK_REG.VERSION:
        return BLOCK_VERSION;
      case BLOCK_REG.CAPACITY_LO:
        return this.backend.capacity_sectors % 2 ** 32;
      case BLOCK_REG.CAPACITY_HI:
        return Math.floor(this.backend.capacity_sectors / 2 ** 32);
      case BLOCK_REG.FLAGS:
        return this.backend.read_only ? BLOCK_FLAG_READ_ONLY : 0;
      case BLOCK_REG.QUEUE_SIZE:
        return BLOCK_QUEUE_SIZE;
      case BLOCK_REG.RING_ADDR:
        return this.ringAddr;
      case BLOCK_REG.INT_STATUS:
        return this.intStatus;
      case BLOCK_REG.DEVICE_STATUS:
        return (this.ring ? BLOCK_DEVICE_STATUS.RING_SET : 0) |
          (this.busy ? BLOCK_DEVICE_STATUS.BUSY : 0) |
          (this.error ? BLOCK_DEVICE_STATUS.ERROR : 0);
      default:
        return 0;
    }
  }

  write(offset: number, width: 1 | 2 | 4, value: number): void {
    if (width !== 4 || offset & 3) return;
    switch (offset) {
      case BLOCK_REG.RING_ADDR:
        this.setRing(value >>> 0);
        break;
      case BLOCK_REG.DOORBELL:
        this.doorbell();
        break;
      case BLOCK_REG.INT_ACK:
        this.intStatus &= ~value;
        this.updateLine();
        break;
      case BLOCK_REG.RESET:
        this.reset();
        break;
    }
  }

  private setRing(paddr: number): void {
    this.generation++;
    this.ringAddr = paddr;
    this.ring = null;
    this.nextIndex = 0;
    if (paddr === 0) return;
    const bank = paddr % RING_ALIGN === 0 ? this.bus.bankAt(paddr, RING_BYTES) : undefined;
    if (!bank) {
      this.fail();
      return;
    }
    const offset = paddr - bank.base;
    this.ring = { bank, offset, data: new DataView(bank.buffer, offset, RING_BYTES) };
  }

  private reset(): void {
    this.setRing(0);
    this.intStatus = 0;
    this.error = false;
    this.updateLine();
  }

  private doorbell(): void {
    if (this.busy) return;
    if (!this.ring) {
      this.fail();
      return;
    }
    this.busy = true;
    this.running = this.process();
  }

  /**
   * Handles requests until the device catches up with the avail index. `busy` is cleared in
   * the same step as the last look at the index, so no doorbell can fall in between. A reset
   * or a new ring while a request is in flight drops that request's completion; the loop then
   * goes on with whatever ring is set by the time the back end is done.
   */
  private async process(): Promise<void> {
    try {
      for (;;) {
        const ring = this.ring;
        if (!ring || this.error) return;
        const avail = Atomics.load(ring.bank.i32, (ring.offset + RING.AVAIL) >> 2) >>> 0;
        const ahead = (avail - this.nextIndex) >>> 0;
        if (ahead === 0) return;
        if (ahead > BLOCK_QUEUE_SIZE) {
          this.fail();
          return;
        }
        const generation = this.generation;
        const at = RING_HEADER_BYTES + (this.nextIndex % BLOCK_QUEUE_SIZE) * DESCRIPTOR_BYTES;
        const status = await this.execute(ring.data, at);
        if (generation !== this.generation) continue;
        this.stats.requests++;
        if (status !== BLOCK_STATUS.OK) this.stats.errors++;
        ring.data.setUint8(at + DESC.STATUS, status);
        this.nextIndex = (this.nextIndex + 1) >>> 0;
        Atomics.store(ring.bank.i32, (ring.offset + RING.USED) >> 2, this.nextIndex | 0);
        this.intStatus |= BLOCK_INT.USED;
        this.updateLine();
      }
    } catch (e) {
      console.error(`block device: internal error, device stopped: ${e}`);
      this.fail();
    } finally {
      this.busy = false;
    }
  }

  /** Validates and performs the request in the descriptor at byte `at` of the ring. */
  private async execute(ring: DataView, at: number): Promise<number> {
    const op = ring.getUint32(at + DESC.OP, true);
    const length = ring.getUint32(at + DESC.LENGTH, true);
    const sector = ring.getUint32(at + DESC.SECTOR, true) +
      ring.getUint32(at + DESC.SECTOR + 4, true) * 2 ** 32;
    const buffer = ring.getUint32(at + DESC.BUFFER, true);
    switch (op) {
      case BLOCK_OP.READ:
      case BLOCK_OP.WRITE:
        return await this.transfer(op, sector, length, buffer);
      case BLOCK_OP.FLUSH: {
        const status = await this.attempt(() => this.backend.flush());
        if (status === BLOCK_STATUS.OK) this.stats.flushes++;
        return status;
      }
      case BLOCK_OP.GET_ID:
        return this.writeId(length, buffer);
      default:
        return BLOCK_STATUS.UNSUPPORTED;
    }
  }

  private async transfer(op: number, sector: number, length: number, buffer: number) {
    if (length === 0 || length % SECTOR_BYTES !== 0 || length > BLOCK_MAX_REQUEST_BYTES) {
      return BLOCK_STATUS.BAD_REQUEST;
    }
    if (!this.bus.bankAt(buffer, length)) return BLOCK_STATUS.BAD_REQUEST;
    if (sector + length / SECTOR_BYTES > this.backend.capacity_sectors) {
      return BLOCK_STATUS.OUT_OF_RANGE;
    }
    const view = this.bus.view(buffer, length);
    if (op === BLOCK_OP.READ) {
      const status = await this.attempt(() => this.backend.read(sector, view));
      if (status === BLOCK_STATUS.OK) {
        this.stats.reads++;
        this.stats.read_bytes += length;
      }
      return status;
    }
    if (this.backend.read_only) return BLOCK_STATUS.READ_ONLY;
    const status = await this.attempt(() => this.backend.write(sector, view));
    if (status === BLOCK_STATUS.OK) {
      this.stats.writes++;
      this.stats.written_bytes += length;
    }
    return status;
  }

  private writeId(length: number, buffer: number): number {
    if (length < BLOCK_ID_BYTES || !this.bus.bankAt(buffer, BLOCK_ID_BYTES)) {
      return BLOCK_STATUS.BAD_REQUEST;
    }
    const view = this.bus.view(buffer, BLOCK_ID_BYTES);
    view.fill(0);
    new TextEncoder().encodeInto(this.backend.id, view);
    return BLOCK_STATUS.OK;
  }

  /** Runs a back-end operation; a rejection (or a throw) becomes IOERR. */
  private async attempt(operation: () => Promise<void>): Promise<number> {
    try {
      await operation();
      return BLOCK_STATUS.OK;
    } catch {
      return BLOCK_STATUS.IOERR;
    }
  }

  private fail(): void {
    this.error = true;
    this.intStatus |= BLOCK_INT.ERROR;
    this.updateLine();
  }

  private updateLine(): void {
    const high = this.intStatus !== 0;
    if (high === this.line) return;
    this.line = high;
    this.irq(high);
  }
}
