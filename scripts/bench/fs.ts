/**
 * File-system benchmarks: what a program pays for files on denix — the drivers, the VFS and
 * ext2 as workers, as deployed, on threaded harts — against the same binary
 * (userland/bench/files.c) under qemu-riscv32 on the host's file system, measured in the same
 * run. The program times itself (CLOCK_MONOTONIC), so booting does not count:
 *
 * - sequential write (then fsync) and read of 16 MiB, in MB/s: an ext2 disk image file on
 *   denix, a host file under qemu;
 * - stat latency, p50 (µs);
 * - create+unlink of 1,000 files (ms);
 * - the latency of a cached one-byte read (p50 and p99, µs), against getpid's on the same
 *   system: what a round trip system call → VFS → reply costs beyond a system call;
 * - the write and create figures again with the VFS's journal off: what recovery costs.
 *
 * Each denix figure is the best of RUNS boots (this VM is noisy).
 */

import { DiskImage } from "../../machine/backends/disk_image.ts";
import { makeExt2Image } from "../../services/vfs/ext2/mkfs.ts";
import { timeProgram } from "./system.ts";
import { type Bench, type BenchResult, higherIsBetter, lowerIsBetter } from "./types.ts";

const PROGRAM = new URL("../../userland/bin/bench_files.elf", import.meta.url).pathname;
/** Size of the sequential transfers, in MiB. */
const MIB = 16;
/** Operations per latency measurement, and files created. */
const SAMPLES = 2000;
const FILES = 1000;
/** Boots per denix figure: the best counts. */
const RUNS = 2;

/** One line of bench_files' output, as numbers. */
function numbers(out: string): number[] {
  return out.trim().split(/\s+/).filter((w) => /^\d+$/.test(w)).map(Number);
}

/** bench_files under qemu-riscv32, in `dir` on the host. */
async function qemu(args: string[], dir: string): Promise<number[]> {
  const r = await new Deno.Command("qemu-riscv32", {
    args: [PROGRAM, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!r.success) throw new Error(`qemu bench_files ${args.join(" ")} in ${dir} failed`);
  return numbers(new TextDecoder().decode(r.stdout));
}

/**
 * bench_files on a booted denix with an ext2 disk image at /mnt; the best of RUNS. `journal`
 * false boots the VFS without its journal (what the recovery machinery costs).
 */
async function denix(
  image: string,
  args: string[],
  better: "min" | "max",
  journal = true,
): Promise<number[]> {
  let best: number[] | undefined;
  for (let run = 0; run < RUNS; run++) {
    const disk = await DiskImage.open(image);
    try {
      const r = await timeProgram([PROGRAM, ...args], {
        mode: "threads",
        isolation: "worker",
        disk,
        cwd: "/mnt",
        journal,
      });
      const got = numbers(r.out);
      if (!best || (better === "min" ? got[0] < best[0] : got[0] > best[0])) best = got;
    } finally {
      await disk.close();
    }
  }
  return best!;
}

export const fsBench: Bench = {
  name: "fs",
  async run(): Promise<BenchResult[]> {
    const dir = await Deno.makeTempDir({ prefix: "denix-bench-fs-" });
    const image = `${dir}/disk.img`;
    await Deno.writeFile(image, await makeExt2Image({ sizeBytes: 64 * 1024 * 1024 }));
    const host = `${dir}/host`;
    await Deno.mkdir(host);
    try {
      const results: BenchResult[] = [];
      const mbps = (bytes: number, ns: number) => bytes / (ns / 1e9) / 1e6;

      const [qw, qwNs] = await qemu(["write", `${host}/f`, String(MIB)], host);
      const [dw, dwNs] = await denix(image, ["write", "/mnt/f", String(MIB)], "min");
      results.push(higherIsBetter(
        `fs sequential write ${MIB} MiB + fsync`,
        "MB/s",
        mbps(dw, dwNs),
        "qemu-riscv32, host file",
        mbps(qw, qwNs),
      ));
      const [qr, qrNs] = await qemu(["read", `${host}/f`], host);
      const [dr, drNs] = await denix(image, ["read", "/mnt/f"], "min");
      results.push(higherIsBetter(
        `fs sequential read ${MIB} MiB`,
        "MB/s",
        mbps(dr, drNs),
        "qemu-riscv32, host file",
        mbps(qr, qrNs),
      ));

      const [qs] = await qemu(["stat", `${host}/f`, String(SAMPLES)], host);
      const [ds] = await denix(image, ["stat", "/mnt/f", String(SAMPLES)], "min");
      results.push(lowerIsBetter("fs stat p50", "us", ds / 1000, "qemu-riscv32", qs / 1000));

      const [qc] = await qemu(["create", host, String(FILES)], host);
      const [dc] = await denix(image, ["create", "/mnt", String(FILES)], "min");
      results.push(
        lowerIsBetter(`fs create+unlink ${FILES} files`, "ms", dc / 1e6, "qemu-riscv32", qc / 1e6),
      );

      // The recovery machinery's cost: the same runs with the VFS's journal off.
      const [nw, nwNs] = await denix(image, ["write", "/mnt/f", String(MIB)], "min", false);
      results.push(higherIsBetter(
        `fs sequential write ${MIB} MiB + fsync, journal`,
        "MB/s",
        mbps(dw, dwNs),
        "same, no journal",
        mbps(nw, nwNs),
      ));
      const [nc] = await denix(image, ["create", "/mnt", String(FILES)], "min", false);
      results.push(
        lowerIsBetter(
          `fs create+unlink ${FILES} files, journal`,
          "ms",
          dc / 1e6,
          "same, no journal",
          nc / 1e6,
        ),
      );

      const [dl50, dl99] = await denix(image, ["readlat", "/mnt/f", String(SAMPLES)], "min");
      const [dg50, dg99] = await denix(image, ["getpid", String(SAMPLES)], "min");
      const [ql50] = await qemu(["readlat", `${host}/f`, String(SAMPLES)], host);
      results.push(
        lowerIsBetter(
          "fs cached read p50",
          "us",
          dl50 / 1000,
          "getpid p50, same system",
          dg50 / 1000,
        ),
        lowerIsBetter(
          "fs cached read p99",
          "us",
          dl99 / 1000,
          "getpid p99, same system",
          dg99 / 1000,
        ),
        lowerIsBetter("fs cached read p50 vs qemu", "us", dl50 / 1000, "qemu-riscv32", ql50 / 1000),
      );
      return results;
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
};
