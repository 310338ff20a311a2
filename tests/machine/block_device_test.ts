/**
 * The block device through its registers and its request ring in RAM, as a driver sees it:
 * DMA round trips checked in RAM and in the back end, ordering, every malformed request, a
 * read-only disk, back-end failures, flush, ring errors and reset, and the disk image back end
 * on a real file.
 */

import assert from "node:assert/strict";
import { DiskImage } from "../../machine/backends/disk_image.ts";
import { MemoryDisk } from "../../machine/backends/memory_disk.ts";
import { type BlockBackend, BlockDevice } from "../../machine/block_device.ts";
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
  RING_HEADER_BYTES,
  SECTOR_BYTES,
} from "../../abi/devices.ts";
import type { Bus } from "../../machine/bus.ts";
import { BLOCK0_BASE, BLOCK0_SIZE, IRQ_BLOCK0, RAM_BASE } from "../../machine/memory_map.ts";
import { deviceFixture, FIXTURE_RAM_BYTES } from "../helpers/device_fixture.ts";

const RING_PADDR = RAM_BASE + 0x1000;
const BUF_A = RAM_BASE + 0x10_0000;
const BUF_B = RAM_BASE + 0x20_0000;
const DISK_SECTORS = 64;
/** What the driver puts in a status byte before submitting, to see that the device wrote it. */
const UNTOUCHED = 0xee;

interface Request {
  op: number;
  sector?: number;
  length?: number;
  buffer?: number;
}

/** A small driver speaking to the device only through the bus, as the kernel would. */
class Driver {
  avail = 0;

  constructor(readonly bus: Bus, readonly ring = RING_PADDR) {}

  reg(offset: number): number {
    return this.bus.read(BLOCK0_BASE + offset, 4);
  }

  set(offset: number, value: number): void {
    this.bus.write(BLOCK0_BASE + offset, 4, value);
  }

  /** Zeroes the ring and hands it to the device. */
  init(): void {
    for (let i = 0; i < RING_HEADER_BYTES + BLOCK_QUEUE_SIZE * DESCRIPTOR_BYTES; i += 4) {
      this.bus.write(this.ring + i, 4, 0);
    }
    this.avail = 0;
    this.set(BLOCK_REG.RING_ADDR, this.ring);
  }

  descriptor(index: number): number {
    return this.ring + RING_HEADER_BYTES + (index % BLOCK_QUEUE_SIZE) * DESCRIPTOR_BYTES;
  }

  /** Fills the next descriptor and makes it available; returns its request index. */
  submit(r: Request): number {
    const d = this.descriptor(this.avail);
    const sector = r.sector ?? 0;
    this.bus.write(d + DESC.OP, 4, r.op);
    this.bus.write(d + DESC.LENGTH, 4, r.length ?? 0);
    this.bus.write(d + DESC.SECTOR, 4, sector % 2 ** 32);
    this.bus.write(d + DESC.SECTOR + 4, 4, Math.floor(sector / 2 ** 32));
    this.bus.write(d + DESC.BUFFER, 4, r.buffer ?? 0);
    this.bus.write(d + DESC.STATUS, 1, UNTOUCHED);
    this.avail = (this.avail + 1) >>> 0;
    this.bus.write(this.ring + RING.AVAIL, 4, this.avail);
    return this.avail - 1;
  }

  doorbell(): void {
    this.set(BLOCK_REG.DOORBELL, 1);
  }

  status(index: number): number {
    return this.bus.read(this.descriptor(index) + DESC.STATUS, 1);
  }

  used(): number {
    return this.bus.read(this.ring + RING.USED, 4);
  }

  /** Submits one request, rings, waits, and returns its status. */
  async run(device: BlockDevice, r: Request): Promise<number> {
    const index = this.submit(r);
    this.doorbell();
    await device.idle();
    assert.equal(this.used(), this.avail, "every request completed");
    return this.status(index);
  }
}

function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 7 + seed) & 0xff);
}

/** The fixture with `backend` mapped as the block device, and a driver for it. */
function setup<B extends BlockBackend>(backend: B) {
  const f = deviceFixture(IRQ_BLOCK0);
  const device = new BlockDevice(f.bus, backend, f.irq);
  f.bus.addDevice(BLOCK0_BASE, BLOCK0_SIZE, device);
  const driver = new Driver(f.bus);
  const ram = (paddr: number, length: number) => f.bus.view(paddr, length);
  return { ...f, backend, device, driver, ram };
}

