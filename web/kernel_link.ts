/**
 * The web console's end of its link to the kernel (kernel/console_link.ts is the other end):
 * requests by id with a bound on the wait (a kernel that does not answer fails the request,
 * it does not hang the console), and the terminals: each is lent to one page at a time, its
 * output goes to that page, and the last of it is kept so that the next page to take it starts
 * with the screen's recent past.
 */

import type { ConsoleFault, ConsoleState, FromConsole, ToConsole } from "../kernel/console_link.ts";

/** How long a request may wait for the kernel, in ms. */
const ANSWER_MS = 2000;
/** Terminal output kept for pages opened later, in bytes. */
const SCROLLBACK_BYTES = 64 * 1024;

/** Distributive Omit, so that each message keeps its own fields. */
type Request = ToConsole extends infer M ? M extends { id: number } ? Omit<M, "id"> : never
  : never;

/** The console's link to a running kernel. */
export class KernelLink {
  private nextId = 1;
  /** What to do with each request's answer, by id. */
  private readonly waiting = new Map<number, (m: FromConsole) => void>();
  /** Per terminal: who holds it (its output's listener), and its recent output. */
  private readonly terminals: Array<
    { listener: ((bytes: Uint8Array) => void) | undefined; scrollback: Uint8Array }
  >;

  constructor(private readonly port: MessagePort, terminals: number) {
    this.terminals = Array.from({ length: terminals }, () => ({
      listener: undefined,
      scrollback: new Uint8Array(0),
    }));
    port.onmessage = (event: MessageEvent<FromConsole>) => this.received(event.data);
  }

  /**
   * Lends a free terminal to `listener` (each piece of its output, its recent past first):
   * its number, and the function that gives it back; undefined when every one is taken.
   */
  take(listener: (bytes: Uint8Array) => void): { term: number; release: () => void } | undefined {
    const term = this.terminals.findIndex((t) => t.listener === undefined);
    if (term < 0) return undefined;
    const t = this.terminals[term];
    t.listener = listener;
    listener(t.scrollback.slice());
    return {
      term,
      release: () => {
        if (t.listener === listener) t.listener = undefined;
      },
    };
  }

  /** How many terminals there are. */
  get terminalCount(): number {
    return this.terminals.length;
  }

  /** Types `bytes` at terminal `term`. */
  type(term: number, bytes: Uint8Array): void {
    this.port.postMessage({ type: "input", term, bytes } satisfies ToConsole);
  }

  /** The system's state now. */
  async state(): Promise<ConsoleState> {
    const m = await this.request({ type: "state" });
    if (m.type !== "state") throw new Error("the kernel sent no state");
    return m.state;
  }

  /** Asks the supervisor for `fault` on `service`. */
  async fault(service: string, fault: ConsoleFault): Promise<void> {
    await this.request({ type: "fault", service, fault });
  }

  /** Says terminal `term`'s window size. */
  async resize(term: number, rows: number, cols: number): Promise<void> {
    await this.request({ type: "resize", term, rows, cols });
  }

  /** Kills process `pid`. */
  async kill(pid: number): Promise<void> {
    await this.request({ type: "kill", pid });
  }

  private request(message: Request): Promise<FromConsole> {
    const id = this.nextId++;
    return new Promise<FromConsole>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error("the kernel did not answer"));
      }, ANSWER_MS);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        if (m.type === "done" && m.error !== undefined) reject(new Error(m.error));
        else resolve(m);
      });
      this.port.postMessage({ ...message, id } as ToConsole);
    });
  }

  private received(m: FromConsole): void {
    if (m.type === "output") {
      const t = this.terminals[m.term];
      if (!t) return;
      t.scrollback = kept(t.scrollback, m.bytes);
      t.listener?.(m.bytes);
      return;
    }
    const answer = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    answer?.(m);
  }
}

/** `scrollback` with `bytes` after it, cut to its last SCROLLBACK_BYTES. */
function kept(scrollback: Uint8Array, bytes: Uint8Array): Uint8Array {
  const joined = new Uint8Array(scrollback.length + bytes.length);
  joined.set(scrollback);
  joined.set(bytes, scrollback.length);
  return joined.subarray(Math.max(0, joined.length - SCROLLBACK_BYTES));
}
