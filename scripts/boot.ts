/**
 * `deno task boot [options]`: boots denix to a shell. The root file system is an ext2 disk
 * image made on first use by the project's own mkfs (kept in .denix/, reused after): /bin holds
 * the commands (userland/coreutils) and sqlite (when built: `deno task build:sqlite`), /usr/bin
 * the other programs, with /etc, /root (the home
 * directory), and mount points for /dev, /proc, /tmp and /host. The kernel runs in its own
 * permission-less worker; the drivers, the VFS and the shell are services; init is PID 1.
 *
 * At a terminal the shell prompts and edits lines; otherwise it runs the lines it reads with no
 * prompt and the boot exits with the last status (`printf 'ls /bin\n' | deno task boot`).
 * `exit`, ^D or `poweroff` syncs the disk and ends the boot. The boot log (each step and its
 * time) goes to stderr at a terminal, or with --log.
 *
 * Options:
 *   --cores N          harts (default 2)
 *   --inline           every hart on the kernel's thread
 *   --disk FILE        the root disk image (default .denix/root.img)
 *   --fresh            make a new root image first
 *   --mount-host DIR   DIR of the host, read-only, at /host (hostfs)
 *   --log / --quiet    the boot log on stderr, or not
 *   --web              also serve the web console (`deno task web`: it needs network and the
 *                      bundler): its terminal on serial line 1 with a shell of its own, live views
 *   --port N           the web console's port on 127.0.0.1 (default 8022; 0: any free one)
 *
 * With --web the console's URL, with its token, is printed on stderr at start.
 */

import { DiskImage } from "../machine/backends/disk_image.ts";
import { UART_EXTRA } from "../machine/memory_map.ts";
import type { BootReply, BootRequest } from "../kernel/worker.ts";
import { type TreeNode } from "../services/vfs/ext2/mkfs.ts";
import { makeExt2Image } from "../services/vfs/ext2/mkfs.ts";
import { builtSqlite } from "./sqlite.ts";
import { rootMounts, services } from "./deploy.ts";
import { runKernel } from "./kernel_host.ts";
import { KernelLink } from "../web/kernel_link.ts";
import { serveConsole } from "../web/server.ts";

const USAGE = "usage: deno task boot [--cores N] [--inline] [--disk FILE] [--fresh] " +
  "[--mount-host DIR] [--log|--quiet] [--web [--port N]]";
/** The web console's default port. */
const WEB_PORT = 8022;
/** The web console's terminals: uart1 and the further serial lines. */
const WEB_TERMINALS = 1 + UART_EXTRA;
const ROOT = new URL("..", import.meta.url);
const BIN = new URL("userland/bin/", ROOT);
const COREUTILS = new URL("userland/coreutils/", ROOT);
const DEFAULT_DISK = new URL(".denix/root.img", ROOT);
const MIB = 1 << 20;
/** The root image's size: room for the programs and for what users write. */
const ROOT_IMAGE_BYTES = 256 * MIB;

interface Cli {
  cores: number;
  inline: boolean;
  disk: string;
  fresh: boolean;
  hostDir: string | undefined;
  log: boolean;
  web: boolean;
  port: number;
}

function parse(args: string[]): Cli | undefined {
  const cli: Cli = {
    cores: 2,
    inline: false,
    disk: DEFAULT_DISK.pathname,
    fresh: false,
    hostDir: undefined,
    log: Deno.stderr.isTerminal(),
    web: false,
    port: WEB_PORT,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--inline") cli.inline = true;
    else if (a === "--fresh") cli.fresh = true;
    else if (a === "--log") cli.log = true;
    else if (a === "--quiet") cli.log = false;
    else if (a === "--cores" && i + 1 < args.length) cli.cores = Number(args[++i]);
    else if (a === "--disk" && i + 1 < args.length) cli.disk = args[++i];
    else if (a === "--mount-host" && i + 1 < args.length) cli.hostDir = args[++i];
    else if (a === "--web") cli.web = true;
    else if (a === "--port" && i + 1 < args.length) cli.port = Number(args[++i]);
    else return undefined;
  }
  if (!Number.isInteger(cli.cores) || cli.cores < 1 || cli.cores > 32) return undefined;
  if (!Number.isInteger(cli.port) || cli.port < 0 || cli.port > 65535) return undefined;
  return cli;
}

/** The names of the commands: userland/coreutils/NAME.c. */
function commandNames(): Set<string> {
  const names = new Set<string>();
  for (const e of Deno.readDirSync(COREUTILS)) {
    if (e.isFile && e.name.endsWith(".c")) names.add(e.name.slice(0, -2));
  }
  return names;
}

