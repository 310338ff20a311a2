/**
 * The kernel log ring (kernel/klog.ts) and the load average (kernel/loadavg.ts) on their own:
 * records, sequence numbers, bounds and escapes; Linux's fixed-point decay against the
 * exponential it approximates, the catch-up over missed periods, and /proc/loadavg's rounding.
 */

import assert from "node:assert/strict";
import { KernelLog, LINE_MAX } from "../../kernel/klog.ts";
import { calcLoad, EXP, FIXED_1, LoadAverage } from "../../kernel/loadavg.ts";

Deno.test("klog: /dev/kmsg records, one per line, with sequence numbers and escapes", () => {
  const log = new KernelLog();
  log.add(1_500_000, 6, "hello");
  log.add(2_000_001.7, 28, "two\nlines");
  log.add(3, 4, "tab\there, back\\slash");
  assert.equal(
    log.text(),
    "6,0,1500000,-;hello\n28,1,2000001,-;two\n28,2,2000001,-;lines\n" +
      "4,3,3,-;tab\\x09here, back\\x5cslash\n",
  );
  assert.equal(log.dropped, 0);
});

Deno.test("klog: the ring keeps the newest records within its bytes, and counts the rest", () => {
  const log = new KernelLog(1000);
  for (let i = 0; i < 200; i++) log.add(i, 6, `message ${i}`);
  const kept = log.list();
  assert.ok(new TextEncoder().encode(log.text()).length <= 1000);
  assert.equal(kept.at(-1)?.text, "message 199");
  assert.equal(kept[0].seq, 200 - kept.length, "consecutive up to the newest");
  assert.equal(log.dropped, 200 - kept.length);
  log.add(0, 6, "x".repeat(5000));
  assert.equal(log.list().at(-1)?.text.length, LINE_MAX, "a long line is cut");
});

Deno.test("loadavg: Linux's calc_load moves towards the active count, rounding up when rising", () => {
  // One busy thread for one period (5 s): 164/2048 of the way, plus the rounding.
  assert.equal(calcLoad(0, EXP[0], FIXED_1), Math.floor((FIXED_1 * 164 + FIXED_1 - 1) / FIXED_1));
  assert.equal(calcLoad(FIXED_1, EXP[0], FIXED_1), FIXED_1, "steady at 1.00");
  assert.equal(calcLoad(FIXED_1, EXP[0], 0), Math.floor(FIXED_1 * EXP[0] / FIXED_1), "falling");
});

Deno.test("loadavg: one busy thread gives what Linux shows: 0.08 0.02 0.01 after 5 s", () => {
  const period = 100;
  const avg = new LoadAverage(0, period);
  avg.sample(period - 1, () => 1);
  assert.equal(avg.text(), "0.00 0.00 0.00", "nothing before the first period ends");
  avg.sample(period, () => 1);
  assert.equal(avg.text(), "0.08 0.02 0.01");
  assert.equal(avg.samples, 1);
});

Deno.test("loadavg: the averages follow 1 - exp(-t/T) within the fixed point's error", () => {
  const period = 100;
  const avg = new LoadAverage(0, period);
  for (let n = 1; n <= 360; n++) {
    avg.sample(n * period, () => 2);
    const t = 5 * n;
    [60, 300, 900].forEach((minutes, i) => {
      const expected = 2 * (1 - Math.exp(-t / minutes));
      const got = avg.avenrun[i] / FIXED_1;
      assert.ok(Math.abs(got - expected) < 0.03, `${minutes} s average at ${t} s: ${got}`);
    });
  }
  // Then idle: back down the same curves.
  const top = avg.avenrun.map((a) => a / FIXED_1);
  avg.sample(361 * period + 12 * period - 1, () => 0); // 12 periods at once: one minute
  assert.equal(avg.samples, 372);
  assert.ok(Math.abs(avg.avenrun[0] / FIXED_1 - top[0] * Math.exp(-60 / 60)) < 0.02);
});

Deno.test("loadavg: periods missed are caught up as if sampled one by one", () => {
  const period = 100;
  const once = new LoadAverage(0, period);
  const steps = new LoadAverage(0, period);
  once.sample(7 * period + 50, () => 3);
  for (let n = 1; n <= 7; n++) steps.sample(n * period, () => 3);
  assert.deepEqual(once.avenrun, steps.avenrun);
  assert.equal(once.samples, 7);
  // The count is asked only when a period ended.
  let asked = 0;
  once.sample(7 * period + 99, () => (asked++, 1));
  assert.equal(asked, 0);
});
