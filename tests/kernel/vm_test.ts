/**
 * Address spaces: demand-zero areas, copy-on-write fork (private pages copied on the first
 * store, shared ones not), the per-address-space memory limit, checked user access, and the
 * rule that a frame is released only after the TLB shootdown it waits for.
 */

import assert from "node:assert/strict";
import { ENOMEM, SyscallError } from "../../kernel/errno.ts";
import { FrameAllocator } from "../../kernel/frames.ts";
import { AddressSpace, PTE_COW, SharedMemory, type TlbControl } from "../../kernel/vm.ts";
import { Machine } from "../../machine/machine.ts";
import { ACCESS_READ, ACCESS_WRITE, PTE_R, PTE_W } from "../../machine/mmu.ts";

/** A TlbControl that records flushes and holds deferred work until `ack()`. */
class FakeTlb implements TlbControl {
  flushes: string[] = [];
  held: Array<() => void> = [];
  holding = false;
  flushPage(asid: number, va: number) {
    this.flushes.push(`page ${asid} 0x${va.toString(16)}`);
  }
  flushAsid(asid: number) {
    this.flushes.push(`asid ${asid}`);
  }
  defer(fn: (now: boolean) => void) {
    if (this.holding) this.held.push(() => fn(false));
    else fn(true);
  }
  ack() {
    this.holding = false;
    this.held.splice(0).forEach((fn) => fn());
  }
}

function setup(limitPages = 1000) {
  const machine = new Machine({ harts: 1, ramSizeBytes: 4 * 1024 * 1024, clock: "manual" });
  const frames = new FrameAllocator(machine.ram);
  const tlb = new FakeTlb();
  const noRegions = { mapped: () => {}, unmapped: () => {} };
  const as = new AddressSpace(frames, machine.bus, tlb, 1, limitPages, noRegions);
  as.addVma({ start: 0x10000, end: 0x20000, prot: PTE_R | PTE_W, kind: "anon" });
  return { machine, frames, tlb, as };
}

Deno.test("an area's pages appear zero-filled on first touch; outside an area is EFAULT", () => {
  const { as } = setup();
  assert.equal(as.residentPages, 0);
  assert.deepEqual([...as.copyIn(0x10ff0, 32)], new Array(32).fill(0));
  assert.equal(as.residentPages, 2, "two pages touched");
  as.write32(0x11000, 0xdeadbeef);
  assert.equal(as.read32(0x11000) >>> 0, 0xdeadbeef);
  assert.throws(
    () => as.read32(0x20000),
    (e: unknown) => e instanceof SyscallError && e.errno === 14,
  );
});

Deno.test("fork: private pages are copied on the first store, in whichever side stores", () => {
  const { frames, tlb, as } = setup();
  as.write32(0x10000, 111);
  const child = as.fork(2);
  assert.ok(as.pte(0x10000) & PTE_COW, "parent's page is copy-on-write");
  assert.ok(!(as.pte(0x10000) & PTE_W), "and read-only");
  assert.ok(tlb.flushes.includes("asid 1"), "the parent's stale writable entries are flushed");
  const shared = as.pte(0x10000) >>> 10;
  assert.equal(child.pte(0x10000) >>> 10, shared, "both map the same frame");
  assert.equal(frames.refCount(shared * 4096), 2);
  assert.ok(child.handleFault(0x10000, ACCESS_WRITE), "a store resolves by copying");
  child.write32(0x10000, 222);
  assert.equal(as.read32(0x10000), 111, "the parent does not see the child's store");
  assert.equal(child.read32(0x10000), 222);
  assert.equal(frames.refCount(shared * 4096), 1);
  assert.ok(as.handleFault(0x10000, ACCESS_WRITE), "the last sharer just gets write back");
  assert.equal(as.pte(0x10000) >>> 10, shared, "without a copy");
  assert.ok(as.pte(0x10000) & PTE_W);
});

Deno.test("fork: shared areas stay shared, even pages neither side had touched", () => {
  const { frames, as } = setup();
  const memory = new SharedMemory(frames, 2);
  as.addVma({
    start: 0x30000,
    end: 0x32000,
    prot: PTE_R | PTE_W,
    kind: "anon",
    shared: { memory, firstPage: 0 },
  });
  as.write32(0x30000, 1);
  const child = as.fork(2);
  child.write32(0x30000, 2);
  assert.equal(as.read32(0x30000), 2);
  assert.ok(!(as.pte(0x30000) & PTE_COW));
  child.write32(0x31000, 3); // first touch happens in the child
  assert.equal(as.read32(0x31000), 3);
  child.destroy();
  as.destroy();
  assert.deepEqual(memory.pages, [-1, -1], "the object's frames go with the last mapping");
});

Deno.test("the memory limit stops demand paging with ENOMEM", () => {
  const { as } = setup(3);
  as.write32(0x10000, 1);
  as.write32(0x11000, 1);
  as.write32(0x12000, 1);
  assert.throws(() => as.handleFault(0x13000, ACCESS_READ), (e: unknown) => {
    assert.ok(e instanceof SyscallError);
    assert.equal(e.errno, ENOMEM);
    assert.match(e.message, /memory limit of 12 KiB/);
    return true;
  });
});

Deno.test("an unmapped frame returns to the allocator only after the shootdown completes", () => {
  const { frames, tlb, as } = setup();
  as.write32(0x10000, 5);
  const frame = (as.pte(0x10000) >>> 10) * 4096;
  const free = frames.available;
  tlb.holding = true;
  as.removeRange(0x10000, 0x11000);
  assert.ok(tlb.flushes.includes("page 1 0x10000"));
  assert.equal(frames.refCount(frame), 1, "still held while a hart may cache it");
  assert.equal(frames.available, free);
  tlb.ack();
  assert.equal(frames.refCount(frame), 0);
  assert.equal(frames.available, free + 1);
});

Deno.test("destroy releases every page and page table", () => {
  const { frames, as } = setup();
  const before = frames.available + 1; // the root table
  as.write32(0x10000, 1);
  as.write32(0x1f000, 1);
  as.fork(2).destroy();
  as.destroy();
  assert.equal(frames.available, before);
});