/** What a fresh root disk holds: the project's programs, and `extraBin` in /bin. */
export function rootTree(extraBin: Record<string, TreeNode> = {}): Record<string, TreeNode> {
  const commands = commandNames();
  const bin: Record<string, TreeNode> = {};
  const usrBin: Record<string, TreeNode> = {};
  const sbin: Record<string, TreeNode> = {};
  for (const e of Deno.readDirSync(BIN)) {
    if (!e.isFile || !e.name.endsWith(".elf")) continue;
    const name = e.name.slice(0, -4);
    if (name.startsWith("isa_") || name.startsWith("bench_")) continue;
    const file: TreeNode = {
      kind: "file",
      data: Deno.readFileSync(new URL(e.name, BIN)),
      mode: 0o755,
    };
    if (name === "init" || name === "launch") sbin[name] = file;
    else if (commands.has(name)) bin[name] = file;
    else usrBin[name] = file;
  }
  const text = (s: string): TreeNode => ({ kind: "file", data: new TextEncoder().encode(s) });
  return {
    bin: { kind: "dir", entries: { ...bin, ...extraBin } },
    sbin: { kind: "dir", entries: sbin },
    usr: { kind: "dir", entries: { bin: { kind: "dir", entries: usrBin } } },
    etc: {
      kind: "dir",
      entries: {
        passwd: text("root:x:0:0:root:/root:/bin/sh\n"),
        group: text("root:x:0:\n"),
        hostname: text("denix\n"),
      },
    },
    root: { kind: "dir", entries: {}, mode: 0o700 },
    tmp: { kind: "dir", entries: {}, mode: 0o1777 },
    dev: { kind: "dir", entries: {} },
    proc: { kind: "dir", entries: {} },
    host: { kind: "dir", entries: {} },
    mnt: { kind: "dir", entries: {} },
  };
}

/** How `ensureRootImage` went. */
export interface RootImage {
  made: boolean;
  /** Whether a new image has /bin/sqlite (SQLite is built apart: scripts/sqlite.ts). */
  sqlite: boolean;
}

/** Makes the root image at `path` unless it exists (or `fresh`). */
export async function ensureRootImage(path: string, fresh: boolean): Promise<RootImage> {
  if (!fresh) {
    try {
      Deno.statSync(path);
      return { made: false, sqlite: false };
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  const dir = path.slice(0, path.lastIndexOf("/"));
  if (dir) Deno.mkdirSync(dir, { recursive: true });
  const sqlite = await builtSqlite();
  const extraBin: Record<string, TreeNode> = sqlite
    ? { sqlite: { kind: "file", data: Deno.readFileSync(sqlite.elf), mode: 0o755 } }
    : {};
  const image = await makeExt2Image({
    sizeBytes: ROOT_IMAGE_BYTES,
    root: rootTree(extraBin),
    volumeName: "denix-root",
  });
  Deno.writeFileSync(path, image);
  return { made: true, sqlite: sqlite !== undefined };
}

async function main(): Promise<number> {
  const cli = parse(Deno.args);
  if (!cli) {
    console.error(USAGE);
    return 2;
  }
  if (
    cli.web && Deno.permissions.querySync({ name: "net", host: "127.0.0.1" }).state !== "granted"
  ) {
    console.error("boot: --web serves on 127.0.0.1 and needs that permission: `deno task web`");
    return 2;
  }
  const t0 = performance.now();
  const log = (line: string) => {
    if (cli.log) console.error(`boot: ${line}`);
  };
  let disk: DiskImage;
  try {
    const { made, sqlite } = await ensureRootImage(cli.disk, cli.fresh);
    log(
      `root disk ${cli.disk}${made ? " (made)" : ""} (${(performance.now() - t0).toFixed(1)} ms)`,
    );
    if (made && !sqlite) {
      log("no /bin/sqlite: `deno task build:sqlite`, then boot with --fresh, puts it there");
    }
    disk = await DiskImage.open(cli.disk);
  } catch (e) {
    console.error(`boot: ${e instanceof Error ? e.message : e}`);
    return 1;
  }
  const interactive = Deno.stdin.isTerminal();
  const size = Deno.stdout.isTerminal() ? Deno.consoleSize() : { rows: 24, columns: 80 };
  const hostRoot = cli.hostDir === undefined ? undefined : Deno.realPathSync(cli.hostDir);
  const env = [
    "PATH=/bin:/usr/bin",
    "HOME=/root",
    "PWD=/root",
    "USER=root",
    "SHELL=/bin/sh",
    `TERM=${Deno.env.get("TERM") ?? "vt100"}`,
    "LANG=C",
  ];
  const request: Omit<BootRequest, "disk" | "diskPort"> = {
    type: "boot",
    options: { harts: cli.cores, mode: cli.inline ? "inline" : "threads" },
    services: services({
      hostRoot,
      disk: true,
      mounts: rootMounts(hostRoot !== undefined),
      interactive,
      rows: size.rows,
      cols: size.columns,
      shell: { interactive, env, history: "/root/.sh_history" },
      web: cli.web
        ? {
          shell: {
            interactive: true,
            env: env.map((e) => e.startsWith("TERM=") ? "TERM=xterm" : e),
          },
          terminals: WEB_TERMINALS,
        }
        : undefined,
    }),
    init: Deno.readFileSync(new URL("init.elf", BIN)),
    launch: Deno.readFileSync(new URL("launch.elf", BIN)),
    args: [],
    envp: ["PATH=/bin:/usr/bin", "HOME=/root"],
    cwd: "/",
    stats: false,
    bootLog: cli.log,
  };
  let result: BootReply;
  if (cli.web) {
    const channel = new MessageChannel();
    const web = await serveConsole(new KernelLink(channel.port1, WEB_TERMINALS), cli.port);
    console.error(`web console: ${web.url}`);
    try {
      result = await runKernel(request, disk, { port: channel.port2, terminals: WEB_TERMINALS });
    } finally {
      await web.shutdown();
      channel.port1.close();
    }
  } else {
    result = await runKernel(request, disk);
  }
  if (result.type === "error") {
    console.error(`boot: ${result.error}`);
    return 1;
  }
  return result.status;
}

if (import.meta.main) Deno.exit(await main());
