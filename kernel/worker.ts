/**
 * Entry point of the kernel's own worker: the machine and the kernel run here, not on the main
 * thread, in a worker with no Deno permissions at all.
 *
 * The main thread (scripts/rv32.ts) is the host: it reads init's image and hands it over in
 * the boot message (as a boot loader would), owns the disk image and serves its transfers over
 * a port (machine/backends/remote_disk.ts), and creates the workers the kernel needs (harts,
 * services) on its behalf — Deno starts a worker created inside a worker about a second late —
 * relaying their set-up messages. After set-up, harts, services and kernel talk only through
 * shared memory. The terminal needs no permission: the serial lines' back ends read stdin and
 * write stdout and stderr from here. The exit status goes back by postMessage at the end.
 */

/// <reference lib="deno.worker" />

import { HostWallClock } from "../machine/backends/wall_clock.ts";
import { RemoteDisk, type RemoteDiskInfo } from "../machine/backends/remote_disk.ts";
import { LinkTerminal } from "../machine/backends/link_terminal.ts";
import { Terminal } from "../machine/backends/terminal.ts";
import type { WorkerFactory, WorkerLike, WorkerPermissions } from "../machine/workers.ts";
import { System } from "./boot.ts";
import { type FromConsole, serveConsole } from "./console_link.ts";
import type { ServiceSpec } from "./ipc/service_host.ts";
import { type KernelOptions, SpawnError } from "./kernel.ts";
import { formatStats } from "./stats.ts";

/** What the main thread sends first. */
export interface BootRequest {
  type: "boot";
  options: Pick<KernelOptions, "harts" | "mode" | "trace" | "verbose">;
  /** Services to start before init, in order. */
  services: ServiceSpec[];
  /** init's image, and its arguments (the program as init execs it, then its arguments). */
  init: Uint8Array;
  args: string[];
  envp: string[];
  /** The working directory, as the VFS names it. */
  cwd: string;
  /** The disk, served by the main thread over `diskPort`. */
  disk?: RemoteDiskInfo;
  diskPort?: MessagePort;
  /** Print per-hart and per-process counters on stderr at the end. */
  stats: boolean;
  /** The launch program's image (a system whose shell spawns processes). */
  launch?: Uint8Array;
  /** Write the boot log on stderr. */
  bootLog?: boolean;
  /**
   * The web console's link (kernel/console_link.ts): its `terminals` are serial line 1 (instead
   * of the host's stderr) and the further lines, and it may ask for the system's state and for
   * faults.
   */
  console?: { port: MessagePort; terminals: number };
}

/** Messages to the kernel worker: boot, then what the workers it asked for say. */
export type ToKernel =
  | BootRequest
  | { type: "worker-message"; id: number; data: unknown }
  | { type: "worker-error"; id: number; message: string };

/** The end: the exit status for the runner, or why the system could not boot. */
export type BootReply = { type: "exit"; status: number } | { type: "error"; error: string };

/** Messages from the kernel worker: worker requests, then the end. */
export type FromKernel =
  | { type: "spawn"; id: number; url: string; permissions: WorkerPermissions }
  | { type: "worker-post"; id: number; data: unknown }
  | { type: "worker-terminate"; id: number }
  | BootReply;

function post(message: FromKernel): void {
  self.postMessage(message);
}

const relayed = new Map<number, WorkerLike>();
let nextWorker = 1;

/** Workers created by the main thread, their messages relayed both ways. */
const relayedWorkers: WorkerFactory = (url, permissions = "none") => {
  const id = nextWorker++;
  const worker: WorkerLike = {
    onmessage: null,
    onerror: null,
    postMessage: (data) => post({ type: "worker-post", id, data }),
    terminate: () => {
      relayed.delete(id);
      post({ type: "worker-terminate", id });
    },
  };
  relayed.set(id, worker);
  post({ type: "spawn", id, url: url.href, permissions });
  return worker;
};

async function boot(req: BootRequest): Promise<void> {
  const console0 = new Terminal();
  const link = req.console?.port;
  const web = Array.from(
    { length: link ? req.console!.terminals : 0 },
    (_, term) =>
      new LinkTerminal((bytes) =>
        link!.postMessage({ type: "output", term, bytes } satisfies FromConsole)
      ),
  );
  const stderrLine = web.length === 0
    ? new Terminal({ output: "stderr", input: false })
    : undefined;
  const console1 = web[0] ?? stderrLine!;
  const disk = req.disk && req.diskPort ? new RemoteDisk(req.diskPort, req.disk) : undefined;
  let reply: BootReply;
  try {
    const system = await System.boot({
      ...req.options,
      workers: relayedWorkers,
      devices: {
        console: console0,
        serial1: console1,
        moreSerials: web.slice(1),
        disk,
        wallClock: new HostWallClock(),
      },
      services: req.services,
      init: req.init,
      args: req.args,
      envp: req.envp,
      cwd: req.cwd,
      stderrTerminal: 1,
      launch: req.launch,
      bootLog: req.bootLog ? (line) => console.error(`boot: ${line}`) : undefined,
    });
    if (link) {
      serveConsole(system.kernel, link, web.map((line, i) => ({ minor: i + 1, line })));
    }
    const exit = await system.run();
    if (req.stats) console.error(formatStats(system.kernel));
    reply = { type: "exit", status: exit.signal ? 128 + exit.signal : exit.status };
  } catch (e) {
    if (!(e instanceof SpawnError)) throw e;
    reply = { type: "error", error: e.message };
  } finally {
    await console0.close();
    await stderrLine?.close();
    for (const line of web) line.flush();
    link?.close();
    disk?.close();
  }
  post(reply);
}

self.onmessage = (event: MessageEvent<ToKernel>) => {
  const msg = event.data;
  if (msg.type === "boot") {
    boot(msg);
  } else if (msg.type === "worker-message") {
    relayed.get(msg.id)?.onmessage?.(new MessageEvent("message", { data: msg.data }));
  } else {
    relayed.get(msg.id)?.onerror?.(
      new ErrorEvent("error", { message: msg.message, cancelable: true }),
    );
  }
};
