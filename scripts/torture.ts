/**
 * `deno task torture [--seed N] [--faults N] [--services a,b] [--no-shell-check]`: the run of
 * tests/resilience/torture.ts at any size — every service (the VFS and the shell included)
 * killed, crashed or hung N times (default 20) at random moments under load, on a seeded
 * schedule (the seed is printed) — with its figures: faults per service, restart latency p50
 * and p99, calls sent again and failed. Exits 1 on any failure. The CI runs it as a test
 * (tests/resilience/torture_test.ts).
 */

import { ALL_SERVICES, formatReport, torture } from "../tests/resilience/torture.ts";

function option(name: string): string | undefined {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : undefined;
}

const seed = Number(option("--seed") ?? Math.floor(Math.random() * 2 ** 32));
const faults = Number(option("--faults") ?? 20);
const services = option("--services")?.split(",") ?? ALL_SERVICES;
console.log(`torture seed ${seed} (rerun with --seed ${seed})`);
try {
  const report = await torture({
    seed,
    faults,
    services,
    progress: (line) => console.log(line),
    shellAnswers: !Deno.args.includes("--no-shell-check"),
  });
  for (const line of formatReport(report)) console.log(`torture: ${line}`);
  console.log("torture: passed");
  Deno.exit(0);
} catch (e) {
  console.error(`torture: FAILED: ${e instanceof Error ? e.message : e}`);
  Deno.exit(1);
}
