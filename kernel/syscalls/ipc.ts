/**
 * IPC system calls for RISC-V programs (numbers in abi/ipc.ts, from 0x1000; C header in
 * userland/include/denix_ipc.h). The kernel acts for the process on the connection's rings:
 * it writes requests and replies there and reads them back, so a process can be a client and
 * a server, of other processes and of TypeScript services alike.
 *
 * Messages are 256-byte records in user memory, validated on the way in (EINVAL for a
 * malformed one, EFAULT for a bad pointer); the handles one names must be the sender's to
 * grant (EBADF, EPERM), and ones a service put in a ring that cannot be moved get the call
 * refused with -errno rather than delivered. Timeouts are in milliseconds; -1 waits forever.
 * A call whose server dies returns ECONNRESET at once, unless the reply was already sent; one
 * that times out returns ETIMEDOUT and its late reply is dropped. Every wait also watches the
 * shared word a service would change (ring indices, doorbells), since services touch rings
 * without the kernel.
 */

import { Clock } from "../../machine/clock.ts";
import { ACCESS_WRITE } from "../../machine/mmu.ts";
import {
  EAGAIN,
  EBADF,
  ECONNRESET,
  EINVAL,
  EMFILE,
  EPERM,
  ETIMEDOUT,
  SyscallError,
} from "../errno.ts";
import type { Barrier, Connection, Endpoint, Notification, Party, Region } from "../ipc/objects.ts";
import {
  BARRIER,
  decodeMessage,
  encodeMessage,
  type Message,
  MessageError,
  MSG_SIZE,
  NAME_MAX,
  RIGHT,
  RING_OPEN,
  SEND_NONBLOCK,
  TIMEOUT_INFINITE,
} from "../../abi/ipc.ts";
import { takeBits } from "../../abi/sync.ts";
import type { Kernel, SyscallResult } from "../kernel.ts";
import type { Process } from "../proc.ts";
import { boundedDeadline, type WaitQueue } from "../wait.ts";
import type { SyscallArgs } from "./numbers.ts";

/** Most calls a process server may hold unanswered. */
const TOKENS_MAX = 1024;

function party(k: Kernel, p: Process): Party {
  return k.ipc.processParty(p.group);
}

function readName(p: Process, ptr: number, len: number): string {
  if (len <= 0 || len > NAME_MAX) throw new SyscallError(EINVAL, "bad name length");
  return new TextDecoder().decode(p.as.copyIn(ptr, len));
}

function readMessage(p: Process, ptr: number): Message {
  try {
    return decodeMessage(p.as.copyIn(ptr, MSG_SIZE));
  } catch (e) {
    if (e instanceof MessageError) throw new SyscallError(EINVAL, e.message);
    throw e;
  }
}

/**
 * Checks that `me` may pass every handle named in an outgoing message: each must be live
 * (EBADF) and carry GRANT (EPERM). The receiving side moves them into its table only when it
 * takes the message, so a bad one is refused here, where the sender can be told.
 */
function checkGrantable(me: Party, handles: number[]): void {
  for (const h of handles) {
    const { object, rights } = me.handles.entry(h);
    if (!object.alive) throw new SyscallError(EBADF, `handle ${h} is dead`);
    if (!(rights & RIGHT.GRANT)) throw new SyscallError(EPERM, `handle ${h} not grantable`);
  }
}

function writeMessage(p: Process, ptr: number, msg: Message): void {
  const out = new Uint8Array(MSG_SIZE);
  encodeMessage(out, msg);
  p.as.copyOut(ptr, out);
}

/** The deadline for `timeoutMs` from now (Infinity for -1), set on a call's first run. */
function deadline(k: Kernel, p: Process, timeoutMs: number): number {
  if (!p.restarting) {
    if (timeoutMs < TIMEOUT_INFINITE) throw new SyscallError(EINVAL, "bad timeout");
    p.syscallDeadline = timeoutMs === TIMEOUT_INFINITE
      ? Infinity
      : boundedDeadline(k.mtime() + Clock.msToTicks(timeoutMs));
  }
  return p.syscallDeadline;
}

