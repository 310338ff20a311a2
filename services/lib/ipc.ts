/**
 * The IPC library for TypeScript services: endpoints (register, serve), clients (lookup, call,
 * send), shared regions, notifications and barriers, over either transport (transport.ts).
 *
 *     const ipc = …;                                 // handed to a service's main(ipc)
 *     const server = await ipc.register("echo");
 *     server.serve((req) => req.reply(0, req.payload));
 *
 *     const echo = await ipc.lookup("echo");
 *     const reply = await echo.call(1, bytes, { timeoutMs: 1000 });
 *
 * Calls and replies travel in the channel's shared rings without touching the kernel. Handles
 * named in a message are the sender's; the receiving side has the kernel transfer them into
 * its own table before handing the message over. Bulk data goes in a Region: the message only
 * names it. The library counts the payload bytes it copies (`stats`), which is how the tests
 * prove that region data is never copied.
 */

import { EAGAIN, EBADF, ECONNRESET, EINVAL, EPERM, ETIMEDOUT } from "../../kernel/errno.ts";
import {
  type Attachment,
  BARRIER,
  CTL,
  MSG_HANDLES_MAX,
  MSG_PAYLOAD_MAX,
  REGION_REVOKED,
  RIGHT,
  RING_OPEN,
} from "../../kernel/ipc/protocol.ts";
import { Channel, type Ring } from "../../kernel/ipc/ring.ts";
import { barrierArrive, signalBits, takeBits } from "../../kernel/ipc/sync.ts";
import { check, IpcError } from "./errors.ts";
import type { Transport } from "./transport.ts";
import { waitChange } from "./wait.ts";

const EMPTY = new Uint8Array(0);

/** Options of a call or send. */
export interface SendOptions {
  /** Handles (of this service) to pass; each needs GRANT. */
  handles?: number[];
  /** For call: how long to wait for the reply (default Infinity); ETIMEDOUT after. */
  timeoutMs?: number;
  /** For send: fail with EAGAIN instead of waiting when the queue is full. */
  nonblocking?: boolean;
}

/** A message as the library hands it over. */
export interface Received {
  label: number;
  /** The sending party (set from the channel it came in on: unforgeable). */
  sender: number;
  payload: Uint8Array;
  /** Handles now valid in this service's table. */
  handles: number[];
}

/** Counters (for observability and the zero-copy tests). */
export interface IpcStats {
  calls: number;
  sends: number;
  received: number;
  /** Payload bytes copied into or out of rings (bulk data in regions is never copied). */
  payloadBytesCopied: number;
}

/** A service's view of IPC. */
export class Ipc {
  readonly stats: IpcStats = { calls: 0, sends: 0, received: 0, payloadBytesCopied: 0 };

  /** Whether waits may spin first (not on the kernel's thread). */
  readonly spin: boolean;

  constructor(readonly transport: Transport) {
    this.spin = !transport.inline;
  }

  /** This service's party id. */
  get partyId(): number {
    return this.transport.partyId;
  }

  private async control(op: number, payload: Uint8Array, what: string) {
    const reply = await this.transport.control(op, payload);
    check(reply.label, what);
    return reply;
  }

  /** Serves `name` (EEXIST if someone live serves it already). */
  async register(name: string): Promise<Server> {
    const reply = await this.control(
      CTL.REGISTER,
      new TextEncoder().encode(name),
      `register ${name}`,
    );
    const handle = reply.label;
    const endpoint = await this.transport.attachment(
      (a): a is Extract<Attachment, { type: "endpoint" }> =>
        a.type === "endpoint" && a.handle === handle,
    );
    return new Server(this, handle, new Int32Array(endpoint.doorbell));
  }

  /** A client of `name`, connected to its current server (ENOENT, ENOTCONN otherwise). */
  async lookup(name: string): Promise<Client> {
    const reply = await this.control(CTL.LOOKUP, new TextEncoder().encode(name), `lookup ${name}`);
    return await this.connect(reply.label);
  }

