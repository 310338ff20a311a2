/**
 * A `deno task web` for the web console's tests: started on a fresh disk with any free port,
 * its URL and token read from what it prints, and the console's API as a browser calls it.
 */

const ROOT = new URL("../../", import.meta.url);

/** A running `deno task web`. */
export interface Console {
  url: URL;
  token: string;
  child: Deno.ChildProcess;
  stdin: WritableStreamDefaultWriter<Uint8Array>;
}

/** Starts `deno task web` with a fresh root image at `disk`; resolves once it serves. */
export async function startWebConsole(disk: string): Promise<Console> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "web", "--fresh", "--disk", disk, "--port", "0", "--quiet"],
    cwd: ROOT.pathname,
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`deno task web ended before serving:\n${seen}`);
    seen += value;
    const m = /web console: (http:\S+)\n/.exec(seen);
    if (m) {
      // The rest of stderr is read and dropped, so that the child never blocks on it.
      (async () => {
        while (!(await reader.read()).done);
      })().catch(() => {});
      const url = new URL(m[1]);
      return { url, token: url.searchParams.get("token")!, child, stdin: child.stdin.getWriter() };
    }
  }
}

export function api(c: Console, path: string, token = c.token): URL {
  const u = new URL(path, c.url);
  u.searchParams.set("token", token);
  return u;
}

export async function post(
  c: Console,
  path: string,
  headers: HeadersInit = { origin: c.url.origin },
) {
  const r = await fetch(api(c, path), { method: "POST", headers });
  return { status: r.status, body: await r.json() };
}

/** The next state the console streams. */
export async function state(c: Console): Promise<
  { tables: Record<string, { columns: string[]; rows: (number | string)[][] }> }
> {
  const r = await fetch(api(c, "/api/state"));
  const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the state stream ended");
      text += value;
      const m = /data: (.*)\n/.exec(text);
      if (m) return JSON.parse(m[1]);
    }
  } finally {
    await reader.cancel();
  }
}

/** Rows of a table as objects. */
export function rows(t: { columns: string[]; rows: (number | string)[][] }) {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i]])));
}

/** Ends the console's system (its host terminal closes: the first shell powers off). */
export async function stopWebConsole(c: Console): Promise<Deno.CommandStatus> {
  await c.stdin.close().catch(() => {});
  const end = setTimeout(() => c.child.kill(), 20_000);
  try {
    return await c.child.status;
  } finally {
    clearTimeout(end);
  }
}
