/**
 * The console as a file: what descriptors 0, 1 and 2 of the first process refer to.
 *
 * The kernel reaches the terminal through a ConsoleIo (the host terminal for `deno task
 * rv32`, a buffer in tests), so that what a program prints can be captured exactly.
 */

import { type FileStat, notSeekable, type OpenFile, S_IFCHR } from "./file.ts";

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

/** One console stream as an open file. */
export class ConsoleFile implements OpenFile {
  constructor(private readonly io: ConsoleIo, private readonly stream: 0 | 1 | 2) {}

  read(dst: Uint8Array): Promise<number> | number {
    return this.stream === 0 ? this.io.read(dst) : 0;
  }

  write(src: Uint8Array): number {
    this.io.write(this.stream === 2 ? 2 : 1, src);
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
