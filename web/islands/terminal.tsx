/// <reference lib="dom" />
/**
 * The terminal view: an xterm.js terminal wired to `/ws/terminal`. Binary frames from the
 * server are terminal output; what the user types goes back as `{type: "input"}` and each size
 * the FitAddon settles on as `{type: "resize"}`. A notice shows once the socket closes, with
 * the server's reason (every terminal taken, say).
 */

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import { useEffect, useRef, useState } from "preact/hooks";
import { apiUrl } from "./api.ts";

export default function TerminalView() {
  const host = useRef<HTMLDivElement>(null);
  const [closed, setClosed] = useState<string | null>(null);
  useEffect(() => {
    const term = new Terminal({
      cursorBlink: true,
      fontSize: 13,
      theme: { background: "#0d1117", foreground: "#c9d1d9" },
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(host.current!);
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + apiUrl("/ws/terminal"));
    socket.binaryType = "arraybuffer";
    const send = (message: object) => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
    };
    const sendSize = () => send({ type: "resize", rows: term.rows, cols: term.cols });
    socket.onopen = () => {
      fit.fit();
      sendSize();
    };
    socket.onmessage = (event) => term.write(new Uint8Array(event.data as ArrayBuffer));
    socket.onclose = (event) => setClosed(event.reason || "disconnected");
    const input = term.onData((data) => send({ type: "input", data }));
    const resized = term.onResize(sendSize);
    const refit = () => fit.fit();
    addEventListener("resize", refit);
    fit.fit();
    term.focus();
    return () => {
      removeEventListener("resize", refit);
      input.dispose();
      resized.dispose();
      socket.close();
      term.dispose();
    };
  }, []);
  return (
    <>
      {closed !== null && <p class="error notice">{closed}</p>}
      <div class="terminal-host" ref={host} />
    </>
  );
}
