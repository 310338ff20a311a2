/**
 * The kernel as an IPC client: how a system call gets an answer from a service (the VFS, the
 * tty driver) without the kernel's thread ever waiting.
 *
 * The kernel is a party of its own with one connection per service it uses, made on first
 * use and made again after the service restarts. Requests from every process share that
 * connection, told apart by their tag. Every server rings one word, the kernel's reply
 * doorbell, after each reply to a client on the kernel's side (abi/ipc.ts), so the kernel
 * watches that one word for all replies; it also rings when a connection drops.
 *
 * `call` is the one step a system call takes when its answer comes from a service, written
 * for the kernel's re-run-on-wake model: the first run sends the request and blocks the
 * process (BLOCKED); when the reply arrives the process is woken and its system call runs
 * again from the start, reaches the same `call`, and gets the reply. Between those runs the
 * call is kept in `p.kcall`. The rules:
 *
 * - A call is uninterruptible unless it says otherwise (file-system work: it finishes quickly
 *   and is not idempotent to abandon). Signals wait until it returns; SIGKILL abandons it.
 * - An interruptible call (a terminal read, which may wait for ever) woken by a signal sends
 *   CANCEL for its tag and waits, uninterruptibly, for the answer: either the service's
 *   -EINTR or the data it had already sent, so nothing read is ever lost.
 * - A service that dies fails every call in flight on it with EIO, at once — but one marked
 *   `resend` whose service is being restarted is sent again, to the next instance, with the
 *   tag it had (its system call runs from the start). The service makes that safe: the call
 *   changes nothing (a lookup, a read), or the service remembers the replies of the changes
 *   it made by tag and answers a tag it has seen with its reply (the VFS's journal). Tags are
 *   the kernel client's, one counter for every connection, so a tag names one request for
 *   the kernel's lifetime (until the counter wraps at 2^31). A call made while its service is
 *   down waits for the supervisor to bring it back (kernel/supervisor.ts), or fails with EIO
 *   if it will not come back.
 * - A call whose process is gone (killed) is orphaned: its reply is handed to the call's
 *   `orphan` function (which undoes what the service did, e.g. closes a file it opened).
 *
 * Request data too large for a message (paths, a write's bytes) goes in a slot of the kernel's
 * staging region, a region every service the kernel calls holds (handed over in the greeting
 * sent on each new connection): `stage` says how many bytes, and `fill` writes them on the
 * first run only. A reply may leave output in the same slot (a directory listing, a terminal
 * read); the slot is handed back with the reply and freed at once, so the system call must
 * copy what it needs before it makes another call. A process that finds every slot taken
 * sleeps until one is freed.
 *
 * `post` sends a one-way message (a close, a cancel) and never blocks: while the ring is full
 * the message waits in a bounded backlog. `request` is the promise form, for the kernel's own
 * work outside any process (the greetings).
 */

import { EAGAIN, EINTR, EIO, ENOENT, ENOTCONN, SyscallError } from "../errno.ts";
import { type Message, RIGHT, RING_OPEN } from "../../abi/ipc.ts";
import { type Data, STAGING_SLOT_BYTES, STAGING_SLOTS } from "../../abi/vfs.ts";
import { watchWord } from "../../abi/wait.ts";
import type { Process } from "../proc.ts";
import { sigbit, SIGKILL } from "../signals.ts";
import type { IpcManager } from "./manager.ts";
import type { Connection, Endpoint, Party, Region } from "./objects.ts";
import { BLOCKED, WaitQueue as Queue } from "../wait.ts";
import { CANCEL_LABEL } from "../../abi/service.ts";

/** Most one-way messages waiting for room, over all connections. */
const BACKLOG_MAX = 4096;

/** A shared word whose change ends a sleep (a ring index a service moves). */
export interface WatchedWord {
  words: Int32Array;
  index: number;
  value: number;
}

