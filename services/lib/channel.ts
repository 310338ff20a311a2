/**
 * The library's hot path over the rings of kernel/ipc/ring.ts: writing and reading message
 * records without allocating, and the calling half of a channel (requests out, replies matched
 * to their calls by tag), shared by clients of services and by a worker's control channel.
 *
 * The layout and the rules are ring.ts's (protocol.ts documents them): the producer fills a
 * slot, then publishes it by storing tail; the consumer reads the slot, then frees it by
 * storing head; both stores are notified. What differs is cost: one DataView per ring made
 * once, no DataView or array per message, and payload copies carved out of a per-thread pool
 * rather than each in an ArrayBuffer of its own (allocating an ArrayBuffer costs about half a
 * microsecond in Deno, a third of a round trip).
 */

import { EAGAIN, ECONNRESET, EINVAL, ETIMEDOUT } from "../../kernel/errno.ts";
import {
  MSG,
  MSG_HANDLES_MAX,
  MSG_PAYLOAD_MAX,
  MSG_SIZE,
  RING,
  RING_OPEN,
  RING_SLOTS,
} from "../../kernel/ipc/protocol.ts";
import type { Ring } from "../../kernel/ipc/ring.ts";
import { IpcError } from "./errors.ts";
import { SPIN_MS, spinUntil, startWait, type Waiter, wakeLocal } from "./wait.ts";

/** Bytes of one payload pool; a retained payload keeps at most this much alive. */
const POOL_BYTES = 64 * 1024;
let pool = new Uint8Array(POOL_BYTES);
let poolUsed = 0;

/**
 * `length` (at most MSG_PAYLOAD_MAX) fresh zeroed bytes of this thread's pool, never handed
 * out again: a view, so mind its byteOffset.
 */
export function poolBytes(length: number): Uint8Array {
  if (poolUsed + length > POOL_BYTES) {
    pool = new Uint8Array(POOL_BYTES);
    poolUsed = 0;
  }
  const out = pool.subarray(poolUsed, poolUsed + length);
  poolUsed = (poolUsed + length + 7) & ~7;
  return out;
}

/** A copy of `length` bytes of `src` from `start`, in this thread's pool. */
export function copyPayload(src: Uint8Array, start: number, length: number): Uint8Array {
  const out = poolBytes(length);
  out.set(src.subarray(start, start + length));
  return out;
}

/** A message read off a ring. `payload` is a copy (a view into a shared pool: mind byteOffset). */
export interface RingMessage {
  label: number;
  sender: number;
  tag: number;
  handles: number[];
  payload: Uint8Array;
}

/** What `RingPort.push` reports. */
export const PUSHED = 0;
export const FULL = 1;
export const CLOSED = 2;

const NO_HANDLES: readonly number[] = Object.freeze([]);

/**
 * One ring, read or written by this thread. Two notifications are left out, both only ever
 * awaited by nobody: tail is not notified when `notifyTail` is false (requests: servers and
 * the kernel wait on the endpoint's doorbell instead), and head only when the pop makes room
 * in a ring that was full (a producer waits for head only after finding the ring full, and
 * its tail cannot move while it waits). As producer, the port remembers the last head it read
 * and reads the consumer's word again only when that one says the ring is full.
 */
export class RingPort {
  readonly words: Int32Array;
  readonly headIndex: number;
  readonly tailIndex: number;
  readonly stateIndex: number;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly slots: number;
  private seenHead: number;

  constructor(readonly ring: Ring, private readonly notifyTail = true) {
    this.words = ring.words;
    this.headIndex = ring.headIndex;
    this.tailIndex = ring.tailIndex;
    this.stateIndex = ring.stateIndex;
    this.bytes = new Uint8Array(ring.buffer);
    this.view = new DataView(ring.buffer);
    this.slots = ring.byteOffset + RING.SLOTS;
    this.seenHead = Atomics.load(this.words, this.headIndex);
  }

  get open(): boolean {
    return Atomics.load(this.words, this.stateIndex) === RING_OPEN;
  }

  get head(): number {
    return Atomics.load(this.words, this.headIndex);
  }

  get tail(): number {
    return Atomics.load(this.words, this.tailIndex);
  }

