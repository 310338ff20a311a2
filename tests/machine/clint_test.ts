/**
 * The CLINT: IPIs through msip (SSIP on the hart, read back, wake word bumped), the mtimecmp
 * halves, mtime, and timer deadlines against a manual clock.
 */

import assert from "node:assert/strict";
import { Bus } from "../../machine/bus.ts";
import { Clint } from "../../machine/clint.ts";
import { Clock } from "../../machine/clock.ts";
import { allocateHartState, HART_WORDS, HS, SSIP } from "../../machine/hart_state.ts";
import { CLINT_BASE, CLINT_SIZE } from "../../machine/memory_map.ts";

const MSIP = 0x0000;
const MTIMECMP = 0x4000;
const MTIME = 0xbff8;

function setup(harts = 2) {
  const hartState = allocateHartState(harts);
  const clock = Clock.create("manual");
  const clint = new Clint(Clint.allocate(harts), hartState, clock);
  const bus = new Bus();
  bus.addDevice(CLINT_BASE, CLINT_SIZE, clint);
  const words = new Int32Array(hartState);
  const sip = (hart: number) => Atomics.load(words, hart * HART_WORDS + HS.SIP);
  const wake = (hart: number) => Atomics.load(words, hart * HART_WORDS + HS.WAKE);
  const rd = (offset: number) => bus.read(CLINT_BASE + offset, 4);
  const wr = (offset: number, value: number) => bus.write(CLINT_BASE + offset, 4, value);
  return { bus, clint, clock, sip, wake, rd, wr };
}

Deno.test("clint: an msip write raises SSIP on that hart only, reads back, wakes it", () => {
  const { sip, wake, rd, wr } = setup();
  const woken = wake(1);
  wr(MSIP + 4, 1);
  assert.equal(sip(1) & SSIP, SSIP);
  assert.equal(sip(0) & SSIP, 0);
  assert.equal(rd(MSIP + 4), 1);
  assert.equal(rd(MSIP), 0);
  assert.ok(wake(1) > woken, "the wake word was bumped");
  wr(MSIP + 4, 0);
  assert.equal(sip(1) & SSIP, 0);
  assert.equal(rd(MSIP + 4), 0);
});

Deno.test("clint: sendIpi and clearIpi drive the same bit", () => {
  const { clint, sip, rd } = setup();
  clint.sendIpi(0);
  assert.equal(rd(MSIP), 1);
  assert.equal(sip(0) & SSIP, SSIP);
  clint.clearIpi(0);
  assert.equal(rd(MSIP), 0);
  assert.throws(() => clint.sendIpi(2), RangeError);
});

Deno.test("clint: timers start disarmed", () => {
  const { clint, clock, rd } = setup();
  clock.advance(1e12);
  assert.equal(clint.timerDue(0), false);
  assert.equal(clint.timecmp(0), Infinity);
  assert.equal(clint.msUntilTimer(0), Infinity);
  assert.equal(rd(MTIMECMP + 4), 0x7fff_ffff);
  assert.equal(rd(MTIMECMP), 0xffff_ffff);
});

Deno.test("clint: mtimecmp is written and read in 32-bit halves", () => {
  const { clint, rd, wr, wake } = setup();
  const woken = wake(1);
  wr(MTIMECMP + 8, 0x8765_4321);
  wr(MTIMECMP + 8 + 4, 0x0000_0012);
  assert.equal(rd(MTIMECMP + 8), 0x8765_4321);
  assert.equal(rd(MTIMECMP + 8 + 4), 0x12);
  assert.equal(clint.timecmp(1), 0x12_8765_4321);
  assert.ok(wake(1) > woken, "a new deadline wakes the hart");
  wr(MTIMECMP + 8, 5);
  assert.equal(clint.timecmp(1), 0x12_0000_0005, "the low write keeps the high half");
  assert.equal(rd(MTIMECMP + 4), 0x7fff_ffff, "hart 0 untouched");
});

Deno.test("clint: the timer is due once the manual clock reaches mtimecmp", () => {
  const { clint, clock, rd, wr } = setup();
  wr(MTIMECMP + 4, 0);
  wr(MTIMECMP, 1000);
  assert.equal(clint.timerDue(0), false);
  assert.equal(clint.msUntilTimer(0), Clock.ticksToMs(1000));
  clock.advance(999);
  assert.equal(rd(MTIME), 999);
  assert.equal(rd(MTIME + 4), 0);
  assert.equal(clint.timerDue(0), false);
  clock.advance(1);
  assert.equal(clint.timerDue(0), true);
  assert.equal(clint.msUntilTimer(0), 0);
  assert.equal(clint.timerDue(1), false);

  clint.setTimecmp(0, 5000);
  assert.equal(clint.timerDue(0), false);
  clint.setTimecmp(0, Infinity);
  assert.equal(clint.timecmp(0), Infinity);
  clock.advance(2 ** 33);
  assert.equal(rd(MTIME + 4), 2);
  assert.equal(clint.timerDue(0), false);
});

Deno.test("clint: a compare value of 2^63 or more never fires", () => {
  const { clint, clock, wr } = setup();
  wr(MTIMECMP, 0);
  wr(MTIMECMP + 4, 0x8000_0000);
  clock.advance(1e15);
  assert.equal(clint.timerDue(0), false);
  assert.equal(clint.timecmp(0), Infinity);
});

Deno.test("clint: non-word accesses read 0 and change nothing", () => {
  const { bus, clint, rd } = setup();
  bus.write(CLINT_BASE + MSIP, 1, 1);
  assert.equal(rd(MSIP), 0);
  clint.sendIpi(0);
  assert.equal(bus.read(CLINT_BASE + MSIP, 1), 0);
  assert.equal(rd(0x8000), 0);
});
