/**
 * `deno task bench [filter...] [--json FILE]`: the project's one benchmark entry point.
 *
 * Runs every benchmark whose name contains one of the filters (all without filters), prints a
 * table, and with --json writes every figure as {name, unit, value, baseline, baseline_value,
 * ratio}, where ratio is how many times better than the baseline measured in the same run.
 */

import { ensureDebianPackages } from "./deps.ts";
import { cpuBench } from "./bench/cpu.ts";
import { fsBench } from "./bench/fs.ts";
import { fuzzBench } from "./bench/fuzz.ts";
import { ipcBench } from "./bench/ipc.ts";
import { kernelBench } from "./bench/kernel.ts";
import { restartBench } from "./bench/restart.ts";
import { shellBench } from "./bench/shell.ts";
import { sqliteBench } from "./bench/sqlite.ts";
import type { Bench, BenchResult } from "./bench/types.ts";

const BENCHES: Bench[] = [
  cpuBench,
  kernelBench,
  ipcBench,
  fsBench,
  shellBench,
  restartBench,
  fuzzBench,
  sqliteBench,
];

function parse(args: string[]) {
  const filters: string[] = [];
  let json: string | undefined;
  for (let n = 0; n < args.length; n++) {
    if (args[n] === "--json" && n + 1 < args.length) json = args[++n];
    else if (args[n].startsWith("--json=")) json = args[n].slice(7);
    else filters.push(args[n]);
  }
  return { filters, json };
}

function format(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function printTable(results: BenchResult[]): void {
  const rows = [
    ["name", "value", "unit", "baseline", "baseline value", "ratio"],
    ...results.map((r) => [
      r.name,
      format(r.value),
      r.unit,
      r.baseline,
      format(r.baseline_value),
      `${format(r.ratio)}x`,
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) {
    console.log(
      row.map((
        cell,
        c,
      ) => (c === 0 || c === 2 || c === 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join("  "),
    );
  }
}

const { filters, json } = parse(Deno.args);
await ensureDebianPackages();
const selected = BENCHES.filter((b) =>
  filters.length === 0 || filters.some((f) => b.name.includes(f) || f.includes(b.name))
);
const results: BenchResult[] = [];
for (const bench of selected) {
  const got = await bench.run();
  results.push(
    ...got.filter((r) =>
      filters.length === 0 || filters.some((f) => r.name.includes(f) || f === bench.name)
    ),
  );
}
printTable(results);
if (json) {
  await Deno.writeTextFile(json, JSON.stringify(results, null, 2) + "\n");
  console.log(`wrote ${results.length} results to ${json}`);
}