  /** Whether a message waits to be read. */
  get pending(): boolean {
    return Atomics.load(this.words, this.headIndex) !== Atomics.load(this.words, this.tailIndex);
  }

  /**
   * Writes a message if there is room: PUSHED, FULL, or CLOSED (the ring is not open). The
   * payload and handles must have been checked against the limits.
   */
  push(
    label: number,
    tag: number,
    handles: readonly number[],
    payload: Uint8Array,
    sender: number,
  ): number {
    const w = this.words;
    if (Atomics.load(w, this.stateIndex) !== RING_OPEN) return CLOSED;
    const tail = Atomics.load(w, this.tailIndex);
    if (((tail - this.seenHead) | 0) >= RING_SLOTS) {
      this.seenHead = Atomics.load(w, this.headIndex);
      if (((tail - this.seenHead) | 0) >= RING_SLOTS) return FULL;
    }
    const at = this.slots + (tail & (RING_SLOTS - 1)) * MSG_SIZE;
    const v = this.view;
    v.setInt32(at + MSG.LABEL, label, true);
    v.setUint16(at + MSG.LENGTH, payload.length, true);
    v.setUint16(at + MSG.NHANDLES, handles.length, true);
    v.setInt32(at + MSG.SENDER, sender, true);
    v.setUint32(at + MSG.TAG, tag, true);
    for (let i = 0; i < MSG_HANDLES_MAX; i++) {
      v.setInt32(at + MSG.HANDLES + 4 * i, i < handles.length ? handles[i] : 0, true);
    }
    if (payload.length > 0) this.bytes.set(payload, at + MSG.PAYLOAD);
    Atomics.store(w, this.tailIndex, (tail + 1) | 0);
    if (this.notifyTail) Atomics.notify(w, this.tailIndex);
    wakeLocal();
    return PUSHED;
  }

  /**
   * Takes the next message: undefined if there is none; a record with `malformed` set (and
   * only its label and tag read) if its length or handle count is out of range — it is
   * consumed either way, so one bad record cannot wedge the ring.
   */
  pop(): (RingMessage & { malformed: boolean }) | undefined {
    const w = this.words;
    const head = Atomics.load(w, this.headIndex);
    const tail = Atomics.load(w, this.tailIndex);
    if (head === tail) return undefined;
    const at = this.slots + (head & (RING_SLOTS - 1)) * MSG_SIZE;
    const v = this.view;
    const length = v.getUint16(at + MSG.LENGTH, true);
    const nhandles = v.getUint16(at + MSG.NHANDLES, true);
    const malformed = length > MSG_PAYLOAD_MAX || nhandles > MSG_HANDLES_MAX;
    let handles = NO_HANDLES as number[];
    if (!malformed && nhandles > 0) {
      handles = [];
      for (let i = 0; i < nhandles; i++) handles.push(v.getInt32(at + MSG.HANDLES + 4 * i, true));
    }
    const record = {
      label: v.getInt32(at + MSG.LABEL, true),
      sender: v.getInt32(at + MSG.SENDER, true),
      tag: v.getUint32(at + MSG.TAG, true),
      handles,
      payload: copyPayload(this.bytes, at + MSG.PAYLOAD, malformed ? 0 : length),
      malformed,
    };
    Atomics.store(w, this.headIndex, (head + 1) | 0);
    if (((tail - head) | 0) >= RING_SLOTS) Atomics.notify(w, this.headIndex);
    wakeLocal();
    return record;
  }
}

/** Checks what a message would carry against the limits (EINVAL). */
export function checkOutgoing(payload: Uint8Array, handles: readonly number[]): void {
  if (payload.length > MSG_PAYLOAD_MAX) {
    throw new IpcError(EINVAL, `payload of ${payload.length} bytes exceeds ${MSG_PAYLOAD_MAX}`);
  }
  if (handles.length > MSG_HANDLES_MAX) throw new IpcError(EINVAL, "too many handles");
}

/**
 * Writes to `port`, waiting while it is full (EAGAIN instead if `nonblocking`); ECONNRESET if
 * the ring is (or becomes) not open.
 */
