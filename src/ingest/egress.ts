// One pipeline for every egress log format (Squid now; Zeek, PAN-OS, Zscaler, DNS later): DuckDB
// reads each line as one text column, the format's SQL validates and splits it, and lines are
// aggregated per hour into the raw `egress_hourly` stream (DESIGN.md norm.egress). URLs are
// never stored — only hosts — so tokens in query strings cannot reach the lake; reject examples
// are redacted before they are recorded.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { crashPoint } from '../crash.js';
import { log, logEnabled } from '../log.js';
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
   * A SELECT over a relation `lines(line VARCHAR)` returning, per line: line, ok (BOOLEAN; NULL
   * for blank lines), ts_s (DOUBLE, epoch seconds UTC), user (raw; '-' or '' mean none),
   * src_ip, auth (the URL authority or host as logged: may carry userinfo, port, brackets or
   * upper case — normalised once per distinct value afterwards), method, status (VARCHAR whose
   * first character is the status class digit), bytes_in, bytes_out (BIGINT).
   * Per-line work is the hot path: keep it to splits and casts; values of lines where ok is
   * false are ignored, so they need not be guarded.
   */
  parseSql: string;
  /** Explains why a rejected line did not parse (called for at most a few examples). */
  rejectReason(line: string): string;
}

/**
 * SQL for the authority of a request URL as logged (CONNECT host:port, absolute URLs; else '').
 * Cheap per-line work; wrap the column in portless() in an OUTER select so it is computed once.
 */
export function authorityFromUrlSql(method: string, url: string): string {
  return `(case when ${method} = 'CONNECT' then split_part(${url}, '/', 1)
      when contains(${url}, '://') then split_part(split_part(split_part(${url}, '://', 2), '/', 1), '?', 1)
      else '' end)`;
}

/**
 * SQL dropping the port of an authority column. Userinfo (user:pass@host) and IPv6 brackets
 * are rare and left whole for hostOfAuthority, which normalises each distinct value.
 */
export function portless(auth: string): string {
  return `(case when contains(${auth}, '@') or starts_with(${auth}, '[') then ${auth} else split_part(${auth}, ':', 1) end)`;
}

