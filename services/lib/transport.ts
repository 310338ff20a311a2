/**
 * How a service reaches the kernel: its transport. Two kinds, one interface, chosen at deploy
 * time: a worker service sends control requests over its control channel and receives buffers
 * by postMessage; an in-line service (running in the kernel's worker) calls the kernel's
 * control operations directly. Data between services does not go through the transport: it
 * flows in channel rings, the same way for both kinds.
 */

import type { InlinePort, ServiceBoot, ServiceConfig } from "../../abi/service.ts";
import type { Attachment, Message } from "../../abi/ipc.ts";
import { Channel } from "../../abi/ring.ts";
import { Caller, type CallerStats, LIBRARY_RINGS } from "./channel.ts";

/** The service's link to the kernel. */
export interface Transport {
  /** This service's party id. */
  readonly partyId: number;
  /** Whether the service runs on the kernel's thread (its peers may too: never spin). */
  readonly inline: boolean;
  /** Runs a control operation (CTL); resolves with the kernel's reply. */
  control(op: number, payload?: Uint8Array): Promise<Message>;
  /**
   * Sends a control operation one-way (a posted register write, an interrupt acknowledge):
   * it is carried out in order with the others, and nobody waits for it.
   */
  post(op: number, payload: Uint8Array): Promise<void> | undefined;
  /** The deployment's settings for this service. */
  readonly config: ServiceConfig;
  /** Memory kept across this service's restarts, if its deployment asks for some. */
  readonly kept: Uint8Array | undefined;
  /** Resolves with the first attachment (past or future) that `match` accepts. */
  attachment<T extends Attachment>(match: (a: Attachment) => a is T): Promise<T>;
  /**
   * Calls `listener` when the kernel stops this party while its code still runs (an in-line
   * service; a worker is simply terminated).
   */
  onStop(listener: () => void): void;
}

/** Keeps attachments until someone claims them. */
class Attachments {
  private readonly kept: Attachment[] = [];
  private readonly waiters: Array<
    { match: (a: Attachment) => boolean; resolve: (a: Attachment) => void }
  > = [];

  deliver(a: Attachment): void {
    const i = this.waiters.findIndex((w) => w.match(a));
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(a);
    else this.kept.push(a);
  }

  claim<T extends Attachment>(match: (a: Attachment) => a is T): Promise<T> {
    const i = this.kept.findIndex(match);
    if (i >= 0) return Promise.resolve(this.kept.splice(i, 1)[0] as T);
    return new Promise((resolve) =>
      this.waiters.push({ match, resolve: resolve as (a: Attachment) => void })
    );
  }
}

/** A worker service's transport: the control channel and postMessage. */
export class WorkerTransport implements Transport {
  readonly partyId: number;
  readonly inline = false;
  readonly config: ServiceConfig;
  readonly kept: Uint8Array | undefined;
  /** Counts for the control channel (kept apart from the service's own IPC counts). */
  readonly stats: CallerStats = { payloadBytesCopied: 0, rejected: 0 };
  private readonly caller: Caller;
  private readonly attachments = new Attachments();

  constructor(boot: ServiceBoot) {
    this.partyId = boot.partyId;
    this.config = boot.config;
    this.kept = boot.kept && new Uint8Array(boot.kept);
    const channel = new Channel(boot.control, LIBRARY_RINGS);
    this.caller = new Caller(
      0,
      channel.requests,
      channel.replies,
      new Int32Array(boot.doorbell),
      this.partyId,
      true,
      this.stats,
    );
  }

  /** Called by the worker's message handler for every attachment. */
  deliver(a: Attachment): void {
    this.attachments.deliver(a);
  }

  attachment<T extends Attachment>(match: (a: Attachment) => a is T): Promise<T> {
    return this.attachments.claim(match);
  }

  async control(op: number, payload = new Uint8Array(0)): Promise<Message> {
    return await this.caller.call(op, payload, [], Infinity);
  }

  post(op: number, payload: Uint8Array): Promise<void> | undefined {
    return this.caller.send(op, payload, [], false);
  }

  onStop(): void {}
}

/** An in-line service's transport: direct calls into the kernel on the same thread. */
export class InlineTransport implements Transport {
  readonly partyId: number;
  readonly inline = true;
  readonly config: ServiceConfig;
  readonly kept: Uint8Array | undefined;
  private readonly attachments = new Attachments();
  private nextTag = 1;

  constructor(private readonly port: InlinePort) {
    this.partyId = port.partyId;
    this.config = port.config;
    this.kept = port.kept && new Uint8Array(port.kept);
    port.onAttach((a) => this.attachments.deliver(a));
  }

  attachment<T extends Attachment>(match: (a: Attachment) => a is T): Promise<T> {
    return this.attachments.claim(match);
  }

  control(op: number, payload = new Uint8Array(0)): Promise<Message> {
    const request = { label: op, sender: this.partyId, tag: this.nextTag++, handles: [], payload };
    return Promise.resolve(this.port.control(request));
  }

  post(op: number, payload: Uint8Array): undefined {
    this.port.control({ label: op, sender: this.partyId, tag: 0, handles: [], payload });
    return undefined;
  }

  onStop(listener: () => void): void {
    this.port.onStop(listener);
  }
}
