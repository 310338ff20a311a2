/**
 * `deno task rv32 [options] FILE.elf [args...]`: runs a static RV32 Linux executable in U-mode
 * on the emulated machine, as `qemu-riscv32 FILE.elf [args...]` would.
 *
 * Options (before FILE): --root DIR confines the program's file system to DIR; --trace writes
 * every system call to stderr; --verbose writes other diagnostics (unknown system calls) to
 * stderr. The program's own output is all that reaches stdout. The exit status is the
 * program's, or 128 + the signal number if it was killed (as a shell reports it).
 */

import { Kernel, SpawnError } from "../kernel/kernel.ts";

const USAGE = "usage: deno task rv32 [--root DIR] [--trace] [--verbose] FILE.elf [args...]";

function parse(args: string[]) {
  const opts = { root: undefined as string | undefined, trace: false, verbose: false };
  let n = 0;
  for (; n < args.length && args[n].startsWith("-"); n++) {
    const a = args[n];
    if (a === "--trace") opts.trace = true;
    else if (a === "--verbose" || a === "-v") opts.verbose = true;
    else if (a === "--root" && n + 1 < args.length) opts.root = args[++n];
    else if (a.startsWith("--root=")) opts.root = a.slice("--root=".length);
    else if (a === "--") {
      n++;
      break;
    } else return undefined;
  }
  if (n >= args.length) return undefined;
  return { ...opts, file: args[n], argv: args.slice(n) };
}

async function main(): Promise<number> {
  const cli = parse(Deno.args);
  if (!cli) {
    console.error(USAGE);
    return 2;
  }
  let kernel: Kernel;
  try {
    kernel = new Kernel({ hostRoot: cli.root, trace: cli.trace, verbose: cli.verbose });
  } catch (e) {
    console.error(`rv32: --root ${cli.root}: ${e instanceof Error ? e.message : e}`);
    return 2;
  }
  const envp = Object.entries(Deno.env.toObject()).map(([k, v]) => `${k}=${v}`);
  try {
    const proc = kernel.spawn(cli.file, cli.argv, envp);
    const exit = await kernel.run(proc);
    return exit.signal ? 128 + exit.signal : exit.status;
  } catch (e) {
    if (!(e instanceof SpawnError)) throw e;
    console.error(`rv32: ${e.message}`);
    return e.message.includes("No such file") ? 127 : 126;
  }
}

Deno.exit(await main());