/** A fresh memory disk of DISK_SECTORS sectors holding pattern(…, 1). */
function memoryDisk(options = {}): MemoryDisk {
  return new MemoryDisk(pattern(DISK_SECTORS * SECTOR_BYTES, 1), options);
}

/** A back end whose operations wait until the test lets them finish. */
class GatedDisk extends MemoryDisk {
  private readonly gates: (() => void)[] = [];

  constructor() {
    super(pattern(DISK_SECTORS * SECTOR_BYTES, 1));
  }

  /** Operations currently waiting. */
  get waiting(): number {
    return this.gates.length;
  }

  /** Lets every waiting operation finish. */
  open(): void {
    for (const g of this.gates.splice(0)) g();
  }

  override async read(sector: number, into: Uint8Array): Promise<void> {
    await new Promise<void>((resolve) => this.gates.push(resolve));
    return super.read(sector, into);
  }
}

Deno.test("block: identification registers; odd accesses read 0 and change nothing", () => {
  const { driver, bus } = setup(memoryDisk({ read_only: true }));
  assert.equal(driver.reg(BLOCK_REG.MAGIC), BLOCK_MAGIC);
  assert.equal(driver.reg(BLOCK_REG.VERSION), BLOCK_VERSION);
  assert.equal(driver.reg(BLOCK_REG.CAPACITY_LO), DISK_SECTORS);
  assert.equal(driver.reg(BLOCK_REG.CAPACITY_HI), 0);
  assert.equal(driver.reg(BLOCK_REG.FLAGS), BLOCK_FLAG_READ_ONLY);
  assert.equal(driver.reg(BLOCK_REG.QUEUE_SIZE), BLOCK_QUEUE_SIZE);
  assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), 0);
  assert.equal(bus.read(BLOCK0_BASE + BLOCK_REG.MAGIC, 1), 0, "byte access reads 0");
  assert.equal(bus.read(BLOCK0_BASE + BLOCK_REG.MAGIC + 2, 2), 0, "unaligned access reads 0");
  assert.equal(driver.reg(0x800), 0);
  driver.set(0x800, 1);
  bus.write(BLOCK0_BASE + BLOCK_REG.DOORBELL, 1, 1);
  assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), 0, "ignored accesses changed nothing");
  assert.equal(driver.reg(BLOCK_REG.INT_STATUS), 0);
});

Deno.test("block: capacity above 2^32 sectors shows in CAPACITY_HI", () => {
  const huge: BlockBackend = {
    capacity_sectors: 5 * 2 ** 32 + 7,
    read_only: false,
    id: "huge",
    read: () => Promise.resolve(),
    write: () => Promise.resolve(),
    flush: () => Promise.resolve(),
  };
  const { driver } = setup(huge);
  assert.equal(driver.reg(BLOCK_REG.CAPACITY_LO), 7);
  assert.equal(driver.reg(BLOCK_REG.CAPACITY_HI), 5);
  assert.equal(driver.reg(BLOCK_REG.FLAGS), 0);
});

Deno.test("block: READ moves sectors into RAM by DMA and interrupts through the PLIC", async () => {
  const { backend, device, driver, ram, seip, plic } = setup(memoryDisk());
  driver.init();
  assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), BLOCK_DEVICE_STATUS.RING_SET);
  const index = driver.submit({
    op: BLOCK_OP.READ,
    sector: 3,
    length: 2 * SECTOR_BYTES,
    buffer: BUF_A,
  });
  assert.equal(seip(), false);
  driver.doorbell();
  assert.equal(
    driver.reg(BLOCK_REG.DEVICE_STATUS),
    BLOCK_DEVICE_STATUS.RING_SET | BLOCK_DEVICE_STATUS.BUSY,
  );
  await device.idle();
  assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), BLOCK_DEVICE_STATUS.RING_SET);
  assert.equal(driver.used(), 1);
  assert.equal(driver.status(index), BLOCK_STATUS.OK);
  assert.deepEqual(ram(BUF_A, 1024), backend.data.subarray(3 * SECTOR_BYTES, 5 * SECTOR_BYTES));
  assert.equal(ram(BUF_A + 1024, 1)[0], 0, "nothing written past the buffer");

  assert.equal(driver.reg(BLOCK_REG.INT_STATUS), BLOCK_INT.USED);
  assert.equal(seip(), true);
  assert.equal(plic.claim(0), IRQ_BLOCK0);
  driver.set(BLOCK_REG.INT_ACK, BLOCK_INT.USED);
  assert.equal(driver.reg(BLOCK_REG.INT_STATUS), 0);
  plic.complete(0, IRQ_BLOCK0);
  assert.equal(seip(), false, "acknowledged: the line is low, nothing pending after complete");
  assert.equal(device.stats.reads, 1);
  assert.equal(device.stats.read_bytes, 1024);
});

