/**
 * The VFS service: the file systems and the namespace, served to the kernel as "vfs"
 * (abi/vfs.ts; server.ts answers the operations).
 *
 * At start it creates its buffer cache in a region of its own (cache.ts), mounts what its
 * configuration lists, and registers. Configuration (services/deploy.json, completed at
 * boot): `mounts`, a list of "TYPE SOURCE TARGET [OPTIONS]" lines (OPTIONS as mount -o takes
 * them: ro, and tmpfs's size= and nr_inodes=), the root first —
 *
 *   ext2 block /           the block driver's disk
 *   hostfs / /             the host's files through the hostfs service (read-only)
 *   devtmpfs - /dev        devfs: the device nodes
 *   proc - /proc           procfs: the kernel's tables
 *   tmpfs - /tmp           memory
 *
 * and `cacheMiB`, the buffer cache's size. Operations are carried out one at a time; dirty
 * blocks are written back every WRITEBACK_MS (and by fsync, sync, and before the system
 * stops). The root's disk has a journal (journal.ts) in the memory the kernel keeps for the
 * VFS across restarts: each operation's changes are committed to it before the reply, the
 * next instance writes them to the disk before it mounts it, and a change the kernel sends
 * again is answered from it instead of being applied twice. So a VFS that dies loses nothing
 * it acknowledged; the host stopping loses what nobody synced, as after a power cut.
 */

import { EINVAL, EIO, ENODEV } from "../../abi/errno.ts";
import { CTL, RIGHT } from "../../abi/ipc.ts";
import { HOSTFS, HOSTFS_ENDPOINT } from "../../abi/hostfs.ts";
import { RTC, RTC_ENDPOINT } from "../../abi/rtc.ts";
import { VFS_ENDPOINT, VFS_RESEND } from "../../abi/vfs.ts";
import { cacheRegionBytes } from "../../abi/vfs_cache.ts";
import { IpcError } from "../lib/errors.ts";
import type { Ipc, Region } from "../lib/ipc.ts";
import { defineProtocol } from "../lib/schema.ts";
import { service } from "../lib/service.ts";
import { connectBlock } from "./block_io.ts";
import { BufferCache, type DeviceCache } from "./cache.ts";
import { type Asker, attachJournal, Journal, JOURNAL_RESERVE, type KeptReply } from "./journal.ts";
import { Devfs } from "./devfs.ts";
import { mountExt2 } from "./ext2/ext2.ts";
import { type FileSystem, type FsContext, FsError } from "./fs.ts";
import { HostFs } from "./hostfs/backend.ts";
import { lookupServed, Reconnecting } from "../lib/reconnect.ts";
import { MountTable } from "./mounts.ts";
import { Procfs } from "./procfs.ts";
import { type FsFactory, mountOptions, VfsServer } from "./server.ts";
import { INODES_MAX, Tmpfs } from "./tmpfs.ts";

/** How often dirty blocks are written back, in ms. */
export const WRITEBACK_MS = 5000;
/** Dirty blocks written back per round. */
const WRITEBACK_BLOCKS = 1024;
/** Default buffer cache size, in MiB. */
const CACHE_MIB_DEFAULT = 32;
const MIB = 1024 * 1024;

/** A size with an optional k, m or g suffix (tmpfs's size=). */
function bytesOf(text: string): number {
  const m = /^(\d+)([kmg]?)$/i.exec(text);
  if (!m) throw new FsError(EINVAL, `bad size ${text}`);
  const unit = { "": 1, k: 1024, m: MIB, g: 1024 * MIB }[m[2].toLowerCase()] ?? 1;
  return Number(m[1]) * unit;
}

const EMPTY = new Uint8Array(0);

/** Bytes of the region procfs reads the kernel's tables into. */
const SYSINFO_BYTES = 256 * 1024;

const Hostfs = defineProtocol(HOSTFS_ENDPOINT, HOSTFS);
const Rtc = defineProtocol(RTC_ENDPOINT, RTC);

