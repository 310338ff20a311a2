/// <reference lib="dom" />
/**
 * The services view: each service's state, restarts, uptime and last cause, with the fault
 * buttons (crash, hang, kill, restart) that POST to `/api/services/NAME/ACTION`.
 */

import { useAction } from "./api.ts";
import { records, useLiveState } from "./state.ts";

const ACTIONS = ["crash", "hang", "kill", "restart"] as const;

/** `ms` as a short duration: "42s", "3m 5s", "2h 10m". */
function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor(s / 60) % 60}m`;
}

export default function Services() {
  const state = useLiveState();
  const [error, post] = useAction();
  if (!state) return <p class="muted">waiting for state…</p>;
  const act = (name: string, action: string) =>
    post(`/api/services/${encodeURIComponent(name)}/${action}`);
  return (
    <>
      {error && <p class="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>name</th>
            <th>state</th>
            <th>restarts</th>
            <th>uptime</th>
            <th>last cause</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {records(state.tables.services).map((service) => {
            const name = String(service.name);
            return (
              <tr key={name}>
                <td>{name}</td>
                <td class={`state state-${service.state}`}>{service.state}</td>
                <td data-restarts={name}>{service.restarts}</td>
                <td>{duration(Number(service.uptime_ms))}</td>
                <td>{service.last_cause}</td>
                <td class="actions">
                  {ACTIONS.map((action) => (
                    <button
                      type="button"
                      key={action}
                      data-action={action}
                      data-service={name}
                      onClick={() => act(name, action)}
                    >
                      {action}
                    </button>
                  ))}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
