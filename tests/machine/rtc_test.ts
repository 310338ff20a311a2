/**
 * The RTC through its goldfish registers with a fake wall clock: time reads and the latch,
 * alarms raising SEIP through the PLIC, clearing and re-arming, and the host clock back end.
 */

import assert from "node:assert/strict";
import { FakeWallClock, HostWallClock } from "../../machine/backends/wall_clock.ts";
import { IRQ_RTC, RTC_BASE, RTC_SIZE } from "../../machine/memory_map.ts";
import { Rtc } from "../../machine/rtc.ts";
import { RTC_REG } from "../../abi/devices.ts";
import { deviceFixture } from "../helpers/device_fixture.ts";

/** 2023-11-14T22:13:20.123456789Z, in nanoseconds. */
const START_NS = 1_700_000_000_123_456_789n;

function setup(start_ns = START_NS) {
  const f = deviceFixture(IRQ_RTC);
  const clock = new FakeWallClock(start_ns);
  const rtc = new Rtc(clock, f.irq);
  f.bus.addDevice(RTC_BASE, RTC_SIZE, rtc);
  const reg = (r: number) => f.bus.read(RTC_BASE + r, 4);
  const set = (r: number, v: number) => f.bus.write(RTC_BASE + r, 4, v);
  const time = () => {
    const low = BigInt(reg(RTC_REG.TIME_LOW));
    return (BigInt(reg(RTC_REG.TIME_HIGH)) << 32n) | low;
  };
  const armAt = (ns: bigint) => {
    set(RTC_REG.ALARM_HIGH, Number(ns >> 32n));
    set(RTC_REG.ALARM_LOW, Number(ns & 0xffff_ffffn));
  };
  return { ...f, clock, rtc, reg, set, time, armAt };
}

Deno.test("rtc: TIME_LOW then TIME_HIGH read the clock; TIME_LOW latches the high half", () => {
  const { clock, reg, time } = setup();
  assert.equal(time(), START_NS);
  clock.advance(5n);
  assert.equal(time(), START_NS + 5n);

  const low = reg(RTC_REG.TIME_LOW);
  clock.advance(1n << 32n);
  assert.equal(reg(RTC_REG.TIME_HIGH), Number((START_NS + 5n) >> 32n), "still the latched half");
  assert.equal(low, Number((START_NS + 5n) & 0xffff_ffffn));
  assert.equal(time(), START_NS + 5n + (1n << 32n));
});

Deno.test("rtc: an armed alarm raises SEIP when reached, and CLEAR_INTERRUPT lowers it", () => {
  const { clock, reg, set, seip, plic, armAt } = setup();
  set(RTC_REG.IRQ_ENABLED, 1);
  assert.equal(reg(RTC_REG.IRQ_ENABLED), 1);
  armAt(START_NS + 1000n);
  assert.equal(reg(RTC_REG.ALARM_STATUS), 1);
  assert.equal(reg(RTC_REG.ALARM_LOW), Number((START_NS + 1000n) & 0xffff_ffffn));
  assert.equal(reg(RTC_REG.ALARM_HIGH), Number((START_NS + 1000n) >> 32n));
  clock.advance(999n);
  assert.equal(seip(), false);
  assert.equal(reg(RTC_REG.ALARM_STATUS), 1);
  clock.advance(1n);
  assert.equal(seip(), true);
  assert.equal(reg(RTC_REG.ALARM_STATUS), 0, "a fired alarm disarms itself");
  assert.equal(clock.pending, 0);

  assert.equal(plic.claim(0), IRQ_RTC);
  set(RTC_REG.CLEAR_INTERRUPT, 1);
  plic.complete(0, IRQ_RTC);
  assert.equal(seip(), false);
  clock.advance(1_000_000n);
  assert.equal(seip(), false, "the alarm fires once");
});

Deno.test("rtc: an alarm already in the past fires at once", () => {
  const { reg, set, seip, armAt } = setup();
  set(RTC_REG.IRQ_ENABLED, 1);
  armAt(START_NS - 1n);
  assert.equal(seip(), true);
  assert.equal(reg(RTC_REG.ALARM_STATUS), 0);
});

