/**
 * Devices as drivers see them: the driver, not the kernel, drives the device. A driver service
 * opens the devices its deployment grants it and then
 *
 * - reads and writes their registers through control requests (CTL.MMIO_*): the kernel, which
 *   owns the machine, performs each access on the device model, as an I/O instruction would.
 *   Writes may be posted (one-way); a string form moves a burst of bytes through one register
 *   (outsb), and a "drain while ready" form empties a FIFO in one request;
 * - receives its interrupt as bits set on a notification. The kernel claims the interrupt at
 *   the PLIC, masks the source and signals the notification; the source stays masked until
 *   the driver acknowledges it (IRQ_ACK), as MINIX's sys_irqenable and seL4's IRQ handler
 *   acknowledge work. A source nobody has bound stays masked (priority 0);
 * - maps regions for the device's DMA (DMA_MAP): the device's own bus then reaches those
 *   regions — and nothing else, never the user bank (an IOMMU domain per device).
 *
 * A device is held by one live driver at a time; a driver that dies lets go of it, and its
 * successor binds the interrupt again.
 */

import type { FittedDevice, Machine } from "../../machine/machine.ts";
import { PLIC_PRIORITY_MAX } from "../../machine/plic.ts";
import { EBUSY, EINVAL, ENODEV, EPERM, SyscallError } from "../errno.ts";
import { RIGHT } from "../../abi/ipc.ts";
import type { IpcObject } from "./handles.ts";
import type { IpcManager } from "./manager.ts";
import type { Notification, Party, Region } from "./objects.ts";

/** Most bytes one MMIO_READ_BYTES may return (what a reply's payload holds). */
export const MMIO_BYTES_MAX = 224;
/** The priority a bound device interrupt gets (any non-zero value enables it). */
const BOUND_PRIORITY = Math.min(1, PLIC_PRIORITY_MAX);

/** A device as an IPC object: its driver holds a handle to it. */
export class Device implements IpcObject {
  readonly kind = "device";
  held = 0;
  /** Where its interrupt goes, once bound. */
  binding: { notification: Notification; bits: number } | undefined;
  /** Interrupts delivered to the driver, and acknowledged. */
  interrupts = 0;
  acks = 0;

  constructor(readonly id: number, readonly fitted: FittedDevice, readonly driver: Party) {}

  get alive(): boolean {
    return this.driver.alive;
  }
}

/** The devices drivers hold. */
export class DeviceTable {
  private readonly held = new Map<string, Device>();
  private nextId = 1;

  constructor(
    private readonly machine: Machine,
    private readonly ipc: IpcManager,
  ) {}

  /** Opens device `name` for `party`: EPERM unless granted, EBUSY if a live driver has it. */
  open(party: Party, name: string): number {
    if (!party.grants.devices.includes(name)) {
      throw new SyscallError(EPERM, `${party.name} is not granted ${name}`);
    }
    const fitted = this.machine.devices.get(name);
    if (!fitted) throw new SyscallError(ENODEV, `no device ${name}`);
    const current = this.held.get(name);
    if (current?.alive && current.driver !== party) {
      throw new SyscallError(EBUSY, `${name} is held by ${current.driver.name}`);
    }
    if (current && !current.alive) this.mask(fitted.irq);
    const device = new Device(this.nextId++, fitted, party);
    this.held.set(name, device);
    return party.handles.add(device, 0);
  }

  private device(party: Party, handle: number): Device {
    return party.handles.get<Device>(handle, "device", 0).object;
  }

  private checkRegister(d: Device, offset: number, width: number): void {
    if (width !== 1 && width !== 2 && width !== 4) throw new SyscallError(EINVAL, "bad width");
    if (!Number.isInteger(offset) || offset < 0 || offset + width > d.fitted.size) {
      throw new SyscallError(EINVAL, `register ${offset} outside ${d.fitted.name}`);
    }
  }

  /** A register read. */
  read(party: Party, handle: number, offset: number, width: number): number {
    const d = this.device(party, handle);
    this.checkRegister(d, offset, width);
    return d.fitted.model.read(offset, width as 1 | 2 | 4) >>> 0;
  }

