/**
 * e2fsprogs for the ext2 tests: e2fsck, debugfs and mke2fs run on image files with
 * Deno.Command. A missing tool throws (the test fails; it is never skipped): the project's
 * test command installs e2fsprogs (scripts/deps.ts).
 */

import assert from "node:assert/strict";

const SEARCH_DIRS = ["/usr/sbin", "/sbin", "/usr/bin", "/bin"];

/** The path of an e2fsprogs tool: PATH first, then the sbin directories. */
export function tool(name: string): string {
  const dirs = [...(Deno.env.get("PATH") ?? "").split(":").filter(Boolean), ...SEARCH_DIRS];
  for (const dir of dirs) {
    try {
      if (Deno.statSync(`${dir}/${name}`).isFile) return `${dir}/${name}`;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`${name} not found (install e2fsprogs)`);
}

/** What a tool did. */
export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs an e2fsprogs tool to completion. */
export async function runTool(name: string, args: string[]): Promise<ToolResult> {
  const out = await new Deno.Command(tool(name), { args, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** Runs `fn` with `disk` written to a temporary image file, removed afterwards. */
export async function withImageFile<T>(
  disk: Uint8Array,
  fn: (path: string) => Promise<T>,
): Promise<T> {
  const path = await Deno.makeTempFile({ suffix: ".img" });
  try {
    await Deno.writeFile(path, disk);
    return await fn(path);
  } finally {
    await Deno.remove(path);
  }
}

/** Asserts that `e2fsck -fn` finds nothing wrong with the image file at `path`. */
export async function assertFsckClean(path: string): Promise<void> {
  const r = await runTool("e2fsck", ["-fn", path]);
  assert.equal(r.code, 0, `e2fsck -fn exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
}

/** Asserts that `e2fsck -fn` finds nothing wrong with `disk`. */
export async function assertDiskClean(disk: Uint8Array): Promise<void> {
  await withImageFile(disk, assertFsckClean);
}

/** Runs one debugfs request on an image file (read-only) and returns its output. */
export async function debugfs(path: string, request: string): Promise<string> {
  const r = await runTool("debugfs", ["-R", request, path]);
  assert.equal(r.code, 0, `debugfs -R ${request} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** A file's bytes, as debugfs reads them from the image file at `path`. */
export async function debugfsCat(path: string, file: string): Promise<Uint8Array> {
  const out = await new Deno.Command(tool("debugfs"), {
    args: ["-R", `cat ${file}`, path],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `debugfs cat ${file} exited ${out.code}`);
  return out.stdout;
}

/** The disk block holding logical block `l` of `file`, as debugfs maps it. */
export async function debugfsBmap(path: string, file: string, l: number): Promise<number> {
  return Number((await debugfs(path, `bmap ${file} ${l}`)).trim());
}

/** Changes images with `debugfs -w` (requests run in order); returns the new bytes. */
export async function debugfsWrite(disk: Uint8Array, requests: string[]): Promise<Uint8Array> {
  return await withImageFile(disk, async (path) => {
    for (const request of requests) {
      const r = await runTool("debugfs", ["-w", "-R", request, path]);
      assert.equal(r.code, 0, `debugfs -w -R ${request} exited ${r.code}: ${r.stderr}`);
    }
    return await Deno.readFile(path);
  });
}