export async function pushWaiting(
  port: RingPort,
  label: number,
  tag: number,
  handles: readonly number[],
  payload: Uint8Array,
  sender: number,
  nonblocking: boolean,
  spin: boolean,
): Promise<void> {
  for (;;) {
    const head = port.head;
    const r = port.push(label, tag, handles, payload, sender);
    if (r === PUSHED) return;
    if (r === CLOSED) throw new IpcError(ECONNRESET, "peer gone");
    if (nonblocking) throw new IpcError(EAGAIN, "queue full");
    if (
      spin &&
      spinUntil(port.words, port.headIndex, head, port.stateIndex, RING_OPEN, endOfSpin())
    ) continue;
    await startWait(port.words, port.headIndex, head, Infinity, spin, port.stateIndex, RING_OPEN)
      .promise;
  }
}

function endOfSpin(): number {
  return performance.now() + SPIN_MS;
}

/** A call waiting for its reply on the slow path. */
interface Pending {
  reply: RingMessage | undefined;
  error: IpcError | undefined;
  waiter: Waiter | undefined;
}

/** Counts kept by whoever owns a Caller. */
export interface CallerStats {
  /** Payload bytes copied out of replies. */
  payloadBytesCopied: number;
  /** Malformed replies dropped. */
  rejected: number;
}

/**
 * The calling end of a channel: pushes requests, rings the doorbell, and collects each call's
 * reply by tag. Every call is known by its tag from before its request goes out until it
 * ends, so whoever drains the reply ring can hand each reply to its call. A call alone on its
 * channel spins for its reply (in a worker) and takes it synchronously; concurrent calls each
 * wait, and the one that drains hands the others theirs. A reply nobody waits for (its call
 * timed out) is dropped when drained.
 */
export class Caller {
  readonly requests: RingPort;
  readonly replies: RingPort;
  private nextTag = 1;
  private readonly waiting = new Map<number, Pending>();
  /** Calls asleep waiting for a reply (while one sleeps, the others do not spin either). */
  private asleep = 0;
  /** Pushes waiting for room, and the promise the last of them settles. */
  private queued = 0;
  private queueTail: Promise<void> = Promise.resolve();

  constructor(
    /** The connection's id (what TRANSFER names); 0 for the control channel. */
    readonly channelId: number,
    requests: Ring,
    replies: Ring,
    private readonly doorbell: Int32Array,
    private readonly sender: number,
    private readonly spin: boolean,
    private readonly stats: CallerStats,
  ) {
    this.requests = new RingPort(requests, false);
    this.replies = new RingPort(replies);
  }

  /** Whether both rings are open. */
  get open(): boolean {
    return this.requests.open && this.replies.open;
  }

  /** A new tag (never 0, which marks one-way sends). */
  private tag(): number {
    const t = this.nextTag;
    this.nextTag = t >= 0x7fff_ffff ? 1 : t + 1;
    return t;
  }

  /** Publishes the requests written so far to the server. */
  ring(): void {
    Atomics.add(this.doorbell, 0, 1);
    Atomics.notify(this.doorbell, 0);
    wakeLocal();
  }

  /**
   * Pushes a one-way message (tag 0): at once if there is room (undefined), else a promise
   * that waits for room (EAGAIN instead if `nonblocking`). ECONNRESET if the peer is gone.
   */
  send(
    label: number,
    payload: Uint8Array,
    handles: readonly number[],
    nonblocking: boolean,
  ): Promise<void> | undefined {
    if (this.tryPush(label, 0, handles, payload)) return undefined;
    if (nonblocking) throw new IpcError(EAGAIN, "queue full");
    return this.pushInOrder(label, 0, handles, payload);
  }

  /**
   * Sends a request; its reply (any label: the caller interprets it) comes at once when the
   * call could spin for it, else as a promise. ETIMEDOUT after `timeoutMs`, ECONNRESET if the
   * peer goes, EINVAL for a malformed reply.
   */
  call(
    label: number,
    payload: Uint8Array,
    handles: readonly number[],
    timeoutMs: number,
  ): RingMessage | Promise<RingMessage> {
    const tag = this.tag();
    const me: Pending = { reply: undefined, error: undefined, waiter: undefined };
    this.waiting.set(tag, me);
    let pushed;
    try {
      pushed = this.tryPush(label, tag, handles, payload);
    } catch (e) {
      this.waiting.delete(tag);
      throw e;
    }
    if (!pushed) {
      return this.pushInOrder(label, tag, handles, payload).then(
        () => this.awaitReply(tag, me, timeoutMs),
        (e) => {
          this.waiting.delete(tag);
          throw e;
        },
      );
    }
    return this.awaitReply(tag, me, timeoutMs);
  }

