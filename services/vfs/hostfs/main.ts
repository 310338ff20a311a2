/**
 * The hostfs service: the host's files, read-only, confined to one directory (config `root`,
 * "/" by default). It is the only service with a Deno permission — read access to that
 * directory and nothing else — and the VFS mounts it (hostfs.ts is the back end there). This
 * is how `deno task rv32` runs host programs as qemu-riscv32 does.
 *
 * Confinement: paths are built from the root by names the VFS looked up one at a time (never
 * "." or ".."), and every path is checked against the root after the host resolves it, so a
 * host symbolic link cannot lead outside (EACCES). Symbolic links inside are reported as links
 * and resolved by the VFS, not the host.
 */

import { EACCES, EINVAL, EIO, EISDIR, ENAMETOOLONG, ENOENT, ENOTDIR } from "../../../abi/errno.ts";
import { CodecError, decodePayload, encodePayload } from "../../../abi/codec.ts";
import { HOSTFS, HOSTFS_ENDPOINT } from "../../../abi/hostfs.ts";
import type { WireAttr } from "../../../abi/vfs.ts";
import { IpcError } from "../../lib/errors.ts";
import type { Ipc, Region } from "../../lib/ipc.ts";
import { service } from "../../lib/service.ts";
import { DT, NAME_MAX } from "../fs.ts";

/** Most inodes remembered (paths looked up); past it, the oldest are forgotten. */
const INODES_MAX = 1 << 20;
/** The "magic" statfs reports for hostfs. */
const HOSTFS_MAGIC = 0x686f7374; // "host"

/** Translates a host error into an errno. */
function errnoOf(e: unknown): IpcError {
  if (e instanceof IpcError) return e;
  if (e instanceof CodecError) return new IpcError(e.errno, e.message);
  if (e instanceof Deno.errors.NotFound) return new IpcError(ENOENT);
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return new IpcError(EACCES);
  }
  if (e instanceof Deno.errors.IsADirectory) return new IpcError(EISDIR);
  if (e instanceof Deno.errors.NotADirectory) return new IpcError(ENOTDIR);
  return new IpcError(EIO, String(e));
}

/** `bytes` as UTF-8 text (EINVAL if they are not). */
function utf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes.slice());
  } catch {
    throw new IpcError(EINVAL, "a name that is not UTF-8");
  }
}

function typeBits(info: Deno.FileInfo): number {
  if (info.isSymlink) return 0o120000;
  if (info.isDirectory) return 0o040000;
  if (info.isFile) return 0o100000;
  return 0o020000;
}

function ns(d: Date | null): bigint {
  return d ? BigInt(d.getTime()) * 1_000_000n : 0n;
}

