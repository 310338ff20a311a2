/**
 * The test command bounds every test: a test whose await never settles fails the run, named,
 * instead of hanging CI (scripts/test.ts).
 */

import assert from "node:assert/strict";

Deno.test("a test that never settles fails the run after the bound, and is named", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "scripts/test.ts", "tests/fixtures/never_settles.ts"],
    env: { DENIX_TEST_BOUND_MS: "2000" },
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  // deno-lint-ignore no-control-regex
  const out = new TextDecoder().decode(r.stdout).replace(/\x1b\[[0-9;]*m/g, "");
  assert.equal(r.code, 1, out);
  assert.match(out, /test bound: nothing finished in 2 s; stuck in: never settles\n/);
  assert.match(out, /\n1 passed, 1 failed\n$/);
});
