/**
 * The IPC library for TypeScript services: endpoints (register, serve), clients (lookup, call,
 * send), shared regions, notifications and barriers, over either transport (transport.ts).
 *
 *     const ipc = …;                                 // handed to a service's main(ipc)
 *     const server = await ipc.register("echo");
 *     server.serve((req) => ({ label: 0, payload: req.payload }));
 *
 *     const echo = await ipc.lookup("echo");
 *     const reply = await echo.call(1, bytes, { timeoutMs: 1000 });
 *
 * Calls and replies travel in the channel's shared rings without touching the kernel
 * (channel.ts is the hot path; wait.ts how a party waits). Handles named in a message are the
 * sender's; the receiving side has the kernel transfer them into its own table before handing
 * the message over. Bulk data goes in a Region: the message only names it. The library counts
 * the payload bytes it copies (`stats`), which is how the tests prove that region data is
 * never copied.
 *
 * Servers that go away. A call in flight when its server dies fails with ECONNRESET: it is
 * never retried, since the request may or may not have been carried out. The next call or send
 * on the same Client connects again to whoever serves the name by then (ENOTCONN if nobody
 * does yet), so a client outlives restarts of its server without looking the name up again.
 */

import { EBADF, ECONNRESET, EINVAL, EPERM, ETIMEDOUT } from "../../abi/errno.ts";
import {
  type Attachment,
  BARRIER,
  CTL,
  MSG_PAYLOAD_MAX,
  REGION_REVOKED,
  RIGHT,
} from "../../abi/ipc.ts";
import { Channel, CLOSED, FULL, type Ring } from "../../abi/ring.ts";
import { barrierArrive, signalBits, takeBits } from "../../abi/sync.ts";
import { Caller, checkOutgoing, LIBRARY_RINGS, pushWaiting } from "./channel.ts";
import { check, IpcError } from "./errors.ts";
import type { Transport } from "./transport.ts";
import type { ServiceConfig } from "../../abi/service.ts";
import {
  ringDoorbell,
  SPIN_MS,
  spinThenWait,
  spinUntil,
  startWait,
  type Waiter,
} from "../../abi/wait.ts";

const EMPTY = new Uint8Array(0);
const NO_HANDLES: readonly number[] = Object.freeze([]);

/** Options of a call or send. */
export interface SendOptions {
  /** Handles (of this service) to pass; each needs GRANT. */
  handles?: number[];
  /** For call: how long to wait for the reply (default Infinity); ETIMEDOUT after. */
  timeoutMs?: number;
  /** For send: fail with EAGAIN instead of waiting when the queue is full. */
  nonblocking?: boolean;
}

const NO_OPTIONS: SendOptions = Object.freeze({});

/** A message as the library hands it over. */
export interface Received {
  label: number;
  /** The sending party (set from the channel it came in on: unforgeable). */
  sender: number;
  /** A copy of the payload: a view into a shared pool, so mind its byteOffset. */
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
  /** Malformed messages dropped (requests are answered -EINVAL when they are calls). */
  rejected: number;
}

/** A service's view of IPC. */
export class Ipc {
  readonly stats: IpcStats = {
    calls: 0,
    sends: 0,
    received: 0,
    payloadBytesCopied: 0,
    rejected: 0,
  };

  /** Whether waits may spin first (not on the kernel's thread). */
  readonly spin: boolean;
  private readonly servers = new Set<Server>();
  private stopped = false;

  /** Waits on notifications and barriers in progress (abandoned when the service stops). */
  private readonly sleeps = new Set<Waiter>();

  constructor(readonly transport: Transport) {
    this.spin = !transport.inline;
    transport.onStop(() => {
      this.stopped = true;
      for (const s of this.servers) s.close();
      for (const w of this.sleeps) w.abandon();
      this.sleeps.clear();
    });
  }

  /**
   * Resolves once `words[index]` leaves `value` (possibly spuriously) or after `timeoutMs`.
   * Once the service has stopped it never resolves: the waiting code stops, as a terminated
   * worker's does, and keeps nothing of the thread alive (an in-line service's).
   */
  waitWord(words: Int32Array, index: number, value: number, timeoutMs: number): Promise<unknown> {
    if (this.stopped) return new Promise(() => {});
    const w = spinThenWait(words, index, value, timeoutMs, this.spin);
    if (w.settled) return w.promise;
    this.sleeps.add(w);
    return w.promise.finally(() => this.sleeps.delete(w));
  }

