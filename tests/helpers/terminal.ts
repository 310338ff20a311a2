/**
 * A program at a pseudo-terminal (util-linux `script` makes one): keys typed in, the screen's
 * bytes read back, waiting (bounded) for what should appear. For the tests of `deno task boot`
 * as a person uses it.
 */

const BOUND_MS = 60_000;

/** A boot at a pseudo-terminal: keys in, the screen's bytes out. */
export class TerminalSession {
  private text = "";
  private readonly child: Deno.ChildProcess;
  private readonly keys: WritableStreamDefaultWriter<Uint8Array>;
  private readonly reading: Promise<void>;

  /** Starts `deno ARGS` (e.g. run ... scripts/boot.ts ...) at a pseudo-terminal. */
  constructor(args: string[]) {
    const command = [Deno.execPath(), ...args].join(" ");
    this.child = new Deno.Command("script", {
      args: ["-qfec", command, "/dev/null"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { TERM: "vt100" },
      signal: AbortSignal.timeout(BOUND_MS),
    }).spawn();
    this.keys = this.child.stdin.getWriter();
    const stdout = this.child.stdout;
    this.reading = (async () => {
      const dec = new TextDecoder();
      for await (const chunk of stdout) this.text += dec.decode(chunk, { stream: true });
    })();
  }

  /** Waits until the screen shows `pattern` after `from`; returns where it ends. */
  async until(pattern: string | RegExp, from: number): Promise<number> {
    const end = Date.now() + 20_000;
    for (;;) {
      const rest = this.text.slice(from);
      const at = typeof pattern === "string" ? rest.indexOf(pattern) : rest.search(pattern);
      if (at >= 0) {
        const len = typeof pattern === "string" ? pattern.length : rest.match(pattern)![0].length;
        return from + at + len;
      }
      if (Date.now() > end) {
        throw new Error(`no ${pattern} on the screen; it shows:\n${JSON.stringify(rest)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  get length(): number {
    return this.text.length;
  }

  async type(keys: string): Promise<void> {
    await this.keys.write(new TextEncoder().encode(keys));
  }

  async end(): Promise<number> {
    await this.keys.close();
    await this.reading;
    await this.child.stderr.cancel();
    return (await this.child.status).code;
  }
}
