/**
 * SQLite for denix, built from its own sources at build time and never committed:
 * `deno task build:sqlite` (and the test, boot and bench commands, through `ensureSqlite`)
 * fetches the pinned npm package better-sqlite3 with npm, checks the tarball's SHA-256, takes
 * the amalgamation (deps/sqlite3/sqlite3.c, sqlite3.h) out of it, and compiles it with our
 * front end (userland/sqlite/shell.c) twice: with `deno task cc` into an RV32 ELF for denix's
 * /bin/sqlite (and qemu-riscv32), and with the host's cc into a native program, the fidelity
 * tests' and benchmark's third party. Both builds use the same SQLite options, and keep SQLite's
 * object file so that a program of one's own can link with it (docs/SDK.md).
 *
 * Everything lives in .denix/sqlite/: the tarball, the sources, and one directory per build,
 * named by a hash of everything the build is made from (the tarball, the options, the front
 * end, the SDK's sources), so a change to any of them rebuilds and an unchanged tree never does.
 */

import { cc, CompileFailed, sysrootSources } from "./cc.ts";
import { ensureDebianPackages } from "./deps.ts";
import { BuildError, buildName, run, sha256Hex, TOOLCHAIN_PACKAGES } from "./toolchain.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname).replace(/\/$/, "");
const DIR = `${ROOT}/.denix/sqlite`;

/** The npm package carrying the amalgamation, and the SHA-256 of its registry tarball. */
export const SQLITE_PACKAGE = "better-sqlite3@12.11.1";
const PACKAGE_SHA256 = "ebf0ed75a7a59dbcb3b24bbd014ef49d9f15bc328e4adcbf516f2a8fadfa2835";
const TARBALL = "better-sqlite3-12.11.1.tgz";
const AMALGAMATION = ["package/deps/sqlite3/sqlite3.c", "package/deps/sqlite3/sqlite3.h"];
const FRONT_END = "userland/sqlite/shell.c";

/**
 * SQLite's compile-time options, the same for both builds: one thread per process (denix
 * processes that want more open more connections), no loadable extensions (static
 * executables), usleep for the busy handler's waits (else it sleeps whole seconds), pread and
 * pwrite (else every page read or written is an lseek and a read or write: twice the calls).
 */
export const SQLITE_OPTIONS = [
  "-O2",
  "-DSQLITE_THREADSAFE=0",
  "-DSQLITE_OMIT_LOAD_EXTENSION",
  "-DHAVE_USLEEP=1",
  "-DUSE_PREAD",
];

/** The front end's own flags (SQLite's sources are not ours to hold to -Werror). */
const FRONT_END_FLAGS = ["-Wall", "-Wextra", "-Werror"];

/** A finished build. */
export interface SqliteBuild {
  /** The RV32 ELF (denix's /bin/sqlite; runs under qemu-riscv32 too). */
  elf: string;
  /** The same sources and front end built for the host. */
  native: string;
  /** SQLite itself compiled for denix, to link a program of one's own with (`deno task cc`). */
  object: string;
  /** The same for the host's cc. */
  nativeObject: string;
  /** The directory holding sqlite3.h. */
  include: string;
}

/** Where the build for the current sources is (or will be). */
async function buildFor(): Promise<SqliteBuild & { dir: string }> {
  const dir = `${DIR}/build-${await buildKey()}`;
  return {
    dir,
    elf: `${dir}/sqlite.elf`,
    native: `${dir}/sqlite-native`,
    object: `${dir}/sqlite3.o`,
    nativeObject: `${dir}/sqlite3-native.o`,
    include: `${DIR}/src`,
  };
}

/** The build for the current sources if it has been made (reading files only: for the boot). */
export async function builtSqlite(): Promise<SqliteBuild | undefined> {
  const { dir, ...build } = await buildFor();
  return exists(dir) ? build : undefined;
}

