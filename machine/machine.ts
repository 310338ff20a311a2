/**
 * The whole emulated computer: harts, the user RAM bank, shared banks, the CLINT, the PLIC and
 * the bus that maps them, put together as QEMU's `virt` board lays them out.
 *
 * A Machine lives on the kernel's thread and owns the device models. Everything a hart needs
 * is in SharedArrayBuffers, gathered in a HartDescriptor, so the same hart can be run in-line
 * (through `machine.cpus[h]`) or on its own host worker (see hart_thread.ts), which rebuilds
 * its own view of the bus from the descriptor: RAM banks, CLINT and PLIC, but no device models.
 */

import { type BlockBackend, BlockDevice } from "./block_device.ts";
import { Bus, type MmioDevice, RamBank } from "./bus.ts";
import { Clint } from "./clint.ts";
import { Clock } from "./clock.ts";
import { Cpu } from "./cpu.ts";
import { allocateHartState } from "./hart_state.ts";
import {
  BLOCK0_BASE,
  BLOCK0_SIZE,
  CLINT_BASE,
  CLINT_SIZE,
  IRQ_BLOCK0,
  IRQ_RTC,
  IRQ_UART0,
  IRQ_UART1,
  IRQ_UART_EXTRA,
  PAGE_SIZE,
  PLIC_BASE,
  PLIC_SIZE,
  RAM_BASE,
  RAM_SIZE_DEFAULT,
  RTC_BASE,
  RTC_SIZE,
  SHARED_BASE,
  SHARED_WINDOW_SIZE,
  UART0_BASE,
  UART0_SIZE,
  UART1_BASE,
  UART1_SIZE,
  UART_EXTRA,
  UART_EXTRA_BASE,
  UART_EXTRA_STRIDE,
} from "./memory_map.ts";
import { Tlb } from "./mmu.ts";
import { Plic } from "./plic.ts";
import { Rtc, type WallClock } from "./rtc.ts";
import { SharedWindow } from "./shared_window.ts";
import { type SerialBackend, Uart } from "./uart.ts";

/** The host ends of the machine's devices; a device whose back end is absent is not fitted. */
export interface MachineDevices {
  /** The console serial line, `uart0` (the host's stdin and stdout). */
  console?: SerialBackend;
  /** The second serial line, `uart1` (the host's stderr, or a web console's terminal). */
  serial1?: SerialBackend;
  /** Further serial lines, `uart2` on (at most UART_EXTRA): the web console's terminals. */
  moreSerials?: SerialBackend[];
  /** The disk behind the block device, `block0`. */
  disk?: BlockBackend;
  /** The wall clock behind the real-time clock, `rtc0`. */
  wallClock?: WallClock;
}

/**
 * A device fitted to the machine: its registers on the bus, its interrupt source on the PLIC,
 * and, for a device that does DMA, the bus it reaches memory through. That DMA bus holds only
 * the banks its driver mapped (an IOMMU domain): a device never reaches the user bank.
 */
export interface FittedDevice {
  name: string;
  base: number;
  size: number;
  /** PLIC source. */
  irq: number;
  model: MmioDevice;
  dma: Bus | undefined;
}

/** How to build a machine. */
export interface MachineConfig {
  /** Number of harts (default 2). */
  harts?: number;
  /** Size of the user bank in bytes (default RAM_SIZE_DEFAULT). */
  ramSizeBytes?: number;
  /** `host` follows real time; `manual` is stepped by the owner (default `host`). */
  clock?: "host" | "manual";
  /** Whether harts compile hot code (default true); false keeps them in the interpreter. */
  translate?: boolean;
  /** The devices' host back ends. */
  devices?: MachineDevices;
}

/** The shared buffers of one RAM bank. */
export interface BankDescriptor {
  name: string;
  base: number;
  buffer: SharedArrayBuffer;
  /** The bank's per-frame code generations. */
  codeGen: SharedArrayBuffer;
}

/** Everything a host thread needs to run hart `hartId` (only SharedArrayBuffers and numbers). */
export interface HartDescriptor {
  hartId: number;
  hartState: SharedArrayBuffer;
  tlb: SharedArrayBuffer;
  clock: SharedArrayBuffer;
  clint: SharedArrayBuffer;
  plic: SharedArrayBuffer;
  ram: BankDescriptor;
  sharedBanks: BankDescriptor[];
  /** The bank-set version `sharedBanks` reflects. */
  bankVersion: number;
  translate: boolean;
}

/** Upper limit on the user bank: the RAM window below 4 GiB. */
const RAM_SIZE_MAX = 2 ** 32 - RAM_BASE;

