/**
 * Interrupt delivery to U-mode harts with a manual clock: the CLINT timer (STIP: due once mtime
 * reaches mtimecmp, only when enabled in sie, cleared by re-arming), IPIs through sendIpi and
 * the msip registers (SSIP, on the target hart only), PLIC device lines (SEIP) with claim,
 * complete, priorities and thresholds, the priority order between pending interrupts, and
 * `waitForInterrupt`'s return value. Cause codes follow the privileged specification
 * (supervisor software 1, timer 5, external 9, with the interrupt bit set).
 */

import assert from "node:assert/strict";
import { type Cpu, RUN_BUDGET, RUN_TRAP } from "../../machine/cpu.ts";
import { SEIP, SSIP, STIP } from "../../machine/hart_state.ts";
import { CLINT_BASE, PLIC_BASE } from "../../machine/memory_map.ts";
import * as A from "../helpers/asm.ts";
import { Bench, CODE_PA } from "../helpers/hart_fixture.ts";

const SOFTWARE = 0x8000_0001;
const TIMER = 0x8000_0005;
const EXTERNAL = 0x8000_0009;

/** A bench whose harts all spin on `jal x0, 0` at CODE_PA (bare mode). */
function spinning(harts = 1): Bench {
  const b = new Bench({ harts });
  b.place([A.jal(0, 0)]);
  for (const cpu of b.m.cpus) cpu.pc = CODE_PA;
  return b;
}

/** Runs `cpu` for `budget` instructions; returns scause (unsigned) on a trap, or "budget". */
function step(cpu: Cpu, budget = 100): number | "budget" {
  const r = cpu.run(budget);
  if (r === RUN_BUDGET) return "budget";
  assert.equal(r, RUN_TRAP);
  return cpu.scause >>> 0;
}

Deno.test("timer: interrupts only once mtime reaches mtimecmp", () => {
  const b = spinning();
  const cpu = b.cpu;
  cpu.sie = STIP;
  b.m.clint.setTimecmp(0, 1000);
  assert.equal(step(cpu), "budget", "mtime 0");
  b.m.clock.advance(999);
  assert.equal(step(cpu), "budget", "mtime 999");
  assert.equal(cpu.instret, 200);
  b.m.clock.advance(1);
  assert.equal(step(cpu), TIMER, "mtime 1000");
  assert.equal(cpu.stval, 0);
  assert.equal(cpu.sepc >>> 0, CODE_PA, "sepc: the instruction not yet executed");
  assert.equal(cpu.instret, 200, "taken before any instruction of the run");
  // Level-triggered: still pending until the kernel re-arms it.
  assert.equal(step(cpu), TIMER);
  b.m.clock.advance(5000);
  assert.equal(step(cpu), TIMER, "long past the deadline");
});

Deno.test("timer: not taken while STIP is disabled in sie", () => {
  const b = spinning();
  const cpu = b.cpu;
  b.m.clint.setTimecmp(0, 10);
  b.m.clock.advance(20);
  cpu.sie = 0;
  assert.equal(step(cpu), "budget");
  cpu.sie = SSIP | SEIP;
  assert.equal(step(cpu), "budget");
  cpu.sie = STIP;
  assert.equal(step(cpu), TIMER);
});

Deno.test("timer: re-arming for a later time clears it; disarming too", () => {
  const b = spinning();
  const cpu = b.cpu;
  cpu.sie = STIP;
  b.m.clint.setTimecmp(0, 100);
  b.m.clock.advance(100);
  assert.equal(step(cpu), TIMER);
  b.m.clint.setTimecmp(0, 600);
  assert.equal(step(cpu), "budget", "re-armed for 600 at mtime 100");
  b.m.clock.advance(499);
  assert.equal(step(cpu), "budget", "mtime 599");
  b.m.clock.advance(1);
  assert.equal(step(cpu), TIMER, "mtime 600");
  b.m.clint.setTimecmp(0, Infinity);
  assert.equal(step(cpu), "budget", "disarmed");
  assert.equal(b.m.clint.timecmp(0), Infinity);
});

Deno.test("timer: each hart has its own compare register", () => {
  const b = spinning(2);
  const [c0, c1] = b.m.cpus;
  c0.sie = STIP;
  c1.sie = STIP;
  b.m.clint.setTimecmp(0, 50);
  b.m.clint.setTimecmp(1, 10);
  b.m.clock.advance(10);
  assert.equal(step(c0), "budget");
  assert.equal(step(c1), TIMER);
  b.m.clock.advance(40);
  assert.equal(step(c0), TIMER);
});

