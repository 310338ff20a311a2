/** Checking a program's output line by line. */

import assert from "node:assert/strict";

/**
 * Asserts that `out` holds the `expected` lines in order (strings exactly, patterns matching;
 * other lines may come between) and ends with the line "ok".
 */
export function assertLines(out: string, expected: Array<string | RegExp>): void {
  const lines = out.split("\n");
  let at = 0;
  for (const want of expected) {
    const found = lines.findIndex((l, n) =>
      n >= at && (typeof want === "string" ? l === want : want.test(l))
    );
    assert.ok(found >= 0, `missing ${want} after line ${at} in:\n${out}`);
    at = found + 1;
  }
  assert.equal(lines.at(-2), "ok", `last line is not ok:\n${out}`);
}