/** The computer. */
export class Machine {
  readonly harts: number;
  /** Whether harts compile hot code. */
  readonly translate: boolean;
  readonly hartState: SharedArrayBuffer;
  readonly clock: Clock;
  readonly clint: Clint;
  readonly plic: Plic;
  readonly bus = new Bus();
  readonly ram: RamBank;
  readonly sharedBanks: RamBank[] = [];
  readonly tlbBuffers: SharedArrayBuffer[];
  /** In-line views of each hart (to run on this thread, or inspect when stopped). */
  readonly cpus: Cpu[];
  /** Where shared banks may go. */
  readonly window = new SharedWindow(SHARED_BASE, SHARED_WINDOW_SIZE);
  /** The devices fitted, by name (uart0, uart1, block0, rtc0). */
  readonly devices = new Map<string, FittedDevice>();
  /**
   * Called when a device interrupt may be claimable: a line went high, or a pending source was
   * enabled again (the kernel claims it).
   */
  onDeviceInterrupt: () => void = () => {};
  /** Bumped by every change to the set of shared banks. */
  bankVersion = 0;
  /**
   * For each hart whose worker is executing now, the bank-set version its bus reflects;
   * Infinity for a hart that is not executing (it catches up before it runs again) or that
   * runs on this thread (its bus is `bus`). See hart_thread.ts.
   */
  private readonly hartBankVersions: number[];

  constructor(config: MachineConfig = {}) {
    this.harts = config.harts ?? 2;
    this.translate = config.translate ?? true;
    const ramSize = config.ramSizeBytes ?? RAM_SIZE_DEFAULT;
    if (
      !Number.isInteger(ramSize) || ramSize <= 0 || ramSize % PAGE_SIZE || ramSize > RAM_SIZE_MAX
    ) {
      throw new RangeError(`RAM size must be a positive multiple of 4 KiB up to 2 GiB`);
    }
    this.hartState = allocateHartState(this.harts);
    this.hartBankVersions = new Array(this.harts).fill(Infinity);
    this.clock = Clock.create(config.clock ?? "host");
    this.clint = new Clint(Clint.allocate(this.harts), this.hartState, this.clock);
    this.plic = new Plic(Plic.allocate(this.harts), this.hartState);
    this.ram = new RamBank("ram", RAM_BASE, new SharedArrayBuffer(ramSize));
    this.bus.addBank(this.ram);
    this.bus.addDevice(CLINT_BASE, CLINT_SIZE, this.clint);
    this.bus.addDevice(PLIC_BASE, PLIC_SIZE, this.plic);
    this.tlbBuffers = Array.from({ length: this.harts }, () => Tlb.allocate());
    this.cpus = this.tlbBuffers.map((tlb, hartId) =>
      new Cpu({
        hartId,
        hartState: this.hartState,
        tlb,
        bus: this.bus,
        ram: this.ram,
        clint: this.clint,
        translate: this.translate,
      })
    );
    this.fitDevices(config.devices ?? {});
  }

  private fitDevices(d: MachineDevices): void {
    const irq = (src: number) => (high: boolean) => {
      this.plic.setLevel(src, high);
      if (high) this.onDeviceInterrupt();
    };
    if (d.console) {
      this.fit("uart0", UART0_BASE, UART0_SIZE, IRQ_UART0, new Uart(d.console, irq(IRQ_UART0)));
    }
    if (d.serial1) {
      this.fit("uart1", UART1_BASE, UART1_SIZE, IRQ_UART1, new Uart(d.serial1, irq(IRQ_UART1)));
    }
    const more = d.moreSerials ?? [];
    if (more.length > UART_EXTRA) throw new RangeError(`${more.length} serial lines past uart1`);
    for (const [i, backend] of more.entries()) {
      const base = UART_EXTRA_BASE + i * UART_EXTRA_STRIDE;
      const src = IRQ_UART_EXTRA + i;
      this.fit(`uart${i + 2}`, base, UART0_SIZE, src, new Uart(backend, irq(src)));
    }
    if (d.disk) {
      const dma = new Bus();
      const model = new BlockDevice(dma, d.disk, irq(IRQ_BLOCK0));
      this.fit("block0", BLOCK0_BASE, BLOCK0_SIZE, IRQ_BLOCK0, model, dma);
    }
    if (d.wallClock) {
      this.fit("rtc0", RTC_BASE, RTC_SIZE, IRQ_RTC, new Rtc(d.wallClock, irq(IRQ_RTC)));
    }
  }

  private fit(
    name: string,
    base: number,
    size: number,
    irq: number,
    model: MmioDevice,
    dma?: Bus,
  ): void {
    this.bus.addDevice(base, size, model);
    this.devices.set(name, { name, base, size, irq, model, dma });
  }

