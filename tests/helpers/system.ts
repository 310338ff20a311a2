/**
 * Booting the whole system in a test: the machine with in-memory consoles (what a program
 * writes is kept; its input is scripted and ends with a hang-up, the end of file), the kernel,
 * the services of services/deploy.json — in-line by default, which is quicker, or as workers —
 * and init running a program, as `deno task rv32` does.
 */

import { isAbsolute, relative } from "node:path/posix";
import { BufferTerminal } from "../../machine/backends/buffer_terminal.ts";
import { HostWallClock } from "../../machine/backends/wall_clock.ts";
import type { BlockBackend } from "../../machine/block_device.ts";
import { System } from "../../kernel/boot.ts";
import type { ServiceSpec } from "../../kernel/ipc/service_host.ts";
import type { RestartPolicy } from "../../abi/service.ts";
import type { ExitInfo, HartMode, Kernel, KernelOptions } from "../../kernel/kernel.ts";
import { type BootSettings as DeploySettings, hostMounts, services } from "../../scripts/deploy.ts";

const INIT = new URL("../../userland/bin/init.elf", import.meta.url);
/** What the shell's jobs start from (userland/src/launch.c). */
const LAUNCH = new URL("../../userland/bin/launch.elf", import.meta.url);

/** How to boot. */
export interface BootSettings extends Omit<KernelOptions, "devices"> {
  mode?: HartMode;
  /** What the program reads on stdin (then end of file). */
  input?: string | Uint8Array;
  /** No end of file after the input: a read waits for more (for ever). */
  keepInputOpen?: boolean;
  /** Where services run (default in-line). */
  isolation?: ServiceSpec["isolation"];
  /** The console is a person at a terminal: it starts cooked (echo, editing, signals). */
  interactive?: boolean;
  /** hostfs's root (default "/": the host's files, read-only). */
  hostRoot?: string;
  /** A disk: its ext2 file system is mounted at /mnt unless `mounts` says otherwise. */
  disk?: BlockBackend;
  /** What the VFS mounts (default: the runner's). */
  mounts?: string[];
  /** The working directory (default: the test's, as seen inside hostRoot; / if outside it). */
  cwd?: string;
  envp?: string[];
  /** The restart policy of the system's services, where it differs from the default. */
  policy?: Partial<RestartPolicy>;
  /** Services to start after the system's own (a test's fixtures, echo). */
  extraServices?: ServiceSpec[];
  /** The shell service, beside init's program (on the second serial line, say). */
  shell?: DeploySettings["shell"];
  /** Whether the VFS keeps its journal in kept memory (default true; false for a benchmark). */
  journal?: boolean;
}

/** What a run left behind. */
export interface Run {
  out: string;
  err: string;
  exit: ExitInfo;
  /** The kernel's diagnostic lines. */
  log: string[];
  kernel: Kernel;
}

/** Boots a system whose init runs `argv` (argv[0]: the program's path). */
export async function bootProgram(argv: string[], settings: BootSettings = {}) {
  const console0 = new BufferTerminal();
  const console1 = new BufferTerminal();
  // Not hangup(): the terminal is not connected to its UART yet, so that would do nothing.
  console0.feed(settings.input ?? "", { hangup: !settings.keepInputOpen });
  const log: string[] = [];
  const system = await System.boot({
    mode: settings.mode ?? "inline",
    harts: settings.harts ?? 2,
    ramSizeBytes: settings.ramSizeBytes,
    trace: settings.trace,
    verbose: settings.verbose,
    maxProcesses: settings.maxProcesses,
    memoryLimitBytes: settings.memoryLimitBytes,
    log: settings.log ?? ((l) => log.push(l)),
    workers: settings.workers,
    devices: {
      console: console0,
      serial1: console1,
      disk: settings.disk,
      wallClock: new HostWallClock(),
    },
    services: [
      ...services({
        hostRoot: settings.hostRoot ?? "/",
        disk: settings.disk !== undefined,
        mounts: settings.mounts ?? hostMounts(settings.disk !== undefined),
        isolation: settings.isolation ?? "inline",
        interactive: settings.interactive ?? false,
        shell: settings.shell,
      }).map((spec) => ({
        ...spec,
        policy: settings.policy ?? spec.policy,
        keptKiB: settings.journal === false ? undefined : spec.keptKiB,
      })),
      ...settings.extraServices ?? [],
    ],
    init: Deno.readFileSync(INIT),
    launch: settings.shell ? Deno.readFileSync(LAUNCH) : undefined,
    args: argv,
    envp: settings.envp ?? ["LANG=C"],
    cwd: settings.cwd ?? defaultCwd(settings.hostRoot ?? "/"),
    stderrTerminal: 1,
  });
  return { system, console0, console1, log };
}

/**
 * The test's working directory as the system sees it through hostfs rooted at `hostRoot`; "/"
 * when it is outside that root (as `deno task rv32 --root` starts programs).
 */
function defaultCwd(hostRoot: string): string {
  const root = Deno.realPathSync(hostRoot);
  const rel = relative(root, Deno.realPathSync(Deno.cwd()));
  return rel.startsWith("..") || isAbsolute(rel) ? "/" : `/${rel}`;
}

/** Runs `argv` to the end on a fresh system. */
export async function runProgram(argv: string[], settings: BootSettings = {}): Promise<Run> {
  const { system, console0, console1, log } = await bootProgram(argv, settings);
  const exit = await system.run();
  return { out: console0.text(), err: console1.text(), exit, log, kernel: system.kernel };
}
