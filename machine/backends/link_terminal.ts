/**
 * A serial back end whose far end is a link to another thread (the web console's terminal):
 * what the guest transmits is gathered and handed to `send` once the burst ends (a microtask
 * later) or a buffer fills; what the far end types is queued and paced to the UART's receive
 * FIFO, as the host terminal paces piped input. The queue is bounded: input past it is dropped
 * and counted (a person cannot type that much; a runaway sender must not take the memory).
 */

import type { SerialBackend, SerialPort } from "../uart.ts";

/** Output bytes gathered before a send is forced. */
const OUTPUT_BUFFER_BYTES = 16 * 1024;
/** Input waiting for the FIFO, at most. */
export const LINK_INPUT_MAX_BYTES = 64 * 1024;

/** A serial line connected to a link. */
export class LinkTerminal implements SerialBackend {
  /** Input bytes dropped because the queue was full. */
  droppedInput = 0;
  private port: SerialPort | null = null;
  private readonly out = new Uint8Array(OUTPUT_BUFFER_BYTES);
  private outLength = 0;
  private flushQueued = false;
  private queue = new Uint8Array(0);

  constructor(private readonly send: (bytes: Uint8Array) => void) {}

  write(byte: number): void {
    this.out[this.outLength++] = byte;
    if (this.outLength === this.out.length) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Hands what was gathered to the link. */
  flush(): void {
    this.flushQueued = false;
    if (this.outLength === 0) return;
    this.send(this.out.slice(0, this.outLength));
    this.outLength = 0;
  }

  connect(port: SerialPort): void {
    this.port = port;
    this.pump();
  }

  rxDrained(): void {
    this.pump();
  }

  /** Bytes typed at the far end, for the guest. */
  type(bytes: Uint8Array): void {
    const room = LINK_INPUT_MAX_BYTES - this.queue.length;
    const taken = bytes.subarray(0, Math.max(0, room));
    this.droppedInput += bytes.length - taken.length;
    const joined = new Uint8Array(this.queue.length + taken.length);
    joined.set(this.queue);
    joined.set(taken, this.queue.length);
    this.queue = joined;
    this.pump();
  }

  private pump(): void {
    const port = this.port;
    if (!port || this.queue.length === 0) return;
    this.queue = this.queue.subarray(port.receive(this.queue.subarray(0, port.rxFreeBytes())));
  }
}
