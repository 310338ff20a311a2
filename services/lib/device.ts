/**
 * A device as its driver holds it (kernel/ipc/devices.ts has the kernel's side): registers
 * read and written through control requests, writes posted (one-way, in order with the
 * rest), the interrupt as bits on a notification, and DMA into regions mapped for the device.
 *
 *     const uart = await Device.open(ipc, "uart0");
 *     uart.write(UART_REG.IER, 1, UART_IER.RX_DATA);     // posted
 *     const lsr = await uart.read(UART_REG.LSR, 1);
 *     await uart.bindIrq(notification, 1);
 *     for (;;) { await notification.wait(); …; uart.ack(); }
 */

import { CTL } from "../../abi/ipc.ts";
import { check } from "./errors.ts";
import type { Ipc, Notification, Region } from "./ipc.ts";

/** Bytes of register data one MMIO_WRITE_BYTES carries (the payload less its header). */
export const WRITE_BYTES_MAX = 224 - 8;

function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v >>> 0, true));
  return out;
}

/** A device this service drives. */
export class Device {
  private constructor(
    private readonly ipc: Ipc,
    readonly name: string,
    readonly handle: number,
  ) {}

  /** Opens device `name` (EPERM unless the deployment grants it, EBUSY if held). */
  static async open(ipc: Ipc, name: string): Promise<Device> {
    const reply = await ipc.transport.control(CTL.DEVICE_OPEN, new TextEncoder().encode(name));
    return new Device(ipc, name, check(reply.label, `open ${name}`));
  }

  /** Reads a register. */
  async read(offset: number, width: 1 | 2 | 4 = 4): Promise<number> {
    const reply = await this.ipc.transport.control(CTL.MMIO_READ, u32s(this.handle, offset, width));
    check(reply.label, `${this.name}: read ${offset}`);
    const p = reply.payload;
    return new DataView(p.buffer, p.byteOffset, p.byteLength).getUint32(0, true);
  }

  /** Writes a register (posted: returns at once unless the control ring is full). */
  write(offset: number, width: 1 | 2 | 4, value: number): Promise<void> | undefined {
    return this.ipc.transport.post(CTL.MMIO_WRITE, u32s(this.handle, offset, width, value));
  }

  /** Writes each byte to one register in turn (posted). */
  async writeBytes(offset: number, bytes: Uint8Array): Promise<void> {
    for (let at = 0; at < bytes.length; at += WRITE_BYTES_MAX) {
      const part = bytes.subarray(at, at + WRITE_BYTES_MAX);
      const payload = new Uint8Array(8 + part.length);
      payload.set(u32s(this.handle, offset));
      payload.set(part, 8);
      const slow = this.ipc.transport.post(CTL.MMIO_WRITE_BYTES, payload);
      if (slow) await slow;
    }
  }

  /** Reads the data register while (status & mask) != 0, at most `max` bytes. */
  async readBytes(data: number, status: number, mask: number, max: number): Promise<Uint8Array> {
    const reply = await this.ipc.transport.control(
      CTL.MMIO_READ_BYTES,
      u32s(this.handle, data, status, mask, max),
    );
    check(reply.label, `${this.name}: read bytes`);
    return reply.payload.slice();
  }

  /** Sends the device's interrupts to `notification` as `bits`. */
  async bindIrq(notification: Notification, bits: number): Promise<void> {
    const reply = await this.ipc.transport.control(
      CTL.IRQ_BIND,
      u32s(this.handle, notification.handle, bits),
    );
    check(reply.label, `${this.name}: bind interrupt`);
  }

  /** The interrupt has been handled: the line is unmasked (posted). */
  ack(): Promise<void> | undefined {
    return this.ipc.transport.post(CTL.IRQ_ACK, u32s(this.handle));
  }

  /** Maps `region` for the device's DMA; resolves with its bus address. */
  async dmaMap(region: Region): Promise<number> {
    const reply = await this.ipc.transport.control(CTL.DMA_MAP, u32s(this.handle, region.handle));
    return check(reply.label, `${this.name}: map region for DMA`) >>> 0;
  }
}
