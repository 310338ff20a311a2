/**
 * The shell's line input. At a terminal (interactive), a line editor in raw mode: insert and
 * delete anywhere (←/→, Home/End, ^A/^E, Backspace, ^U, ^W), history with ↑/↓, Tab completion,
 * ^C abandons the line, ^D on an empty line is the end of input, ^L redraws. Otherwise (a pipe
 * or a file), plain lines, with no prompt and no echo.
 */

/** Where the editor reads keys and writes what the user sees. */
export interface EditorIo {
  /** Bytes typed (empty: end of input). */
  read(): Promise<Uint8Array>;
  write(text: string): Promise<void>;
}

/** Completion: the candidates for the word ending at `line[0..cursor]`. */
export type Completer = (
  line: string,
  cursor: number,
) => Promise<{ start: number; items: string[] }>;

/** Reads lines. */
export class LineReader {
  private pending = "";
  private ended = false;
  private readonly decoder = new TextDecoder();
  readonly history: string[] = [];

  constructor(
    private readonly io: EditorIo,
    readonly interactive: boolean,
    private readonly complete: Completer,
  ) {}

  /** The next line (without its newline), or undefined at the end of input. */
  async line(prompt: string): Promise<string | undefined> {
    if (this.interactive) return await this.edit(prompt);
    for (;;) {
      const nl = this.pending.indexOf("\n");
      if (nl >= 0) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        return line;
      }
      if (this.ended) {
        if (this.pending === "") return undefined;
        const line = this.pending;
        this.pending = "";
        return line;
      }
      const bytes = await this.io.read();
      if (bytes.length === 0) this.ended = true;
      else this.pending += this.decoder.decode(bytes, { stream: true });
    }
  }

  private async key(): Promise<string | undefined> {
    while (this.pending === "") {
      if (this.ended) return undefined;
      const bytes = await this.io.read();
      if (bytes.length === 0) this.ended = true;
      else this.pending += this.decoder.decode(bytes, { stream: true });
    }
    // deno-lint-ignore no-control-regex -- an escape sequence starts with ESC
    const esc = /^\x1b(\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(this.pending);
    const k = esc ? esc[0] : this.pending[0];
    this.pending = this.pending.slice(k.length);
    return k;
  }

  private async edit(prompt: string): Promise<string | undefined> {
    let buf = "";
    let cur = 0;
    let h = this.history.length;
    let draft = "";
    const redraw = async () => {
      const back = buf.length - cur;
      await this.io.write(`\r${prompt}${buf}\x1b[K${back > 0 ? `\x1b[${back}D` : ""}`);
    };
    await this.io.write(prompt);
    for (;;) {
      const k = await this.key();
      if (k === undefined) return undefined;
      switch (k) {
        case "\r":
        case "\n":
          await this.io.write("\r\n");
          if (buf.trim() !== "" && this.history[this.history.length - 1] !== buf) {
            this.history.push(buf);
          }
          return buf;
        case "\x03": // ^C
          await this.io.write("^C\r\n");
          buf = "";
          cur = 0;
          await this.io.write(prompt);
          continue;
        case "\x04": // ^D
          if (buf === "") {
            await this.io.write("\r\n");
            return undefined;
          }
          if (cur < buf.length) buf = buf.slice(0, cur) + buf.slice(cur + 1);
          break;
        case "\x7f":
        case "\b":
          if (cur === 0) continue;
          buf = buf.slice(0, cur - 1) + buf.slice(cur);
          cur--;
          break;
        case "\x15": // ^U
          buf = buf.slice(cur);
          cur = 0;
          break;
        case "\x17": { // ^W
          const start = buf.slice(0, cur).replace(/\S+\s*$/, "").length;
          buf = buf.slice(0, start) + buf.slice(cur);
          cur = start;
          break;
        }
        case "\x01":
        case "\x1b[H":
        case "\x1bOH":
          cur = 0;
          break;
        case "\x05":
        case "\x1b[F":
        case "\x1bOF":
          cur = buf.length;
          break;
        case "\x1b[D":
          cur = Math.max(0, cur - 1);
          break;
        case "\x1b[C":
          cur = Math.min(buf.length, cur + 1);
          break;
        case "\x1b[A":
          if (h === 0) continue;
          if (h === this.history.length) draft = buf;
          buf = this.history[--h];
          cur = buf.length;
          break;
        case "\x1b[B":
          if (h === this.history.length) continue;
          h++;
          buf = h === this.history.length ? draft : this.history[h];
          cur = buf.length;
          break;
        case "\x0c":
          await this.io.write("\x1b[H\x1b[2J");
          break;
        case "\t": {
          const { start, items } = await this.complete(buf, cur);
          if (items.length === 0) continue;
          const word = buf.slice(start, cur);
          const common = items.reduce((a, b) => {
            let i = 0;
            while (i < a.length && a[i] === b[i]) i++;
            return a.slice(0, i);
          });
          let insert = common.slice(word.length);
          if (items.length === 1 && !common.endsWith("/")) insert += " ";
          if (insert === "" && items.length > 1) {
            await this.io.write(`\r\n${items.join("  ")}\r\n`);
          }
          buf = buf.slice(0, cur) + insert + buf.slice(cur);
          cur += insert.length;
          break;
        }
        default:
          if (k.length !== 1 || k < " ") continue;
          buf = buf.slice(0, cur) + k + buf.slice(cur);
          cur++;
      }
      await redraw();
    }
  }
}
