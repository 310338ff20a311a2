/// <reference lib="dom" />
/**
 * The log view: the last lines of the kernel log, newest at the bottom, in a scrolling
 * `<pre>` that follows new lines while the reader is at the bottom.
 */

import { useLayoutEffect, useRef } from "preact/hooks";
import { useLiveState } from "./state.ts";

export default function Log() {
  const state = useLiveState();
  const pre = useRef<HTMLPreElement>(null);
  const following = useRef(true);
  const text = state ? state.log.join("\n") : "";
  useLayoutEffect(() => {
    if (pre.current && following.current) pre.current.scrollTop = pre.current.scrollHeight;
  }, [text]);
  const onScroll = () => {
    const el = pre.current;
    if (el) following.current = el.scrollHeight - el.scrollTop - el.clientHeight < 4;
  };
  return <pre class="log" ref={pre} onScroll={onScroll}>{text}</pre>;
}
