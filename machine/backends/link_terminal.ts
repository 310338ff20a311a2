/**
 * A serial back end whose far end is a link to another thread (the web console's terminal):
 * what the guest transmits goes to `send` in bursts, what the far end types is paced to the
 * UART's receive FIFO (serial_io.ts). The input waiting is bounded: input past it is dropped
 * and counted (a person cannot type that much; a runaway sender must not take the memory).
 */

import type { SerialBackend, SerialPort } from "../uart.ts";
import { OutputBurst, PacedInput } from "./serial_io.ts";

/** Input waiting for the FIFO, at most. */
export const LINK_INPUT_MAX_BYTES = 64 * 1024;

/** A serial line connected to a link. */
export class LinkTerminal implements SerialBackend {
  /** Input bytes dropped because the queue was full. */
  droppedInput = 0;
  private readonly output: OutputBurst;
  private readonly input = new PacedInput();

  /** `send` gets each burst of output (its own copy). */
  constructor(send: (bytes: Uint8Array) => void) {
    this.output = new OutputBurst((bytes) => send(bytes.slice()));
  }

  write(byte: number): void {
    this.output.write(byte);
  }

  /** Hands what was gathered to the link now. */
  flush(): void {
    this.output.flush();
  }

  connect(port: SerialPort): void {
    this.input.connect(port);
  }

  rxDrained(): void {
    this.input.pump();
  }

  /** Bytes typed at the far end, for the guest. */
  type(bytes: Uint8Array): void {
    const room = Math.max(0, LINK_INPUT_MAX_BYTES - this.input.waiting);
    this.droppedInput += Math.max(0, bytes.length - room);
    this.input.add(bytes.subarray(0, room));
  }
}
