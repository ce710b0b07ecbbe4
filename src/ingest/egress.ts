// One pipeline for every egress log format (Squid now; Zeek, PAN-OS, Zscaler, DNS later): DuckDB
// reads each line as one text column, the format's SQL validates and splits it, and lines are
// aggregated per hour into the raw `egress_hourly` stream (DESIGN.md norm.egress). URLs are
// never stored — only hosts — so tokens in query strings cannot reach the lake; reject examples
// are redacted before they are recorded.
import { crashPoint } from '../crash.js';
import { sqlString, type Duck } from '../db/duck.js';
import { safeExample } from '../redact.js';
import { registrableDomain } from './domains.js';
import { locateLines, OVERLONG_MARKER } from './filesource.js';

/** Raw columns of the egress_hourly stream. */
export const egressHourlyColumns = {
  hour: 'TIMESTAMP', first_ts: 'TIMESTAMP', last_ts: 'TIMESTAMP', user: 'VARCHAR', user_inferred: 'BOOLEAN',
  src_ip: 'VARCHAR', host: 'VARCHAR', domain: 'VARCHAR', method: 'VARCHAR', status_class: 'VARCHAR',
  requests: 'BIGINT', bytes_out: 'BIGINT', bytes_in: 'BIGINT', source: 'VARCHAR',
} as const;

export interface EgressLineFormat {
  name: string;
  /**
   * A SELECT over a relation `lines(line VARCHAR)` returning: line, ok (BOOLEAN; NULL for blank
   * lines), ts (TIMESTAMP, UTC), user, src_ip, host, method, status (VARCHAR), bytes_in,
   * bytes_out (BIGINT). Fields may be anything when ok is false; they are ignored then.
   */
  parseSql: string;
  /** Explains why a rejected line did not parse (called for at most a few examples). */
  rejectReason(line: string): string;
}

/** SQL for the host of a request: CONNECT host:port, absolute URLs; relative URLs give NULL. */
export function hostFromUrlSql(method: string, url: string): string {
  const auth = `(case when ${method} = 'CONNECT' then split_part(${url}, '/', 1)
      when strpos(${url}, '://') > 0 then split_part(split_part(split_part(split_part(${url}, '://', 2), '/', 1), '?', 1), '#', 1)
      else '' end)`;
  const hostport = `(case when strpos(${auth}, '@') > 0 then regexp_extract(${auth}, '[^@]*$') else ${auth} end)`;
  return `nullif(lower(case when starts_with(${hostport}, '[') then split_part(substr(${hostport}, 2), ']', 1) else split_part(${hostport}, ':', 1) end), '')`;
}

export interface EgressChunkResult {
  /** Lines in the range (blank lines included). */
  lines: number;
  good: number;
  rejects: number;
  /** "file:line: reason — text" (redacted, control characters removed). */
  rejectExamples: string[];
  /** Hourly rows written to the staged Parquet. */
  rows: number;
}

export interface EgressChunkInput {
  readPath: string;
  /** Shown in reject examples. */
  displayPath: string;
  /** Line number of the first line of readPath in the original file, minus one. */
  lineBase: number;
  format: EgressLineFormat;
  stagingDir: string;
  filePrefix: string;
  instance: string;
  syncId: string;
  ingestedAt: Date;
  maxExamples: number;
}

let seq = 0;

