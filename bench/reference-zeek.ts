// DuckDB-only reference for the Zeek rows of the ingest benchmark: the same Zeek TSV file and the
// same hourly aggregate as shadowscan's import, with DuckDB alone doing the work the fastest way
// it can (shared/notes/ingest-fast-path.md): DuckDB's own parallel CSV reader splits the tab-
// separated columns natively (column names from the file's #fields header, `comment = '#'`
// skips the header, all VARCHAR, rejects stored instead of fatal), a TRY_CAST of ts decides good
// vs rejected, stage 1 groups on cheap keys (integer hour bucket, raw values) into a small temp
// table, stage 2 writes Parquet.
//
// Usage: node bin/run-ts.js bench/reference-zeek.ts FILE OUTDIR
// Prints {good_lines, rejected, groups, bytes_in, …} as JSON on stdout.

import { openSync, readSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runReferenceStatements } from './lib/reference.js';


function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** #path and #fields of a Zeek TSV file (the reference, too, takes positions from the header). */
export function zeekLayout(file: string): { path: string; fields: string[] } {
  const fd = openSync(file, 'r');
  const b = Buffer.alloc(8192);
  const n = readSync(fd, b, 0, b.length, 0);
  closeSync(fd);
  const lines = b.subarray(0, n).toString('utf8').split('\n');
  const fields = lines.find((l) => l.startsWith('#fields\t'))?.split('\t').slice(1) ?? [];
  const path = lines.find((l) => l.startsWith('#path\t'))?.split('\t')[1] ?? '';
  return { path, fields };
}

export function referenceSql(file: string, outDir: string): string[] {
  const { path, fields } = zeekLayout(file);
  const col = (f: string) => `c${fields.indexOf(f)}`;
  const columns = `{${fields.map((_, i) => `'c${i}': 'VARCHAR'`).join(', ')}}`;
  const src = `read_csv(${sqlString(file)}, columns = ${columns}, delim = '\\t', quote = '', escape = '', comment = '#',
    header = false, auto_detect = false, strict_mode = false, ignore_errors = true, store_rejects = true)`;
  const host = path === 'ssl' ? `nullif(${col('server_name')}, '-')` : col('id.resp_h');
  const bytes = path === 'conn'
    ? `sum(TRY_CAST(${col('orig_bytes')} AS BIGINT)) AS bytes_out, sum(TRY_CAST(${col('resp_bytes')} AS BIGINT)) AS bytes_in`
    : 'CAST(NULL AS BIGINT) AS bytes_out, CAST(NULL AS BIGINT) AS bytes_in';
  return [
    `CREATE TEMP TABLE stage1 AS
SELECT ts IS NOT NULL AS ok, CAST(floor(ts / 3600) AS BIGINT) AS hour_bucket, ${col('id.orig_h')} AS src_ip, ${host} AS host,
       count(*) AS requests, ${bytes}, min(ts) AS first_s, max(ts) AS last_s
  FROM (SELECT *, TRY_CAST(${col('ts')} AS DOUBLE) AS ts FROM ${src})
 GROUP BY ALL`,
    `COPY (
  SELECT make_timestamp(hour_bucket * 3600000000) AS hour, src_ip, host, requests, bytes_out, bytes_in,
         make_timestamp(CAST(first_s * 1000000 AS BIGINT)) AS first_ts, make_timestamp(CAST(last_s * 1000000 AS BIGINT)) AS last_ts
    FROM stage1 WHERE ok
) TO ${sqlString(join(outDir, 'ref.parquet'))} (FORMAT parquet)`,
    `SELECT coalesce(sum(requests) FILTER (WHERE ok), 0) AS good_lines, coalesce(sum(requests) FILTER (WHERE NOT ok), 0) AS bad_rows,
       count(*) FILTER (WHERE ok) AS groups, coalesce(sum(bytes_in) FILTER (WHERE ok), 0) AS bytes_in,
       (SELECT count(*) FROM (SELECT DISTINCT file_id, line FROM reject_errors)) AS csv_rejects
  FROM stage1`,
  ];
}

export async function runReference(file: string, outDir: string): Promise<Record<string, number | string>> {
  const absOut = resolve(outDir);
  const { row, ms } = await runReferenceStatements(absOut, referenceSql(resolve(file), absOut));
  return {
    good_lines: Number(row['good_lines']),
    rejected: Number(row['bad_rows']) + Number(row['csv_rejects']),
    groups: Number(row['groups']),
    bytes_in: Number(row['bytes_in']),
    parquet: join(absOut, 'ref.parquet'),
    duckdb_ms: ms,
  };
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  const [file, outDir] = process.argv.slice(2);
  if (!file || !outDir) {
    process.stderr.write('usage: reference-zeek.ts FILE OUTDIR\n');
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify(await runReference(file, outDir))}\n`);
}
