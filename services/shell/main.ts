/**
 * The shell service: a worker with no Deno permissions that reaches everything through IPC —
 * its terminal through the tty driver, its programs through the kernel's process-spawn call
 * (services/shell/os.ts). It reads lines (editing them at a terminal: editor.ts), runs them
 * (shell.ts) and, at the end of its input or on `exit`/`poweroff`, powers the system off
 * with the last status.
 *
 * Configuration (services/deploy.json, filled in at boot): `term`, the terminal's minor;
 * `interactive`, whether a person types at it (prompt, line editing, job messages); `env`,
 * the starting environment (NAME=VALUE, exported); `history`, the history file's path;
 * `endpoint`, the name it registers (default "shell"); `powerOff` (default true), whether the
 * end of its input powers the system off — without it the shell just ends, and the supervisor
 * starts a new one (the web console's terminal, as a getty would).
 */

import { LFLAG, TERMIOS_LFLAG, TIOC } from "../../abi/tty.ts";
import { ENOSYS } from "../../abi/errno.ts";
import { IpcError } from "../lib/errors.ts";
import type { Ipc } from "../lib/ipc.ts";
import { service } from "../lib/service.ts";
import { LineReader } from "./editor.ts";
import { Processes, TerminalPort } from "./os.ts";
import { Shell, ShellExit } from "./shell.ts";
import { Incomplete, parse } from "./syntax.ts";

async function main(ipc: Ipc): Promise<void> {
  const config = ipc.config;
  const term = typeof config.term === "number" ? config.term : 0;
  const interactive = config.interactive === true;
  const env = Array.isArray(config.env) ? config.env : [];
  const historyFile = typeof config.history === "string" ? config.history : undefined;
  const endpoint = typeof config.endpoint === "string" ? config.endpoint : "shell";
  const powerOff = config.powerOff !== false;

  const procs = await Processes.open(ipc);
  const tty = await TerminalPort.open(ipc, term, procs.sid);
  const shell = new Shell(procs, tty, interactive, historyFile);
  // Registering says "started" to the kernel; the endpoint offers no operation yet.
  const server = await ipc.register(endpoint);
  server.serve(() => {
    throw new IpcError(ENOSYS, "the shell serves no requests");
  }).catch(() => {});
  for (const entry of env.map(String)) {
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    shell.set(entry.slice(0, eq), entry.slice(eq + 1));
    shell.exported.add(entry.slice(0, eq));
  }
  shell.cwd = shell.vars.get("PWD") ?? "/";
  const reader = new LineReader(
    { read: () => tty.read(), write: (text) => tty.write(text) },
    interactive,
    (line, cursor) => shell.complete(line, cursor),
  );
  const cooked = await tty.ioctl(TIOC.TCGETS);
  const raw = cooked.slice(0, cooked.length);
  const dv = new DataView(raw.buffer);
  dv.setUint32(
    TERMIOS_LFLAG,
    dv.getUint32(TERMIOS_LFLAG, true) & ~(LFLAG.ICANON | LFLAG.ECHO | LFLAG.ISIG),
    true,
  );
  if (interactive) reader.history.push(...await shell.loadHistory());
  const adopted = await shell.adopt();
  if (interactive && adopted > 0) await shell.say(`sh: restarted; ${adopted} job(s) taken over\n`);

  let status = 0;
  try {
    for (;;) {
      await shell.reapBackground();
      if (interactive) await tty.ioctl(TIOC.TCSETS, raw);
      let src = await reader.line(prompt(shell));
      while (src !== undefined && incomplete(src)) {
        const more = await reader.line("> ");
        if (more === undefined) break;
        src += "\n" + more;
      }
      if (interactive) await tty.ioctl(TIOC.TCSETS, cooked);
      if (src === undefined) break;
      if (interactive && src.trim() !== "") await shell.remember(src);
      status = await shell.run(src);
    }
  } catch (e) {
    if (!(e instanceof ShellExit)) throw e;
    status = e.status;
  }
  if (interactive) await tty.ioctl(TIOC.TCSETS, cooked);
  if (powerOff) await procs.poweroff(status);
}

function prompt(shell: Shell): string {
  if (!shell.interactive) return "";
  return shell.vars.get("PS1") ??
    `denix:${shell.cwd}${shell.status === 0 ? "" : ` [${shell.status}]`}$ `;
}

function incomplete(src: string): boolean {
  try {
    parse(src);
    return false;
  } catch (e) {
    return e instanceof Incomplete;
  }
}

export default service(main, import.meta.main);
