/**
 * Waiting in a test for something the system does on its own time: poll until it happens, or
 * fail naming what did not happen (and, if given, what the system looked like then).
 */

/** How to poll. */
export interface PollOptions {
  /** Give up after this long, in ms (default 20 s). */
  boundMs?: number;
  /** Look again after this long, in ms (default 100). */
  everyMs?: number;
  /** What to add to the failure: the state that explains it. */
  story?: () => string;
}

/**
 * Polls `f` until it gives something other than undefined or false, and returns that; throws
 * "WHAT did not happen" past the bound.
 */
export async function eventually<T>(
  what: string,
  f: () => T | undefined | false | Promise<T | undefined | false>,
  options: PollOptions = {},
): Promise<T> {
  const end = performance.now() + (options.boundMs ?? 20_000);
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (performance.now() > end) {
      throw new Error(`${what} did not happen${options.story ? `:\n${options.story()}` : ""}`);
    }
    await new Promise((r) => setTimeout(r, options.everyMs ?? 100));
  }
}
