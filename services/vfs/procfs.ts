/**
 * procfs: /proc, the kernel's tables as files. Nothing is stored: every read asks the kernel
 * for the table (CTL.SYSINFO, which writes it as text into a region this VFS holds) and cuts
 * the part asked for. The files follow Linux's formats where one exists:
 *
 *   /proc/meminfo  cpuinfo  uptime  stat  loadavg  mounts  services  kmsg
 *   /proc/PID/stat  status  cmdline  environ  maps  fd/N (symbolic links to what N is)
 *
 * /proc/stat has the `cpu` and `cpuN` lines (user, nice, system and idle time of the harts, in
 * USER_HZ ticks of 10 ms), btime, processes, procs_running and procs_blocked; /proc/loadavg is
 * the kernel's load average (Linux's sampling and decay). /proc/kmsg is the kernel log, every
 * record it holds at each read (not Linux's /proc/kmsg, which a reader drains): one line per
 * record in Linux's /dev/kmsg format, `PRIORITY,SEQUENCE,MICROSECONDS,-;TEXT` (dmesg's input).
 * /proc/services is denix's own: the service table, one line each: name, state, restarts,
 * uptime in ms, isolation.
 */

import { EINVAL, ENOENT, ENOTDIR, EROFS } from "../../abi/errno.ts";
import { SYSINFO } from "../../abi/ipc.ts";
import { SLOT_BYTES } from "../../abi/vfs_cache.ts";
import type { BufferCache } from "./cache.ts";
import {
  type Attr,
  type DirEntry,
  type DirPage,
  DT,
  type FileSystem,
  type FsContext,
  FsError,
  type FsStats,
  type ReadResult,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
} from "./fs.ts";

/** Asks the kernel for a table (SYSINFO kind) as text. */
export type Sysinfo = (kind: number, args: number[]) => Promise<string>;

const PROC_MAGIC = 0x9fa0;
const ROOT = 1;
const PID_BASE = 0x10_0000;
const FD_BASE = 0x4000_0000;

/** Top-level files: name → [ino, what makes their text]. */
const TOP: Record<string, number> = {
  meminfo: 2,
  cpuinfo: 3,
  uptime: 4,
  mounts: 5,
  services: 6,
  stat: 7,
  loadavg: 8,
  kmsg: 9,
};
/** Per-process entries: name → offset from the process directory's inode. */
const PER_PID: Record<string, number> = {
  stat: 1,
  status: 2,
  cmdline: 3,
  environ: 4,
  maps: 5,
  fd: 6,
};

/** One line of the kernel's process table. */
interface ProcRow {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  state: string;
  threads: number;
  nice: number;
  hart: number;
  rss: number;
  cpuTicks: number;
  startTicks: number;
  vmPages: number;
  name: string;
}

function parseProcs(text: string): ProcRow[] {
  return text.split("\n").filter((l) => l.length > 0).map((l) => {
    const f = l.split(" ");
    return {
      pid: Number(f[0]),
      ppid: Number(f[1]),
      pgid: Number(f[2]),
      sid: Number(f[3]),
      state: f[4],
      threads: Number(f[5]),
      nice: Number(f[6]),
      hart: Number(f[7]),
      rss: Number(f[8]),
      cpuTicks: Number(f[9]),
      startTicks: Number(f[10]),
      vmPages: Number(f[11]),
      name: f.slice(12).join(" "),
    };
  });
}

/** A /proc. */
export class Procfs implements FileSystem {
  readonly type = "proc";
  readonly readOnly = true;

  constructor(
    private readonly sysinfo: Sysinfo,
    private readonly cache: BufferCache,
    private readonly ctx: FsContext,
    /** The mount table as /proc/mounts shows it. */
    private readonly mounts: () => string,
  ) {}

  root(): number {
    return ROOT;
  }

  private async procs(): Promise<ProcRow[]> {
    return parseProcs(await this.sysinfo(SYSINFO.PROCS, []));
  }

  private async row(pid: number): Promise<ProcRow> {
    const r = (await this.procs()).find((p) => p.pid === pid);
    if (!r) throw new FsError(ENOENT, `no process ${pid}`);
    return r;
  }