/** Sleeps `p` on `q` until `until`, also watching a shared word a service may change. */
function sleep(
  k: Kernel,
  p: Process,
  queue: WaitQueue,
  until: number,
  watch?: { words: Int32Array; index: number; value: number },
): SyscallResult {
  if (p.restarting && p.wakeReason === "timeout") throw new SyscallError(ETIMEDOUT);
  return k.block(p, "BLOCKED", [queue], until, { watch });
}

export function sysIpcRegister(k: Kernel, p: Process, a: SyscallArgs): number {
  return k.ipc.register(party(k, p), readName(p, a[0], a[1]));
}

export function sysIpcLookup(k: Kernel, p: Process, a: SyscallArgs): number {
  return k.ipc.lookup(party(k, p), readName(p, a[0], a[1]));
}

/** Takes the reply tagged `tag` off `conn`, keeping others' and dropping abandoned ones. */
function takeReply(conn: Connection, tag: number): Message | undefined {
  const kept = conn.replies.get(tag);
  if (kept) {
    conn.replies.delete(tag);
    return kept;
  }
  for (;;) {
    const m = conn.channel.replies.pop();
    if (m?.malformed) continue; // a garbage reply is dropped
    if (!m || m.tag === tag) return m;
    if (conn.waiting.has(m.tag)) conn.replies.set(m.tag, m);
  }
}

/**
 * Forgets the wait a signal ended early (a call, whose late reply is then dropped, or a
 * barrier round): ipcTag is left set when a blocked call returns EINTR.
 */
function forgetAbandoned(p: Process): void {
  p.ipcConnection?.waiting.delete(p.ipcTag);
  p.ipcTag = 0;
  p.ipcConnection = undefined;
}

/** ipc_call(handle, msg, reply, timeout_ms): sends a request and waits for its reply. */
export function sysIpcCall(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [handle, msgPtr, replyPtr, timeoutMs] = a;
  const me = party(k, p);
  const until = deadline(k, p, timeoutMs);
  if (!p.restarting) forgetAbandoned(p);
  if (p.ipcTag === 0) {
    if (p.restarting && p.wakeReason === "timeout") throw new SyscallError(ETIMEDOUT);
    const conn = k.ipc.processConnection(me, handle);
    const msg = readMessage(p, msgPtr);
    checkGrantable(me, msg.handles);
    p.as.checkAccess(replyPtr, MSG_SIZE, ACCESS_WRITE);
    const ring = conn.channel.requests;
    const head = ring.head; // read before trying: a slot freed after the try wakes us
    const tag = conn.tag();
    if (!ring.pushMessage({ ...msg, tag }, me.id)) {
      if (ring.state !== RING_OPEN) throw new SyscallError(ECONNRESET);
      return sleep(k, p, conn.spaceWaiters, until, {
        words: ring.words,
        index: ring.headIndex,
        value: head,
      });
    }
    k.ipc.ring(conn);
    conn.waiting.add(tag);
    p.ipcTag = tag;
    p.ipcConnection = conn;
  }
  const conn = p.ipcConnection!;
  const tag = p.ipcTag;
  const tail = conn.channel.replies.tail; // read before looking: a later reply wakes us
  const reply = takeReply(conn, tag); // first: the server may have replied, then died
  if (reply) {
    conn.waiting.delete(tag);
    p.ipcTag = 0;
    p.ipcConnection = undefined;
    const handles = k.ipc.transfer(me, conn, reply.handles);
    writeMessage(p, replyPtr, { ...reply, sender: conn.server.id, handles });
    return 0;
  }
  if (conn.channel.replies.state !== RING_OPEN) {
    conn.waiting.delete(tag);
    p.ipcTag = 0;
    p.ipcConnection = undefined;
    throw new SyscallError(ECONNRESET, "the server went away");
  }
  if (p.restarting && p.wakeReason === "timeout") {
    conn.waiting.delete(tag);
    p.ipcTag = 0;
    p.ipcConnection = undefined;
    throw new SyscallError(ETIMEDOUT);
  }
  const ring = conn.channel.replies;
  return sleep(k, p, conn.replyWaiters, until, {
    words: ring.words,
    index: ring.tailIndex,
    value: tail,
  });
}

