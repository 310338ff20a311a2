/**
 * Running a program on a booted system for a benchmark: the same boot as the tests'
 * (tests/helpers/system.ts — the services of services/deploy.json, init running the program,
 * consoles in memory), timed from the moment init starts to the moment the system has stopped,
 * so that booting is not counted. A run that does not end with status 0 throws, with what the
 * program printed.
 */

import type { Kernel } from "../../kernel/kernel.ts";
import { bootProgram, type BootSettings } from "../../tests/helpers/system.ts";

export type { BootSettings };

/** What a timed run left behind. */
export interface TimedRun {
  /** Wall-clock ms of the run, boot excluded. */
  ms: number;
  /** What the program wrote on the console. */
  out: string;
  kernel: Kernel;
}

/** Boots a system whose init runs `argv`, and times the run to its end. */
export async function timeProgram(argv: string[], settings: BootSettings = {}): Promise<TimedRun> {
  const { system, console0, console1, log } = await bootProgram(argv, settings);
  const t0 = performance.now();
  const exit = await system.run();
  const ms = performance.now() - t0;
  const out = console0.text();
  if (exit.status !== 0 || exit.signal !== 0) {
    throw new Error(
      `${argv.join(" ")} failed: ${JSON.stringify(exit)}\n${out}${console1.text()}` +
        log.slice(-20).join("\n"),
    );
  }
  return { ms, out, kernel: system.kernel };
}