/** What the client needs from the kernel. */
export interface ClientHost {
  ipc: IpcManager;
  /** The word servers ring after each reply to the kernel's side (the IpcHost's too). */
  replyDoorbell: Int32Array;
  /**
   * Puts `p` to sleep until `wake(p)` (or `watch` changes); uninterruptible sleeps ignore
   * signals but SIGKILL.
   */
  sleep(p: Process, uninterruptible: boolean, watch?: WatchedWord): void;
  /** Puts `p` to sleep on `q` (interruptibly); returns what a blocked system call returns. */
  sleepOn(p: Process, q: Queue): typeof BLOCKED;
  /** Ends `p`'s sleep: its system call runs again. */
  wake(p: Process): void;
  /** Wakes the processes sleeping on `q`. */
  wakeQueue(q: Queue): void;
  /**
   * A call ended without waking a process (the kernel's own, or one a killed process left):
   * whoever waits for the calls in flight to end (the in-line hart loop) looks again.
   */
  callEnded(): void;
  /** Counts and logs a kernel bug. */
  kernelBug(what: string, e: unknown): void;
  /** Whether `service` is down and being restarted (the supervisor's word). */
  restarting(service: string): boolean;
}

/** Data a request carries in a staging slot. */
export interface Stage {
  /** Bytes of the slot the request uses (at most STAGING_SLOT_BYTES). */
  bytes: number;
  /** Writes the request's data into the slot (first run only); may throw (EFAULT). */
  fill?: (slot: Uint8Array) => void;
}

/** What a completed call gives back. */
export interface CallResult {
  reply: Message;
  /** The staging slot the request used (output a service left there), valid until the next call. */
  slot: Uint8Array;
}

/** What the kernel says first on a new connection to a service, and what it does with the answer. */
export interface Greeting {
  label: number;
  /** The greeting's payload, made when it is sent (what the kernel holds now). */
  payload(): Uint8Array;
  /** Handles (the kernel party's) to pass: the staging region is added as handle 0. */
  handles?: number[];
  /** Receives the reply; its handles have been moved into the kernel's table. */
  accepted(reply: Message): void;
}

/** Options of a call. */
export interface CallOptions {
  /** Request data in a staging slot. */
  stage?: Stage;
  /** Handles (the kernel party's) to pass with the request. */
  handles?: number[];
  /** Whether a signal may cut the wait short (the service is asked to cancel). */
  interruptible?: boolean;
  /** Undoes the effect of a reply that arrives after the process has gone. */
  orphan?: (reply: Message) => void;
  /**
   * If the service dies with the call in flight and is being restarted, the call is sent
   * again, with its tag, to the next instance instead of failing: it changes nothing, or the
   * service applies a tag once (see the header).
   */
  resend?: boolean;
}

/** A call in flight. */
export interface KernelCall {
  readonly conn: Connection;
  readonly tag: number;
  readonly label: number;
  /** The process waiting, undefined once it has gone (or for a kernel request). */
  process: Process | undefined;
  reply: Message | undefined;
  errno: number;
  interruptible: boolean;
  cancelled: boolean;
  orphan: ((reply: Message) => void) | undefined;
  settle: ((reply: Message | undefined, errno: number) => void) | undefined;
  /** The staging slot the request uses, or -1. */
  slot: number;
  resend: boolean;
  /** Its service died and it is to be sent again (the system call runs from the start). */
  retry: boolean;
  /** When it was sent (performance.now()), for the latency histogram. */
  sentMs: number;
}

/** Upper bounds (µs) of the latency histogram's buckets; the last bucket has none. */
export const LATENCY_BUCKETS_US = [10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000];

/** The kernel's staging region: slots for request data, shared with the services it calls. */
class Staging {
  private readonly free: number[] = [];
  /** Processes waiting for a slot. */
  readonly waiters = new Queue();

  constructor(readonly region: Region, readonly handle: number) {
    for (let i = STAGING_SLOTS - 1; i >= 0; i--) this.free.push(i);
  }

  take(): number | undefined {
    return this.free.pop();
  }

  give(slot: number): void {
    this.free.push(slot);
  }

  view(slot: number, bytes = STAGING_SLOT_BYTES): Uint8Array {
    const at = slot * STAGING_SLOT_BYTES;
    return this.region.bank.u8.subarray(at, at + bytes);
  }

  data(slot: number, bytes: number): Data {
    return { at: slot * STAGING_SLOT_BYTES, len: bytes };
  }
}

const NO_DATA: Data = Object.freeze({ at: 0, len: 0 });
const NO_SLOT = new Uint8Array(0);

