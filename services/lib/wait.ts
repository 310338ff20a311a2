/**
 * How the service library waits for a shared word to change: a short spin first (the answer to
 * a call usually comes within microseconds, and waking a sleeping thread costs tens of them),
 * then an asynchronous wait (kernel/ipc/watch.ts), so a waiting service's event loop keeps
 * running (attachments arrive by postMessage) and an in-line service never blocks the kernel's
 * thread.
 */

import { waitWord } from "../../kernel/ipc/watch.ts";

/** Polls before sleeping. */
const SPIN = 4_000;

/**
 * Resolves once `words[index]` no longer holds `value` ("changed") or after `timeoutMs`
 * ("timeout"; Infinity waits forever), spinning first if `spin` (never on the kernel's thread,
 * where the peer may be waiting for this very thread). Spurious returns are possible: callers
 * re-check.
 */
export async function waitChange(
  words: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
  spin: boolean,
): Promise<"changed" | "timeout"> {
  if (spin) {
    for (let i = 0; i < SPIN; i++) if (Atomics.load(words, index) !== value) return "changed";
  }
  return await waitWord(words, index, value, timeoutMs);
}
