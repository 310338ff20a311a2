/**
 * `deno task rv32 [options] FILE.elf [args...]`: boots the system — the kernel in its own
 * permission-less worker, the drivers, hostfs and the VFS as services — and runs a static RV32
 * Linux executable under init (PID 1), as `qemu-riscv32 FILE.elf [args...]` would: the root of
 * the program's file system is the host's (read-only, through hostfs), with /dev, /proc and a
 * /tmp in memory over it; its stdout and stdin are the console, its stderr the second serial
 * line, both on the host terminal.
 *
 * Options (before FILE):
 *   --cores N    number of harts (default 2), each on its own host worker
 *   --inline     run every hart on the kernel's thread, deterministically
 *   --root DIR   confine the programs' file system to DIR (FILE must be inside it)
 *   --disk IMG   fit IMG as the disk and mount its ext2 file system at /mnt
 *   --trace      write every system call to stderr
 *   --stats      print per-hart and per-process counters to stderr at the end
 *   --verbose    write other diagnostics (unknown system calls, failed execs) to stderr
 * The program's own output is all that reaches stdout. The exit status is the program's, or
 * 128 + the signal number if it was killed (as a shell reports it).
 */

import * as posix from "node:path/posix";
import { ElfError, parseElf } from "../kernel/elf.ts";
import { DiskImage } from "../machine/backends/disk_image.ts";
import type { BootRequest } from "../kernel/worker.ts";
import { runKernel } from "./kernel_host.ts";
import { hostMounts, services } from "./deploy.ts";

const USAGE = "usage: deno task rv32 [--cores N] [--inline] [--root DIR] [--disk IMG] " +
  "[--trace] [--stats] [--verbose] FILE.elf [args...]";
/** init, the first program (userland/src/init.c). */
const INIT = new URL("../userland/bin/init.elf", import.meta.url);

interface Cli {
  cores: number;
  inline: boolean;
  root: string | undefined;
  disk: string | undefined;
  trace: boolean;
  stats: boolean;
  verbose: boolean;
  file: string;
  args: string[];
}

function parse(args: string[]): Cli | undefined {
  const cli: Omit<Cli, "file" | "args"> = {
    cores: 2,
    inline: false,
    root: undefined,
    disk: undefined,
    trace: false,
    stats: false,
    verbose: false,
  };
  let n = 0;
  for (; n < args.length && args[n].startsWith("-"); n++) {
    const a = args[n];
    if (a === "--trace") cli.trace = true;
    else if (a === "--stats") cli.stats = true;
    else if (a === "--inline") cli.inline = true;
    else if (a === "--verbose" || a === "-v") cli.verbose = true;
    else if (a === "--root" && n + 1 < args.length) cli.root = args[++n];
    else if (a === "--disk" && n + 1 < args.length) cli.disk = args[++n];
    else if (a === "--cores" && n + 1 < args.length) cli.cores = Number(args[++n]);
    else if (a === "--") {
      n++;
      break;
    } else return undefined;
  }
  if (n >= args.length || !Number.isInteger(cli.cores) || cli.cores < 1 || cli.cores > 32) {
    return undefined;
  }
  return { ...cli, file: args[n], args: args.slice(n + 1) };
}

/** The program's path as init will exec it: inside the root when there is one. */
function programPath(cli: Cli): string {
  if (cli.root === undefined) return cli.file;
  const root = Deno.realPathSync(cli.root);
  const file = Deno.realPathSync(cli.file);
  const rel = posix.relative(root, file);
  if (rel.startsWith("..") || posix.isAbsolute(rel)) {
    throw new Error(`${cli.file} is outside --root ${cli.root}`);
  }
  return "/" + rel;
}

async function main(): Promise<number> {
  // `deno task` runs in the project's directory; the program and its files are where the user
  // is (npx and deno task name it in INIT_CWD), as for qemu-riscv32.
  Deno.chdir(Deno.env.get("INIT_CWD") ?? Deno.cwd());
  const cli = parse(Deno.args);
  if (!cli) {
    console.error(USAGE);
    return 2;
  }
  let program: string;
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(cli.file);
    program = programPath(cli);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound ? "No such file" : (e as Error).message;
    console.error(`rv32: ${cli.file}: ${why}`);
    return 127;
  }
  try {
    parseElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    console.error(`rv32: ${cli.file}: ${e.message}`);
    return 126;
  }
  let disk: DiskImage | undefined;
  if (cli.disk !== undefined) {
    try {
      disk = await DiskImage.open(cli.disk);
    } catch (e) {
      console.error(`rv32: ${(e as Error).message}`);
      return 1;
    }
  }
  const hostRoot = cli.root === undefined ? "/" : Deno.realPathSync(cli.root);
  const size = Deno.stdout.isTerminal() ? Deno.consoleSize() : { rows: 24, columns: 80 };
  const request: Omit<BootRequest, "disk" | "diskPort"> = {
    type: "boot",
    options: {
      harts: cli.cores,
      mode: cli.inline ? "inline" : "threads",
      trace: cli.trace,
      verbose: cli.verbose,
    },
    services: services({
      hostRoot,
      disk: disk !== undefined,
      mounts: hostMounts(disk !== undefined),
      interactive: Deno.stdin.isTerminal(),
      rows: size.rows,
      cols: size.columns,
    }),
    init: Deno.readFileSync(INIT),
    args: [program, ...cli.args],
    envp: Object.entries(Deno.env.toObject()).map(([k, v]) => `${k}=${v}`),
    cwd: cli.root === undefined ? Deno.cwd() : "/",
    stats: cli.stats,
  };
  const result = await runKernel(request, disk);
  if (result.type === "error") {
    console.error(`rv32: ${result.error}`);
    return 126;
  }
  return result.status;
}

Deno.exit(await main());
