/**
 * abi/wait.ts: waiting for a shared word without blocking the thread — changes from another
 * thread and from this one (a local wake) end a wait; a cancelled wait never calls back and
 * ends at once, or it would keep its thread alive; an abandoned one never settles and keeps
 * nothing alive; timeouts.
 */

import assert from "node:assert/strict";
import { ringDoorbell, spinThenWait, startWait, watchWord } from "../../abi/wait.ts";

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Has a worker store 1 into `words[0]` and notify; resolves once it has. */
async function changeFromWorker(words: Int32Array): Promise<void> {
  const worker = new Worker(
    `data:text/javascript,onmessage = (e) => { const w = new Int32Array(e.data); Atomics.store(w, 0, 1); Atomics.notify(w, 0); postMessage(0); };`,
    { type: "module" },
  );
  const posted = new Promise((resolve) => (worker.onmessage = resolve));
  worker.postMessage(words.buffer);
  await posted;
  worker.terminate();
}

Deno.test("watch: a change made by another thread calls the watcher", async () => {
  const words = new Int32Array(new SharedArrayBuffer(4));
  const changed = Promise.withResolvers<void>();
  watchWord(words, 0, 0, changed.resolve);
  await changeFromWorker(words);
  await changed.promise;
  assert.equal(Atomics.load(words, 0), 1);
});

Deno.test("watch: a cancelled watch never calls back, though the word changes", async () => {
  const words = new Int32Array(new SharedArrayBuffer(4));
  let calls = 0;
  const cancel = watchWord(words, 0, 0, () => calls++);
  // An uncancelled watch of the same word shows that the change was delivered.
  const control = Promise.withResolvers<void>();
  watchWord(words, 0, 0, control.resolve);
  await tick();
  cancel();
  await changeFromWorker(words);
  await control.promise;
  await tick();
  assert.equal(calls, 0);
});

Deno.test("watch: a thread whose watches are cancelled can end", async () => {
  const watch = new URL("../../abi/wait.ts", import.meta.url).href;
  const code = `import { watchWord } from "${watch}";
    const words = new Int32Array(new SharedArrayBuffer(4));
    const cancel = watchWord(words, 0, 0, () => {});
    setTimeout(cancel, 10);`;
  const { code: status } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    signal: AbortSignal.timeout(60_000), // a wait left pending would keep it alive for ever
  }).output();
  assert.equal(status, 0);
});

Deno.test("wait: an abandoned wait never settles, and its thread can end", async () => {
  const wait = new URL("../../abi/wait.ts", import.meta.url).href;
  const code = `import { startWait } from "${wait}";
    const words = new Int32Array(new SharedArrayBuffer(4));
    const w = startWait(words, 0, 0, Infinity, true);
    w.promise.then(() => Deno.exit(3));
    setTimeout(() => { w.abandon(); Atomics.store(words, 0, 1); Atomics.notify(words, 0); }, 10);`;
  const { code: status } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    signal: AbortSignal.timeout(60_000), // a wait left pending would keep it alive for ever
  }).output();
  assert.equal(status, 0);
});

Deno.test("wait: a timeout ends a wait, settling it early ends it at once, a change ends it", async () => {
  const words = new Int32Array(new SharedArrayBuffer(4));
  assert.equal(await spinThenWait(words, 0, 0, 5, false).promise, "timeout");
  const w = startWait(words, 0, 0, Infinity, true);
  await tick();
  w.settle("timeout");
  assert.equal(await w.promise, "timeout");
  Atomics.store(words, 0, 2);
  assert.equal(await spinThenWait(words, 0, 0, Infinity, false).promise, "changed");
});

Deno.test("wait: a doorbell rung on this thread wakes this thread's watch without a notify", async () => {
  // A same-thread Atomics.notify may not reach a waitAsync of the same thread; the local wake
  // does, in microtasks: the kernel and in-line services wake each other this way.
  const bell = new Int32Array(new SharedArrayBuffer(4));
  const woken = Promise.withResolvers<void>();
  watchWord(bell, 0, 0, woken.resolve);
  let late = false;
  const timer = setTimeout(() => (late = true), 500);
  ringDoorbell(bell);
  await woken.promise;
  clearTimeout(timer);
  assert.equal(late, false, "woken by the local wake, not by a timer");
  assert.equal(Atomics.load(bell, 0), 1);
});