/**
 * ipc_send(handle, msg, flags): queues a one-way message; while the queue is full it waits
 * (watching the ring too: a service frees slots without the kernel), or with SEND_NONBLOCK
 * fails with EAGAIN.
 */
export function sysIpcSend(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [handle, msgPtr, flags] = a;
  const me = party(k, p);
  const conn = k.ipc.processConnection(me, handle);
  const msg = readMessage(p, msgPtr);
  checkGrantable(me, msg.handles);
  const ring = conn.channel.requests;
  const head = ring.head;
  if (ring.pushMessage({ ...msg, tag: 0 }, me.id)) {
    k.ipc.ring(conn);
    return 0;
  }
  if (ring.state !== RING_OPEN) throw new SyscallError(ECONNRESET);
  if (flags & SEND_NONBLOCK) throw new SyscallError(EAGAIN, "queue full");
  return sleep(k, p, conn.spaceWaiters, Infinity, {
    words: ring.words,
    index: ring.headIndex,
    value: head,
  });
}

/**
 * ipc_receive(handle, msg, timeout_ms): the next request to an endpoint this process serves.
 * Returns a reply token for a call (> 0), or 0 for a one-way message.
 */
export function sysIpcReceive(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [handle, msgPtr, timeoutMs] = a;
  const me = party(k, p);
  const { object: ep } = me.handles.get<Endpoint>(handle, "endpoint", RIGHT.RECEIVE);
  if (ep.server !== me) throw new SyscallError(EPERM, "not the endpoint's server");
  const until = deadline(k, p, timeoutMs);
  p.as.checkAccess(msgPtr, MSG_SIZE, ACCESS_WRITE);
  if (me.replyTokens.size >= TOKENS_MAX) {
    throw new SyscallError(EMFILE, "too many calls unanswered");
  }
  const bell = Atomics.load(ep.doorbell, 0);
  const conns = [...ep.connections];
  for (let n = 0; n < conns.length; n++) {
    const conn = conns[(ep.cursor + n) % conns.length];
    const msg = conn.channel.requests.pop();
    if (!msg) continue;
    if (msg.malformed) {
      k.ipc.rejected++;
      n--; // look at the same connection again
      continue;
    }
    k.wake(conn.spaceWaiters);
    let handles: number[];
    try {
      handles = k.ipc.transfer(me, conn, msg.handles);
    } catch (e) {
      if (!(e instanceof SyscallError)) throw e;
      refuse(k, me, conn, msg, e.errno);
      n--;
      continue;
    }
    ep.cursor = (ep.cursor + n + 1) % conns.length;
    let token = 0;
    if (msg.tag !== 0) {
      token = me.nextToken++;
      me.replyTokens.set(token, { conn, tag: msg.tag });
    }
    writeMessage(p, msgPtr, { ...msg, sender: conn.client.id, handles });
    return token;
  }
  return sleep(k, p, ep.receivers, until, { words: ep.doorbell, index: 0, value: bell });
}

/**
 * Drops a request whose handles could not be moved (a service sender put a bad one in the
 * ring itself), answering a call with -errno so its caller does not wait forever.
 */
function refuse(k: Kernel, me: Party, conn: Connection, msg: Message, errno: number): void {
  k.ipc.rejected++;
  if (msg.tag === 0) return;
  const refusal = { label: -errno, tag: msg.tag, handles: [], payload: new Uint8Array(0) };
  if (conn.channel.replies.pushMessage(refusal, me.id)) k.wake(conn.replyWaiters);
}