/** Longest line DuckDB's reader accepts; files with longer lines are sanitized first (see fileimport). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export async function ingestEgressChunk(engine: Duck, input: EgressChunkInput): Promise<EgressChunkResult> {
  const id = `${process.pid}_${++seq}`;
  const rejectsTable = `csv_rejects_${id}`;
  const rejectsScan = `csv_scans_${id}`;
  const agg = `egress_agg_${id}`;
  const hostdom = `egress_hostdom_${id}`;
  const read = `read_csv(${sqlString(input.readPath)}, columns = {'line': 'VARCHAR'}, delim = '\\x01', quote = '', escape = '',
      header = false, auto_detect = false, strict_mode = false, store_rejects = true, rejects_table = '${rejectsTable}',
      rejects_scan = '${rejectsScan}', max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${4 * MAX_LINE_BYTES})`;
  try {
    const aggregate = engine.run(`
      create temp table ${agg} as
      with lines as (select line from ${read}),
      parsed as (${input.format.parseSql})
      select ok, date_trunc('hour', ts) as hour, min(ts) as first_ts, max(ts) as last_ts, lower("user") as "user", src_ip, host,
             method, substr(status, 1, 1) || 'xx' as status_class, count(*) as requests, sum(bytes_in) as bytes_in, sum(bytes_out) as bytes_out
        from (select ok, case when ok then ts end as ts, case when ok then "user" end as "user", case when ok then src_ip end as src_ip,
                     case when ok then host end as host, case when ok then method end as method, case when ok then status end as status,
                     case when ok then bytes_in end as bytes_in, case when ok then bytes_out end as bytes_out
                from parsed)
       group by all`);
    setImmediate(() => crashPoint('mid-parse'));
    await aggregate;
    const counts = await engine.all<{ ok: boolean | null; n: number; groups: number }>(
      `select ok, sum(requests)::bigint as n, count(*) as groups from ${agg} group by ok`,
    );
    const csvRejects = await engine.all<{ line: number; error_type: string; csv_line: string | null }>(
      `select line, error_type, csv_line from ${rejectsTable} order by line limit ${input.maxExamples}`,
    );
    const csvRejectCount = (await engine.one<{ n: number }>(`select count(*) as n from ${rejectsTable}`))?.n ?? 0;
    const good = counts.find((c) => c.ok === true)?.n ?? 0;
    const bad = (counts.find((c) => c.ok === false)?.n ?? 0) + csvRejectCount;
    const blank = counts.find((c) => c.ok === null)?.n ?? 0;
    const rows = counts.find((c) => c.ok === true)?.groups ?? 0;

    const examples: string[] = csvRejects.map(
      (r) => `${input.displayPath}:${input.lineBase + Number(r.line)}: ${r.error_type === 'INVALID ENCODING' ? 'binary data (not UTF-8 text)' : r.error_type.toLowerCase()} — ${safeExample(r.csv_line ?? '', 120)}`,
    );
    if (bad > csvRejectCount && examples.length < input.maxExamples) {
      const lines = (
        await engine.all<{ line: string }>(
          `with lines as (select line from ${read}), parsed as (${input.format.parseSql})
           select line from parsed where ok = false limit ${input.maxExamples - examples.length}`,
        )
      ).map((r) => r.line);
      const numbers = locateLines(input.readPath, lines, input.lineBase + 1);
      lines.forEach((line, i) => {
        const n = numbers[i];
        const reason = line.startsWith(OVERLONG_MARKER) ? `line too long (${line.slice(OVERLONG_MARKER.length)} bytes)` : input.format.rejectReason(line);
        examples.push(`${input.displayPath}:${n ?? '?'}: ${reason} — ${safeExample(line, 120)}`);
      });
    }

    // Registrable domains: computed in JS once per distinct host, joined back in SQL.
    const hosts = await engine.all<{ host: string }>(`select distinct host from ${agg} where ok and host is not null`);
    await engine.run(`create temp table ${hostdom} (host varchar, domain varchar)`);
    await engine.appendRows(hostdom, hosts.map((h) => [h.host, registrableDomain(h.host)]));

    if (rows > 0) {
      const write = engine.run(`
        copy (
          select a.hour, a.first_ts, a.last_ts, a."user", false as user_inferred, a.src_ip, a.host, d.domain, a.method, a.status_class,
                 a.requests, a.bytes_out, a.bytes_in, ${sqlString(input.format.name)} as source,
                 ${sqlString(input.instance)} as _instance, ${sqlString(input.syncId)} as _sync_id,
                 ${sqlString(input.ingestedAt.toISOString())}::timestamp as _ingested_at, strftime(a.hour, '%Y-%m-%d') as "day"
            from ${agg} a left join ${hostdom} d on a.host = d.host
           where a.ok
        ) to ${sqlString(input.stagingDir)} (format parquet, compression zstd, partition_by ("day"),
             filename_pattern ${sqlString(`${input.filePrefix}-{i}`)}, overwrite_or_ignore true)`);
      setImmediate(() => crashPoint('mid-parquet-write'));
      await write;
    }
    return { lines: good + bad + blank, good, rejects: bad, rejectExamples: examples, rows };
  } finally {
    for (const t of [agg, hostdom, rejectsTable, rejectsScan]) await engine.run(`drop table if exists ${t}`);
  }
}
