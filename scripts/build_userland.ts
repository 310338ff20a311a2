// build_userland.ts: compiles the userland C programs (userland/src, userland/coreutils,
// userland/isa, userland/bench; two sources building one name is an error) against picolibc with our crt0, glue and linker script into
// userland/bin/*.elf, reproducibly. `--check` rebuilds into a temporary directory
// and fails naming every committed binary that differs from its sources.

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const BIN_DIR = "userland/bin";

const CC = "riscv64-unknown-elf-gcc";
const AR = "riscv64-unknown-elf-ar";
const TOOLCHAIN_PACKAGES = "gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf";

// binutils 2.40 needs the explicit zicsr/zifencei extensions to assemble
// rdcycle and fence.i, but with them gcc 12's multilib matching falls back to
// the default rv64 libraries, so the link step names the plain ISA string.
const COMPILE_ARCH = "rv32imac_zicsr_zifencei";
const LINK_ARCH = "rv32imac";
const ABI = "ilp32";
const MULTILIB = "rv32imac/ilp32";

const COMPILE_FLAGS = [
  `-march=${COMPILE_ARCH}`,
  `-mabi=${ABI}`,
  "-O2",
  "--specs=picolibc.specs",
  "-std=gnu17",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-g0",
  "-ffunction-sections",
  "-fdata-sections",
  `-ffile-prefix-map=${ROOT}=.`,
  "-Iuserland/include",
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

function linkFlags(libDir: string): string[] {
  return [
    `-march=${LINK_ARCH}`,
    `-mabi=${ABI}`,
    "--specs=picolibc.specs",
    "--oslib=user",
    `-L${libDir}`,
    "-nostartfiles",
    "-static",
    "-T",
    "userland/lib/user.ld",
    "-Wl,--strip-debug",
    "-Wl,-z,max-page-size=4096",
  ];
}

interface Program {
  name: string;
  source: string;
}

class BuildError extends Error {}

async function run(cmd: string, args: string[]): Promise<string> {
  let output;
  try {
    output = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
      .output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new BuildError(
        `${cmd} not found: install the Debian packages ${TOOLCHAIN_PACKAGES}`,
      );
    }
    throw err;
  }
  const decoder = new TextDecoder();
  if (!output.success) {
    throw new BuildError(
      `${cmd} ${args.join(" ")} failed:\n${decoder.decode(output.stderr)}`,
    );
  }
  return decoder.decode(output.stdout).trim();
}

