/**
 * Character devices: what opening a device node gives. The device switch maps a node's major
 * number to a kind of file:
 *
 * - MAJOR.TTYS / MAJOR.TTY: terminals, served by the tty driver (a service). The kernel
 *   forwards reads, writes and ioctls with the caller's process ids (job control is the
 *   driver's); a read that waits for input is interruptible (the driver is asked to cancel it).
 * - MAJOR.MEM: null, zero, full, random, urandom. These touch no hardware and hold no state, so
 *   they live in the kernel, as Linux's drivers/char/mem.c does; a service round trip for
 *   every write to /dev/null would cost without protecting anything.
 */

import { ACCESS_WRITE } from "../machine/mmu.ts";
import { decodePayload, encodePayload, type Operation } from "../abi/codec.ts";
import { type Data, STAGING_SLOT_BYTES } from "../abi/vfs.ts";
import {
  type Caller,
  MAJOR,
  makedev,
  MEM_MINOR,
  minor,
  TERM,
  TERMIOS_BYTES,
  TIOC,
  TTY,
  TTY_ENDPOINT,
  TTY_MINOR,
  WINSIZE_BYTES,
} from "../abi/tty.ts";
import { EINVAL, EIO, ENOSPC, ENXIO, EPERM, SyscallError } from "./errno.ts";
import { anonymousStat, type FileStat, OpenFile, S_IFCHR } from "./file.ts";
import type { Stage } from "./ipc/kernel_client.ts";
import type { Kernel } from "./kernel.ts";
import type { Process } from "./proc.ts";
import { BLOCKED, type SyscallResult } from "./wait.ts";

/** The calling process's ids, as the tty driver needs them. */
export function callerOf(p: Process): Caller {
  return { pid: p.pid, pgid: p.group.pgid, sid: p.group.sid };
}

/** The kernel's client of the tty driver. */
export class TtyClient {
  constructor(private readonly k: Kernel) {
    k.client.greet(TTY_ENDPOINT, {
      label: TTY.hello.label,
      payload: () => new Uint8Array(0),
      accepted: () => {},
    });
  }

  /** One tty operation for `p`: the decoded reply and the staging slot, or BLOCKED. */
  call<Req, Rep>(
    p: Process,
    op: Operation<Req, Rep>,
    request: (data: Data) => Req,
    options: { stage?: Stage; interruptible?: boolean } = {},
  ): { value: Rep; slot: Uint8Array } | typeof BLOCKED {
    const r = this.k.client.call(
      p,
      TTY_ENDPOINT,
      op.label,
      (data) => encodePayload(op.request, request(data)),
      options,
    );
    if (r === BLOCKED) return BLOCKED;
    if (r.reply.label < 0) throw new SyscallError(-r.reply.label, `tty: error ${-r.reply.label}`);
    try {
      return { value: decodePayload(op.reply, r.reply.payload), slot: r.slot };
    } catch {
      throw new SyscallError(EIO, "tty: malformed reply");
    }
  }

  /** Opens terminal `term` for `p`: its minor, or BLOCKED. */
  open(p: Process, term: number, noctty: boolean): number | typeof BLOCKED {
    const r = this.call(p, TTY.open, () => ({ term, caller: callerOf(p), noctty: noctty ? 1 : 0 }));
    return r === BLOCKED ? BLOCKED : r.value;
  }
}

/** Bytes an ioctl reads from (in) and writes to (out) the user's argument. */
const IOCTL_ARGS: Record<number, { in: number; out: number; byValue?: boolean }> = {
  [TIOC.TCGETS]: { in: 0, out: TERMIOS_BYTES },
  [TIOC.TCSETS]: { in: TERMIOS_BYTES, out: 0 },
  [TIOC.TCSETSW]: { in: TERMIOS_BYTES, out: 0 },
  [TIOC.TCSETSF]: { in: TERMIOS_BYTES, out: 0 },
  [TIOC.TIOCGWINSZ]: { in: 0, out: WINSIZE_BYTES },
  [TIOC.TIOCSWINSZ]: { in: WINSIZE_BYTES, out: 0 },
  [TIOC.TIOCGPGRP]: { in: 0, out: 4 },
  [TIOC.TIOCSPGRP]: { in: 4, out: 0 },
  [TIOC.TIOCGSID]: { in: 0, out: 4 },
  [TIOC.FIONREAD]: { in: 0, out: 4 },
  [TIOC.TIOCOUTQ]: { in: 0, out: 4 },
  [TIOC.TCFLSH]: { in: 4, out: 0, byValue: true },
  [TIOC.TIOCSCTTY]: { in: 4, out: 0, byValue: true },
  [TIOC.TIOCNOTTY]: { in: 0, out: 0 },
};

/** A terminal: the tty driver's terminal `term`. */
export class TtyFile extends OpenFile {
  constructor(
    private readonly tty: TtyClient,
    readonly term: number,
    flags: number,
    private readonly attr: FileStat,
    private readonly name: string,
  ) {
    super(flags);
  }

