/**
 * The console UART: a 16550-style serial port with byte-wide registers at offsets 0..7.
 *
 * | offset | read                        | write                          |
 * |--------|-----------------------------|--------------------------------|
 * | 0      | RBR (DLL when LCR.DLAB)     | THR (DLL when LCR.DLAB)        |
 * | 1      | IER (DLM when LCR.DLAB)     | IER (DLM when LCR.DLAB)        |
 * | 2      | IIR                         | FCR                            |
 * | 3      | LCR                         | LCR                            |
 * | 4      | MCR                         | MCR                            |
 * | 5      | LSR (reading clears OE)     | ignored                        |
 * | 6      | MSR (reading clears deltas) | ignored                        |
 * | 7      | SCR (scratch)               | SCR                            |
 *
 * An access of any width acts on the byte at its offset; offsets past 7 read 0 and ignore
 * writes. Transmission is instant: a THR write hands the byte to the back end, so THR and the
 * transmitter are always empty (LSR.THRE and LSR.TEMT stay set). Received bytes wait in a
 * bounded FIFO that is always on (FCR bit 0 only changes the FIFO bits of IIR); the receive
 * trigger level is ignored, any waiting byte counts as data available. A byte that arrives
 * with the FIFO full is dropped and sets LSR.OE. The divisor latch, LCR and MCR are stored and
 * otherwise ignored (no baud rate, no loopback).
 *
 * The modem status register reports DSR and CTS always, and the carrier (DCD) while the back
 * end has a peer: a back end whose input has ended for good (the host's stdin reached its end)
 * drops the carrier, which sets the delta bit DDCD; reading MSR clears it. This is how the end
 * of the host's input reaches the guest, as a hang-up does on a serial line.
 *
 * The interrupt line is a level, highest cause first as IIR reports it: a receiver line
 * status (IER bit 2 and LSR.OE), received data (IER bit 0 and a byte waiting), THR empty (IER
 * bit 1 and the THRE interrupt pending), modem status (IER bit 3 and a delta bit set). The
 * THRE interrupt becomes pending on every THR write and when IER bit 1 goes from 0 to 1;
 * reading IIR while it reports THRE acknowledges it.
 */

import type { MmioDevice } from "./bus.ts";
import {
  UART_FCR,
  UART_IER,
  UART_IIR,
  UART_LCR_DLAB,
  UART_LSR,
  UART_MSR,
  UART_REG,
  UART_RX_FIFO_BYTES,
} from "../abi/devices.ts";

const IER_MASK = 0x0f;
const MCR_MASK = 0x1f;

/** The device side of the receive line, handed to the back end by `SerialBackend.connect`. */
export interface SerialPort {
  /**
   * Puts received bytes into the receive FIFO and returns how many fit. The rest are dropped
   * and flagged as an overrun (LSR.OE), as on a serial line without flow control.
   */
  receive(bytes: Uint8Array): number;
  /** Free space in the receive FIFO, in bytes; a back end that paces its input sends no more. */
  rxFreeBytes(): number;
  /** The peer is there (true, the state at power-on) or has gone for good (false: a hang-up). */
  setCarrier(present: boolean): void;
}

/** What a UART is connected to: a terminal, a test buffer. */
export interface SerialBackend {
  /** Transmits one byte, synchronously; never throws (a back end that fails drops output). */
  write(byte: number): void;
  /** Connects the receive line; called once, by the UART's constructor. */
  connect(port: SerialPort): void;
  /** Called whenever the guest has emptied the receive FIFO: a pacing back end may send more. */
  rxDrained(): void;
}

/** A 16550-style UART. */
export class Uart implements MmioDevice, SerialPort {
  readonly name = "uart";
  private readonly rx = new Uint8Array(UART_RX_FIFO_BYTES);
  private rxHead = 0;
  private rxCount = 0;
  private ier = 0;
  private lcr = 0;
  private mcr = 0;
  private scr = 0;
  private divisor = 0;
  private fifoEnabled = false;
  private overrun = false;
  private threPending = false;
  private carrier = true;
  private carrierChanged = false;
  private line = false;

  /**
   * @param backend where transmitted bytes go and received bytes come from
   * @param irq drives the UART's interrupt line (a level)
   */
  constructor(
    private readonly backend: SerialBackend,
    private readonly irq: (high: boolean) => void,
  ) {
    backend.connect(this);
  }

  receive(bytes: Uint8Array): number {
    const accepted = Math.min(bytes.length, UART_RX_FIFO_BYTES - this.rxCount);
    for (let i = 0; i < accepted; i++) {
      this.rx[(this.rxHead + this.rxCount) % UART_RX_FIFO_BYTES] = bytes[i];
      this.rxCount++;
    }
    if (accepted < bytes.length) this.overrun = true;
    this.updateLine();
    return accepted;
  }

