/// <reference lib="dom" />
/**
 * The processes view: one row per process (pid, name, state, hart, CPU time, RSS, command
 * line) with a kill button that POSTs to `/api/processes/PID/kill`.
 */

import { useAction } from "./api.ts";
import { records, useLiveState } from "./state.ts";

const COLUMNS = ["pid", "name", "state", "hart", "cpu_ms", "rss_kb", "cmdline"];

export default function Processes() {
  const state = useLiveState();
  const [error, post] = useAction();
  if (!state) return <p class="muted">waiting for state…</p>;
  const kill = (pid: string) => post(`/api/processes/${encodeURIComponent(pid)}/kill`);
  return (
    <>
      {error && <p class="error">{error}</p>}
      <table>
        <thead>
          <tr>
            {COLUMNS.map((column) => <th key={column}>{column}</th>)}
            <th />
          </tr>
        </thead>
        <tbody>
          {records(state.tables.procs).map((proc) => {
            const pid = String(proc.pid);
            return (
              <tr key={pid} data-pid={pid}>
                {COLUMNS.map((column) => <td key={column} class={column}>{proc[column]}</td>)}
                <td class="actions">
                  {pid !== "1" && (
                    <button
                      type="button"
                      data-kill-pid={pid}
                      onClick={() => kill(pid)}
                    >
                      kill
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
