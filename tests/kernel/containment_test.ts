/**
 * The kernel survives what a program or a service does: hostile programs (region bombs,
 * sleeps near 2^31 s, kill(1), mprotect of the trampoline) fail alone, in both hart modes; a
 * kernel bug met by a system call, a trap or a control request is contained (the caller is
 * killed or gets -EIO, the count goes up, one line is logged); region memory is charged,
 * bounded and reclaimed.
 */

import assert from "node:assert/strict";
import { EINVAL, EIO, ENOMEM } from "../../kernel/errno.ts";
import { type ControlHost, executeControl } from "../../kernel/ipc/control.ts";
import type { Launcher } from "../../kernel/launcher.ts";
import type { Supervisor } from "../../kernel/supervisor.ts";
import type { ServiceHost } from "../../kernel/ipc/service_host.ts";
import type { DeviceTable } from "../../kernel/ipc/devices.ts";
import { type IpcHost, IpcManager, SERVICE_REGION_BYTES_MAX } from "../../kernel/ipc/manager.ts";
import { CTL, type Message, REGION_SIZE_MAX } from "../../abi/ipc.ts";
import { type HartMode, Kernel } from "../../kernel/kernel.ts";
import { SyscallError } from "../../kernel/errno.ts";
import type { Region } from "../../kernel/ipc/objects.ts";
import { RamBank } from "../../machine/bus.ts";
import { SHARED_BASE, SHARED_WINDOW_SIZE } from "../../machine/memory_map.ts";
import { SharedWindow } from "../../machine/shared_window.ts";
import { assertLines } from "../helpers/lines.ts";
import { bootProgram } from "../helpers/system.ts";

const MODES: HartMode[] = ["inline", "threads"];
const MiB = 1024 * 1024;

/**
 * Boots `program` under init on a fresh two-hart system, lets `prepare` tamper with the kernel
 * before anything runs, and runs it to the end.
 */
async function boot(mode: HartMode, program: string, prepare: (k: Kernel) => void = () => {}) {
  const { system, console0, console1, log } = await bootProgram(
    [`userland/bin/${program}.elf`],
    { mode, harts: 2 },
  );
  // The system's own regions, made while booting (the kernel's staging slots, the VFS's cache).
  const booted = [...system.kernel.ipc.regions.values()];
  prepare(system.kernel);
  const exit = await system.run();
  return { out: console0.text(), err: console1.text(), exit, log, kernel: system.kernel, booted };
}

for (const mode of MODES) {
  Deno.test(`a hostile program fails alone and its regions are reclaimed, ${mode} harts`, async () => {
    const r = await boot(mode, "hostile");
    assert.deepEqual(r.exit, { status: 0, signal: 0 }, r.out + r.log.join("\n"));
    assertLines(r.out, [
      "hostile: start",
      "region of 0 bytes or over the maximum: EINVAL",
      "six regions of 200 MiB: ENOMEM (memory limit)",
      "regions count against the memory limit: ENOMEM past it",
      /^shared window full: ENOMEM after 1[67] regions of 60 MiB$/,
      "created and closed 40 x 48 MiB: memory reclaimed",
      "mapped, closed, written and unmapped 40 x 48 MiB: memory reclaimed",
      "revoked 40 x 48 MiB: memory reclaimed",
      "40 processes exited holding 48 MiB each: memory reclaimed",
      "sleeps of 2^31 s and more: still asleep after 50 ms, ended by SIGTERM",
      "kill(1, SIGKILL/SIGSTOP/SIGTERM): init carries on",
      "mprotect of the trampoline to writable: EACCES",
      "hostile: the kernel survived",
    ]);
    assert.equal(r.kernel.containedFaults, 0, r.log.join("\n"));
    // Every region the program made is gone, and the services' went with them when they
    // stopped at the end: what is left is the kernel's own, from the boot.
    const left = [...r.kernel.ipc.regions.values()];
    assert.ok(left.length > 0 && left.every((region) => r.booted.includes(region)));
    assert.deepEqual(left.map((region) => region.owner.kind), left.map(() => "kernel"));
    assert.deepEqual(r.kernel.machine.sharedBanks, left.map((region) => region.bank));
    const window = r.kernel.machine.window;
    const system = left.reduce((bytes, region) => bytes + region.size, 0);
    assert.equal(window.freeBytes + window.quarantinedBytes + system, SHARED_WINDOW_SIZE);
  });

  Deno.test(`a kernel bug in a system call kills only its caller, ${mode} harts`, async () => {
    const r = await boot(mode, "ipc_region", (k) => {
      k.ipc.regionCreate = () => {
        throw new TypeError("injected");
      };
    });
    assert.deepEqual(r.exit, { status: 128 + 9, signal: 0 });
    assert.equal(r.kernel.containedFaults, 1);
    const bugs = r.log.filter((l) => l.startsWith("kernel bug contained"));
    assert.equal(bugs.length, 1);
    assert.match(
      bugs[0],
      /^kernel bug contained: ipc_region_create by ipc_region\.elf\[\d+\]: TypeError: injected$/,
    );
  });

  Deno.test(`a kernel bug in a page fault kills only the faulting process, ${mode} harts`, async () => {
    const r = await boot(mode, "malloc", (k) => {
      const load = k.loadProgram.bind(k);
      k.loadProgram = (p, image, argv, envp, path) => {
        load(p, image, argv, envp, path);
        if (!path.endsWith("malloc.elf")) return;
        p.as.handleFault = () => {
          throw new Error("injected fault bug");
        };
      };
    });
    assert.deepEqual(r.exit, { status: 128 + 9, signal: 0 }, "init reports malloc killed");
    assert.equal(r.kernel.containedFaults, 1);
    assert.match(
      r.log.join("\n"),
      /^kernel bug contained: exception 1[235] at 0x[0-9a-f]+ by malloc\.elf\[\d+\]: Error: injected fault bug$/m,
    );
  });
}

