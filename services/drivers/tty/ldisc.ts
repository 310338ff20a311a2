/**
 * The line discipline: what turns the bytes of a serial line into what a process reads from a
 * terminal, and what it writes into what reaches the line (Linux's n_tty, in small).
 *
 * Input. In canonical mode (ICANON) typed characters are edited into a line — erase (VERASE),
 * word erase (VWERASE), kill (VKILL), literal next (VLNEXT) — and become readable only when the
 * line ends (newline, VEOL, or VEOF, which ends a line without being part of it; VEOF on an
 * empty line is end of file). A read returns at most one line. In non-canonical mode bytes are
 * readable at once; a read waits for VMIN bytes (VMIN 0: returns what there is, possibly
 * nothing, after at most VTIME tenths of a second). With ISIG, VINTR, VQUIT and VSUSP send
 * SIGINT, SIGQUIT and SIGTSTP to the foreground process group and flush the input (unless
 * NOFLSH). ICRNL turns "\r" into "\n", IGNCR drops it, INLCR turns "\n" into "\r". ECHO echoes
 * (ECHOCTL shows control characters as ^X; ECHOE erases visibly).
 *
 * Output. With OPOST and ONLCR, "\n" goes out as "\r\n".
 *
 * The end of the host's input (the line's carrier dropped) makes reads return end of file once
 * what was typed before has been read; output goes on, since the same line carries it.
 *
 * Limits: a line holds at most LINE_MAX bytes (more is dropped), and at most INPUT_MAX bytes
 * wait to be read; past that the driver stops draining the UART, whose back end then stops
 * sending (flow control by pacing), so nothing typed is lost.
 */

import {
  ECHO,
  ECHOCTL,
  ECHOE,
  ECHOK,
  ECHONL,
  ICANON,
  ICRNL,
  IEXTEN,
  IGNCR,
  INLCR,
  ISIG,
  NOFLSH,
  ONLCR,
  OPOST,
  type Termios,
  VEOF,
  VEOL,
  VERASE,
  VINTR,
  VKILL,
  VLNEXT,
  VMIN,
  VQUIT,
  VSUSP,
  VTIME,
  VWERASE,
} from "./termios.ts";

/** Longest line in canonical mode, in bytes. */
export const LINE_MAX = 4095;
/** Most bytes waiting to be read. */
export const INPUT_MAX = 64 * 1024;

export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGTSTP = 20;

/** What the discipline does to the world: put bytes on the line, signal a process group. */
export interface LinePort {
  output(bytes: Uint8Array): void;
  signal(pgrp: number, signal: number): void;
}

/** A chunk of readable input: bytes, or (canonical) the end of file a VEOF on an empty line made. */
type Chunk = { bytes: Uint8Array; eof: false } | { bytes: Uint8Array; eof: true };

/** One terminal's line discipline. */
export class LineDiscipline {
  /** Bytes of the line being edited (canonical mode). */
  private line: number[] = [];
  /** Readable input, in order; in canonical mode each chunk is one line. */
  private ready: Chunk[] = [];
  private readyBytes = 0;
  private literalNext = false;
  /** The host's input has ended for good. */
  hungUp = false;

  constructor(public termios: Termios, private readonly port: LinePort) {}

  /** The foreground process group, to which typed signals go (0: none). */
  foreground = 0;

  get canonical(): boolean {
    return (this.termios.lflag & ICANON) !== 0;
  }

  /** Bytes the discipline can still take in. */
  get room(): number {
    return Math.max(0, INPUT_MAX - this.readyBytes - this.line.length);
  }

  /** Bytes a read could return now (FIONREAD). */
  get available(): number {
    return this.readyBytes;
  }

