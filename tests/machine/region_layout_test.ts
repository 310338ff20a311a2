/**
 * The layout of a compiled region's control flow (machine/region_layout.ts): loops found by
 * dominance, laid out contiguous with their header first and nested as they nest, every other
 * edge forward, and irreducible flow taken out as exits.
 */

import assert from "node:assert/strict";
import { blocksOf, layoutRegion } from "../../machine/region_layout.ts";

/** Each edge's position delta in the layout must be positive unless it is a back edge. */
function assertForward(edges: number[][]) {
  const shape = layoutRegion(edges);
  const pos = new Map(shape.order.map((b, p) => [b, p]));
  edges.forEach((targets, i) => {
    if (!pos.has(i)) return;
    for (const j of targets) {
      const key = `${i},${j}`;
      if (shape.exitEdges.has(key) || shape.backEdges.has(key)) continue;
      assert.ok(pos.get(j)! > pos.get(i)!, `edge ${key} goes forward`);
    }
  });
  return shape;
}

Deno.test("region layout: straight code and a block looping on itself", () => {
  assert.deepEqual(layoutRegion([[]]).items, [0]);
  const self = layoutRegion([[0]]);
  assert.deepEqual(self.items, [{ header: 0, items: [0] }]);
  assert.deepEqual([...self.backEdges], ["0,0"]);
});

Deno.test("region layout: a loop with an if inside is one loop, its fall-throughs next", () => {
  // 0 -> 1 (taken) or 2 (falls through); both join at 3, which goes back to 0.
  const shape = assertForward([[1, 2], [3], [3], [0]]);
  assert.deepEqual(shape.items, [{ header: 0, items: [0, 2, 1, 3] }]);
  assert.deepEqual([...shape.backEdges], ["3,0"]);
  assert.equal(shape.exitEdges.size, 0);
});

Deno.test("region layout: nested loops nest, and code after them follows", () => {
  // 0 -> 1; 1 heads a loop holding 2 (a loop of its own) and 3; 3 leaves to 4.
  const shape = assertForward([[1], [2], [2, 3], [1, 4], []]);
  assert.deepEqual(shape.items, [0, { header: 1, items: [1, { header: 2, items: [2] }, 3] }, 4]);
  assert.deepEqual(new Set(shape.backEdges), new Set(["2,2", "3,1"]));
});

Deno.test("region layout: irreducible flow leaves the region on the edge into the middle", () => {
  // 0 enters the cycle 1 <-> 2 at either block: no block dominates the other.
  const shape = assertForward([[1, 2], [2], [1]]);
  assert.deepEqual([...shape.exitEdges], ["2,1"]);
  assert.equal(shape.backEdges.size, 0);
  assert.deepEqual(shape.order, [0, 1, 2], "every block stays: a retreating edge is no tree edge");
});

Deno.test("region layout: every order it gives keeps loops contiguous", () => {
  // A partition loop as quicksort compiles it: two inner scanning loops, a swap, the test.
  const edges = [[1, 2], [1, 2], [3], [4], [6, 5], [2, 0], [4]];
  const shape = assertForward(edges);
  const pos = new Map(shape.order.map((b, p) => [b, p]));
  const walk = (items: typeof shape.items) => {
    for (const item of items) {
      if (typeof item === "number") continue;
      const blocks = blocksOf(item);
      const at = blocks.map((b) => pos.get(b)!).sort((a, b) => a - b);
      assert.equal(at[at.length - 1] - at[0], blocks.length - 1, `loop ${item.header} contiguous`);
      assert.equal(blocks[0], item.header, "header first");
      walk(item.items);
    }
  };
  walk(shape.items);
  assert.equal(shape.order.length, edges.length);
});