  /** A client of the endpoint behind `handle` (from lookup or received in a message). */
  async connect(handle: number): Promise<Client> {
    const reply = await this.control(CTL.CONNECT, u32s(handle), "connect");
    const channelId = reply.label;
    const a = await this.transport.attachment(
      (a): a is Extract<Attachment, { type: "channel" }> =>
        a.type === "channel" && a.channelId === channelId,
    );
    return new Client(this, handle, channelId, new Channel(a.buffer), new Int32Array(a.doorbell));
  }

  /** A new handle to the same object with at most `rights` (to grant less than one holds). */
  async derive(handle: number, rights: number): Promise<number> {
    return (await this.control(CTL.DERIVE, u32s(handle, rights), "derive")).label;
  }

  async close(handle: number): Promise<void> {
    await this.control(CTL.CLOSE, u32s(handle), "close");
  }

  /** Handles from a message that came in on channel `channelId`, moved into this table. */
  async transfer(channelId: number, handles: number[]): Promise<number[]> {
    if (handles.length === 0) return [];
    const reply = await this.control(
      CTL.TRANSFER,
      u32s(channelId, handles.length, ...handles),
      "transfer",
    );
    const dv = new DataView(reply.payload.buffer, reply.payload.byteOffset);
    return handles.map((_, i) => dv.getInt32(4 * i, true));
  }

  /** A new shared region of `size` bytes. */
  async createRegion(size: number): Promise<Region> {
    const handle = (await this.control(CTL.REGION_CREATE, u32s(size), "region")).label;
    return await this.regionAttachment(handle);
  }

  /** The region behind a handle received in a message. */
  async openRegion(handle: number): Promise<Region> {
    await this.control(CTL.REGION_OPEN, u32s(handle), "open region");
    return await this.regionAttachment(handle);
  }

  private async regionAttachment(handle: number): Promise<Region> {
    const a = await this.transport.attachment(
      (a): a is Extract<Attachment, { type: "region" }> =>
        a.type === "region" && a.handle === handle,
    );
    return new Region(this, handle, a.rights, a.buffer, new Int32Array(a.control));
  }

  /** Revokes a region this service created: every other holder loses it. */
  async revokeRegion(region: Region): Promise<void> {
    await this.control(CTL.REGION_REVOKE, u32s(region.handle), "revoke");
  }

  async createNotification(): Promise<Notification> {
    const handle = (await this.control(CTL.NOTIFICATION_CREATE, EMPTY, "notification")).label;
    return await this.notificationAttachment(handle);
  }

  async openNotification(handle: number): Promise<Notification> {
    await this.control(CTL.NOTIFICATION_OPEN, u32s(handle), "open notification");
    return await this.notificationAttachment(handle);
  }

  private async notificationAttachment(handle: number): Promise<Notification> {
    const a = await this.transport.attachment(
      (a): a is Extract<Attachment, { type: "notification" }> =>
        a.type === "notification" && a.handle === handle,
    );
    return new Notification(handle, new Int32Array(a.buffer), this.spin);
  }

  async createBarrier(parties: number): Promise<Barrier> {
    const handle = (await this.control(CTL.BARRIER_CREATE, u32s(parties), "barrier")).label;
    return await this.barrierAttachment(handle);
  }

  async openBarrier(handle: number): Promise<Barrier> {
    await this.control(CTL.BARRIER_OPEN, u32s(handle), "open barrier");
    return await this.barrierAttachment(handle);
  }

  private async barrierAttachment(handle: number): Promise<Barrier> {
    const a = await this.transport.attachment(
      (a): a is Extract<Attachment, { type: "barrier" }> =>
        a.type === "barrier" && a.handle === handle,
    );
    return new Barrier(handle, a.parties, new Int32Array(a.buffer), this.spin);
  }
}

/** Little-endian u32 fields. */
function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v >>> 0, true));
  return out;
}

function checkOutgoing(payload: Uint8Array, handles: number[]): void {
  if (payload.length > MSG_PAYLOAD_MAX) {
    throw new IpcError(EINVAL, `payload of ${payload.length} bytes exceeds ${MSG_PAYLOAD_MAX}`);
  }
  if (handles.length > MSG_HANDLES_MAX) throw new IpcError(EINVAL, "too many handles");
}