/** A clock in ns since the epoch: the rtc driver's time if it answers, else the host's. */
async function wallClock(ipc: Ipc): Promise<FsContext> {
  let baseNs = BigInt(Date.now()) * 1_000_000n;
  try {
    const rtc = Rtc.client(await ipc.lookup(RTC_ENDPOINT));
    baseNs = await rtc.time(undefined, { timeoutMs: 1000 });
  } catch {
    // No rtc: the host's clock (Date needs no permission) is the next best.
  }
  const start = performance.now();
  return { now: () => baseNs + BigInt(Math.round((performance.now() - start) * 1e6)) };
}

/** Runs the VFS. */
async function main(ipc: Ipc): Promise<void> {
  const config = ipc.config;
  const cacheMiB = typeof config.cacheMiB === "number" ? config.cacheMiB : CACHE_MIB_DEFAULT;
  const slots = Math.floor((cacheMiB * 1024 * 1024) / 4096);
  const cacheRegion = await ipc.createRegion(cacheRegionBytes(slots));
  const cache = new BufferCache({ bytes: cacheRegion.write() });
  const ctx = await wallClock(ipc);
  const mounts = new MountTable();
  const journal = ipc.kept && new Journal(ipc.kept);
  let journaled: DeviceCache | undefined;
  let sysinfoRegion: Region | undefined;
  let kernelCacheHandle: number | undefined;

  const sysinfo = async (kind: number, args: number[]): Promise<string> => {
    sysinfoRegion ??= await ipc.createRegion(SYSINFO_BYTES);
    const payload = new Uint8Array(16 + 4 * args.length);
    const dv = new DataView(payload.buffer);
    [kind, sysinfoRegion.handle, 0, SYSINFO_BYTES, ...args].forEach((v, i) =>
      dv.setUint32(4 * i, v >>> 0, true)
    );
    const reply = await ipc.transport.control(CTL.SYSINFO, payload);
    if (reply.label < 0) throw new FsError(-reply.label, "the kernel refused its table");
    const bytes = sysinfoRegion.read().slice(0, Math.min(reply.label, SYSINFO_BYTES));
    return new TextDecoder().decode(bytes);
  };

  const makeFs: FsFactory = async (type, source, { readOnly, settings }) => {
    switch (type) {
      case "ext2": {
        if (source !== "block" && source !== "/dev/vda") {
          throw new FsError(ENODEV, `no block device ${source}`);
        }
        const io = await connectBlock(ipc, cacheRegion);
        const device = cache.device(io);
        const writable = !readOnly && !io.readOnly;
        if (journal && writable && !journaled) {
          const blocks = await attachJournal(journal, device);
          if (blocks > 0) ipc.log(`vfs: journal: ${blocks} blocks written back`);
          journaled = device;
        }
        return await mountExt2(device, ctx, {
          readOnly: !writable,
          keepOrphans: journal?.restarted,
        });
      }
      case "tmpfs": {
        const size = settings.size ? bytesOf(settings.size) : Math.floor(cacheMiB / 2) * MIB;
        const inodes = settings.nr_inodes ? Number(settings.nr_inodes) : INODES_MAX;
        if (!(inodes >= 1 && inodes <= INODES_MAX)) throw new FsError(EINVAL, "nr_inodes");
        return new Tmpfs(cache, ctx, Math.min(size, Math.floor(cacheMiB / 2) * MIB), inodes);
      }
      case "devtmpfs":
      case "devfs": {
        const devfs = new Devfs(cache, ctx);
        await devfs.populate();
        return devfs;
      }
      case "proc":
        return new Procfs(sysinfo, cache, ctx, () => mounts.text());
      case "hostfs": {
        // hostfs is read-only: every call may be made again on its next instance.
        const client = await lookupServed(ipc, HOSTFS_ENDPOINT);
        const raw = Hostfs.client(client);
        let root: Awaited<ReturnType<typeof raw.hello>> | undefined;
        const handle = await cacheRegion.grant(RIGHT.READ | RIGHT.WRITE | RIGHT.GRANT);
        const link = new Reconnecting(client, async () => {
          root = await raw.hello(undefined, { handles: [handle] });
        });
        await link.run(() => Promise.resolve()); // hostfs may be restarting as we start
        return new HostFs(link.wrap(raw), client, cache, root!) as FileSystem;
      }
      default:
        throw new FsError(ENODEV, `unknown file-system type ${type}`);
    }
  };

  const server = new VfsServer({
    cache,
    mounts,
    ctx,
    makeFs,
    cacheHandle: async () =>
      kernelCacheHandle ??= await cacheRegion.grant(RIGHT.READ | RIGHT.GRANT),
    openRegion: (handle) => ipc.openRegion(handle),
    log: (line) => ipc.log(line),
  });

  // Empties the journal onto the disk when the next operation might not fit in it (in an
  // operation of its own: nothing is half-made). A disk that cannot take it fails calls.
  const checkpoint = async () => {
    if (!journal || !journaled || journal.free >= JOURNAL_RESERVE) return;
    try {
      await journaled.flush();
    } catch (e) {
      throw new IpcError(EIO, `the journal cannot be written back: ${(e as Error).message}`);
    }
    journal.reset();
  };

  // The VFS's lock: one operation at a time, each a cache operation. What a READ replies is
  // built after the operation has ended (every slot stable) and before the next one starts.
  // A change the kernel may send again (`asker`) is committed with its reply.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(fn: () => Promise<T | (() => T)>, asker?: Asker): Promise<T> => {
    const run = tail.then(async () => {
      let result: T | (() => T) | undefined;
      let failure: unknown;
      cache.beginOp();
      try {
        await checkpoint();
        result = await fn();
      } catch (e) {
        failure = e;
      }
      let reply: KeptReply | undefined;
      if (failure instanceof IpcError) reply = { label: -failure.errno, payload: EMPTY };
      else if (failure === undefined && typeof result !== "function") {
        reply = { label: 0, payload: (result as { payload?: Uint8Array })?.payload ?? EMPTY };
      }
      cache.endOp(asker && reply && { ...asker, ...reply });
      if (failure !== undefined) throw failure;
      return typeof result === "function" ? (result as () => T)() : result as T;
    });
    tail = run.catch(() => {});
    return run;
  };

  await exclusive(() => mountAll(config.mounts, server, makeFs, (line) => ipc.log(line)));
  const flusher = setInterval(() => {
    exclusive(() => cache.writeback(WRITEBACK_BLOCKS)).catch(() => {});
  }, WRITEBACK_MS);
  const endpoint = await ipc.register(VFS_ENDPOINT);
  try {
    await endpoint.serveConcurrently(async (req) => {
      const asker = VFS_RESEND.get(req.label) === "once" && req.isCall
        ? { sender: req.sender, tag: req.tag }
        : undefined;
      const kept = asker && journal?.replied(asker);
      if (kept) {
        if (kept.label >= 0) server.reopened(req.label, kept.payload);
        return kept;
      }
      const a = await exclusive(() => server.handle(req), asker);
      return { label: 0, payload: a?.payload, handles: a?.handles };
    });
  } finally {
    clearInterval(flusher);
  }
}

