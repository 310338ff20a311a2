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
  shell?: ShellSettings;
  /**
   * A second shell, on serial line 1, for the web console's terminal (a person types there: the
   * line starts cooked). Its `exit` ends that shell, which the supervisor starts again, as a
   * getty would; only the first shell's powers the system off.
   */
  webShell?: ShellSettings;
}

/** One shell's settings. */
export interface ShellSettings {
  interactive: boolean;
  env: string[];
  history?: string;
  term?: number;
}

/** The name of the web console's shell service. */
export const WEB_SHELL = "webshell";

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
        spec.config = {
          lines: spec.devices ?? ["uart0"],
          cooked: [
            ...settings.interactive ? [0] : [],
            ...settings.webShell ? [settings.webShell.term ?? 1] : [],
          ],
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
        if (settings.webShell) {
          out.push({
            ...spec,
            name: WEB_SHELL,
            config: shellConfig(settings.webShell, 1, WEB_SHELL, false),
          });
        }
        if (!settings.shell) continue;
        spec.config = shellConfig(settings.shell, 0, "shell", true);
        break;
    }
    out.push(spec);
  }
  return out;
}

function shellConfig(shell: ShellSettings, term: number, endpoint: string, powerOff: boolean) {
  return {
    term: shell.term ?? term,
    interactive: shell.interactive,
    env: shell.env,
    endpoint,
    powerOff,
    ...shell.history ? { history: shell.history } : {},
  };
}
