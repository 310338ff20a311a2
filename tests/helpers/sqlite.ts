/**
 * SQLite in tests: the build (scripts/sqlite.ts; made once, then found), and its front end run
 * three ways with the same arguments and input — on denix with the database on an ext2 disk,
 * the same ELF under qemu-riscv32 on host files, and the native build on host files — each
 * giving its stdout, stderr and exit status.
 */

import type { BlockBackend } from "../../machine/block_device.ts";
import { ensureSqlite, type SqliteBuild } from "../../scripts/sqlite.ts";
import { runCommand } from "./commands.ts";
import { type BootSettings, runProgram } from "./system.ts";

let build: Promise<SqliteBuild> | undefined;

/** The SQLite build for the current sources (built on first use). */
export function sqliteBuild(): Promise<SqliteBuild> {
  return build ??= ensureSqlite();
}

/** What a run of the front end gave. */
export interface SqlRun {
  out: string;
  err: string;
  code: number;
}

/** How a host run goes: in `cwd`, with `input` on stdin. */
export interface HostRunOptions {
  cwd: string;
  input?: string;
}

/** The native build, in a host directory. */
export async function sqliteNative(args: string[], options: HostRunOptions): Promise<SqlRun> {
  const { native } = await sqliteBuild();
  return await runCommand(native, args, { ...options, input: options.input ?? "" });
}

/** The RV32 ELF under qemu-riscv32, in a host directory. */
export async function sqliteQemu(args: string[], options: HostRunOptions): Promise<SqlRun> {
  const { elf } = await sqliteBuild();
  return await runCommand("qemu-riscv32", [elf, ...args], {
    ...options,
    input: options.input ?? "",
  });
}

/** The RV32 ELF on denix, with `disk` mounted at /mnt and the working directory /mnt. */
export async function sqliteDenix(
  args: string[],
  disk: BlockBackend,
  settings: BootSettings = {},
): Promise<SqlRun & { log: string[] }> {
  const { elf } = await sqliteBuild();
  const run = await runProgram([elf, ...args], { cwd: "/mnt", input: "", ...settings, disk });
  return { out: run.out, err: run.err, code: run.exit.status, log: run.log };
}

/** The host's sqlite3 (Debian's, older than ours) on a host file: its output, or it throws. */
export async function hostSqlite3(database: string, sql: string): Promise<string> {
  const r = await runCommand("sqlite3", ["-batch", database], { input: sql });
  if (r.code !== 0 || r.err !== "") {
    throw new Error(`host sqlite3 ${database} exited ${r.code}: ${r.err}`);
  }
  return r.out;
}
