/**
 * Waiting for a shared word to change without blocking the thread.
 *
 * Atomics.waitAsync alone is not enough in Deno: a pending waitAsync does not keep the event
 * loop alive (nor does its timeout), so a thread whose only pending work is such a wait may
 * simply stop, and a same-thread notify is not delivered. Every wait here therefore runs with
 * a real timer beside it (re-armed at most every KEEPALIVE_MS), which keeps the loop alive and
 * implements the timeout.
 *
 * `watchWord` is the kernel's form (a callback: how it notices what a worker wrote into a
 * ring, a doorbell, a notification word); `waitWord` the services' (a promise). Cancelling a
 * watch ends its wait at once, timer included: a notify from the cancelling thread would not
 * reach its own waitAsync, and a wait left pending would keep the thread alive for ever.
 */

const KEEPALIVE_MS = 1000;

/**
 * Resolves once `words[index]` no longer holds `value` ("changed", possibly spuriously),
 * `timeoutMs` passes ("timeout"; Infinity waits forever) or `signal` is aborted ("timeout").
 */
export async function waitWord(
  words: Int32Array,
  index: number,
  value: number,
  timeoutMs = Infinity,
  signal?: AbortSignal,
): Promise<"changed" | "timeout"> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (Atomics.load(words, index) !== value) return "changed";
    const left = end - performance.now();
    if (left <= 0 || signal?.aborted) return "timeout";
    const slice = Math.min(left, KEEPALIVE_MS);
    const wait = Atomics.waitAsync(words, index, value, slice);
    if (!wait.async) return "changed";
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort = () => {};
    const expired = new Promise<"timed-out">((resolve) => {
      timer = setTimeout(() => resolve("timed-out"), Math.ceil(slice) + 1);
      onAbort = () => resolve("timed-out");
      signal?.addEventListener("abort", onAbort);
    });
    const r = await Promise.race([wait.value, expired]);
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
    if (r === "ok") return "changed";
  }
}

/** Calls `changed` once `words[index]` differs from `value`; returns a cancel function. */
export function watchWord(
  words: Int32Array,
  index: number,
  value: number,
  changed: () => void,
): () => void {
  const cancel = new AbortController();
  waitWord(words, index, value, Infinity, cancel.signal).then(() => {
    if (!cancel.signal.aborted) changed();
  });
  return () => cancel.abort();
}