/**
 * Mounts the configured file systems, the root first. Without a root there is no VFS (the
 * error says why); any other mount that fails — a corrupt disk, a service that is not there —
 * is reported on `log` and left out, and the rest of the system comes up.
 */
async function mountAll(
  list: unknown,
  server: VfsServer,
  makeFs: FsFactory,
  log: (line: string) => void,
): Promise<void> {
  const lines = Array.isArray(list) ? list.map(String) : ["tmpfs - /"];
  for (const [i, line] of lines.entries()) {
    const [type, given, target, opts] = line.trim().split(/\s+/);
    if (!type || !given || !target) throw new Error(`vfs: bad mount line "${line}"`);
    const source = given === "-" ? type : given; // what /proc/mounts shows for a virtual one
    if (i === 0) {
      if (target !== "/") throw new Error("vfs: the first mount must be /");
      server.attach(await makeFs(type, source, mountOptions(opts)), source, "/", undefined);
      continue;
    }
    try {
      const options = mountOptions(opts);
      await server.mountAt(await makeFs(type, source, options), source, target, options.union);
    } catch (e) {
      if (!(e instanceof FsError || e instanceof IpcError)) throw e;
      log(`${type} ${source} not mounted on ${target}: ${e.message}`);
    }
  }
}

export default service(main, import.meta.main);
