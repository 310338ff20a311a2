/**
 * The control operations a service asks of the kernel (CTL in abi/ipc.ts): decoding the
 * request, checking it, running it on the IPC manager, encoding the reply. Used for worker
 * services (requests arrive on their control channel) and in-line ones (called directly).
 * Nothing a service sends can make this throw: a malformed request gets -EINVAL and is counted
 * in `ipc.rejected`; any other exception is a kernel bug, contained like a system call's (the
 * service gets -EIO, the kernel counts and logs it).
 */

import { EINVAL, EIO, SyscallError } from "../errno.ts";
import type { IpcManager } from "./manager.ts";
import type { Party } from "./objects.ts";
import { CTL, type Message, MSG_HANDLES_MAX } from "../../abi/ipc.ts";

/** Runs one control request for `party`; returns the reply (same tag). */
export function executeControl(ipc: IpcManager, party: Party, request: Message): Message {
  const reply = (label: number, payload: Uint8Array = new Uint8Array(0)): Message => ({
    label,
    sender: 0,
    tag: request.tag,
    handles: [],
    payload,
  });
  try {
    const { result, payload } = run(ipc, party, request);
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
  ipc: IpcManager,
  party: Party,
  request: Message,
): { result: number; payload?: Uint8Array } {
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
    default:
      throw new Malformed(`unknown control operation ${request.label}`);
  }
}

function decodeName(decode: () => string): string {
  try {
    return decode();
  } catch {
    throw new Malformed("name is not UTF-8");
  }
}
