/**
 * What a booted system runs: the services of services/deploy.json (their modules, isolation,
 * devices and privileges), completed with the settings of this boot — which serial lines the
 * tty driver drives and whether a person is typing at them, what hostfs may read, what the VFS
 * mounts. The runner, the benchmarks and the tests all boot through here, so they run the same
 * system.
 */

import deploy from "../services/deploy.json" with { type: "json" };
import type { ServiceSpec } from "../kernel/ipc/service_host.ts";

/** The settings of one boot. */
export interface BootSettings {
  /** The directory hostfs serves as its root (and may read); undefined: no hostfs. */
  hostRoot?: string;
  /** Whether a disk is fitted (the block driver starts). */
  disk?: boolean;
  /** What the VFS mounts, root first ("TYPE SOURCE TARGET [OPTIONS]"). */
  mounts: string[];
  /** Whether the console's host end is a person at a terminal (cooked line discipline). */
  interactive?: boolean;
  /** Window size of the terminals. */
  rows?: number;
  cols?: number;
  /** Override every service's isolation (tests, benchmarks: the FlexOS choice). */
  isolation?: ServiceSpec["isolation"];
  /**
   * The shell, on the console or on serial line `term` (none: init runs a program, as `rv32`
   * does).
   */
  shell?: ShellSettings & { term?: number };
  /**
   * The web console's terminals: serial lines 1 to `terminals` (uart1, then the further lines),
   * each cooked (a person types there) with a shell of its own. A web shell's `exit` ends it and
   * the supervisor starts it again, as a getty would; only the first shell powers the system off.
   */
  web?: { shell: ShellSettings; terminals: number };
}

/** One shell's settings. */
export interface ShellSettings {
  interactive: boolean;
  env: string[];
  history?: string;
}

/** The name of the shell service on the web console's terminal `minor`. */
export function webShellName(minor: number): string {
  return `webshell${minor}`;
}

/** The minors of the web console's terminals. */
function webMinors(settings: BootSettings): number[] {
  return Array.from({ length: settings.web?.terminals ?? 0 }, (_, i) => i + 1);
}

/** The mounts of a system whose root is the host's file system (the qemu-like runner). */
export function hostMounts(disk: boolean): string[] {
  return [
    "hostfs / /",
    "devtmpfs - /dev",
    "proc - /proc",
    "tmpfs - /tmp union", // the host's /tmp shows through: a program may live there
    ...(disk ? ["ext2 block /mnt"] : []),
  ];
}

/** The mounts of a booted system: the root disk, with /dev, /proc and /tmp over it. */
export function rootMounts(hostDir: boolean): string[] {
  return [
    "ext2 block /",
    "devtmpfs - /dev",
    "proc - /proc",
    "tmpfs - /tmp",
    ...(hostDir ? ["hostfs / /host"] : []),
  ];
}

/** The service specs for a boot, in start order. */
export function services(settings: BootSettings): ServiceSpec[] {
  const out: ServiceSpec[] = [];
  for (const base of deploy.services as ServiceSpec[]) {
    const spec: ServiceSpec = { ...base, isolation: settings.isolation ?? base.isolation };
    switch (spec.name) {
      case "tty":
        spec.devices = [
          ...new Set([...spec.devices ?? ["uart0"], ...webMinors(settings).map((m) => `uart${m}`)]),
        ];
        spec.config = {
          lines: spec.devices,
          cooked: [...settings.interactive ? [0] : [], ...webMinors(settings)],
          rows: settings.rows ?? 24,
          cols: settings.cols ?? 80,
        };
        break;
      case "block":
        if (!settings.disk) continue;
        break;
      case "hostfs":
        if (settings.hostRoot === undefined) continue;
        spec.config = { root: settings.hostRoot };
        spec.permissions = { read: [settings.hostRoot] };
        break;
      case "vfs":
        spec.config = { mounts: settings.mounts };
        break;
      case "shell":
        for (const minor of webMinors(settings)) {
          const name = webShellName(minor);
          out.push({ ...spec, name, config: shellConfig(settings.web!.shell, minor, name, false) });
        }
        if (!settings.shell) continue;
        spec.config = shellConfig(settings.shell, settings.shell.term ?? 0, "shell", true);
        break;
    }
    out.push(spec);
  }
  return out;
}

function shellConfig(shell: ShellSettings, term: number, endpoint: string, powerOff: boolean) {
  return {
    term,
    interactive: shell.interactive,
    env: shell.env,
    endpoint,
    powerOff,
    ...shell.history ? { history: shell.history } : {},
  };
}
