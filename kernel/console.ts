/**
 * The console: what descriptors 0, 1 and 2 of the first process refer to.
 *
 * The kernel reaches the terminal through a ConsoleIo (the host terminal for `deno task
 * rv32`, a buffer in tests), so that what a program prints can be captured exactly. Output is
 * written at once. Input is read from the host in the background: a reader finding nothing
 * buffered sleeps on the console's queue until the host delivers bytes or end of input.
 */

import { type FileStat, notSeekable, type OpenFile, S_IFCHR } from "./file.ts";
import { WaitQueue } from "./wait.ts";

/** Where console bytes go and come from. */
export interface ConsoleIo {
  /** Reads available input into dst; resolves with 0 at end of input. */
  read(dst: Uint8Array): Promise<number>;
  /** Writes all of `bytes` to the output stream `stream` (1 = stdout, 2 = stderr). */
  write(stream: 1 | 2, bytes: Uint8Array): void;
}

/** The host terminal: Deno's stdin, stdout and stderr. */
export const hostConsole: ConsoleIo = {
  async read(dst) {
    return (await Deno.stdin.read(dst)) ?? 0;
  },
  write(stream, bytes) {
    const out = stream === 1 ? Deno.stdout : Deno.stderr;
    let done = 0;
    while (done < bytes.length) done += out.writeSync(bytes.subarray(done));
  },
};

/**
 * A console in memory (tests, benchmarks): keeps what is written to stdout and stderr;
 * `input` is what reads of stdin return, then end of file.
 */
export class CapturedConsole implements ConsoleIo {
  readonly stdout: number[] = [];
  readonly stderr: number[] = [];
  private input: Uint8Array;

  constructor(input = "") {
    this.input = new TextEncoder().encode(input);
  }

  read(dst: Uint8Array): Promise<number> {
    const n = Math.min(dst.length, this.input.length);
    dst.set(this.input.subarray(0, n));
    this.input = this.input.subarray(n);
    return Promise.resolve(n);
  }

  write(stream: 1 | 2, bytes: Uint8Array): void {
    (stream === 1 ? this.stdout : this.stderr).push(...bytes);
  }

  get out(): string {
    return new TextDecoder().decode(new Uint8Array(this.stdout));
  }

  get err(): string {
    return new TextDecoder().decode(new Uint8Array(this.stderr));
  }
}

/** Largest host read at once. */
const READ_CHUNK = 4096;

/** The console device: buffered input, shared by every descriptor open on it. */
export class Console {
  readonly readable = new WaitQueue();
  private input = new Uint8Array(0);
  private eof = false;
  private reading = false;

  constructor(readonly io: ConsoleIo, private readonly wake: (q: WaitQueue) => void) {}

  /** Bytes of input if any are buffered, 0 at end of input, else the queue to sleep on. */
  read(dst: Uint8Array): number | WaitQueue {
    if (this.input.length > 0) {
      const n = Math.min(dst.length, this.input.length);
      dst.set(this.input.subarray(0, n));
      this.input = this.input.subarray(n);
      return n;
    }
    if (this.eof) return 0;
    if (!this.reading) this.fill();
    return this.readable;
  }

  private fill(): void {
    this.reading = true;
    const chunk = new Uint8Array(READ_CHUNK);
    this.io.read(chunk).then((n) => {
      if (n === 0) this.eof = true;
      else this.input = chunk.slice(0, n);
    }, () => {
      this.eof = true;
    }).finally(() => {
      this.reading = false;
      this.wake(this.readable);
    });
  }
}

/** One console stream as an open file. */
export class ConsoleFile implements OpenFile {
  constructor(private readonly console: Console, private readonly stream: 0 | 1 | 2) {}

  read(dst: Uint8Array): number | WaitQueue {
    return this.stream === 0 ? this.console.read(dst) : 0;
  }

  write(src: Uint8Array): number {
    this.console.io.write(this.stream === 2 ? 2 : 1, src);
    return src.length;
  }

  seek(): number {
    return notSeekable();
  }

  stat(): FileStat {
    return {
      mode: S_IFCHR | 0o620,
      sizeBytes: 0,
      ino: 0,
      nlink: 1,
      blockSizeBytes: 1024,
      mtimeMs: 0,
      atimeMs: 0,
      ctimeMs: 0,
      birthtimeMs: 0,
    };
  }

  close(): void {}
}
