/**
 * What serial back ends share on each side of the line:
 *
 * - OutputBurst gathers the bytes the guest transmits (one THR write each) and hands them on as
 *   one piece when the burst ends (a microtask later) or its buffer fills, so a guest writing a
 *   line costs one host write or one message, not one per byte.
 * - PacedInput holds bytes for the guest and gives the UART no more than its receive FIFO has
 *   room for, the rest when the guest drains it (call `pump` then), so nothing is overrun.
 */

import type { SerialPort } from "../uart.ts";

/** Output bytes gathered before they are handed on regardless. */
const OUTPUT_BUFFER_BYTES = 16 * 1024;

/** Transmitted bytes, gathered into bursts. */
export class OutputBurst {
  private readonly out = new Uint8Array(OUTPUT_BUFFER_BYTES);
  private length = 0;
  private queued = false;

  /** `send` gets each burst as a view of the buffer, valid only during the call. */
  constructor(private readonly send: (bytes: Uint8Array) => void) {}

  write(byte: number): void {
    this.out[this.length++] = byte;
    if (this.length === this.out.length) this.flush();
    else if (!this.queued) {
      this.queued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Hands on what was gathered now. */
  flush(): void {
    this.queued = false;
    if (this.length === 0) return;
    const length = this.length;
    this.length = 0;
    this.send(this.out.subarray(0, length));
  }
}

/** Bytes waiting for the guest's receive FIFO. */
export class PacedInput {
  private queue = new Uint8Array(0);
  private port: SerialPort | null = null;

  /** The UART to feed (a back end's `connect`). */
  connect(port: SerialPort): void {
    this.port = port;
    this.pump();
  }

  /** Bytes waiting; none are lost. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Queues `bytes` after what waits, and feeds what fits. */
  add(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.queue.length + bytes.length);
    joined.set(this.queue);
    joined.set(bytes, this.queue.length);
    this.queue = joined;
    this.pump();
  }

  /** Feeds the FIFO as much as it has room for (after the guest drained it). */
  pump(): void {
    const port = this.port;
    if (!port || this.queue.length === 0) return;
    this.queue = this.queue.subarray(port.receive(this.queue.subarray(0, port.rxFreeBytes())));
  }
}
