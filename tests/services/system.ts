/**
 * The IPC tests' harness: a kernel with no RISC-V program, the fixture services started in-line
 * or as workers, and the "harness" endpoint (served by the test's own embedded party) through
 * which fixtures ask for jobs, ask the test to take steps, and report results.
 */

import { Kernel } from "../../kernel/kernel.ts";
import type { RunningService, ServiceSpec } from "../../kernel/ipc/service_host.ts";
import { EINVAL } from "../../abi/errno.ts";
import { IpcError } from "../../services/lib/errors.ts";
import type { Ipc, Request, Server } from "../../services/lib/ipc.ts";
import { type Codec, Reader, Writer } from "../../services/lib/schema.ts";
import { Harness } from "./fixtures/protocol.ts";
import type { Outcome } from "./fixtures/runner.ts";
import { type Link, SCENARIOS } from "./fixtures/scenarios.ts";
import { embedded } from "../../services/lib/service.ts";

/** Where a service runs. */
export type Isolation = ServiceSpec["isolation"];
/** Who runs a scenario: the test itself, or a runner service. */
export type ClientKind = "embedded" | Isolation;

export const SERVER_MODULE = "tests/services/fixtures/server.ts";
export const SINK_MODULE = "tests/services/fixtures/sink.ts";
const RUNNER_MODULE = "tests/services/fixtures/runner.ts";

/** A kernel, its fixtures, and the harness endpoint. */
export class TestSystem {
  readonly kernel = new Kernel({ mode: "inline" });
  /** The test's own party (it serves "harness"). */
  readonly ipc: Ipc;
  private readonly steps = new Map<string, () => unknown>();
  private readonly jobs: string[] = [];
  private readonly results: Array<(o: Outcome) => void> = [];
  private partial = "";
  private harness: Server | undefined;
  private runners = 0;

  private constructor() {
    this.ipc = embedded(this.kernel.services.embeddedPort("test"));
  }

  /**
   * A system serving "harness". Requests are handled concurrently: a step may hold its caller
   * (the sink waits in one) while other fixtures go on.
   */
  static async create(): Promise<TestSystem> {
    const system = new TestSystem();
    const server = await system.ipc.register("harness");
    system.harness = server;
    (async () => {
      for (;;) {
        let req: Request;
        try {
          req = await server.receive();
        } catch {
          return; // closed
        }
        system.handle(req).then(
          (payload) => req.reply(0, payload),
          (e) => req.reply(e instanceof IpcError ? -e.errno : -EINVAL),
        );
      }
    })();
    return system;
  }

  private async handle(req: Request): Promise<Uint8Array> {
    const ops = Harness.ops;
    const w = new Writer();
    switch (req.label) {
      case ops.job.label:
        ops.job.reply.encode(this.jobs.shift() ?? "", w);
        break;
      case ops.step.label: {
        const name = decodeAll(ops.step.request, req.payload);
        const action = this.steps.get(name);
        if (!action) throw new IpcError(EINVAL, `no step ${name}`);
        await action();
        break;
      }
      case ops.result.label: {
        const { last, text } = decodeAll(ops.result.request, req.payload);
        this.partial += text;
        if (last) {
          const outcome = JSON.parse(this.partial) as Outcome;
          this.partial = "";
          this.results.shift()?.(outcome);
        }
        break;
      }
      default:
        throw new IpcError(EINVAL, `unknown harness label ${req.label}`);
    }
    return w.finish();
  }

  /** What to do when a fixture asks for step `name`. */
  on(name: string, action: () => unknown): void {
    this.steps.set(name, action);
  }

  /** Starts a fixture service. */
  start(name: string, module: string, isolation: Isolation): Promise<RunningService> {
    return this.kernel.services.start({ name, module, isolation });
  }

  /** The running service `name` (throws if there is none). */
  service(name: string): RunningService {
    const s = this.kernel.services.running.get(name);
    if (!s) throw new Error(`${name} is not running`);
    return s;
  }

  /**
   * Runs scenario `name` with the given kind of client; resolves with what it observed, or
   * rejects with the error that stopped it.
   */
  async run(name: string, client: ClientKind): Promise<unknown> {
    if (client === "embedded") {
      const link: Link = {
        step: async (s) => {
          await this.steps.get(s)?.();
        },
      };
      return await SCENARIOS[name](embedded(this.kernel.services.embeddedPort("client")), link);
    }
    this.jobs.push(name);
    const outcome = new Promise<Outcome>((resolve) => this.results.push(resolve));
    const runner = await this.start(`runner${++this.runners}`, RUNNER_MODULE, client);
    const ended = runner.done.then((error) => {
      throw error ?? new Error(`${name}: the runner ended without a result`);
    });
    const result = await Promise.race([outcome, ended]);
    if (!result.ok) throw new Error(`${name}: ${result.message} (errno ${result.errno})`);
    return result.value;
  }

  /** Stops every service and lets pending wake-ups run out. */
  async close(): Promise<void> {
    this.harness?.close();
    this.kernel.services.stopAll();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Decodes a whole payload with `codec` (SchemaError if it does not fit). */
function decodeAll<T>(codec: Codec<T>, payload: Uint8Array): T {
  const r = new Reader(payload);
  const value = codec.decode(r);
  r.end();
  return value;
}
