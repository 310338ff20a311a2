/**
 * One terminal: a serial line, its line discipline, its session and foreground process group
 * (job control), its window size, and the reads waiting for input.
 *
 * Job control follows POSIX: a terminal belongs to at most one session (set when the session
 * leader opens it, or by TIOCSCTTY); within that session one process group is in the
 * foreground. Typed signals go to the foreground group; a background group that reads gets
 * SIGTTIN (and the read EINTR), one that writes with TOSTOP set gets SIGTTOU. A session whose
 * leader is gone no longer holds the terminal.
 */

import { EAGAIN, EINTR, EINVAL, ENOTTY, EPERM } from "../../../abi/errno.ts";
import type { Caller } from "../../../abi/tty.ts";
import { TIOC, WINSIZE_BYTES } from "../../../abi/tty.ts";
import { IpcError } from "../../lib/errors.ts";
import { LineDiscipline } from "./ldisc.ts";
import type { SerialLine } from "./serial.ts";
import { decodeTermios, encodeTermios, type Termios, TOSTOP } from "./termios.ts";

export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGWINCH = 28;

/** A read waiting for input. */
export interface PendingRead {
  /** The request's tag (what a cancel names). */
  tag: number;
  max: number;
  /** Whether the reader is still there to take bytes (a dead client's read takes none). */
  waiting(): boolean;
  /** Delivers the bytes read (or an error); called once. */
  finish(bytes: Uint8Array | undefined, errno?: number): void;
  timer?: ReturnType<typeof setTimeout>;
  timedOut?: boolean;
}

/** What a terminal needs from the rest of the driver. */
export interface TerminalHost {
  /** Sends a signal to a process group (or, negative, a process). */
  signal(target: number, signal: number): Promise<void>;
  /** Whether a process exists (sessions outlive nothing). */
  alive(pid: number): Promise<boolean>;
}

/** A terminal. */
export class Terminal {
  readonly ldisc: LineDiscipline;
  session = 0;
  rows: number;
  cols: number;
  readonly readers: PendingRead[] = [];
  /** The last transmission (they complete in order: awaiting it awaits them all). */
  private sent: Promise<void> = Promise.resolve();

  constructor(
    readonly minor: number,
    readonly name: string,
    readonly line: SerialLine,
    termios: Termios,
    size: { rows: number; cols: number },
    private readonly host: TerminalHost,
  ) {
    this.rows = size.rows;
    this.cols = size.cols;
    this.ldisc = new LineDiscipline(termios, {
      output: (bytes) => this.transmit(bytes),
      signal: (pgrp, sig) => this.host.signal(pgrp, sig),
    });
  }

  private transmit(bytes: Uint8Array): void {
    this.sent = this.line.transmit(bytes);
  }

  /** Input arrived (or the carrier went): hands it to the discipline and wakes readers. */
  input(bytes: Uint8Array, hungUp: boolean): void {
    if (bytes.length > 0) this.ldisc.receive(bytes);
    if (hungUp && !this.ldisc.hungUp) this.ldisc.hangup();
    this.serveReaders();
  }

  /** Gives waiting readers what there is, in order. */
  serveReaders(): void {
    this.dropGoneReaders();
    while (this.readers.length > 0) {
      const r = this.readers[0];
      const got = this.ldisc.read(r.max, r.timedOut);
      if (got === undefined) break;
      this.readers.shift();
      if (r.timer !== undefined) clearTimeout(r.timer);
      r.finish(got);
    }
  }

  /**
   * Forgets the reads of clients that are gone (a shell that died with its read queued here):
   * input goes to the next reader instead of into a reply nobody takes.
   */
  private dropGoneReaders(): void {
    for (let i = this.readers.length - 1; i >= 0; i--) {
      const r = this.readers[i];
      if (r.waiting()) continue;
      this.readers.splice(i, 1);
      if (r.timer !== undefined) clearTimeout(r.timer);
    }
  }

  /** Whether `caller` is in a background group of this terminal's session. */
  private background(caller: Caller): boolean {
    return this.session !== 0 && caller.sid === this.session && this.ldisc.foreground !== 0 &&
      caller.pgid !== this.ldisc.foreground;
  }

  /** A read: its bytes at once, or later through `r.finish`. */
  read(caller: Caller, r: PendingRead, nonblock: boolean): void {
    if (this.background(caller)) {
      this.host.signal(caller.pgid, SIGTTIN).catch(() => {});
      r.finish(undefined, EINTR);
      return;
    }
    this.dropGoneReaders();
    if (this.readers.length === 0) {
      const got = this.ldisc.read(r.max);
      if (got !== undefined) {
        r.finish(got);
        return;
      }
    }
    if (nonblock) {
      r.finish(undefined, EAGAIN);
      return;
    }
    const tenths = this.ldisc.readTimeout;
    if (tenths > 0) {
      r.timer = setTimeout(() => {
        r.timedOut = true;
        this.serveReaders();
      }, tenths * 100);
    }
    this.readers.push(r);
  }

