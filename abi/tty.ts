/**
 * The terminal protocol: what the kernel asks of the tty driver ("tty") when a process uses a
 * terminal, and the terminal ABI programs see (struct termios, the ioctl numbers, device
 * numbers).
 *
 * Every request names the terminal (its minor number) and the calling process's ids, which
 * the driver needs for job control: it knows each terminal's session and foreground process
 * group, sends SIGINT/SIGQUIT/SIGTSTP to that group when the user types ^C ^\ ^Z, and refuses
 * a background group's reads (SIGTTIN). Data travels in the client's staging region (the
 * kernel or the shell hands it over with `hello`, as to the VFS): a write's bytes are there, and a read
 * fills the slot it names. A read that must wait can be cancelled (CANCEL_LABEL, with its tag):
 * the driver then answers it -EINTR, unless it had already answered with data.
 */

import { bytes, empty, i32, struct, u32, u8, type Value } from "./codec.ts";
import { data } from "./vfs.ts";

/** The endpoint the tty driver serves. */
export const TTY_ENDPOINT = "tty";

/** Terminal minors: the serial lines, and "the caller's controlling terminal" (/dev/tty). */
export const TERM = { TTYS0: 0, TTYS1: 1, CONTROLLING: 0xffff } as const;

/** The calling process, as job control needs it. */
export const caller = struct({ pid: i32, pgid: i32, sid: i32 });
export type Caller = Value<typeof caller>;

/** Bytes of struct termios on rv32 Linux: four u32 flags, c_line, c_cc[19]. */
export const TERMIOS_BYTES = 36;
/** Byte offset of c_lflag in struct termios, and the local-mode bits a shell's editor flips. */
export const TERMIOS_LFLAG = 12;
export const LFLAG = { ISIG: 0o1, ICANON: 0o2, ECHO: 0o10 } as const;
/** Bytes of struct winsize. */
export const WINSIZE_BYTES = 8;

/** The operations. */
export const TTY = {
  /** The staging region comes as handle 0. */
  hello: { label: 1, request: empty, reply: empty },
  /**
   * Opens terminal `term` (CONTROLLING: the caller's); replies its minor. A session leader
   * opening a terminal that has no session makes it its controlling terminal (unless
   * `noctty`).
   */
  open: {
    label: 2,
    request: struct({ term: u32, caller, noctty: u8 }),
    reply: u32,
  },
  /** Reads at most `data.len` bytes into `data`; `nonblock`: EAGAIN rather than wait. */
  read: {
    label: 3,
    request: struct({ term: u32, caller, nonblock: u8, data }),
    reply: u32,
  },
  /** Writes the bytes in `data`; replies how many were taken. */
  write: { label: 4, request: struct({ term: u32, caller, data }), reply: u32 },
  /** A terminal ioctl: its argument bytes in, its result bytes out (termios, winsize, pgrp). */
  ioctl: {
    label: 5,
    request: struct({ term: u32, caller, cmd: u32, arg: bytes(64) }),
    reply: bytes(64),
  },
} as const;

/** Terminal ioctls (asm-generic numbers). */
export const TIOC = {
  TCGETS: 0x5401,
  TCSETS: 0x5402,
  TCSETSW: 0x5403,
  TCSETSF: 0x5404,
  TCFLSH: 0x540b,
  TIOCSCTTY: 0x540e,
  TIOCGPGRP: 0x540f,
  TIOCSPGRP: 0x5410,
  TIOCOUTQ: 0x5411,
  TIOCGWINSZ: 0x5413,
  TIOCSWINSZ: 0x5414,
  FIONREAD: 0x541b,
  TIOCNOTTY: 0x5422,
  TIOCGSID: 0x5429,
} as const;

/** Linux device numbers: major << 8 | minor (minors < 256). */
export function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) | (minor & 0xff);
}
export function major(dev: number): number {
  return (dev >>> 8) & 0xfff;
}
export function minor(dev: number): number {
  return dev & 0xff;
}

/** The majors the kernel's device switch knows. */
export const MAJOR = { MEM: 1, TTYS: 4, TTY: 5, BLOCK: 254 } as const;
/** Minors of MAJOR.MEM (as Linux numbers them). */
export const MEM_MINOR = { NULL: 3, ZERO: 5, FULL: 7, RANDOM: 8, URANDOM: 9 } as const;
/** Minors of MAJOR.TTY: /dev/tty (the controlling terminal) and /dev/console. */
export const TTY_MINOR = { TTY: 0, CONSOLE: 1 } as const;