  /**
   * Pushes and rings if nothing waits for room before us and there is room now; ECONNRESET if
   * the ring is closed.
   */
  private tryPush(
    label: number,
    tag: number,
    handles: readonly number[],
    payload: Uint8Array,
  ): boolean {
    if (this.queued > 0) {
      if (!this.requests.open) throw new IpcError(ECONNRESET, "peer gone");
      return false;
    }
    const r = this.requests.push(label, tag, handles, payload, this.sender);
    if (r === CLOSED) throw new IpcError(ECONNRESET, "peer gone");
    if (r === FULL) return false;
    this.ring();
    return true;
  }

  /**
   * Pushes behind every push already waiting for room, so that requests keep the order in
   * which they were made, however the waiters happen to wake.
   */
  private async pushInOrder(
    label: number,
    tag: number,
    handles: readonly number[],
    payload: Uint8Array,
  ): Promise<void> {
    const before = this.queueTail;
    let done = () => {};
    this.queueTail = new Promise<void>((resolve) => (done = resolve));
    this.queued++;
    try {
      await before;
      await pushWaiting(this.requests, label, tag, handles, payload, this.sender, false, this.spin);
      this.ring();
    } finally {
      this.queued--;
      done();
    }
  }

  /**
   * The reply to `tag` (whose request is out): spun for when no other call is outstanding (in
   * a worker), else waited for.
   */
  private awaitReply(
    tag: number,
    me: Pending,
    timeoutMs: number,
  ): RingMessage | Promise<RingMessage> {
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    if (this.waiting.size === 1 && this.spin) {
      const replies = this.replies;
      const until = Math.min(deadline, endOfSpin());
      for (;;) {
        const seen = replies.tail;
        this.drain();
        if (me.reply !== undefined || me.error !== undefined) {
          this.waiting.delete(tag);
          if (me.error) throw me.error;
          return me.reply!;
        }
        if (
          !replies.open ||
          !spinUntil(replies.words, replies.tailIndex, seen, replies.stateIndex, RING_OPEN, until)
        ) break;
      }
    }
    return this.waitForReply(tag, me, deadline);
  }

  private async waitForReply(tag: number, me: Pending, deadline: number): Promise<RingMessage> {
    const replies = this.replies;
    try {
      for (;;) {
        const seen = replies.tail;
        this.drain();
        if (me.error) throw me.error;
        if (me.reply) return me.reply;
        if (!replies.open) throw new IpcError(ECONNRESET, "peer gone");
        const now = performance.now();
        if (now >= deadline) throw new IpcError(ETIMEDOUT, "no reply in time");
        if (
          this.spin && this.asleep === 0 &&
          spinUntil(
            replies.words,
            replies.tailIndex,
            seen,
            replies.stateIndex,
            RING_OPEN,
            Math.min(deadline, now + SPIN_MS),
          )
        ) continue;
        const left = deadline === Infinity ? Infinity : deadline - performance.now();
        me.waiter = startWait(
          replies.words,
          replies.tailIndex,
          seen,
          left,
          this.spin,
          replies.stateIndex,
          RING_OPEN,
        );
        this.asleep++;
        await me.waiter.promise;
        this.asleep--;
        me.waiter = undefined;
      }
    } finally {
      this.waiting.delete(tag);
    }
  }

  /** Takes every reply off the ring and hands each to its call (or drops it). */
  private drain(): void {
    for (let m = this.replies.pop(); m !== undefined; m = this.replies.pop()) {
      const owner = this.waiting.get(m.tag);
      if (m.malformed) {
        this.stats.rejected++;
        if (owner) owner.error = new IpcError(EINVAL, "malformed reply");
      } else {
        this.stats.payloadBytesCopied += m.payload.length;
        if (owner) owner.reply = m;
      }
      owner?.waiter?.settle("changed");
    }
  }
}