  /** Cancels the read with `tag` (the kernel's EINTR); false if it had already finished. */
  cancel(tag: number): boolean {
    const i = this.readers.findIndex((r) => r.tag === tag);
    if (i < 0) return false;
    const [r] = this.readers.splice(i, 1);
    if (r.timer !== undefined) clearTimeout(r.timer);
    r.finish(undefined, EINTR);
    return true;
  }

  /**
   * A write: resolves once the bytes are on the line. SIGTTOU for a background writer when
   * TOSTOP is set.
   */
  async write(caller: Caller, bytes: Uint8Array): Promise<number> {
    if (this.background(caller) && this.ldisc.termios.lflag & TOSTOP) {
      this.host.signal(caller.pgid, SIGTTOU).catch(() => {});
      throw new IpcError(EINTR, "background write");
    }
    this.ldisc.write(bytes);
    await this.sent;
    return bytes.length;
  }

  /** Makes this the controlling terminal of `caller`'s session, if it may be. */
  async acquire(caller: Caller, force: boolean): Promise<boolean> {
    if (caller.pid !== caller.sid) return false;
    if (this.session === caller.sid) return true;
    if (this.session !== 0 && !force && (await this.host.alive(this.session))) return false;
    this.session = caller.sid;
    this.ldisc.foreground = caller.pgid;
    return true;
  }

  private controlling(caller: Caller): void {
    if (this.session === 0 || caller.sid !== this.session) {
      throw new IpcError(ENOTTY, "not the caller's controlling terminal");
    }
  }

  /** A terminal ioctl: its result bytes. */
  async ioctl(caller: Caller, cmd: number, arg: Uint8Array): Promise<Uint8Array> {
    const dv = new DataView(arg.buffer, arg.byteOffset, arg.byteLength);
    const i32 = () => {
      if (arg.length < 4) throw new IpcError(EINVAL, "argument too short");
      return dv.getInt32(0, true);
    };
    const out32 = (v: number) => {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, v, true);
      return out;
    };
    switch (cmd) {
      case TIOC.TCGETS:
        return encodeTermios(this.ldisc.termios);
      case TIOC.TCSETS:
      case TIOC.TCSETSW:
      case TIOC.TCSETSF: {
        const t = decodeTermios(arg);
        if (!t) throw new IpcError(EINVAL, "bad termios");
        if (cmd === TIOC.TCSETSF) this.ldisc.flushInput();
        this.ldisc.setTermios(t);
        this.serveReaders();
        return new Uint8Array(0);
      }
      case TIOC.TIOCGWINSZ: {
        const out = new Uint8Array(WINSIZE_BYTES);
        const w = new DataView(out.buffer);
        w.setUint16(0, this.rows, true);
        w.setUint16(2, this.cols, true);
        return out;
      }
      case TIOC.TIOCSWINSZ: {
        if (arg.length !== WINSIZE_BYTES) throw new IpcError(EINVAL, "bad winsize");
        this.rows = dv.getUint16(0, true);
        this.cols = dv.getUint16(2, true);
        if (this.ldisc.foreground > 0) {
          this.host.signal(this.ldisc.foreground, SIGWINCH).catch(() => {});
        }
        return new Uint8Array(0);
      }
      case TIOC.TIOCGPGRP:
        this.controlling(caller);
        return out32(this.ldisc.foreground);
      case TIOC.TIOCSPGRP:
        this.controlling(caller);
        this.ldisc.foreground = i32();
        return new Uint8Array(0);
      case TIOC.TIOCGSID:
        this.controlling(caller);
        return out32(this.session);
      case TIOC.FIONREAD:
        return out32(this.ldisc.available);
      case TIOC.TIOCOUTQ:
        return out32(0);
      case TIOC.TCFLSH: {
        const which = i32();
        if (which < 0 || which > 2) throw new IpcError(EINVAL, "bad queue");
        if (which !== 1) this.ldisc.flushInput();
        return new Uint8Array(0);
      }
      case TIOC.TIOCSCTTY:
        if (!(await this.acquire(caller, i32() === 1))) {
          throw new IpcError(EPERM, "cannot take this terminal");
        }
        return new Uint8Array(0);
      case TIOC.TIOCNOTTY:
        this.controlling(caller);
        if (caller.pid === caller.sid) {
          this.session = 0;
          this.ldisc.foreground = 0;
        }
        return new Uint8Array(0);
      default:
        throw new IpcError(ENOTTY, `ioctl ${cmd}`);
    }
  }
}