Deno.test("rtc: with IRQ_ENABLED clear a fired alarm stays pending without raising the line", () => {
  const { clock, set, seip, armAt } = setup();
  armAt(START_NS + 10n);
  clock.advance(10n);
  assert.equal(seip(), false);
  set(RTC_REG.IRQ_ENABLED, 1);
  assert.equal(seip(), true, "enabling shows the pending interrupt");
  set(RTC_REG.IRQ_ENABLED, 0);
  assert.equal(seip(), false);
});

Deno.test("rtc: CLEAR_ALARM disarms; re-arming replaces the previous alarm", () => {
  const { clock, reg, set, seip, armAt } = setup();
  set(RTC_REG.IRQ_ENABLED, 1);
  armAt(START_NS + 100n);
  set(RTC_REG.CLEAR_ALARM, 1);
  assert.equal(reg(RTC_REG.ALARM_STATUS), 0);
  assert.equal(clock.pending, 0);
  clock.advance(200n);
  assert.equal(seip(), false);

  armAt(START_NS + 1000n);
  armAt(START_NS + 500n);
  assert.equal(clock.pending, 1, "only the latest alarm is scheduled");
  clock.advance(299n);
  assert.equal(seip(), false);
  clock.advance(1n);
  assert.equal(seip(), true);
  set(RTC_REG.CLEAR_INTERRUPT, 1);
  clock.advance(1000n);
  assert.equal(seip(), false, "the replaced alarm never fires");
});

Deno.test("rtc: a 64-bit alarm far ahead waits for its high half", () => {
  const { clock, set, seip, armAt } = setup(0n);
  set(RTC_REG.IRQ_ENABLED, 1);
  armAt((3n << 32n) + 7n);
  clock.set(7n);
  clock.set((2n << 32n) + 7n);
  assert.equal(seip(), false);
  clock.set((3n << 32n) + 7n);
  assert.equal(seip(), true);
});

Deno.test("rtc: other widths and offsets read 0 and change nothing; close disarms", () => {
  const { clock, bus, reg, armAt, rtc } = setup();
  assert.equal(bus.read(RTC_BASE + RTC_REG.TIME_LOW, 1), 0);
  assert.equal(reg(0x20), 0);
  bus.write(RTC_BASE + RTC_REG.IRQ_ENABLED, 2, 1);
  assert.equal(reg(RTC_REG.IRQ_ENABLED), 0);
  armAt(START_NS + 10n);
  rtc.close();
  assert.equal(clock.pending, 0);
  assert.equal(reg(RTC_REG.ALARM_STATUS), 0);
});

Deno.test("fake wall clock: due callbacks run in time order, even ones scheduled while firing", () => {
  const clock = new FakeWallClock(0n);
  const fired: string[] = [];
  clock.schedule(30n, () => fired.push("c"));
  clock.schedule(10n, () => {
    fired.push("a");
    clock.schedule(20n, () => fired.push("b"));
  });
  const cancel = clock.schedule(25n, () => fired.push("x"));
  cancel();
  clock.set(40n);
  assert.deepEqual(fired, ["a", "b", "c"]);
  assert.equal(clock.pending, 0);
});

Deno.test("host wall clock: reads Date.now in ns; fires asynchronously; cancels", async () => {
  const clock = new HostWallClock();
  const before = BigInt(Date.now()) * 1_000_000n;
  const now = clock.nowNs();
  assert.ok(now >= before && now <= BigInt(Date.now()) * 1_000_000n);

  let fired = false;
  const done = new Promise<void>((resolve) => {
    clock.schedule(now - 1n, () => {
      fired = true;
      resolve();
    });
  });
  assert.equal(fired, false, "never from inside schedule");
  await done;
  assert.equal(fired, true);

  const cancel = clock.schedule(now + 3_600_000_000_000n, () => assert.fail("cancelled"));
  cancel();
});

Deno.test("rtc: on the host clock an alarm arms a timer that close cancels", () => {
  const rtc = new Rtc(new HostWallClock(), () => assert.fail("no alarm expected"));
  const at_ns = BigInt(Date.now() + 3_600_000) * 1_000_000n;
  rtc.write(RTC_REG.ALARM_HIGH, 4, Number(at_ns >> 32n));
  rtc.write(RTC_REG.ALARM_LOW, 4, Number(at_ns & 0xffff_ffffn));
  assert.equal(rtc.read(RTC_REG.ALARM_STATUS, 4), 1);
  rtc.close();
  assert.equal(rtc.read(RTC_REG.ALARM_STATUS, 4), 0);
});
