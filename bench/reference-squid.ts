// DuckDB-only reference for the ingest benchmark: what a Squid native access.log import costs
// when DuckDB alone does the work, using the fastest approach measured in
// shared/notes/ingest-fast-path.md:
//   - each line read as ONE text column (read_csv, delimiter that never occurs, no quote/escape,
//     strict_mode=false, ignore_errors + store_rejects so binary lines are counted, not fatal),
//   - ONE capture-free whole-line regex decides good vs rejected,
//   - string_split on single spaces, fields indexed from the END (the elapsed field is padded),
//   - host via nested split_part after stripping the scheme (CONNECT urls are host:port),
//   - staged aggregation: stage 1 groups on cheap per-line keys (integer hour bucket, epoch ms)
//     into a small temp table; stage 2 converts to timestamps and writes Parquet.
//
// Usage: node bin/run-ts.js bench/reference-squid.ts FILE OUTDIR
// Writes OUTDIR/ref.parquet and prints {good_lines, rejected, groups, ...} as JSON on stdout.

import { join, resolve } from 'node:path';
import { runReferenceStatements } from './lib/reference.js';
import { SQUID_NATIVE_LINE_PATTERN } from '../fixtures/squid/generate.js';

export interface ReferenceResult {
  good_lines: number;
  rejected: number;
  groups: number;
  /** Rows the CSV reader produced (good + regex-rejected). */
  rows_read: number;
  /** Lines the CSV reader itself dropped (invalid UTF-8, …). */
  csv_rejects: number;
  bytes_in: number;
  parquet: string;
  duckdb_ms: number;
}


function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** The SQL the reference runs, in order (exported so docs/tests can show it verbatim). */
export function referenceSql(file: string, outDir: string): string[] {
  const src = `read_csv(${sqlString(file)},
    columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '',
    header = false, auto_detect = false, strict_mode = false,
    ignore_errors = true, store_rejects = true)`;
  return [
    // Stage 1: one pass over the file. `ok` is the single whole-line regex; rejected lines fall
    // into a handful of `ok = false` groups (TRY_CAST keeps garbage from raising).
    `CREATE TEMP TABLE stage1 AS
SELECT ok,
       ts_ms // 3600000 AS hour_bucket,
       nullif(f[-3], '-') AS "user",
       f[-8] AS src_ip,
       split_part(split_part(split_part(
         CASE WHEN contains(f[-4], '://') THEN split_part(f[-4], '://', 2) ELSE f[-4] END,
         '/', 1), '?', 1), ':', 1) AS host,
       f[-5] AS method,
       left(right(f[-7], 3), 1) || 'xx' AS status_class,
       count(*) AS requests,
       sum(bytes) AS bytes_in,
       min(ts_ms) AS first_ms,
       max(ts_ms) AS last_ms
FROM (
  SELECT ok, f,
         TRY_CAST(replace(f[1], '.', '') AS BIGINT) AS ts_ms,
         TRY_CAST(f[-6] AS BIGINT) AS bytes
  FROM (
    SELECT regexp_full_match(line, ${sqlString(SQUID_NATIVE_LINE_PATTERN)}) AS ok,
           string_split(line, ' ') AS f
    FROM ${src}
  )
)
GROUP BY ALL`,
    // Stage 2: only the (few) aggregated rows are converted and written.
    `COPY (
  SELECT make_timestamp(hour_bucket * 3600000000) AS hour, "user", src_ip, host, method,
         status_class, requests, CAST(bytes_in AS BIGINT) AS bytes_in,
         epoch_ms(first_ms) AS first_ts, epoch_ms(last_ms) AS last_ts
  FROM stage1 WHERE ok
) TO ${sqlString(join(outDir, 'ref.parquet'))} (FORMAT parquet)`,
    `SELECT
  coalesce(sum(requests) FILTER (WHERE ok), 0) AS good_lines,
  coalesce(sum(requests), 0) AS rows_read,
  count(*) FILTER (WHERE ok) AS groups,
  coalesce(sum(bytes_in) FILTER (WHERE ok), 0) AS bytes_in,
  (SELECT count(*) FROM (SELECT DISTINCT file_id, line FROM reject_errors)) AS csv_rejects
FROM stage1`,
  ];
}

export async function runReference(file: string, outDir: string): Promise<ReferenceResult> {
  const absOut = resolve(outDir);
  const { row, ms } = await runReferenceStatements(absOut, referenceSql(resolve(file), absOut));
  const good = Number(row['good_lines']);
  const rowsRead = Number(row['rows_read']);
  const csvRejects = Number(row['csv_rejects']);
  return {
    good_lines: good,
    rejected: rowsRead - good + csvRejects,
    groups: Number(row['groups']),
    rows_read: rowsRead,
    csv_rejects: csvRejects,
    bytes_in: Number(row['bytes_in']),
    parquet: join(absOut, 'ref.parquet'),
    duckdb_ms: ms,
  };
}

async function main(): Promise<void> {
  const [file, outDir] = process.argv.slice(2);
  if (!file || !outDir) {
    process.stderr.write('usage: reference-squid.ts FILE OUTDIR\n');
    process.exit(2);
  }
  const res = await runReference(file, outDir);
  process.stdout.write(JSON.stringify(res) + '\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  await main();
}