Deno.test("block: WRITE stores RAM into the back end and READ gets it back", async () => {
  const { backend, device, driver, ram } = setup(memoryDisk());
  const before = backend.data.slice();
  driver.init();
  const data = pattern(3 * SECTOR_BYTES, 99);
  ram(BUF_A, data.length).set(data);
  const write = { op: BLOCK_OP.WRITE, sector: 10, length: data.length, buffer: BUF_A };
  assert.equal(await driver.run(device, write), BLOCK_STATUS.OK);
  assert.deepEqual(backend.data.subarray(10 * SECTOR_BYTES, 13 * SECTOR_BYTES), data);
  assert.deepEqual(
    backend.data.subarray(0, 10 * SECTOR_BYTES),
    before.subarray(0, 10 * SECTOR_BYTES),
  );
  assert.deepEqual(backend.data.subarray(13 * SECTOR_BYTES), before.subarray(13 * SECTOR_BYTES));

  const read = { op: BLOCK_OP.READ, sector: 10, length: data.length, buffer: BUF_B };
  assert.equal(await driver.run(device, read), BLOCK_STATUS.OK);
  assert.deepEqual(ram(BUF_B, data.length), data);
  assert.deepEqual(device.stats, {
    requests: 2,
    errors: 0,
    reads: 1,
    writes: 1,
    flushes: 0,
    read_bytes: data.length,
    written_bytes: data.length,
  });
});

Deno.test("block: the largest request moves 1 MiB", async () => {
  const backend = new MemoryDisk(pattern(2 * BLOCK_MAX_REQUEST_BYTES, 5));
  const { device, driver, ram } = setup(backend);
  driver.init();
  const read = { op: BLOCK_OP.READ, sector: 8, length: BLOCK_MAX_REQUEST_BYTES, buffer: BUF_A };
  assert.equal(await driver.run(device, read), BLOCK_STATUS.OK);
  const start = 8 * SECTOR_BYTES;
  assert.deepEqual(
    ram(BUF_A, BLOCK_MAX_REQUEST_BYTES),
    backend.data.subarray(start, start + BLOCK_MAX_REQUEST_BYTES),
  );
});

Deno.test("block: requests queued together complete in order on one doorbell", async () => {
  const { backend, device, driver, ram, seip } = setup(memoryDisk());
  driver.init();
  const first = pattern(SECTOR_BYTES, 10);
  const second = pattern(SECTOR_BYTES, 20);
  const bufX = BUF_B;
  const bufY = BUF_B + 0x1000;
  ram(BUF_A, SECTOR_BYTES).set(first);
  ram(BUF_A + 0x1000, SECTOR_BYTES).set(second);
  const indices = [
    driver.submit({ op: BLOCK_OP.WRITE, sector: 1, length: SECTOR_BYTES, buffer: BUF_A }),
    driver.submit({ op: BLOCK_OP.READ, sector: 1, length: SECTOR_BYTES, buffer: bufX }),
    driver.submit({ op: BLOCK_OP.WRITE, sector: 1, length: SECTOR_BYTES, buffer: BUF_A + 0x1000 }),
    driver.submit({ op: BLOCK_OP.READ, sector: 1, length: SECTOR_BYTES, buffer: bufY }),
    driver.submit({ op: BLOCK_OP.FLUSH }),
  ];
  driver.doorbell();
  await device.idle();
  assert.equal(driver.used(), 5);
  for (const i of indices) assert.equal(driver.status(i), BLOCK_STATUS.OK);
  assert.deepEqual(ram(bufX, SECTOR_BYTES), first, "the read saw the first write only");
  assert.deepEqual(ram(bufY, SECTOR_BYTES), second);
  assert.deepEqual(backend.data.subarray(SECTOR_BYTES, 2 * SECTOR_BYTES), second);
  assert.equal(backend.flushes, 1);
  assert.equal(seip(), true);
});

