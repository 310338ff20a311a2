// build_userland.ts: compiles the userland C programs (userland/src, userland/coreutils,
// userland/isa, userland/bench; two sources building one name is an error) with the toolchain
// of scripts/toolchain.ts (picolibc, our crt0, glue and linker script) into userland/bin/*.elf,
// reproducibly. `--check` rebuilds into a temporary directory and fails naming every committed
// binary that differs from its sources.

import {
  BuildError,
  buildSysroot,
  CC,
  checkToolchain,
  inParallel,
  linkFlags,
  listSources,
  PROJECT_FLAGS,
  run,
  stem,
  TARGET_FLAGS,
} from "./toolchain.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const BIN_DIR = "userland/bin";

interface Program {
  name: string;
  source: string;
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

// Builds every program into outDir/NAME.elf, returning the programs built.
async function build(outDir: string): Promise<Program[]> {
  await checkToolchain();
  const programs = await listPrograms();
  const work = await Deno.makeTempDir({ prefix: "userland-build-" });
  try {
    await Deno.mkdir(`${work}/lib`);
    await Deno.mkdir(`${work}/obj`);
    const sysroot = await buildSysroot(`${work}/lib`);
    await inParallel(programs, async ({ name, source }) => {
      const object = `${work}/obj/${name}.o`;
      await run(CC, [...TARGET_FLAGS, ...PROJECT_FLAGS, "-c", source, "-o", object]);
      await run(CC, [
        ...linkFlags(sysroot.libDir),
        ...sysroot.startObjects,
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
