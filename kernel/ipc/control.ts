/**
 * The control operations a service asks of the kernel (CTL in abi/ipc.ts): decoding the
 * request, checking it, running it (on the IPC manager, the device table, or the kernel for
 * the privileged operations), encoding the reply. Used for worker services (requests arrive on
 * their control channel) and in-line ones (called directly).
 * Nothing a service sends can make this throw: a malformed request gets -EINVAL and is counted
 * in `ipc.rejected`; any other exception is a kernel bug, contained like a system call's (the
 * service gets -EIO, the kernel counts and logs it).
 */

import { EAGAIN, EINVAL, EIO, EOPNOTSUPP, EPERM, ESRCH, SyscallError } from "../errno.ts";
import type { DeviceTable } from "./devices.ts";
import type { IpcManager } from "./manager.ts";
import type { Party } from "./objects.ts";
import type { Launcher } from "../launcher.ts";
import type { Supervisor } from "../supervisor.ts";
import type { ServiceHost } from "./service_host.ts";
import { CTL, type Message, MSG_HANDLES_MAX, SUPERVISE } from "../../abi/ipc.ts";

/** What the control operations act on. */
export interface ControlHost {
  ipc: IpcManager;
  devices: DeviceTable;
  /** Sends `signal` to process group `target` (or process -target): privilege "signal". */
  signal(party: Party, target: number, signal: number): void;
  /**
   * Writes one of the kernel's tables (SYSINFO kind) as text into region `region` at
   * `offset`, at most `max` bytes; returns the bytes written (privilege "sysinfo").
   */
  sysinfo(
    party: Party,
    kind: number,
    args: number[],
    region: number,
    offset: number,
    max: number,
  ): number;
  /** Adds a line to the kernel's log. */
  log(party: Party, line: string): void;
  /** Sessions and jobs of services that spawn processes (privilege "spawn"). */
  launcher: Launcher;
  /** Ends the system with `status` (privilege "power"). */
  poweroff(party: Party, status: number): void;
  /** The services' supervisor: the fault tool's kill, crash, hang, restart. */
  supervisor: Supervisor;
  /** The services running now. */
  services: ServiceHost;
}

/** Runs one control request for `party`; returns the reply (same tag). */
export function executeControl(host: ControlHost, party: Party, request: Message): Message {
  const ipc = host.ipc;
  const reply = (label: number, payload: Uint8Array = new Uint8Array(0)): Message => ({
    label,
    sender: 0,
    tag: request.tag,
    handles: [],
    payload,
  });
  try {
    const { result, payload } = run(host, party, request);
    return reply(result, payload);
  } catch (e) {
    if (e instanceof Malformed) ipc.rejected++;
    if (e instanceof SyscallError) return reply(-e.errno);
    ipc.kernelBug(`control operation ${request.label} of ${party.name}`, e);
    return reply(-EIO);
  }
}

/** A request that is garbage (unknown operation, undecodable name): EINVAL, and counted. */
class Malformed extends SyscallError {
  constructor(detail: string) {
    super(EINVAL, detail);
  }
}