  /** Takes bytes that arrived on the line. */
  receive(bytes: Uint8Array): void {
    const echo: number[] = [];
    let raw: number[] = [];
    const flushRaw = () => {
      if (raw.length > 0) this.push(Uint8Array.from(raw), false);
      raw = [];
    };
    for (let c of bytes) {
      const t = this.termios;
      if (this.literalNext) {
        this.literalNext = false;
        this.addChar(c, echo, raw);
        continue;
      }
      if (c === 0x0d) {
        if (t.iflag & IGNCR) continue;
        if (t.iflag & ICRNL) c = 0x0a;
      } else if (c === 0x0a && t.iflag & INLCR) c = 0x0d;
      if (t.lflag & ISIG && this.signalOf(c) !== 0) {
        // What came before the signal character is input like any other: flushed with the
        // rest unless NOFLSH keeps it.
        if (t.lflag & NOFLSH) flushRaw();
        else raw = [];
        this.signalChar(c, echo);
        continue;
      }
      if (this.canonical && this.editChar(c, echo)) continue;
      if (this.canonical && t.lflag & IEXTEN && c === t.cc[VLNEXT] && c !== 0) {
        this.literalNext = true;
        continue;
      }
      this.addChar(c, echo, raw);
    }
    flushRaw();
    if (echo.length > 0) this.out(Uint8Array.from(echo));
  }

  /** The signal a typed character sends (VINTR, VQUIT, VSUSP), or 0. */
  private signalOf(c: number): number {
    const cc = this.termios.cc;
    if (c === 0) return 0;
    if (c === cc[VINTR]) return SIGINT;
    if (c === cc[VQUIT]) return SIGQUIT;
    return c === cc[VSUSP] ? SIGTSTP : 0;
  }

  /** A typed VINTR/VQUIT/VSUSP: flushes the input (unless NOFLSH) and signals the foreground. */
  private signalChar(c: number, echo: number[]): void {
    if (!(this.termios.lflag & NOFLSH)) this.flushInput();
    this.echoChar(c, echo);
    if (this.termios.lflag & ECHO) echo.push(0x0a);
    if (this.foreground > 0) this.port.signal(this.foreground, this.signalOf(c));
  }

  /**
   * New settings (TCSETS). Leaving canonical mode makes the line being edited readable, as
   * Linux does: typed text is never stranded.
   */
  setTermios(t: Termios): void {
    const wasCanonical = this.canonical;
    this.termios = t;
    if (wasCanonical && !this.canonical && this.line.length > 0) {
      this.push(Uint8Array.from(this.line), false);
      this.line = [];
    }
  }

  /** Canonical editing characters; true if `c` was one. */
  private editChar(c: number, echo: number[]): boolean {
    const t = this.termios;
    const erase = (n: number) => {
      for (let i = 0; i < n && this.line.length > 0; i++) {
        const gone = this.line.pop()!;
        if (t.lflag & ECHO && t.lflag & ECHOE) {
          const width = gone < 0x20 && t.lflag & ECHOCTL ? 2 : 1;
          for (let w = 0; w < width; w++) echo.push(0x08, 0x20, 0x08);
        }
      }
    };
    if (c === 0) return false;
    if (c === t.cc[VERASE] || c === 0x08) {
      erase(1);
      return true;
    }
    if (c === t.cc[VWERASE] && t.lflag & IEXTEN) {
      let n = 0;
      while (n < this.line.length && this.line[this.line.length - 1 - n] === 0x20) n++;
      while (n < this.line.length && this.line[this.line.length - 1 - n] !== 0x20) n++;
      erase(n);
      return true;
    }
    if (c === t.cc[VKILL]) {
      if (t.lflag & ECHO && !(t.lflag & ECHOE) && t.lflag & ECHOK) {
        this.line = [];
        echo.push(0x0a);
      } else erase(this.line.length);
      return true;
    }
    if (c === t.cc[VEOF]) {
      const text = Uint8Array.from(this.line);
      this.line = [];
      this.push(text, text.length === 0);
      return true;
    }
    return false;
  }

