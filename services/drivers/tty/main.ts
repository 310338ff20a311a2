/**
 * The tty driver: terminals on the machine's serial lines, served to the kernel as "tty"
 * (abi/tty.ts). It drives the UARTs itself — registers through the kernel's device access,
 * interrupts as notification bits — and runs a line discipline per terminal (ldisc.ts) with
 * job control (terminal.ts).
 *
 * Configuration (services/deploy.json, filled in at boot): `lines`, the UARTs to drive (their
 * order gives the minors: ttyS0, ttyS1, …); `cooked`, the minors whose far end is a person at a
 * terminal (they start cooked: echo, editing, signals; the others transparent, as for a pipe);
 * `rows` and `cols`, the window size.
 *
 * Requests that wait (a read with no input yet) do not hold the others up: each is answered
 * when it can be, and the kernel may cancel one (CANCEL_LABEL, with its tag).
 */

import { EINTR, EINVAL, ENXIO, EPERM } from "../../../abi/errno.ts";
import { CTL } from "../../../abi/ipc.ts";
import { TERM, TTY, TTY_ENDPOINT } from "../../../abi/tty.ts";
import { CANCEL_LABEL } from "../../../abi/service.ts";
import { decodePayload, encodePayload } from "../../../abi/codec.ts";
import { Device } from "../../lib/device.ts";
import { IpcError } from "../../lib/errors.ts";
import type { Ipc, Notification, Region, Request } from "../../lib/ipc.ts";
import { service } from "../../lib/service.ts";
import { SerialLine } from "./serial.ts";
import { Terminal } from "./terminal.ts";
import { cookedTermios, transparentTermios } from "./termios.ts";

/** Early cancels remembered (the kernel cancels a call once; tags are not reused soon). */
const CANCELLED_EARLY_MAX = 64;