/** The kernel's client side of the services. */
export class KernelClient {
  readonly party: Party;
  /** Calls made and not yet answered, by connection and tag. */
  private readonly inFlight = new Map<Connection, Map<number, KernelCall>>();
  private readonly connections = new Map<string, Connection>();
  private readonly backlog: Array<{ conn: Connection; msg: Omit<Message, "sender"> }> = [];
  private stopWatching: () => void = () => {};
  private stopBacklogWatch: (() => void) | undefined;
  private readonly greetings = new Map<string, Greeting>();
  /** Processes waiting for a service that is being restarted, by its name. */
  private readonly awaiting = new Map<string, Queue>();
  private readonly staging: Staging;
  private nextTag = 1;
  /** Counters: calls made, replies matched, calls failed because their service died. */
  readonly stats = { calls: 0, replies: 0, failed: 0, orphaned: 0, cancelled: 0, retried: 0 };

  constructor(private readonly host: ClientHost) {
    this.party = host.ipc.kernelParty();
    const handle = host.ipc.regionCreate(this.party, STAGING_SLOTS * STAGING_SLOT_BYTES);
    const region = this.party.handles.get<Region>(handle, "region", 0).object;
    const shared = host.ipc.derive(this.party, handle, RIGHT.READ | RIGHT.WRITE | RIGHT.GRANT);
    this.staging = new Staging(region, shared);
    this.watch();
  }

  /** What to say first on every new connection to `service` (its staging handle is added). */
  greet(service: string, greeting: Greeting): void {
    this.greetings.set(service, greeting);
  }

  private get doorbell(): Int32Array {
    return this.host.replyDoorbell;
  }

  private watch(): void {
    const seen = Atomics.load(this.doorbell, 0);
    try {
      this.pump();
    } finally {
      // Whatever one reply did, the kernel goes on hearing the others.
      this.stopWatching = watchWord(this.doorbell, 0, seen, () => this.watch());
    }
  }

  /** Stops watching (the kernel is shutting down); calls still in flight fail with EIO. */
  close(): void {
    this.stopWatching();
    this.stopBacklogWatch?.();
    for (const conn of [...this.inFlight.keys()]) this.failAll(conn);
  }

  /**
   * The connection to `service`'s current server, made on first use or after the last one
   * dropped. EIO when the service does not exist or nobody serves it now.
   */
  private connection(service: string): Connection {
    const existing = this.connections.get(service);
    if (existing && existing.channel.requests.state === RING_OPEN && existing.server.alive) {
      return existing;
    }
    const ipc = this.host.ipc;
    let handle: number;
    try {
      handle = this.handleFor(service);
      const conn = ipc.processConnection(this.party, handle);
      this.connections.set(service, conn);
      this.sayHello(service, conn);
      return conn;
    } catch (e) {
      if (e instanceof SyscallError && (e.errno === ENOENT || e.errno === ENOTCONN)) {
        throw new SyscallError(EIO, `service ${service} is not running`);
      }
      throw e;
    }
  }

  /** Sends `service`'s greeting first on a new connection (ring order keeps it first). */
  private sayHello(service: string, conn: Connection): void {
    const g = this.greetings.get(service);
    if (!g) return;
    const handles = [this.staging.handle, ...(g.handles ?? [])];
    const call = this.send(conn, g.label, g.payload(), { handles }, -1);
    if (!call) throw new SyscallError(EIO, `${service}: no room for the greeting`);
    call.settle = (reply) => {
      if (!reply || reply.label < 0) {
        this.host.kernelBug(`greeting ${service}`, new Error(`refused: ${reply?.label ?? "EIO"}`));
        return;
      }
      try {
        const moved = this.host.ipc.transfer(this.party, conn, reply.handles);
        g.accepted({ ...reply, handles: moved });
      } catch (e) {
        this.host.kernelBug(`greeting ${service}`, e);
      }
    };
  }

  /**
   * A region of the kernel's own, to pass in greetings: its bytes, and a handle that lets a
   * service only read it.
   */
  ownRegion(size: number): { bytes: Uint8Array; handle: number } {
    const handle = this.host.ipc.regionCreate(this.party, size);
    const bytes = this.region(handle).bank.u8;
    return { bytes, handle: this.host.ipc.derive(this.party, handle, RIGHT.READ | RIGHT.GRANT) };
  }

  /** The region behind a handle the kernel party holds. */
  region(handle: number): Region {
    return this.party.handles.get<Region>(handle, "region", RIGHT.READ).object;
  }