  rxFreeBytes(): number {
    return UART_RX_FIFO_BYTES - this.rxCount;
  }

  setCarrier(present: boolean): void {
    if (present === this.carrier) return;
    this.carrier = present;
    this.carrierChanged = true;
    this.updateLine();
  }

  read(offset: number, _width: 1 | 2 | 4): number {
    const dlab = (this.lcr & UART_LCR_DLAB) !== 0;
    switch (offset) {
      case UART_REG.RBR_THR:
        return dlab ? this.divisor & 0xff : this.readRbr();
      case UART_REG.IER:
        return dlab ? this.divisor >> 8 : this.ier;
      case UART_REG.IIR_FCR:
        return this.readIir();
      case UART_REG.LCR:
        return this.lcr;
      case UART_REG.MCR:
        return this.mcr;
      case UART_REG.LSR:
        return this.readLsr();
      case UART_REG.MSR:
        return this.readMsr();
      case UART_REG.SCR:
        return this.scr;
      default:
        return 0;
    }
  }

  write(offset: number, _width: 1 | 2 | 4, value: number): void {
    const byte = value & 0xff;
    const dlab = (this.lcr & UART_LCR_DLAB) !== 0;
    switch (offset) {
      case UART_REG.RBR_THR:
        if (dlab) this.divisor = (this.divisor & 0xff00) | byte;
        else this.transmit(byte);
        break;
      case UART_REG.IER:
        if (dlab) this.divisor = (this.divisor & 0x00ff) | (byte << 8);
        else this.writeIer(byte);
        break;
      case UART_REG.IIR_FCR:
        this.writeFcr(byte);
        break;
      case UART_REG.LCR:
        this.lcr = byte;
        break;
      case UART_REG.MCR:
        this.mcr = byte & MCR_MASK;
        break;
      case UART_REG.SCR:
        this.scr = byte;
        break;
    }
  }

  private readRbr(): number {
    if (this.rxCount === 0) return 0;
    const byte = this.rx[this.rxHead];
    this.rxHead = (this.rxHead + 1) % UART_RX_FIFO_BYTES;
    this.rxCount--;
    this.updateLine();
    if (this.rxCount === 0) this.backend.rxDrained();
    return byte;
  }

  private readIir(): number {
    const cause = this.cause();
    if (cause === UART_IIR.THR_EMPTY) {
      this.threPending = false;
      this.updateLine();
    }
    return cause | (this.fifoEnabled ? UART_IIR.FIFO_ENABLED : 0);
  }

  private readLsr(): number {
    let lsr = UART_LSR.THRE | UART_LSR.TEMT;
    if (this.rxCount > 0) lsr |= UART_LSR.DR;
    if (this.overrun) {
      lsr |= UART_LSR.OE;
      this.overrun = false;
      this.updateLine();
    }
    return lsr;
  }

  private readMsr(): number {
    const msr = UART_MSR.CTS | UART_MSR.DSR | (this.carrier ? UART_MSR.DCD : 0) |
      (this.carrierChanged ? UART_MSR.DDCD : 0);
    if (this.carrierChanged) {
      this.carrierChanged = false;
      this.updateLine();
    }
    return msr;
  }

  private transmit(byte: number): void {
    this.backend.write(byte);
    this.threPending = true;
    this.updateLine();
  }

  private writeIer(byte: number): void {
    const rising = byte & ~this.ier & UART_IER.THR_EMPTY;
    this.ier = byte & IER_MASK;
    if (rising) this.threPending = true;
    this.updateLine();
  }

  private writeFcr(byte: number): void {
    this.fifoEnabled = (byte & UART_FCR.ENABLE) !== 0;
    if (byte & UART_FCR.CLEAR_RX && this.rxCount > 0) {
      this.rxHead = 0;
      this.rxCount = 0;
      this.updateLine();
      this.backend.rxDrained();
    }
  }

  /** The highest-priority pending interrupt cause, as an IIR code. */
  private cause(): number {
    if (this.ier & UART_IER.RX_LINE_STATUS && this.overrun) return UART_IIR.RX_LINE_STATUS;
    if (this.ier & UART_IER.RX_DATA && this.rxCount > 0) return UART_IIR.RX_DATA;
    if (this.ier & UART_IER.THR_EMPTY && this.threPending) return UART_IIR.THR_EMPTY;
    if (this.ier & UART_IER.MODEM_STATUS && this.carrierChanged) return UART_IIR.MODEM_STATUS;
    return UART_IIR.NONE;
  }

  private updateLine(): void {
    const high = this.cause() !== UART_IIR.NONE;
    if (high === this.line) return;
    this.line = high;
    this.irq(high);
  }
}