/** Runs hostfs. */
async function main(ipc: Ipc): Promise<void> {
  const root = Deno.realPathSync(typeof ipc.config.root === "string" ? ipc.config.root : "/");
  const paths = new Map<number, string>([[1, root]]);
  const inos = new Map<string, number>([[root, 1]]);
  let nextIno = 2;
  let region: Region | undefined;

  const inoOf = (path: string): number => {
    let ino = inos.get(path);
    if (ino === undefined) {
      if (paths.size >= INODES_MAX) {
        const [oldIno, oldPath] = paths.entries().next().value!;
        if (oldIno !== 1) {
          paths.delete(oldIno);
          inos.delete(oldPath);
        }
      }
      ino = nextIno++;
      inos.set(path, ino);
      paths.set(ino, path);
    }
    return ino;
  };
  const pathOf = (ino: number): string => {
    const p = paths.get(ino);
    if (p === undefined) throw new IpcError(ENOENT, `inode ${ino} forgotten`);
    return p;
  };
  const confined = (path: string): string => {
    const real = Deno.realPathSync(path);
    if (real !== root && !real.startsWith(root === "/" ? "/" : root + "/")) {
      throw new IpcError(EACCES, "leads outside the root");
    }
    return path;
  };
  const attrOf = (ino: number, info: Deno.FileInfo): WireAttr => ({
    mount: 0,
    ino,
    mode: typeBits(info) | ((info.mode ?? 0o644) & 0o7777),
    nlink: info.nlink ?? 1,
    uid: 0,
    gid: 0,
    size: info.size,
    blocks: info.blocks ?? Math.ceil(info.size / 512),
    blksize: info.blksize ?? 4096,
    rdev: 0,
    atimeNs: ns(info.atime),
    mtimeNs: ns(info.mtime),
    ctimeNs: ns(info.ctime),
    btimeNs: ns(info.birthtime),
  });
  const out = (at: number, room: number): Uint8Array => {
    if (!region) throw new IpcError(EINVAL, "no region: hello first");
    if (at + room > region.size) throw new IpcError(EINVAL, "outside the region");
    return region.write().subarray(at, at + room);
  };

  const server = await ipc.register(HOSTFS_ENDPOINT);
  await server.serve(async (req) => {
    try {
      switch (req.label) {
        case HOSTFS.hello.label:
          if (req.handles.length !== 1) throw new IpcError(EINVAL, "no region");
          region = await ipc.openRegion(req.handles[0]);
          return { label: 0, payload: encodePayload(HOSTFS.hello.reply, 1) };
        case HOSTFS.lookup.label: {
          const { dir, at, length } = decodePayload(HOSTFS.lookup.request, req.payload);
          if (length > NAME_MAX) throw new IpcError(ENAMETOOLONG, "name too long");
          const name = utf8(out(at, length));
          if (name === "" || name === "." || name === ".." || name.includes("/")) {
            throw new IpcError(EINVAL, "bad name");
          }
          const base = pathOf(dir);
          const path = base === "/" ? `/${name}` : `${base}/${name}`;
          const info = Deno.lstatSync(path);
          if (!info.isSymlink) confined(path);
          return {
            label: 0,
            payload: encodePayload(HOSTFS.lookup.reply, attrOf(inoOf(path), info)),
          };
        }
        case HOSTFS.getattr.label: {
          const ino = decodePayload(HOSTFS.getattr.request, req.payload);
          const info = Deno.lstatSync(pathOf(ino));
          return { label: 0, payload: encodePayload(HOSTFS.getattr.reply, attrOf(ino, info)) };
        }
        case HOSTFS.readdir.label: {
          const { ino, cookie, max, into } = decodePayload(HOSTFS.readdir.request, req.payload);
          const base = pathOf(ino);
          const names = [...Deno.readDirSync(confined(base))].sort((a, b) =>
            a.name < b.name ? -1 : a.name > b.name ? 1 : 0
          );
          const dest = out(into.at, into.room);
          let at = 0;
          let count = 0;
          let i = cookie;
          for (; i < names.length && count < max; i++) {
            const e = names[i];
            const name = new TextEncoder().encode(e.name);
            if (at + 6 + name.length > dest.length) break;
            const path = base === "/" ? `/${e.name}` : `${base}/${e.name}`;
            new DataView(dest.buffer, dest.byteOffset + at).setUint32(0, inoOf(path), true);
            dest[at + 4] = e.isDirectory ? DT.DIR : e.isSymlink ? DT.LNK : e.isFile ? DT.REG : 0;
            dest[at + 5] = name.length;
            dest.set(name, at + 6);
            at += 6 + name.length;
            count++;
          }
          const next = i >= names.length ? 0 : i;
          return { label: 0, payload: encodePayload(HOSTFS.readdir.reply, { count, next }) };
        }
        case HOSTFS.read.label: {
          const { ino, offset, length, at } = decodePayload(HOSTFS.read.request, req.payload);
          const dest = out(at, length);
          const file = Deno.openSync(confined(pathOf(ino)), { read: true });
          let done = 0;
          try {
            file.seekSync(offset, Deno.SeekMode.Start);
            while (done < length) {
              const n = file.readSync(dest.subarray(done));
              if (n === null || n === 0) break;
              done += n;
            }
          } finally {
            file.close();
          }
          return { label: 0, payload: encodePayload(HOSTFS.read.reply, done) };
        }
        case HOSTFS.readlink.label: {
          const { ino, into } = decodePayload(HOSTFS.readlink.request, req.payload);
          const target = new TextEncoder().encode(Deno.readLinkSync(pathOf(ino)));
          out(into.at, into.room).set(target.subarray(0, into.room));
          return { label: 0, payload: encodePayload(HOSTFS.readlink.reply, target.length) };
        }
        case HOSTFS.statfs.label:
          return {
            label: 0,
            payload: encodePayload(HOSTFS.statfs.reply, {
              magic: HOSTFS_MAGIC,
              blockSize: 4096,
              blocks: 0,
              blocksFree: 0,
              blocksAvailable: 0,
              inodes: 0,
              inodesFree: 0,
              nameMax: 255,
              mount: 0,
            }),
          };
        default:
          throw new IpcError(EINVAL, `unknown operation ${req.label}`);
      }
    } catch (e) {
      throw errnoOf(e);
    }
  });
}

export default service(main, import.meta.main);
