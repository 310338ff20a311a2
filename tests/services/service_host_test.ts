/**
 * The service host's supervision of in-line services: stopping one ends its code (its library
 * is told, so its serve loop returns), and an instance that ends after a restart does not
 * unregister its successor.
 */

import assert from "node:assert/strict";
import { Kernel } from "../../kernel/kernel.ts";
import { Echo } from "../../services/echo/protocol.ts";
import { embedded } from "../../services/lib/service.ts";

const ECHO = { name: "echo", module: "services/echo/main.ts", isolation: "inline" } as const;

/** `p`, or a rejection if it has not settled within a generous bound. */
function bounded<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still pending`)), 30_000);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

Deno.test("service host: stopping an in-line service ends its main function", async () => {
  const kernel = new Kernel({ mode: "inline" });
  const echo = await kernel.services.start(ECHO);
  echo.stop();
  assert.equal(await bounded(echo.done, "the stopped service's main"), undefined);
  assert.equal(kernel.services.running.has("echo"), false);
});

Deno.test("service host: a restarted service keeps its place when the old one ends", async () => {
  const kernel = new Kernel({ mode: "inline" });
  const first = await kernel.services.start(ECHO);
  first.stop();
  const second = await kernel.services.start(ECHO);
  await bounded(first.done, "the first instance's main");
  assert.equal(kernel.services.running.get("echo"), second);
  const client = Echo.client(await embedded(kernel.services.embeddedPort("client")).lookup("echo"));
  assert.equal(await client.add({ a: 2, b: 3 }), 5);
  kernel.services.stopAll();
  await bounded(second.done, "the second instance's main");
});
