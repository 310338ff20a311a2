/**
 * kernel/ipc/watch.ts: waiting for a shared word without blocking the thread; a cancelled
 * wait must end at once, or it would keep its thread alive.
 */

import assert from "node:assert/strict";
import { waitWord, watchWord } from "../../kernel/ipc/watch.ts";

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
  const watch = new URL("../../kernel/ipc/watch.ts", import.meta.url).href;
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

Deno.test("watch: waitWord times out, and an abort ends it at once", async () => {
  const words = new Int32Array(new SharedArrayBuffer(4));
  assert.equal(await waitWord(words, 0, 0, 5), "timeout");
  const abort = new AbortController();
  const waiting = waitWord(words, 0, 0, Infinity, abort.signal);
  await tick();
  abort.abort();
  assert.equal(await waiting, "timeout");
  Atomics.store(words, 0, 2);
  assert.equal(await waitWord(words, 0, 0), "changed");
});
