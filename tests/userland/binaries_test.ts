/**
 * The committed userland binaries are exactly what their sources build to: the build script's
 * --check mode rebuilds every program with the RISC-V toolchain and compares bytes.
 */

import assert from "node:assert/strict";

Deno.test("userland/bin matches a fresh build of userland sources", async () => {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "scripts/build_userland.ts", "--check"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(r.code, 0, dec.decode(r.stdout) + dec.decode(r.stderr));
});