  /**
   * Lets device `name` reach `bank` by DMA (an IOMMU mapping); returns the bank's bus address.
   * The mapping lasts until the bank leaves the machine.
   */
  dmaMap(name: string, bank: RamBank): number {
    const dma = this.devices.get(name)?.dma;
    if (!dma) throw new RangeError(`device ${name} does no DMA`);
    if (!dma.banks.includes(bank)) dma.addBank(bank);
    return bank.base;
  }

  /** Stops the devices' host activity (timers); the machine is not used afterwards. */
  close(): void {
    for (const d of this.devices.values()) if (d.model instanceof Rtc) d.model.close();
  }

  /**
   * Adds a RAM bank in the shared window: memory that may be handed to service workers.
   * Harts can reach it (when mapped), but it never holds user pages or page tables. Returns
   * undefined when the window has no free range that large or the host has no memory for it.
   */
  addSharedBank(name: string, sizeBytes: number): RamBank | undefined {
    const size = Math.ceil(sizeBytes / PAGE_SIZE) * PAGE_SIZE;
    if (!Number.isInteger(size) || size <= 0 || size > SHARED_WINDOW_SIZE) return undefined;
    const base = this.window.allocate(size);
    if (base < 0) return undefined;
    let buffer: SharedArrayBuffer;
    try {
      buffer = new SharedArrayBuffer(size);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      this.window.release(base, size, 0);
      this.window.settle(0);
      return undefined;
    }
    const bank = new RamBank(name, base, buffer);
    this.bus.addBank(bank);
    this.sharedBanks.push(bank);
    this.bankVersion++;
    return bank;
  }

  /**
   * Takes a shared bank out of the machine. Its range is reused once no executing hart's bus
   * has it; its buffer is garbage once nobody holds it.
   */
  removeSharedBank(bank: RamBank): void {
    const i = this.sharedBanks.indexOf(bank);
    if (i < 0) throw new RangeError(`${bank.name} is not a shared bank of this machine`);
    this.sharedBanks.splice(i, 1);
    this.bus.removeBank(bank.base);
    for (const d of this.devices.values()) d.dma?.removeBank(bank.base);
    this.bankVersion++;
    this.window.release(bank.base, bank.size, this.bankVersion);
    this.settleWindow();
  }

  /**
   * Hart `hartId`'s worker starts executing on a bus that reflects bank-set `version`, or
   * (undefined) has stopped: ranges its bus still maps stay quarantined only while it executes.
   */
  hartExecuting(hartId: number, version: number | undefined): void {
    this.hartBankVersions[hartId] = version ?? Infinity;
    if (version === undefined) this.settleWindow(); // starting to execute frees nothing
  }

  private settleWindow(): void {
    if (this.window.quarantining) {
      this.window.settle(Math.min(this.bankVersion, ...this.hartBankVersions));
    }
  }

  /** The buffers hart `hartId` needs, to hand to a host worker. */
  hartDescriptor(hartId: number): HartDescriptor {
    if (!Number.isInteger(hartId) || hartId < 0 || hartId >= this.harts) {
      throw new RangeError(`no hart ${hartId}`);
    }
    const bank = bankDescriptor;
    return {
      hartId,
      hartState: this.hartState,
      tlb: this.tlbBuffers[hartId],
      clock: this.clock.buffer,
      clint: this.clint.buffer,
      plic: this.plic.buffer,
      ram: bank(this.ram),
      sharedBanks: this.sharedBanks.map(bank),
      bankVersion: this.bankVersion,
      translate: this.translate,
    };
  }
}

/** The buffers of a bank, to hand to another host thread. */
export function bankDescriptor(b: RamBank): BankDescriptor {
  return { name: b.name, base: b.base, buffer: b.buffer, codeGen: b.codeGenBuffer };
}

/** Rebuilds a bank from its descriptor. */
export function bankFromDescriptor(d: BankDescriptor): RamBank {
  return new RamBank(d.name, d.base, d.buffer, d.codeGen);
}

/**
 * Rebuilds a hart from its descriptor on another host thread (no device models there), with
 * the bus it sees, to which banks created later are added.
 */
export function cpuFromDescriptor(d: HartDescriptor): { cpu: Cpu; bus: Bus } {
  const bus = new Bus();
  const ram = bankFromDescriptor(d.ram);
  bus.addBank(ram);
  for (const s of d.sharedBanks) bus.addBank(bankFromDescriptor(s));
  const clint = new Clint(d.clint, d.hartState, new Clock(d.clock));
  bus.addDevice(CLINT_BASE, CLINT_SIZE, clint);
  bus.addDevice(PLIC_BASE, PLIC_SIZE, new Plic(d.plic, d.hartState));
  const cpu = new Cpu({
    hartId: d.hartId,
    hartState: d.hartState,
    tlb: d.tlb,
    bus,
    ram,
    clint,
    translate: d.translate,
  });
  return { cpu, bus };
}
