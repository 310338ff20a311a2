/// <reference lib="dom" />
/**
 * The console's HTTP API as the islands call it: the session token from the page's
 * `<meta name="denix-token">`, URLs that carry it, and the POST actions (fault buttons, kill)
 * whose failures the views show inline (`useAction`).
 */

import { useState } from "preact/hooks";

/** The token the server rendered into the page. */
export function token(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="denix-token"]')?.content ?? "";
}

/** `path` with `?token=TOKEN` appended. */
export function apiUrl(path: string): string {
  return `${path}?token=${encodeURIComponent(token())}`;
}

/** POSTs to `path`; resolves to null on `{ ok: true }`, else to the error to show. */
export async function postAction(path: string): Promise<string | null> {
  try {
    const response = await fetch(apiUrl(path), { method: "POST" });
    const body = await response.json().catch(() => ({}));
    if (response.ok && body.ok) return null;
    return body.error ?? `${response.status} ${response.statusText}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** A view's POST action: the error of its last run ("" if none), and the function to run it. */
export function useAction(): [string, (path: string) => Promise<void>] {
  const [error, setError] = useState("");
  return [error, async (path) => setError(await postAction(path) ?? "")];
}