  /** A register write. */
  write(party: Party, handle: number, offset: number, width: number, value: number): void {
    const d = this.device(party, handle);
    this.checkRegister(d, offset, width);
    d.fitted.model.write(offset, width as 1 | 2 | 4, value);
  }

  /** Writes each byte to one register in turn (outsb). */
  writeBytes(party: Party, handle: number, offset: number, bytes: Uint8Array): void {
    const d = this.device(party, handle);
    this.checkRegister(d, offset, 1);
    const model = d.fitted.model;
    for (let i = 0; i < bytes.length; i++) model.write(offset, 1, bytes[i]);
  }

  /** Reads the data register while (status & mask) != 0, at most `max` bytes. */
  readBytes(
    party: Party,
    handle: number,
    dataOffset: number,
    statusOffset: number,
    mask: number,
    max: number,
  ): Uint8Array {
    const d = this.device(party, handle);
    this.checkRegister(d, dataOffset, 1);
    this.checkRegister(d, statusOffset, 1);
    const limit = Math.min(max, MMIO_BYTES_MAX);
    const out = new Uint8Array(limit);
    const model = d.fitted.model;
    let n = 0;
    while (n < limit && (model.read(statusOffset, 1) & mask) !== 0) {
      out[n++] = model.read(dataOffset, 1);
    }
    return out.subarray(0, n);
  }

  /** Sends the device's interrupts to a notification as `bits`, and unmasks the source. */
  bind(party: Party, handle: number, notificationHandle: number, bits: number): void {
    const d = this.device(party, handle);
    const { object: notification } = party.handles.get<Notification>(
      notificationHandle,
      "notification",
      RIGHT.SIGNAL,
    );
    if (bits === 0) throw new SyscallError(EINVAL, "no bits to signal");
    d.binding = { notification, bits };
    this.machine.plic.setPriority(d.fitted.irq, BOUND_PRIORITY);
    this.unmask(d.fitted.irq);
  }

  /** The driver has handled an interrupt: the source is unmasked. */
  ack(party: Party, handle: number): void {
    const d = this.device(party, handle);
    if (!d.binding) throw new SyscallError(EINVAL, "the interrupt is not bound");
    d.acks++;
    this.unmask(d.fitted.irq);
  }

  /** Maps a region for the device's DMA; returns its bus address. */
  dmaMap(party: Party, handle: number, regionHandle: number): number {
    const d = this.device(party, handle);
    if (!d.fitted.dma) throw new SyscallError(EINVAL, `${d.fitted.name} does no DMA`);
    const { object: region } = party.handles.get<Region>(
      regionHandle,
      "region",
      RIGHT.READ | RIGHT.WRITE,
    );
    return this.machine.dmaMap(d.fitted.name, region.bank);
  }

  /**
   * Source `src` was claimed (and completed) by a hart: masks it and tells its driver. Returns
   * false for a source no live driver has bound (it stays masked).
   */
  interrupt(src: number): boolean {
    this.mask(src);
    for (const d of this.held.values()) {
      if (d.fitted.irq !== src || !d.alive || !d.binding) continue;
      d.interrupts++;
      this.ipc.signal(d.binding.notification, d.binding.bits);
      return true;
    }
    return false;
  }

  /** Every device held, for statistics. */
  devices(): Device[] {
    return [...this.held.values()];
  }

  private mask(src: number): void {
    const plic = this.machine.plic;
    for (let ctx = 0; ctx < plic.contexts; ctx++) plic.setEnabled(ctx, src, false);
  }

  /**
   * Enables the source again. A device that raised its line while the source was masked (a
   * completion that came while its driver was busy) left it pending, and nothing raises the
   * line anew: the kernel is told, as when a line goes high, so that it claims it.
   */
  private unmask(src: number): void {
    const plic = this.machine.plic;
    for (let ctx = 0; ctx < plic.contexts; ctx++) plic.setEnabled(ctx, src, true);
    if (plic.isPending(src)) this.machine.onDeviceInterrupt();
  }
}
