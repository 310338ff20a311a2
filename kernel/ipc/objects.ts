/**
 * The IPC objects the kernel keeps: parties, endpoints, connections, regions, notifications
 * and barriers. Handles (handles.ts) name them; the IPC manager (ipc.ts) operates on them.
 *
 * - A Party is whoever holds handles: a process (its thread group) or a service.
 * - An Endpoint is a name: it outlives the servers that register under it, so a server that
 *   restarts under the same name is reached by its clients' next call.
 * - A Connection is one client's channel to one server of an endpoint: two shared rings.
 * - A Region is shared memory, a RAM bank of its own in the machine's shared window. It lives
 *   while a handle names it or an address space maps a page of it, and is freed after that.
 * - A Notification is one shared word of bits that accumulate until taken.
 * - A Barrier is two shared words: arrivals in this round, and the round number.
 */

import type { RamBank } from "../../machine/bus.ts";
import type { ThreadGroup } from "../proc.ts";
import { WaitQueue } from "../wait.ts";
import { HandleTable, type IpcObject } from "./handles.ts";
import type { Attachment, Message } from "../../abi/ipc.ts";
import { Channel } from "../../abi/ring.ts";

/** What a deployment lets a service do beyond IPC (services/deploy.json). */
export interface Grants {
  /** Devices it may open (a driver's). */
  devices: readonly string[];
  /** "signal": send signals to processes (the tty driver); "sysinfo": read the kernel's tables. */
  privileges: readonly string[];
}

const NO_GRANTS: Grants = Object.freeze({ devices: [], privileges: [] });

/** A holder of handles. */
export class Party {
  alive = true;
  /** What the deployment gives it (services only). */
  grants: Grants = NO_GRANTS;
  /** Calls received and not yet answered (process servers): token -> connection and tag. */
  readonly replyTokens = new Map<number, { conn: Connection; tag: number }>();
  nextToken = 1;
  /** A process's connections, one per endpoint, made on its first call or send. */
  readonly connections = new Map<Endpoint, Connection>();
  /** Bytes of the live regions this party created (charged against its limit). */
  regionBytes = 0;
  readonly handles: HandleTable;

  constructor(
    /** Called when the last handle to an object goes, from any table. */
    unheld: (object: IpcObject) => void,
    readonly id: number,
    readonly kind: "process" | "service" | "kernel",
    readonly name: string,
    /** The thread group of a process party. */
    readonly group?: ThreadGroup,
    /** How the kernel hands buffers to a service (postMessage, or a call when in-line). */
    readonly attach?: (a: Attachment) => void,
  ) {
    this.handles = new HandleTable(unheld);
  }
}

/** A registered name. */
export class Endpoint implements IpcObject {
  readonly kind = "endpoint";
  readonly alive = true;
  held = 0;
  server: Party | undefined;
  /** Bumped and notified after every request on any of its connections. */
  readonly doorbell = new Int32Array(new SharedArrayBuffer(4));
  readonly connections = new Set<Connection>();
  /** Process servers sleeping in receive. */
  readonly receivers = new WaitQueue();
  /** Round-robin position among connections, for fairness. */
  cursor = 0;

  constructor(readonly id: number, readonly name: string) {}
}

/** One client's connection to an endpoint's current server. */
export class Connection {
  readonly channel: Channel;
  nextTag = 1;
  /** Replies taken off the ring for a process client but not yet collected, by tag. */
  readonly replies = new Map<number, Message>();
  /** Tags of the calls process clients still wait for; other replies are dropped. */
  readonly waiting = new Set<number>();
  /** The word the server rings after each reply (clients on the kernel's side only). */
  replyDoorbell: Int32Array | undefined;
  /** Process clients waiting for a reply, or for room in the request ring. */
  readonly replyWaiters = new WaitQueue();
  readonly spaceWaiters = new WaitQueue();

  constructor(
    readonly id: number,
    readonly endpoint: Endpoint,
    readonly client: Party,
    readonly server: Party,
  ) {
    this.channel = new Channel(Channel.allocate());
  }

  /** A new tag for a call (never 0, which marks one-way sends). */
  tag(): number {
    const t = this.nextTag;
    this.nextTag = t >= 0x7fff_ffff ? 1 : t + 1;
    return t;
  }
}

/** Shared memory. */
export class Region implements IpcObject {
  readonly kind = "region";
  held = 0;
  /** Page-table entries, in every address space, that map one of its pages. */
  mappedPages = 0;
  /** One i32, set to 1 on revocation (checked by service libraries before each access). */
  readonly control = new Int32Array(new SharedArrayBuffer(4));

  constructor(readonly id: number, readonly bank: RamBank, readonly owner: Party) {}

  get alive(): boolean {
    return this.control[0] === 0;
  }

  get size(): number {
    return this.bank.size;
  }
}

/** A word of bits. */
export class Notification implements IpcObject {
  readonly kind = "notification";
  readonly alive = true;
  held = 0;
  readonly word = new Int32Array(new SharedArrayBuffer(4));
  /** Processes sleeping in notification_wait. */
  readonly waiters = new WaitQueue();

  constructor(readonly id: number) {}
}

/** A rendezvous for `parties` parties. */
export class Barrier implements IpcObject {
  readonly kind = "barrier";
  readonly alive = true;
  held = 0;
  readonly words = new Int32Array(new SharedArrayBuffer(8));
  readonly waiters = new WaitQueue();

  constructor(readonly id: number, readonly parties: number) {}
}
