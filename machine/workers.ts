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

/**
 * The Deno permissions a worker gets: "none" for every hart and almost every service; a
 * service that reaches host files (hostfs) gets read access to the directories listed, and
 * nothing else.
 */
export type WorkerPermissions = "none" | { read: string[] };

/** Creates a module worker for `url` with `permissions` (default: none at all). */
export type WorkerFactory = (url: URL, permissions?: WorkerPermissions) => WorkerLike;

/** The Deno permission set for `p`. */
export function denoPermissions(p: WorkerPermissions = "none"): Deno.PermissionOptions {
  if (p === "none") return "none";
  return {
    read: p.read,
    write: false,
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: false,
  };
}

/** Workers created on this thread. */
export const localWorkers: WorkerFactory = (url, permissions) =>
  new Worker(url, { type: "module", deno: { permissions: denoPermissions(permissions) } });
