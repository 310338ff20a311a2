/**
 * The scheduler's policy on its own: priority order, round-robin among equals, aging so that
 * nothing starves, placement on idle harts, affinity, work stealing, and preemption nudges.
 */

import assert from "node:assert/strict";
import { FdTable } from "../../kernel/file.ts";
import type { Kernel } from "../../kernel/kernel.ts";
import { type Cwd, newThreadGroup, Process } from "../../kernel/proc.ts";
import { AGING_BOOST, Scheduler } from "../../kernel/sched.ts";
import { SignalDispositions } from "../../kernel/signals.ts";
import type { AddressSpace } from "../../kernel/vm.ts";

function proc(tid: number, nice = 0, affinity = 0b11): Process {
  const p = new Process(
    tid,
    0,
    `p${tid}`,
    {} as AddressSpace,
    new FdTable({} as Kernel),
    { path: "/" } as Cwd,
    newThreadGroup(tid),
    new SignalDispositions(),
    2,
  );
  p.nice = nice;
  p.affinity = affinity;
  return p;
}

Deno.test("higher priority first; equal priorities in arrival order", () => {
  const s = new Scheduler(1);
  const low = proc(1, 5);
  const high = proc(2, -5);
  const mid1 = proc(3, 0);
  const mid2 = proc(4, 0);
  for (const p of [low, mid1, high, mid2]) s.enqueue(p);
  assert.deepEqual([s.pick(0), s.pick(0), s.pick(0), s.pick(0)].map((p) => p?.tid), [2, 3, 4, 1]);
  assert.equal(s.pick(0), undefined);
});

Deno.test("aging: a low-priority process overtakes a high one after enough slices", () => {
  const s = new Scheduler(1);
  const high = proc(1, -5); // base 25
  const low = proc(2, 5); // base 15
  s.enqueue(low);
  const gap = (high.basePriority - low.basePriority) / AGING_BOOST;
  let slices = 0;
  for (;;) {
    s.enqueue(high);
    const next = s.pick(0)!;
    s.current[0] = next;
    s.age(0);
    slices++;
    if (next === low) break;
    assert.equal(next, high);
    assert.ok(slices <= gap + 1, "low must not starve");
  }
  assert.equal(slices, gap + 1);
});

Deno.test("a ready process goes to an idle hart, and the hart is told to wake", () => {
  const s = new Scheduler(2);
  const a = proc(1);
  const b = proc(2);
  s.current[0] = proc(9);
  assert.deepEqual(s.enqueue(a), { hart: 1, nudge: "wake" });
  s.current[1] = s.pick(1);
  assert.equal(s.current[1], a);
  assert.equal(s.enqueue(b).nudge, "none"); // both busy, same priority: it just waits
});

Deno.test("a process woken by a hart's process waits on that hart, unnudged, if it may run there", () => {
  const s = new Scheduler(2);
  s.current[0] = proc(9);
  assert.deepEqual(s.enqueue(proc(1), 0), { hart: 0, nudge: "waker" });
  assert.equal(s.idleHartBesides(0), 1, "hart 1 can take it if the waker goes on running");
  assert.deepEqual(s.enqueue(proc(2, 0, 0b10), 0), { hart: 1, nudge: "wake" }, "affinity first");
  assert.equal(s.idleHartBesides(0), undefined);
  s.current[1] = proc(8);
  s.current[0] = undefined;
  s.queues[0].length = 0;
  assert.deepEqual(
    s.enqueue(proc(3), 0),
    { hart: 0, nudge: "waker" },
    "a waker that has just blocked or ended leaves its hart awake and free",
  );
  assert.deepEqual(s.enqueue(proc(4)), { hart: 0, nudge: "none" }, "no waker: queued, not woken");
});

Deno.test("a higher-priority arrival asks the hart running a lower one to preempt", () => {
  const s = new Scheduler(1);
  s.current[0] = proc(1, 10);
  assert.deepEqual(s.enqueue(proc(2, -10)), { hart: 0, nudge: "preempt" });
  assert.ok(s.shouldPreempt(0));
});

Deno.test("affinity: a process is queued only on harts it may use, and never stolen across", () => {
  const s = new Scheduler(2);
  s.current[0] = proc(8);
  s.current[1] = proc(9);
  const pinned = proc(1, 0, 0b01);
  for (let n = 0; n < 3; n++) assert.equal(s.enqueue(proc(10 + n, 0, 0b01)).hart, 0);
  assert.equal(s.enqueue(pinned).hart, 0);
  s.current[1] = undefined;
  assert.equal(s.pick(1), undefined, "hart 1 may not steal processes pinned to hart 0");
});

Deno.test("work stealing: an idle hart takes the best process from the longest queue", () => {
  const s = new Scheduler(2);
  s.current[0] = proc(8);
  s.current[1] = proc(9);
  const a = proc(1, 0, 0b01);
  const b = proc(2, -3, 0b11);
  const c = proc(3, 0, 0b11);
  s.queues[0].push(a, b, c);
  s.current[1] = undefined;
  assert.equal(s.pick(1), b);
  assert.equal(b.hart, 1);
  assert.deepEqual(s.queues[0].map((p) => p.tid), [1, 3]);
});