Deno.test("no TimeoutOverflowWarning: sleeps near 2^31 s re-arm host timers in bounded steps", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "scripts/rv32.ts", "userland/bin/hostile.elf"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(r.stderr);
  assert.equal(r.code, 0, err);
  assert.doesNotMatch(err, /TimeoutOverflowWarning|does not fit into a 32-bit/);
  assert.match(new TextDecoder().decode(r.stdout), /hostile: the kernel survived/);
});

/** An IPC manager on a fake host: banks from a window of `windowBytes`, bugs recorded. */
function manager(windowBytes = SHARED_WINDOW_SIZE) {
  const window = new SharedWindow(SHARED_BASE, windowBytes);
  const bugs: string[] = [];
  const live = new Set<RamBank>();
  const host: IpcHost = {
    wake: () => {},
    newSharedBank: (name, size) => {
      const base = window.allocate(size);
      if (base < 0) return undefined;
      const bank = new RamBank(name, base, new SharedArrayBuffer(size));
      live.add(bank);
      return bank;
    },
    freeSharedBank: (bank) => {
      live.delete(bank);
      window.release(bank.base, bank.size, 0);
      window.settle(0);
    },
    chargeProcess: () => {},
    unmapRegion: () => {},
    kernelBug: (what, e) => bugs.push(`${what}: ${e}`),
    replyDoorbell: new Int32Array(new SharedArrayBuffer(4)),
  };
  return { ipc: new IpcManager(host), host, bugs, live, window };
}

function control(label: number, ...words: number[]): Message {
  const payload = new Uint8Array(4 * words.length);
  words.forEach((w, i) => new DataView(payload.buffer).setUint32(4 * i, w, true));
  return { label, sender: 0, tag: 7, handles: [], payload };
}

Deno.test("regions: bad sizes are EINVAL; a service's regions are bounded and refunded on close", () => {
  const { ipc, live } = manager();
  const svc = ipc.serviceParty("svc", () => {});
  for (const size of [0, -1, REGION_SIZE_MAX + 1, 1.5]) {
    assert.throws(
      () => ipc.regionCreate(svc, size),
      (e) => e instanceof SyscallError && e.errno === EINVAL,
    );
  }
  const handles = [];
  while (svc.regionBytes + REGION_SIZE_MAX <= SERVICE_REGION_BYTES_MAX) {
    handles.push(ipc.regionCreate(svc, REGION_SIZE_MAX));
  }
  assert.throws(
    () => ipc.regionCreate(svc, 4096),
    (e) => e instanceof SyscallError && e.errno === ENOMEM,
  );
  ipc.close(svc, handles[0]);
  assert.equal(svc.regionBytes, SERVICE_REGION_BYTES_MAX - REGION_SIZE_MAX);
  assert.equal(live.size, handles.length - 1, "the closed region's bank was given back");
  ipc.regionCreate(svc, 4096);
});