async function checkToolchain(): Promise<void> {
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

async function listSources(dir: string, extensions: string[]): Promise<string[]> {
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

function stem(file: string): string {
  return file.replace(/\.[^.]+$/, "");
}

async function listPrograms(): Promise<Program[]> {
  const groups: [string, string, string[]][] = [
    ["userland/src", "", [".c"]],
    ["userland/coreutils", "", [".c"]],
    ["userland/isa", "isa_", [".c", ".S"]],
    ["userland/bench", "bench_", [".c"]],
  ];
  const programs: Program[] = [];
  for (const [dir, prefix, extensions] of groups) {
    for (const file of await listSources(dir, extensions)) {
      const name = prefix + stem(file);
      const twin = programs.find((p) => p.name === name);
      if (twin) throw new BuildError(`${dir}/${file} and ${twin.source} both build ${name}.elf`);
      programs.push({ name, source: `${dir}/${file}` });
    }
  }
  return programs;
}

async function inParallel<T>(items: T[], task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  const workers = Math.max(1, Math.min(navigator.hardwareConcurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}

// Builds every program into outDir/NAME.elf, returning the programs built.
async function build(outDir: string): Promise<Program[]> {
  await checkToolchain();
  const programs = await listPrograms();
  const work = await Deno.makeTempDir({ prefix: "userland-build-" });
  try {
    const libDir = `${work}/lib`;
    await Deno.mkdir(libDir);
    await Deno.mkdir(`${work}/obj`);
    await run(CC, [...COMPILE_FLAGS, "-c", "userland/lib/crt0.S", "-o", `${work}/crt0.o`]);
    const glueSources = (await listSources("userland/lib", [".c", ".S"]))
      .filter((file) => file !== START_FILE);
    await inParallel(glueSources, async (file) => {
      await run(CC, [
        ...COMPILE_FLAGS,
        "-c",
        `userland/lib/${file}`,
        "-o",
        `${libDir}/${stem(file)}.o`,
      ]);
    });
    const glue = glueSources.map(stem);
    const archived = glue.filter((name) => !OBJECT_GLUE.includes(name))
      .map((n) => `${libDir}/${n}.o`);
    await run(AR, ["rcD", `${libDir}/libuser.a`, ...archived]);

    await inParallel(programs, async ({ name, source }) => {
      const object = `${work}/obj/${name}.o`;
      await run(CC, [...COMPILE_FLAGS, "-c", source, "-o", object]);
      await run(CC, [
        ...linkFlags(libDir),
        `${work}/crt0.o`,
        ...OBJECT_GLUE.map((name) => `${libDir}/${name}.o`),
        object,
        "-o",
        `${outDir}/${name}.elf`,
      ]);
    });
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return programs;
}

async function readOrNull(path: string): Promise<Uint8Array | null> {
  try {
    return await Deno.readFile(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function committedBinaries(): Promise<string[]> {
  return (await listSources(BIN_DIR, [".elf"])).map(stem);
}

async function check(): Promise<boolean> {
  const outDir = await Deno.makeTempDir({ prefix: "userland-check-" });
  try {
    const programs = await build(outDir);
    const problems: string[] = [];
    for (const { name, source } of programs) {
      const committed = await readOrNull(`${ROOT}/${BIN_DIR}/${name}.elf`);
      const fresh = await Deno.readFile(`${outDir}/${name}.elf`);
      if (committed === null) {
        problems.push(`${BIN_DIR}/${name}.elf: missing (built from ${source})`);
      } else if (!sameBytes(committed, fresh)) {
        problems.push(`${BIN_DIR}/${name}.elf: differs from a fresh build of ${source}`);
      }
    }
    const expected = new Set(programs.map((p) => p.name));
    for (const name of await committedBinaries()) {
      if (!expected.has(name)) problems.push(`${BIN_DIR}/${name}.elf: no source builds it`);
    }
    if (problems.length > 0) {
      console.error(problems.join("\n"));
      console.error("userland binaries are stale: run `deno task build:userland` and commit");
      return false;
    }
    console.log(`${BIN_DIR}: all ${programs.length} binaries match their sources`);
    return true;
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
}

async function install(): Promise<void> {
  const outDir = await Deno.makeTempDir({ prefix: "userland-out-" });
  try {
    const programs = await build(outDir);
    await Deno.mkdir(`${ROOT}/${BIN_DIR}`, { recursive: true });
    const expected = new Set(programs.map((p) => p.name));
    for (const name of await committedBinaries()) {
      if (!expected.has(name)) await Deno.remove(`${ROOT}/${BIN_DIR}/${name}.elf`);
    }
    for (const { name } of programs) {
      await Deno.copyFile(`${outDir}/${name}.elf`, `${ROOT}/${BIN_DIR}/${name}.elf`);
    }
    console.log(`built ${programs.length} programs into ${BIN_DIR}`);
  } finally {
    await Deno.remove(outDir, { recursive: true });
  }
}

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => arg !== "--check");
  if (unknown.length > 0) {
    console.error(`usage: build_userland.ts [--check] (unknown: ${unknown.join(" ")})`);
    return 2;
  }
  try {
    if (args.includes("--check")) return (await check()) ? 0 : 1;
    await install();
    return 0;
  } catch (err) {
    if (err instanceof BuildError) {
      console.error(`build_userland: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

Deno.exit(await main(Deno.args));
