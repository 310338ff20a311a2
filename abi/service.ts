/**
 * The kernel ↔ service contract outside the rings: what a service worker is sent at start,
 * what an in-line service is handed, and what a service module exports. The kernel's service
 * host (kernel/ipc/service_host.ts) and the service library (services/lib/) both build on
 * these types, and neither imports the other.
 */

import type { Attachment, Message } from "./ipc.ts";

/** Settings a deployment gives a service (JSON values: they travel by postMessage). */
export type ServiceConfig = Record<string, string | number | boolean | string[] | number[]>;

/**
 * The label every service protocol keeps for "cancel the call with this tag" (a one-way
 * message; its payload is the tag, u32). The kernel sends it when a signal interrupts a process
 * waiting for a call that may wait for ever (a terminal read); the service then answers that
 * call -EINTR, unless it has answered already.
 */
export const CANCEL_LABEL = 0x7fff_0000;

/** What the kernel sends a service worker first. */
export interface ServiceBoot {
  type: "boot";
  partyId: number;
  name: string;
  config: ServiceConfig;
  /** The control channel (abi/ring.ts): the service calls, the kernel answers. */
  control: SharedArrayBuffer;
  /** The word the service rings after pushing control requests (the kernel watches it). */
  doorbell: SharedArrayBuffer;
  /**
   * The service's heartbeat, two i32s (HEARTBEAT): BEAT, which its library adds 1 to every
   * HEARTBEAT_MS from its event loop, so that a service whose loop is stuck (a hang) is seen
   * to be by the supervisor; and STOPPED, which the kernel sets (and notifies) when it stops
   * the worker — an injected hang waits on it, because Deno's `terminate()` does not stop a
   * worker spinning in JavaScript (its thread spins on: denoland/deno#35657).
   */
  heartbeat: SharedArrayBuffer;
  /**
   * Memory the kernel keeps for the service across its restarts (the spec's `keptKiB`; the
   * CuriOS idea): every instance gets the same buffer, as the last one left it.
   */
  kept?: SharedArrayBuffer;
}

/** When the supervisor restarts a service, and when it gives up on it (kernel/supervisor.ts). */
export interface RestartPolicy {
  /** Most restarts within `periodMs`; one more and the service is marked failed. */
  intensity: number;
  periodMs: number;
  /** Delay before a restart that follows another within the period: base·2^(n-1), capped. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A worker whose heartbeat does not move for this long is hung. */
  hangMs: number;
}

/** How often a worker service's heartbeat beats. */
export const HEARTBEAT_MS = 50;
/** The words of ServiceBoot's `heartbeat`. */
export const HEARTBEAT = { BEAT: 0, STOPPED: 1, WORDS: 2 } as const;

/** An injected fault (the fault tool `svc`, the torture suite): crash, or hang for ever. */
export type Fault = "crash" | "hang";

/** Messages to a service worker after boot. */
export type ToService =
  | ServiceBoot
  | { type: "attach"; attachment: Attachment }
  | { type: "fault"; fault: Fault };

/** What a service worker posts back: only that its main function returned. */
export const SERVICE_FINISHED = "finished";

/** The in-line end of the control path, as the service library sees it. */
export interface InlinePort {
  partyId: number;
  config: ServiceConfig;
  /** As ServiceBoot's. */
  kept?: SharedArrayBuffer;
  control(request: Message): Message;
  onAttach(listener: (a: Attachment) => void): void;
  /** `listener` runs when the service is stopped (its code cannot be, so it must stop itself). */
  onStop(listener: () => void): void;
}

/**
 * A service module's default export: runs the service in-line over `port` until it ends. The
 * same module, started as a worker's entry, runs itself on the boot message instead
 * (services/lib/service.ts).
 */
export type InlineStart = (port: InlinePort) => Promise<void>;
