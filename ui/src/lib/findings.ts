// The directory findings grid's logic: filter, search, sort, the window of
// rows to render, and export. Pure functions, so 100,000 rows stay cheap and
// testable without a DOM.
import type { DirectoryFinding } from "./bindings/DirectoryFinding";

export type Column = "severity" | "rule" | "attribute" | "dn" | "value" | "suggestion";
export type SortDir = "asc" | "desc";
export type GridQuery = {
  rule: string; // "" = any
  severity: string; // "" = any
  search: string;
  sort: Column;
  dir: SortDir;
};

export const COLUMNS: { key: Column; label: string }[] = [
  { key: "severity", label: "Severity" },
  { key: "rule", label: "Rule" },
  { key: "attribute", label: "Attribute" },
  { key: "value", label: "Value" },
  { key: "suggestion", label: "Suggested value" },
  { key: "dn", label: "Object" },
];

export const DEFAULT_QUERY: GridQuery = { rule: "", severity: "", search: "", sort: "severity", dir: "asc" };

function cell(f: DirectoryFinding, c: Column): string {
  return (f[c] ?? "") as string;
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** The rows the query selects, in its order. Search matches DN, attribute, value, message and suggestion, case-insensitively. */
export function applyQuery(rows: readonly DirectoryFinding[], q: GridQuery): DirectoryFinding[] {
  const needle = q.search.trim().toLowerCase();
  const out = rows.filter(
    (f) =>
      (q.rule === "" || f.rule === q.rule) &&
      (q.severity === "" || f.severity === q.severity) &&
      (needle === "" ||
        f.dn.toLowerCase().includes(needle) ||
        f.attribute.toLowerCase().includes(needle) ||
        f.value.toLowerCase().includes(needle) ||
        f.message.toLowerCase().includes(needle) ||
        (f.suggestion ?? "").toLowerCase().includes(needle)),
  );
  const sign = q.dir === "asc" ? 1 : -1;
  // Stable: ties keep scan order.
  const indexed = out.map((f, i) => ({ f, i, k: cell(f, q.sort) }));
  indexed.sort((a, b) => sign * collator.compare(a.k, b.k) || a.i - b.i);
  return indexed.map((x) => x.f);
}

/** The distinct values of a column, sorted (for the filter menus). */
export function distinct(rows: readonly DirectoryFinding[], c: "rule" | "severity"): string[] {
  return [...new Set(rows.map((f) => f[c]))].sort();
}

/** Rows [start, end) to render for a scroll position, with `overscan` extra rows on each side. */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): { start: number; end: number } {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, Math.min(first - overscan, total - 1));
  const end = Math.min(total, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

const CSV_COLUMNS: (keyof DirectoryFinding)[] = ["dn", "attribute", "value", "rule", "severity", "message", "suggestion"];

function csvField(v: string): string {
  // Quote every field; double quotes inside. A leading =, +, - or @ is
  // prefixed with ' so a spreadsheet never runs a value as a formula.
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return `"${safe.replace(/"/g, '""')}"`;
}

/** CSV with a header row, CRLF line ends (what Excel and Import-Csv expect). */
export function toCsv(rows: readonly DirectoryFinding[]): string {
  const lines = [CSV_COLUMNS.join(",")];
  for (const f of rows) lines.push(CSV_COLUMNS.map((c) => csvField((f[c] ?? "") as string)).join(","));
  return lines.join("\r\n") + "\r\n";
}

/** JSON in the CLI's contract shape: `{ "findings": [...] }`. */
export function toJson(rows: readonly DirectoryFinding[]): string {
  return JSON.stringify({ findings: rows }, null, 2) + "\n";
}