  /** An ordinary character: into the line (canonical) or straight to the readable queue. */
  private addChar(c: number, echo: number[], raw: number[]): void {
    const t = this.termios;
    if (!this.canonical) {
      if (this.readyBytes + raw.length < INPUT_MAX) raw.push(c);
      this.echoChar(c, echo);
      return;
    }
    const ends = c === 0x0a || (c === t.cc[VEOL] && c !== 0);
    if (!ends && this.line.length >= LINE_MAX) return; // full: dropped, as n_tty does
    this.line.push(c);
    if (c === 0x0a) {
      if (t.lflag & (ECHO | ECHONL)) echo.push(0x0a);
    } else this.echoChar(c, echo);
    if (ends) {
      this.push(Uint8Array.from(this.line), false);
      this.line = [];
    }
  }

  private echoChar(c: number, echo: number[]): void {
    const t = this.termios;
    if (!(t.lflag & ECHO)) return;
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && t.lflag & ECHOCTL) echo.push(0x5e, c + 0x40);
    else if (c === 0x7f && t.lflag & ECHOCTL) echo.push(0x5e, 0x3f);
    else echo.push(c);
  }

  private push(bytes: Uint8Array, eof: boolean): void {
    this.ready.push(eof ? { bytes, eof: true } : { bytes, eof: false });
    this.readyBytes += bytes.length;
  }

  /** Drops what was typed and not read (and the line being edited). */
  flushInput(): void {
    this.ready = [];
    this.readyBytes = 0;
    this.line = [];
  }

  /** The host's input has ended: what was typed stays readable, then end of file. */
  hangup(): void {
    this.hungUp = true;
    if (this.line.length > 0) {
      this.push(Uint8Array.from(this.line), false);
      this.line = [];
    }
  }

  /**
   * What a read of at most `max` bytes gets now: bytes (possibly empty: end of file, or VMIN
   * 0), or undefined if it must wait (`timedOut`: its VTIME wait is over).
   */
  read(max: number, timedOut = false): Uint8Array | undefined {
    if (this.canonical) return this.readLine(max);
    const t = this.termios;
    const min = t.cc[VMIN];
    if (this.readyBytes === 0) {
      if (this.hungUp || timedOut || (min === 0 && t.cc[VTIME] === 0)) return new Uint8Array(0);
      return undefined;
    }
    if (this.readyBytes < Math.min(min, max) && !this.hungUp && !timedOut) return undefined;
    return this.take(max);
  }

  /** Tenths of a second a non-canonical read may wait for input (VTIME), 0 for no limit. */
  get readTimeout(): number {
    return this.canonical ? 0 : this.termios.cc[VTIME];
  }

  private readLine(max: number): Uint8Array | undefined {
    const first = this.ready[0];
    if (!first) return this.hungUp ? new Uint8Array(0) : undefined;
    if (first.eof) {
      this.ready.shift();
      return new Uint8Array(0);
    }
    const n = Math.min(max, first.bytes.length);
    const out = first.bytes.slice(0, n);
    if (n === first.bytes.length) this.ready.shift();
    else this.ready[0] = { bytes: first.bytes.subarray(n), eof: false };
    this.readyBytes -= n;
    return out;
  }

  private take(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.readyBytes));
    let at = 0;
    while (at < out.length) {
      const first = this.ready[0];
      if (first.eof) {
        this.ready.shift();
        continue;
      }
      const n = Math.min(out.length - at, first.bytes.length);
      out.set(first.bytes.subarray(0, n), at);
      at += n;
      if (n === first.bytes.length) this.ready.shift();
      else this.ready[0] = { bytes: first.bytes.subarray(n), eof: false };
    }
    this.readyBytes -= out.length;
    return out;
  }

  /** Output processing: what a write of `bytes` puts on the line. */
  write(bytes: Uint8Array): void {
    this.out(bytes);
  }

  private out(bytes: Uint8Array): void {
    const t = this.termios;
    if (!(t.oflag & OPOST) || !(t.oflag & ONLCR) || !bytes.includes(0x0a)) {
      this.port.output(bytes);
      return;
    }
    const out: number[] = [];
    for (const b of bytes) {
      if (b === 0x0a) out.push(0x0d);
      out.push(b);
    }
    this.port.output(Uint8Array.from(out));
  }
}
