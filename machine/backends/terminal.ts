/**
 * The serial back end on the host terminal: the guest's console (stdin and stdout) or its
 * second line (stderr, output only).
 *
 * Output is collected as the guest writes THR and handed to the host stream once the burst
 * ends (a microtask later) or a buffer fills, so a guest writing a line costs one host write,
 * not one per byte. Input is read from Deno.stdin asynchronously: in raw mode when stdin is a
 * terminal (every key reaches the guest at once, Ctrl-C included, and nothing is echoed: echo
 * is the guest's job), as it comes otherwise (chunks from a pipe). Input is paced to the UART's
 * receive FIFO: the back end hands over no more than the FIFO has room for, waits for the
 * guest to drain it, and reads stdin again only once the last chunk is all delivered, so piped
 * input is never dropped. When stdin ends, the back end drops the line's carrier (a hang-up),
 * which is how the guest learns that its input has ended.
 */

import type { SerialBackend, SerialPort } from "../uart.ts";

/** Output bytes gathered before a host write is forced. */
const OUTPUT_BUFFER_BYTES = 16 * 1024;

/** Which host streams a Terminal uses. */
export interface TerminalOptions {
  /** Where output goes (default stdout). */
  output?: "stdout" | "stderr";
  /** Whether the line receives the host's stdin (default true). */
  input?: boolean;
}

/** The host terminal as a serial back end. */
export class Terminal implements SerialBackend {
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private reading: Promise<void> = Promise.resolve();
  private wakeReader: (() => void) | null = null;
  private raw = false;
  private closed = false;
  private outputFailed = false;
  private readonly out = new Uint8Array(OUTPUT_BUFFER_BYTES);
  private outLength = 0;
  private flushQueued = false;
  private readonly stream: typeof Deno.stdout | typeof Deno.stderr;
  private readonly input: boolean;

  constructor(options: TerminalOptions = {}) {
    this.stream = options.output === "stderr" ? Deno.stderr : Deno.stdout;
    this.input = options.input ?? true;
  }

  /** Gathers the byte; it reaches the host when the burst ends. */
  write(byte: number): void {
    if (this.outputFailed) return;
    this.out[this.outLength++] = byte;
    if (this.outLength === this.out.length) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Hands the gathered output to the host; once the host stream fails, output is dropped. */
  flush(): void {
    this.flushQueued = false;
    let done = 0;
    try {
      while (done < this.outLength) {
        done += this.stream.writeSync(this.out.subarray(done, this.outLength));
      }
    } catch (e) {
      this.outputFailed = true;
      console.error(`terminal: host output failed, dropped from now on: ${e}`);
    }
    this.outLength = 0;
  }

  connect(port: SerialPort): void {
    if (this.closed || this.reader || !this.input) return;
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

  /** Whether the host's stdin is a terminal (the guest then does echo and line editing). */
  get interactive(): boolean {
    return this.input && Deno.stdin.isTerminal();
  }

  /** Flushes, stops reading stdin and gives the terminal its normal mode back. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
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
        if (done || this.closed) break;
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
    if (!this.closed) port.setCarrier(false);
  }
}
