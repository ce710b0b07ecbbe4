// Plain-text tables (Markdown pipe syntax, so output can be pasted into docs as is).

export type Cell = string | number | null | undefined;

export interface Table {
  title?: string;
  columns: string[];
  rows: Cell[][];
  /** Columns to right-align (numbers); default: every column whose cells are all numeric. */
  alignRight?: boolean[];
}

export function formatCell(v: Cell): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '—';
    return String(v);
  }
  return v;
}

export function renderTable(t: Table): string {
  const cells = t.rows.map((r) => t.columns.map((_, i) => formatCell(r[i])));
  const widths = t.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const right =
    t.alignRight ??
    t.columns.map((_, i) =>
      cells.length > 0 && cells.every((r) => /^[-+]?[\d.,]+[a-zA-Z%×]*$|^—$/.test(r[i]!)),
    );
  const pad = (s: string, i: number) => (right[i] ? s.padStart(widths[i]!) : s.padEnd(widths[i]!));
  const line = (r: string[]) => `| ${r.map(pad).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (right[i] ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|')}|`;
  const out: string[] = [];
  if (t.title) out.push(t.title, '');
  out.push(line(t.columns), sep, ...cells.map(line));
  return out.join('\n');
}

/** Table as an array of objects keyed by column name (for --json). */
export function tableToObjects(t: Table): Record<string, Cell>[] {
  return t.rows.map((r) => Object.fromEntries(t.columns.map((c, i) => [c, r[i] ?? null])));
}

export function fixed(n: number | null | undefined, digits: number): string | null {
  return n === null || n === undefined || !Number.isFinite(n) ? null : n.toFixed(digits);
}

/** 1234567 → "1.23M", 5000 → "5k". */
export function humanCount(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(1)}k`;
  return String(n);
}

/** Thousands separators, for lines/s. */
export function grouped(n: number | null | undefined): string | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  return Math.round(n).toLocaleString('en-US');
}

/** A fraction as a percentage with one decimal; null stays null. */
export function pct(x: number | null): string | null {
  return x === null ? null : `${(x * 100).toFixed(1)}%`;
}