/** Writes to `ring`, waiting while it is full (or EAGAIN); ECONNRESET if it is not open. */
async function push(
  ring: Ring,
  msg: { label: number; tag: number; handles: number[]; payload: Uint8Array },
  sender: number,
  nonblocking: boolean,
  spin: boolean,
): Promise<void> {
  for (;;) {
    if (ring.state !== RING_OPEN) throw new IpcError(ECONNRESET, "peer gone");
    const head = ring.head;
    if (ring.push(msg, sender)) return;
    if (nonblocking) throw new IpcError(EAGAIN, "queue full");
    await waitChange(ring.words, ring.headIndex, head, Infinity, spin);
  }
}

/** A reply to a call: its label is the server's status (0, or a negative errno). */
export type Reply = Received;

/** A connection to an endpoint's server. */
export class Client {
  private nextTag = 1;
  /** Calls waiting for their reply, by tag (resolved with undefined if the server goes). */
  private readonly waiting = new Map<number, (m: Reply | undefined) => void>();
  private pumping = false;

  constructor(
    private readonly ipc: Ipc,
    readonly handle: number,
    readonly channelId: number,
    private readonly channel: Channel,
    private readonly doorbell: Int32Array,
  ) {}

  /** Whether the server is still there. */
  get open(): boolean {
    return this.channel.requests.state === RING_OPEN;
  }

  /** Sends a request and waits for its reply (ETIMEDOUT, ECONNRESET). */
  async call(
    label: number,
    payload: Uint8Array = EMPTY,
    options: SendOptions = {},
  ): Promise<Reply> {
    const handles = options.handles ?? [];
    checkOutgoing(payload, handles);
    const tag = this.nextTag;
    this.nextTag = tag >= 0x7fff_ffff ? 1 : tag + 1;
    const reply = new Promise<Reply | undefined>((resolve) => this.waiting.set(tag, resolve));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await push(
        this.channel.requests,
        { label, tag, handles, payload },
        this.ipc.partyId,
        false,
        this.ipc.spin,
      );
      this.ipc.stats.calls++;
      this.ipc.stats.payloadBytesCopied += payload.length;
      this.ring();
      this.pump();
      const timeoutMs = options.timeoutMs ?? Infinity;
      const expired = new Promise<"timeout">((resolve) => {
        if (timeoutMs !== Infinity) timer = setTimeout(() => resolve("timeout"), timeoutMs);
      });
      const result = await Promise.race([reply, expired]);
      if (result === "timeout") throw new IpcError(ETIMEDOUT, `no reply within ${timeoutMs} ms`);
      if (!result) throw new IpcError(ECONNRESET, "server gone");
      return { ...result, handles: await this.ipc.transfer(this.channelId, result.handles) };
    } finally {
      this.waiting.delete(tag);
      if (timer !== undefined) clearTimeout(timer);
    }
  }

  /** Sends a one-way message (waits while the queue is full, or EAGAIN if nonblocking). */
  async send(label: number, payload: Uint8Array = EMPTY, options: SendOptions = {}): Promise<void> {
    const handles = options.handles ?? [];
    checkOutgoing(payload, handles);
    const ring = this.channel.requests;
    await push(
      ring,
      { label, tag: 0, handles, payload },
      this.ipc.partyId,
      options.nonblocking ?? false,
      this.ipc.spin,
    );
    this.ipc.stats.sends++;
    this.ipc.stats.payloadBytesCopied += payload.length;
    this.ring();
  }

  private ring(): void {
    Atomics.add(this.doorbell, 0, 1);
    Atomics.notify(this.doorbell, 0);
  }

  /** Takes replies off the ring while calls wait for them; tells them if the server goes. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    const ring = this.channel.replies;
    try {
      while (this.waiting.size > 0) {
        const seen = ring.tail;
        for (;;) {
          let m;
          try {
            m = ring.pop();
          } catch {
            continue; // a malformed reply is dropped
          }
          if (!m) break;
          this.ipc.stats.payloadBytesCopied += m.payload.length;
          this.waiting.get(m.tag)?.(m);
          this.waiting.delete(m.tag);
        }
        if (ring.state !== RING_OPEN) {
          for (const resolve of this.waiting.values()) resolve(undefined);
          this.waiting.clear();
          return;
        }
        if (this.waiting.size > 0) {
          await waitChange(ring.words, ring.tailIndex, seen, Infinity, this.ipc.spin);
        }
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** A request received by a server; `reply` answers a call (one-way sends have none). */
export interface Request extends Received {
  /** Whether the sender waits for a reply. */
  readonly isCall: boolean;
  reply(label: number, payload?: Uint8Array, handles?: number[]): Promise<void>;
}

