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
import { locateLines, OVERLONG_MARKER, readLineAt } from './filesource.js';

/** Raw columns of the egress_hourly stream. */
export const egressHourlyColumns = {
  hour: 'TIMESTAMP', first_ts: 'TIMESTAMP', last_ts: 'TIMESTAMP', user: 'VARCHAR', user_inferred: 'BOOLEAN',
  src_ip: 'VARCHAR', host: 'VARCHAR', domain: 'VARCHAR', method: 'VARCHAR', status_class: 'VARCHAR',
  requests: 'BIGINT', bytes_out: 'BIGINT', bytes_in: 'BIGINT', source: 'VARCHAR',
} as const;

/** Columns of the per-line relation a format may never fill (always NULL for it). */
export type EgressOptionalColumn = 'user' | 'method' | 'status' | 'bytes_in' | 'bytes_out';

/**
 * Records DuckDB's own CSV reader splits into columns c1…cN (no quoting): much cheaper than
 * splitting a text column per line for wide tab-separated logs (Zeek). A record with another
 * number of fields is a reader reject; so is a header or comment line, unless `headerSql` says
 * it is one. The reader runs strict (so a record with too many fields is a reject, not silently
 * cut); a file it cannot read that way (e.g. a stray carriage return) is read again line by line
 * with the format's `parseSql`.
 */
export interface DelimitedReader {
  /** One ASCII character. */
  delimiter: string;
  /** Fields per record. */
  columns: number;
  /**
   * SELECT over `lines(c1 … cN VARCHAR, line VARCHAR)` returning the same columns as `parseSql`
   * (`line`, the fields joined again, is for reject examples only: never use it per line).
   */
  parseSql: string;
  /** SQL over `csv_line` (a line the reader refused): true for header or comment lines, which are not rejects. */
  headerSql: string;
}

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
  /** Columns the format never carries: left out of the per-line aggregation and written as NULL. */
  absent?: readonly EgressOptionalColumn[];
  /** When set, files are read as delimited records (see DelimitedReader); `parseSql` is the fallback. */
  delimited?: DelimitedReader;
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
  if (input.format.delimited) {
    try {
      return await ingestWith(engine, input, input.format.delimited);
    } catch (e) {
      // The strict reader refuses some damaged files outright (a stray CR, …): read them line by line.
      if (!/invalid state|strict_mode/i.test(String(e))) throw e;
      if (logEnabled('debug')) log().debug({ file: input.displayPath, error: String(e).slice(0, 200) }, 'egress ingest: delimited reader refused the file, reading it line by line');
    }
  }
  return ingestWith(engine, input, undefined);
}

/** SQL for the reader and the `lines` relation the format's parse SQL runs over. */
function readerSql(input: EgressChunkInput, delimited: DelimitedReader | undefined, rejects: { table: string; scan: string }): { lines: string; parseSql: string } {
  const common = `quote = '', escape = '', header = false, auto_detect = false, compression = 'none', store_rejects = true,
      rejects_table = '${rejects.table}', rejects_scan = '${rejects.scan}', max_line_size = ${MAX_LINE_BYTES}, buffer_size = ${4 * MAX_LINE_BYTES}`;
  if (!delimited) {
    return {
      lines: `select line from read_csv(${sqlString(input.readPath)}, columns = {'line': 'VARCHAR'}, delim = chr(1), strict_mode = false, ${common})`,
      parseSql: input.format.parseSql,
    };
  }
  const cols = Array.from({ length: delimited.columns }, (_, i) => `c${i + 1}`);
  const joined = cols.map((c) => `coalesce(${c}, '')`).join(` || ${sqlString(delimited.delimiter)} || `);
  return {
    lines: `select *, ${joined} as line from read_csv(${sqlString(input.readPath)}, columns = {${cols.map((c) => `'${c}': 'VARCHAR'`).join(', ')}},
      delim = ${sqlString(delimited.delimiter)}, strict_mode = true, ${common})`,
    parseSql: delimited.parseSql,
  };
}