Deno.test("block: indices run freely past the ring size", async () => {
  const { backend, device, driver, ram } = setup(memoryDisk());
  driver.init();
  const total = BLOCK_QUEUE_SIZE * 2 + 5;
  for (let done = 0; done < total;) {
    const batch = Math.min(BLOCK_QUEUE_SIZE, total - done);
    for (let i = 0; i < batch; i++) {
      const sector = (done + i) % DISK_SECTORS;
      driver.submit({ op: BLOCK_OP.READ, sector, length: SECTOR_BYTES, buffer: BUF_A + 512 * i });
    }
    driver.doorbell();
    await device.idle();
    done += batch;
    assert.equal(driver.used(), done);
    const last = (done - 1) % DISK_SECTORS;
    assert.deepEqual(
      ram(BUF_A + 512 * (batch - 1), SECTOR_BYTES),
      backend.data.subarray(last * SECTOR_BYTES, (last + 1) * SECTOR_BYTES),
    );
  }
  assert.equal(device.stats.requests, total);
});

Deno.test("block: every malformed request completes with an error status and touches nothing", async () => {
  const { backend, device, driver, ram, bus } = setup(memoryDisk());
  const before = backend.data.slice();
  driver.init();
  const ramEnd = RAM_BASE + FIXTURE_RAM_BYTES;
  const cases: [string, Request, number][] = [
    [
      "buffer outside RAM",
      { op: BLOCK_OP.READ, length: 512, buffer: 0x1000 },
      BLOCK_STATUS.BAD_REQUEST,
    ],
    [
      "buffer straddling the end of RAM",
      { op: BLOCK_OP.READ, length: 1024, buffer: ramEnd - 512 },
      BLOCK_STATUS.BAD_REQUEST,
    ],
    [
      "buffer on a device window",
      { op: BLOCK_OP.WRITE, length: 512, buffer: BLOCK0_BASE },
      BLOCK_STATUS.BAD_REQUEST,
    ],
    ["zero length", { op: BLOCK_OP.READ, length: 0, buffer: BUF_A }, BLOCK_STATUS.BAD_REQUEST],
    [
      "length not a multiple of 512",
      { op: BLOCK_OP.WRITE, length: 700, buffer: BUF_A },
      BLOCK_STATUS.BAD_REQUEST,
    ],
    ["length above 1 MiB", {
      op: BLOCK_OP.READ,
      length: BLOCK_MAX_REQUEST_BYTES + 512,
      buffer: BUF_A,
    }, BLOCK_STATUS.BAD_REQUEST],
    [
      "sector at capacity",
      { op: BLOCK_OP.READ, sector: DISK_SECTORS, length: 512, buffer: BUF_A },
      BLOCK_STATUS.OUT_OF_RANGE,
    ],
    ["run past the end", {
      op: BLOCK_OP.WRITE,
      sector: DISK_SECTORS - 1,
      length: 1024,
      buffer: BUF_A,
    }, BLOCK_STATUS.OUT_OF_RANGE],
    ["sector with the high word set", {
      op: BLOCK_OP.READ,
      sector: 2 ** 32 + 1,
      length: 512,
      buffer: BUF_A,
    }, BLOCK_STATUS.OUT_OF_RANGE],
    ["sector near 2^64", {
      op: BLOCK_OP.WRITE,
      sector: 2 ** 64 - 2 ** 12,
      length: 512,
      buffer: BUF_A,
    }, BLOCK_STATUS.OUT_OF_RANGE],
    ["unknown op", { op: 7, length: 512, buffer: BUF_A }, BLOCK_STATUS.UNSUPPORTED],
    [
      "op with high bits",
      { op: 0x100 | BLOCK_OP.READ, length: 512, buffer: BUF_A },
      BLOCK_STATUS.UNSUPPORTED,
    ],
    ["GET_ID into a short buffer", {
      op: BLOCK_OP.GET_ID,
      length: BLOCK_ID_BYTES - 1,
      buffer: BUF_A,
    }, BLOCK_STATUS.BAD_REQUEST],
    [
      "GET_ID outside RAM",
      { op: BLOCK_OP.GET_ID, length: 512, buffer: ramEnd - 4 },
      BLOCK_STATUS.BAD_REQUEST,
    ],
  ];
  ram(BUF_A, 4096).fill(0x5a);
  for (const [what, request, status] of cases) {
    assert.equal(await driver.run(device, request), status, what);
  }
  assert.deepEqual(backend.data, before, "the disk is unchanged");
  assert.ok(ram(BUF_A, 4096).every((b) => b === 0x5a), "RAM is unchanged");
  assert.equal(bus.read(ramEnd - 4, 4), 0);
  assert.equal(device.stats.requests, cases.length);
  assert.equal(device.stats.errors, cases.length);
  assert.equal(device.stats.reads + device.stats.writes, 0);

  const good = { op: BLOCK_OP.READ, sector: 2, length: 512, buffer: BUF_A };
  assert.equal(await driver.run(device, good), BLOCK_STATUS.OK, "the device still works");
  assert.deepEqual(ram(BUF_A, 512), before.subarray(1024, 1536));
});