  /** This service's party id. */
  get partyId(): number {
    return this.transport.partyId;
  }

  /** The deployment's settings for this service. */
  get config(): ServiceConfig {
    return this.transport.config;
  }

  /** Memory kept across this service's restarts (its deployment's `keptKiB`), if any. */
  get kept(): Uint8Array | undefined {
    return this.transport.kept;
  }

  /** Adds a line to the kernel's log (dmesg); posted, cut to what one message carries. */
  log(line: string): void {
    const bytes = new Uint8Array(MSG_PAYLOAD_MAX);
    const { written } = new TextEncoder().encodeInto(line, bytes); // whole characters only
    this.transport.post(CTL.LOG, bytes.subarray(0, written));
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
    const server = new Server(this, handle, new Int32Array(endpoint.doorbell));
    if (this.stopped) server.close(); // stopped while registering
    else this.servers.add(server);
    return server;
  }

  /** Forgets a closed server. */
  dropServer(server: Server): void {
    this.servers.delete(server);
  }

  /** A client of `name`, connected to its current server (ENOENT, ENOTCONN otherwise). */
  async lookup(name: string): Promise<Client> {
    const reply = await this.control(CTL.LOOKUP, new TextEncoder().encode(name), `lookup ${name}`);
    return await this.connect(reply.label);
  }

  /** A client of the endpoint behind `handle` (from lookup or received in a message). */
  async connect(handle: number): Promise<Client> {
    return new Client(this, handle, await this.openChannel(handle));
  }

  /** A new connection to the current server of the endpoint behind `handle`. */
  async openChannel(handle: number): Promise<Caller> {
    const reply = await this.control(CTL.CONNECT, u32s(handle), "connect");
    const channelId = reply.label;
    const a = await this.transport.attachment(
      (a): a is Extract<Attachment, { type: "channel" }> =>
        a.type === "channel" && a.channelId === channelId,
    );
    const channel = new Channel(a.buffer, LIBRARY_RINGS);
    return new Caller(
      channelId,
      channel.requests,
      channel.replies,
      new Int32Array(a.doorbell),
      this.partyId,
      this.spin,
      this.stats,
    );
  }

  /** A new handle to the same object with at most `rights` (to grant less than one holds). */
  async derive(handle: number, rights: number): Promise<number> {
    return (await this.control(CTL.DERIVE, u32s(handle, rights), "derive")).label;
  }

  async close(handle: number): Promise<void> {
    await this.control(CTL.CLOSE, u32s(handle), "close");
  }

  /** Handles from a message that came in on channel `channelId`, moved into this table. */
  async transfer(channelId: number, handles: readonly number[]): Promise<number[]> {
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
    return new Notification(handle, new Int32Array(a.buffer), this);
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
    return new Barrier(handle, a.parties, new Int32Array(a.buffer), this);
  }
}

/** Little-endian u32 fields. */
function u32s(...values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint32(4 * i, v >>> 0, true));
  return out;
}

/** A reply to a call: its label is the server's status (0, or a negative errno). */
export type Reply = Received;

/**
 * A connection to an endpoint's server. Once that server is gone, the next call or send
 * connects to its successor (see the header).
 */
export class Client {
  private caller: Caller;
  private reconnecting: Promise<void> | undefined;

  constructor(
    private readonly ipc: Ipc,
    readonly handle: number,
    caller: Caller,
  ) {
    this.caller = caller;
  }

  /** The id of the current connection (it changes when the client reconnects). */
  get channelId(): number {
    return this.caller.channelId;
  }

  /** Whether the current connection is open (false once its server is gone). */
  get open(): boolean {
    return this.caller.open;
  }

