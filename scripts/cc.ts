/**
 * `deno task cc [options] FILE…` (or scripts/denix-cc, for `make CC=…`): a cross `cc` for
 * denix. It takes what cc takes — sources and objects, `-c`, `-S`, `-E`, `-o`, `-I`, `-D`,
 * `-O`, `-l`, `-L`, `-W…` — and builds a static RV32 Linux executable that runs on denix (and
 * under qemu-riscv32): each source is compiled for the target against picolibc and our headers,
 * then linked with our crt0, the picolibc hooks on Linux system calls and the linker script
 * (scripts/toolchain.ts: the same as the project's own programs). The sysroot is built once
 * per version of userland/lib and kept in .denix/sdk/. The Debian toolchain is installed when
 * missing. docs/SDK.md has the rest.
 */

import { ensureDebianPackages } from "./deps.ts";
import {
  BuildError,
  buildName,
  buildSysroot,
  CC,
  checkToolchain,
  linkFlags,
  listSources,
  type Sysroot,
  sysrootAt,
  TARGET_FLAGS,
  TOOLCHAIN_PACKAGES,
} from "./toolchain.ts";

const ROOT = new URL("..", import.meta.url);
const SDK_DIR = new URL(".denix/sdk/", ROOT);
const SOURCE = /\.(c|S|s)$/;
const INPUT = /\.(o|a)$/;

/** How the arguments split: what to compile, what to link, and how. */
export interface Plan {
  /** -c, -S or -E: one compiler run, no link. */
  compileOnly: boolean;
  sources: string[];
  /** Objects and archives given as inputs. */
  objects: string[];
  /** Options for compiling (everything not about linking). */
  compileArgs: string[];
  /** Options for linking (-l, -L, -Wl, -static, -s, -nostdlib…). */
  linkArgs: string[];
  output: string | undefined;
}

/** Splits a cc command line. */
export function plan(args: string[]): Plan {
  const p: Plan = {
    compileOnly: false,
    sources: [],
    objects: [],
    compileArgs: [],
    linkArgs: [],
    output: undefined,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const takesNext = ["-o", "-I", "-D", "-U", "-L", "-l", "-include", "-x"].includes(a);
    const value = takesNext ? args[++i] : undefined;
    if (takesNext && value === undefined) throw new BuildError(`${a} needs an argument`);
    if (a === "-o") p.output = value;
    else if (a === "-c" || a === "-S" || a === "-E") {
      p.compileOnly = true;
      p.compileArgs.push(a);
    } else if (a === "-l" || a === "-L") p.linkArgs.push(a, value!);
    else if (/^-(l|L|Wl,)/.test(a) || a === "-static" || a === "-s") p.linkArgs.push(a);
    else if (takesNext) p.compileArgs.push(a, value!);
    else if (a.startsWith("-")) p.compileArgs.push(a);
    else if (SOURCE.test(a)) p.sources.push(a);
    else if (INPUT.test(a)) p.objects.push(a);
    else throw new BuildError(`${a}: not a C or assembly source, an object or an archive`);
  }
  if (p.sources.length + p.objects.length === 0) throw new BuildError("no input files");
  return p;
}

/** Runs a tool with the user's terminal: its diagnostics are theirs to read. */
async function tool(args: string[]): Promise<void> {
  const status = await new Deno.Command(CC, { args, stdout: "inherit", stderr: "inherit" })
    .output();
  if (!status.success) throw new CompileFailed(status.code || 1);
}

/** The compiler or linker failed with status `code` (it has said why on the terminal). */
export class CompileFailed extends Error {
  constructor(readonly code: number) {
    super(`the compiler exited with status ${code}`);
  }
}

/** The sysroot for the current userland/lib and headers, built on first use. */
async function sysroot(): Promise<Sysroot> {
  const dir = new URL(await buildName(await sysrootSources()), SDK_DIR).pathname;
  try {
    Deno.statSync(`${dir}/libuser.a`);
    return sysrootAt(dir);
  } catch {
    // Not built yet for these sources.
  }
  await checkToolchain();
  Deno.mkdirSync(SDK_DIR, { recursive: true });
  const work = Deno.makeTempDirSync({ dir: SDK_DIR.pathname, prefix: "building-" });
  try {
    await buildSysroot(work);
    Deno.renameSync(work, dir);
  } catch (e) {
    Deno.removeSync(work, { recursive: true });
    throw e;
  }
  return sysrootAt(dir);
}

/** Everything the sysroot is made from (its hash names the build). */
export async function sysrootSources(): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [new TextEncoder().encode(TARGET_FLAGS.join(" "))];
  for (const dir of ["userland/lib", "userland/include", "userland/include/sys"]) {
    for (const file of await listSources(dir, [".c", ".S", ".h", ".ld"])) {
      parts.push(await Deno.readFile(new URL(`${dir}/${file}`, ROOT)));
    }
  }
  return parts;
}

/**
 * Compiles and links as `cc` would with `args` (relative paths from the current directory),
 * with the compiler's diagnostics on this process's terminal. Throws BuildError when the
 * arguments or the toolchain are wrong, and CompileFailed when the compiler said no.
 */
export async function cc(args: string[]): Promise<void> {
  const p = plan(args);
  await ensureDebianPackages(TOOLCHAIN_PACKAGES);
  const out = p.output ? ["-o", p.output] : [];
  if (p.compileOnly) {
    await tool([...TARGET_FLAGS, ...p.compileArgs, ...p.sources, ...out]);
    return;
  }
  const root = await sysroot();
  const work = await Deno.makeTempDir({ prefix: "denix-cc-" });
  try {
    const objects: string[] = [];
    for (const [i, source] of p.sources.entries()) {
      const object = `${work}/${i}.o`;
      await tool([...TARGET_FLAGS, ...p.compileArgs, "-c", source, "-o", object]);
      objects.push(object);
    }
    await tool([
      ...linkFlags(root.libDir),
      ...root.startObjects,
      ...objects,
      ...p.objects,
      ...p.linkArgs,
      "-o",
      p.output ?? "a.out",
    ]);
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

async function main(args: string[]): Promise<number> {
  if (args.length === 0 || args[0] === "--help") {
    console.error(
      "usage: deno task cc [-c|-S|-E] [-o OUT] [-I DIR] [-D NAME[=V]] [-O N] " +
        "[-l LIB] [-L DIR] FILE…  (docs/SDK.md)",
    );
    return 2;
  }
  // `deno task` runs in the project's directory; the files are where the user is.
  Deno.chdir(Deno.env.get("INIT_CWD") ?? Deno.cwd());
  try {
    await cc(args);
    return 0;
  } catch (e) {
    if (e instanceof CompileFailed) return e.code;
    if (e instanceof BuildError) {
      console.error(`cc: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
