/**
 * The console of a benchmark's kernel: no input, and everything a program prints kept as
 * text (checked by some benchmarks, quoted by all when a program fails).
 */

import type { ConsoleIo } from "../../kernel/console.ts";

export class CapturedConsole implements ConsoleIo {
  text = "";
  read(): Promise<number> {
    return Promise.resolve(0);
  }
  write(_stream: 1 | 2, bytes: Uint8Array): void {
    this.text += new TextDecoder().decode(bytes);
  }
}
