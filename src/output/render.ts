// Renders result rows as a terminal table, JSON or CSV. Every cell is hostile: tables strip
// control/bidi characters, CSV neutralizes formula prefixes, JSON round-trips values exactly.
import { stringify } from 'csv-stringify/sync';

export type OutputFormat = 'table' | 'json' | 'csv';
export const outputFormats: OutputFormat[] = ['table', 'json', 'csv'];

export function renderRows(rows: Record<string, unknown>[], columns: string[], format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(rows.map((r) => Object.fromEntries(columns.map((c) => [c, jsonValue(r[c])]))), null, 2)}\n`;
    case 'csv':
      return stringify([columns.map(csvCell), ...rows.map((r) => columns.map((c) => csvCell(r[c])))]);
    case 'table': {
      const cells = rows.map((r) => columns.map((c) => terminalSafe(cellText(r[c]), 80)));
      const head = columns.map((c) => terminalSafe(c, 80));
      const widths = head.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
      const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
      const out = [line(head), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
      return `${out.join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
    }
  }
}

export function jsonValue(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    // DuckDB values (timestamps, decimals, structs) print as their string form.
    const s = String(v);
    return s === '[object Object]' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonValue(x)])) : s;
  }
  return v;
}

export function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(cellText).join(' ');
  if (typeof v === 'object') return String(jsonValue(v) instanceof Object ? JSON.stringify(jsonValue(v)) : jsonValue(v));
  return String(v);
}

/** CSV cell: text, with leading formula characters neutralized (OWASP CSV injection). */
export function csvCell(v: unknown): string {
  const s = cellText(v);
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

/** Terminal-safe text: no control sequences, no bidi overrides, bounded width. */
export function terminalSafe(s: string, max = 10_000): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}
