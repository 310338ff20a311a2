/**
 * The shell's grammar: a line (or a script) into lists of and-or chains of pipelines of simple
 * commands, as POSIX sh has them — `;` `&` `&&` `||` `|` `!`, redirections `< > >> <> <& >&`
 * with an optional descriptor number, assignments before a command, `#` comments, and words
 * whose parts remember how they were quoted (single quotes, double quotes, backslashes), so
 * that expansion knows what to split and glob. `$NAME`, `${NAME}`, `$?`, `$$`, `$#`-less
 * positional `$0`-`$9` and `$(...)` are parsed into parts; expand.ts gives them values.
 */

/** A piece of a word. */
export type Part =
  | { lit: string; quoted: boolean }
  | { param: string; quoted: boolean }
  | { command: string; quoted: boolean };

export type Word = Part[];

export interface Redirection {
  fd: number;
  op: "<" | ">" | ">>" | "<>" | "<&" | ">&";
  target: Word;
}

export interface Command {
  assignments: { name: string; value: Word }[];
  words: Word[];
  redirections: Redirection[];
}

export interface Pipeline {
  negate: boolean;
  commands: Command[];
}

export interface AndOr {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
  background: boolean;
  /** The source text, for `jobs`. */
  text: string;
}

/** A syntax error: the shell says so and carries on. */
export class ShellSyntaxError extends Error {}
/** Input that stops in the middle (an open quote, a trailing `|`): more lines may finish it. */
export class Incomplete extends ShellSyntaxError {}

type Token =
  | { kind: "word"; word: Word; start: number }
  | { kind: "op"; op: string; start: number }
  | { kind: "newline"; start: number };

const OPERATORS = ["&&", "||", ">>", "<>", "<&", ">&", "|", "&", ";", "<", ">", "(", ")"];
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits `src` into words, operators and newlines. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === " " || c === "\t") {
      i++;
    } else if (c === "\n") {
      tokens.push({ kind: "newline", start: i++ });
    } else if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (c === "\\" && src[i + 1] === "\n") {
      i += 2;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i));
      if (op) {
        tokens.push({ kind: "op", op, start: i });
        i += op.length;
      } else {
        const start = i;
        const [word, end] = readWord(src, i);
        tokens.push({ kind: "word", word, start });
        i = end;
      }
    }
  }
  return tokens;
}

function isBreak(c: string): boolean {
  return " \t\n|&;<>()".includes(c);
}

/** Reads one word from `i`: its parts and where it ends. */
function readWord(src: string, i: number): [Word, number] {
  const parts: Part[] = [];
  const lit = (text: string, quoted: boolean) => {
    const last = parts[parts.length - 1];
    if (last && "lit" in last && last.quoted === quoted) last.lit += text;
    else parts.push({ lit: text, quoted });
  };
  while (i < src.length && !isBreak(src[i])) {
    const c = src[i];
    if (c === "'") {
      const end = src.indexOf("'", i + 1);
      if (end < 0) throw new Incomplete("unterminated '");
      lit(src.slice(i + 1, end), true);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= src.length) throw new Incomplete('unterminated "');
        const d = src[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && i + 1 < src.length && '$`"\\\n'.includes(src[i + 1])) {
          if (src[i + 1] !== "\n") lit(src[i + 1], true);
          i += 2;
        } else if (d === "$") {
          i = readDollar(src, i, true, parts, lit);
        } else {
          lit(d, true);
          i++;
        }
      }
    } else if (c === "\\") {
      if (i + 1 >= src.length) throw new Incomplete("trailing \\");
      lit(src[i + 1], true);
      i += 2;
    } else if (c === "$") {
      i = readDollar(src, i, false, parts, lit);
    } else {
      lit(c, false);
      i++;
    }
  }
  return [parts, i];
}

/** Reads a `$` expansion at `i`; returns where it ends. */
function readDollar(
  src: string,
  i: number,
  quoted: boolean,
  parts: Part[],
  lit: (text: string, quoted: boolean) => void,
): number {
  const next = src[i + 1];
  if (next === "(") {
    let depth = 1;
    let j = i + 2;
    let quote = "";
    for (; j < src.length && depth > 0; j++) {
      const c = src[j];
      if (quote) {
        if (c === quote) quote = "";
        else if (c === "\\" && quote === '"') j++;
      } else if (c === "'" || c === '"') quote = c;
      else if (c === "\\") j++;
      else if (c === "(") depth++;
      else if (c === ")") depth--;
    }
    if (depth > 0) throw new Incomplete("unterminated $(");
    parts.push({ command: src.slice(i + 2, j - 1), quoted });
    return j;
  }
  if (next === "{") {
    const end = src.indexOf("}", i + 2);
    if (end < 0) throw new Incomplete("unterminated ${");
    const name = src.slice(i + 2, end);
    if (!NAME.test(name) && !/^[0-9?$!#@*]$/.test(name)) {
      throw new ShellSyntaxError(`\${${name}}: bad substitution`);
    }
    parts.push({ param: name, quoted });
    return end + 1;
  }
  if (next !== undefined && "?$!#@*0123456789".includes(next)) {
    parts.push({ param: next, quoted });
    return i + 2;
  }
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i + 1));
  if (!m) {
    lit("$", quoted);
    return i + 1;
  }
  parts.push({ param: m[0], quoted });
  return i + 1 + m[0].length;
}

