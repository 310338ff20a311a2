/**
 * The lock-free halves of notifications and barriers, shared by the kernel (acting for
 * processes) and the service library (acting for itself), so both follow one algorithm on the
 * same shared words.
 */

import { BARRIER } from "./ipc.ts";
import { wakeLocal } from "./wait.ts";

/** Sets `bits` in a notification word and wakes its waiters. */
export function signalBits(word: Int32Array, bits: number): void {
  Atomics.or(word, 0, bits);
  Atomics.notify(word, 0);
  wakeLocal();
}

/** Takes (and clears) the bits accumulated in a notification word; 0 if none. */
export function takeBits(word: Int32Array): number {
  return Atomics.exchange(word, 0, 0);
}

/**
 * Arrives at a barrier of `parties`: returns the round arrived in and whether this arrival
 * completed it (the last one resets the count, starts the next round and wakes the others).
 */
export function barrierArrive(
  words: Int32Array,
  parties: number,
): { round: number; last: boolean } {
  const round = Atomics.load(words, BARRIER.ROUND);
  const arrived = Atomics.add(words, BARRIER.ARRIVED, 1) + 1;
  if (arrived < parties) return { round, last: false };
  Atomics.store(words, BARRIER.ARRIVED, 0);
  Atomics.add(words, BARRIER.ROUND, 1);
  Atomics.notify(words, BARRIER.ROUND);
  wakeLocal();
  return { round, last: true };
}
