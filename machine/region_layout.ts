/**
 * The shape of a compiled region's control flow (translate.ts emits it): which edges between
 * its blocks are loops, in what order the blocks are laid out, and how they nest.
 *
 * The translator writes a region as structured JavaScript: every loop of the guest code a
 * labeled `for (;;)` whose back edges are `continue`s, every forward edge a `break` out of a
 * labeled statement that ends just before its target. That needs a reducible flow graph laid
 * out so that each loop's blocks are contiguous and every other edge goes forward. This
 * module finds it:
 *
 * 1. Back edges are the edges whose target dominates their source (block 0, the hot block,
 *    is the root). A retreating edge that is no back edge (code entered in the middle of a
 *    loop: irreducible flow) is taken out: the generated code leaves the region there, and
 *    `run` re-enters it at the target. Every block stays reachable from block 0 (such an edge
 *    retreats, so the depth-first walk reached its target by other edges).
 * 2. A loop is a header with the natural loop of its back edges; loops with different headers
 *    are nested or disjoint (they are, in a reducible graph).
 * 3. Each loop, and the region itself, is ordered by a topological sort of its direct blocks
 *    and inner loops (an inner loop counts as one item), ties broken by reverse postorder, so
 *    loops come out contiguous and forward edges forward.
 */

/** A block, or a loop: its header first, then its blocks and inner loops in layout order. */
export type Item = number | Loop;

/** A loop in the layout. */
export interface Loop {
  readonly header: number;
  readonly items: Item[];
}

/** How a region is laid out. */
export interface RegionLayout {
  /** The region's items in order (block 0 first, or the loop it heads). */
  readonly items: Item[];
  /** Every block, in layout order. */
  readonly order: number[];
  /** Edges `from,to` that are loops' back edges. */
  readonly backEdges: Set<string>;
  /** Edges `from,to` the region leaves by instead (irreducible flow). */
  readonly exitEdges: Set<string>;
}

/** The key of edge `from` -> `to` in the layout's edge sets. */
export function edgeKey(from: number, to: number): string {
  return `${from},${to}`;
}

/** Every block of an item, in layout order. */
export function blocksOf(item: Item): number[] {
  return typeof item === "number" ? [item] : item.items.flatMap(blocksOf);
}

/** The first block of an item. */
export function firstBlock(item: Item): number {
  return typeof item === "number" ? item : item.header;
}

/**
 * Lays out a region whose block i continues at blocks `edges[i]` (inside the region; exits
 * elsewhere are not edges). Block 0 is the entry every other block is reachable from.
 */
