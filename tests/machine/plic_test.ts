/**
 * The PLIC: claim and complete with level-triggered sources, priorities, thresholds,
 * per-context enables, SEIP on the right hart, and the MMIO register layout.
 */

import assert from "node:assert/strict";
import { Bus } from "../../machine/bus.ts";
import { allocateHartState, HART_WORDS, HS, SEIP } from "../../machine/hart_state.ts";
import { PLIC_BASE, PLIC_SIZE } from "../../machine/memory_map.ts";
import { Plic, PLIC_PRIORITY_MAX, PLIC_SOURCES } from "../../machine/plic.ts";

const PENDING = 0x1000;
const ENABLE = 0x2000;
const ENABLE_STRIDE = 0x80;
const CONTEXT = 0x20_0000;
const CONTEXT_STRIDE = 0x1000;

function setup(harts = 1) {
  const hartState = allocateHartState(harts);
  const plic = new Plic(Plic.allocate(harts), hartState);
  const words = new Int32Array(hartState);
  const seip = (hart = 0) => (words[hart * HART_WORDS + HS.SIP] & SEIP) !== 0;
  const wake = (hart = 0) => Atomics.load(words, hart * HART_WORDS + HS.WAKE);
  return { plic, seip, wake };
}

Deno.test("plic: a high line is pending, raises SEIP, is claimed once and completes", () => {
  const { plic, seip, wake } = setup();
  plic.setPriority(3, 1);
  plic.setEnabled(0, 3, true);
  assert.equal(seip(), false);
  assert.equal(plic.claim(0), 0, "nothing to claim");
  const woken = wake();
  plic.setLevel(3, true);
  assert.equal(plic.isPending(3), true);
  assert.equal(seip(), true);
  assert.ok(wake() > woken, "raising SEIP wakes the hart");

  assert.equal(plic.claim(0), 3);
  assert.equal(plic.isPending(3), false);
  assert.equal(seip(), false);
  assert.equal(plic.claim(0), 0, "in service: not claimable again");
  plic.setLevel(3, false);
  plic.complete(0, 3);
  assert.equal(plic.isPending(3), false, "line low at completion: nothing pending");
  assert.equal(seip(), false);
});

Deno.test("plic: a line still high at completion is pending again", () => {
  const { plic, seip } = setup();
  plic.setPriority(5, 2);
  plic.setEnabled(0, 5, true);
  plic.setLevel(5, true);
  assert.equal(plic.claim(0), 5);
  plic.setLevel(5, true);
  assert.equal(plic.isPending(5), false, "the gateway holds it while in service");
  plic.complete(0, 5);
  assert.equal(plic.isPending(5), true);
  assert.equal(seip(), true);
  assert.equal(plic.claim(0), 5);
});

Deno.test("plic: a line dropped before the claim is no longer pending", () => {
  const { plic, seip } = setup();
  plic.setPriority(2, 1);
  plic.setEnabled(0, 2, true);
  plic.setLevel(2, true);
  plic.setLevel(2, false);
  assert.equal(plic.isPending(2), false);
  assert.equal(seip(), false);
  assert.equal(plic.claim(0), 0);
});

Deno.test("plic: the highest priority is claimed first, the lowest id on ties", () => {
  const { plic } = setup();
  for (const [src, priority] of [[4, 1], [9, 3], [7, 3], [40, 2]]) {
    plic.setPriority(src, priority);
    plic.setEnabled(0, src, true);
    plic.setLevel(src, true);
  }
  assert.deepEqual([plic.claim(0), plic.claim(0), plic.claim(0), plic.claim(0)], [7, 9, 40, 4]);
  assert.equal(plic.claim(0), 0);
});

Deno.test("plic: priority 0 never interrupts; only priorities above the threshold do", () => {
  const { plic, seip } = setup();
  plic.setEnabled(0, 6, true);
  plic.setLevel(6, true);
  assert.equal(seip(), false, "priority 0");
  assert.equal(plic.claim(0), 0);
  plic.setThreshold(0, 2);
  plic.setPriority(6, 2);
  assert.equal(seip(), false, "priority equal to the threshold");
  plic.setPriority(6, 3);
  assert.equal(seip(), true);
  plic.setThreshold(0, 3);
  assert.equal(seip(), false, "raising the threshold masks it");
  assert.equal(plic.isPending(6), true, "still pending, just masked");
  plic.setThreshold(0, 0);
  assert.equal(plic.claim(0), 6);
});

