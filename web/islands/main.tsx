/// <reference lib="dom" />
/**
 * The browser bundle's entry: renders the island named by each `[data-island]` element of the
 * server-rendered page into that element, in place of the placeholder it holds.
 */

import { type ComponentType, render } from "preact";
import Harts from "./harts.tsx";
import Ipc from "./ipc.tsx";
import Log from "./log.tsx";
import Processes from "./processes.tsx";
import Services from "./services.tsx";
import TerminalView from "./terminal.tsx";

const ISLANDS: Record<string, ComponentType> = {
  terminal: TerminalView,
  services: Services,
  processes: Processes,
  harts: Harts,
  ipc: Ipc,
  log: Log,
};

for (const element of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const Island = ISLANDS[element.dataset.island ?? ""];
  if (!Island) continue;
  element.replaceChildren();
  render(<Island />, element);
}
