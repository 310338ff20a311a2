/**
 * The shape of a benchmark: a named measurement with a unit, compared against a baseline
 * measured in the same run.
 */

/** One figure, as printed and as written to JSON. */
export interface BenchResult {
  name: string;
  unit: string;
  value: number;
  baseline: string;
  baseline_value: number;
  /** How many times better than the baseline (higher is better for every entry). */
  ratio: number;
}

/** A benchmark: `run` measures and returns one or more results. */
export interface Bench {
  /** Name used by filters; the results' names start with it. */
  name: string;
  run(): Promise<BenchResult[]>;
}

/** A result where a larger value is better (throughput). */
export function higherIsBetter(
  name: string,
  unit: string,
  value: number,
  baseline: string,
  baselineValue: number,
): BenchResult {
  return {
    name,
    unit,
    value,
    baseline,
    baseline_value: baselineValue,
    ratio: value / baselineValue,
  };
}

/** A result where a smaller value is better (latency, time). */
export function lowerIsBetter(
  name: string,
  unit: string,
  value: number,
  baseline: string,
  baselineValue: number,
): BenchResult {
  return {
    ...higherIsBetter(name, unit, value, baseline, baselineValue),
    ratio: baselineValue / value,
  };
}