/** The literal text of a word with no expansions, or undefined. */
export function literal(word: Word): string | undefined {
  let out = "";
  for (const p of word) {
    if (!("lit" in p)) return undefined;
    out += p.lit;
  }
  return out;
}

/** Parses a whole input: its and-or lists in order. */
export function parse(src: string): AndOr[] {
  const tokens = tokenize(src);
  let t = 0;
  const peek = () => tokens[t];
  const isOp = (op: string) => {
    const tok = tokens[t];
    return tok?.kind === "op" && tok.op === op;
  };
  const skipNewlines = () => {
    while (peek()?.kind === "newline") t++;
  };

  const command = (): Command => {
    const cmd: Command = { assignments: [], words: [], redirections: [] };
    for (;;) {
      const tok = peek();
      if (!tok) break;
      if (tok.kind === "word") {
        const lit = literal(tok.word);
        const next = tokens[t + 1];
        const digits = lit !== undefined && /^[0-9]+$/.test(lit);
        if (
          digits && next?.kind === "op" && next.start === tok.start + lit.length &&
          ["<", ">", ">>", "<>", "<&", ">&"].includes(next.op)
        ) {
          t++;
          cmd.redirections.push(redirection(Number(lit)));
          continue;
        }
        const eq = tok.word[0] && "lit" in tok.word[0] && !tok.word[0].quoted
          ? tok.word[0].lit.indexOf("=")
          : -1;
        if (
          cmd.words.length === 0 && eq > 0 &&
          NAME.test((tok.word[0] as { lit: string }).lit.slice(0, eq))
        ) {
          const first = tok.word[0] as { lit: string; quoted: boolean };
          const value: Word = [
            { lit: first.lit.slice(eq + 1), quoted: false },
            ...tok.word.slice(1),
          ];
          cmd.assignments.push({ name: first.lit.slice(0, eq), value });
        } else {
          cmd.words.push(tok.word);
        }
        t++;
      } else if (tok.kind === "op" && ["<", ">", ">>", "<>", "<&", ">&"].includes(tok.op)) {
        cmd.redirections.push(redirection(undefined));
      } else {
        break;
      }
    }
    if (cmd.words.length === 0 && cmd.assignments.length === 0 && cmd.redirections.length === 0) {
      const tok = peek();
      if (!tok) throw new Incomplete("unexpected end of input");
      throw new ShellSyntaxError(
        `syntax error near unexpected token \`${tok.kind === "op" ? tok.op : "newline"}'`,
      );
    }
    return cmd;
  };

  const redirection = (fd: number | undefined): Redirection => {
    const tok = tokens[t++] as { kind: "op"; op: Redirection["op"] };
    const target = peek();
    if (!target) throw new Incomplete("redirection without a target");
    if (target.kind !== "word") {
      throw new ShellSyntaxError(
        `syntax error near unexpected token \`${target.kind === "op" ? target.op : "newline"}'`,
      );
    }
    t++;
    const op = tok.op;
    return {
      fd: fd ?? (op === "<" || op === "<>" || op === "<&" ? 0 : 1),
      op,
      target: target.word,
    };
  };

  const pipeline = (): Pipeline => {
    let negate = false;
    const first = peek();
    if (first?.kind === "word" && literal(first.word) === "!") {
      negate = true;
      t++;
    }
    const commands = [command()];
    while (isOp("|")) {
      t++;
      skipNewlines();
      commands.push(command());
    }
    return { negate, commands };
  };

  const lists: AndOr[] = [];
  skipNewlines();
  while (t < tokens.length) {
    const start = tokens[t].start;
    const first = pipeline();
    const rest: AndOr["rest"] = [];
    while (isOp("&&") || isOp("||")) {
      const op = (tokens[t++] as { op: "&&" | "||" }).op;
      skipNewlines();
      rest.push({ op, pipeline: pipeline() });
    }
    let background = false;
    const end = peek();
    if (end?.kind === "op" && (end.op === "&" || end.op === ";")) {
      background = end.op === "&";
      t++;
    } else if (end && end.kind !== "newline") {
      throw new ShellSyntaxError(
        `syntax error near unexpected token \`${end.kind === "op" ? end.op : "word"}'`,
      );
    }
    const stop = peek()?.start ?? src.length;
    lists.push({ first, rest, background, text: src.slice(start, stop).replace(/[;&\s]+$/, "") });
    skipNewlines();
  }
  return lists;
}
