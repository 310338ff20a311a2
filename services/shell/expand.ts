/**
 * Word expansion, in POSIX's order: tilde, parameters and command substitution, field
 * splitting of what was expanded outside quotes, pathname expansion (globbing) of fields with
 * an unquoted `*`, `?` or `[`, and quote removal. The values come from the shell through
 * `Expansions`; globbing is done by a process (the launch program's `-g`), which sees the
 * file system as the commands do.
 */

import type { Word } from "./syntax.ts";

/** Where expansion gets its values. */
export interface Expansions {
  param(name: string): string | undefined;
  /** The output of `$(src)`, trailing newlines kept (expansion removes them). */
  command(src: string): Promise<string>;
  /** Each pattern's matches, or the pattern itself (backslash escapes quoted characters). */
  glob(patterns: string[]): Promise<string[][]>;
  home(): string;
}

/** A field being built: its text, and the same as a glob pattern (quoted magic escaped). */
interface Field {
  text: string;
  pattern: string;
  magic: boolean;
}

const MAGIC = /[*?[]/;

function escapeGlob(s: string): string {
  return s.replace(/[*?[\\]/g, "\\$&");
}

/** Expands `word` into fields without globbing (for redirection targets and assignments). */
export async function expandOne(word: Word, x: Expansions): Promise<string> {
  const fields = await split(word, x, false);
  return fields.map((f) => f.text).join(" ");
}

/** Expands words into the command's arguments. */
export async function expandWords(words: Word[], x: Expansions): Promise<string[]> {
  const fields: Field[] = [];
  for (const w of words) fields.push(...await split(w, x, true));
  const globbed = fields.filter((f) => f.magic);
  if (globbed.length === 0) return fields.map((f) => f.text);
  const matches = await x.glob(globbed.map((f) => f.pattern));
  const out: string[] = [];
  let g = 0;
  for (const f of fields) {
    if (!f.magic) {
      out.push(f.text);
      continue;
    }
    const m = matches[g++] ?? [];
    // No match: the word stays as written (quotes removed), as POSIX sh leaves it.
    out.push(...(m.length === 1 && m[0] === f.pattern ? [f.text] : m));
  }
  return out;
}

async function split(word: Word, x: Expansions, splitting: boolean): Promise<Field[]> {
  const fields: Field[] = [];
  let cur: Field | undefined;
  const add = (text: string, quoted: boolean) => {
    cur ??= { text: "", pattern: "", magic: false };
    cur.text += text;
    cur.pattern += quoted ? escapeGlob(text) : text;
    if (!quoted && MAGIC.test(text)) cur.magic = true;
  };
  const addSplit = (value: string, quoted: boolean) => {
    if (quoted || !splitting) {
      add(value, true);
      return;
    }
    const pieces = value.split(/[ \t\n]+/);
    pieces.forEach((piece, i) => {
      if (i > 0 && cur) {
        fields.push(cur);
        cur = undefined;
      }
      if (piece !== "") add(piece, true);
    });
  };
  for (const [i, part] of word.entries()) {
    if ("lit" in part) {
      let text = part.lit;
      if (i === 0 && !part.quoted && (text === "~" || text.startsWith("~/"))) {
        add(x.home(), true);
        text = text.slice(1);
      }
      if (text !== "") add(text, part.quoted);
      if (part.quoted && text === "") add("", true);
    } else if ("param" in part) {
      const value = x.param(part.param) ?? "";
      if (part.quoted) add(value, true);
      else addSplit(value, false);
    } else {
      const out = (await x.command(part.command)).replace(/\n+$/, "");
      addSplit(out, part.quoted);
    }
  }
  if (cur) fields.push(cur);
  return fields;
}