Deno.test("block: a read-only disk refuses WRITE and still serves READ", async () => {
  const { backend, device, driver, ram } = setup(memoryDisk({ read_only: true }));
  const before = backend.data.slice();
  driver.init();
  ram(BUF_A, 512).fill(0xaa);
  const write = { op: BLOCK_OP.WRITE, sector: 0, length: 512, buffer: BUF_A };
  assert.equal(await driver.run(device, write), BLOCK_STATUS.READ_ONLY);
  assert.deepEqual(backend.data, before);
  const read = { op: BLOCK_OP.READ, sector: 0, length: 512, buffer: BUF_A };
  assert.equal(await driver.run(device, read), BLOCK_STATUS.OK);
  assert.deepEqual(ram(BUF_A, 512), before.subarray(0, 512));
});

Deno.test("block: a back-end I/O error completes the request with IOERR", async () => {
  const { backend, device, driver } = setup(memoryDisk());
  backend.failSector(5);
  driver.init();
  const span = { sector: 4, length: 3 * SECTOR_BYTES, buffer: BUF_A };
  assert.equal(await driver.run(device, { op: BLOCK_OP.READ, ...span }), BLOCK_STATUS.IOERR);
  assert.equal(await driver.run(device, { op: BLOCK_OP.WRITE, ...span }), BLOCK_STATUS.IOERR);
  const beside = { op: BLOCK_OP.READ, sector: 6, length: 512, buffer: BUF_A };
  assert.equal(await driver.run(device, beside), BLOCK_STATUS.OK);
  backend.failSector(5, false);
  assert.equal(await driver.run(device, { op: BLOCK_OP.READ, ...span }), BLOCK_STATUS.OK);
  assert.equal(device.stats.errors, 2);
  assert.equal(device.stats.reads, 2);
});

Deno.test("block: FLUSH reaches the back end; a failing flush is IOERR", async () => {
  const { backend, device, driver } = setup(memoryDisk());
  driver.init();
  assert.equal(await driver.run(device, { op: BLOCK_OP.FLUSH }), BLOCK_STATUS.OK);
  assert.equal(backend.flushes, 1);
  assert.equal(device.stats.flushes, 1);

  const broken: BlockBackend = {
    capacity_sectors: 8,
    read_only: false,
    id: "broken",
    read: () => Promise.reject(new Error("no")),
    write: () => Promise.reject(new Error("no")),
    flush: () => {
      throw new Error("no sync");
    },
  };
  const b = setup(broken);
  b.driver.init();
  assert.equal(await b.driver.run(b.device, { op: BLOCK_OP.FLUSH }), BLOCK_STATUS.IOERR);
  const read = { op: BLOCK_OP.READ, sector: 0, length: 512, buffer: BUF_A };
  assert.equal(await b.driver.run(b.device, read), BLOCK_STATUS.IOERR);
});

Deno.test("block: GET_ID writes the zero-padded id", async () => {
  const { device, driver, ram } = setup(memoryDisk({ id: "disk-7" }));
  driver.init();
  ram(BUF_A, 64).fill(0xff);
  const request = { op: BLOCK_OP.GET_ID, length: 512, buffer: BUF_A };
  assert.equal(await driver.run(device, request), BLOCK_STATUS.OK);
  const id = new Uint8Array(BLOCK_ID_BYTES);
  new TextEncoder().encodeInto("disk-7", id);
  assert.deepEqual(ram(BUF_A, BLOCK_ID_BYTES), id);
  assert.equal(ram(BUF_A + BLOCK_ID_BYTES, 1)[0], 0xff, "only the id bytes are written");
});

