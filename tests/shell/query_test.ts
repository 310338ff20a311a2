/**
 * The shell's `query` on tables given here: the SQL subset (select, where, order by, limit,
 * distinct, aggregates) evaluated as SQL would, the output's layout, and clear errors for
 * what the subset leaves out.
 */

import assert from "node:assert/strict";
import { query, QueryError, type Table } from "../../services/shell/query.ts";

const PROCS: Table = {
  columns: ["pid", "name", "state", "cpu_ms"],
  rows: [
    [1, "init", "S", 5],
    [7, "yes", "R", 900],
    [8, "cat", "T", 12],
    [9, "yes", "R", 300],
  ],
};

const run = (sql: string) =>
  query(sql, (name) => {
    if (name !== "procs") throw new QueryError(`no table ${name}`);
    return Promise.resolve(PROCS);
  });

Deno.test("query: where, order by, limit, and aligned columns", async () => {
  assert.equal(
    await run(`select pid, name, cpu_ms from procs where state = "R" order by cpu_ms desc`),
    "pid  name  cpu_ms\n  7  yes      900\n  9  yes      300\n",
  );
  assert.equal(
    await run("select name from procs order by pid limit 2 offset 1"),
    "name\nyes\ncat\n",
  );
  assert.equal(
    await run("select pid from procs where name like 'c%' or pid in (1, 9) order by pid"),
    "pid\n  1\n  8\n  9\n",
  );
  assert.equal(
    await run("select distinct name from procs where name <> 'init' order by name"),
    "name\ncat\nyes\n",
  );
  assert.equal(
    await run("select pid * 2 as twice from procs where not state = 'R' order by twice desc"),
    "twice\n   16\n    2\n",
  );
});

Deno.test("query: aggregates over the selection", async () => {
  assert.equal(
    await run("select count(*), sum(cpu_ms), max(name), min(pid) from procs where state = 'R'"),
    "count(*)  sum(cpu_ms)  max(name)  min(pid)\n       2         1200  yes               7\n",
  );
  assert.equal(await run("select avg(cpu_ms) as mean from procs"), "  mean\n304.25\n");
});

Deno.test("query: what the subset leaves out is an error that says so", async () => {
  const fails = async (sql: string, why: RegExp) => {
    await assert.rejects(run(sql), (e) => e instanceof QueryError && why.test(e.message));
  };
  await fails("delete from procs", /only SELECT/);
  await fails("select name, count(*) from procs group by name", /GROUP BY/);
  await fails("select nope from procs", /no column nope/);
  await fails("select * from nothing", /no table nothing/);
  await fails("select from where", /syntax/);
  await fails("select pid from procs, procs", /one table/);
});