  private handleFor(service: string): number {
    const endpoint: Endpoint | undefined = this.host.ipc.names.get(service);
    for (const [h, entry] of this.party.handles.entries()) {
      if (entry.object === endpoint) return h;
    }
    return this.host.ipc.lookup(this.party, service);
  }

  /** `service` is back (or given up on): whoever waited for it tries again. */
  serviceBack(service: string): void {
    const q = this.awaiting.get(service);
    if (q) this.host.wakeQueue(q);
  }

  /** Whether `service` is served now. */
  serving(service: string): boolean {
    return this.host.ipc.names.get(service)?.server?.alive === true;
  }

  /**
   * One step of `p`'s system call that needs `service` to answer: the reply, or BLOCKED
   * after sending the request (the system call is run again when the reply comes). `payload`
   * builds the request once it knows where its staged data is. Throws SyscallError(EIO) if the
   * service is down or dies, EINTR if a signal ended the wait.
   */
  call(
    p: Process,
    service: string,
    label: number,
    payload: (data: Data) => Uint8Array,
    options: CallOptions = {},
  ): CallResult | typeof BLOCKED {
    const pending = p.kcall;
    let tag: number | undefined;
    if (pending?.retry) {
      // Sent again with its tag; until it is sent it stays in p.kcall, so that a re-run
      // after a wait below still knows it.
      p.kcall = undefined;
      if (pending.slot >= 0) this.freeSlot(pending.slot);
      pending.slot = -1;
      if (pending.label === label) tag = pending.tag;
    } else if (pending) return this.resume(p, pending, label);
    const later = (blocked: typeof BLOCKED): typeof BLOCKED => {
      if (pending?.retry) p.kcall = pending;
      return blocked;
    };
    let conn: Connection;
    try {
      conn = this.connection(service);
    } catch (e) {
      // Down for a restart: wait for the next instance (the supervisor wakes us either way).
      if (!(e instanceof SyscallError && e.errno === EIO && this.host.restarting(service))) throw e;
      let q = this.awaiting.get(service);
      if (!q) this.awaiting.set(service, q = new Queue());
      return later(this.host.sleepOn(p, q));
    }
    let slot = -1;
    let data = NO_DATA;
    if (options.stage) {
      const bytes = options.stage.bytes;
      if (bytes > STAGING_SLOT_BYTES) throw new Error(`staged data of ${bytes} bytes`);
      const taken = this.staging.take();
      if (taken === undefined) return later(this.host.sleepOn(p, this.staging.waiters));
      slot = taken;
      data = this.staging.data(slot, bytes);
      try {
        options.stage.fill?.(this.staging.view(slot, bytes));
      } catch (e) {
        this.freeSlot(slot);
        throw e;
      }
    }
    const head = conn.channel.requests.head; // before trying: a slot freed after it wakes us
    let call: KernelCall | undefined;
    try {
      call = this.send(conn, label, payload(data), options, slot, tag);
    } catch (e) {
      if (slot >= 0) this.freeSlot(slot);
      throw e;
    }
    if (!call) {
      if (slot >= 0) this.freeSlot(slot);
      return later(this.waitForRoom(p, conn, head));
    }
    call.process = p;
    p.kcall = call;
    this.host.sleep(p, !call.interruptible);
    return BLOCKED;
  }

  /** A new tag (never 0, which marks one-way sends). */
  private newTag(): number {
    const t = this.nextTag;
    this.nextTag = t >= 0x7fff_ffff ? 1 : t + 1;
    return t;
  }

  private freeSlot(slot: number): void {
    this.staging.give(slot);
    this.host.wakeQueue(this.staging.waiters);
  }

  /** A re-run of the system call that made `call`. */
  private resume(p: Process, call: KernelCall, label: number): CallResult | typeof BLOCKED {
    if (call.label !== label) {
      throw new Error(`kernel call: re-run asked for label ${label}, in flight ${call.label}`);
    }
    if (call.reply !== undefined || call.errno !== 0) {
      p.kcall = undefined;
      const slot = call.slot >= 0 ? this.staging.view(call.slot) : NO_SLOT;
      if (call.slot >= 0) this.freeSlot(call.slot);
      if (call.errno !== 0) throw new SyscallError(call.errno, "service call failed");
      return { reply: call.reply!, slot };
    }
    if (((p.sigPending | p.group.pending) & sigbit(SIGKILL)) !== 0n) {
      this.abandon(p);
      throw new SyscallError(EINTR);
    }
    if (p.wakeReason === "signal" && call.interruptible && !call.cancelled) {
      call.cancelled = true;
      this.stats.cancelled++;
      this.postOn(call.conn, CANCEL_LABEL, call.tag);
    }
    this.host.sleep(p, true);
    return BLOCKED;
  }

