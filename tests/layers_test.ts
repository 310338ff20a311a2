/**
 * The layers import downwards only (docs/ARCHITECTURE.md): `abi/` depends on nothing, the
 * machine on the ABI alone (the devices' register maps live there), the kernel on the machine and the ABI, services on the ABI
 * alone — the kernel never imports the service library, nor a service the kernel; the web console
 * knows the kernel's link messages, and nothing below imports it.
 */

import assert from "node:assert/strict";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** What each top-level layer may import, besides itself. */
const ALLOWED: Record<string, string[]> = {
  abi: [],
  machine: ["abi"],
  kernel: ["abi", "machine"],
  services: ["abi"],
  // The web console runs on the host beside the kernel's worker; it knows the link's messages.
  web: ["kernel"],
};

function* sources(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sources(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

/** The layers that the relative imports of `file` reach. */
function importedLayers(file: string): string[] {
  const text = Deno.readTextFileSync(file);
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)];
  return specifiers.map((m) => relative(ROOT, resolve(dirname(file), m[1])).split("/")[0]);
}

for (const [layer, allowed] of Object.entries(ALLOWED)) {
  Deno.test(`${layer}/ imports only ${[layer, ...allowed].join(", ")}`, () => {
    const wrong: string[] = [];
    let files = 0;
    for (const file of sources(join(ROOT, layer))) {
      files++;
      for (const to of importedLayers(file)) {
        if (to !== layer && !allowed.includes(to)) wrong.push(`${relative(ROOT, file)} → ${to}/`);
      }
    }
    assert.ok(files > 0, `no sources in ${layer}/`);
    assert.deepEqual(wrong, []);
  });
}
