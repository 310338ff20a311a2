/**
 * The supervisor (MINIX's reincarnation server, OTP's supervisor): starts the services, sees
 * one end — it crashed (its worker's error event), was killed, or hangs (its heartbeat,
 * abi/service.ts, stopped for `hangMs`) — and restarts it alone, by its policy (a service
 * whose main function returned has finished, and stays down): at once the
 * first time, then after an exponential backoff; more than `intensity` restarts within
 * `periodMs` and it is marked failed and left down (escalation), which is logged, as every
 * restart is, with its cause. The services that depend on it are named in the log; they, and
 * the kernel, find the new instance themselves (their clients reconnect to an endpoint's next
 * server).
 *
 * The fault tool (`svc` in the shell, the torture suite) reaches the services through here:
 * kill (terminate at once), crash, hang, restart.
 */

import { type Fault, HEARTBEAT, type RestartPolicy } from "../abi/service.ts";
import type { RunningService, ServiceHost, ServiceSpec } from "./ipc/service_host.ts";

export const DEFAULT_POLICY: RestartPolicy = {
  intensity: 10,
  periodMs: 10_000,
  backoffBaseMs: 10,
  backoffMaxMs: 1000,
  hangMs: 500,
};

/** How often heartbeats are looked at. */
const CHECK_MS = 50;
/**
 * A heartbeat must also have stood still through this many checks: time alone could be a
 * starved host (the checks themselves late), not a hung service.
 */
const STILL_CHECKS = 3;
/** How long a restarted instance may take to start before it is stopped and tried again. */
const START_MS = 3000;
/** Restart records kept. */
const LOG_MAX = 1000;

/** One restart (or the escalation that ended them). */
export interface RestartRecord {
  name: string;
  cause: string;
  /** When the end was seen, and when the new instance was serving (performance.now()). */
  downAtMs: number;
  upAtMs: number | undefined;
}

export interface SupervisorHost {
  services: ServiceHost;
  /** A line for the kernel log. */
  log(line: string): void;
  /** `name` is serving again, or given up on: its waiting clients try again. */
  back(name: string): void;
}

export class Supervisor {
  readonly restarts: RestartRecord[] = [];
  private readonly specs = new Map<string, ServiceSpec>();
  private readonly recent = new Map<string, number[]>();
  private readonly causes = new Map<string, string>();
  /** Why a service we are about to stop ends (a kill, a hang), by name. */
  private readonly pending = new Map<string, string>();
  /** Each worker's last heartbeat value, since when it stood, and how many checks saw it. */
  private readonly beats = new Map<string, { value: number; sinceMs: number; checks: number }>();
  /** Services ended and not yet serving again (nor given up on). */
  private readonly down = new Set<string>();
  /** The instances that have started (registered their name). */
  private readonly started = new Set<RunningService>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopping = false;

  constructor(private readonly host: SupervisorHost) {
    host.services.ending = (name) => {
      const spec = this.specs.get(name);
      if (!this.stopping && spec && spec.restart !== "temporary") this.down.add(name);
    };
  }

  /** `name`'s policy: the defaults, with what its spec overrides. */
  private policyOf(name: string): RestartPolicy {
    return { ...DEFAULT_POLICY, ...this.specs.get(name)?.policy };
  }

  /** Starts `spec` and supervises it from now on. */
  async start(spec: ServiceSpec): Promise<RunningService> {
    this.specs.set(spec.name, spec);
    const running = await this.host.services.start(spec);
    this.started.add(running);
    this.watch(running);
    this.timer ??= setInterval(() => this.checkHeartbeats(), CHECK_MS);
    return running;
  }

  /** Whether `name` is down and will be restarted. */
  restarting(name: string): boolean {
    return this.down.has(name);
  }

  /** The last cause of a restart of `name`, if any. */
  cause(name: string): string | undefined {
    return this.causes.get(name);
  }

  /** Kills `name` at once (its worker terminated): false if it is not running. */
  kill(name: string): boolean {
    return this.stopWith(name, "killed");
  }

  /** Injects a crash or a hang; false if not running, or if its isolation cannot have it. */
  fault(name: string, fault: Fault): boolean {
    const r = this.host.services.running.get(name);
    return r !== undefined && r.fault(fault);
  }

  /** Restarts `name` now (stopped first if it runs); false if it is not supervised. */
  restart(name: string): boolean {
    if (!this.specs.has(name)) return false;
    if (!this.stopWith(name, "restarted on request")) {
      this.causes.set(name, "restarted on request");
      this.relaunch(name, "restarted on request", performance.now());
    }
    return true;
  }

  /** Stops supervising and stops every service. */
  stopAll(): void {
    this.stopping = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.host.services.stopAll();
  }

  private stopWith(name: string, cause: string): boolean {
    const r = this.host.services.running.get(name);
    if (!r) return false;
    this.pending.set(name, cause);
    r.stop();
    return true;
  }

