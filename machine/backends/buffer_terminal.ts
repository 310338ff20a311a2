/**
 * A serial back end in memory, for tests: it keeps what the guest transmits, and feeds the
 * receive line from a script.
 *
 * Scripted input (`feed`) is paced to the UART's receive FIFO, as the host terminal paces
 * piped input: no more than the FIFO has room for, the rest when the guest drains it; with
 * `hangup` the carrier drops once all of it is in the FIFO (the end of input). `inject` puts
 * bytes on the line at once, with no pacing, so a test can provoke an overrun. Kept output is
 * bounded; bytes past the bound are counted and dropped.
 */

import type { SerialBackend, SerialPort } from "../uart.ts";
import { PacedInput } from "./serial_io.ts";

/** Default bound on kept output, in bytes. */
export const BUFFER_TERMINAL_MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** A serial back end backed by memory. */
export class BufferTerminal implements SerialBackend {
  /** Bytes transmitted after the output bound was reached. */
  dropped_bytes = 0;
  /** How many times the guest emptied the receive FIFO. */
  drains = 0;
  private port: SerialPort | null = null;
  private readonly out: Uint8Array;
  private outLength = 0;
  private readonly script = new PacedInput();
  private hangupAtEnd = false;
  private readonly listeners: Array<() => void> = [];

  constructor(max_output_bytes = BUFFER_TERMINAL_MAX_OUTPUT_BYTES) {
    this.out = new Uint8Array(max_output_bytes);
  }

  write(byte: number): void {
    if (this.outLength < this.out.length) this.out[this.outLength++] = byte;
    else this.dropped_bytes++;
    for (const l of this.listeners) l();
  }

  connect(port: SerialPort): void {
    this.port = port;
    this.script.connect(port);
    this.hangUpAtEnd();
  }

  rxDrained(): void {
    this.drains++;
    this.script.pump();
    this.hangUpAtEnd();
  }

  /**
   * Queues input for the guest, paced to the FIFO; with `hangup`, the carrier drops once it has
   * all been received (the guest then reads end of file).
   */
  feed(input: Uint8Array | string, options: { hangup?: boolean } = {}): void {
    this.hangupAtEnd ||= options.hangup ?? false;
    this.script.add(typeof input === "string" ? new TextEncoder().encode(input) : input);
    this.hangUpAtEnd();
  }

  /** Drops the carrier now (end of input). */
  hangup(): void {
    this.port?.setCarrier(false);
  }

  /** Puts bytes (or a string, UTF-8) on the receive line; returns how many the UART took. */
  inject(input: Uint8Array | string): number {
    if (!this.port) throw new Error("buffer terminal: not connected to a UART");
    const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
    return this.port.receive(bytes);
  }

  /** Calls `listener` after every byte the guest transmits (tests waiting for output). */
  onOutput(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Bytes fed and not yet taken by the UART (its receive FIFO was full). */
  get unreceived(): number {
    return this.script.waiting;
  }

  /** The output kept so far (a copy). */
  bytes(): Uint8Array {
    return this.out.slice(0, this.outLength);
  }

  /** The output kept so far, decoded as UTF-8. */
  text(): string {
    return new TextDecoder().decode(this.out.subarray(0, this.outLength));
  }

  /** Drops the carrier once all the input asked to end with a hang-up is in the FIFO. */
  private hangUpAtEnd(): void {
    if (!this.port || !this.hangupAtEnd || this.script.waiting > 0) return;
    this.hangupAtEnd = false;
    this.port.setCarrier(false);
  }
}