Deno.test("block: a bad ring address or a doorbell without a ring is a device error", () => {
  for (const ring of [RING_PADDR + 4, 0x1000, RAM_BASE + FIXTURE_RAM_BYTES - 64]) {
    const { driver, seip } = setup(memoryDisk());
    driver.set(BLOCK_REG.RING_ADDR, ring);
    assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), BLOCK_DEVICE_STATUS.ERROR, `ring ${ring}`);
    assert.equal(driver.reg(BLOCK_REG.INT_STATUS), BLOCK_INT.ERROR);
    assert.equal(seip(), true);
    driver.set(BLOCK_REG.RESET, 1);
    assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), 0);
    assert.equal(driver.reg(BLOCK_REG.INT_STATUS), 0);
    assert.equal(driver.reg(BLOCK_REG.RING_ADDR), 0);
    assert.equal(seip(), false);
  }
  const { driver } = setup(memoryDisk());
  driver.doorbell();
  assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), BLOCK_DEVICE_STATUS.ERROR);
  assert.equal(driver.reg(BLOCK_REG.INT_STATUS), BLOCK_INT.ERROR);
});

Deno.test("block: an avail index too far ahead stops the device until reset", async () => {
  const { backend, device, driver, bus, ram } = setup(memoryDisk());
  const before = backend.data.slice();
  driver.init();
  ram(BUF_A, 512).fill(0x11);
  driver.submit({ op: BLOCK_OP.WRITE, sector: 0, length: 512, buffer: BUF_A });
  bus.write(RING_PADDR + RING.AVAIL, 4, BLOCK_QUEUE_SIZE + 1);
  driver.doorbell();
  await device.idle();
  assert.equal(driver.used(), 0);
  assert.equal(driver.status(0), UNTOUCHED);
  assert.deepEqual(backend.data, before);
  assert.equal(driver.reg(BLOCK_REG.INT_STATUS), BLOCK_INT.ERROR);
  assert.ok(driver.reg(BLOCK_REG.DEVICE_STATUS) & BLOCK_DEVICE_STATUS.ERROR);

  bus.write(RING_PADDR + RING.AVAIL, 4, 1);
  driver.doorbell();
  await device.idle();
  assert.equal(driver.used(), 0, "no request is handled in the error state");

  driver.set(BLOCK_REG.RESET, 1);
  driver.init();
  const write = { op: BLOCK_OP.WRITE, sector: 0, length: 512, buffer: BUF_A };
  assert.equal(await driver.run(device, write), BLOCK_STATUS.OK);
  assert.ok(backend.data.subarray(0, 512).every((b) => b === 0x11));
});

