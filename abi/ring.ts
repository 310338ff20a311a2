/**
 * The one ring implementation: a single-producer single-consumer ring of message slots in
 * shared memory (layout in abi/ipc.ts), and a channel, a request ring and a reply ring in one
 * buffer. The kernel, the service library and the C programs' kernel calls all move messages
 * with this code.
 *
 * Indices are free-running 32-bit counters: the ring holds `tail - head` messages. The
 * producer writes a slot, then publishes it by storing tail (a release); the consumer reads
 * tail (an acquire), reads the slot, then frees it by storing head. Nothing here blocks:
 * waiting is the caller's choice (spin, Atomics.wait, Atomics.waitAsync, a kernel wait queue).
 *
 * Who notifies which word — the rule both sides rely on, and the only one:
 * - a reply ring's **tail**, on every push: a caller sleeps on it for its reply;
 * - a request ring's tail is never notified: a request is announced by the doorbell of the
 *   endpoint (or of the control channel) that the producer rings after pushing, and servers
 *   (and the kernel) sleep on doorbells, not on rings;
 * - **head**, when a pop frees a slot of a full ring: a producer sleeps on head only after it
 *   found the ring full (and its own tail cannot move meanwhile);
 * - **state**: a change of state notifies head and tail both, so every sleeper notices.
 * Besides the notifies, every push, pop and change of state wakes this thread's own waits
 * (wait.ts's `wakeLocal`): the kernel and the in-line services on its thread wake each other
 * directly.
 */

import {
  CHANNEL_BYTES,
  checkLimits,
  type MessageRecord,
  MSG_SIZE,
  type OutgoingMessage,
  type PayloadCopy,
  readRecord,
  RING,
  RING_BYTES,
  RING_OPEN,
  RING_SLOTS,
  sliceCopy,
  writeRecord,
} from "./ipc.ts";
import { wakeLocal } from "./wait.ts";

/** What `push` reports. */
export const PUSHED = 0;
export const FULL = 1;
export const CLOSED = 2;

/** How a thread uses the rings of a channel. */
export interface RingOptions {
  /** Copies payloads out (default: a fresh buffer each). */
  copy?: PayloadCopy;
}

/** One direction of a channel, as this thread sees it. */
export class Ring {
  readonly words: Int32Array;
  /** Word indices, for waiting on them. */
  readonly headIndex: number;
  readonly tailIndex: number;
  readonly stateIndex: number;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;
  private readonly slots: number;
  private readonly copy: PayloadCopy;
  /** The producer's last reading of head: it reads the consumer's word again only when full. */
  private seenHead: number;

  constructor(
    readonly buffer: SharedArrayBuffer,
    readonly byteOffset: number,
    /** Whether a push notifies tail (reply rings: see the rule above). */
    private readonly notifyTail: boolean,
    options: RingOptions = {},
  ) {
    if (byteOffset % 64 !== 0 || byteOffset + RING_BYTES > buffer.byteLength) {
      throw new RangeError("ring outside its buffer");
    }
    this.words = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer);
    this.view = new DataView(buffer);
    this.slots = byteOffset + RING.SLOTS;
    this.headIndex = (byteOffset + RING.HEAD) >> 2;
    this.tailIndex = (byteOffset + RING.TAIL) >> 2;
    this.stateIndex = (byteOffset + RING.STATE) >> 2;
    this.copy = options.copy ?? sliceCopy;
    this.seenHead = Atomics.load(this.words, this.headIndex);
  }

  get state(): number {
    return Atomics.load(this.words, this.stateIndex);
  }

  get open(): boolean {
    return Atomics.load(this.words, this.stateIndex) === RING_OPEN;
  }

  /** Sets the state and wakes anyone waiting on either index (so they notice). */
  setState(state: number): void {
    Atomics.store(this.words, this.stateIndex, state);
    Atomics.notify(this.words, this.headIndex);
    Atomics.notify(this.words, this.tailIndex);
    wakeLocal();
  }

  /** Messages waiting to be read. */
  get size(): number {
    return (Atomics.load(this.words, this.tailIndex) - Atomics.load(this.words, this.headIndex)) |
      0;
  }

  /** Whether a message waits to be read. */
  get pending(): boolean {
    return Atomics.load(this.words, this.headIndex) !== Atomics.load(this.words, this.tailIndex);
  }

  /** The tail as last published (to wait on: it changes when a message arrives). */
  get tail(): number {
    return Atomics.load(this.words, this.tailIndex);
  }

  /** The head as last published (to wait on: it changes when a slot frees). */
  get head(): number {
    return Atomics.load(this.words, this.headIndex);
  }

  /**
   * Writes a message if there is room: PUSHED, FULL, or CLOSED (the ring is not open). A
   * payload or handle list over the limits is a bug of the caller's (MessageError).
   */
  push(
    label: number,
    tag: number,
    handles: readonly number[],
    payload: Uint8Array,
    sender: number,
  ): number {
    checkLimits(payload, handles);
    const w = this.words;
    if (Atomics.load(w, this.stateIndex) !== RING_OPEN) return CLOSED;
    const tail = Atomics.load(w, this.tailIndex);
    if (((tail - this.seenHead) | 0) >= RING_SLOTS) {
      this.seenHead = Atomics.load(w, this.headIndex);
      if (((tail - this.seenHead) | 0) >= RING_SLOTS) return FULL;
    }
    const at = this.slots + (tail & (RING_SLOTS - 1)) * MSG_SIZE;
    writeRecord(this.view, this.bytes, at, label, tag, handles, payload, sender);
    Atomics.store(w, this.tailIndex, (tail + 1) | 0);
    if (this.notifyTail) Atomics.notify(w, this.tailIndex);
    wakeLocal();
    return PUSHED;
  }

  /** `push` of a message object (its sender field ignored); true if it went in. */
  pushMessage(msg: OutgoingMessage, sender: number): boolean {
    return this.push(msg.label, msg.tag, msg.handles, msg.payload, sender) === PUSHED;
  }

  /**
   * Takes the next record: undefined if there is none; one with `malformed` set (its payload
   * and handles not read) if its length or handle count is out of range — consumed either way,
   * so one bad record cannot wedge the ring.
   */
  pop(): MessageRecord | undefined {
    const w = this.words;
    const head = Atomics.load(w, this.headIndex);
    const tail = Atomics.load(w, this.tailIndex);
    if (head === tail) return undefined;
    const at = this.slots + (head & (RING_SLOTS - 1)) * MSG_SIZE;
    const record = readRecord(this.view, this.bytes, at, this.copy);
    Atomics.store(w, this.headIndex, (head + 1) | 0);
    if (((tail - head) | 0) >= RING_SLOTS) Atomics.notify(w, this.headIndex);
    wakeLocal();
    return record;
  }
}

/** A client-server connection: requests flow in `requests`, replies in `replies`. */
export class Channel {
  readonly requests: Ring;
  readonly replies: Ring;

  constructor(readonly buffer: SharedArrayBuffer, options: RingOptions = {}) {
    if (buffer.byteLength < CHANNEL_BYTES) throw new RangeError("channel buffer too small");
    this.requests = new Ring(buffer, 0, false, options);
    this.replies = new Ring(buffer, RING_BYTES, true, options);
  }

  /** A new, open channel buffer. */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(CHANNEL_BYTES);
  }

  /** Sets both rings' state (closed, or the peer died). */
  setState(state: number): void {
    this.requests.setState(state);
    this.replies.setState(state);
  }
}
