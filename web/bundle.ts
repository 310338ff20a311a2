/**
 * Builds the console's browser assets: the islands bundled by esbuild into one ES module, and
 * one stylesheet (xterm.js's, uPlot's, then web/static/style.css). The npm packages are read
 * from the repository's node_modules/, which `deno install` fills.
 */

import * as esbuild from "esbuild";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../", import.meta.url);
const NODE_MODULES = new URL("node_modules/", ROOT);
const VENDOR_CSS = ["@xterm/xterm/css/xterm.css", "uplot/dist/uPlot.min.css"];

/** The text of an installed npm package's file, or an error that says to run `deno install`. */
async function readInstalled(path: string): Promise<string> {
  const url = new URL(path, NODE_MODULES);
  try {
    return await Deno.readTextFile(url);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(
      `web assets: ${fileURLToPath(url)} is missing; run \`deno install\` in ` +
        `${fileURLToPath(ROOT)} to fill node_modules/`,
    );
  }
}

/** The bundled JavaScript and the concatenated CSS the console page loads. */
export async function bundleAssets(): Promise<{ js: string; css: string }> {
  const css = [
    ...await Promise.all(VENDOR_CSS.map(readInstalled)),
    await Deno.readTextFile(new URL("static/style.css", import.meta.url)),
  ].join("\n");
  try {
    const result = await esbuild.build({
      entryPoints: [fileURLToPath(new URL("islands/main.tsx", import.meta.url))],
      absWorkingDir: fileURLToPath(ROOT),
      bundle: true,
      format: "esm",
      jsx: "automatic",
      jsxImportSource: "preact",
      write: false,
      minify: true,
      logLevel: "silent",
    });
    return { js: result.outputFiles[0].text, css };
  } finally {
    await esbuild.stop();
  }
}