Deno.test("timer: a hart arming mtimecmp through the CLINT's registers is interrupted mid-run", () => {
  const b = new Bench();
  const cpu = b.cpu;
  const program = [
    A.lui(10, (CLINT_BASE + 0x4000) >>> 12), // x10 = &mtimecmp[0]
    A.sw(0, 10, 0), // low half = 0
    A.sw(0, 10, 4), // high half = 0: mtimecmp = 0 <= mtime
    A.jal(0, 0), // spin
  ];
  cpu.sie = 0;
  assert.equal(b.start(program, {}, 50_000), RUN_BUDGET, "masked: the hart just spins");
  assert.equal(b.m.clint.timecmp(0), 0, "the stores reached mtimecmp");
  cpu.sie = STIP;
  b.m.clint.setTimecmp(0, Infinity);
  assert.equal(b.start(program, {}, 50_000), RUN_TRAP);
  assert.equal(cpu.scause >>> 0, TIMER);
  assert.equal(cpu.sepc >>> 0, CODE_PA + 12, "interrupted while spinning");
});

Deno.test("IPI: sendIpi interrupts that hart only, until cleared", () => {
  const b = spinning(2);
  const [c0, c1] = b.m.cpus;
  c0.sie = SSIP;
  c1.sie = SSIP;
  b.m.clint.sendIpi(1);
  assert.equal(step(c0), "budget", "hart 0 is not the target");
  assert.equal(step(c1), SOFTWARE);
  assert.equal(c1.stval, 0);
  assert.equal(step(c1), SOFTWARE, "still pending");
  assert.equal(b.m.bus.read(CLINT_BASE + 4, 4), 1, "msip[1] reads 1");
  assert.equal(b.m.bus.read(CLINT_BASE + 0, 4), 0, "msip[0] reads 0");
  b.m.clint.clearIpi(1);
  assert.equal(step(c1), "budget");
  c1.sie = 0;
  b.m.clint.sendIpi(1);
  assert.equal(step(c1), "budget", "masked in sie");
});

Deno.test("IPI: a hart's store to another hart's msip register interrupts that hart", () => {
  const b = spinning(2);
  const [c0, c1] = b.m.cpus;
  c0.sie = SSIP;
  c1.sie = SSIP;
  // Hart 0 runs its own program; hart 1 spins at CODE_PA.
  b.place(
    [A.lui(10, CLINT_BASE >>> 12), A.addi(11, 0, 1), A.sw(11, 10, 4), A.jal(0, 0)],
    CODE_PA + 0x100,
  );
  c0.pc = CODE_PA + 0x100;
  assert.equal(step(c0), "budget", "the sender is not interrupted");
  assert.equal(c0.pc >>> 0, CODE_PA + 0x10c, "the sender reached its spin loop");
  assert.equal(step(c1), SOFTWARE);
  b.m.bus.write(CLINT_BASE + 4, 4, 0); // the kernel clears msip[1]
  assert.equal(step(c1), "budget");
});

Deno.test("PLIC: a raised line with priority and enable set interrupts the target hart", () => {
  const b = spinning(2);
  const [c0, c1] = b.m.cpus;
  const plic = b.m.plic;
  c0.sie = SEIP;
  c1.sie = SEIP;
  const src = 5;
  plic.setLevel(src, true);
  assert.equal(step(c1), "budget", "priority 0 never interrupts");
  plic.setPriority(src, 1);
  assert.equal(step(c1), "budget", "not enabled for any context");
  plic.setEnabled(1, src, true);
  assert.equal(step(c1), EXTERNAL);
  assert.equal(step(c0), "budget", "enabled for hart 1 only");
  c1.sie = STIP | SSIP;
  assert.equal(step(c1), "budget", "SEIP masked in sie");
});

Deno.test("PLIC: claim returns the source; complete re-pends it while the line is high", () => {
  const b = spinning(1);
  const cpu = b.cpu;
  const plic = b.m.plic;
  cpu.sie = SEIP;
  plic.setPriority(3, 1);
  plic.setEnabled(0, 3, true);
  plic.setLevel(3, true);
  assert.equal(step(cpu), EXTERNAL);
  assert.equal(plic.claim(0), 3);
  assert.equal(plic.isPending(3), false);
  assert.equal(step(cpu), "budget", "in service: no interrupt");
  assert.equal(plic.claim(0), 0, "nothing else to claim");
  plic.complete(0, 3); // the line is still high
  assert.equal(plic.isPending(3), true);
  assert.equal(step(cpu), EXTERNAL, "pending again");
  assert.equal(plic.claim(0), 3);
  plic.setLevel(3, false);
  plic.complete(0, 3);
  assert.equal(plic.isPending(3), false);
  assert.equal(step(cpu), "budget");
  assert.equal(plic.claim(0), 0);
});

