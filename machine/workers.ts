/**
 * Where host workers come from. Harts and services run on Deno workers; whoever creates them
 * is a WorkerFactory. The default creates them on the calling thread. A kernel that itself
 * runs in a worker uses a factory that asks the main thread to create them (Deno starts a
 * worker created inside a worker about a second late) and relays set-up messages; after
 * set-up, everything goes through shared memory anyway.
 */

/** The part of Deno's Worker the system uses. */
export interface WorkerLike {
  postMessage(message: unknown): void;
  terminate(): void;
  onmessage: ((event: MessageEvent) => void) | null;
  onerror: ((event: ErrorEvent) => void) | null;
}

/** Creates a module worker for `url`; every worker here gets no Deno permissions at all. */
export type WorkerFactory = (url: URL) => WorkerLike;

/** Workers created on this thread. */
export const localWorkers: WorkerFactory = (url) =>
  new Worker(url, { type: "module", deno: { permissions: "none" } });
