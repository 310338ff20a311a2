/**
 * The service host: starts TypeScript services, each as its own permission-less worker or
 * in-line in the kernel's worker — a deploy-time choice (services/deploy.json), the same
 * service code either way — and serves their control requests (control.ts).
 *
 * A worker service talks to the kernel over a control channel (it is the client, the kernel
 * the server) and receives buffers by postMessage at set-up. An in-line service calls the
 * control operations directly and gets its buffers handed over at once. Data between services
 * never passes through here: it flows in the channels' rings.
 */

import type { WorkerFactory, WorkerLike, WorkerPermissions } from "../../machine/workers.ts";
import { EINVAL } from "../errno.ts";
import { type ControlHost, executeControl } from "./control.ts";
import type { IpcManager } from "./manager.ts";
import type { Party } from "./objects.ts";
import { type Attachment, type Message, RING_PEER_DEAD } from "../../abi/ipc.ts";
import { Channel } from "../../abi/ring.ts";
import {
  type Fault,
  HEARTBEAT,
  type InlinePort,
  type InlineStart,
  type RestartPolicy,
  SERVICE_FINISHED,
  type ServiceConfig,
  type ToService,
} from "../../abi/service.ts";
import { watchWord } from "../../abi/wait.ts";

/** How a service is deployed. */
export interface ServiceSpec {
  name: string;
  /**
   * The service module, relative to the repository: its default export is an InlineStart
   * (abi/service.ts), and as a worker's entry it starts itself (services/lib/service.ts).
   */
  module: string;
  isolation: "worker" | "inline";
  /** Devices the service may open (a driver's). */
  devices?: string[];
  /**
   * Kernel privileges: "signal" (send signals to processes), "sysinfo" (read its tables),
   * "spawn" (start and follow processes: abi/process.ts), "power" (power the system off).
   */
  privileges?: string[];
  /** Start once init runs (the shell: its processes come after PID 1). */
  afterInit?: boolean;
  /** Services it uses (told of in the supervisor's log when one restarts). */
  dependsOn?: string[];
  /**
   * "transient" (the default): restarted when it crashes, is killed or hangs, not when it
   * finishes; "temporary": never restarted (OTP's restart types).
   */
  restart?: "transient" | "temporary";
  /**
   * KiB of memory kept for it across its restarts (ServiceBoot's `kept`): allocated at its
   * first start and handed to every instance after.
   */
  keptKiB?: number;
  /** Its restart policy, where it differs from the supervisor's defaults. */
  policy?: Partial<RestartPolicy>;
  /**
   * Deno permissions of its worker: none at all unless given here (hostfs alone reads files,
   * from the directories listed). An in-line service runs with the kernel's, which are none.
   */
  permissions?: WorkerPermissions;
  /** Settings handed to the service at start. */
  config?: ServiceConfig;
}

/** A row of the service table (/proc/services). */
export interface ServiceRow {
  name: string;
  state: "running" | "stopped" | "failed";
  restarts: number;
  uptimeMs: number;
  isolation: ServiceSpec["isolation"];
}

/** A started service. */
export interface RunningService {
  spec: ServiceSpec;
  party: Party;
  /** Resolves when the service ends: with the error that ended it, if one did. */
  done: Promise<Error | undefined>;
  /** Stops it (a worker is terminated); its peers see it die. */
  stop(): void;
  /** When it started (performance.now()). */
  startedMs: number;
  /** Its heartbeat word (abi/service.ts), for a worker; undefined in-line (it cannot hang alone). */
  heartbeat: Int32Array | undefined;
  /** Injects a fault; false if this isolation cannot have it (an in-line service hanging). */
  fault(fault: Fault): boolean;
}

const ROOT = new URL("../../", import.meta.url);
/**
 * How long after a worker service has restarted its standby (the worker for its next restart)
 * is made: the new instance has the host's cores to itself for its own start first.
 */
const STANDBY_DELAY_MS = 300;

/** Starts and supervises services. */
export class ServiceHost {
  readonly running = new Map<string, RunningService>();
  /** Starts per name, the first included (restarts = starts - 1). */
  private readonly starts = new Map<string, number>();
  private readonly failed = new Set<string>();
  /**
   * Workers made ahead of time, their module loaded and waiting for the boot message, one for
   * the next restart of each worker service that has restarted once (a restart then skips the
   * worker's start: 38 -> 14 ms for the rtc driver, 62 -> 29 ms for the VFS here; a service
   * that never fails costs nothing); and the timers that make them.
   */
  private readonly standby = new Map<string, WorkerLike>();
  private readonly standbyTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The memory each service keeps across its restarts, by name. */
  private readonly kept = new Map<string, SharedArrayBuffer>();
  private readonly ipc: IpcManager;
  /**
   * Told of a service ending, before its peers see it die (the supervisor: so that whoever
   * calls it then can already know it is coming back).
   */
  ending: (name: string) => void = () => {};

  constructor(private readonly host: ControlHost, private readonly workers: WorkerFactory) {
    this.ipc = host.ipc;
  }

