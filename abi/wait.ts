/**
 * How any thread waits for a shared word to change — the kernel's and every service's, one
 * mechanism. It is part of the ABI because parties on one thread (the kernel and its in-line
 * services) wake each other through it.
 *
 * Three ways, cheapest first:
 *
 * - `spinUntil`: a synchronous poll for a few tens of microseconds. Only where the peer runs on
 *   another thread (a worker service): the answer to a call usually comes within microseconds,
 *   and waking a sleeping thread costs tens of them. Never on the kernel's thread, where the
 *   peer may be waiting for this very thread.
 * - a local wake: every change to a shared word made through the ABI (a message pushed or
 *   taken, a doorbell rung, bits signalled, a barrier crossed: ring.ts, sync.ts) calls
 *   `wakeLocal()`, which settles at once the waits of this thread that the change satisfies.
 *   The kernel and in-line services on one thread thus hand messages over in a few microtasks,
 *   either way, with no timer and no Atomics.waitAsync.
 * - an asynchronous wait: `Atomics.waitAsync` on the word, for changes made by other threads.
 *   A wait that need not arm at once is armed only after a few microtasks, by which time an
 *   in-line peer has usually answered already, since arming costs microseconds. Deno does not
 *   keep the event loop alive for a pending waitAsync, so while any wait is armed this thread
 *   keeps one timer: at the earliest deadline, or KEEPALIVE_MS ahead; it is dropped a few
 *   microtasks after the last wait settles. One timer per thread, not one per wait. A
 *   cancelled wait (settled early) drops out at once, so it keeps no thread alive.
 *
 * `watchWord` is the kernel's form (a callback, cancellable: how it notices what a worker or an
 * in-line service wrote into a ring, a doorbell, a hart's wake word); `spinThenWait` the
 * services' (a Waiter, whose promise they await). A wait may also watch a guard word (a ring's state): it settles when
 * either word changes. Arming is "arm, then check", so a change made by another thread between
 * a caller's check and the arming is never missed. Waits may settle spuriously: callers
 * re-check.
 */

/**
 * How long a spinning wait polls before sleeping: 50 µs where the host has cores to spare (four
 * or more), none on a smaller one, where a spinning service holds the core that the kernel's
 * thread or a hart needs to answer it (a 2-core VM, `deno task bench sqlite`: 5000 indexed
 * lookups 13.0 s with the spin, 9.7 s without; 500 commits 19.6 s, 17.0 s).
 */
export const SPIN_MS = navigator.hardwareConcurrency >= 4 ? 0.05 : 0;
/** Longest sleep of this thread's timer (it keeps the event loop alive). */
const KEEPALIVE_MS = 1000;
/** Microtasks a non-spinning wait lets pass before it arms Atomics.waitAsync. */
const ARM_AFTER_MICROTASKS = 32;
/** Microtasks the timer outlives the last armed wait (so back-to-back waits keep one timer). */
const LINGER_MICROTASKS = 64;

/** How a wait ended. */
export type WaitResult = "changed" | "timeout";

/** One pending wait of this thread. */
export class Waiter {
  readonly promise: Promise<WaitResult>;
  settled = false;
  armed = false;
  private resolve!: (r: WaitResult) => void;

  constructor(
    readonly words: Int32Array,
    readonly index: number,
    readonly value: number,
    readonly deadline: number,
    readonly guard: number,
    readonly guardValue: number,
  ) {
    this.promise = new Promise((resolve) => (this.resolve = resolve));
  }

  /** Whether the word (or the guard) no longer holds what the waiter saw. */
  ready(): boolean {
    return Atomics.load(this.words, this.index) !== this.value ||
      (this.guard >= 0 && Atomics.load(this.words, this.guard) !== this.guardValue);
  }

  /** Ends the wait (once): by a change, a timeout, or whoever knows better (a close). */
  settle(result: WaitResult): void {
    if (this.drop()) this.resolve(result);
  }

  /**
   * Ends the wait without settling its promise: whoever awaits it never runs again, and it
   * keeps nothing alive (the code of a stopped in-line service, as a terminated worker's).
   */
  abandon(): void {
    this.drop();
  }

  /** Takes the wait off this thread's list and timer; false if it had ended already. */
  private drop(): boolean {
    if (this.settled) return false;
    this.settled = true;
    const i = waiters.indexOf(this);
    if (i >= 0) waiters.splice(i, 1);
    if (this.armed) {
      this.armed = false;
      if (--armedCount === 0) lingerThenDropTimer();
    }
    return true;
  }
}

/** This thread's pending waits. */
const waiters: Waiter[] = [];
let armedCount = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Infinity;

/**
 * Polls until `words[index]` leaves `value` or `words[guard]` leaves `guardValue` (true), or
 * until performance.now() reaches `until` (false). Synchronous: the thread does nothing else.
 */
