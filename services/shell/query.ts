/**
 * `query`: SQL over the system's tables (kernel/tables.ts, and the VFS's mounts). The SQL is
 * parsed by node-sql-parser (npm) and this small subset is evaluated here:
 *
 *   SELECT [DISTINCT] * | expr [AS name], ... FROM table
 *     [WHERE expr] [ORDER BY expr [ASC|DESC], ...] [LIMIT n [OFFSET m]]
 *
 * expr: columns, numbers, 'strings' and "strings", NULL, TRUE/FALSE; = != <> < <= > >= + - * /
 * %, AND OR NOT, [NOT] LIKE (% and _), [NOT] IN (list), IS [NOT] NULL, and the functions
 * lower, upper, length, abs, round; the aggregates count(*), count, sum, avg, min and max over
 * the whole selection (no GROUP BY). Anything else is an error that names it. The result is
 * printed as aligned columns under a header, numbers right-aligned.
 */

export type Cell = number | string | boolean | null;
export interface Table {
  columns: string[];
  rows: Cell[][];
}

/** A query the subset does not cover, or a bad one. */
export class QueryError extends Error {}

// deno-lint-ignore no-explicit-any
type Ast = any;
type Row = Record<string, Cell>;

const AGGREGATES = new Set(["COUNT", "SUM", "AVG", "MIN", "MAX"]);

