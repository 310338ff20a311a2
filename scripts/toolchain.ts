/**
 * The one place that knows how a C program for denix is built: the cross compiler (Debian's
 * riscv64-unknown-elf-gcc on picolibc), the target's flags, and the "sysroot" every program
 * links against — our crt0, the picolibc hooks on Linux system calls (userland/lib) and the
 * linker script. `deno task build:userland` (the project's programs) and `deno task cc`
 * (anyone's) both build through here.
 */

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");

export const CC = "riscv64-unknown-elf-gcc";
export const AR = "riscv64-unknown-elf-ar";
export const TOOLCHAIN_PACKAGES = ["gcc-riscv64-unknown-elf", "picolibc-riscv64-unknown-elf"];

// binutils 2.40 needs the explicit zicsr/zifencei extensions to assemble
// rdcycle and fence.i, but with them gcc 12's multilib matching falls back to
// the default rv64 libraries, so the link step names the plain ISA string.
const COMPILE_ARCH = "rv32imac_zicsr_zifencei";
const LINK_ARCH = "rv32imac";
const ABI = "ilp32";
const MULTILIB = "rv32imac/ilp32";

/** What every compile for denix needs: the target, picolibc, our headers. */
export const TARGET_FLAGS = [
  `-march=${COMPILE_ARCH}`,
  `-mabi=${ABI}`,
  "--specs=picolibc.specs",
  `-I${ROOT}/userland/include`,
];

/** The project's own programs: warnings are errors, and builds are reproducible. */
export const PROJECT_FLAGS = [
  "-O2",
  "-std=gnu17",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-g0",
  "-ffunction-sections",
  "-fdata-sections",
  `-ffile-prefix-map=${ROOT}=.`,
];

// Glue that replaces something libc.a defines is linked as objects, because
// libc.a comes first in picolibc's --start-group and its member would win over
// an archive member: sbrk (libc.a's is heap-in-linker-script), signal/raise
// (libc.a's never reach the kernel) and the retargetable locks (libc.a's are
// no-ops). Everything else comes from libuser.a inside the group via --oslib,
// so only the hooks a program needs are linked; --gc-sections drops whatever
// a program does not use from the objects.
const OBJECT_GLUE = ["memory", "signal", "libc_lock"];
// lib/*.S other than this one go into libuser.a like the C glue.
const START_FILE = "crt0.S";

/** The link flags, with the sysroot's libraries in `libDir`. */
export function linkFlags(libDir: string): string[] {
  return [
    `-march=${LINK_ARCH}`,
    `-mabi=${ABI}`,
    "--specs=picolibc.specs",
    "--oslib=user",
    `-L${libDir}`,
    "-nostartfiles",
    "-static",
    "-T",
    `${ROOT}/userland/lib/user.ld`,
    "-Wl,--strip-debug",
    "-Wl,-z,max-page-size=4096",
  ];
}

/** A tool failed, or is missing; the message says what to do. */
export class BuildError extends Error {}

/** Runs `cmd` in the project's root; its stdout, or BuildError with its stderr. */
export async function run(cmd: string, args: string[]): Promise<string> {
  let output;
  try {
    output = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new BuildError(
        `${cmd} not found: install the Debian packages ${TOOLCHAIN_PACKAGES.join(" ")}`,
      );
    }
    throw err;
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new BuildError(`${cmd} ${args.join(" ")} failed:\n${decoder.decode(output.stderr)}`);
  }
  return decoder.decode(output.stdout).trim();
}

/** Checks that the compiler, picolibc and the expected multilib are there. */
export async function checkToolchain(): Promise<void> {
  await run(CC, ["--version"]);
  await run(AR, ["--version"]);
  const specs = await run(CC, ["-print-file-name=picolibc.specs"]);
  if (!specs.startsWith("/")) {
    throw new BuildError(
      `picolibc.specs not found: install the Debian package picolibc-riscv64-unknown-elf`,
    );
  }
  const multilib = await run(CC, [...linkFlags("."), "-print-multi-directory"]);
  if (multilib !== MULTILIB) {
    throw new BuildError(`link flags select multilib "${multilib}", expected "${MULTILIB}"`);
  }
}

/** The file names in `dir` (relative to the root) ending in one of `extensions`, sorted. */
export async function listSources(dir: string, extensions: string[]): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(`${ROOT}/${dir}`)) {
      if (entry.isFile && extensions.some((ext) => entry.name.endsWith(ext))) {
        names.push(entry.name);
      }
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  return names.sort();
}

/** The SHA-256, in hex, of `parts` one after another. */
export async function sha256Hex(parts: Uint8Array[]): Promise<string> {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A build's name from what it is made from: 16 hex digits of their hash. */
export async function buildName(parts: Uint8Array[]): Promise<string> {
  return (await sha256Hex(parts)).slice(0, 16);
}

/** A file name without its extension. */
export function stem(file: string): string {
  return file.replace(/\.[^.]+$/, "");
}

/** Runs `task` on every item, as many at once as the host has cores. */
export async function inParallel<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  const workers = Math.max(1, Math.min(navigator.hardwareConcurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}

/** A built sysroot: the start file, the glue linked as objects, and libuser.a's directory. */
export interface Sysroot {
  libDir: string;
  /** What a program's link names before its own objects: crt0 and the object glue. */
  startObjects: string[];
}

/** The sysroot built in `dir`. */
export function sysrootAt(dir: string): Sysroot {
  return {
    libDir: dir,
    startObjects: [`${dir}/crt0.o`, ...OBJECT_GLUE.map((name) => `${dir}/${name}.o`)],
  };
}

/** Builds the sysroot (crt0, the glue, libuser.a) into `dir`. */
export async function buildSysroot(dir: string): Promise<Sysroot> {
  const flags = [...TARGET_FLAGS, ...PROJECT_FLAGS];
  await run(CC, [...flags, "-c", "userland/lib/crt0.S", "-o", `${dir}/crt0.o`]);
  const glueSources = (await listSources("userland/lib", [".c", ".S"]))
    .filter((file) => file !== START_FILE);
  await inParallel(glueSources, async (file) => {
    await run(CC, [...flags, "-c", `userland/lib/${file}`, "-o", `${dir}/${stem(file)}.o`]);
  });
  const archived = glueSources.map(stem).filter((name) => !OBJECT_GLUE.includes(name))
    .map((n) => `${dir}/${n}.o`);
  await run(AR, ["rcD", `${dir}/libuser.a`, ...archived]);
  return sysrootAt(dir);
}
