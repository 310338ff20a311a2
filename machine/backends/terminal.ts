/**
 * The serial back end on the host terminal: the guest's console (stdin and stdout) or its
 * second line (stderr, output only).
 *
 * Output is collected as the guest writes THR and handed to the host stream once the burst
 * ends (serial_io.ts's OutputBurst), so a guest writing a line costs one host write. Input is read from Deno.stdin asynchronously: in raw mode when stdin is a
 * terminal (every key reaches the guest at once, Ctrl-C included, and nothing is echoed: echo
 * is the guest's job), as it comes otherwise (chunks from a pipe). Input is paced to the UART's
 * receive FIFO: the back end hands over no more than the FIFO has room for, waits for the
 * guest to drain it, and reads stdin again only once the last chunk is all delivered, so piped
 * input is never dropped. When stdin ends, the back end drops the line's carrier (a hang-up),
 * which is how the guest learns that its input has ended.
 */

import type { SerialBackend, SerialPort } from "../uart.ts";
import { OutputBurst } from "./serial_io.ts";

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
  private readonly output = new OutputBurst((bytes) => this.toHost(bytes));
  private readonly stream: typeof Deno.stdout | typeof Deno.stderr;
  private readonly input: boolean;

  constructor(options: TerminalOptions = {}) {
    this.stream = options.output === "stderr" ? Deno.stderr : Deno.stdout;
    this.input = options.input ?? true;
  }

  /** Gathers the byte; it reaches the host when the burst ends. */
  write(byte: number): void {
    if (!this.outputFailed) this.output.write(byte);
  }

  /** Hands the gathered output to the host now. */
  flush(): void {
    this.output.flush();
  }

  /** Writes a burst to the host stream; once the stream fails, output is dropped. */
  private toHost(bytes: Uint8Array): void {
    let done = 0;
    try {
      while (done < bytes.length) done += this.stream.writeSync(bytes.subarray(done));
    } catch (e) {
      this.outputFailed = true;
      console.error(`terminal: host output failed, dropped from now on: ${e}`);
    }
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