  /** The ring was full: sleep until the server takes a request, then run again. */
  private waitForRoom(p: Process, conn: Connection, head: number): typeof BLOCKED {
    const ring = conn.channel.requests;
    this.host.sleep(p, false, { words: ring.words, index: ring.headIndex, value: head });
    return BLOCKED;
  }

  /** Pushes a request; undefined if the ring is full. */
  private send(
    conn: Connection,
    label: number,
    payload: Uint8Array,
    options: CallOptions,
    slot: number,
    tag = this.newTag(),
  ): KernelCall | undefined {
    const msg = { label, tag, handles: options.handles ?? [], payload };
    if (!conn.channel.requests.pushMessage(msg, this.party.id)) {
      if (conn.channel.requests.state !== RING_OPEN) {
        throw new SyscallError(EIO, `${conn.endpoint.name} went away`);
      }
      return undefined;
    }
    this.host.ipc.ring(conn);
    this.stats.calls++;
    const call: KernelCall = {
      conn,
      tag,
      label,
      process: undefined,
      reply: undefined,
      errno: 0,
      interruptible: options.interruptible ?? false,
      cancelled: false,
      orphan: options.orphan,
      settle: undefined,
      slot,
      resend: options.resend ?? false,
      retry: false,
      sentMs: performance.now(),
    };
    let calls = this.inFlight.get(conn);
    if (!calls) this.inFlight.set(conn, calls = new Map());
    calls.set(tag, call);
    return call;
  }

  /**
   * The kernel's own call (outside any process: booting, shutting down): resolves with the
   * reply and a copy of the staging slot's contents, rejects with a SyscallError (EIO if the
   * service fails, EAGAIN if no slot or ring room is free).
   */
  request(
    service: string,
    label: number,
    payload: (data: Data) => Uint8Array,
    stage?: Stage,
  ): Promise<CallResult> {
    return new Promise<CallResult>((resolve, reject) => {
      const conn = this.connection(service);
      let slot = -1;
      let data = NO_DATA;
      if (stage) {
        const taken = this.staging.take();
        if (taken === undefined) {
          reject(new SyscallError(EAGAIN, "no staging slot free"));
          return;
        }
        slot = taken;
        data = this.staging.data(slot, stage.bytes);
        stage.fill?.(this.staging.view(slot, stage.bytes));
      }
      const call = this.send(conn, label, payload(data), {}, slot);
      if (!call) {
        if (slot >= 0) this.freeSlot(slot);
        reject(new SyscallError(EAGAIN, `${service}: request ring full`));
        return;
      }
      call.settle = (reply, errno) => {
        const copy = slot >= 0 ? this.staging.view(slot).slice() : NO_SLOT;
        if (slot >= 0) this.freeSlot(slot);
        if (reply) resolve({ reply, slot: copy });
        else reject(new SyscallError(errno, `${service} failed the call`));
      };
    });
  }

  /** A one-way message to `service` (dropped if the service is down: nothing to tell). */
  post(service: string, label: number, payload: Uint8Array): void {
    let conn: Connection;
    try {
      conn = this.connection(service);
    } catch (e) {
      if (e instanceof SyscallError && e.errno === EIO) return;
      throw e;
    }
    this.postOn(conn, label, 0, payload);
  }

  private postOn(conn: Connection, label: number, cancelTag: number, payload?: Uint8Array): void {
    const body = payload ?? u32(cancelTag);
    const msg = { label, tag: 0, handles: [], payload: body };
    if (this.backlog.length === 0 && conn.channel.requests.pushMessage(msg, this.party.id)) {
      this.host.ipc.ring(conn);
      return;
    }
    if (conn.channel.requests.state !== RING_OPEN) return;
    if (this.backlog.length >= BACKLOG_MAX) {
      this.host.kernelBug("kernel client", new Error("one-way backlog full; message dropped"));
      return;
    }
    this.backlog.push({ conn, msg });
    this.watchBacklog();
  }

