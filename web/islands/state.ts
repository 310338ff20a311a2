/// <reference lib="dom" />
/**
 * The live system state: one EventSource on `/api/state`, shared by every view. `subscribe`
 * adds a listener (called at once with the latest state, if any), `useLiveState` wraps it as a
 * Preact hook, and `records` turns a table's rows into objects keyed by column name.
 */

import { useEffect, useState } from "preact/hooks";
import type { ConsoleState } from "../../kernel/console_link.ts";
import type { Table } from "../../kernel/tables.ts";
import { apiUrl } from "./api.ts";

/** One table of the state: column names and rows of cells in that order. */
export type { Table };

/** One `state` event of `/api/state`: what the kernel's end of the link sends. */
export type LiveState = ConsoleState;

export type Listener = (state: LiveState) => void;

const listeners = new Set<Listener>();
let source: EventSource | null = null;
let latest: LiveState | null = null;

/** Calls `listener` with every new state; returns the function that unsubscribes it. */
export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  if (latest) listener(latest);
  if (!source) {
    source = new EventSource(apiUrl("/api/state"));
    source.addEventListener("state", (event) => {
      const state: LiveState = JSON.parse((event as MessageEvent<string>).data);
      latest = state;
      for (const each of listeners) each(state);
    });
  }
  return () => listeners.delete(listener);
}

/** The latest state, re-rendering the component on each new one; null until the first. */
export function useLiveState(): LiveState | null {
  const [state, setState] = useState(latest);
  useEffect(() => subscribe(setState), []);
  return state;
}

/** The rows of `table` as objects keyed by column name. */
export function records(table: Table): Record<string, number | string>[] {
  return table.rows.map((row) =>
    Object.fromEntries(table.columns.map((name, i) => [name, row[i]]))
  );
}
