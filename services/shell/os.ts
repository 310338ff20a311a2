/**
 * The shell's two ways into the system, both IPC: its terminal, as a client of the tty driver
 * (abi/tty.ts: reads, writes and ioctls in a staging region of its own, as the session leader
 * of the session the kernel gave it), and its processes, through the kernel's process-spawn
 * control operations (abi/process.ts: a session, jobs, their events, captured output).
 */

import { decodePayload, encodePayload } from "../../abi/codec.ts";
import { E2BIG, EAGAIN, ECONNRESET, EINTR, EIO, ENOTCONN, EPERM } from "../../abi/errno.ts";
import { CTL, SYSINFO } from "../../abi/ipc.ts";
import { JOB_EVENT_BYTES, type JobRequest } from "../../abi/process.ts";
import { type Caller, TIOC, TTY, TTY_ENDPOINT } from "../../abi/tty.ts";
import { IpcError } from "../lib/errors.ts";
import type { Client, Ipc, Notification, Region } from "../lib/ipc.ts";

/** Bytes one terminal read or write moves at most. */
const CHUNK = 4096;
/** The region a job request and captured output travel through. */
const SPAWN_REGION_BYTES = 256 * 1024;

const u32s = (...values: number[]): Uint8Array => {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v >>> 0, true));
  return out;
};

/** The shell's terminal. */
export class TerminalPort {
  /** The process group the terminal was last given (the shell's own: its session id). */
  private foregroundGroup: number;
  /** Set up again after the tty driver restarted (a new instance knows nothing of us). */
  private rejoining: Promise<void> | undefined;

  private constructor(
    private readonly tty: Client,
    private readonly staging: Region,
    readonly term: number,
    readonly caller: Caller,
  ) {
    this.foregroundGroup = caller.pgid;
  }

  /**
   * Opens terminal `term` as the controlling terminal of session `sid`. A session the shell
   * takes over from its last instance may still hold the terminal: then it is left as it is
   * (a foreground job keeps it) and `foreground` says who has it.
   */
  static async open(ipc: Ipc, term: number, sid: number): Promise<TerminalPort> {
    const tty = await ipc.lookup(TTY_ENDPOINT);
    const staging = await ipc.createRegion(2 * CHUNK);
    const t = new TerminalPort(tty, staging, term, { pid: sid, pgid: sid, sid });
    await t.join(false);
    return t;
  }

  /** The group the terminal belongs to now. */
  get foreground(): number {
    return this.foregroundGroup;
  }

  /** hello, open, and the terminal for the session (taken only if it is not ours already). */
  private async join(force: boolean): Promise<void> {
    const handle = await this.staging.grant(0x7f);
    check(await this.tty.call(TTY.hello.label, new Uint8Array(0), { handles: [handle] }), "hello");
    const caller = this.caller;
    check(
      await this.tty.call(
        TTY.open.label,
        encodePayload(TTY.open.request, { term: this.term, caller, noctty: 1 }),
      ),
      "open",
    );
    const owner = force ? -1 : await this.raw(TIOC.TIOCGSID).then(i32, () => -1);
    if (owner === caller.sid) {
      this.foregroundGroup = i32(await this.raw(TIOC.TIOCGPGRP));
      return;
    }
    await this.raw(TIOC.TIOCSCTTY, u32s(1));
    if (this.foregroundGroup !== caller.pgid) {
      await this.raw(TIOC.TIOCSPGRP, u32s(this.foregroundGroup)).catch(() => {
        this.foregroundGroup = caller.pgid;
      });
    }
  }