  /** What an inode is: the root, a top-level file, a process entry or an fd link. */
  private decode(ino: number): { kind: string; pid: number; fd: number } {
    if (ino === ROOT) return { kind: "root", pid: 0, fd: 0 };
    for (const [name, n] of Object.entries(TOP)) {
      if (n === ino) return { kind: name, pid: 0, fd: 0 };
    }
    if (ino >= FD_BASE) {
      const rel = ino - FD_BASE;
      return { kind: "fdlink", pid: Math.floor(rel / 256), fd: rel % 256 };
    }
    if (ino >= PID_BASE) {
      const rel = ino - PID_BASE;
      const pid = Math.floor(rel / 16);
      const k = rel % 16;
      if (k === 0) return { kind: "piddir", pid, fd: 0 };
      for (const [name, off] of Object.entries(PER_PID)) {
        if (off === k) return { kind: name === "fd" ? "fddir" : `pid.${name}`, pid, fd: 0 };
      }
    }
    throw new FsError(ENOENT, `no inode ${ino}`);
  }

  async getattr(ino: number): Promise<Attr> {
    const d = this.decode(ino);
    if (d.pid) await this.row(d.pid);
    const dir = d.kind === "root" || d.kind === "piddir" || d.kind === "fddir";
    const mode = dir ? S_IFDIR | 0o555 : d.kind === "fdlink" ? S_IFLNK | 0o700 : S_IFREG | 0o444;
    const now = this.ctx.now();
    return {
      ino,
      mode,
      nlink: dir ? 2 : 1,
      uid: 0,
      gid: 0,
      size: 0,
      blocks: 0,
      blksize: SLOT_BYTES,
      rdev: 0,
      atimeNs: now,
      mtimeNs: now,
      ctimeNs: now,
      btimeNs: 0n,
    };
  }

  setattr(): Promise<Attr> {
    throw new FsError(EROFS);
  }

  async lookup(dir: number, name: string): Promise<number> {
    const d = this.decode(dir);
    if (name === ".") return dir;
    if (d.kind === "root") {
      if (name === "..") return ROOT;
      if (name in TOP) return TOP[name];
      if (/^[1-9][0-9]{0,5}$/.test(name)) {
        const pid = Number(name);
        await this.row(pid);
        return PID_BASE + pid * 16;
      }
      throw new FsError(ENOENT);
    }
    if (d.kind === "piddir") {
      if (name === "..") return ROOT;
      if (!(name in PER_PID)) throw new FsError(ENOENT);
      await this.row(d.pid);
      return PID_BASE + d.pid * 16 + PER_PID[name];
    }
    if (d.kind === "fddir") {
      if (name === "..") return PID_BASE + d.pid * 16;
      const fds = await this.fds(d.pid);
      if (!/^[0-9]{1,3}$/.test(name) || !fds.has(Number(name))) throw new FsError(ENOENT);
      return FD_BASE + d.pid * 256 + Number(name);
    }
    throw new FsError(ENOTDIR);
  }

  private async fds(pid: number): Promise<Map<number, string>> {
    const text = await this.sysinfo(SYSINFO.FDS, [pid]);
    const out = new Map<number, string>();
    for (const line of text.split("\n")) {
      const sp = line.indexOf(" ");
      if (sp > 0) out.set(Number(line.slice(0, sp)), line.slice(sp + 1));
    }
    return out;
  }

  async readdir(dir: number, cookie: number, max: number): Promise<DirPage> {
    const d = this.decode(dir);
    let all: DirEntry[];
    if (d.kind === "root") {
      all = [
        { ino: ROOT, name: ".", type: DT.DIR },
        { ino: ROOT, name: "..", type: DT.DIR },
        ...Object.entries(TOP).map(([name, ino]) => ({ ino, name, type: DT.REG })),
        ...(await this.procs()).map((p) => ({
          ino: PID_BASE + p.pid * 16,
          name: String(p.pid),
          type: DT.DIR,
        })),
      ];
    } else if (d.kind === "piddir") {
      const base = PID_BASE + d.pid * 16;
      all = [
        { ino: base, name: ".", type: DT.DIR },
        { ino: ROOT, name: "..", type: DT.DIR },
        ...Object.entries(PER_PID).map(([name, off]) => ({
          ino: base + off,
          name,
          type: name === "fd" ? DT.DIR : DT.REG,
        })),
      ];
    } else if (d.kind === "fddir") {
      all = [
        { ino: dir, name: ".", type: DT.DIR },
        { ino: PID_BASE + d.pid * 16, name: "..", type: DT.DIR },
        ...[...(await this.fds(d.pid)).keys()].map((fd) => ({
          ino: FD_BASE + d.pid * 256 + fd,
          name: String(fd),
          type: DT.LNK,
        })),
      ];
    } else throw new FsError(ENOTDIR);
    const entries = all.slice(cookie, cookie + max);
    const next = cookie + entries.length;
    return { entries, next: next >= all.length ? 0 : next };
  }

