/**
 * The web console end to end, over HTTP and a WebSocket as a browser uses them: `deno task web`
 * boots the OS and serves the console; the terminal runs a command and prints its answer (^C
 * and Tab completion work as at a terminal), and
 * each page gets a terminal of its own while there are free ones; a
 * process started there shows in the state and is killed from the API; the VFS crashed from
 * the API comes back (its restart counted) and the terminal goes on; and what is not the
 * console's own page — no token, another origin, a bad action, a malformed frame — is refused
 * with a clear error. The host's terminal (stdin) stays the first shell's: closing it ends the
 * system.
 */

import assert from "node:assert/strict";
import { eventually } from "../helpers/poll.ts";
import {
  api,
  type Console,
  post,
  rows,
  startWebConsole,
  state,
  stopWebConsole,
} from "../helpers/web.ts";

/** Asks the API for `action` on service `name`, and waits until it is running again, restarted. */
async function actAndWaitBack(c: Console, name: string, action: string): Promise<void> {
  assert.deepEqual(await post(c, `/api/services/${name}/${action}`), {
    status: 200,
    body: { ok: true },
  });
  await eventually(`the ${name}'s restart`, async () => {
    const service = rows((await state(c)).tables.services).find((s) => s.name === name);
    return service && Number(service.restarts) >= 1 && service.state === "running"
      ? true
      : undefined;
  });
}

/**
 * Deno's WebSocket constructor, whose options carry headers (the DOM typings the web islands
 * bring into the check know only protocols).
 */
const DenoWebSocket = WebSocket as unknown as new (
  url: string | URL,
  options?: { headers?: HeadersInit },
) => WebSocket;

/** A terminal session over the WebSocket. */
class Term {
  out = "";
  readonly closed: Promise<CloseEvent>;
  private readonly ws: WebSocket;
  readonly opened: Promise<void>;

  constructor(c: Console, origin: string | undefined = c.url.origin) {
    const u = api(c, "/ws/terminal");
    u.protocol = "ws:";
    this.ws = new DenoWebSocket(u, origin ? { headers: { origin } } : undefined);
    this.ws.binaryType = "arraybuffer";
    this.ws.onmessage = (e) => this.out += new TextDecoder().decode(e.data as ArrayBuffer);
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("the WebSocket was refused"));
    });
    this.closed = new Promise((resolve) => this.ws.onclose = resolve);
  }

  send(frame: string): void {
    this.ws.send(frame);
  }

  type(text: string): void {
    this.send(JSON.stringify({ type: "input", data: text }));
  }

  async until(pattern: RegExp, from = 0): Promise<number> {
    const end = performance.now() + 20_000;
    for (;;) {
      const m = pattern.exec(this.out.slice(from));
      if (m) return from + m.index + m[0].length;
      if (performance.now() > end) throw new Error(`no ${pattern} in ${JSON.stringify(this.out)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  close(): void {
    this.ws.close();
  }
}

Deno.test("web console: terminal, process kill, VFS crash and recovery, refusals", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denix-web-" });
  const c = await startWebConsole(`${dir}/root.img`);
  try {
    // The page wants its token.
    assert.equal((await fetch(new URL("/", c.url))).status, 403);
    const page = await fetch(c.url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /data-island="terminal"/);
    assert.equal((await fetch(new URL("/static/app.js", c.url))).status, 200);

    // The terminal: a shell of its own.
    const t = new Term(c);
    await t.opened;
    let at = await t.until(/\$ $/);
    t.type("echo hi | wc -c\r");
    at = await t.until(/\r\n3\r\n/, at);

    // ^C ends the foreground job; Tab completes a command's name.
    t.type("sleep 100\r");
    await new Promise((r) => setTimeout(r, 300));
    t.type("\x03");
    at = await t.until(/\^C\r\n.*\$ $/, at);
    t.type("unam\t-s\r");
    // The shell redraws the completed line (erase to its end: ESC [ K) before running it.
    at = await t.until(new RegExp("uname -s\x1b\\[K\r\r\ndenix\r\n"), at);

    // Every page has a terminal of its own, while free ones last (four).
    const others = [new Term(c), new Term(c), new Term(c)];
    for (const o of others) await o.opened;
    await others[0].until(/\$ $/);
    others[0].type("echo second terminal\r");
    await others[0].until(/\r\nsecond terminal\r\n/);
    const fifth = new Term(c);
    await fifth.opened;
    const refused = await fifth.closed;
    assert.equal(refused.code, 1013);
    assert.match(refused.reason, /all 4 terminals are in use/);
    for (const o of others) {
      o.close();
      await o.closed;
    }
    assert.doesNotMatch(t.out, /second terminal/);

    // A process started there is in the state, and killed from the API.
    t.type("yes > /dev/null &\r");
    at = await t.until(/\[1\] \d+/, at);
    const yes = await eventually("yes in the process table", async () => {
      const s = await state(c);
      return rows(s.tables.procs).find((p) => p.name === "yes");
    });
    assert.deepEqual(await post(c, `/api/processes/${yes.pid}/kill`), {
      status: 200,
      body: { ok: true },
    });
    await eventually("yes gone", async () => {
      const s = await state(c);
      return rows(s.tables.procs).some((p) => p.name === "yes") ? undefined : true;
    });

    // The VFS crashed from the API comes back, counted; the terminal goes on.
    await actAndWaitBack(c, "vfs", "crash");
    t.type("ls /bin | wc -l > /tmp/n; cat /tmp/n\r");
    at = await t.until(/\r\n\d+\r\n/, at);

    // A restart asked for is one too.
    await actAndWaitBack(c, "rtc", "restart");

    // Refusals: no token, another origin, no origin, a bad action, a bad pid, a bad frame.
    assert.equal((await post(c, "/api/services/vfs/crash", {})).status, 403);
    assert.equal(
      (await post(c, "/api/services/vfs/crash", { origin: "http://evil.example" })).status,
      403,
    );
    const noToken = await fetch(api(c, "/api/services/vfs/crash", "wrong"), {
      method: "POST",
      headers: { origin: c.url.origin },
    });
    assert.equal(noToken.status, 403);
    await noToken.body?.cancel();
    const bad = await post(c, "/api/services/vfs/explode");
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /unknown action/);
    assert.equal((await post(c, "/api/processes/1/kill")).status, 400);
    assert.equal((await post(c, "/api/services/nosuch/kill")).status, 409);
    const missing = await fetch(api(c, "/nowhere"));
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
    const foreign = new Term(c, "http://evil.example");
    await assert.rejects(foreign.opened);
    const garbage = new Term(c);
    await garbage.opened;
    garbage.send("{not json");
    assert.equal((await garbage.closed).code, 1007);

    // The console survives all that: the terminal still answers.
    t.type("echo still here\r");
    await t.until(/still here\r\n/, at);
    t.close();
    await t.closed;

    // The host's terminal is the first shell's: its end powers the system off.
    assert.equal((await stopWebConsole(c)).code, 0);
  } finally {
    await stopWebConsole(c);
    await Deno.remove(dir, { recursive: true });
  }
});