/** An answer to a call, as a handler returns it. */
export interface Answer {
  label: number;
  payload?: Uint8Array;
  handles?: number[];
}

/** Handles one request; what it returns answers a call. */
export type Handler = (req: Request) => Promise<Answer | void> | Answer | void;

interface Accepted {
  channelId: number;
  client: number;
  channel: Channel;
}

/** The serving end of an endpoint. */
export class Server {
  private readonly connections: Accepted[] = [];
  private cursor = 0;
  private closed = false;

  constructor(
    private readonly ipc: Ipc,
    readonly handle: number,
    private readonly doorbell: Int32Array,
  ) {
    this.acceptLoop();
  }

  private async acceptLoop(): Promise<void> {
    while (!this.closed) {
      const a = await this.ipc.transport.attachment(
        (a): a is Extract<Attachment, { type: "accept" }> =>
          a.type === "accept" && a.endpoint === this.handle,
      );
      this.connections.push({
        channelId: a.channelId,
        client: a.client,
        channel: new Channel(a.buffer),
      });
      Atomics.add(this.doorbell, 0, 1); // wake receive() to look at the new connection
      Atomics.notify(this.doorbell, 0);
    }
  }

  /** Connected clients (dead ones are dropped as they are noticed). */
  get clientCount(): number {
    return this.connections.length;
  }

  /**
   * The next request from any client (round-robin), waiting up to `timeoutMs`; ETIMEDOUT.
   * A malformed message is dropped (and, for a call, answered with -EINVAL).
   */
  async receive(timeoutMs = Infinity): Promise<Request> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const seen = Atomics.load(this.doorbell, 0);
      const request = await this.poll();
      if (request) return request;
      const left = end - performance.now();
      if (left <= 0) throw new IpcError(ETIMEDOUT, "no request");
      await waitChange(this.doorbell, 0, seen, left, this.ipc.spin);
    }
  }

  private async poll(): Promise<Request | undefined> {
    for (let n = 0; n < this.connections.length; n++) {
      const i = (this.cursor + n) % this.connections.length;
      const c = this.connections[i];
      if (c.channel.requests.state !== RING_OPEN) {
        this.connections.splice(i, 1);
        n--;
        continue;
      }
      let msg;
      try {
        msg = c.channel.requests.pop();
      } catch {
        continue; // malformed: consumed and dropped
      }
      if (!msg) continue;
      this.cursor = (i + 1) % Math.max(1, this.connections.length);
      this.ipc.stats.received++;
      this.ipc.stats.payloadBytesCopied += msg.payload.length;
      let handles: number[];
      try {
        handles = await this.ipc.transfer(c.channelId, msg.handles);
      } catch (e) {
        if (!(e instanceof IpcError)) throw e;
        if (msg.tag !== 0) await this.answer(c, msg.tag, -e.errno, EMPTY, []);
        continue;
      }
      const tag = msg.tag;
      let answered = false;
      return {
        label: msg.label,
        sender: c.client,
        payload: msg.payload,
        handles,
        isCall: tag !== 0,
        reply: async (label, payload = EMPTY, replyHandles = []) => {
          if (tag === 0) throw new IpcError(EINVAL, "a one-way message has no reply");
          if (answered) throw new IpcError(EINVAL, "already answered");
          answered = true;
          await this.answer(c, tag, label, payload, replyHandles);
        },
      };
    }
    return undefined;
  }

  private async answer(
    c: Accepted,
    tag: number,
    label: number,
    payload: Uint8Array,
    handles: number[],
  ) {
    checkOutgoing(payload, handles);
    try {
      await push(
        c.channel.replies,
        { label, tag, handles, payload },
        this.ipc.partyId,
        false,
        this.ipc.spin,
      );
      this.ipc.stats.payloadBytesCopied += payload.length;
    } catch (e) {
      if (!(e instanceof IpcError && e.errno === ECONNRESET)) throw e; // the caller left
    }
  }

  /**
   * Answers requests with `handler` until `close`: its result is the reply (label and
   * payload) for calls; a thrown IpcError becomes -errno.
   */
  async serve(handler: Handler): Promise<void> {
    while (!this.closed) {
      let req: Request;
      try {
        req = await this.receive(250);
      } catch (e) {
        if (e instanceof IpcError && e.errno === ETIMEDOUT) continue;
        throw e;
      }
      try {
        const out = await handler(req);
        if (req.isCall && out) await req.reply(out.label, out.payload, out.handles);
      } catch (e) {
        if (!(e instanceof IpcError)) throw e;
        if (req.isCall) await req.reply(-e.errno);
      }
    }
  }

  /** Stops `serve`. */
  close(): void {
    this.closed = true;
  }
}