export function spinUntil(
  words: Int32Array,
  index: number,
  value: number,
  guard: number,
  guardValue: number,
  until: number,
): boolean {
  for (let i = 1;; i++) {
    if (Atomics.load(words, index) !== value) return true;
    if (guard >= 0 && Atomics.load(words, guard) !== guardValue) return true;
    if ((i & 127) === 0 && performance.now() >= until) return false;
    Atomics.pause();
  }
}

/**
 * Starts waiting until `words[index]` leaves `value` (or `words[guard]` leaves `guardValue`,
 * when guard >= 0), or `timeoutMs` passes (Infinity: never). No spinning here: a caller that
 * may spin has done so. The waiter's `settle` ends the wait early.
 */
export function startWait(
  words: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
  armAtOnce: boolean,
  guard = -1,
  guardValue = 0,
): Waiter {
  const deadline = timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
  const w = new Waiter(words, index, value, deadline, guard, guardValue);
  if (w.ready()) {
    w.settle("changed");
    return w;
  }
  if (timeoutMs <= 0) {
    w.settle("timeout");
    return w;
  }
  waiters.push(w);
  if (armAtOnce) arm(w);
  else armLater(w, ARM_AFTER_MICROTASKS);
  return w;
}

/**
 * A wait until `words[index]` leaves `value` ("changed", possibly spuriously) or `timeoutMs`
 * passes ("timeout"), spinning first if `spin` (settled already when the spin saw the change).
 * The guard, if given, is watched too.
 */
export function spinThenWait(
  words: Int32Array,
  index: number,
  value: number,
  timeoutMs: number,
  spin: boolean,
  guard = -1,
  guardValue = 0,
): Waiter {
  if (spin) {
    const now = performance.now();
    spinUntil(words, index, value, guard, guardValue, now + Math.min(SPIN_MS, timeoutMs));
    if (timeoutMs !== Infinity) timeoutMs -= performance.now() - now;
  }
  return startWait(words, index, value, timeoutMs, spin, guard, guardValue);
}

/**
 * Tells this thread's waits that the library changed shared words: the ones now satisfied
 * settle (their continuations run as microtasks). Cheap when nothing waits.
 */
export function wakeLocal(): void {
  for (let i = waiters.length - 1; i >= 0; i--) {
    const w = waiters[i];
    if (w !== undefined && w.ready()) w.settle("changed");
  }
}

/**
 * Calls `changed` once `words[index]` differs from `value` (or possibly spuriously); returns
 * a cancel function, after which it is never called.
 */
export function watchWord(
  words: Int32Array,
  index: number,
  value: number,
  changed: () => void,
): () => void {
  let cancelled = false;
  const w = startWait(words, index, value, Infinity, true);
  w.promise.then(() => {
    if (!cancelled) changed();
  });
  return () => {
    cancelled = true;
    w.settle("timeout");
  };
}

/** Adds one to a doorbell word and wakes whoever sleeps on it, on any thread. */
export function ringDoorbell(bell: Int32Array): void {
  Atomics.add(bell, 0, 1);
  Atomics.notify(bell, 0);
  wakeLocal();
}

function armLater(w: Waiter, microtasks: number): void {
  queueMicrotask(() => {
    if (w.settled) return;
    if (microtasks > 0) armLater(w, microtasks - 1);
    else arm(w);
  });
}

/** Arms Atomics.waitAsync for `w`, then checks the guard, then makes sure the timer runs. */
function arm(w: Waiter): void {
  const r = Atomics.waitAsync(w.words, w.index, w.value);
  if (!r.async) {
    w.settle("changed");
    return;
  }
  r.value.then(() => w.settle("changed"));
  if (w.ready()) {
    w.settle("changed");
    return;
  }
  w.armed = true;
  armedCount++;
  schedule(w.deadline);
}

/** Makes sure this thread's timer fires by `deadline` (and within KEEPALIVE_MS). */
function schedule(deadline: number): void {
  const now = performance.now();
  const at = Math.min(deadline, now + KEEPALIVE_MS);
  if (timer !== undefined && timerAt <= at) return;
  if (timer !== undefined) clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(onTimer, Math.max(0, Math.ceil(at - now)));
}

/** Times out the waits whose deadline has passed, settles any that missed a wake-up. */
function onTimer(): void {
  timer = undefined;
  timerAt = Infinity;
  const now = performance.now();
  let next = Infinity;
  for (const w of [...waiters]) {
    if (!w.armed) continue;
    if (w.ready()) w.settle("changed");
    else if (w.deadline <= now) w.settle("timeout");
    else next = Math.min(next, w.deadline);
  }
  if (armedCount > 0) schedule(next);
}

function lingerThenDropTimer(microtasks = LINGER_MICROTASKS): void {
  queueMicrotask(() => {
    if (armedCount > 0 || timer === undefined) return;
    if (microtasks > 0) {
      lingerThenDropTimer(microtasks - 1);
      return;
    }
    clearTimeout(timer);
    timer = undefined;
    timerAt = Infinity;
  });
}