  /** The service table: every service ever started, its state and restarts. */
  table(): ServiceRow[] {
    const now = performance.now();
    return [...this.starts].map(([name, starts]) => {
      const r = this.running.get(name);
      return {
        name,
        state: r ? "running" : this.failed.has(name) ? "failed" : "stopped",
        restarts: starts - 1,
        uptimeMs: r ? Math.round(now - r.startedMs) : 0,
        isolation: r?.spec.isolation ?? "worker",
      };
    });
  }

  /**
   * Starts `spec`; resolves once it is ready: it has registered its first name (or its main
   * function has already returned).
   */
  start(spec: ServiceSpec): Promise<RunningService> {
    if (this.running.has(spec.name)) throw new Error(`service ${spec.name} is running already`);
    this.starts.set(spec.name, (this.starts.get(spec.name) ?? 0) + 1);
    this.failed.delete(spec.name);
    return spec.isolation === "worker" ? this.startWorker(spec) : this.startInline(spec);
  }

  /** Gives a new party the deployment's grants. */
  private granted(party: Party, spec: ServiceSpec): Party {
    party.grants = { devices: spec.devices ?? [], privileges: spec.privileges ?? [] };
    return party;
  }

  /** Marks `name` failed (the supervisor gave up on it). */
  markFailed(name: string): void {
    this.failed.add(name);
  }

  /** Stops every service. */
  stopAll(): void {
    for (const t of this.standbyTimers.values()) clearTimeout(t);
    this.standbyTimers.clear();
    for (const w of this.standby.values()) w.terminate();
    this.standby.clear();
    for (const s of [...this.running.values()]) s.stop();
  }

  /** A worker for `spec`: its standby if one is ready, else a new one. */
  private workerFor(spec: ServiceSpec): WorkerLike {
    const ready = this.standby.get(spec.name);
    this.standby.delete(spec.name);
    return ready ?? this.workers(new URL(spec.module, ROOT), spec.permissions ?? "none");
  }

  /** After a restart of `spec`: makes the worker for its next one, STANDBY_DELAY_MS later. */
  private prepareStandby(spec: ServiceSpec): void {
    const name = spec.name;
    if (spec.restart === "temporary" || this.standby.has(name) || this.standbyTimers.has(name)) {
      return;
    }
    this.standbyTimers.set(
      name,
      setTimeout(() => {
        this.standbyTimers.delete(name);
        const worker = this.workers(new URL(spec.module, ROOT), spec.permissions ?? "none");
        worker.onerror = (e) => {
          e.preventDefault(); // its module failed to load: the restart makes a new worker
          if (this.standby.get(name) === worker) this.standby.delete(name);
          worker.terminate();
        };
        this.standby.set(name, worker);
      }, STANDBY_DELAY_MS),
    );
  }

  /**
   * A party for code running on the kernel's thread that is not a service module (tests,
   * benchmarks, tools): its in-line port, for the service library's `embedded`.
   */
  embeddedPort(name: string, config: ServiceConfig = {}): InlinePort {
    return this.inlinePort(name, config).port;
  }

  /**
   * A new in-line party and its port; `registered` resolves on its first registration,
   * `stopped()` tells the service's library that the party is gone.
   */
  private inlinePort(
    name: string,
    config: ServiceConfig,
    kept?: SharedArrayBuffer,
  ): { party: Party; port: InlinePort; registered: Promise<void>; stopped: () => void } {
    const listeners: Array<(a: Attachment) => void> = [];
    const stopListeners: Array<() => void> = [];
    const backlog: Attachment[] = [];
    let ready = () => {};
    const registered = new Promise<void>((resolve) => (ready = resolve));
    const party = this.ipc.serviceParty(name, (a) => {
      if (a.type === "endpoint") ready();
      if (listeners.length === 0) backlog.push(a);
      for (const l of listeners) l(a);
    });
    const port: InlinePort = {
      partyId: party.id,
      config,
      kept,
      control: (request) => executeControl(this.host, party, request),
      onAttach: (listener) => {
        listeners.push(listener);
        backlog.splice(0).forEach(listener);
      },
      onStop: (listener) => stopListeners.push(listener),
    };
    const stopped = () => stopListeners.splice(0).forEach((l) => l());
    return { party, port, registered, stopped };
  }

  /** The memory `spec` keeps across restarts (made at its first start), if it asks for any. */
  private keptFor(spec: ServiceSpec): SharedArrayBuffer | undefined {
    const kib = spec.keptKiB;
    if (kib === undefined) return undefined;
    if (!Number.isInteger(kib) || kib <= 0 || kib > 1024 * 1024) {
      throw new RangeError(`service ${spec.name}: keptKiB ${kib}`);
    }
    let kept = this.kept.get(spec.name);
    if (!kept) this.kept.set(spec.name, kept = new SharedArrayBuffer(kib * 1024));
    return kept;
  }

  /** Forgets `running` if it is still the service running under its name. */
  private forget(running: RunningService): void {
    if (this.running.get(running.spec.name) === running) this.running.delete(running.spec.name);
  }