/** Host of a logged authority: no userinfo, port, brackets or fragment; lower case; '' → null. */
export function hostOfAuthority(auth: string): string | null {
  let a = auth.split('#')[0]!;
  const at = a.lastIndexOf('@');
  if (at >= 0) a = a.slice(at + 1);
  if (a.startsWith('[')) a = a.slice(1, a.indexOf(']') > 0 ? a.indexOf(']') : undefined);
  else if (a.indexOf(':') !== a.lastIndexOf(':')) {
    // a bare IPv6 address: keep it whole
  } else a = a.split(':')[0]!;
  a = a.toLowerCase().replace(/\.$/, '');
  return a === '' ? null : a;
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

/** User as stored: lower case; '-' and '' mean no user. */
function normalUser(u: string): string {
  const l = u.toLowerCase();
  return l === '-' ? '' : l;
}

/** True when f maps no two distinct values to the same result. */
function injective(values: string[], f: (v: string) => string): boolean {
  const seen = new Set<string>();
  for (const v of values) {
    const k = f(v);
    if (seen.has(k)) return false;
    seen.add(k);
  }
  return true;
}

/** Longest line DuckDB's reader accepts; files with longer lines are sanitized first (see fileimport). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;
const PARQUET_COMPRESSION = process.env.SHADOWSCAN_PARQUET_COMPRESSION === 'zstd' ? 'zstd' : 'snappy';

export async function ingestEgressChunk(engine: Duck, input: EgressChunkInput): Promise<EgressChunkResult> {
  const id = `${process.pid}_${++seq}`;
  const rejectsTable = `csv_rejects_${id}`;
  const rejectsScan = `csv_scans_${id}`;
  const agg = `egress_agg_${id}`;
  const hostmap = `egress_hostmap_${id}`;
  const read = `read_csv(${sqlString(input.readPath)}, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '',
      header = false, auto_detect = false, strict_mode = false, store_rejects = true, rejects_table = '${rejectsTable}',
      rejects_scan = '${rejectsScan}', max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${4 * MAX_LINE_BYTES})`;
  const t0 = performance.now();
  const phase = (name: string) => {
    if (logEnabled('debug')) log().debug({ phase: name, ms: Math.round(performance.now() - t0) }, 'egress ingest');
  };
  try {
    // Stage 1, one pass over the file: group on raw values (integer hour, raw authority). Lines
    // that do not parse share the ok = false groups; blank lines have ok = NULL. Sums are stored
    // as BIGINT, not DuckDB's HUGEINT: the table holds millions of groups on large files.
    await engine.run('set preserve_insertion_order = false');
    const aggregate = engine.run(`
      create temp table ${agg} as
      select ok, cast(floor(ts_s / 3600) as bigint) as hb, "user", src_ip, auth, method, left(status, 1) as sc,
             count(*) as requests, sum(bytes_in)::bigint as bytes_in, sum(bytes_out)::bigint as bytes_out, min(ts_s) as first_s, max(ts_s) as last_s
        from (with lines as (select line from ${read}) ${input.format.parseSql})
       group by all`);
    setImmediate(() => crashPoint('mid-parse'));
    await aggregate;
    phase('aggregated');
    const counts = await engine.all<{ ok: boolean | null; n: number }>(`select ok, sum(requests)::bigint as n from ${agg} group by ok`);
    const csvRejects = await engine.all<{ line: number; error_type: string; csv_line: string | null }>(
      `select line, error_type, csv_line from ${rejectsTable} order by line limit ${input.maxExamples}`,
    );
    const csvRejectCount = (await engine.one<{ n: number }>(`select count(*) as n from ${rejectsTable}`))?.n ?? 0;
    const good = counts.find((c) => c.ok === true)?.n ?? 0;
    const bad = (counts.find((c) => c.ok === false)?.n ?? 0) + csvRejectCount;
    const blank = counts.find((c) => c.ok === null)?.n ?? 0;

    const examples: string[] = csvRejects.map(
      (r) => `${input.displayPath}:${input.lineBase + Number(r.line)}: ${r.error_type === 'INVALID ENCODING' ? 'binary data (not UTF-8 text)' : r.error_type.toLowerCase()} — ${safeExample(r.csv_line ?? '', 120)}`,
    );
    if (bad > csvRejectCount && examples.length < input.maxExamples) {
      // With insertion order on: the first rejected lines of the file, found again by memmem.
      await engine.run('set preserve_insertion_order = true');
      const lines = (
        await engine.all<{ line: string }>(
          `with lines as (select line from ${read}), parsed as (${input.format.parseSql})
           select line from parsed where ok = false limit ${input.maxExamples - examples.length}`,
        )
      ).map((r) => r.line);
      await engine.run('set preserve_insertion_order = false');
      const numbers = locateLines(input.readPath, lines, input.lineBase + 1);
      lines.forEach((line, i) => {
        const n = numbers[i];
        const reason = line.startsWith(OVERLONG_MARKER) ? `line too long (${line.slice(OVERLONG_MARKER.length)} bytes)` : input.format.rejectReason(line);
        examples.push(`${input.displayPath}:${n ?? '?'}: ${reason} — ${safeExample(line, 120)}`);
      });
    }

    phase('examples');
    // Hosts and registrable domains: computed in JS once per distinct authority, joined back.
    const auths = await engine.all<{ auth: string }>(`select distinct auth from ${agg} where ok and auth is not null and auth <> ''`);
    const hostRows = auths.map(({ auth }) => {
      const host = hostOfAuthority(auth);
      return [auth, host, host === null ? null : registrableDomain(host)] as [string, string | null, string | null];
    });
    await engine.run(`create temp table ${hostmap} (auth varchar, host varchar, domain varchar)`);
    await engine.appendRows(hostmap, hostRows);
    // When no two raw values normalise to the same key (the usual case), stage 1's groups are
    // already final and stage 2 is a plain projection; otherwise they are merged.
    const users = await engine.all<{ user: string | null }>(`select distinct "user" from ${agg} where ok`);
    const merge = !injective(hostRows.map((r) => r[0]), (a) => hostOfAuthority(a) ?? '') || !injective(users.map((u) => u.user ?? ''), normalUser);
    // Stage 2, on the groups only (streamed into the Parquet writer): final keys with the host
    // instead of the raw authority, UTC timestamps.
    const user = `nullif(nullif(lower(a."user"), '-'), '')`;
    const hour = 'make_timestamp(a.hb * 3600000000)';
    // Constant strings as single-value ENUMs: Parquet gets the same plain UTF-8 column, but the
    // writer takes the one-entry dictionary as it is instead of hashing the value on every row.
    const constant = (v: string) => `${sqlString(v)}::enum(${sqlString(v)})`;
    const stamps = `${constant(input.format.name)} as source, ${constant(input.instance)} as _instance, ${constant(input.syncId)} as _sync_id,
               ${sqlString(input.ingestedAt.toISOString())}::timestamp as _ingested_at`;
    const select = (where: string) =>
      merge
        ? `select ${hour} as hour, make_timestamp(cast(min(a.first_s) * 1000000 as bigint)) as first_ts,
               make_timestamp(cast(max(a.last_s) * 1000000 as bigint)) as last_ts, ${user} as "user", false as user_inferred,
               a.src_ip, h.host, h.domain, a.method, a.sc || 'xx' as status_class, sum(a.requests)::bigint as requests,
               sum(a.bytes_out)::bigint as bytes_out, sum(a.bytes_in)::bigint as bytes_in, ${stamps}
          from ${agg} a left join ${hostmap} h on h.auth = a.auth
         where a.ok and ${where}
         group by a.hb, ${user}, a.src_ip, h.host, h.domain, a.method, a.sc`
        : `select ${hour} as hour, make_timestamp(cast(a.first_s * 1000000 as bigint)) as first_ts,
               make_timestamp(cast(a.last_s * 1000000 as bigint)) as last_ts, ${user} as "user", false as user_inferred,
               a.src_ip, h.host, h.domain, a.method, a.sc || 'xx' as status_class, a.requests::bigint as requests,
               a.bytes_out::bigint as bytes_out, a.bytes_in::bigint as bytes_in, ${stamps}
          from ${agg} a left join ${hostmap} h on h.auth = a.auth
         where a.ok and ${where}`;
    // One file per UTC day (day=YYYY-MM-DD, the lake's partition), written by a filtered COPY
    // each: cheaper than a partitioned COPY, and a log covers few days.
    const days = await engine.all<{ d: number }>(`select distinct cast(floor(hb / 24) as bigint) as d from ${agg} where ok order by d`);
    const write = (async () => {
      let count = 0;
      for (const [i, { d }] of days.entries()) {
        const day = new Date(d * 86_400_000).toISOString().slice(0, 10);
        const dir = join(input.stagingDir, `day=${day}`);
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const copy = engine.all<{ Count: number }>(
          `copy (${select(`a.hb >= ${d * 24} and a.hb < ${(d + 1) * 24}`)}) to ${sqlString(join(dir, `${input.filePrefix}-${i}.parquet`))} (format parquet, compression ${PARQUET_COMPRESSION})`,
        );
        setImmediate(() => crashPoint('mid-parquet-write'));
        const res = await copy;
        count += Number(res[0]?.Count ?? 0);
      }
      return [{ Count: count }];
    })();
    const rows = Number((await write)[0]?.Count ?? 0);
    phase('parquet');
    return { lines: good + bad + blank, good, rejects: bad, rejectExamples: examples, rows };
  } finally {
    for (const t of [agg, hostmap, rejectsTable, rejectsScan]) await engine.run(`drop table if exists ${t}`);
    await engine.run('set preserve_insertion_order = true');
  }
}
