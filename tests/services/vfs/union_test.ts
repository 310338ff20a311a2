/**
 * /tmp is a union mount (services/vfs/mounts.ts): a tmpfs whose root also shows the host's
 * /tmp, so a program that lives under the host's /tmp — a clone of this repository, say — is
 * still reachable, and /tmp is still writable. union_check.elf reads, enters and lists what is
 * below, makes files above, and finds what is below read-only (EROFS) and taken (EEXIST).
 */

import assert from "node:assert/strict";
import { runProgram } from "../../helpers/system.ts";

const PROGRAM = new URL("../../../userland/bin/union_check.elf", import.meta.url).pathname;

const EXPECT = [
  "what is below reads through",
  "cwd /tmp/sub",
  "cwd /tmp",
  "/tmp: lower.txt new.txt newdir sub",
  "what is below stays as it is",
  "/tmp: lower.txt sub",
  "ok",
  "",
].join("\n");

for (const isolation of ["inline", "worker"] as const) {
  Deno.test(`/tmp shows the host's /tmp below its own files (services ${isolation})`, async () => {
    // hostfs's root: the program, and a tmp directory for the union to show.
    const root = await Deno.makeTempDir({ prefix: "denix-union-" });
    try {
      await Deno.mkdir(`${root}/tmp/sub`, { recursive: true });
      await Deno.writeTextFile(`${root}/tmp/lower.txt`, "from below\n");
      await Deno.writeTextFile(`${root}/tmp/sub/inner.txt`, "inner\n");
      await Deno.copyFile(PROGRAM, `${root}/union_check.elf`);
      const r = await runProgram(["/union_check.elf"], {
        mode: "threads",
        hostRoot: root,
        cwd: "/",
        isolation,
      });
      assert.equal(r.out, EXPECT);
      assert.deepEqual(r.exit, { status: 0, signal: 0 });
      assert.equal(await Deno.readTextFile(`${root}/tmp/lower.txt`), "from below\n");
      assert.deepEqual(
        [...Deno.readDirSync(`${root}/tmp`)].map((e) => e.name).sort(),
        ["lower.txt", "sub"],
        "nothing was made on the host",
      );
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
}
