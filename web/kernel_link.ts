/**
 * The web console's end of its link to the kernel (kernel/console_link.ts is the other end):
 * requests by id with a bound on the wait (a kernel that does not answer fails the request,
 * it does not hang the console), the terminal's output fanned out to every open terminal
 * page, and the last of it kept so that a page opened later starts with the screen's recent
 * past.
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
  private readonly listeners = new Set<(bytes: Uint8Array) => void>();
  private scrollback = new Uint8Array(0);

  constructor(private readonly port: MessagePort) {
    port.onmessage = (event: MessageEvent<FromConsole>) => this.received(event.data);
  }

  /** Calls `listener` with each piece of terminal output; returns the unsubscribe. */
  onOutput(listener: (bytes: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The terminal's recent output (what a page opened now should show first). */
  recentOutput(): Uint8Array {
    return this.scrollback.slice();
  }

  /** Types `bytes` at the console's terminal. */
  type(bytes: Uint8Array): void {
    this.port.postMessage({ type: "input", bytes } satisfies ToConsole);
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

  /** Says the terminal's window size. */
  async resize(rows: number, cols: number): Promise<void> {
    await this.request({ type: "resize", rows, cols });
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
      this.keep(m.bytes);
      for (const listener of this.listeners) listener(m.bytes);
      return;
    }
    const answer = this.waiting.get(m.id);
    this.waiting.delete(m.id);
    answer?.(m);
  }

  private keep(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.scrollback.length + bytes.length);
    joined.set(this.scrollback);
    joined.set(bytes, this.scrollback.length);
    this.scrollback = joined.subarray(Math.max(0, joined.length - SCROLLBACK_BYTES));
  }
}
