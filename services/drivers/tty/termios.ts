/**
 * struct termios as rv32 Linux lays it out (asm-generic termbits): four u32 flag words, the
 * line discipline byte, and NCCS = 19 control characters; the flag bits and the indices of
 * the control characters; and the two settings a terminal starts with.
 */

import { LFLAG, TERMIOS_BYTES } from "../../../abi/tty.ts";

/** Control character indices (c_cc). */
export const VINTR = 0;
export const VQUIT = 1;
export const VERASE = 2;
export const VKILL = 3;
export const VEOF = 4;
export const VTIME = 5;
export const VMIN = 6;
export const VSTART = 8;
export const VSTOP = 9;
export const VSUSP = 10;
export const VEOL = 11;
export const VREPRINT = 12;
export const VWERASE = 14;
export const VLNEXT = 15;
export const NCCS = 19;

/** c_iflag. */
export const ICRNL = 0o400;
export const INLCR = 0o100;
export const IGNCR = 0o200;
export const IXON = 0o2000;
export const IUTF8 = 0o40000;
/** c_oflag. */
export const OPOST = 0o1;
export const ONLCR = 0o4;
/** c_cflag. */
export const B38400 = 0o17;
export const CS8 = 0o60;
export const CREAD = 0o200;
export const HUPCL = 0o2000;
/** c_lflag. */
export const ISIG = LFLAG.ISIG;
export const ICANON = LFLAG.ICANON;
export const ECHO = LFLAG.ECHO;
export const ECHOE = 0o20;
export const ECHOK = 0o40;
export const ECHONL = 0o100;
export const NOFLSH = 0o200;
export const TOSTOP = 0o400;
export const ECHOCTL = 0o1000;
export const ECHOKE = 0o4000;
export const IEXTEN = 0o100000;

/** A terminal's settings. */
export interface Termios {
  iflag: number;
  oflag: number;
  cflag: number;
  lflag: number;
  line: number;
  cc: Uint8Array;
}

function controlChars(): Uint8Array {
  const cc = new Uint8Array(NCCS);
  cc[VINTR] = 0x03;
  cc[VQUIT] = 0x1c;
  cc[VERASE] = 0x7f;
  cc[VKILL] = 0x15;
  cc[VEOF] = 0x04;
  cc[VTIME] = 0;
  cc[VMIN] = 1;
  cc[VSTART] = 0x11;
  cc[VSTOP] = 0x13;
  cc[VSUSP] = 0x1a;
  cc[VREPRINT] = 0x12;
  cc[VWERASE] = 0x17;
  cc[VLNEXT] = 0x16;
  return cc;
}

/** What Linux gives a new terminal: line editing, echo, signals, "\n" out as "\r\n". */
export function cookedTermios(): Termios {
  return {
    iflag: ICRNL | IXON | IUTF8,
    oflag: OPOST | ONLCR,
    cflag: B38400 | CS8 | CREAD | HUPCL,
    lflag: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    line: 0,
    cc: controlChars(),
  };
}

/**
 * A line whose host end is not a terminal (a pipe, a file, a test): bytes pass through
 * untouched in both directions, as they would through a pipe — no echo, no editing, no
 * signals from control characters, no "\r" added. A program can still switch it to cooked.
 */
export function transparentTermios(): Termios {
  return { iflag: 0, oflag: 0, cflag: B38400 | CS8 | CREAD, lflag: 0, line: 0, cc: controlChars() };
}

/** Encodes struct termios (TERMIOS_BYTES bytes). */
export function encodeTermios(t: Termios): Uint8Array {
  const out = new Uint8Array(TERMIOS_BYTES);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, t.iflag, true);
  dv.setUint32(4, t.oflag, true);
  dv.setUint32(8, t.cflag, true);
  dv.setUint32(12, t.lflag, true);
  out[16] = t.line;
  out.set(t.cc.subarray(0, NCCS), 17);
  return out;
}

/** Decodes struct termios; undefined if the size is wrong. */
export function decodeTermios(b: Uint8Array): Termios | undefined {
  if (b.length !== TERMIOS_BYTES) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    iflag: dv.getUint32(0, true),
    oflag: dv.getUint32(4, true),
    cflag: dv.getUint32(8, true),
    lflag: dv.getUint32(12, true),
    line: b[16],
    cc: b.slice(17, 17 + NCCS),
  };
}
