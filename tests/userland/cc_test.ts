/**
 * `deno task cc` and scripts/denix-cc, the cross cc for people's own programs (scripts/cc.ts):
 * several sources with -I, -D, -O and -lm make one executable; -c then a link of the objects
 * makes the same program; each runs on denix as under qemu-riscv32 (same output, same status);
 * a source that does not compile fails with the compiler's own message.
 */

import assert from "node:assert/strict";
import { runCommand } from "../helpers/commands.ts";
import { runProgram } from "../helpers/system.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const WRAPPER = `${ROOT}scripts/denix-cc`;

const SOURCES: Record<string, string> = {
  "inc/greet.h": "const char *greeting(void);\n",
  "main.c": `#include <math.h>
#include <stdio.h>
#include "greet.h"

int main(int argc, char **argv)
{
	printf("%s %s %d %s\\n", greeting(), WHO, (int)sqrt(16.0 * argc), argv[argc - 1]);
	return 3;
}
`,
  "greet.c": `#include "greet.h"

const char *greeting(void)
{
	return "hello";
}
`,
};

async function project(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "denix-cc-" });
  await Deno.mkdir(`${dir}/inc`);
  for (const [name, text] of Object.entries(SOURCES)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return dir;
}

/** The program on denix and under qemu-riscv32: both must say the same. */
async function runBothWays(elf: string): Promise<{ out: string; code: number }> {
  const q = await runCommand("qemu-riscv32", [elf, "arg"]);
  const d = await runProgram([elf, "arg"], { mode: "threads" });
  assert.equal(d.out, q.out, `denix and qemu differ:\n${d.err}`);
  assert.equal(d.exit.status, q.code);
  return { out: q.out, code: q.code };
}

Deno.test("cc: sources with -I -D -O -lm make a program that runs on denix as under qemu", async () => {
  const dir = await project();
  try {
    // As a person in their own directory calls it (npx and deno task say where in INIT_CWD, unless
    // an outer npx or task, such as the test command's, already did).
    const r = await runCommand(Deno.execPath(), [
      "task",
      "--config",
      `${ROOT}deno.json`,
      "cc",
      "-O2",
      "-Iinc",
      '-DWHO="denix"',
      "main.c",
      "greet.c",
      "-lm",
      "-o",
      "hello.elf",
    ], { cwd: dir, env: { INIT_CWD: dir } });
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(await runBothWays(`${dir}/hello.elf`), {
      out: "hello denix 5 arg\n",
      code: 3,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cc: -c then a link of the objects, through the wrapper a build system calls", async () => {
  const dir = await project();
  try {
    const cc = (args: string[]) => runCommand(WRAPPER, args, { cwd: dir });
    for (
      const args of [
        ["-c", "-Iinc", '-DWHO="objects"', "main.c"],
        ["-c", "-Iinc", "-Os", "greet.c", "-o", "g.o"],
        ["main.o", "g.o", "-lm", "-o", "linked.elf"],
      ]
    ) {
      const r = await cc(args);
      assert.equal(r.code, 0, `cc ${args.join(" ")}: ${r.err}`);
    }
    assert.deepEqual(await runBothWays(`${dir}/linked.elf`), {
      out: "hello objects 5 arg\n",
      code: 3,
    });

    await Deno.writeTextFile(`${dir}/bad.c`, "int main( { return 0; }\n");
    const bad = await cc(["bad.c", "-o", "bad.elf"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.err, /bad\.c:1:\d+: error: /);
    const none = await cc(["-O2"]);
    assert.equal(none.code, 1);
    assert.match(none.err, /cc: no input files/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