  override read(_k: Kernel, p: Process, buf: number, count: number): SyscallResult {
    const n = Math.min(count >>> 0, STAGING_SLOT_BYTES);
    if (n === 0) return 0;
    p.as.checkAccess(buf, n, ACCESS_WRITE);
    const r = this.tty.call(
      p,
      TTY.read,
      (data) => ({
        term: this.term,
        caller: callerOf(p),
        nonblock: this.nonblocking ? 1 : 0,
        data,
      }),
      { stage: { bytes: n }, interruptible: true },
    );
    if (r === BLOCKED) return BLOCKED;
    const got = r.value;
    if (got > n) throw new SyscallError(EIO, "tty: read overflowed its buffer");
    p.as.copyOut(buf, r.slot.subarray(0, got));
    return got;
  }

  override write(_k: Kernel, p: Process, buf: number, count: number): SyscallResult {
    const total = count >>> 0;
    let done = p.syscallProgress;
    while (done < total) {
      const n = Math.min(total - done, STAGING_SLOT_BYTES);
      const from = buf + done;
      const r = this.tty.call(
        p,
        TTY.write,
        (data) => ({ term: this.term, caller: callerOf(p), data }),
        { stage: { bytes: n, fill: (slot) => p.as.copyInto(from, slot) } },
      );
      if (r === BLOCKED) {
        p.syscallProgress = done;
        return BLOCKED;
      }
      done += Math.min(r.value, n);
      if (r.value < n) break;
    }
    return done;
  }

  override ioctl(k: Kernel, p: Process, cmd: number, argPtr: number): SyscallResult {
    const shape = IOCTL_ARGS[cmd >>> 0];
    if (!shape) return super.ioctl(k, p, cmd, argPtr);
    let arg: Uint8Array = new Uint8Array(0);
    if (shape.byValue) {
      arg = new Uint8Array(4);
      new DataView(arg.buffer).setInt32(0, argPtr, true);
    } else if (shape.in > 0) {
      arg = p.as.copyIn(argPtr, shape.in);
    }
    if (shape.out > 0) p.as.checkAccess(argPtr, shape.out, ACCESS_WRITE);
    if (cmd === TIOC.TIOCSPGRP && !p.restarting) {
      const pgrp = new DataView(arg.buffer).getInt32(0, true);
      if (pgrp <= 0) throw new SyscallError(EINVAL);
      if (!k.groupExists(pgrp, p.group.sid)) throw new SyscallError(EPERM);
    }
    const r = this.tty.call(p, TTY.ioctl, () => ({
      term: this.term,
      caller: callerOf(p),
      cmd: cmd >>> 0,
      arg,
    }));
    if (r === BLOCKED) return BLOCKED;
    if (shape.out > 0) {
      if (r.value.length !== shape.out) throw new SyscallError(EIO, "tty: ioctl reply size");
      p.as.copyOut(argPtr, r.value);
    }
    return 0;
  }

  override stat(): FileStat {
    return this.attr;
  }

  describe(): string {
    return this.name;
  }
}

/** /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom. */
export class MemFile extends OpenFile {
  constructor(readonly minorNumber: number, flags: number, private readonly attr: FileStat) {
    super(flags);
  }

  override read(_k: Kernel, p: Process, buf: number, count: number): SyscallResult {
    if (this.minorNumber === MEM_MINOR.NULL) return 0;
    const n = Math.min(count >>> 0, STAGING_SLOT_BYTES);
    const out = new Uint8Array(n);
    if (this.minorNumber === MEM_MINOR.RANDOM || this.minorNumber === MEM_MINOR.URANDOM) {
      for (let at = 0; at < n; at += 65536) crypto.getRandomValues(out.subarray(at, at + 65536));
    }
    p.as.copyOut(buf, out);
    return n;
  }

  override write(_k: Kernel, p: Process, buf: number, count: number): SyscallResult {
    if (this.minorNumber === MEM_MINOR.FULL) throw new SyscallError(ENOSPC);
    p.as.checkAccess(buf, count >>> 0, 0);
    return count >>> 0;
  }

  override seek(): SyscallResult {
    return 0;
  }

  override stat(): FileStat {
    return this.attr;
  }

  describe(): string {
    return NAMES[this.minorNumber] ?? `mem:${this.minorNumber}`;
  }
}

const NAMES: Record<number, string> = {
  [MEM_MINOR.NULL]: "/dev/null",
  [MEM_MINOR.ZERO]: "/dev/zero",
  [MEM_MINOR.FULL]: "/dev/full",
  [MEM_MINOR.RANDOM]: "/dev/random",
  [MEM_MINOR.URANDOM]: "/dev/urandom",
};

/** The terminal a device number names (for the tty driver's `open`). */
export function terminalOf(rdev: number): number {
  const maj = rdev >>> 8;
  if (maj === MAJOR.TTYS) return minor(rdev) - 64;
  if (maj === MAJOR.TTY && minor(rdev) === TTY_MINOR.TTY) return TERM.CONTROLLING;
  if (maj === MAJOR.TTY && minor(rdev) === TTY_MINOR.CONSOLE) return TERM.TTYS0;
  throw new SyscallError(ENXIO, `no terminal ${maj}:${minor(rdev)}`);
}

/** The device number of serial terminal `term` (ttyS0 is 4:64, as on Linux). */
export function ttysDev(term: number): number {
  return makedev(MAJOR.TTYS, 64 + term);
}

/** A stat for a device the kernel opened itself (init's console). */
export function deviceStat(rdev: number): FileStat {
  return anonymousStat(S_IFCHR | 0o620, 0, rdev);
}