Deno.test("PLIC: claims come in priority order and the threshold masks low priorities", () => {
  const b = spinning(1);
  const cpu = b.cpu;
  const plic = b.m.plic;
  cpu.sie = SEIP;
  for (const [src, prio] of [[3, 2], [4, 5], [40, 3]]) {
    plic.setPriority(src, prio);
    plic.setEnabled(0, src, true);
    plic.setLevel(src, true);
  }
  plic.setThreshold(0, 5);
  assert.equal(step(cpu), "budget", "no priority above 5");
  assert.equal(plic.claim(0), 0);
  plic.setThreshold(0, 2);
  assert.equal(step(cpu), EXTERNAL);
  assert.equal(plic.claim(0), 4);
  assert.equal(plic.claim(0), 40);
  assert.equal(step(cpu), "budget", "source 3 (priority 2) is not above the threshold");
  plic.setThreshold(0, 0);
  assert.equal(step(cpu), EXTERNAL);
  assert.equal(plic.claim(0), 3);
  // Equal priorities: the lowest source id wins.
  for (const src of [9, 6]) {
    plic.setPriority(src, 4);
    plic.setEnabled(0, src, true);
    plic.setLevel(src, true);
  }
  assert.equal(plic.claim(0), 6);
  assert.equal(plic.claim(0), 9);
});

Deno.test("PLIC: a hart claims and completes through the memory-mapped registers", () => {
  const b = new Bench();
  const plic = b.m.plic;
  plic.setPriority(7, 3);
  plic.setEnabled(0, 7, true);
  plic.setLevel(7, true);
  b.exec([
    A.lui(10, (PLIC_BASE + 0x20_0000) >>> 12), // context 0's threshold/claim registers
    A.lw(5, 10, 4), // claim
    A.lw(6, 10, 4), // claim again: nothing
    A.sw(5, 10, 4), // complete
  ]);
  assert.equal(b.reg(5), 7);
  assert.equal(b.reg(6), 0);
  assert.equal(plic.isPending(7), true, "completed while the line is high: pending again");
});

Deno.test("priority: external before software before timer; sie masks each", () => {
  const b = spinning(1);
  const cpu = b.cpu;
  const plic = b.m.plic;
  b.m.clint.setTimecmp(0, 0);
  b.m.clint.sendIpi(0);
  plic.setPriority(2, 1);
  plic.setEnabled(0, 2, true);
  plic.setLevel(2, true);

  cpu.sie = STIP;
  assert.equal(step(cpu), TIMER);
  cpu.sie = STIP | SSIP;
  assert.equal(step(cpu), SOFTWARE);
  cpu.sie = STIP | SEIP;
  assert.equal(step(cpu), EXTERNAL);
  cpu.sie = STIP | SSIP | SEIP;
  assert.equal(step(cpu), EXTERNAL);
  assert.equal(plic.claim(0), 2);
  plic.setLevel(2, false);
  plic.complete(0, 2);
  assert.equal(step(cpu), SOFTWARE);
  b.m.clint.clearIpi(0);
  assert.equal(step(cpu), TIMER);
  b.m.clint.setTimecmp(0, Infinity);
  assert.equal(step(cpu), "budget");
});

Deno.test("waitForInterrupt: true at once when one is pending, false after the timeout otherwise", () => {
  const b = spinning(1);
  const cpu = b.cpu;
  cpu.sie = SSIP | STIP | SEIP;
  assert.equal(cpu.waitForInterrupt(0), false);
  assert.equal(cpu.waitForInterrupt(20), false, "nothing pending");

  b.m.clint.setTimecmp(0, 1000); // armed, but the manual clock stands still
  assert.equal(cpu.waitForInterrupt(20), false, "timer not yet due");
  b.m.clock.advance(1000);
  assert.equal(cpu.waitForInterrupt(60_000), true, "timer due");
  b.m.clint.setTimecmp(0, Infinity);

  b.m.clint.sendIpi(0);
  cpu.sie = STIP | SEIP;
  assert.equal(cpu.waitForInterrupt(20), false, "pending but masked");
  cpu.sie = SSIP;
  assert.equal(cpu.waitForInterrupt(60_000), true, "IPI pending");
  b.m.clint.clearIpi(0);

  b.m.plic.setPriority(9, 1);
  b.m.plic.setEnabled(0, 9, true);
  b.m.plic.setLevel(9, true);
  cpu.sie = SEIP;
  assert.equal(cpu.waitForInterrupt(60_000), true, "external pending");
  b.m.plic.setLevel(9, false);
  assert.equal(cpu.waitForInterrupt(20), false, "line lowered");
  // A run after the wait takes nothing: the hart simply continues.
  assert.equal(step(cpu), "budget");
  assert.equal(cpu.scause >>> 0, 0, "no trap was ever taken");
});
