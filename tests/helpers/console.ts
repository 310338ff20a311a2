/**
 * A console for tests: collects what a program writes to stdout and stderr and feeds it
 * a fixed input.
 */

import type { ConsoleIo } from "../../kernel/console.ts";

/** Captures output; `input` is what reads of stdin return, then end of file. */
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
