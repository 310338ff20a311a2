/**
 * The web console's page and assets: the server-rendered page escapes the token and holds
 * every island's placeholder and the asset links; the bundle holds xterm.js and the islands,
 * and the stylesheet xterm.js's, uPlot's and the console's own rules.
 */

import assert from "node:assert/strict";
import { bundleAssets } from "../../web/bundle.ts";
import { renderPage } from "../../web/routes/index.tsx";

const ISLANDS = ["terminal", "services", "processes", "harts", "ipc", "log"];

/** The value of an attribute as preact-render-to-string escapes it, decoded. */
function unescapeAttribute(value: string): string {
  return value.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

Deno.test("renderPage escapes a hostile token in the token meta", () => {
  const token = `"><script>alert(1)</script>&amp;`;
  const html = renderPage({ token });
  assert.ok(html.startsWith("<!doctype html>"));
  assert.ok(!html.includes("<script>alert(1)"));
  const meta = html.match(/<meta name="denix-token" content="([^"]*)"\/>/);
  assert.ok(meta, "the token meta is one well-formed element");
  assert.equal(unescapeAttribute(meta[1]), token);
});

Deno.test("renderPage holds every island placeholder, its heading and the asset links", () => {
  const html = renderPage({ token: "abc123" });
  assert.ok(html.includes('<meta name="denix-token" content="abc123"'));
  assert.ok(html.includes("<title>denix console</title>"));
  assert.ok(html.includes('<link rel="stylesheet" href="/static/app.css"'));
  assert.ok(html.includes('<script type="module" src="/static/app.js"></script>'));
  for (const island of ISLANDS) {
    assert.ok(html.includes(`<div data-island="${island}">`), `placeholder for ${island}`);
  }
  const headings = [...html.matchAll(/<h2>([^<]*)<\/h2>/g)].map((match) => match[1]);
  assert.equal(headings.length, ISLANDS.length);
});

Deno.test("bundleAssets bundles the islands with xterm.js and the stylesheets", async () => {
  const { js, css } = await bundleAssets();
  assert.ok(js.includes("xterm"), "xterm.js in the bundle");
  assert.ok(js.includes("/ws/terminal"), "the terminal island in the bundle");
  assert.ok(js.includes("/api/state"), "the state subscription in the bundle");
  assert.ok(js.includes("data-island"), "the island entry in the bundle");
  assert.ok(!/^\s*import\s/m.test(js), "no import left unbundled");
  assert.ok(css.includes(".xterm"), "xterm.js's stylesheet");
  assert.ok(css.includes(".uplot"), "uPlot's stylesheet");
  assert.ok(css.includes(".panel-terminal"), "the console's stylesheet");
  assert.ok(css.indexOf(".xterm") < css.indexOf(".uplot"));
  assert.ok(css.indexOf(".uplot") < css.indexOf(".panel-terminal"));
});
