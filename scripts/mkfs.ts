/**
 * Builds an ext2 disk image from host directories:
 *
 *   deno run --allow-read --allow-write scripts/mkfs.ts [--size MiB] [--block-size N] \
 *     IMAGE [HOSTDIR=/path/in/image ...]
 *
 * e.g. `scripts/mkfs.ts /tmp/root.img userland/bin=/bin`. A HOSTDIR without "=/path" lands at
 * the root. Regular files keep their permission bits, symlinks their targets; other kinds of
 * file are skipped. Without --size the image is 64 MiB, or larger when the files need it.
 * The image is made by services/vfs/ext2/mkfs.ts; `buildImageFromHost` is the same thing for
 * other scripts (a boot script making its root disk).
 */

import { makeExt2Image, type TreeNode } from "../services/vfs/ext2/mkfs.ts";

/** A host directory (or file) and where it goes in the image. */
export interface HostMapping {
  host: string;
  /** An absolute path in the image ("/" for the root). */
  path: string;
}

/** Options of `buildImageFromHost`. */
export interface HostImageOptions {
  /** Image size in bytes; by default 64 MiB or twice the files' size plus 16 MiB. */
  sizeBytes?: number;
  blockSize?: number;
  inodeSize?: number;
}

const MIB = 1 << 20;
const DEFAULT_SIZE_BYTES = 64 * MIB;

/** Reads a host file, symlink or directory tree into a tree description (undefined: skipped). */
export function readHostTree(path: string): TreeNode | undefined {
  const stat = Deno.lstatSync(path);
  if (stat.isSymlink) return { kind: "symlink", target: Deno.readLinkSync(path) };
  if (stat.isFile) return { kind: "file", data: Deno.readFileSync(path), mode: permissions(stat) };
  if (!stat.isDirectory) return undefined;
  const entries: Record<string, TreeNode> = {};
  const names = [...Deno.readDirSync(path)].map((e) => e.name).sort();
  for (const name of names) {
    const node = readHostTree(`${path}/${name}`);
    if (node) entries[name] = node;
  }
  return { kind: "dir", entries, mode: permissions(stat) };
}

function permissions(stat: Deno.FileInfo): number | undefined {
  return stat.mode === null ? undefined : stat.mode & 0o7777;
}

/** Puts `node` at absolute `path` of `root`, creating directories on the way, merging dirs. */
export function graft(root: Record<string, TreeNode>, path: string, node: TreeNode): void {
  const parts = path.split("/").filter((p) => p !== "");
  const last = parts.pop();
  let dir = root;
  for (const part of parts) {
    let next = dir[part];
    if (next?.kind !== "dir") next = dir[part] = { kind: "dir", entries: {} };
    dir = next.entries;
  }
  if (last === undefined) {
    if (node.kind !== "dir") throw new Error("only a directory can be the image's root");
    Object.assign(root, node.entries);
  } else if (node.kind === "dir" && dir[last]?.kind === "dir") {
    Object.assign((dir[last] as { entries: Record<string, TreeNode> }).entries, node.entries);
  } else {
    dir[last] = node;
  }
}

function treeBytes(node: TreeNode): number {
  if (node.kind === "file") return node.data.length;
  if (node.kind === "symlink") return 0;
  return Object.values(node.entries).reduce((n, child) => n + treeBytes(child), 0);
}

/** An ext2 image holding the given host directories and files. */
export async function buildImageFromHost(
  mappings: HostMapping[],
  options: HostImageOptions = {},
): Promise<Uint8Array> {
  const root: Record<string, TreeNode> = {};
  for (const { host, path } of mappings) {
    const node = readHostTree(host);
    if (node) graft(root, path, node);
  }
  const content = treeBytes({ kind: "dir", entries: root });
  const sizeBytes = options.sizeBytes ??
    Math.max(DEFAULT_SIZE_BYTES, Math.ceil((2 * content) / MIB) * MIB + 16 * MIB);
  return await makeExt2Image({ ...options, sizeBytes, root });
}

/** Parses the command line: options, the image, then HOSTDIR[=/path] mappings. */
export function parseArgs(args: string[]): {
  image: string;
  mappings: HostMapping[];
  options: HostImageOptions;
} {
  const options: HostImageOptions = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--size") options.sizeBytes = Number(args[++i]) * MIB;
    else if (args[i] === "--block-size") options.blockSize = Number(args[++i]);
    else rest.push(args[i]);
  }
  const [image, ...specs] = rest;
  if (!image || image.startsWith("--")) {
    throw new Error(
      "usage: mkfs.ts [--size MiB] [--block-size N] IMAGE [HOSTDIR=/path/in/image ...]",
    );
  }
  const mappings = specs.map((spec) => {
    const at = spec.indexOf("=");
    return at < 0
      ? { host: spec, path: "/" }
      : { host: spec.slice(0, at), path: spec.slice(at + 1) };
  });
  return { image, mappings, options };
}

if (import.meta.main) {
  try {
    const { image, mappings, options } = parseArgs(Deno.args);
    const bytes = await buildImageFromHost(mappings, options);
    Deno.writeFileSync(image, bytes);
    console.log(`${image}: ext2, ${bytes.length / MIB} MiB`);
  } catch (e) {
    console.error(`mkfs: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
