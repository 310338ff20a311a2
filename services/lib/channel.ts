/**
 * The library's hot path over the ABI's rings (abi/ring.ts): how its rings copy payloads and
 * wake this thread, pushing while a ring is full, and the calling half of a channel (requests
 * out, replies matched to their calls by tag), shared by clients of services and by a worker's
 * control channel.
 *
 * Payload copies are carved out of a per-thread pool rather than each in an ArrayBuffer of
 * its own (allocating an ArrayBuffer costs about half a microsecond in Deno, a third of a
 * round trip).
 */

import { EAGAIN, ECONNRESET, EINVAL, ETIMEDOUT } from "../../abi/errno.ts";
import { checkLimits, MessageError, type MessageRecord, RING_OPEN } from "../../abi/ipc.ts";
import { CLOSED, FULL, PUSHED, type Ring, type RingOptions } from "../../abi/ring.ts";
import { IpcError } from "./errors.ts";
import { ringDoorbell, SPIN_MS, spinUntil, startWait, type Waiter } from "../../abi/wait.ts";

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

/** How the library's rings copy payloads: into the pool. */
export const LIBRARY_RINGS: RingOptions = { copy: copyPayload };

/** Checks what a message would carry against the limits (EINVAL). */
export function checkOutgoing(payload: Uint8Array, handles: readonly number[]): void {
  try {
    checkLimits(payload, handles);
  } catch (e) {
    if (e instanceof MessageError) throw new IpcError(EINVAL, e.message);
    throw e;
  }
}

/**
 * Writes to `port`, waiting while it is full (EAGAIN instead if `nonblocking`); ECONNRESET if
 * the ring is (or becomes) not open.
 */
export async function pushWaiting(
  port: Ring,
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
  reply: MessageRecord | undefined;
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
    readonly requests: Ring,
    readonly replies: Ring,
    private readonly doorbell: Int32Array,
    private readonly sender: number,
    private readonly spin: boolean,
    private readonly stats: CallerStats,
  ) {
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
    ringDoorbell(this.doorbell);
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
  ): MessageRecord | Promise<MessageRecord> {
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
  ): MessageRecord | Promise<MessageRecord> {
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

  private async waitForReply(tag: number, me: Pending, deadline: number): Promise<MessageRecord> {
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