/** The build for the current sources, made first if it is not there yet. */
export async function ensureSqlite(): Promise<SqliteBuild> {
  const { dir, ...build } = await buildFor();
  if (exists(dir)) return build;
  await ensureDebianPackages([...TOOLCHAIN_PACKAGES, "gcc"]);
  const sources = await amalgamation();
  console.error(`building SQLite from ${SQLITE_PACKAGE} (once; about two minutes)`);
  const work = await Deno.makeTempDir({ dir: DIR, prefix: "building-" });
  try {
    const include = `-I${sources}`;
    const frontEnd = [include, ...FRONT_END_FLAGS, `${ROOT}/${FRONT_END}`];
    await cc([...SQLITE_OPTIONS, include, "-c", `${sources}/sqlite3.c`, "-o", `${work}/sqlite3.o`]);
    await cc([...SQLITE_OPTIONS, ...frontEnd, `${work}/sqlite3.o`, "-o", `${work}/sqlite.elf`]);
    await run("cc", [
      ...SQLITE_OPTIONS,
      include,
      "-c",
      `${sources}/sqlite3.c`,
      "-o",
      `${work}/sqlite3-native.o`,
    ]);
    await run("cc", [
      ...SQLITE_OPTIONS,
      ...frontEnd,
      `${work}/sqlite3-native.o`,
      "-lm",
      "-o",
      `${work}/sqlite-native`,
    ]);
    await Deno.rename(work, dir);
    await removeOtherBuilds(dir);
  } catch (e) {
    await Deno.remove(work, { recursive: true });
    // Another run finished the same build first.
    if (!(e instanceof Deno.errors.AlreadyExists || exists(build.elf))) throw e;
  }
  return build;
}

/** A C program linked with SQLite, built for denix (`deno task cc`) and for the host. */
export interface SqliteProgram {
  elf: string;
  native: string;
}

/** Builds `source` (a path) with SQLite both ways into `dir`, named after it. */
export async function linkWithSqlite(source: string, dir: string): Promise<SqliteProgram> {
  const { object, nativeObject, include } = await ensureSqlite();
  const name = source.replace(/^.*\//, "").replace(/\.c$/, "");
  const program = { elf: `${dir}/${name}.elf`, native: `${dir}/${name}` };
  const flags = ["-O2", "-Wall", "-Wextra", "-Werror", `-I${include}`, source];
  await cc([...flags, object, "-o", program.elf]);
  await run("cc", [...flags, nativeObject, "-lm", "-o", program.native]);
  return program;
}

/** Builds of older sources are of no more use. */
async function removeOtherBuilds(keep: string): Promise<void> {
  for await (const entry of Deno.readDir(DIR)) {
    const path = `${DIR}/${entry.name}`;
    if (entry.name.startsWith("build-") && path !== keep) {
      await Deno.remove(path, { recursive: true });
    }
  }
}

/** The directory holding sqlite3.c and sqlite3.h, fetched and checked first if need be. */
async function amalgamation(): Promise<string> {
  const sources = `${DIR}/src`;
  if (exists(`${sources}/sqlite3.c`) && exists(`${sources}/sqlite3.h`)) return sources;
  await Deno.mkdir(DIR, { recursive: true });
  const tarball = `${DIR}/${TARBALL}`;
  if (!exists(tarball)) {
    console.error(`fetching ${SQLITE_PACKAGE} with npm`);
    await run("npm", ["pack", "--silent", SQLITE_PACKAGE, "--pack-destination", DIR]);
  }
  const digest = await sha256Hex([await Deno.readFile(tarball)]);
  if (digest !== PACKAGE_SHA256) {
    await Deno.remove(tarball);
    throw new BuildError(
      `${TARBALL}: SHA-256 ${digest}, expected ${PACKAGE_SHA256}; removed it, not building`,
    );
  }
  const work = await Deno.makeTempDir({ dir: DIR, prefix: "extract-" });
  try {
    await run("tar", ["-xzf", tarball, "-C", work, ...AMALGAMATION]);
    await Deno.mkdir(sources, { recursive: true });
    for (const path of AMALGAMATION) {
      await Deno.rename(`${work}/${path}`, `${sources}/${path.split("/").pop()}`);
    }
  } finally {
    await Deno.remove(work, { recursive: true });
  }
  return sources;
}

/** Names a build by what it is made from. */
async function buildKey(): Promise<string> {
  return await buildName([
    new TextEncoder().encode([PACKAGE_SHA256, ...SQLITE_OPTIONS, ...FRONT_END_FLAGS].join(" ")),
    await Deno.readFile(`${ROOT}/${FRONT_END}`),
    ...await sysrootSources(),
  ]);
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

if (import.meta.main) {
  try {
    const build = await ensureSqlite();
    console.log(Object.values(build).join("\n"));
    console.error("a root image made from now on has /bin/sqlite (`deno task boot --fresh`)");
  } catch (e) {
    if (!(e instanceof BuildError || e instanceof CompileFailed)) throw e;
    console.error(`build:sqlite: ${e.message}`);
    Deno.exit(1);
  }
}
