/**
 * Clients that outlive their server's restarts (kernel/supervisor.ts restarts services): a
 * call cut off by the server's death (ECONNRESET), or made while nobody serves the name yet
 * (ENOTCONN), is made again on the next instance — after that instance has been greeted the
 * way the first one was (a hello that hands over a region; the caller grants that region's
 * handle once and hands the same one to every instance, as the sender keeps its handle and a
 * handle per restart would fill its table) — for up to a bound. Only for
 * protocols whose calls may be repeated without harm: the block driver's transfers (MINIX's
 * libbdev does the same) and hostfs's read-only lookups and reads.
 */

import { ECONNRESET, ENOTCONN } from "../../abi/errno.ts";
import { IpcError } from "./errors.ts";
import type { Client, Ipc } from "./ipc.ts";

/** How long a call keeps trying across restarts, and the pause between tries. */
const RETRY_MS = 10_000;
const PAUSE_MS = 2;

/** A client of `name` once someone serves it (it may be restarting as we start), bounded. */
export async function lookupServed(ipc: Ipc, name: string): Promise<Client> {
  const end = performance.now() + RETRY_MS;
  for (;;) {
    try {
      return await ipc.lookup(name);
    } catch (e) {
      if (!(e instanceof IpcError && e.errno === ENOTCONN) || performance.now() > end) throw e;
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  }
}

export class Reconnecting {
  /** Calls made again after their server died. */
  retries = 0;
  /** The connection the server was last greeted on. */
  private greeted = -1;
  /** The greeting under way: calls cut off together greet the next server once, not each. */
  private greeting: Promise<void> | undefined;

  constructor(
    private readonly connection: Client,
    private readonly greet: () => Promise<void>,
  ) {}

  /** Greets the current server (the first time, and after each restart). */
  hello(): Promise<void> {
    this.greeting ??= (async () => {
      try {
        await this.greet();
        this.greeted = this.connection.channelId;
      } finally {
        this.greeting = undefined;
      }
    })();
    return this.greeting;
  }

  /** Runs `op`, again on the next server if its server dies under it. */
  async run<T>(op: () => Promise<T>): Promise<T> {
    const end = performance.now() + RETRY_MS;
    for (;;) {
      try {
        if (this.connection.channelId !== this.greeted || !this.connection.open) await this.hello();
        return await op();
      } catch (e) {
        const cutOff = e instanceof IpcError && (e.errno === ECONNRESET || e.errno === ENOTCONN);
        if (!cutOff || performance.now() > end) throw e;
        this.retries++;
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    }
  }

  /** `typed` (a protocol's client) with every method run through `run`. */
  wrap<T extends object>(typed: T): T {
    return new Proxy(typed, {
      get: (target, key) => {
        const value = Reflect.get(target, key);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => this.run(() => value.apply(target, args));
      },
    });
  }
}