  private async startWorker(spec: ServiceSpec): Promise<RunningService> {
    const worker = this.workerFor(spec);
    let ready = () => {};
    const registered = new Promise<void>((resolve) => (ready = resolve));
    const party = this.granted(
      this.ipc.serviceParty(spec.name, (attachment) => {
        if (attachment.type === "endpoint") ready();
        worker.postMessage({ type: "attach", attachment } satisfies ToService);
      }),
      spec,
    );
    const control = new Channel(Channel.allocate());
    const doorbell = new Int32Array(new SharedArrayBuffer(4));
    const heartbeat = new Int32Array(new SharedArrayBuffer(4 * HEARTBEAT.WORDS));
    let stopWatching = () => {};
    let settle = (_error?: Error) => {};
    const done = new Promise<Error | undefined>((resolve) => (settle = resolve));
    const stop = () => {
      if (this.running.get(spec.name) === running) this.ending(spec.name);
      stopWatching();
      worker.terminate();
      Atomics.store(heartbeat, HEARTBEAT.STOPPED, 1);
      Atomics.notify(heartbeat, HEARTBEAT.STOPPED);
      control.setState(RING_PEER_DEAD);
      this.ipc.partyDied(party);
      this.forget(running);
      ready();
      settle();
    };
    worker.onerror = (e) => {
      e.preventDefault();
      this.failed.add(spec.name);
      settle(new Error(`service ${spec.name} crashed: ${e.message}`));
      stop();
    };
    worker.onmessage = (e: MessageEvent<string>) => {
      if (e.data === SERVICE_FINISHED) stop();
    };
    worker.postMessage(
      {
        type: "boot",
        partyId: party.id,
        name: spec.name,
        config: spec.config ?? {},
        control: control.buffer,
        doorbell: doorbell.buffer as SharedArrayBuffer,
        heartbeat: heartbeat.buffer as SharedArrayBuffer,
        kept: this.keptFor(spec),
      } satisfies ToService,
    );
    const serve = () => {
      const seen = Atomics.load(doorbell, 0);
      this.drain(party, control);
      stopWatching = watchWord(doorbell, 0, seen, serve);
    };
    serve();
    const running: RunningService = {
      spec,
      party,
      done,
      stop,
      startedMs: performance.now(),
      heartbeat,
      fault: (fault) => {
        worker.postMessage({ type: "fault", fault } satisfies ToService);
        return true;
      },
    };
    const started = await this.track(running, registered);
    if ((this.starts.get(spec.name) ?? 0) > 1) this.prepareStandby(spec);
    return started;
  }

  /** Lists `running` under its name; resolves once it has registered (or has ended). */
  private async track(running: RunningService, registered: Promise<void>) {
    this.running.set(running.spec.name, running);
    await Promise.race([registered, running.done]);
    return running;
  }

  /**
   * Answers every control request waiting on `control`. A malformed record is dropped and
   * counted; if it carries a tag, the service is waiting for it and gets -EINVAL.
   */
  private drain(party: Party, control: Channel): void {
    for (;;) {
      const request = control.requests.pop();
      if (!request) return;
      if (request.malformed) {
        this.ipc.rejected++;
        if (request.tag) control.replies.pushMessage(malformedReply(request.tag), 0);
        continue;
      }
      const reply = executeControl(this.host, party, request);
      if (request.tag !== 0) control.replies.pushMessage(reply, 0); // one-way: posted
    }
  }

  private async startInline(spec: ServiceSpec): Promise<RunningService> {
    const { party, port, registered, stopped } = this.inlinePort(
      spec.name,
      spec.config ?? {},
      this.keptFor(spec),
    );
    this.granted(party, spec);
    const { default: start } = await import(new URL(spec.module, ROOT).href);
    if (typeof start !== "function") {
      throw new TypeError(`service ${spec.name}: ${spec.module} exports no service`);
    }
    let crashed: (e: Error) => void = () => {};
    const stop = () => {
      if (this.running.get(spec.name) === running) this.ending(spec.name);
      this.ipc.partyDied(party);
      this.forget(running);
      stopped();
    };
    const injected = new Promise<never>((_, reject) => (crashed = reject));
    const done = Promise.race([
      Promise.resolve().then(() => (start as InlineStart)(port)),
      injected,
    ])
      .then(
        () => {
          stop();
          return undefined;
        },
        (e: unknown) => {
          stop();
          this.failed.add(spec.name);
          return new Error(`service ${spec.name} crashed: ${e instanceof Error ? e.message : e}`);
        },
      );
    const running: RunningService = {
      spec,
      party,
      done,
      stop,
      startedMs: performance.now(),
      heartbeat: undefined,
      // An in-line service shares the kernel's thread: it can be made to crash (its party
      // dies and it is told to stop), not to hang alone.
      fault: (fault) => {
        if (fault === "hang") return false;
        crashed(new Error("crashed on request (an injected fault)"));
        return true;
      },
    };
    return await this.track(running, registered);
  }
}

/** The reply to a malformed control request. */
function malformedReply(tag: number): Message {
  return { label: -EINVAL, sender: 0, tag, handles: [], payload: new Uint8Array(0) };
}
