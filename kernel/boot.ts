/**
 * Booting: the machine and the kernel, then the services, each once those it depends on have
 * started (the drivers together, then the VFS that needs them), then init as PID 1 — and, when init exits, stopping: the file systems
 * synced, the services stopped, the machine's host activity ended.
 *
 * Whoever boots (the kernel worker for `deno task rv32`, a test) gives the devices' host back
 * ends, the services to start and init's image: the kernel itself reads no host file. Init
 * starts with descriptors 0 and 1 on the console (ttyS0, its controlling terminal: init leads
 * session 1) and 2 on the console or the second serial line, and with the working directory
 * the VFS resolves from `cwd`.
 */

import { encodePayload } from "../abi/codec.ts";
import { RTC, RTC_ENDPOINT } from "../abi/rtc.ts";
import { TERM, TTY, TTY_ENDPOINT } from "../abi/tty.ts";
import { RESOLVE, VFS, VFS_ENDPOINT } from "../abi/vfs.ts";
import { decodePayload } from "../abi/codec.ts";
import { Clock } from "../machine/clock.ts";
import { deviceStat, TtyFile, ttysDev } from "./chardev.ts";
import { O_RDWR, O_WRONLY } from "./file.ts";
import type { ServiceSpec } from "./ipc/service_host.ts";
import { type ExitInfo, Kernel, type KernelOptions, SpawnError } from "./kernel.ts";
import type { Cwd } from "./proc.ts";
import { nodeOf, PATH_MAX, stagePaths } from "./vfs_client.ts";

/** What a boot needs. */
export interface BootOptions extends KernelOptions {
  /** The services, in the order they start. */
  services: ServiceSpec[];
  /** init's ELF image. */
  init: Uint8Array;
  /** init's arguments after argv[0] (for the runner: the program and its arguments). */
  args: string[];
  envp: string[];
  /** init's working directory, as a path in the VFS. */
  cwd: string;
  /** Where descriptor 2 goes: the console (0, default) or the second serial line (1). */
  stderrTerminal?: number;
  /** The launch program's image: what processes spawned for services start from. */
  launch?: Uint8Array;
  /** Told each boot step and how long it took (the boot log). */
  bootLog?: (line: string) => void;
}

/** A booted system. */
export class System {
  private constructor(readonly kernel: Kernel) {}

  /** Boots: SpawnError if a service or init cannot start. */
  static async boot(options: BootOptions): Promise<System> {
    let t = performance.now();
    const step = (what: string) => {
      const now = performance.now();
      options.bootLog?.(`${what} (${(now - t).toFixed(1)} ms)`);
      t = now;
    };
    const k = new Kernel(options);
    k.launcher.setImage(options.launch);
    step(`machine: ${options.harts ?? 1} harts, ${options.mode ?? "threads"}; kernel`);
    const system = new System(k);
    const start = async (spec: ServiceSpec) => {
      const running = await k.supervisor.start(spec);
      if (!running.party.alive) {
        const why = await running.done;
        throw new SpawnError(`service ${spec.name} did not start: ${why?.message ?? "it ended"}`);
      }
      step(`service ${spec.name} (${spec.isolation})`);
      k.info(`service ${spec.name} started (${spec.isolation})`);
    };
    try {
      // Each service starts once the services it depends on (of this boot) have: the drivers
      // and hostfs together, then the VFS.
      const started = new Map<string, Promise<unknown>>();
      for (const spec of options.services.filter((s) => !s.afterInit)) {
        const deps = (spec.dependsOn ?? []).flatMap((d) => started.get(d) ?? []);
        started.set(spec.name, Promise.all(deps).then(() => start(spec)));
      }
      await Promise.all(started.values());
      await system.setClock();
      const cwd = await system.resolveCwd(options.cwd);
      const stdio = await system.console(options.stderrTerminal ?? 0);
      k.spawn(options.init, "/sbin/init", ["init", ...options.args], options.envp, stdio, cwd);
      k.info("run /sbin/init as init process");
      step("init");
      for (const spec of options.services) if (spec.afterInit) await start(spec);
    } catch (e) {
      await system.stop();
      throw e;
    }
    return system;
  }

  /** Runs until init exits; then syncs and stops everything. */
  async run(): Promise<ExitInfo> {
    try {
      return await this.kernel.run();
    } finally {
      await this.stop();
    }
  }

  /** CLOCK_REALTIME from the rtc driver, if one runs. */
  private async setClock(): Promise<void> {
    const k = this.kernel;
    if (!k.client.serving(RTC_ENDPOINT)) return;
    const { reply } = await k.client.request(RTC_ENDPOINT, RTC.time.label, () => new Uint8Array(0));
    if (reply.label < 0) return;
    const ns = decodePayload(RTC.time.reply, reply.payload);
    k.realtimeOffsetNs = ns - BigInt(Math.round(Clock.ticksToMs(k.mtime()) * 1e6));
  }

  /** The working directory `path` as the VFS resolves it. */
  private async resolveCwd(path: string): Promise<Cwd> {
    const k = this.kernel;
    if (!k.client.serving(VFS_ENDPOINT)) throw new SpawnError("the VFS is not running");
    const bytes = new TextEncoder().encode(path);
    const stage = stagePaths(bytes);
    const { reply, slot } = await k.client.request(
      VFS_ENDPOINT,
      VFS.realpath.label,
      (data) =>
        encodePayload(VFS.realpath.request, {
          base: k.vfs.root,
          flags: RESOLVE.FOLLOW | RESOLVE.DIRECTORY,
          pathBytes: bytes.length,
          data,
        }),
      { bytes: PATH_MAX, fill: stage.fill },
    );
    if (reply.label < 0) throw new SpawnError(`working directory ${path}: errno ${-reply.label}`);
    const { attr, length } = decodePayload(VFS.realpath.reply, reply.payload);
    return { node: nodeOf(attr), path: new TextDecoder().decode(slot.subarray(0, length)) };
  }

  /** init's descriptors 0-2: the console, which becomes session 1's controlling terminal. */
  private async console(stderrTerminal: number) {
    const k = this.kernel;
    if (!k.client.serving(TTY_ENDPOINT)) throw new SpawnError("the tty driver is not running");
    const { reply } = await k.client.request(
      TTY_ENDPOINT,
      TTY.open.label,
      () =>
        encodePayload(TTY.open.request, {
          term: TERM.TTYS0,
          caller: { pid: 1, pgid: 1, sid: 1 },
          noctty: 0,
        }),
    );
    if (reply.label < 0) throw new SpawnError(`the console: errno ${-reply.label}`);
    const console = new TtyFile(k.tty, TERM.TTYS0, O_RDWR, deviceStat(ttysDev(0)), "/dev/console");
    const err = stderrTerminal === 0
      ? new TtyFile(
        k.tty,
        TERM.TTYS0,
        O_RDWR,
        deviceStat(ttysDev(0)),
        "/dev/console",
      )
      : new TtyFile(k.tty, stderrTerminal, O_WRONLY, deviceStat(ttysDev(1)), "/dev/ttyS1");
    return [console, console, err] as [TtyFile, TtyFile, TtyFile];
  }

  /** Makes the file systems durable and stops the services and the machine. */
  async stop(): Promise<void> {
    const k = this.kernel;
    if (k.client.serving(VFS_ENDPOINT)) {
      try {
        await k.client.request(VFS_ENDPOINT, VFS.sync.label, () => new Uint8Array(0));
      } catch (e) {
        k.log(`shutdown: sync failed: ${e instanceof Error ? e.message : e}`);
      }
    }
    k.supervisor.stopAll();
    k.client.close();
    k.machine.close();
  }
}
