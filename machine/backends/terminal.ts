/**
 * The serial back end on the host terminal: the guest's console.
 *
 * Output goes to Deno.stdout synchronously, byte by byte as the guest writes THR. Input is
 * read from Deno.stdin asynchronously: in raw mode when stdin is a terminal (every key reaches
 * the guest at once, Ctrl-C included, and nothing is echoed: echo is the guest's job), as it
 * comes otherwise (lines from a cooked terminal, chunks from a pipe). Input is paced to the
 * UART's receive FIFO: the back end hands over no more than the FIFO has room for, waits for
 * the guest to drain it, and reads stdin again only once the last chunk is all delivered, so
 * piped input is never dropped and at most one chunk is held.
 */

import type { SerialBackend, SerialPort } from "../uart.ts";

/** The host terminal as a serial back end. */
export class Terminal implements SerialBackend {
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private reading: Promise<void> = Promise.resolve();
  private wakeReader: (() => void) | null = null;
  private raw = false;
  private closed = false;
  private outputFailed = false;
  private readonly one = new Uint8Array(1);

  /** Writes the byte to stdout; once stdout fails (a closed pipe), output is dropped. */
  write(byte: number): void {
    if (this.outputFailed) return;
    this.one[0] = byte;
    try {
      Deno.stdout.writeSync(this.one);
    } catch (e) {
      this.outputFailed = true;
      console.error(`terminal: stdout failed, console output dropped from now on: ${e}`);
    }
  }

  connect(port: SerialPort): void {
    if (this.closed || this.reader) return;
    if (Deno.stdin.isTerminal()) {
      Deno.stdin.setRaw(true);
      this.raw = true;
    }
    this.reader = Deno.stdin.readable.getReader();
    this.reading = this.readLoop(this.reader, port);
  }

  rxDrained(): void {
    this.wakeReader?.();
    this.wakeReader = null;
  }

  /** Stops reading stdin and gives the terminal its normal mode back. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.raw) Deno.stdin.setRaw(false);
    this.rxDrained();
    await this.reader?.cancel().catch(() => {});
    await this.reading;
  }

  private async readLoop(reader: ReadableStreamDefaultReader<Uint8Array>, port: SerialPort) {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done || this.closed) return;
        let rest = value;
        while (rest.length > 0 && !this.closed) {
          if (port.rxFreeBytes() === 0) {
            await new Promise<void>((resolve) => this.wakeReader = resolve);
            continue;
          }
          rest = rest.subarray(port.receive(rest.subarray(0, port.rxFreeBytes())));
        }
      }
    } catch (e) {
      if (!this.closed) console.error(`terminal: stdin failed, no more console input: ${e}`);
    }
  }
}
