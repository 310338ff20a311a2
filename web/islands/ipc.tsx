/// <reference lib="dom" />
/**
 * The IPC view: the endpoints (name, server, connections, messages/s: the requests its
 * connections carried since the last state, over the time between) and, per service, its
 * call-latency histogram as one compact row of counts, each labelled with its bucket's upper
 * bound.
 */

import { useRef } from "preact/hooks";
import { type LiveState, records, type Table, useLiveState } from "./state.ts";

/** A bucket's upper bound in µs as a short label: "100µs", "2ms", or the bound as sent. */
function bound(us: number | string): string {
  if (typeof us !== "number") return `${us}`;
  return us < 1000 ? `${us}µs` : `${us / 1000}ms`;
}

/** The latency rows grouped by service, in the order they arrive. */
function histograms(latency: Table): Map<string, { below: string; calls: number }[]> {
  const byService = new Map<string, { below: string; calls: number }[]>();
  for (const row of records(latency)) {
    const service = String(row.service);
    const buckets = byService.get(service) ?? [];
    buckets.push({ below: bound(row.below_us), calls: Number(row.calls) });
    byService.set(service, buckets);
  }
  return byService;
}

/** Requests carried so far, per endpoint (summed over its connections). */
function requestsByEndpoint(connections: Table): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of records(connections)) {
    const name = String(row.endpoint);
    sums.set(name, (sums.get(name) ?? 0) + Number(row.requests));
  }
  return sums;
}

export default function Ipc() {
  const state = useLiveState();
  const last = useRef<{ time: number; sums: Map<string, number> } | null>(null);
  const rates = useRef(new Map<string, number>());
  if (!state) return <p class="muted">waiting for state…</p>;
  updateRates(state, last, rates.current);
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>endpoint</th>
            <th>server</th>
            <th>connections</th>
            <th>messages/s</th>
          </tr>
        </thead>
        <tbody>
          {records(state.tables.endpoints).map((endpoint) => (
            <tr key={endpoint.name}>
              <td>{endpoint.name}</td>
              <td>{endpoint.server}</td>
              <td>{endpoint.connections}</td>
              <td>{Math.round(rates.current.get(String(endpoint.name)) ?? 0)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>call latency</h3>
      <table class="latency">
        <tbody>
          {[...histograms(state.tables.latency)].map(([service, buckets]) => (
            <tr key={service}>
              <td>{service}</td>
              <td class="histogram">
                {buckets.map((bucket) => (
                  <span class="bucket" key={bucket.below} title={`below ${bucket.below}`}>
                    <small>&lt;{bucket.below}</small>
                    {bucket.calls}
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Updates `rates` (messages/s per endpoint) from the state before `state`, then remembers it. */
function updateRates(
  state: LiveState,
  last: { current: { time: number; sums: Map<string, number> } | null },
  rates: Map<string, number>,
): void {
  if (last.current?.time === state.time) return;
  const sums = requestsByEndpoint(state.tables.connections);
  const before = last.current;
  if (before && state.time > before.time) {
    const seconds = (state.time - before.time) / 1000;
    for (const [name, n] of sums) {
      rates.set(name, Math.max(0, n - (before.sums.get(name) ?? n)) / seconds);
    }
  }
  last.current = { time: state.time, sums };
}