Deno.test("block: requests made available while one is in flight are handled too", async () => {
  const { backend, device, driver, ram } = setup(new GatedDisk());
  driver.init();
  driver.submit({ op: BLOCK_OP.READ, sector: 1, length: 512, buffer: BUF_A });
  driver.doorbell();
  await Promise.resolve();
  assert.equal(backend.waiting, 1);
  driver.submit({ op: BLOCK_OP.READ, sector: 2, length: 512, buffer: BUF_B });
  driver.doorbell();
  for (let turn = 0; turn < 10 && driver.used() < 2; turn++) {
    backend.open();
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  assert.equal(driver.used(), 2);
  await device.idle();
  assert.equal(driver.status(1), BLOCK_STATUS.OK);
  assert.deepEqual(ram(BUF_B, 512), backend.data.subarray(1024, 1536));
});

Deno.test("block: reset while a request is in flight drops its completion", async () => {
  const { backend, device, driver, seip } = setup(new GatedDisk());
  driver.init();
  driver.submit({ op: BLOCK_OP.READ, sector: 1, length: 512, buffer: BUF_A });
  driver.doorbell();
  await Promise.resolve();
  assert.equal(backend.waiting, 1);
  driver.set(BLOCK_REG.RESET, 1);
  assert.equal(driver.reg(BLOCK_REG.DEVICE_STATUS), BLOCK_DEVICE_STATUS.BUSY);
  backend.open();
  await device.idle();
  assert.equal(driver.used(), 0);
  assert.equal(driver.status(0), UNTOUCHED);
  assert.equal(driver.reg(BLOCK_REG.INT_STATUS), 0);
  assert.equal(seip(), false);
  assert.equal(device.stats.requests, 0);

  driver.init();
  const index = driver.submit({ op: BLOCK_OP.READ, sector: 3, length: 512, buffer: BUF_A });
  driver.doorbell();
  await Promise.resolve();
  backend.open();
  await device.idle();
  assert.equal(driver.status(index), BLOCK_STATUS.OK);
  assert.equal(driver.used(), 1);
});

Deno.test("disk image: the device reads and writes a file by DMA; flush syncs", async () => {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    const contents = pattern(16 * SECTOR_BYTES, 3);
    await Deno.writeFile(path, contents);
    const image = await DiskImage.open(path);
    try {
      assert.equal(image.capacity_sectors, 16);
      assert.equal(image.read_only, false);
      const { device, driver, ram } = setup(image);
      driver.init();
      const read = { op: BLOCK_OP.READ, sector: 2, length: 2048, buffer: BUF_A };
      assert.equal(await driver.run(device, read), BLOCK_STATUS.OK);
      assert.deepEqual(ram(BUF_A, 2048), contents.subarray(1024, 3072));

      const data = pattern(1024, 77);
      ram(BUF_B, 1024).set(data);
      const write = { op: BLOCK_OP.WRITE, sector: 14, length: 1024, buffer: BUF_B };
      assert.equal(await driver.run(device, write), BLOCK_STATUS.OK);
      assert.equal(await driver.run(device, { op: BLOCK_OP.FLUSH }), BLOCK_STATUS.OK);
      const onDisk = await Deno.readFile(path);
      assert.deepEqual(onDisk.subarray(14 * SECTOR_BYTES), data);
      assert.deepEqual(
        onDisk.subarray(0, 14 * SECTOR_BYTES),
        contents.subarray(0, 14 * SECTOR_BYTES),
      );

      const past = { op: BLOCK_OP.READ, sector: 15, length: 1024, buffer: BUF_A };
      assert.equal(await driver.run(device, past), BLOCK_STATUS.OUT_OF_RANGE);
      assert.equal(driver.reg(BLOCK_REG.CAPACITY_LO), 16);
    } finally {
      await image.close();
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("disk image: read-only images, and clear errors for bad files", async () => {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    await Deno.writeFile(path, pattern(4 * SECTOR_BYTES, 9));
    const image = await DiskImage.open(path, { read_only: true, id: "ro" });
    try {
      const { device, driver, ram } = setup(image);
      assert.equal(driver.reg(BLOCK_REG.FLAGS), BLOCK_FLAG_READ_ONLY);
      driver.init();
      ram(BUF_A, 512).fill(1);
      const write = { op: BLOCK_OP.WRITE, sector: 0, length: 512, buffer: BUF_A };
      assert.equal(await driver.run(device, write), BLOCK_STATUS.READ_ONLY);
      await assert.rejects(image.write(0, new Uint8Array(512)), /read-only/);
      assert.deepEqual(await Deno.readFile(path), pattern(4 * SECTOR_BYTES, 9));
      assert.equal(image.id, "ro");
    } finally {
      await image.close();
    }

    await Deno.writeFile(path, new Uint8Array(1000));
    await assert.rejects(DiskImage.open(path), /not a positive multiple of 512/);
    await Deno.writeFile(path, new Uint8Array(0));
    await assert.rejects(DiskImage.open(path), /not a positive multiple of 512/);
  } finally {
    await Deno.remove(path);
  }
  await assert.rejects(DiskImage.open(path), /no such file/);
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(DiskImage.open(dir, { read_only: true }), /not a regular file/);
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("disk image: reads straight into SharedArrayBuffer-backed RAM views", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, pattern(8 * SECTOR_BYTES, 4));
    const image = await DiskImage.open(path);
    try {
      const ram = new Uint8Array(new SharedArrayBuffer(8192));
      await image.read(1, ram.subarray(100, 100 + 2048));
      assert.deepEqual(ram.subarray(100, 2148), pattern(8 * SECTOR_BYTES, 4).subarray(512, 2560));
      await image.write(7, ram.subarray(100, 612));
      await assert.rejects(image.read(7, ram.subarray(0, 1024)), /past the end/);
      const onDisk = await Deno.readFile(path);
      assert.deepEqual(onDisk.subarray(7 * SECTOR_BYTES), ram.subarray(100, 612));
    } finally {
      await image.close();
    }
  } finally {
    await Deno.remove(path);
  }
});
