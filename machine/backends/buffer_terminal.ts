/**
 * A loopback serial back end for tests: it keeps what the guest transmits and lets a test put
 * bytes on the receive line.
 *
 * Injected input goes to the UART at once, with no pacing, so a test can provoke an overrun.
 * Kept output is bounded; bytes past the bound are counted and dropped.
 */

import type { SerialBackend, SerialPort } from "../uart.ts";

/** Default bound on kept output, in bytes. */
export const BUFFER_TERMINAL_MAX_OUTPUT_BYTES = 1024 * 1024;

/** A serial back end backed by memory. */
export class BufferTerminal implements SerialBackend {
  /** Bytes transmitted after the output bound was reached. */
  dropped_bytes = 0;
  /** How many times the guest emptied the receive FIFO. */
  drains = 0;
  private port: SerialPort | null = null;
  private readonly out: Uint8Array;
  private outLength = 0;

  constructor(max_output_bytes = BUFFER_TERMINAL_MAX_OUTPUT_BYTES) {
    this.out = new Uint8Array(max_output_bytes);
  }

  write(byte: number): void {
    if (this.outLength < this.out.length) this.out[this.outLength++] = byte;
    else this.dropped_bytes++;
  }

  connect(port: SerialPort): void {
    this.port = port;
  }

  rxDrained(): void {
    this.drains++;
  }

  /** Puts bytes (or a string, UTF-8) on the receive line; returns how many the UART took. */
  inject(input: Uint8Array | string): number {
    if (!this.port) throw new Error("buffer terminal: not connected to a UART");
    const bytes = typeof input === "string" ? new TextEncoder().encode(input) : input;
    return this.port.receive(bytes);
  }

  /** The output kept so far (a copy). */
  bytes(): Uint8Array {
    return this.out.slice(0, this.outLength);
  }

  /** The output kept so far, decoded as UTF-8. */
  text(): string {
    return new TextDecoder().decode(this.out.subarray(0, this.outLength));
  }
}
