/**
 * A single-producer single-consumer ring of message slots in shared memory (layout in
 * protocol.ts), and a channel: a request ring and a reply ring in one buffer.
 *
 * Indices are free-running 32-bit counters: the ring holds `tail - head` messages. The
 * producer writes a slot, then publishes it by storing tail (a release); the consumer reads
 * tail (an acquire), reads the slot, then frees it by storing head. Both indices are notified
 * on change, so either side can sleep on the other's word. Nothing here blocks: waiting is the
 * caller's choice (spin, Atomics.wait, Atomics.waitAsync, or the kernel's wait queues).
 */

import {
  CHANNEL_BYTES,
  decodeMessage,
  encodeMessage,
  type Message,
  MSG,
  MSG_SIZE,
  type OutgoingMessage,
  RING,
  RING_BYTES,
  RING_OPEN,
  RING_SLOTS,
} from "./protocol.ts";

const MASK = RING_SLOTS - 1;

/** One direction of a channel. */
export class Ring {
  readonly words: Int32Array;
  readonly bytes: Uint8Array;
  /** Word indices, for waiting on them. */
  readonly headIndex: number;
  readonly tailIndex: number;
  readonly stateIndex: number;

  constructor(readonly buffer: SharedArrayBuffer, readonly byteOffset: number) {
    if (byteOffset % 64 !== 0 || byteOffset + RING_BYTES > buffer.byteLength) {
      throw new RangeError("ring outside its buffer");
    }
    this.words = new Int32Array(buffer);
    this.bytes = new Uint8Array(buffer, byteOffset, RING_BYTES);
    this.headIndex = (byteOffset + RING.HEAD) >> 2;
    this.tailIndex = (byteOffset + RING.TAIL) >> 2;
    this.stateIndex = (byteOffset + RING.STATE) >> 2;
  }

  get state(): number {
    return Atomics.load(this.words, this.stateIndex);
  }

  /** Sets the state and wakes anyone waiting on either index (so they notice). */
  setState(state: number): void {
    Atomics.store(this.words, this.stateIndex, state);
    Atomics.notify(this.words, this.headIndex);
    Atomics.notify(this.words, this.tailIndex);
  }

  /** Messages waiting to be read. */
  get size(): number {
    return (Atomics.load(this.words, this.tailIndex) - Atomics.load(this.words, this.headIndex)) |
      0;
  }

  /** The tail as last published (to wait on: it changes when a message arrives). */
  get tail(): number {
    return Atomics.load(this.words, this.tailIndex);
  }

  /** The head as last published (to wait on: it changes when a slot frees). */
  get head(): number {
    return Atomics.load(this.words, this.headIndex);
  }

  /** Writes `msg` if there is room; false if the ring is full or not open. */
  push(msg: OutgoingMessage, sender: number): boolean {
    if (this.state !== RING_OPEN) return false;
    const tail = Atomics.load(this.words, this.tailIndex);
    if (((tail - Atomics.load(this.words, this.headIndex)) | 0) >= RING_SLOTS) return false;
    const slot = this.slot(tail);
    encodeMessage(slot, msg);
    new DataView(slot.buffer, slot.byteOffset, MSG_SIZE).setInt32(MSG.SENDER, sender, true);
    Atomics.store(this.words, this.tailIndex, (tail + 1) | 0);
    Atomics.notify(this.words, this.tailIndex);
    return true;
  }

  /**
   * Takes the next message if there is one (undefined if empty). A malformed record is
   * consumed and thrown as MessageError, so one bad message cannot wedge the ring.
   */
  pop(): Message | undefined {
    const head = Atomics.load(this.words, this.headIndex);
    if (head === Atomics.load(this.words, this.tailIndex)) return undefined;
    const slot = this.slot(head);
    try {
      return decodeMessage(slot);
    } finally {
      Atomics.store(this.words, this.headIndex, (head + 1) | 0);
      Atomics.notify(this.words, this.headIndex);
    }
  }

  /** The raw record of the next message, without consuming it (for zero-copy readers). */
  peekSlot(): Uint8Array | undefined {
    const head = Atomics.load(this.words, this.headIndex);
    if (head === Atomics.load(this.words, this.tailIndex)) return undefined;
    return this.slot(head);
  }

  private slot(index: number): Uint8Array {
    const at = RING.SLOTS + (index & MASK) * MSG_SIZE;
    return this.bytes.subarray(at, at + MSG_SIZE);
  }
}

/** A client-server connection: requests flow in `requests`, replies in `replies`. */
export class Channel {
  readonly requests: Ring;
  readonly replies: Ring;

  constructor(readonly buffer: SharedArrayBuffer) {
    if (buffer.byteLength < CHANNEL_BYTES) throw new RangeError("channel buffer too small");
    this.requests = new Ring(buffer, 0);
    this.replies = new Ring(buffer, RING_BYTES);
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
