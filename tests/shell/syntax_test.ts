/**
 * The shell's grammar and word expansion, without a system: lists, and-or chains, pipelines,
 * redirections with descriptor numbers, assignments, quoting, and what is incomplete (more
 * input may finish it) or a syntax error (reported, the shell carries on).
 */

import assert from "node:assert/strict";
import { expandWords } from "../../services/shell/expand.ts";
import { Incomplete, literal, parse, ShellSyntaxError } from "../../services/shell/syntax.ts";

const words = (src: string) =>
  parse(src)[0].first.commands.map((c) => c.words.map((w) => literal(w) ?? "$"));

Deno.test("syntax: lists, and-or chains, pipelines, background", () => {
  const lists = parse("a | b 'c d'; e && f || g &\nh");
  assert.equal(lists.length, 3);
  assert.deepEqual(lists[0].first.commands.map((c) => c.words.map(literal)), [["a"], ["b", "c d"]]);
  assert.deepEqual(lists[1].rest.map((r) => r.op), ["&&", "||"]);
  assert.equal(lists[1].background, true);
  assert.equal(lists[1].text, "e && f || g");
  assert.equal(lists[2].background, false);
  assert.equal(parse("! false")[0].first.negate, true);
});

Deno.test("syntax: redirections, descriptor numbers, assignments", () => {
  const [c] = parse("X=1 cmd 2>&1 >out <in 3>>log a2 >&-")[0].first.commands;
  assert.deepEqual(c.assignments.map((a) => [a.name, literal(a.value)]), [["X", "1"]]);
  assert.deepEqual(c.words.map(literal), ["cmd", "a2"]);
  assert.deepEqual(
    c.redirections.map((r) => [r.fd, r.op, literal(r.target)]),
    [[2, ">&", "1"], [1, ">", "out"], [0, "<", "in"], [3, ">>", "log"], [1, ">&", "-"]],
  );
  assert.deepEqual(words("echo a=b 2 >x"), [["echo", "a=b", "2"]]);
});

Deno.test("syntax: incomplete input and syntax errors", () => {
  for (const src of ["echo 'open", 'echo "open', "a |", "a &&", "echo $(x", "echo \\"]) {
    assert.throws(() => parse(src), Incomplete, src);
  }
  for (const src of ["| a", "a ;; b", "echo )", "a > |", "echo ${a-b}"]) {
    assert.throws(
      () => parse(src),
      (e) => e instanceof ShellSyntaxError && !(e instanceof Incomplete),
      src,
    );
  }
});

Deno.test("expansion: quotes, parameters, splitting, globbing, tilde", async () => {
  const vars: Record<string, string> = { A: "x  y", E: "", HOME: "/root" };
  const globbed: string[][] = [];
  const x = {
    param: (n: string) => vars[n],
    command: (src: string) => Promise.resolve(`out:${src}\n\n`),
    glob: (patterns: string[]) => {
      globbed.push(patterns);
      return Promise.resolve(patterns.map((p) => (p === "*.c" ? ["a.c", "b.c"] : [p])));
    },
    home: () => vars.HOME,
  };
  const expand = (src: string) => expandWords(parse(src)[0].first.commands[0].words, x);
  assert.deepEqual(await expand(`echo $A "$A" '$A' $E "$E" pre$A`), [
    "echo",
    "x",
    "y",
    "x  y",
    "$A",
    "",
    "prex",
    "y",
  ]);
  assert.deepEqual(await expand(`echo *.c '*.c' \\*.c "*".c x*`), [
    "echo",
    "a.c",
    "b.c",
    "*.c",
    "*.c",
    "*.c",
    "x*",
  ]);
  assert.deepEqual(globbed, [["*.c", "x*"]], "only unquoted magic is globbed");
  assert.deepEqual(await expand("echo ~ ~/d a~ $(date)"), [
    "echo",
    "/root",
    "/root/d",
    "a~",
    "out:date",
  ]);
});