  /** Sends what waits in the backlog, in order, while there is room. */
  private flushBacklog(): void {
    while (this.backlog.length > 0) {
      const { conn, msg } = this.backlog[0];
      if (conn.channel.requests.state !== RING_OPEN) {
        this.backlog.shift();
        continue;
      }
      if (!conn.channel.requests.pushMessage(msg, this.party.id)) break;
      this.host.ipc.ring(conn);
      this.backlog.shift();
    }
  }

  private watchBacklog(): void {
    if (this.stopBacklogWatch || this.backlog.length === 0) return;
    const ring = this.backlog[0].conn.channel.requests;
    this.stopBacklogWatch = watchWord(ring.words, ring.headIndex, ring.head, () => {
      this.stopBacklogWatch = undefined;
      this.flushBacklog();
      this.watchBacklog();
    });
  }

  /** `p` is going away with a call in flight: its reply, when it comes, is an orphan's. */
  abandon(p: Process): void {
    const call = p.kcall;
    if (!call) return;
    p.kcall = undefined;
    call.process = undefined;
    if (call.reply !== undefined || call.errno !== 0) this.orphaned(call, call.reply);
  }

  private orphaned(call: KernelCall, reply: Message | undefined): void {
    this.stats.orphaned++;
    if (call.slot >= 0) this.freeSlot(call.slot);
    if (!reply) return;
    try {
      call.orphan?.(reply);
    } catch (e) {
      this.host.kernelBug(`orphaned reply to ${call.conn.endpoint.name}`, e);
    }
  }

  /** Takes every reply off the kernel's connections and hands each to its call. */
  private pump(): void {
    this.flushBacklog();
    for (const [conn, calls] of this.inFlight) {
      for (let m = conn.channel.replies.pop(); m !== undefined; m = conn.channel.replies.pop()) {
        const call = calls.get(m.tag);
        if (!call) continue; // a reply nobody waits for (a garbage tag)
        calls.delete(m.tag);
        this.stats.replies++;
        const reply = m.malformed ? { ...m, label: -EIO } : m;
        try {
          this.complete(call, reply, 0);
        } catch (e) {
          this.host.kernelBug(`reply ${m.tag} from ${conn.endpoint.name}`, e);
        }
      }
      if (conn.channel.replies.state !== RING_OPEN) this.failAll(conn);
      else if (calls.size === 0) this.inFlight.delete(conn);
    }
    for (const conn of this.host.ipc.connections.values()) {
      if (conn.client.kind === "process" && conn.replyWaiters.size > 0) {
        this.host.wakeQueue(conn.replyWaiters);
      }
    }
  }

  /** Every call in flight on `conn` fails with EIO (its server died). */
  private failAll(conn: Connection): void {
    const calls = this.inFlight.get(conn);
    this.inFlight.delete(conn);
    if (!calls) return;
    for (const call of calls.values()) {
      if (
        call.resend && call.process && !call.settle &&
        this.host.restarting(conn.endpoint.name)
      ) {
        call.retry = true;
        this.stats.retried++;
        this.host.wake(call.process);
        continue;
      }
      this.stats.failed++;
      this.complete(call, undefined, EIO);
    }
  }

  private complete(call: KernelCall, reply: Message | undefined, errno: number): void {
    if (reply) this.measure(call);
    if (call.settle) {
      call.settle(reply, errno);
      this.host.callEnded();
      return;
    }
    const p = call.process;
    if (!p) {
      this.orphaned(call, reply);
      this.host.callEnded();
      return;
    }
    call.reply = reply;
    call.errno = errno;
    this.host.wake(p);
  }

  /**
   * How long the kernel's calls took, request to reply, per service: counts per bucket of
   * LATENCY_BUCKETS_US (and one more for anything slower).
   */
  readonly latency = new Map<string, number[]>();

  private measure(call: KernelCall): void {
    const us = (performance.now() - call.sentMs) * 1000;
    const name = call.conn.endpoint.name;
    let counts = this.latency.get(name);
    if (!counts) this.latency.set(name, counts = new Array(LATENCY_BUCKETS_US.length + 1).fill(0));
    const i = LATENCY_BUCKETS_US.findIndex((b) => us < b);
    counts[i < 0 ? LATENCY_BUCKETS_US.length : i]++;
  }

  /** Calls in flight (for statistics and tests). */
  get pending(): number {
    let n = 0;
    for (const calls of this.inFlight.values()) n += calls.size;
    return n;
  }
}

function u32(v: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, v >>> 0, true);
  return out;
}
