/**
 * docs/SDK.md lists the system calls a program may use: the list must be the kernel's table
 * (kernel/syscall.ts), neither a call more nor one less.
 */

import assert from "node:assert/strict";
import { IMPLEMENTED_SYSCALLS } from "../kernel/syscall.ts";
import { syscallName } from "../kernel/syscalls/numbers.ts";

Deno.test("docs/SDK.md lists exactly the Linux calls the kernel implements", () => {
  const text = Deno.readTextFileSync(new URL("../docs/SDK.md", import.meta.url));
  const block = /<!-- syscalls -->\s*```\n([^`]*)```\s*<!-- end syscalls -->/.exec(text);
  assert.ok(block, "docs/SDK.md has no syscalls block");
  const listed = block[1].split(/\s+/).filter((w) => w !== "").sort();
  const implemented = IMPLEMENTED_SYSCALLS.map(syscallName).filter((n) => !n.startsWith("ipc_"))
    .sort();
  assert.deepEqual(listed, implemented);
});