export function layoutRegion(edges: number[][]): RegionLayout {
  const n = edges.length;
  const exitEdges = new Set<string>();
  const kept = (i: number) => edges[i].filter((j) => !exitEdges.has(edgeKey(i, j)));

  // Take out retreating edges that are not back edges until none is left.
  let rpo: number[];
  let pos: number[];
  let preds: number[][];
  for (;;) {
    rpo = reversePostorder(n, kept);
    pos = positions(n, rpo);
    preds = predecessors(n, rpo, kept);
    const dom = dominators(rpo, preds);
    let changed = false;
    for (const i of rpo) {
      for (const j of kept(i)) {
        if (pos[j] <= pos[i] && !(dom[i] & (1 << j))) {
          exitEdges.add(edgeKey(i, j));
          changed = true;
        }
      }
    }
    if (!changed) break;
  }

  // Loops: each header's natural loop, over the back edges into it.
  const backEdges = new Set<string>();
  const bodies = new Map<number, Set<number>>();
  for (const i of rpo) {
    for (const j of kept(i)) {
      if (pos[j] > pos[i]) continue;
      backEdges.add(edgeKey(i, j));
      const body = bodies.get(j) ?? new Set([j]);
      bodies.set(j, body);
      const work = [i];
      while (work.length > 0) {
        const k = work.pop()!;
        if (body.has(k)) continue;
        body.add(k);
        work.push(...preds[k]);
      }
    }
  }

  // Nest the loops: the innermost loop of each block, and each loop's parent.
  const headers = [...bodies.keys()].sort((a, b) => bodies.get(a)!.size - bodies.get(b)!.size);
  const innermost = new Map<number, number>(); // block -> header of its innermost loop
  for (const h of headers) {
    for (const k of bodies.get(h)!) if (!innermost.has(k)) innermost.set(k, h);
  }
  const parentOf = (h: number): number | undefined =>
    headers.find((o) =>
      o !== h && bodies.get(o)!.has(h) && bodies.get(o)!.size > bodies.get(h)!.size
    );
  const scopeOf = (k: number): number | undefined => {
    const h = innermost.get(k);
    return h === k ? parentOf(k) : h; // a header belongs, as its loop, to the enclosing scope
  };

  // Order each scope (undefined: the region) by a topological sort of its items.
  const itemOf = (k: number, scope: number | undefined): number => {
    // The block itself, or the header of the loop directly inside `scope` that holds it (k
    // is in `scope`, so going out a loop at a time reaches it).
    if (k === scope) return k;
    let item = k;
    for (let s = scopeOf(item); s !== scope; s = scopeOf(item)) item = s!;
    return item;
  };
  const order = (scope: number | undefined): Item[] => {
    const members = rpo.filter((k) => k === scope || scopeOf(k) === scope);
    const inScope = (k: number) => scope === undefined || bodies.get(scope)!.has(k);
    const indegree = new Map<number, number>(members.map((k) => [k, 0]));
    const succ = new Map<number, Set<number>>(members.map((k) => [k, new Set()]));
    for (const i of rpo) {
      if (!inScope(i)) continue;
      for (const j of kept(i)) {
        if (backEdges.has(edgeKey(i, j)) || !inScope(j)) continue;
        const a = itemOf(i, scope);
        const b = itemOf(j, scope);
        if (a === b || succ.get(a)!.has(b)) continue;
        succ.get(a)!.add(b);
        indegree.set(b, indegree.get(b)! + 1);
      }
    }
    const out: Item[] = [];
    const ready = members.filter((k) => indegree.get(k) === 0);
    while (ready.length > 0) {
      ready.sort((a, b) => pos[a] - pos[b]);
      const k = ready.shift()!;
      out.push(k !== scope && bodies.has(k) ? { header: k, items: order(k) } : k);
      for (const m of succ.get(k)!) {
        indegree.set(m, indegree.get(m)! - 1);
        if (indegree.get(m) === 0) ready.push(m);
      }
    }
    return out;
  };
  const items = order(undefined);
  return { items, order: items.flatMap(blocksOf), backEdges, exitEdges };
}

/** Blocks reachable from block 0, in reverse postorder (taken edges walked in order). */
function reversePostorder(n: number, succ: (i: number) => number[]): number[] {
  const visited = new Array<boolean>(n).fill(false);
  const post: number[] = [];
  const visit = (i: number) => {
    visited[i] = true;
    for (const j of succ(i)) if (!visited[j]) visit(j);
    post.push(i);
  };
  visit(0);
  return post.reverse();
}

/** Each block's position in `rpo` (blocks not in it: Infinity). */
function positions(n: number, rpo: number[]): number[] {
  const pos = new Array<number>(n).fill(Infinity);
  rpo.forEach((k, p) => pos[k] = p);
  return pos;
}

/** Each block's predecessors over the edges `succ` gives, from the blocks in `rpo`. */
function predecessors(n: number, rpo: number[], succ: (i: number) => number[]): number[][] {
  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const i of rpo) for (const j of succ(i)) preds[j].push(i);
  return preds;
}

/** Dominator sets as bit masks (at most 32 blocks), by iteration to a fixed point. */
function dominators(rpo: number[], preds: number[][]): number[] {
  const n = preds.length;
  const all = n >= 32 ? -1 : (1 << n) - 1;
  const dom = new Array<number>(n).fill(all);
  dom[0] = 1;
  for (let changed = true; changed;) {
    changed = false;
    for (const k of rpo) {
      if (k === 0) continue;
      let d = all;
      for (const p of preds[k]) d &= dom[p];
      d |= 1 << k;
      if (d !== dom[k]) {
        dom[k] = d;
        changed = true;
      }
    }
  }
  return dom;
}