/** Runs the tty driver. */
async function main(ipc: Ipc): Promise<void> {
  const config = ipc.config;
  const lines = Array.isArray(config.lines) ? config.lines : ["uart0"];
  const cooked = new Set<unknown>(Array.isArray(config.cooked) ? config.cooked : []);
  const size = {
    rows: typeof config.rows === "number" ? config.rows : 24,
    cols: typeof config.cols === "number" ? config.cols : 80,
  };
  const notification = await ipc.createNotification();
  const host = {
    signal: async (target: number, signal: number) => {
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setInt32(0, target, true);
      new DataView(payload.buffer).setUint32(4, signal, true);
      await ipc.transport.control(CTL.SIGNAL, payload);
    },
    alive: async (pid: number) => {
      const payload = new Uint8Array(8);
      new DataView(payload.buffer).setInt32(0, -pid, true);
      return (await ipc.transport.control(CTL.SIGNAL, payload)).label === 0;
    },
  };
  const terminals: Terminal[] = [];
  /** Tags the kernel cancelled before their read had started (a cancel overtook its read). */
  const cancelledEarly = new Set<number>();
  for (const [minor, name] of lines.entries()) {
    const line = new SerialLine(await Device.open(ipc, String(name)));
    await line.init();
    await line.device.bindIrq(notification, 1 << minor);
    const termios = cooked.has(minor) ? cookedTermios() : transparentTermios();
    terminals.push(new Terminal(minor, `ttyS${minor}`, line, termios, size, host));
  }
  serveInterrupts(notification, terminals);
  // Look at every line once now: a restarted driver finds input waiting, or a carrier long
  // gone (the host's input ended under the last instance), with no interrupt to say so.
  notification.signal((1 << terminals.length) - 1);
  const server = await ipc.register(TTY_ENDPOINT);
  /**
   * Each client's staging region (the kernel's; the shell's), by its party id. Requests are
   * served concurrently, so one that follows a hello waits for the region it brought.
   */
  const staging = new Map<number, Promise<Region>>();

  const terminal = (term: number, sid: number): Terminal => {
    const t = term === TERM.CONTROLLING
      ? terminals.find((t) => t.session !== 0 && t.session === sid)
      : terminals[term];
    if (!t) throw new IpcError(ENXIO, `no terminal ${term}`);
    return t;
  };
  const slot = async (client: number, at: number, len: number): Promise<Uint8Array> => {
    const region = await staging.get(client);
    if (!region) throw new IpcError(EPERM, "no staging region yet");
    if (at + len > region.size) throw new IpcError(EINVAL, "data outside the staging region");
    return region.write().subarray(at, at + len);
  };

  const handle = async (req: Request): Promise<Uint8Array | "later" | undefined> => {
    switch (req.label) {
      case TTY.hello.label:
        if (req.handles.length !== 1) throw new IpcError(EINVAL, "no staging region");
        staging.set(req.sender, ipc.openRegion(req.handles[0]));
        await staging.get(req.sender);
        return encodePayload(TTY.hello.reply, undefined);
      case TTY.open.label: {
        const { term, caller, noctty } = decodePayload(TTY.open.request, req.payload);
        const t = terminal(term, caller.sid);
        if (!noctty) await t.acquire(caller, false);
        return encodePayload(TTY.open.reply, t.minor);
      }
      case TTY.read.label: {
        const { term, caller, nonblock, data } = decodePayload(TTY.read.request, req.payload);
        const t = terminal(term, caller.sid);
        const into = await slot(req.sender, data.at, data.len);
        // Cancelled while the slot was being found: the read never starts (EINTR).
        if (cancelledEarly.delete(req.tag)) throw new IpcError(EINTR, "cancelled");
        t.read(caller, {
          tag: req.tag,
          max: data.len,
          waiting: () => req.answerable,
          finish: (bytes, errno) => {
            if (bytes) into.set(bytes);
            const reply = bytes ? encodePayload(TTY.read.reply, bytes.length) : undefined;
            req.reply(bytes ? 0 : -(errno ?? EINVAL), reply).catch(() => {});
            if (bytes) refill(t);
          },
        }, nonblock !== 0);
        return "later";
      }
      case TTY.write.label: {
        const { term, caller, data } = decodePayload(TTY.write.request, req.payload);
        const n = await terminal(term, caller.sid).write(
          caller,
          await slot(req.sender, data.at, data.len),
        );
        return encodePayload(TTY.write.reply, n);
      }
      case TTY.ioctl.label: {
        const { term, caller, cmd, arg } = decodePayload(TTY.ioctl.request, req.payload);
        const out = await terminal(term, caller.sid).ioctl(caller, cmd, arg);
        return encodePayload(TTY.ioctl.reply, out);
      }
      case CANCEL_LABEL: {
        const tag = new DataView(req.payload.buffer, req.payload.byteOffset).getUint32(0, true);
        if (!terminals.some((t) => t.cancel(tag))) {
          // Its read may not have started yet (it waits for its slot): it will see this.
          cancelledEarly.add(tag);
          if (cancelledEarly.size > CANCELLED_EARLY_MAX) {
            cancelledEarly.delete(cancelledEarly.values().next().value!);
          }
        }
        return undefined;
      }
      default:
        throw new IpcError(EINVAL, `unknown operation ${req.label}`);
    }
  };

  /** After a read took input, lets the line deliver more if it had been held back. */
  const refill = (t: Terminal) => {
    if (t.ldisc.room > 0) notification.signal(1 << t.minor);
  };

  await server.serveConcurrently(async (req) => {
    try {
      const out = await handle(req);
      return out === "later" ? undefined : { label: 0, payload: out };
    } catch (e) {
      if (e instanceof IpcError) throw e;
      throw new IpcError(errnoOf(e), e instanceof Error ? e.message : String(e));
    }
  });
}

/** Services each terminal's line when its interrupt (or a refill) sets its bit. */
async function serveInterrupts(notification: Notification, terminals: Terminal[]): Promise<void> {
  for (;;) {
    const bits = await notification.wait();
    for (const t of terminals) {
      if (!(bits & (1 << t.minor))) continue;
      const room = t.ldisc.room;
      const { bytes, hungUp } = await t.line.service(room);
      t.input(bytes, hungUp);
      t.line.receiving(t.ldisc.room > 0);
      t.line.device.ack();
    }
  }
}

/** The errno of a failure (a decoding error is EINVAL). */
function errnoOf(e: unknown): number {
  if (e instanceof IpcError) return e.errno;
  if (e && typeof e === "object" && "errno" in e && typeof e.errno === "number") return e.errno;
  return EINVAL;
}

export default service(main, import.meta.main);
