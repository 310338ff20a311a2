/**
 * The web console's server: Hono, laid out as a Fresh app would be (the page in web/routes/,
 * its interactive parts in web/islands/, bundled once at start by web/bundle.ts). It talks to
 * the running kernel only through its link (web/kernel_link.ts):
 *
 *   GET  /?token=T                      the page (server-rendered; the islands hydrate it)
 *   GET  /static/app.js, /static/app.css
 *   GET  /api/state?token=T             server-sent events: the system's state, 4 times a second
 *   POST /api/services/NAME/ACTION?token=T    crash, hang, kill or restart a service
 *   POST /api/processes/PID/kill?token=T      SIGKILL a process
 *   GET  /ws/terminal?token=T           WebSocket: a terminal of its own (a serial line with
 *                                       its own shell; one per page, while free ones last);
 *                                       its window size goes to the tty driver
 *
 * Security: the server listens on loopback (the caller's choice of address); every route but
 * the static assets wants the token printed at start, compared in constant time; a request that
 * changes something (POST, the WebSocket) must come from the console's own page (its Origin),
 * so that another page the browser visits cannot drive it. Bad input — an unknown route, a
 * malformed or oversized frame, a bad name or pid — gets a clear error and changes nothing.
 */

import { Hono } from "hono";
import type { Context } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { streamSSE } from "hono/streaming";
import { CONSOLE_FAULTS, type ConsoleFault } from "../kernel/console_link.ts";
import type { KernelLink } from "./kernel_link.ts";
import { bundleAssets } from "./bundle.ts";
import { renderPage } from "./routes/index.tsx";

/** How often the state is sent, in ms. */
export const STATE_INTERVAL_MS = 250;
/** Largest WebSocket frame the terminal accepts, in bytes. */
export const FRAME_MAX_BYTES = 64 * 1024;

/** What the server needs. */
export interface ConsoleOptions {
  link: KernelLink;
  token: string;
  assets: { js: string; css: string };
}

/** Whether two strings are equal, taking the same time wherever they differ. */
function sameToken(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** The console's Hono app. */
export function consoleApp(options: ConsoleOptions): Hono {
  const { link, token, assets } = options;
  const app = new Hono();
  const fail = (c: Context, status: 400 | 403 | 404 | 409 | 500, error: string) =>
    c.json({ error }, status);

  app.get("/static/app.js", (c) => c.body(assets.js, 200, { "content-type": "text/javascript" }));
  app.get("/static/app.css", (c) => c.body(assets.css, 200, { "content-type": "text/css" }));

  // Everything else wants the token; what changes something wants the console's own origin.
  app.use("*", async (c, next) => {
    if (!sameToken(c.req.query("token") ?? "", token)) {
      return fail(c, 403, "a token is required: open the URL printed at start");
    }
    const origin = c.req.header("origin");
    const changes = c.req.method !== "GET" || c.req.header("upgrade") !== undefined;
    if (changes && origin !== new URL(c.req.url).origin) {
      return fail(c, 403, `requests from ${origin ?? "no origin"} are refused`);
    }
    await next();
  });

  app.get("/", (c) => c.html(renderPage({ token })));

  app.get("/api/state", (c) =>
    streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      while (open) {
        const state = await link.state().catch((e) => ({ error: (e as Error).message }));
        await stream.writeSSE({ event: "state", data: JSON.stringify(state) });
        await stream.sleep(STATE_INTERVAL_MS);
      }
    }));

  app.post("/api/services/:name/:action", async (c) => {
    const { name, action } = c.req.param();
    if (!/^[a-z][a-z0-9_-]{0,31}$/.test(name)) return fail(c, 400, `bad service name`);
    if (!CONSOLE_FAULTS.includes(action as ConsoleFault)) {
      return fail(c, 400, `unknown action ${action}: crash, hang, kill or restart`);
    }
    try {
      await link.fault(name, action as ConsoleFault);
    } catch (e) {
      return fail(c, 409, (e as Error).message);
    }
    return c.json({ ok: true });
  });

  app.post("/api/processes/:pid/kill", async (c) => {
    const pid = Number(c.req.param("pid"));
    if (!Number.isInteger(pid) || pid <= 1) return fail(c, 400, "a process id above 1");
    try {
      await link.kill(pid);
    } catch (e) {
      return fail(c, 409, (e as Error).message);
    }
    return c.json({ ok: true });
  });

  app.get(
    "/ws/terminal",
    upgradeWebSocket(() => {
      let held: { term: number; release: () => void } | undefined;
      return {
        onOpen: (_event, ws) => {
          held = link.take((bytes) => ws.send(new Uint8Array(bytes)));
          if (!held) ws.close(1013, `all ${link.terminalCount} terminals are in use`);
        },
        onMessage: (event, ws) => {
          const text = typeof event.data === "string" ? event.data : undefined;
          if (text === undefined || text.length > FRAME_MAX_BYTES) {
            ws.close(1003, "text frames of JSON, at most 64 KiB");
            return;
          }
          const m = terminalMessage(text);
          if (m === undefined) ws.close(1007, "not a terminal message");
          else if (!held) return;
          else if ("input" in m) link.type(held.term, m.input);
          else {
            link.resize(held.term, m.rows, m.cols).catch(() => ws.close(1007, "a bad window size"));
          }
        },
        onClose: () => held?.release(),
      };
    }),
  );

  app.notFound((c) =>
    fail(c, 404, `no such route: ${c.req.method} ${new URL(c.req.url).pathname}`)
  );
  app.onError((e, c) => fail(c, 500, e.message));
  return app;
}

/**
 * What a terminal frame says: bytes typed (`{"type":"input","data":"..."}`) or the window's
 * size (`{"type":"resize","rows":R,"cols":C}`, checked again by the kernel); undefined for
 * anything else.
 */
export function terminalMessage(
  text: string,
): { input: Uint8Array } | { rows: number; cols: number } | undefined {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof m !== "object" || m === null) return undefined;
  const { type, data, rows, cols } = m as Record<string, unknown>;
  if (type === "input" && typeof data === "string") {
    return { input: new TextEncoder().encode(data) };
  }
  if (type === "resize" && typeof rows === "number" && typeof cols === "number") {
    return { rows, cols };
  }
  return undefined;
}

/** A console being served. */
export interface ServedConsole {
  /** The page's URL, with its token. */
  url: string;
  shutdown(): Promise<void>;
}

/**
 * Bundles the page's assets and serves the console for `link` on 127.0.0.1:`port` (0: any free
 * port), with a fresh random token.
 */
export async function serveConsole(link: KernelLink, port: number): Promise<ServedConsole> {
  const assets = await bundleAssets();
  const token = [...crypto.getRandomValues(new Uint8Array(16))]
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  const app = consoleApp({ link, token, assets });
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: (addr) => listening.resolve(addr) },
    app.fetch,
  );
  const addr = await listening.promise;
  return {
    url: `http://127.0.0.1:${addr.port}/?token=${token}`,
    shutdown: () => server.shutdown(),
  };
}