Deno.test("regions: a full window is ENOMEM, and a region handed on lives until its last holder", () => {
  const { ipc, live } = manager(8 * MiB);
  const a = ipc.serviceParty("a", () => {});
  const b = ipc.serviceParty("b", () => {});
  const h = ipc.regionCreate(a, 6 * MiB);
  assert.throws(
    () => ipc.regionCreate(b, 4 * MiB),
    (e) => e instanceof SyscallError && e.errno === ENOMEM,
  );
  // Give b a handle (as a transfer in a message would), then a lets go.
  const region = a.handles.get(h, "region", 0).object;
  b.handles.add(region, 1);
  ipc.close(a, h);
  assert.equal(live.size, 1, "b still holds it");
  assert.equal(a.regionBytes, 6 * MiB, "the creator pays until the region is freed");
  ipc.partyDied(b);
  assert.equal(live.size, 0);
  assert.equal(a.regionBytes, 0);
  ipc.regionCreate(a, 8 * MiB);
});

Deno.test("regions: a service's regions go with it, though its peers still hold them", () => {
  const { ipc, live } = manager(64 * MiB);
  const vfs = ipc.serviceParty("vfs", () => {});
  const driver = ipc.serviceParty("block", () => {});
  const kernel = ipc.kernelParty();
  const cache = vfs.handles.get<Region>(ipc.regionCreate(vfs, 32 * MiB), "region", 0).object;
  driver.handles.add(cache, 1); // a driver doing DMA into it
  kernel.handles.add(cache, 1); // the kernel reading from it
  const own = ipc.regionCreate(driver, 4 * MiB);
  ipc.partyDied(vfs); // crashed: its next instance makes a cache of its own
  assert.equal(cache.alive, false, "revoked");
  assert.equal(live.size, 1, "freed; the driver's own region stays");
  assert.equal(kernel.handles.size, 0, "the kernel's handle is gone");
  assert.equal(driver.handles.size, 1, "the driver keeps only its own region's");
  assert.equal(driver.handles.get<Region>(own, "region", 0).object.size, 4 * MiB);
  ipc.regionCreate(ipc.serviceParty("vfs", () => {}), 32 * MiB);
});

Deno.test("control path: a kernel bug is -EIO and counted; a short payload is EINVAL, not a bug", () => {
  const { ipc, host, bugs } = manager();
  const svc = ipc.serviceParty("svc", () => {});
  host.newSharedBank = () => {
    throw new TypeError("injected");
  };
  // Region operations reach only the IPC manager; the rest of the host must not be touched.
  const untouched = () => {
    throw new Error("not a region operation");
  };
  const controlHost: ControlHost = {
    ipc,
    devices: new Proxy({}, { get: untouched }) as DeviceTable,
    signal: untouched,
    sysinfo: untouched,
    log: untouched,
    launcher: new Proxy({}, { get: untouched }) as Launcher,
    poweroff: untouched,
    supervisor: new Proxy({}, { get: untouched }) as Supervisor,
    services: new Proxy({}, { get: untouched }) as ServiceHost,
  };
  const reply = executeControl(controlHost, svc, control(CTL.REGION_CREATE, 4096));
  assert.equal(reply.label, -EIO);
  assert.equal(reply.tag, 7);
  assert.deepEqual(bugs, [`control operation ${CTL.REGION_CREATE} of svc: TypeError: injected`]);
  const short = executeControl(controlHost, svc, control(CTL.REGION_CREATE));
  assert.equal(short.label, -EINVAL);
  assert.equal(ipc.rejected, 1);
  assert.equal(bugs.length, 1);
});

Deno.test("shared window: first fit, quarantine until every hart caught up, coalescing", () => {
  const w = new SharedWindow(SHARED_BASE, 16 * 4096);
  const a = w.allocate(4 * 4096);
  const b = w.allocate(4 * 4096);
  const c = w.allocate(8 * 4096);
  assert.deepEqual([a, b, c], [SHARED_BASE, SHARED_BASE + 4 * 4096, SHARED_BASE + 8 * 4096]);
  assert.equal(w.allocate(4096), -1);
  w.release(a, 4 * 4096, 5);
  w.release(b, 4 * 4096, 6);
  w.settle(4);
  assert.equal(w.allocate(4096), -1, "quarantined until version 5 is everywhere");
  assert.equal(w.quarantinedBytes, 8 * 4096);
  w.settle(6);
  assert.equal(w.freeBytes, 8 * 4096);
  assert.equal(w.allocate(8 * 4096), SHARED_BASE, "the two ranges coalesced");
  assert.throws(() => w.allocate(100), RangeError);
});