  private watch(running: RunningService): void {
    const name = running.spec.name;
    this.beats.delete(name);
    running.done.then((error) => {
      this.started.delete(running);
      if (this.stopping || this.host.services.running.has(name)) return;
      const cause = this.pending.get(name) ?? error?.message;
      this.pending.delete(name);
      // A service whose main function returned has finished its work (the shell at the end
      // of its input): it is not restarted — OTP's "transient" children.
      if (cause === undefined) {
        this.host.log(`supervisor: ${name} exited`);
        this.up(name);
      } else this.ended(name, cause);
    });
  }

  /** A service ended: restart it by the policy, or give up on it. */
  private ended(name: string, cause: string): void {
    const now = performance.now();
    this.causes.set(name, cause);
    if (this.specs.get(name)?.restart === "temporary") {
      this.host.log(`supervisor: ${name} ended (${cause}); temporary: not restarted`);
      this.up(name);
      return;
    }
    const p = this.policyOf(name);
    const recent = (this.recent.get(name) ?? []).filter((t) => now - t < p.periodMs);
    if (recent.length >= p.intensity) {
      this.up(name);
      this.host.services.markFailed(name);
      this.record({
        name,
        cause: `failed: ${recent.length} restarts in ${p.periodMs} ms`,
        downAtMs: now,
        upAtMs: undefined,
      });
      this.host.log(
        `supervisor: ${name} failed (${cause}; ${recent.length} restarts in ${p.periodMs} ms)` +
          this.dependents(name),
      );
      return;
    }
    recent.push(now);
    this.recent.set(name, recent);
    this.down.add(name);
    const delay = recent.length === 1
      ? 0
      : Math.min(p.backoffMaxMs, p.backoffBaseMs * 2 ** (recent.length - 2));
    if (delay === 0) this.relaunch(name, cause, now);
    else setTimeout(() => this.relaunch(name, cause, now), delay);
  }

  /** `name` is no longer down: serving, or given up on. */
  private up(name: string): void {
    this.down.delete(name);
    this.host.back(name);
  }

  private relaunch(name: string, cause: string, downAtMs: number): void {
    if (this.stopping) return;
    this.down.add(name);
    const spec = this.specs.get(name)!;
    const record: RestartRecord = { name, cause, downAtMs, upAtMs: undefined };
    this.record(record);
    // A new instance that has not started (registered) in time is stopped and tried again:
    // it may wait on a peer that is itself restarting.
    const timer = setTimeout(() => {
      if (record.upAtMs === undefined && !this.stopping) {
        this.stopWith(name, `did not start within ${START_MS} ms`);
      }
    }, START_MS);
    // (start throws at once if the name is taken: as a rejection, it is handled below.)
    Promise.resolve().then(() => this.host.services.start(spec)).finally(() => clearTimeout(timer))
      .then(
        (running) => {
          record.upAtMs = performance.now();
          this.up(name);
          this.host.log(
            `supervisor: ${name} restarted (${cause}) in ${
              (record.upAtMs - downAtMs).toFixed(1)
            } ms` +
              this.dependents(name),
          );
          if (!running.party.alive) {
            running.done.then((e) => this.ended(name, e?.message ?? "ended as it started"));
          } else {
            this.started.add(running);
            this.watch(running);
          }
        },
        (e) => {
          this.down.delete(name);
          this.ended(name, `restart failed: ${e instanceof Error ? e.message : e}`);
        },
      );
  }

  private dependents(name: string): string {
    const names = [...this.specs.values()].filter((s) => s.dependsOn?.includes(name))
      .map((s) => s.name);
    return names.length > 0 ? `; dependents: ${names.join(", ")}` : "";
  }

  private record(r: RestartRecord): void {
    this.restarts.push(r);
    if (this.restarts.length > LOG_MAX) this.restarts.shift();
  }

  /** A worker whose heartbeat stood still for `hangMs` is hung: it is stopped, and restarted. */
  private checkHeartbeats(): void {
    const now = performance.now();
    for (const [name, r] of this.host.services.running) {
      if (!r.heartbeat) continue;
      const value = Atomics.load(r.heartbeat, HEARTBEAT.BEAT);
      // Still starting: judged only once its loop has begun to beat (loading the module, the
      // first time, it cannot beat yet).
      if (!this.started.has(r) && value === 0) continue;
      const seen = this.beats.get(name);
      if (!seen || seen.value !== value) {
        this.beats.set(name, { value, sinceMs: now, checks: 0 });
      } else if (
        ++seen.checks >= STILL_CHECKS && now - seen.sinceMs >= this.policyOf(name).hangMs
      ) {
        this.beats.delete(name);
        this.stopWith(name, `hung (no heartbeat for ${Math.round(now - seen.sinceMs)} ms)`);
      }
    }
  }
}
