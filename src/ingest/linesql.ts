// SQL building blocks the egress line formats share: time stamps to UTC epoch seconds, quoted
// CSV splitting, JSON field extraction. Every value interpolated here is a literal quoted by
// sqlString or an index computed by the caller — never raw text from a log or config.
import { sqlString } from '../db/duck.js';

/** IANA zone names DuckDB's ICU accepts; validated before any SQL is built from them. */
export const TIME_ZONE_PATTERN = /^(UTC|GMT|[A-Za-z]+(?:[/_+-][A-Za-z0-9]+)*|Etc\/GMT[+-]\d{1,2})$/;

/** True when `tz` is a zone name Node's Intl also knows (so DuckDB's ICU knows it too). */
export function isTimeZone(tz: string): boolean {
  if (!TIME_ZONE_PATTERN.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Epoch seconds (DOUBLE) of a timestamp string (ISO 8601 / `YYYY-MM-DD hh:mm:ss[.fff]`). A string
 * with an offset or `Z` keeps its own offset; one without is wall-clock time in `zone` (UTC by
 * default). NULL when it does not parse. DuckDB's TIMESTAMP cast ignores an offset, hence the test.
 */
export function epochOfTimestampSql(expr: string, zone = 'UTC'): string {
  const local = zone === 'UTC' ? `try_cast(${expr} as timestamp)` : `timezone(${sqlString(zone)}, try_cast(${expr} as timestamp))`;
  return `(case when regexp_matches(${expr}, '(Z|[+-]\\d\\d:?\\d\\d)$') then epoch(try_cast(${expr} as timestamptz)) else epoch(${local}) end)`;
}

/** Epoch seconds of a wall-clock string in `format` (strptime) in `zone`. */
export function epochOfStrptimeSql(expr: string, format: string, zone = 'UTC'): string {
  const parsed = `try_strptime(${expr}, ${sqlString(format)})`;
  // try_strptime returns TIMESTAMPTZ when the format has %z, else a zone-less TIMESTAMP.
  if (/%z|%Z/.test(format)) return `epoch(${parsed})`;
  return zone === 'UTC' ? `epoch(${parsed})` : `epoch(timezone(${sqlString(zone)}, ${parsed}))`;
}

/** Epoch seconds from a number (seconds, or milliseconds when > 1e11) or a timestamp string. */
export function epochOfAnySql(expr: string, zone = 'UTC'): string {
  return `coalesce((case when try_cast(${expr} as double) > 1e11 then try_cast(${expr} as double) / 1000 else try_cast(${expr} as double) end), ${epochOfTimestampSql(expr, zone)})`;
}

/**
 * A CSV record split into its fields (VARCHAR[]), honouring double quotes ("a,b" and "" inside
 * quotes); quotes are removed. One regex pass; only for formats whose fields may be quoted.
 */
export function csvFieldsSql(line: string, delimiter = ','): string {
  const d = delimiter === '\t' ? '\\t' : delimiter.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
  const re = `${d}("(?:[^"]|"")*"|[^${d}]*)`;
  return `list_transform(regexp_extract_all(${sqlString(delimiter)} || ${line}, ${sqlString(re)}, 1),
      x -> case when starts_with(x, '"') then replace(x[2:-2], '""', '"') else x end)`;
}

/** Splits one CSV record in JS the same way csvFieldsSql does (for headers and reject reasons). */
export function splitCsv(line: string, delimiter = ','): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let j = i + 1;
      let v = '';
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) {
          v += line.slice(j);
          j = line.length;
          break;
        }
        v += line.slice(j, q);
        if (line[q + 1] === '"') {
          v += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push(v);
      const next = line.indexOf(delimiter, j);
      if (next < 0) return out;
      i = next + delimiter.length;
    } else {
      const next = line.indexOf(delimiter, i);
      if (next < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, next));
      i = next + delimiter.length;
    }
  }
}

/** JSONPath for a key that may contain dots or other punctuation (e.g. Zeek's "id.orig_h"), or a dotted path of plain keys. */
export function jsonPath(key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(key) && !key.includes('.')) return `$.${key}`;
  return `$."${key.replace(/["\\]/g, '')}"`;
}

/** Nested path a.b.c as JSONPath ($.a.b.c); keys are validated identifiers. */
export function jsonNestedPath(keys: string[]): string {
  return `$${keys.map((k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? `.${k}` : `."${k.replace(/["\\]/g, '')}"`)).join('')}`;
}

/** A whole-line control-character test used by reject reasons. */
export function looksBinary(line: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(line);
}

export function tooLong(line: string): string | undefined {
  return line.length > 65536 ? `line too long (${line.length} characters)` : undefined;
}

/** SQL: the authority (host[:port]) of a URL with or without a scheme (`host/path?q`, `https://host/…`). */
export function urlAuthoritySql(u: string): string {
  return `split_part(split_part(split_part(case when contains(${u}, '://') then split_part(${u}, '://', 2) else ${u} end, '/', 1), '?', 1), '#', 1)`;
}