  /** Connects again to the endpoint's current server (ENOTCONN if nobody serves it). */
  reconnect(): Promise<void> {
    this.reconnecting ??= this.ipc.openChannel(this.handle).then(
      (caller) => {
        this.caller = caller;
        this.reconnecting = undefined;
      },
      (e) => {
        this.reconnecting = undefined;
        throw e;
      },
    );
    return this.reconnecting;
  }

  /** Sends a request and waits for its reply (ETIMEDOUT, ECONNRESET). */
  async call(
    label: number,
    payload: Uint8Array = EMPTY,
    options: SendOptions = NO_OPTIONS,
  ): Promise<Reply> {
    const handles = options.handles ?? NO_HANDLES;
    checkOutgoing(payload, handles);
    if (!this.caller.open) await this.reconnect();
    const caller = this.caller;
    const stats = this.ipc.stats;
    stats.calls++;
    stats.payloadBytesCopied += payload.length;
    const got = caller.call(label, payload, handles, options.timeoutMs ?? Infinity);
    const reply = got instanceof Promise ? await got : got;
    if (reply.handles.length > 0) {
      reply.handles = await this.ipc.transfer(caller.channelId, reply.handles);
    }
    return reply;
  }

  /** Sends a one-way message (waits while the queue is full, or EAGAIN if nonblocking). */
  async send(
    label: number,
    payload: Uint8Array = EMPTY,
    options: SendOptions = NO_OPTIONS,
  ): Promise<void> {
    const handles = options.handles ?? NO_HANDLES;
    checkOutgoing(payload, handles);
    if (!this.caller.open) await this.reconnect();
    const slow = this.caller.send(label, payload, handles, options.nonblocking ?? false);
    if (slow) await slow;
    this.ipc.stats.sends++;
    this.ipc.stats.payloadBytesCopied += payload.length;
  }
}

/** A request received by a server; `reply` answers a call (one-way sends have none). */
export interface Request extends Received {
  /** Whether the sender waits for a reply. */
  readonly isCall: boolean;
  /** The call's tag (0 for a one-way message): what a cancel names. */
  readonly tag: number;
  /** Whether the sender can still take a reply: false once its connection is gone (it died). */
  readonly answerable: boolean;
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

/** A connection accepted by a server. */
interface Accepted {
  channelId: number;
  client: number;
  requests: Ring;
  replies: Ring;
  /** Rung after each reply when the client is on the kernel's side (abi/ipc.ts, "accept"). */
  replyDoorbell: Int32Array | undefined;
}

class ServerRequest implements Request {
  answered = false;

  constructor(
    private readonly server: Server,
    readonly conn: Accepted,
    readonly tag: number,
    readonly label: number,
    readonly sender: number,
    readonly payload: Uint8Array,
    public handles: number[],
  ) {}

  get isCall(): boolean {
    return this.tag !== 0;
  }

  get answerable(): boolean {
    return this.conn.replies.open;
  }