  /** Runs `op`; if the tty driver was restarted under it, joins the new one and runs it again. */
  private async again<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (e) {
      const lost = e instanceof IpcError &&
        (e.errno === ECONNRESET || e.errno === ENOTCONN || e.errno === EPERM);
      if (!lost) throw e;
      this.rejoining ??= this.waitForTty().then(() => this.join(true)).finally(() => {
        this.rejoining = undefined;
      });
      await this.rejoining;
      return await op();
    }
  }

  /** Waits (bounded) until someone serves the tty endpoint again. */
  private async waitForTty(): Promise<void> {
    const end = performance.now() + 5000;
    for (;;) {
      try {
        await this.tty.reconnect();
        return;
      } catch (e) {
        if (performance.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }

  /**
   * Reads what the terminal has (waits for at least a byte); empty at end of input. The
   * shell reads only when it has the terminal: a read refused as a background one (EINTR: a
   * restarted driver, or a job that left it another group) takes the terminal back first.
   */
  async read(): Promise<Uint8Array> {
    for (let attempt = 0;; attempt++) {
      try {
        return await this.readOnce();
      } catch (e) {
        if (!(e instanceof IpcError && e.errno === EINTR) || attempt >= 3) throw e;
        await this.setForeground(this.caller.pgid);
      }
    }
  }

  private readOnce(): Promise<Uint8Array> {
    return this.again(async () => {
      const reply = await this.tty.call(
        TTY.read.label,
        encodePayload(TTY.read.request, {
          term: this.term,
          caller: this.caller,
          nonblock: 0,
          data: { at: 0, len: CHUNK },
        }),
      );
      const n = decodePayload(TTY.read.reply, check(reply, "read").payload);
      return this.staging.read().slice(0, Math.min(n, CHUNK));
    });
  }

  /** Writes all of `text`. */
  async write(text: string | Uint8Array): Promise<void> {
    let bytes = typeof text === "string" ? new TextEncoder().encode(text) : text;
    while (bytes.length > 0) {
      const n = Math.min(bytes.length, CHUNK);
      const took = await this.again(async () => {
        this.staging.write().set(bytes.subarray(0, n), CHUNK);
        const reply = await this.tty.call(
          TTY.write.label,
          encodePayload(TTY.write.request, {
            term: this.term,
            caller: this.caller,
            data: { at: CHUNK, len: n },
          }),
        );
        return decodePayload(TTY.write.reply, check(reply, "write").payload);
      });
      bytes = bytes.subarray(Math.max(1, Math.min(took, n)));
    }
  }

  /** A terminal ioctl; its result bytes. */
  ioctl(cmd: number, arg: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    return this.again(() => this.raw(cmd, arg));
  }

  private async raw(cmd: number, arg: Uint8Array = new Uint8Array(0)): Promise<Uint8Array> {
    const reply = await this.tty.call(
      TTY.ioctl.label,
      encodePayload(TTY.ioctl.request, { term: this.term, caller: this.caller, cmd, arg }),
    );
    return decodePayload(TTY.ioctl.reply, check(reply, "ioctl").payload);
  }

  /** Gives the terminal to process group `pgid` (the shell's own: its session id). */
  async setForeground(pgid: number): Promise<void> {
    await this.ioctl(TIOC.TIOCSPGRP, u32s(pgid));
    this.foregroundGroup = pgid;
  }
}

function i32(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(0, true);
}

/** What happened to a process of the shell's session. */
export interface JobEvent {
  pid: number;
  kind: number;
  status: number;
}

/** The shell's session: spawning jobs, hearing of them, reading what they print for it. */
export class Processes {
  private constructor(
    private readonly ipc: Ipc,
    readonly sid: number,
    readonly events: Notification,
    private readonly region: Region,
  ) {}

  static async open(ipc: Ipc): Promise<Processes> {
    const events = await ipc.createNotification();
    const sid = result(await ipc.transport.control(CTL.SESSION, u32s(events.handle)), "session");
    const region = await ipc.createRegion(SPAWN_REGION_BYTES);
    return new Processes(ipc, sid, events, region);
  }

  /** Starts a job; its process group and each process's pid. */
  async spawn(job: JobRequest): Promise<{ pgid: number; pids: number[] }> {
    const bytes = new TextEncoder().encode(JSON.stringify(job));
    if (bytes.length > this.region.size) throw new IpcError(E2BIG, "arguments too long");
    this.region.write().set(bytes, 0);
    const reply = await this.ipc.transport.control(
      CTL.SPAWN,
      u32s(this.region.handle, 0, bytes.length),
    );
    const pgid = result(reply, "spawn");
    const dv = new DataView(reply.payload.buffer, reply.payload.byteOffset, reply.payload.length);
    const pids = Array.from(
      { length: reply.payload.length / 4 },
      (_, i) => dv.getInt32(4 * i, true),
    );
    return { pgid, pids };
  }

  /** The next event, or undefined when none is waiting. */
  async nextEvent(): Promise<JobEvent | undefined> {
    const reply = await this.ipc.transport.control(CTL.JOB_EVENT, new Uint8Array(0));
    if (reply.label === -EAGAIN) return undefined;
    result(reply, "job event");
    if (reply.payload.length !== JOB_EVENT_BYTES) throw new IpcError(EIO, "short job event");
    const dv = new DataView(reply.payload.buffer, reply.payload.byteOffset, JOB_EVENT_BYTES);
    return {
      pid: dv.getInt32(0, true),
      kind: dv.getUint32(4, true),
      status: dv.getUint32(8, true),
    };
  }

  /** Takes what job `pgid` printed so far; `ended` once its output is complete. */
  async capture(pgid: number): Promise<{ bytes: Uint8Array; ended: boolean }> {
    const reply = await this.ipc.transport.control(
      CTL.CAPTURE_READ,
      u32s(pgid, this.region.handle, 0, this.region.size),
    );
    const n = result(reply, "capture");
    return { bytes: this.region.read().slice(0, n), ended: reply.payload[0] === 1 };
  }

  /** System table number `index` (SYSTEM_TABLES) as the kernel gives it: JSON text. */
  async table(index: number): Promise<string> {
    const reply = await this.ipc.transport.control(
      CTL.SYSINFO,
      u32s(SYSINFO.TABLE, this.region.handle, 0, this.region.size, index),
    );
    const n = result(reply, "table");
    if (n > this.region.size) throw new IpcError(E2BIG, "table larger than the region");
    return new TextDecoder().decode(this.region.read().slice(0, n));
  }

  /** Sends `signal` to process group `pgid`. */
  async signal(pgid: number, signal: number): Promise<void> {
    const payload = new Uint8Array(8);
    new DataView(payload.buffer).setInt32(0, pgid, true);
    new DataView(payload.buffer).setUint32(4, signal, true);
    result(await this.ipc.transport.control(CTL.SIGNAL, payload), "kill");
  }

  /** The fault tool: SUPERVISE.KILL, CRASH, HANG or RESTART service `name`. */
  async supervise(op: number, name: string): Promise<void> {
    const bytes = new TextEncoder().encode(name);
    const payload = new Uint8Array(4 + bytes.length);
    new DataView(payload.buffer).setUint32(0, op, true);
    payload.set(bytes, 4);
    result(await this.ipc.transport.control(CTL.SUPERVISE, payload), name);
  }

  /** Ends the system with `status`. */
  async poweroff(status: number): Promise<void> {
    result(await this.ipc.transport.control(CTL.POWEROFF, u32s(status)), "poweroff");
  }
}

function check<T extends { label: number }>(reply: T, what: string): T {
  if (reply.label < 0) throw new IpcError(-reply.label, `tty ${what}`);
  return reply;
}

function result(reply: { label: number }, what: string): number {
  if (reply.label < 0) throw new IpcError(-reply.label, what);
  return reply.label;
}
