/**
 * The block driver: drives the machine's block device (machine/block_device.ts) from its own
 * worker and serves its disk as "block" (abi/block.ts).
 *
 * The device's request ring lives in a region this driver creates and maps for the device's
 * DMA; each client's data region is mapped too (on `hello`), so a READ or WRITE descriptor
 * points straight into the client's region: the disk's bytes move by DMA between the disk and
 * the client's memory (the VFS's buffer cache), never through the driver. The driver writes
 * descriptors, rings the device's doorbell (a posted register write), and on each interrupt
 * reads the used index from the ring — in shared memory, no register access — and answers the
 * requests that completed, in order. A request the device fails is answered with an errno
 * (EIO, EROFS, EINVAL), never dropped; a device that enters its error state is reset and the
 * requests in flight fail with EIO.
 */

import { EINVAL, EIO, EROFS } from "../../../abi/errno.ts";
import { BLOCK, BLOCK_ENDPOINT, SECTOR_BYTES, TRANSFER_BYTES_MAX } from "../../../abi/block.ts";
import { decodePayload, encodePayload } from "../../../abi/codec.ts";
import {
  BLOCK_DEVICE_STATUS,
  BLOCK_ID_BYTES,
  BLOCK_INT,
  BLOCK_MAGIC,
  BLOCK_OP,
  BLOCK_QUEUE_SIZE,
  BLOCK_REG,
  BLOCK_STATUS,
  DESC,
  DESCRIPTOR_BYTES,
  RING,
  RING_BYTES,
  RING_HEADER_BYTES,
} from "../../../abi/devices.ts";
import { Device } from "../../lib/device.ts";
import { IpcError } from "../../lib/errors.ts";
import type { Ipc, Region, Request } from "../../lib/ipc.ts";
import { service } from "../../lib/service.ts";

/** Where GET_ID's answer goes in the ring region, after the ring. */
const ID_OFFSET = 4096 - 64;
/** Bytes of the ring region: the ring and the id buffer fit one page. */
const RING_REGION_BYTES = 4096;

/** A client's region, mapped for the device. */
interface Client {
  region: Region;
  bus: number;
}

/** A request on its way to the device. */
interface Job {
  op: number;
  sector: number;
  bytes: number;
  bus: number;
  done(status: number): void;
  /** When it was put in the device's ring (performance.now()). */
  sentMs?: number;
}

/**
 * A request the device has not completed in this long is looked into: completions found in
 * the ring without their interrupt are taken; if there are none, the device is reset and the
 * requests it held are made again (a transfer is idempotent: the same sectors, the same
 * buffer), as Linux's block layer does on a request timeout. No client waits for ever.
 */
const DEVICE_TIMEOUT_MS = 1000;

