/**
 * The 16550 serial line, driven from the tty driver's worker through its registers
 * (services/lib/device.ts): transmit a burst through THR, drain the receive FIFO while LSR
 * says data is ready, watch the carrier in MSR, and turn the receive interrupt off while the
 * line discipline has no room (the FIFO then fills and the host end stops sending).
 */

import {
  UART_FCR,
  UART_IER,
  UART_LSR,
  UART_MSR,
  UART_REG,
  UART_RX_FIFO_BYTES,
} from "../../../abi/devices.ts";
import type { Device } from "../../lib/device.ts";

/** What one interrupt's service found. */
export interface RxService {
  bytes: Uint8Array;
  /** The carrier is gone: the host's input has ended. */
  hungUp: boolean;
}

/** Bytes one register-drain request returns at most. */
const DRAIN_BYTES = 224;

/** A serial line. */
export class SerialLine {
  private rxEnabled = true;

  constructor(readonly device: Device) {}

  /**
   * Enables the FIFOs and the receive and modem-status interrupts. What arrived before the
   * driver started (typed ahead, or a hang-up already) is kept: it raises the interrupt as soon
   * as the line is enabled.
   */
  async init(): Promise<void> {
    await this.device.write(UART_REG.IIR_FCR, 1, UART_FCR.ENABLE);
    await this.device.write(UART_REG.LCR, 1, 0x03); // 8N1
    await this.device.write(UART_REG.IER, 1, UART_IER.RX_DATA | UART_IER.MODEM_STATUS);
  }

  /**
   * Puts bytes on the line, and resolves once they have left: the register writes are posted,
   * and a read of the line status, as on a real bus, completes only after every write posted
   * before it.
   */
  async transmit(bytes: Uint8Array): Promise<void> {
    if (bytes.length === 0) return;
    await this.device.writeBytes(UART_REG.RBR_THR, bytes);
    await this.device.read(UART_REG.LSR, 1);
  }

  /** Takes up to `room` received bytes and looks at the carrier. */
  async service(room: number): Promise<RxService> {
    const parts: Uint8Array[] = [];
    let total = 0;
    while (total < room) {
      const want = Math.min(DRAIN_BYTES, room - total, UART_RX_FIFO_BYTES);
      const got = await this.device.readBytes(UART_REG.RBR_THR, UART_REG.LSR, UART_LSR.DR, want);
      if (got.length > 0) parts.push(got);
      total += got.length;
      if (got.length < want) break;
    }
    const msr = await this.device.read(UART_REG.MSR, 1);
    const bytes = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return { bytes, hungUp: (msr & UART_MSR.DCD) === 0 };
  }

  /** Turns the receive interrupt on or off (off while nobody can take more input). */
  receiving(on: boolean): void {
    if (on === this.rxEnabled) return;
    this.rxEnabled = on;
    const ier = UART_IER.MODEM_STATUS | (on ? UART_IER.RX_DATA : 0);
    this.device.write(UART_REG.IER, 1, ier);
  }
}
