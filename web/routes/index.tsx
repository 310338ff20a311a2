/**
 * The console's one page, rendered on the server: the document head (token, stylesheet,
 * bundle) and a panel per view, each with its heading and the `[data-island]` element the
 * browser bundle (web/islands/main.tsx) renders that view into.
 */

import { renderToString } from "preact-render-to-string";

/** The panels in page order: island name and heading. */
const PANELS = [
  ["terminal", "terminal"],
  ["services", "services"],
  ["harts", "harts"],
  ["processes", "processes"],
  ["ipc", "ipc"],
  ["log", "kernel log"],
] as const;

function Page({ token }: { token: string }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="denix-token" content={token} />
        <title>denix console</title>
        <link rel="stylesheet" href="/static/app.css" />
        <script type="module" src="/static/app.js"></script>
      </head>
      <body>
        <header>
          <h1>denix console</h1>
        </header>
        <main class="panels">
          {PANELS.map(([island, heading]) => (
            <section class={`panel panel-${island}`} key={island}>
              <h2>{heading}</h2>
              <div data-island={island}>
                <p class="muted">loading…</p>
              </div>
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}

/** The full HTML document for a session holding `token`. */
export function renderPage(opts: { token: string }): string {
  return "<!doctype html>" + renderToString(<Page token={opts.token} />);
}
