// Shared by the egress formats that read one JSON object per line (Route 53 Resolver, Umbrella JSON,
// Zeek, Zscaler and generic JSON lines): the SQL that pulls a few string fields from each
// line, the first reject reasons (binary, too long, not a JSON object), and the NULL HTTP columns
// of the DNS logs.
import { sqlString } from '../db/duck.js';
import { looksBinary, tooLong } from '../ingest/linesql.js';
import type { EgressOptionalColumn } from '../ingest/egress.js';

/**
 * SQL: `line` plus `j`, the string values at `paths` (JSON paths such as '$.srcaddr') of each
 * line of `lines`, or NULL for a line that is not a JSON object (the format's `ok` then fails).
 */
export function jsonFieldsFromLinesSql(paths: readonly string[]): string {
  return `select line, case when json_valid(line) and starts_with(ltrim(line), '{') then json_extract_string(line, [${paths.map(sqlString).join(', ')}]) end as j
                      from lines`;
}

/** SQL columns for a source without HTTP: DNS has no method, status or bytes (NULL, never 0). */
export const NO_HTTP_COLUMNS: readonly EgressOptionalColumn[] = ['method', 'status', 'bytes_in', 'bytes_out'];
export const NO_HTTP_COLUMNS_SQL = 'cast(null as varchar) as method, cast(null as varchar) as status, cast(null as bigint) as bytes_in, cast(null as bigint) as bytes_out';

/**
 * A rejected line parsed as a JSON object, or, as a string, the reason it is not one (binary, too
 * long, not valid JSON, not an object): the part of rejectReason every JSON-lines format shares.
 */
export function jsonLineObject(line: string): Record<string, unknown> | string {
  if (looksBinary(line)) return 'binary data';
  const long = tooLong(line);
  if (long) return long;
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    return 'not valid JSON (truncated line?)';
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'not a JSON object';
  return o as Record<string, unknown>;
}
