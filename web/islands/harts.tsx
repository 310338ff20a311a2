/// <reference lib="dom" />
/**
 * The harts view: each hart's instructions/s and interrupts/s, computed from the cumulative
 * counters of two successive states, and a uPlot chart of the total instructions/s over the
 * last samples (created once, then fed with setData); below it, the memory in use.
 */

import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import { type LiveState, records, subscribe } from "./state.ts";

const SAMPLES = 60;
const CHART_HEIGHT = 120;
const AXIS = { stroke: "#8b949e", grid: { stroke: "#30363d" } };

interface HartRate {
  hart: string;
  running: string;
  instructions: number;
  interrupts: number;
}

/** Per-hart rates between `before` and `after`. */
function rates(before: LiveState, after: LiveState): HartRate[] {
  const seconds = (after.time - before.time) / 1000;
  const previous = new Map(records(before.tables.harts).map((row) => [String(row.hart), row]));
  return records(after.tables.harts).map((row) => {
    const hart = String(row.hart);
    const old = previous.get(hart) ?? row;
    const perSecond = (column: string) =>
      Math.max(0, (Number(row[column]) - Number(old[column])) / seconds);
    return {
      hart,
      running: String(row.running),
      instructions: perSecond("instructions"),
      interrupts: perSecond("interrupts"),
    };
  });
}

/** `n` with a k/M/G suffix. */
function short(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/**
 * The chart of total instructions/s: the kernel's uptime in seconds on x, the rate on y with
 * k/M/G labels.
 */
function chartOptions(width: number): uPlot.Options {
  return {
    width,
    height: CHART_HEIGHT,
    legend: { show: false },
    scales: { x: { time: false } },
    series: [{}, { stroke: "#5fb3f9", width: 1.5, points: { show: false } }],
    axes: [
      { ...AXIS, values: (_, ticks) => ticks.map((t) => `${Math.round(t)} s`) },
      { ...AXIS, size: 64, values: (_, ticks) => ticks.map(short) },
    ],
  };
}

export default function Harts() {
  const chartHost = useRef<HTMLDivElement>(null);
  const [harts, setHarts] = useState<HartRate[]>([]);
  const [memory, setMemory] = useState<LiveState["memory"] | null>(null);
  useEffect(() => {
    const host = chartHost.current!;
    const times: number[] = [];
    const totals: number[] = [];
    const chart = new uPlot(chartOptions(host.clientWidth), [times, totals], host);
    const resize = () => chart.setSize({ width: host.clientWidth, height: CHART_HEIGHT });
    addEventListener("resize", resize);
    let previous: LiveState | null = null;
    const unsubscribe = subscribe((state) => {
      setMemory(state.memory);
      if (previous && state.time > previous.time) {
        const current = rates(previous, state);
        setHarts(current);
        times.push(state.time / 1000);
        totals.push(current.reduce((sum, hart) => sum + hart.instructions, 0));
        if (times.length > SAMPLES) {
          times.shift();
          totals.shift();
        }
        chart.setData([times, totals]);
      }
      previous = state;
    });
    return () => {
      unsubscribe();
      removeEventListener("resize", resize);
      chart.destroy();
    };
  }, []);
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>hart</th>
            <th>running</th>
            <th>instructions/s</th>
            <th>interrupts/s</th>
          </tr>
        </thead>
        <tbody>
          {harts.map((hart) => (
            <tr key={hart.hart} data-hart={hart.hart}>
              <td>{hart.hart}</td>
              <td>{hart.running}</td>
              <td>{short(hart.instructions)}</td>
              <td>{short(hart.interrupts)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="chart" ref={chartHost} />
      {memory && (
        <p class="muted">
          memory {memory.usedKb < 10240
            ? `${memory.usedKb} KiB`
            : `${(memory.usedKb / 1024).toFixed(1)} MiB`} of {Math.round(memory.totalKb / 1024)} MiB
        </p>
      )}
    </>
  );
}
