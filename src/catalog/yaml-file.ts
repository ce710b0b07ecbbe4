// Reads a YAML data file (catalogs, registry) so every problem can name `file:line: field`:
// the document keeps its LineCounter, and zod issues are turned into located messages.
import { relative } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { formatPath, lineOf, type YamlPath } from '../rules/yaml-lines.js';

export type { YamlPath };
export { formatPath };

export interface YamlFile {
  /** As shown in messages (relative to the working directory when below it). */
  shown: string;
  doc: Document;
  lineCounter: LineCounter;
  /** The parsed value, or undefined when the YAML itself is broken (see `problems`). */
  value: unknown;
  problems: string[];
}

/** A path as shown in messages: relative to the working directory when below it. */
export function shownPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

/** Parses YAML text; YAML syntax errors become `file:line: YAML: message` problems. */
export function parseYamlFile(text: string, file: string): YamlFile {
  const shown = shownPath(file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems = doc.errors.map((err) => {
    // linePos is only filled in with prettyErrors; the offset always is.
    const line = err.linePos?.[0]?.line ?? (err.pos?.[0] !== undefined ? lineCounter.linePos(err.pos[0]).line : undefined);
    return `${shown}${line ? `:${line}` : ''}: YAML: ${err.message.split('\n')[0]}`;
  });
  return { shown, doc, lineCounter, value: problems.length ? undefined : doc.toJS(), problems };
}

/** Line of the node at `path` (the key for mappings), or undefined. */
export function lineAt(file: YamlFile, path: YamlPath): number | undefined {
  return lineOf(file.doc, file.lineCounter, path);
}

/** `file:line: field: message` for the node at `path`. */
export function problemAt(file: YamlFile, path: YamlPath, message: string): string {
  const line = lineAt(file, path);
  return `${file.shown}${line ? `:${line}` : ''}: ${formatPath(path)}: ${message}`;
}

/**
 * One located problem per zod issue; unknown keys get one each, with a spelling hint when a
 * known key is close. `prefix` is where the validated value sits in the document.
 */
export function zodProblems(file: YamlFile, issues: readonly z.core.$ZodIssue[], prefix: YamlPath, knownKeys: (path: YamlPath) => readonly string[] = () => []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)));
      return issue.keys.map((k) => {
        const near = closest(k, known);
        return problemAt(file, [...path, k], `unknown field${near ? ` (did you mean ${near}?)` : known.length ? ` (known fields: ${known.join(', ')})` : ''}`);
      });
    }
    return [problemAt(file, path, issue.message)];
  });
}

/** The known key within edit distance 2 of `key`, if any. */
function closest(key: string, known: readonly string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

/** Levenshtein distance (small strings only: field names, app names). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** zod error text for enums: "must be one of a, b, c, got "x"". */
export const oneOf = (values: readonly string[]) => (iss: { input?: unknown }) =>
  `must be one of ${values.join(', ')}${iss.input === undefined ? '' : `, got ${JSON.stringify(iss.input)}`}`;

/** A calendar date written YYYY-MM-DD (YAML's core schema keeps it a string); a Date is accepted too. */
export function isoDateProblem(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'not a valid date' : undefined;
  if (typeof value !== 'string') return `must be a date written YYYY-MM-DD, got ${JSON.stringify(value)}`;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return `must be a date written YYYY-MM-DD, got ${JSON.stringify(value)}`;
  const d = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) return `${value} is not a calendar date`;
  return undefined;
}

/** YYYY-MM-DD of a value that passed `isoDateProblem`. */
export function isoDate(value: string | Date): string {
  return value instanceof Date ? value.toISOString().slice(0, 10) : value;
}

/** zod field for a YYYY-MM-DD date (see isoDateProblem); the parsed value is the YYYY-MM-DD string. */
export const isoDateField = () =>
  z
    .unknown()
    .superRefine((v, ctx) => {
      const problem = isoDateProblem(v);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .transform((v) => isoDate(v as string | Date));

/** Problems by file, then line (they are found in several passes). */
export function sortProblems(problems: string[]): string[] {
  const key = (p: string) => {
    const m = /^(.*?):(\d+):/.exec(p);
    return m ? { file: m[1]!, line: Number(m[2]) } : { file: p.split(':')[0]!, line: 0 };
  };
  return problems
    .map((p, i) => ({ p, i, k: key(p) }))
    .sort((a, b) => a.k.file.localeCompare(b.k.file) || a.k.line - b.k.line || a.i - b.i)
    .map((x) => x.p);
}