  /** The text of a file. */
  private async text(ino: number): Promise<string> {
    const d = this.decode(ino);
    switch (d.kind) {
      case "meminfo":
        return await this.sysinfo(SYSINFO.MEMINFO, []);
      case "cpuinfo":
        return await this.sysinfo(SYSINFO.CPUINFO, []);
      case "uptime":
        return await this.sysinfo(SYSINFO.UPTIME, []);
      case "services":
        return await this.sysinfo(SYSINFO.SERVICES, []);
      case "stat":
        return await this.sysinfo(SYSINFO.STAT, []);
      case "loadavg":
        return await this.sysinfo(SYSINFO.LOADAVG, []);
      case "kmsg":
        return await this.sysinfo(SYSINFO.KMSG, []);
      case "mounts":
        return this.mounts();
      case "pid.status":
        return await this.sysinfo(SYSINFO.PROC, [d.pid]);
      case "pid.cmdline":
        return await this.sysinfo(SYSINFO.CMDLINE, [d.pid]);
      case "pid.environ":
        return await this.sysinfo(SYSINFO.ENVIRON, [d.pid]);
      case "pid.maps":
        return await this.sysinfo(SYSINFO.MAPS, [d.pid]);
      case "pid.stat":
        return statLine(await this.row(d.pid));
      default:
        throw new FsError(EINVAL, "not a regular file");
    }
  }

  async read(ino: number, offset: number, length: number): Promise<ReadResult> {
    const bytes = new TextEncoder().encode(await this.text(ino));
    const part = bytes.subarray(
      Math.min(offset, bytes.length),
      Math.min(offset + length, bytes.length),
    );
    const pieces: Uint8Array[] = [];
    for (let at = 0; at < part.length; at += SLOT_BYTES) {
      const slot = await this.cache.transient();
      const chunk = part.subarray(at, at + SLOT_BYTES);
      const view = this.cache.view(slot, chunk.length);
      view.set(chunk);
      pieces.push(view);
    }
    return { pieces, bytes: part.length };
  }

  async readlink(ino: number): Promise<string> {
    const d = this.decode(ino);
    if (d.kind !== "fdlink") throw new FsError(EINVAL, "not a symbolic link");
    const target = (await this.fds(d.pid)).get(d.fd);
    if (target === undefined) throw new FsError(ENOENT);
    return target;
  }

  create(): Promise<number> {
    throw new FsError(EROFS);
  }
  mkdir(): Promise<number> {
    throw new FsError(EROFS);
  }
  symlink(): Promise<number> {
    throw new FsError(EROFS);
  }
  link(): Promise<void> {
    throw new FsError(EROFS);
  }
  unlink(): Promise<void> {
    throw new FsError(EROFS);
  }
  rmdir(): Promise<void> {
    throw new FsError(EROFS);
  }
  rename(): Promise<void> {
    throw new FsError(EROFS);
  }
  write(): Promise<number> {
    throw new FsError(EROFS);
  }
  evict(): Promise<void> {
    return Promise.resolve();
  }
  setOpenCheck(): void {}
  reapOrphans(): Promise<void> {
    return Promise.resolve();
  }
  fsync(): Promise<void> {
    return Promise.resolve();
  }
  sync(): Promise<void> {
    return Promise.resolve();
  }
  statfs(): Promise<FsStats> {
    return Promise.resolve({
      blockSize: SLOT_BYTES,
      blocks: 0,
      blocksFree: 0,
      blocksAvailable: 0,
      inodes: 0,
      inodesFree: 0,
      magic: PROC_MAGIC,
      nameMax: 255,
    });
  }
  unmount(): Promise<void> {
    return Promise.resolve();
  }
}

/** mtime ticks (10 MHz) per USER_HZ tick (100 Hz), the unit of times in /proc/PID/stat. */
const TICKS_PER_USER_HZ = 100_000;

/** /proc/PID/stat: Linux's field order, with what the kernel's table knows. */
function statLine(r: ProcRow): string {
  const hz = (ticks: number) => Math.floor(ticks / TICKS_PER_USER_HZ);
  const fields = [
    r.pid,
    `(${r.name})`,
    r.state,
    r.ppid,
    r.pgid,
    r.sid,
    0, // tty_nr
    -1, // tpgid
    0, // flags
    0,
    0,
    0,
    0, // minflt, cminflt, majflt, cmajflt
    hz(r.cpuTicks), // utime (all of it: the kernel's time is not charged to processes)
    0, // stime
    0,
    0, // cutime, cstime
    20 + r.nice, // priority (Linux's for a normal process: 20 + nice)
    r.nice,
    r.threads,
    0, // itrealvalue
    hz(r.startTicks), // starttime, since boot
    r.vmPages * 4096, // vsize
    r.rss,
  ];
  return fields.join(" ") + "\n";
}