/** Bytes a holder may only read (the type has no way to write them). */
export interface ReadonlyBytes {
  readonly [index: number]: number;
  readonly length: number;
  subarray(begin?: number, end?: number): ReadonlyBytes;
  slice(begin?: number, end?: number): Uint8Array;
}

/**
 * A shared region, as a service sees it. Rights are enforced by this API: without WRITE there
 * is no writable view. Once revoked, every access throws EBADF.
 */
export class Region {
  constructor(
    private readonly ipc: Ipc,
    readonly handle: number,
    readonly rights: number,
    readonly buffer: SharedArrayBuffer,
    private readonly control: Int32Array,
  ) {}

  get size(): number {
    return this.buffer.byteLength;
  }

  get revoked(): boolean {
    return Atomics.load(this.control, REGION_REVOKED) !== 0;
  }

  private check(right: number, what: string): void {
    if (this.revoked) throw new IpcError(EBADF, "region revoked");
    if (!(this.rights & right)) {
      throw new IpcError(EPERM, `no ${what} right on region ${this.handle}`);
    }
  }

  /** The region's bytes, to read (no copy). */
  read(): ReadonlyBytes {
    this.check(RIGHT.READ, "read");
    return new Uint8Array(this.buffer);
  }

  /** The region's bytes, to read and write (no copy). */
  write(): Uint8Array {
    this.check(RIGHT.WRITE, "write");
    return new Uint8Array(this.buffer);
  }

  /** A handle for a peer with at most `rights` (e.g. READ | GRANT for read-only access). */
  grant(rights: number): Promise<number> {
    return this.ipc.derive(this.handle, rights);
  }
}

/** A word of bits that accumulate until taken. */
export class Notification {
  constructor(
    readonly handle: number,
    private readonly word: Int32Array,
    private readonly spin: boolean,
  ) {}

  signal(bits: number): void {
    signalBits(this.word, bits);
  }

  /** The bits set so far (cleared), waiting up to `timeoutMs` for some; ETIMEDOUT. */
  async wait(timeoutMs = Infinity): Promise<number> {
    const end = performance.now() + timeoutMs;
    for (;;) {
      const bits = takeBits(this.word);
      if (bits !== 0) return bits;
      const left = end - performance.now();
      if (left <= 0) throw new IpcError(ETIMEDOUT, "no notification");
      await waitChange(this.word, 0, 0, left, this.spin);
    }
  }
}

/** A rendezvous of `parties` parties. */
export class Barrier {
  constructor(
    readonly handle: number,
    readonly parties: number,
    private readonly words: Int32Array,
    private readonly spin: boolean,
  ) {}

  /** Waits until all parties have arrived; true for the one arrival that completed the round. */
  async wait(): Promise<boolean> {
    const { round, last } = barrierArrive(this.words, this.parties);
    if (last) return true;
    while (Atomics.load(this.words, BARRIER.ROUND) === round) {
      await waitChange(this.words, BARRIER.ROUND, round, Infinity, this.spin);
    }
    return false;
  }
}
