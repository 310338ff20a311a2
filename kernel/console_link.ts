/**
 * The kernel's end of the web console's link (web/server.ts is the other): one message port
 * from the host thread. Over it the console types at its terminals (serial lines whose back
 * ends are the link: machine/backends/link_terminal.ts; `term` numbers them from 0) and says
 * the size of their windows (the kernel tells the tty driver, TIOCSWINSZ: programs see it and
 * get SIGWINCH), asks for a
 * snapshot of the system (the system tables of kernel/tables.ts, memory, the last kernel log
 * lines), and asks for the supervisor's faults and for a process to be killed. Every message is checked: one that does
 * not make sense is answered with an error, never a throw into the kernel.
 */

import { encodePayload } from "../abi/codec.ts";
import { TIOC, TTY, TTY_ENDPOINT, WINSIZE_BYTES } from "../abi/tty.ts";
import { PAGE_SIZE } from "../machine/memory_map.ts";
import type { LinkTerminal } from "../machine/backends/link_terminal.ts";
import { SyscallError } from "./errno.ts";
import type { Kernel } from "./kernel.ts";
import { SIGKILL } from "./signals.ts";
import { type Table, tableOf } from "./tables.ts";

/** The tables a snapshot carries. */
export const CONSOLE_TABLES = [
  "procs",
  "harts",
  "services",
  "endpoints",
  "connections",
  "latency",
] as const;
/** Kernel log lines a snapshot carries, at most. */
const LOG_LINES = 50;
/** The faults the console may ask of the supervisor. */
export const CONSOLE_FAULTS = ["crash", "hang", "kill", "restart"] as const;
export type ConsoleFault = typeof CONSOLE_FAULTS[number];

/** What the system looks like now. */
export interface ConsoleState {
  /** Host time of the snapshot, in ms (performance.now()). */
  time: number;
  tables: Record<typeof CONSOLE_TABLES[number], Table>;
  memory: { usedKb: number; totalKb: number };
  log: string[];
}

/** Largest window the console may say it has, in rows and in columns. */
export const WINDOW_MAX = 1000;

/** What the host sends. */
export type ToConsole =
  | { type: "input"; term: number; bytes: Uint8Array }
  | { type: "resize"; id: number; term: number; rows: number; cols: number }
  | { type: "state"; id: number }
  | { type: "fault"; id: number; service: string; fault: ConsoleFault }
  | { type: "kill"; id: number; pid: number };

/** What the kernel answers. */
export type FromConsole =
  | { type: "output"; term: number; bytes: Uint8Array }
  | { type: "state"; id: number; state: ConsoleState }
  | { type: "done"; id: number; error?: string };

/** A port as the link uses it (a MessagePort, or a fake in a test). */
export interface ConsolePort {
  postMessage(message: FromConsole): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

/** The system now, for the console. */
export function consoleState(k: Kernel): ConsoleState {
  const tables = {} as ConsoleState["tables"];
  for (const name of CONSOLE_TABLES) tables[name] = tableOf(k, name);
  const totalKb = k.frames.total * PAGE_SIZE / 1024;
  return {
    time: performance.now(),
    tables,
    memory: { usedKb: totalKb - k.frames.available * PAGE_SIZE / 1024, totalKb },
    log: k.klog.list().slice(-LOG_LINES).map((r) => r.text),
  };
}

/** One of the console's terminals: its serial line's minor, and the line's back end. */
export interface ConsoleTerminal {
  minor: number;
  line: LinkTerminal;
}

/** Serves the console's requests on `port` for `k`, with its `terminals`. */
export function serveConsole(k: Kernel, port: ConsolePort, terminals: ConsoleTerminal[]): void {
  port.onmessage = async (event) => {
    const m: Record<string, unknown> = typeof event.data === "object" && event.data !== null
      ? event.data
      : {};
    const id = typeof m.id === "number" ? m.id : -1;
    try {
      port.postMessage(await answer(k, m, id, terminals) ?? { type: "done", id });
    } catch (e) {
      if (!(e instanceof ConsoleError || e instanceof SyscallError)) {
        k.kernelBug("console link", e);
      }
      port.postMessage({ type: "done", id, error: e instanceof Error ? e.message : String(e) });
    }
  };
}

/** Tells the tty driver the console's window size (as TIOCSWINSZ from the kernel). */
async function resize(k: Kernel, minor: number, rows: unknown, cols: unknown): Promise<void> {
  const fits = (n: unknown) =>
    Number.isInteger(n) && (n as number) >= 1 && (n as number) <= WINDOW_MAX;
  if (!fits(rows) || !fits(cols)) {
    throw new ConsoleError(`resize: rows and columns from 1 to ${WINDOW_MAX} expected`);
  }
  const arg = new Uint8Array(WINSIZE_BYTES);
  new DataView(arg.buffer).setUint16(0, rows as number, true);
  new DataView(arg.buffer).setUint16(2, cols as number, true);
  const request = { term: minor, caller: { pid: 0, pgid: 0, sid: 0 }, cmd: TIOC.TIOCSWINSZ, arg };
  const { reply } = await k.client.request(
    TTY_ENDPOINT,
    TTY.ioctl.label,
    () => encodePayload(TTY.ioctl.request, request),
  );
  if (reply.label < 0) throw new SyscallError(-reply.label, "the tty driver refused the size");
}

class ConsoleError extends Error {}

/** Carries out message `m` (from the host, so checked field by field). */
async function answer(
  k: Kernel,
  m: Record<string, unknown>,
  id: number,
  terminals: ConsoleTerminal[],
): Promise<FromConsole | undefined> {
  const terminal = () => {
    const t = Number.isInteger(m.term) ? terminals[m.term as number] : undefined;
    if (!t) throw new ConsoleError(`${m.type}: a terminal from 0 to ${terminals.length - 1}`);
    return t;
  };
  switch (m.type) {
    case "input": {
      const t = terminal();
      if (!(m.bytes instanceof Uint8Array)) throw new ConsoleError("input: bytes expected");
      t.line.type(m.bytes);
      return undefined;
    }
    case "resize":
      await resize(k, terminal().minor, m.rows, m.cols);
      return undefined;
    case "state":
      return { type: "state", id, state: consoleState(k) };
    case "fault": {
      const { service, fault } = m;
      if (typeof service !== "string" || !CONSOLE_FAULTS.includes(fault as ConsoleFault)) {
        throw new ConsoleError("fault: a service name and crash, hang, kill or restart expected");
      }
      const done = fault === "kill"
        ? k.supervisor.kill(service)
        : fault === "restart"
        ? k.supervisor.restart(service)
        : k.supervisor.fault(service, fault as "crash" | "hang");
      if (!done) throw new ConsoleError(`${service} is not running`);
      return undefined;
    }
    case "kill": {
      const pid = m.pid;
      if (!Number.isInteger(pid) || (pid as number) <= 1) {
        throw new ConsoleError("kill: a process id above 1 expected");
      }
      k.signalFromService(-(pid as number), SIGKILL);
      return undefined;
    }
    default:
      throw new ConsoleError(`unknown message ${JSON.stringify(m.type ?? null)}`);
  }
}