async function ingestWith(engine: Duck, input: EgressChunkInput, delimited: DelimitedReader | undefined): Promise<EgressChunkResult> {
  const id = `${process.pid}_${++seq}`;
  const rejects = { table: `csv_rejects_${id}`, scan: `csv_scans_${id}` };
  const agg = `egress_agg_${id}`;
  const hostsRaw = `egress_hosts_${id}`;
  const hostmap = `egress_hostmap_${id}`;
  const usermap = `egress_usermap_${id}`;
  const usersRaw = `egress_users_${id}`;
  const types = { host: `egress_host_${id}`, domain: `egress_domain_${id}`, user: `egress_user_${id}` };
  const { lines, parseSql } = readerSql(input, delimited, rejects);
  const absent = new Set(input.format.absent ?? []);
  const has = (c: EgressOptionalColumn) => !absent.has(c);
  const t0 = performance.now();
  const phase = (name: string) => {
    if (logEnabled('debug')) log().debug({ phase: name, ms: Math.round(performance.now() - t0), at: Math.round(performance.now()) }, 'egress ingest');
  };
  try {
    // Stage 1, one pass over the file: group on raw values (integer hour, raw authority). Lines
    // that do not parse share the ok = false groups; blank lines have ok = NULL. The group state
    // is kept narrow, since millions of groups spill under the memory limit: the hour as INTEGER,
    // the status class as one byte, byte sums as DOUBLE (exact for integers below 2^53, i.e.
    // 8 PiB per hourly group; DuckDB's BIGINT sum keeps a 128-bit state). A time stamp too far
    // out for an hour number is a reject. Columns the format never carries are left out.
    await engine.run('set preserve_insertion_order = false');
    const checked = `select * replace (case when ok then hb is not null else ok end as ok)
        from (select *, try_cast(floor(ts_s / 3600) as integer) as hb from (with lines as (${lines}) ${parseSql}))`;
    const keys = ['ok', 'hb', has('user') && '"user"', 'src_ip', 'auth', has('method') && 'method', has('status') && 'try_cast(left(status, 1) as utinyint) as sc'];
    const sums = ['count(*) as requests', has('bytes_in') && 'sum(bytes_in::double) as bytes_in', has('bytes_out') && 'sum(bytes_out::double) as bytes_out', 'min(ts_s) as first_s', 'max(ts_s) as last_s'];
    const aggregate = engine.run(`
      create temp table ${agg} as
      select ${[...keys, ...sums].filter(Boolean).join(', ')}
        from (${checked})
       group by all`);
    setImmediate(() => crashPoint('mid-parse'));
    await aggregate;
    phase('aggregated');
    // Lines per outcome, and the UTC days (hour numbers // 24) the good lines fall on, in one scan.
    const counts = await engine.all<{ ok: boolean | null; n: number; days: number[] | null }>(
      `select ok, sum(requests)::bigint as n, case when ok then array_sort(list(distinct cast(floor(hb / 24) as integer))) end as days from ${agg} group by ok`,
    );
    const { count: readerRejects, headers, examples } = await readerRejectExamples(engine, input, rejects.table, delimited);
    const good = counts.find((c) => c.ok === true)?.n ?? 0;
    const bad = (counts.find((c) => c.ok === false)?.n ?? 0) + readerRejects;
    const blank = (counts.find((c) => c.ok === null)?.n ?? 0) + headers;

    if (bad > readerRejects && examples.length < input.maxExamples) {
      // With insertion order on: the first rejected lines of the file, found again by memmem.
      await engine.run('set preserve_insertion_order = true');
      const found = (
        await engine.all<{ line: string | null }>(
          `select line from (${checked}) where ok = false limit ${input.maxExamples - examples.length}`,
        )
      ).map((r) => r.line ?? '');
      await engine.run('set preserve_insertion_order = false');
      const numbers = locateLines(input.readPath, found, input.lineBase + 1);
      found.forEach((line, i) => {
        const n = numbers[i];
        const reason = line.startsWith(OVERLONG_MARKER) ? `line too long (${line.slice(OVERLONG_MARKER.length)} bytes)` : input.format.rejectReason(line);
        examples.push(`${input.displayPath}:${n ?? '?'}: ${reason} — ${safeExample(line, 120)}`);
      });
    }
    phase('examples');

    // Hosts and registrable domains: computed in JS once per distinct authority, joined back as
    // ENUMs (the Parquet writer then takes each dictionary as it is instead of hashing millions
    // of strings); users the same way, lower-cased once per distinct spelling.
    // The distinct authorities and users go to JS and back as JSON arrays (Duck.strings,
    // tempTableFromStrings): row-by-row conversion would cost more than the lookups. While DuckDB
    // lists the users, JS computes the hosts and domains.
    const auths = (await engine.strings(`select distinct auth from ${agg} where ok and auth is not null and auth <> ''`)) as string[];
    const distinctUsers = has('user') ? engine.strings(`select distinct coalesce("user", '') from ${agg} where ok`) : Promise.resolve([]);
    const hosts = auths.map(hostOfAuthority);
    const domains = hosts.map((h) => (h === null ? null : registrableDomain(h)));
    // A missing user is '' here, so NULL and '' are one raw value (one usermap row each raw value).
    const users = (await distinctUsers) as string[];
    const normUsers = users.map((u) => normalUser(u) || null);
    phase('hosts and users');
    await engine.tempTableFromStrings(hostsRaw, { auth: auths, host: hosts, domain: domains });
    await engine.tempTableFromStrings(usersRaw, { raw: users, norm: normUsers });
    const hostType = await enumOf(engine, types.host, `select distinct host from ${hostsRaw} where host is not null`, hosts.some((h) => h !== null));
    const domainType = await enumOf(engine, types.domain, `select distinct domain from ${hostsRaw} where domain is not null`, domains.some((d) => d !== null));
    const userType = await enumOf(engine, types.user, `select distinct norm from ${usersRaw} where norm is not null`, normUsers.some((u) => u !== null));
    await engine.run(`create temp table ${hostmap} as select auth, host::${hostType} as host, domain::${domainType} as domain from ${hostsRaw}`);
    await engine.run(`create temp table ${usermap} as select raw, norm::${userType} as norm from ${usersRaw}`);
    phase('maps');
    // When no two raw values normalise to the same key (the usual case), stage 1's groups are
    // already final and stage 2 is a plain projection; otherwise they are merged.
    const merge = new Set(hosts.map((h) => h ?? '')).size < hosts.length || !injective(users, normalUser);
    // Stage 2, on the groups only (streamed into the Parquet writer): final keys with the host
    // instead of the raw authority, UTC timestamps.
    const col = (c: EgressOptionalColumn, expr: string, type: string) => (has(c) ? expr : `cast(null as ${type})`);
    const user = has('user') ? 'u.norm' : 'cast(null as varchar)';
    const userJoin = has('user') ? `left join ${usermap} u on u.raw = coalesce(a."user", '')` : '';
    const method = col('method', 'a.method', 'varchar');
    const statusClass = col('status', `a.sc::varchar || 'xx'`, 'varchar');
    const hour = 'make_timestamp(a.hb::bigint * 3600000000)';
    // Constant strings as single-value ENUMs: Parquet gets the same plain UTF-8 column, but the
    // writer takes the one-entry dictionary as it is instead of hashing the value on every row.
    const constant = (v: string) => `${sqlString(v)}::enum(${sqlString(v)})`;
    const stamps = `${constant(input.format.name)} as source, ${constant(input.instance)} as _instance, ${constant(input.syncId)} as _sync_id,
               ${sqlString(input.ingestedAt.toISOString())}::timestamp as _ingested_at`;
    const from = `from ${agg} a left join ${hostmap} h on h.auth = a.auth ${userJoin}`;
    const select = (where: string) =>
      merge
        ? `select ${hour} as hour, make_timestamp(cast(min(a.first_s) * 1000000 as bigint)) as first_ts,
               make_timestamp(cast(max(a.last_s) * 1000000 as bigint)) as last_ts, ${user} as "user", false as user_inferred,
               a.src_ip, h.host, h.domain, ${method} as method, ${statusClass} as status_class, sum(a.requests)::bigint as requests,
               ${col('bytes_out', 'sum(a.bytes_out)::bigint', 'bigint')} as bytes_out, ${col('bytes_in', 'sum(a.bytes_in)::bigint', 'bigint')} as bytes_in, ${stamps}
          ${from}
         where a.ok and ${where}
         group by a.hb, ${user}, a.src_ip, h.host, h.domain, ${method}, ${statusClass}`
        : `select ${hour} as hour, make_timestamp(cast(a.first_s * 1000000 as bigint)) as first_ts,
               make_timestamp(cast(a.last_s * 1000000 as bigint)) as last_ts, ${user} as "user", false as user_inferred,
               a.src_ip, h.host, h.domain, ${method} as method, ${statusClass} as status_class, a.requests::bigint as requests,
               ${col('bytes_out', 'a.bytes_out::bigint', 'bigint')} as bytes_out, ${col('bytes_in', 'a.bytes_in::bigint', 'bigint')} as bytes_in, ${stamps}
          ${from}
         where a.ok and ${where}`;
    // One file per UTC day (day=YYYY-MM-DD, the lake's partition), written by a filtered COPY
    // each: cheaper than a partitioned COPY, and a log covers few days.
    const days = (counts.find((c) => c.ok === true)?.days ?? []).map(Number);
    let rows = 0;
    for (const [i, d] of days.entries()) {
      const day = new Date(d * 86_400_000).toISOString().slice(0, 10);
      const dir = join(input.stagingDir, `day=${day}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const where = days.length === 1 ? 'true' : `a.hb >= ${d * 24} and a.hb < ${(d + 1) * 24}`;
      const copy = engine.all<{ Count: number }>(
        `copy (${select(where)}) to ${sqlString(join(dir, `${input.filePrefix}-${i}.parquet`))} (format parquet, compression ${PARQUET_COMPRESSION})`,
      );
      setImmediate(() => crashPoint('mid-parquet-write'));
      rows += Number((await copy)[0]?.Count ?? 0);
    }
    phase('parquet');
    return { lines: good + bad + blank, good, rejects: bad, rejectExamples: examples, rows };
  } finally {
    for (const t of [agg, hostmap, hostsRaw, usermap, usersRaw, rejects.table, rejects.scan]) await engine.run(`drop table if exists ${t}`);
    for (const t of Object.values(types)) await engine.run(`drop type if exists ${t}`);
    await engine.run('set preserve_insertion_order = true');
  }
}

/**
 * An ENUM type of the distinct values `valuesSql` returns, or VARCHAR when there are none (an
 * ENUM needs at least one value; `any` says whether there is one). Dropped by the caller.
 */
async function enumOf(engine: Duck, name: string, valuesSql: string, any: boolean): Promise<string> {
  if (!any) return 'varchar';
  await engine.run(`create type ${name} as enum (${valuesSql})`);
  return name;
}

/** Characters of a refused line DuckDB keeps in its rejects table. */
const READER_LINE_CUT = 10_000;

/**
 * Lines the CSV reader itself refused (invalid UTF-8; for a delimited reader also a wrong number
 * of fields), counted once per line, with the first few as examples. For a delimited reader,
 * header lines (headerSql) are not rejects: they are counted apart.
 */
async function readerRejectExamples(
  engine: Duck,
  input: EgressChunkInput,
  table: string,
  delimited: DelimitedReader | undefined,
): Promise<{ count: number; headers: number; examples: string[] }> {
  const header = delimited ? `(${delimited.headerSql})` : 'false';
  const byLine = `select line, bool_or(error_type = 'INVALID ENCODING') as encoding, any_value(error_type) as error_type, any_value(csv_line) as csv_line,
      min(line_byte_position) as line_start, bool_and(coalesce(${header}, false)) as header from ${table} group by line`;
  const totals = await engine.one<{ rejects: number; headers: number }>(
    `select (count(*) filter (where not header))::bigint as rejects, (count(*) filter (where header))::bigint as headers from (${byLine})`,
  );
  const rows = await engine.all<{ line: number; encoding: boolean; error_type: string; csv_line: string | null; line_start: number }>(
    `select line, encoding, error_type, csv_line, line_start from (${byLine}) where not header order by line limit ${input.maxExamples}`,
  );
  const examples = rows.map((r) => {
    let text = r.csv_line ?? '';
    // The reader stores at most 10,000 characters of a line: explain the whole line.
    if (delimited && !r.encoding && text.length >= READER_LINE_CUT) text = readLineAt(input.readPath, Number(r.line_start) - 1, MAX_LINE_BYTES);
    const reason = r.encoding ? 'binary data (not UTF-8 text)' : delimited ? input.format.rejectReason(text) : r.error_type.toLowerCase();
    return `${input.displayPath}:${input.lineBase + Number(r.line)}: ${reason} — ${safeExample(text, 120)}`;
  });
  return { count: Number(totals?.rejects ?? 0), headers: Number(totals?.headers ?? 0), examples };
}