  async reply(
    label: number,
    payload: Uint8Array = EMPTY,
    handles: readonly number[] = NO_HANDLES,
  ): Promise<void> {
    const slow = this.server.answer(this, label, payload, handles);
    if (slow) await slow;
  }
}

/** The serving end of an endpoint. */
export class Server {
  private readonly connections: Accepted[] = [];
  private cursor = 0;
  private closed = false;
  /** The wait in progress (settled by close). */
  private waiter: Waiter | undefined;
  /** Handlers of `serveConcurrently` not finished yet. */
  private handling = 0;

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
      const channel = new Channel(a.buffer, LIBRARY_RINGS);
      this.connections.push({
        channelId: a.channelId,
        client: a.client,
        requests: channel.requests,
        replies: channel.replies,
        replyDoorbell: a.replyDoorbell ? new Int32Array(a.replyDoorbell) : undefined,
      });
      ringDoorbell(this.doorbell); // wake receive() to look at the new connection
    }
  }

  /** Connected clients (dead ones are dropped as they are noticed). */
  get clientCount(): number {
    return this.connections.length;
  }

  /**
   * The next request from any client (round-robin), waiting up to `timeoutMs`; ETIMEDOUT, or
   * EBADF once the server is closed. A malformed message is dropped (and, for a call,
   * answered with -EINVAL); so is one whose handles cannot be transferred (answered -errno).
   */
  async receive(timeoutMs = Infinity): Promise<Request> {
    const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      const req = this.poll(deadline) ?? await this.next(deadline);
      if (req === "timeout") throw new IpcError(ETIMEDOUT, "no request");
      if (req === undefined) throw new IpcError(EBADF, "server closed");
      if (req.handles.length === 0 || await this.transferHandles(req)) return req;
    }
  }

  /** Takes the next request waiting on any connection, without waiting. */
  private take(): ServerRequest | undefined {
    const conns = this.connections;
    for (let n = 0; n < conns.length; n++) {
      const i = (this.cursor + n) % conns.length;
      const c = conns[i];
      if (!c.requests.open) {
        conns.splice(i, 1);
        n--;
        continue;
      }
      const m = c.requests.pop();
      if (m === undefined) continue;
      if (m.malformed) {
        this.ipc.stats.rejected++;
        if (m.tag !== 0) this.answerConn(c, m.tag, -EINVAL, EMPTY, NO_HANDLES);
        n--; // look at the same connection again
        continue;
      }
      this.cursor = (i + 1) % conns.length;
      const stats = this.ipc.stats;
      stats.received++;
      stats.payloadBytesCopied += m.payload.length;
      return new ServerRequest(this, c, m.tag, m.label, c.client, m.payload, m.handles);
    }
    return undefined;
  }

  /**
   * Takes a request, spinning for one (in a worker) until `deadline` or SPIN_MS have passed;
   * undefined if none came.
   */
  private poll(deadline: number): ServerRequest | undefined {
    const bell = this.doorbell;
    let until = -1;
    for (;;) {
      const seen = Atomics.load(bell, 0);
      const req = this.take();
      // Spinning keeps this thread: not while handlers wait to go on (their awaits are queued
      // behind the spin).
      if (req !== undefined || !this.ipc.spin || this.closed || this.handling > 0) return req;
      if (until < 0) until = Math.min(deadline, performance.now() + SPIN_MS);
      if (!spinUntil(bell, 0, seen, -1, 0, until)) return undefined;
    }
  }

  /**
   * Waits for a request until `deadline` (after a `poll` that found none): the request,
   * "timeout", or undefined once closed.
   */
  private async next(deadline: number): Promise<ServerRequest | "timeout" | undefined> {
    const bell = this.doorbell;
    for (let first = true;; first = false) {
      if (this.closed) return undefined;
      if (!first) {
        const req = this.poll(deadline);
        if (req !== undefined) return req;
      }
      const seen = Atomics.load(bell, 0);
      const req = this.take();
      if (req !== undefined) return req;
      const left = deadline === Infinity ? Infinity : deadline - performance.now();
      if (left <= 0) return "timeout";
      this.waiter = startWait(bell, 0, seen, left, this.ipc.spin);
      await this.waiter.promise;
      this.waiter = undefined;
    }
  }

  /** Moves a request's handles into this table; false (and answered -errno) if refused. */
  private async transferHandles(req: ServerRequest): Promise<boolean> {
    try {
      req.handles = await this.ipc.transfer(req.conn.channelId, req.handles);
      return true;
    } catch (e) {
      if (!(e instanceof IpcError)) throw e;
      if (req.isCall) await req.reply(-e.errno);
      return false;
    }
  }

  /** Answers `req`; returns a promise only when the reply had to wait for room. */
  answer(
    req: ServerRequest,
    label: number,
    payload: Uint8Array,
    handles: readonly number[],
  ): Promise<void> | undefined {
    if (!req.isCall) throw new IpcError(EINVAL, "a one-way message has no reply");
    if (req.answered) throw new IpcError(EINVAL, "already answered");
    checkOutgoing(payload, handles);
    req.answered = true;
    return this.answerConn(req.conn, req.tag, label, payload, handles);
  }

  private answerConn(
    c: Accepted,
    tag: number,
    label: number,
    payload: Uint8Array,
    handles: readonly number[],
  ): Promise<void> | undefined {
    const r = c.replies.push(label, tag, handles, payload, this.ipc.partyId);
    if (r === CLOSED) return undefined; // the caller left
    this.ipc.stats.payloadBytesCopied += payload.length;
    const bell = c.replyDoorbell;
    if (r !== FULL) {
      if (bell) ringDoorbell(bell);
      return undefined;
    }
    return pushWaiting(
      c.replies,
      label,
      tag,
      handles,
      payload,
      this.ipc.partyId,
      false,
      this.ipc.spin,
    )
      .then(() => {
        if (bell) ringDoorbell(bell);
      }, (e) => {
        if (!(e instanceof IpcError && e.errno === ECONNRESET)) throw e;
      });
  }

  /**
   * Answers requests with `handler` until `close`: its result is the reply (label and
   * payload) for calls; a thrown IpcError becomes -errno.
   */
  async serve(handler: Handler): Promise<void> {
    for (let req = await this.nextRequest(); req; req = await this.nextRequest()) {
      await this.run(handler, req);
    }
  }

  /**
   * Like `serve`, but takes the next request without waiting for the last one's answer: a
   * handler that waits (for input, for a device) holds nobody else up. A handler that answers
   * later itself (`req.reply`) returns nothing. Resolves when the server is closed; rejects
   * with the first error that is not an IpcError, as `serve` does.
   */
  async serveConcurrently(handler: Handler): Promise<void> {
    let failure: unknown;
    // The last handler is done: the loop, waiting without spinning meanwhile, may spin.
    const done = () => {
      if (--this.handling === 0) this.waiter?.settle("changed");
    };
    for (let req = await this.nextRequest(); req && !failure; req = await this.nextRequest()) {
      this.handling++;
      this.run(handler, req).then(done, (e) => {
        failure ??= e;
        this.close();
        done();
      });
    }
    if (failure) throw failure;
  }

  /** The next request with its handles moved in, or undefined once closed. */
  private async nextRequest(): Promise<ServerRequest | undefined> {
    while (!this.closed) {
      let req = this.poll(Infinity);
      if (req === undefined) {
        const next = await this.next(Infinity);
        if (next === undefined || next === "timeout") return undefined;
        req = next;
      }
      if (req.handles.length > 0 && !(await this.transferHandles(req))) continue;
      return req;
    }
    return undefined;
  }

  /** Runs `handler` on one request and answers it (a thrown IpcError becomes -errno). */
  private async run(handler: Handler, req: ServerRequest): Promise<void> {
    try {
      const result = handler(req);
      const out = result instanceof Promise ? await result : result;
      if (req.isCall && out) {
        const slow = this.answer(req, out.label, out.payload ?? EMPTY, out.handles ?? NO_HANDLES);
        if (slow) await slow;
      }
    } catch (e) {
      if (!(e instanceof IpcError)) throw e;
      if (req.isCall && !req.answered) await this.answer(req, -e.errno, EMPTY, NO_HANDLES);
    }
  }

  /** Stops `serve` (and makes `receive` fail with EBADF). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.ipc.dropServer(this);
    this.waiter?.settle("changed");
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
    private readonly ipc: Ipc,
  ) {}

  signal(bits: number): void {
    signalBits(this.word, bits);
  }

  /** The bits set so far (cleared), waiting up to `timeoutMs` for some; ETIMEDOUT. */
  async wait(timeoutMs = Infinity): Promise<number> {
    const end = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
    for (;;) {
      const bits = takeBits(this.word);
      if (bits !== 0) return bits;
      const left = end === Infinity ? Infinity : end - performance.now();
      if (left <= 0) throw new IpcError(ETIMEDOUT, "no notification");
      await this.ipc.waitWord(this.word, 0, 0, left);
    }
  }
}

/** A rendezvous of `parties` parties. */
export class Barrier {
  constructor(
    readonly handle: number,
    readonly parties: number,
    private readonly words: Int32Array,
    private readonly ipc: Ipc,
  ) {}

  /** Waits until all parties have arrived; true for the one arrival that completed the round. */
  async wait(): Promise<boolean> {
    const { round, last } = barrierArrive(this.words, this.parties);
    if (last) return true;
    while (Atomics.load(this.words, BARRIER.ROUND) === round) {
      await this.ipc.waitWord(this.words, BARRIER.ROUND, round, Infinity);
    }
    return false;
  }
}