Deno.test("plic: enables are per context and SEIP goes to the enabled hart only", () => {
  const { plic, seip } = setup(2);
  plic.setPriority(8, 1);
  plic.setEnabled(1, 8, true);
  plic.setLevel(8, true);
  assert.equal(seip(0), false);
  assert.equal(seip(1), true);
  assert.equal(plic.claim(0), 0, "context 0 has it masked");
  plic.setEnabled(0, 8, true);
  assert.equal(seip(0), true);
  assert.equal(plic.claim(1), 8);
  assert.equal(seip(0), false, "claimed by hart 1: no longer pending for anyone");
  assert.equal(seip(1), false);
  plic.complete(1, 8);
  assert.equal(seip(0), true, "re-pended, and enabled for both harts");
  assert.equal(seip(1), true);
  plic.setEnabled(1, 8, false);
  assert.equal(seip(0), true);
  assert.equal(seip(1), false);
});

Deno.test("plic: completing a source not in service changes nothing", () => {
  const { plic } = setup();
  plic.setPriority(3, 1);
  plic.setEnabled(0, 3, true);
  plic.setLevel(3, true);
  plic.complete(0, 3);
  plic.complete(0, 0);
  plic.complete(0, PLIC_SOURCES);
  assert.equal(plic.claim(0), 3);
  plic.complete(0, 3);
  plic.complete(0, 3);
  assert.equal(plic.claim(0), 3);
});

Deno.test("plic: bad source and context numbers are rejected", () => {
  const { plic } = setup();
  assert.throws(() => plic.setLevel(0, true), RangeError);
  assert.throws(() => plic.setLevel(PLIC_SOURCES, true), RangeError);
  assert.throws(() => plic.setPriority(1.5, 1), RangeError);
  assert.throws(() => plic.setEnabled(1, 3, true), RangeError);
  assert.throws(() => plic.claim(-1), RangeError);
});

Deno.test("plic: MMIO register layout", () => {
  const { plic, seip } = setup(2);
  const bus = new Bus();
  bus.addDevice(PLIC_BASE, PLIC_SIZE, plic);
  const rd = (offset: number) => bus.read(PLIC_BASE + offset, 4);
  const wr = (offset: number, value: number) => bus.write(PLIC_BASE + offset, 4, value);

  wr(4 * 10, 5);
  assert.equal(rd(4 * 10), 5);
  wr(4 * 11, 100);
  assert.equal(rd(4 * 11), PLIC_PRIORITY_MAX, "priority is clamped");
  wr(0, 3);
  assert.equal(rd(0), 0, "source 0 has no priority");

  wr(ENABLE + ENABLE_STRIDE * 1, 0xffff_ffff);
  assert.equal(rd(ENABLE + ENABLE_STRIDE * 1), 0xffff_fffe, "source 0 cannot be enabled");
  assert.equal(rd(ENABLE), 0, "context 0 untouched");
  wr(ENABLE + ENABLE_STRIDE * 1 + 4, 1 << (40 - 32));
  assert.equal(rd(ENABLE + ENABLE_STRIDE * 1 + 4), 1 << 8);

  wr(CONTEXT + CONTEXT_STRIDE * 1, 4);
  assert.equal(rd(CONTEXT + CONTEXT_STRIDE * 1), 4);
  assert.equal(rd(CONTEXT), 0);

  plic.setLevel(10, true);
  plic.setLevel(11, true);
  assert.equal(rd(PENDING), (1 << 10) | (1 << 11));
  assert.equal(seip(1), true, "priority 7 > threshold 4");
  assert.equal(rd(CONTEXT + CONTEXT_STRIDE * 1 + 4), 11, "reading claim/complete claims");
  assert.equal(rd(CONTEXT + CONTEXT_STRIDE * 1 + 4), 10);
  assert.equal(rd(PENDING), 0);
  assert.equal(seip(1), false);
  wr(CONTEXT + CONTEXT_STRIDE * 1 + 4, 11);
  assert.equal(rd(PENDING), 1 << 11, "completion re-pends the high line");

  assert.equal(bus.read(PLIC_BASE + 4 * 10, 1), 0, "byte reads are not supported");
  bus.write(PLIC_BASE + 4 * 10, 1, 1);
  assert.equal(rd(4 * 10), 5);
  assert.equal(rd(CONTEXT + CONTEXT_STRIDE * 2), 0, "no third context");
});