/** Runs `sql` against the tables `fetch` gives; the formatted result. */
export async function query(
  sql: string,
  fetch: (name: string) => Promise<Table>,
): Promise<string> {
  // Loaded on first use: a large module the shell need not load before its first prompt.
  const { default: sqlParser } = await import("node-sql-parser");
  let ast: Ast;
  try {
    ast = new sqlParser.Parser().astify(sql, { database: "sqlite" });
  } catch (e) {
    throw new QueryError(`syntax: ${(e as Error).message.split("\n")[0]}`);
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1) throw new QueryError("one statement at a time");
    ast = ast[0];
  }
  if (ast.type !== "select") throw new QueryError(`${ast.type}: only SELECT is supported`);
  if (ast.groupby) throw new QueryError("GROUP BY is not supported");
  if (ast.having) throw new QueryError("HAVING is not supported");
  if (ast.with) throw new QueryError("WITH is not supported");
  if (!ast.from || ast.from.length !== 1 || !ast.from[0].table) {
    throw new QueryError("FROM names one table");
  }
  if (ast.from[0].join) throw new QueryError("joins are not supported");
  const table = await fetch(ast.from[0].table);
  const rows: Row[] = table.rows.map((r) =>
    Object.fromEntries(table.columns.map((c, i) => [c, r[i] ?? null]))
  );
  const selected = ast.where ? rows.filter((r) => truthy(evaluate(ast.where, r))) : rows;

  const columns = ast.columns === "*" ? table.columns.map((c) => ({ name: c, expr: col(c) })) : (
    ast.columns as Ast[]
  ).flatMap((c) => {
    if (c.expr.type === "column_ref" && c.expr.column === "*") {
      return table.columns.map((name) => ({ name, expr: col(name) }));
    }
    return [{ name: c.as ?? label(c.expr), expr: c.expr }];
  });
  let out: Cell[][];
  if (columns.some((c) => isAggregate(c.expr))) {
    if (!columns.every((c) => isAggregate(c.expr))) {
      throw new QueryError("aggregates and plain columns together need GROUP BY");
    }
    out = [columns.map((c) => aggregate(c.expr, selected))];
  } else {
    const keyed = selected.map((r) => ({ row: r, cells: columns.map((c) => evaluate(c.expr, r)) }));
    if (ast.orderby) {
      const aliases = new Map(columns.map((c, i) => [c.name, i]));
      keyed.sort((a, b) => {
        for (const o of ast.orderby as Ast[]) {
          const alias = o.expr.type === "column_ref" ? aliases.get(o.expr.column) : undefined;
          const x = alias !== undefined ? a.cells[alias] : evaluate(o.expr, a.row);
          const y = alias !== undefined ? b.cells[alias] : evaluate(o.expr, b.row);
          const c = compare(x, y);
          if (c !== 0) return o.type === "DESC" ? -c : c;
        }
        return 0;
      });
    }
    out = keyed.map((k) => k.cells);
    if (ast.distinct) {
      const seen = new Set<string>();
      out = out.filter((r) => {
        const key = JSON.stringify(r);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    if (ast.limit?.value?.length) {
      const values = ast.limit.value.map((v: Ast) => Number(v.value));
      const [count, offset] = ast.limit.seperator === ","
        ? [values[1], values[0]]
        : [values[0], values[1] ?? 0];
      out = out.slice(offset, offset + count);
    }
  }
  return format(columns.map((c) => c.name), out);
}

function col(name: string): Ast {
  return { type: "column_ref", column: name };
}

function label(expr: Ast): string {
  if (expr.type === "column_ref") return columnName(expr);
  if (expr.type === "aggr_func") {
    const arg = expr.args?.expr;
    return `${expr.name.toLowerCase()}(${arg?.type === "star" ? "*" : arg ? label(arg) : ""})`;
  }
  if (expr.type === "function") return `${functionName(expr)}(...)`;
  return "?column?";
}

function columnName(expr: Ast): string {
  const c = expr.column;
  return typeof c === "string" ? c : c?.expr?.value ?? String(c);
}

function functionName(expr: Ast): string {
  const n = expr.name;
  if (typeof n === "string") return n.toLowerCase();
  return String(n?.name?.[0]?.value ?? "").toLowerCase();
}

function isAggregate(expr: Ast): boolean {
  return expr.type === "aggr_func" && AGGREGATES.has(String(expr.name).toUpperCase());
}

function aggregate(expr: Ast, rows: Row[]): Cell {
  const name = String(expr.name).toUpperCase();
  const arg = expr.args?.expr;
  if (name === "COUNT" && (!arg || arg.type === "star")) return rows.length;
  const values = rows.map((r) => evaluate(arg, r)).filter((v) => v !== null);
  const numbers = values.map(Number);
  switch (name) {
    case "COUNT":
      return values.length;
    case "SUM":
      return numbers.reduce((a, b) => a + b, 0);
    case "AVG":
      return numbers.length ? numbers.reduce((a, b) => a + b, 0) / numbers.length : null;
    case "MIN":
      return values.length ? values.reduce((a, b) => (compare(a, b) <= 0 ? a : b)) : null;
    default:
      return values.length ? values.reduce((a, b) => (compare(a, b) >= 0 ? a : b)) : null;
  }
}

function truthy(v: Cell): boolean {
  return v !== null && v !== false && v !== 0 && v !== "";
}

/** SQL's ordering: NULL first, numbers by value, the rest as strings. */
function compare(a: Cell, b: Cell): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function like(value: string, pattern: string): boolean {
  const re = pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/%/g, ".*").replace(/_/g, ".");
  return new RegExp(`^${re}$`, "s").test(value);
}

function evaluate(e: Ast, row: Row): Cell {
  switch (e?.type) {
    case "column_ref": {
      const name = columnName(e);
      if (!(name in row)) throw new QueryError(`no column ${name}`);
      return row[name];
    }
    case "number":
      return Number(e.value);
    case "single_quote_string":
    case "double_quote_string":
    case "string":
      return String(e.value);
    case "bool":
      return Boolean(e.value);
    case "null":
      return null;
    case "unary_expr": {
      const v = evaluate(e.expr, row);
      if (e.operator === "NOT") return !truthy(v);
      if (e.operator === "-") return v === null ? null : -Number(v);
      break;
    }
    case "binary_expr":
      return binary(e, row);
    case "function": {
      const name = functionName(e);
      const args = (e.args?.value ?? []).map((a: Ast) => evaluate(a, row));
      const v = args[0];
      switch (name) {
        case "lower":
          return v === null ? null : String(v).toLowerCase();
        case "upper":
          return v === null ? null : String(v).toUpperCase();
        case "length":
          return v === null ? null : String(v).length;
        case "abs":
          return v === null ? null : Math.abs(Number(v));
        case "round":
          return v === null ? null : Number(Number(v).toFixed(Number(args[1] ?? 0)));
      }
      throw new QueryError(`function ${name} is not supported`);
    }
    case "aggr_func":
      throw new QueryError("an aggregate belongs in the SELECT list");
  }
  throw new QueryError(`${e?.type ?? "this"} is not supported`);
}

function binary(e: Ast, row: Row): Cell {
  const op = String(e.operator).toUpperCase();
  if (op === "AND") return truthy(evaluate(e.left, row)) && truthy(evaluate(e.right, row));
  if (op === "OR") return truthy(evaluate(e.left, row)) || truthy(evaluate(e.right, row));
  const a = evaluate(e.left, row);
  if (op === "IN" || op === "NOT IN") {
    const list = (e.right?.value ?? []).map((v: Ast) => evaluate(v, row));
    const found = list.some((v: Cell) => compare(a, v) === 0);
    return op === "IN" ? found : !found;
  }
  const b = evaluate(e.right, row);
  switch (op) {
    case "IS":
      return a === b;
    case "IS NOT":
      return a !== b;
  }
  if (a === null || b === null) return null;
  switch (op) {
    case "=":
      return compare(a, b) === 0;
    case "!=":
    case "<>":
      return compare(a, b) !== 0;
    case "<":
      return compare(a, b) < 0;
    case "<=":
      return compare(a, b) <= 0;
    case ">":
      return compare(a, b) > 0;
    case ">=":
      return compare(a, b) >= 0;
    case "LIKE":
      return like(String(a), String(b));
    case "NOT LIKE":
      return !like(String(a), String(b));
    case "+":
      return Number(a) + Number(b);
    case "-":
      return Number(a) - Number(b);
    case "*":
      return Number(a) * Number(b);
    case "/":
      return Number(b) === 0 ? null : Number(a) / Number(b);
    case "%":
      return Number(b) === 0 ? null : Number(a) % Number(b);
    case "||":
      return String(a) + String(b);
  }
  throw new QueryError(`operator ${op} is not supported`);
}

function show(v: Cell): string {
  if (v === null) return "NULL";
  if (typeof v === "number" && !Number.isInteger(v)) return v.toFixed(2);
  return String(v);
}

/** Aligned columns under a header. */
export function format(columns: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map(show));
  const numeric = columns.map((_, i) =>
    rows.length > 0 && rows.every((r) => typeof r[i] === "number")
  );
  const widths = columns.map((c, i) => Math.max(c.length, ...text.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) =>
      i === cells.length - 1 && !numeric[i]
        ? c
        : numeric[i]
        ? c.padStart(widths[i])
        : c.padEnd(widths[i])
    ).join("  ").trimEnd();
  return [line(columns.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c))), ...text.map(line)]
    .map((l) => l + "\n").join("");
}