/** ipc_reply(token, msg): answers a call received with ipc_receive. */
export function sysIpcReply(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [token, msgPtr] = a;
  const me = party(k, p);
  const pending = me.replyTokens.get(token);
  if (!pending) throw new SyscallError(EINVAL, `no call with token ${token}`);
  const msg = readMessage(p, msgPtr);
  checkGrantable(me, msg.handles);
  const { conn, tag } = pending;
  const ring = conn.channel.replies;
  if (ring.state !== RING_OPEN) {
    me.replyTokens.delete(token);
    throw new SyscallError(ECONNRESET, "the caller went away");
  }
  const head = ring.head;
  if (!ring.pushMessage({ ...msg, tag }, me.id)) {
    return sleep(k, p, conn.spaceWaiters, Infinity, {
      words: ring.words,
      index: ring.headIndex,
      value: head,
    });
  }
  me.replyTokens.delete(token);
  k.wake(conn.replyWaiters);
  return 0;
}

export function sysIpcClose(k: Kernel, p: Process, a: SyscallArgs): number {
  k.ipc.close(party(k, p), a[0]);
  return 0;
}

export function sysIpcDerive(k: Kernel, p: Process, a: SyscallArgs): number {
  return k.ipc.derive(party(k, p), a[0], a[1]);
}

export function sysRegionCreate(k: Kernel, p: Process, a: SyscallArgs): number {
  return k.ipc.regionCreate(party(k, p), a[0] >>> 0);
}

/** region_map(handle, prot): maps the whole region; returns its address. */
export function sysRegionMap(k: Kernel, p: Process, a: SyscallArgs): number {
  const [handle, prot] = a;
  const writable = (prot & 2) !== 0;
  const need = RIGHT.READ | (writable ? RIGHT.WRITE : 0);
  const { object } = party(k, p).handles.get<Region>(handle, "region", need);
  return k.mapRegion(p, object, writable);
}

export function sysRegionSize(k: Kernel, p: Process, a: SyscallArgs): number {
  return party(k, p).handles.get<Region>(a[0], "region", 0).object.size;
}

export function sysRegionRevoke(k: Kernel, p: Process, a: SyscallArgs): number {
  k.ipc.regionRevoke(party(k, p), a[0]);
  return 0;
}

export function sysNotificationCreate(k: Kernel, p: Process): number {
  return k.ipc.notificationCreate(party(k, p));
}

export function sysNotify(k: Kernel, p: Process, a: SyscallArgs): number {
  k.ipc.notify(party(k, p), a[0], a[1]);
  return 0;
}

/** notification_wait(handle, timeout_ms): takes the bits set so far, waiting for some. */
export function sysNotificationWait(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [handle, timeoutMs] = a;
  const { object } = party(k, p).handles.get<Notification>(handle, "notification", RIGHT.WAIT);
  const until = deadline(k, p, timeoutMs);
  const bits = takeBits(object.word);
  if (bits !== 0) return bits;
  return sleep(k, p, object.waiters, until, { words: object.word, index: 0, value: 0 });
}

export function sysBarrierCreate(k: Kernel, p: Process, a: SyscallArgs): number {
  return k.ipc.barrierCreate(party(k, p), a[0]);
}

/**
 * barrier_wait(handle, timeout_ms): returns 1 to the arrival that completes the round, 0 to
 * the others once it is complete. A timed-out arrival still counts.
 */
export function sysBarrierWait(k: Kernel, p: Process, a: SyscallArgs): SyscallResult {
  const [handle, timeoutMs] = a;
  const { object } = party(k, p).handles.get<Barrier>(handle, "barrier", RIGHT.WAIT);
  const until = deadline(k, p, timeoutMs);
  if (!p.restarting) {
    forgetAbandoned(p);
    const { round, last } = k.ipc.barrierArrive(object);
    if (last) return 1;
    p.ipcTag = round + 1; // remembered as "waiting for the round after `round`"
  }
  const round = p.ipcTag - 1;
  if (Atomics.load(object.words, BARRIER.ROUND) !== round) {
    p.ipcTag = 0;
    return 0;
  }
  return sleep(k, p, object.waiters, until, {
    words: object.words,
    index: BARRIER.ROUND,
    value: round,
  });
}
