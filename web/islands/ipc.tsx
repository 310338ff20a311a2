/// <reference lib="dom" />
/**
 * The IPC view: the endpoints (name, server, connections) and, per service, its call-latency
 * histogram as one compact row of counts, each labelled with its bucket's upper bound.
 */

import { records, type Table, useLiveState } from "./state.ts";

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

export default function Ipc() {
  const state = useLiveState();
  if (!state) return <p class="muted">waiting for state…</p>;
  return (
    <>
      <table>
        <thead>
          <tr>
            <th>endpoint</th>
            <th>server</th>
            <th>connections</th>
          </tr>
        </thead>
        <tbody>
          {records(state.tables.endpoints).map((endpoint) => (
            <tr key={endpoint.name}>
              <td>{endpoint.name}</td>
              <td>{endpoint.server}</td>
              <td>{endpoint.connections}</td>
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
