/**
 * The web console in a real browser (Debian's chromium, driven by playwright-core): the page
 * loads with its token; `echo hi | wc -c` typed in the xterm.js terminal prints 3; `yes` started
 * there shows in the process view and its kill button ends it; the VFS's crash button restarts
 * the VFS (its restart count goes up) and the terminal keeps working; a second tab has a
 * terminal of its own; the API refuses a request
 * without the token. A screenshot is kept (its path is printed) as the run's artifact.
 */

import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { eventually } from "../helpers/poll.ts";
import { api, startWebConsole, stopWebConsole } from "../helpers/web.ts";

const ARTIFACTS = new URL("../../.test-artifacts/", import.meta.url);
const BOUND_MS = 20_000;

/** Waits for a row of the terminal (xterm.js's DOM renderer) that reads `text`, trimmed. */
async function row(page: Page, text: RegExp): Promise<void> {
  await page.locator(".xterm-rows > div").filter({ hasText: text }).first().waitFor();
}

Deno.test("web console in chromium: terminal, process view, crash button, token", async () => {
  const dir = await Deno.makeTempDir({ prefix: "denix-browser-" });
  const c = await startWebConsole(`${dir}/root.img`);
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
  });
  try {
    // A page of the console, once its terminal shows the prompt.
    const open = async () => {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(BOUND_MS);
      await page.goto(c.url.href);
      await row(page, /\$\s*$/);
      return page;
    };
    const page = await open();

    // The terminal.
    await page.locator(".xterm").click();
    await page.keyboard.type("echo hi | wc -c\n");
    await row(page, /^\s*3\s*$/);

    // A process started there, seen in the process view, killed from it.
    await page.keyboard.type("yes > /dev/null &\n");
    const yesRow = page.locator("tr[data-pid]", { hasText: "yes" });
    await yesRow.waitFor();
    const pid = await yesRow.getAttribute("data-pid");
    await page.locator(`[data-kill-pid="${pid}"]`).click();
    await page.locator(`tr[data-pid="${pid}"]`).waitFor({ state: "detached" });

    // The VFS's crash button: its restart count goes up, and the terminal goes on.
    const restarts = page.locator('[data-restarts="vfs"]');
    const before = Number(await restarts.innerText());
    await page.locator('[data-action="crash"][data-service="vfs"]').click();
    await eventually(
      "the VFS's restart count going up",
      async () => Number(await restarts.innerText()) > before,
    );
    await page.locator(".xterm").click();
    await page.keyboard.type("echo after-crash > /tmp/f; cat /tmp/f\n");
    await row(page, /^\s*after-crash\s*$/);

    // A second tab has a terminal of its own.
    const tab = await open();
    await tab.locator(".xterm").click();
    await tab.keyboard.type("echo tab-two\n");
    await row(tab, /^\s*tab-two\s*$/);
    assert.equal(await page.locator(".xterm-rows > div", { hasText: "tab-two" }).count(), 0);
    await tab.close();

    // The API wants the token.
    const refused = await page.request.get(api(c, "/api/state", "not-the-token").href);
    assert.equal(refused.status(), 403);

    await Deno.mkdir(ARTIFACTS, { recursive: true });
    const shot = new URL("web-console.png", ARTIFACTS).pathname;
    await page.screenshot({ path: shot });
    console.log(`screenshot: ${shot}`);
  } finally {
    await browser.close();
    await stopWebConsole(c);
    await Deno.remove(dir, { recursive: true });
  }
});