function run(
  host: ControlHost,
  party: Party,
  request: Message,
): { result: number; payload?: Uint8Array } {
  const ipc = host.ipc;
  const devices = host.devices;
  const p = request.payload;
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const u32 = (at: number) => {
    if (at + 4 > p.byteLength) throw new Malformed("payload too short for its operation");
    return dv.getUint32(at, true);
  };
  const name = () => new TextDecoder("utf-8", { fatal: true }).decode(p);
  switch (request.label) {
    case CTL.REGISTER:
      return { result: ipc.register(party, decodeName(name)) };
    case CTL.LOOKUP:
      return { result: ipc.lookup(party, decodeName(name)) };
    case CTL.CONNECT:
      return { result: ipc.connect(party, u32(0)).id };
    case CTL.CLOSE:
      ipc.close(party, u32(0));
      return { result: 0 };
    case CTL.DERIVE:
      return { result: ipc.derive(party, u32(0), u32(4)) };
    case CTL.TRANSFER: {
      const count = u32(4);
      if (count > MSG_HANDLES_MAX) throw new Malformed("too many handles");
      const conn = ipc.connectionOf(party, u32(0));
      const handles = Array.from({ length: count }, (_, i) => u32(8 + 4 * i) | 0);
      const moved = ipc.transfer(party, conn, handles);
      const out = new Uint8Array(4 * moved.length);
      moved.forEach((h, i) => new DataView(out.buffer).setInt32(4 * i, h, true));
      return { result: 0, payload: out };
    }
    case CTL.REGION_CREATE:
      return { result: ipc.regionCreate(party, u32(0)) };
    case CTL.REGION_OPEN:
      return { result: ipc.regionOpen(party, u32(0)) };
    case CTL.REGION_REVOKE:
      ipc.regionRevoke(party, u32(0));
      return { result: 0 };
    case CTL.NOTIFICATION_CREATE:
      return { result: ipc.notificationCreate(party) };
    case CTL.NOTIFICATION_OPEN:
      ipc.notificationOpen(party, u32(0));
      return { result: 0 };
    case CTL.BARRIER_CREATE:
      return { result: ipc.barrierCreate(party, u32(0)) };
    case CTL.BARRIER_OPEN:
      return { result: ipc.barrierOpen(party, u32(0)) };
    case CTL.DEVICE_OPEN:
      return { result: devices.open(party, decodeName(name)) };
    case CTL.MMIO_READ: {
      const value = devices.read(party, u32(0), u32(4), u32(8));
      const out = new Uint8Array(4);
      new DataView(out.buffer).setUint32(0, value, true);
      return { result: 0, payload: out };
    }
    case CTL.MMIO_WRITE:
      devices.write(party, u32(0), u32(4), u32(8), u32(12));
      return { result: 0 };
    case CTL.MMIO_WRITE_BYTES:
      devices.writeBytes(party, u32(0), u32(4), p.subarray(8));
      return { result: 0 };
    case CTL.MMIO_READ_BYTES: {
      const bytes = devices.readBytes(party, u32(0), u32(4), u32(8), u32(12), u32(16));
      return { result: bytes.length, payload: bytes };
    }
    case CTL.IRQ_BIND:
      devices.bind(party, u32(0), u32(4), u32(8));
      return { result: 0 };
    case CTL.IRQ_ACK:
      devices.ack(party, u32(0));
      return { result: 0 };
    case CTL.DMA_MAP:
      return { result: devices.dmaMap(party, u32(0), u32(4)) };
    case CTL.SIGNAL:
      privileged(party, "signal");
      host.signal(party, u32(0) | 0, u32(4));
      return { result: 0 };
    case CTL.SYSINFO: {
      privileged(party, "sysinfo");
      const args = [];
      for (let at = 16; at + 4 <= p.byteLength; at += 4) args.push(u32(at));
      return { result: host.sysinfo(party, u32(0), args, u32(4), u32(8), u32(12)) };
    }
    case CTL.LOG:
      host.log(party, decodeName(name));
      return { result: 0 };
    case CTL.SESSION:
      privileged(party, "spawn");
      return { result: host.launcher.session(party, u32(0)) };
    case CTL.SPAWN: {
      privileged(party, "spawn");
      const [pgid, ...pids] = host.launcher.spawn(party, u32(0), u32(4), u32(8));
      const out = new Uint8Array(4 * pids.length);
      pids.forEach((pid, i) => new DataView(out.buffer).setInt32(4 * i, pid, true));
      return { result: pgid, payload: out };
    }
    case CTL.JOB_EVENT: {
      privileged(party, "spawn");
      const event = host.launcher.nextEvent(party);
      if (!event) throw new SyscallError(EAGAIN, "no event");
      return { result: 0, payload: event };
    }
    case CTL.CAPTURE_READ: {
      privileged(party, "spawn");
      const { count, ended } = host.launcher.readCapture(party, u32(0), u32(4), u32(8), u32(12));
      return { result: count, payload: new Uint8Array([ended ? 1 : 0]) };
    }
    case CTL.SUPERVISE: {
      privileged(party, "supervise");
      const op = u32(0);
      const target = decodeName(() =>
        new TextDecoder("utf-8", { fatal: true }).decode(p.subarray(4))
      );
      const sv = host.supervisor;
      let done: boolean;
      if (op === SUPERVISE.KILL) done = sv.kill(target);
      else if (op === SUPERVISE.RESTART) done = sv.restart(target);
      else if (op === SUPERVISE.CRASH || op === SUPERVISE.HANG) {
        if (!host.services.running.has(target)) {
          throw new SyscallError(ESRCH, `${target} is not running`);
        }
        done = sv.fault(target, op === SUPERVISE.CRASH ? "crash" : "hang");
        if (!done) throw new SyscallError(EOPNOTSUPP, `${target} cannot hang alone (in-line)`);
      } else throw new Malformed(`unknown supervise operation ${op}`);
      if (!done) throw new SyscallError(ESRCH, `${target} is not running`);
      return { result: 0 };
    }
    case CTL.POWEROFF:
      privileged(party, "power");
      host.poweroff(party, u32(0));
      return { result: 0 };
    default:
      throw new Malformed(`unknown control operation ${request.label}`);
  }
}

function privileged(party: Party, privilege: string): void {
  if (!party.grants.privileges.includes(privilege)) {
    throw new SyscallError(EPERM, `${party.name} lacks the ${privilege} privilege`);
  }
}

function decodeName(decode: () => string): string {
  try {
    return decode();
  } catch {
    throw new Malformed("name is not UTF-8");
  }
}
