/**
 * A minimal machine for device tests: one bus with a RAM bank at RAM_BASE (for DMA), a PLIC
 * over a hart-state block, and the device's interrupt source routed to hart 0's context, so a
 * test drives a device through its registers and sees its interrupt arrive as SEIP.
 */

import { Bus, RamBank } from "../../machine/bus.ts";
import { allocateHartState, HART_WORDS, HS, SEIP } from "../../machine/hart_state.ts";
import { RAM_BASE } from "../../machine/memory_map.ts";
import { Plic } from "../../machine/plic.ts";

/** Size of the fixture's RAM bank, in bytes. */
export const FIXTURE_RAM_BYTES = 4 * 1024 * 1024;

/** The pieces of the test machine. */
export interface DeviceFixture {
  bus: Bus;
  ram: RamBank;
  plic: Plic;
  hartState: SharedArrayBuffer;
  /** Drives the device's PLIC source; pass it to the device as its `irq`. */
  irq: (high: boolean) => void;
  /** Whether SEIP is pending on `hart`. */
  seip(hart?: number): boolean;
}

/** Builds the fixture with interrupt source `src` at priority 1, enabled for hart 0. */
export function deviceFixture(src: number, harts = 1): DeviceFixture {
  const hartState = allocateHartState(harts);
  const plic = new Plic(Plic.allocate(harts), hartState);
  plic.setPriority(src, 1);
  plic.setEnabled(0, src, true);
  const bus = new Bus();
  const ram = new RamBank("ram", RAM_BASE, new SharedArrayBuffer(FIXTURE_RAM_BYTES));
  bus.addBank(ram);
  const words = new Int32Array(hartState);
  return {
    bus,
    ram,
    plic,
    hartState,
    irq: (high) => plic.setLevel(src, high),
    seip: (hart = 0) => (words[hart * HART_WORDS + HS.SIP] & SEIP) !== 0,
  };
}