/** Runs the block driver. */
async function main(ipc: Ipc): Promise<void> {
  const name = typeof ipc.config.device === "string" ? ipc.config.device : "block0";
  const dev = await Device.open(ipc, name);
  if ((await dev.read(BLOCK_REG.MAGIC)) !== BLOCK_MAGIC) throw new Error(`${name}: not a disk`);
  const sectors = (await dev.read(BLOCK_REG.CAPACITY_LO)) +
    (await dev.read(BLOCK_REG.CAPACITY_HI)) * 2 ** 32;
  const readOnly = ((await dev.read(BLOCK_REG.FLAGS)) & 1) !== 0;
  const ringRegion = await ipc.createRegion(RING_REGION_BYTES);
  const ringBus = await dev.dmaMap(ringRegion);
  const memory = ringRegion.write();
  const ring = new DataView(memory.buffer, 0, RING_BYTES);
  const words = new Int32Array(memory.buffer, 0, 2);
  const notification = await ipc.createNotification();
  await dev.bindIrq(notification, 1);

  const queue: Job[] = [];
  const inFlight = new Map<number, Job>();
  let avail = 0;
  let used = 0;

  const reset = () => {
    dev.write(BLOCK_REG.RESET, 4, 1);
    memory.fill(0, 0, RING_BYTES);
    avail = used = 0;
    dev.write(BLOCK_REG.RING_ADDR, 4, ringBus);
  };
  const submit = () => {
    let rang = false;
    while (queue.length > 0 && avail - used < BLOCK_QUEUE_SIZE) {
      const job = queue.shift()!;
      const at = RING_HEADER_BYTES + (avail % BLOCK_QUEUE_SIZE) * DESCRIPTOR_BYTES;
      ring.setUint32(at + DESC.OP, job.op, true);
      ring.setUint32(at + DESC.LENGTH, job.bytes, true);
      ring.setUint32(at + DESC.SECTOR, job.sector % 2 ** 32, true);
      ring.setUint32(at + DESC.SECTOR + 4, Math.floor(job.sector / 2 ** 32), true);
      ring.setUint32(at + DESC.BUFFER, job.bus, true);
      ring.setUint8(at + DESC.STATUS, 0xff);
      job.sentMs = performance.now();
      inFlight.set(avail, job);
      avail++;
      Atomics.store(words, RING.AVAIL >> 2, avail | 0);
      rang = true;
    }
    if (rang) dev.write(BLOCK_REG.DOORBELL, 4, 1);
  };
  const run = (job: Omit<Job, "done">) =>
    new Promise<number>((resolve) => {
      queue.push({ ...job, done: resolve });
      submit();
    });
  reset();

  /** Completes the requests the device has finished; returns how many. */
  const reap = () => {
    const nowUsed = Atomics.load(words, RING.USED >> 2) >>> 0;
    let n = 0;
    while (used < nowUsed) {
      const at = RING_HEADER_BYTES + (used % BLOCK_QUEUE_SIZE) * DESCRIPTOR_BYTES;
      const job = inFlight.get(used);
      inFlight.delete(used);
      used++;
      n++;
      job?.done(ring.getUint8(at + DESC.STATUS));
    }
    return n;
  };
  const watchdog = setInterval(() => {
    const oldest = inFlight.values().next().value;
    if (!oldest || performance.now() - oldest.sentMs! < DEVICE_TIMEOUT_MS) return;
    if (reap() > 0) {
      ipc.log(`${name}: completions found without their interrupt`);
    } else {
      const again = [...inFlight.values()];
      inFlight.clear();
      reset();
      queue.unshift(...again);
      ipc.log(
        `${name}: no completion in ${DEVICE_TIMEOUT_MS} ms: device reset, ${again.length} requests made again`,
      );
    }
    submit();
  }, DEVICE_TIMEOUT_MS / 2);

  (async () => {
    for (;;) {
      await notification.wait();
      // Acknowledge first, then look at the ring: a completion after the look raises the
      // line again. The acknowledgement is a posted write; the read after it flushes it.
      const status = await dev.read(BLOCK_REG.INT_STATUS);
      dev.write(BLOCK_REG.INT_ACK, 4, status);
      const deviceStatus = await dev.read(BLOCK_REG.DEVICE_STATUS);
      reap();
      if (status & BLOCK_INT.ERROR || deviceStatus & BLOCK_DEVICE_STATUS.ERROR) {
        for (const job of inFlight.values()) job.done(BLOCK_STATUS.IOERR);
        inFlight.clear();
        reset();
      }
      dev.ack();
      submit();
    }
  })();

  const idStatus = await run({
    op: BLOCK_OP.GET_ID,
    sector: 0,
    bytes: BLOCK_ID_BYTES,
    bus: ringBus + ID_OFFSET,
  });
  const idBytes = memory.subarray(ID_OFFSET, ID_OFFSET + BLOCK_ID_BYTES);
  const id = idStatus === BLOCK_STATUS.OK
    ? new TextDecoder().decode(
      idBytes.subarray(0, idBytes.indexOf(0) < 0 ? undefined : idBytes.indexOf(0)),
    )
    : name;

  const clients = new Map<number, Client>();
  const server = await ipc.register(BLOCK_ENDPOINT);

  const transfer = async (req: Request, op: number) => {
    const client = clients.get(req.sender);
    if (!client) throw new IpcError(EINVAL, "no region: say hello first");
    const { sector, count, offset } = decodePayload(BLOCK.read.request, req.payload);
    const bytes = count * SECTOR_BYTES;
    if (count === 0 || bytes > TRANSFER_BYTES_MAX || offset + bytes > client.region.size) {
      throw new IpcError(EINVAL, "transfer outside the region or too large");
    }
    errno(await run({ op, sector, bytes, bus: client.bus + offset }));
  };

  // Requests are handled concurrently: many transfers can be in the device's ring at once.
  // The watchdog ends with the server (an in-line driver that is stopped keeps nothing alive).
  try {
    await server.serveConcurrently(async (req: Request) => {
      switch (req.label) {
        case BLOCK.hello.label: {
          if (req.handles.length !== 1) throw new IpcError(EINVAL, "expected one region");
          // A client that died took its region with it: forget it (its next instance says hello).
          for (const [id, c] of clients) if (c.region.revoked) clients.delete(id);
          const region = await ipc.openRegion(req.handles[0]);
          clients.set(req.sender, { region, bus: await dev.dmaMap(region) });
          const info = { sectors, readOnly: readOnly ? 1 : 0, id };
          return { label: 0, payload: encodePayload(BLOCK.hello.reply, info) };
        }
        case BLOCK.read.label:
          await transfer(req, BLOCK_OP.READ);
          return { label: 0 };
        case BLOCK.write.label:
          await transfer(req, BLOCK_OP.WRITE);
          return { label: 0 };
        case BLOCK.flush.label:
          errno(await run({ op: BLOCK_OP.FLUSH, sector: 0, bytes: 0, bus: 0 }));
          return { label: 0 };
        default:
          throw new IpcError(EINVAL, `unknown operation ${req.label}`);
      }
    });
  } finally {
    clearInterval(watchdog);
  }
}

/** Throws the errno for a device status other than OK. */
function errno(status: number): void {
  switch (status) {
    case BLOCK_STATUS.OK:
      return;
    case BLOCK_STATUS.READ_ONLY:
      throw new IpcError(EROFS, "the disk is read-only");
    case BLOCK_STATUS.BAD_REQUEST:
    case BLOCK_STATUS.UNSUPPORTED:
      throw new IpcError(EINVAL, `the device refused the request (${status})`);
    default:
      throw new IpcError(EIO, `the device failed the request (${status})`);
  }
}

export default service(main, import.meta.main);
