// Zeek conn/dns/ssl/http logs as SQL over one text column. TSV: the separator, unset/empty
// markers, log path and field positions are all read from the file's own header (#separator,
// #unset_field, #empty_field, #path, #fields) — never assumed — so added or reordered columns
// (local scripts, newer Zeek versions) still parse. JSON: one object per line, keys as Zeek
// writes them ("id.orig_h", or nested {"id":{"orig_h":…}}), ts as epoch seconds or ISO 8601.
//
// What lands per log (DESIGN.md norm.egress; a field the log does not carry is NULL):
//   conn  host = id.resp_h (an address: conn has no names), bytes_out/in = orig_bytes/resp_bytes
//   dns   host = query, one request per query; no bytes, no user
//   ssl   host = server_name (SNI; NULL when the client sent none); no bytes, no user
//   http  host = Host header, method, status_code, bytes_out/in = request/response_body_len,
//         user = username (HTTP basic auth) when logged
import type { DelimitedReader, EgressLineFormat, EgressOptionalColumn } from '../../src/ingest/egress.js';
import { SkipFile } from '../../src/ingest/fileimport.js';
import { portless } from '../../src/ingest/egress.js';
import { sqlString } from '../../src/db/duck.js';
import { jsonFieldsFromLinesSql, jsonLineObject } from '../../src/connectors/jsonlines.js';
import { epochOfAnySql, jsonNestedPath, jsonPath, looksBinary, tooLong } from '../../src/ingest/linesql.js';
import type { ZeekFormat } from './config.js';

export const zeekPaths = ['conn', 'dns', 'ssl', 'http'] as const;
export type ZeekPath = (typeof zeekPaths)[number];

/** Fields each log needs (else the file is refused) and may use (else NULL). */
const REQUIRED: Record<ZeekPath, string[]> = {
  conn: ['ts', 'id.orig_h', 'id.resp_h'],
  dns: ['ts', 'id.orig_h', 'query'],
  ssl: ['ts', 'id.orig_h', 'server_name'],
  http: ['ts', 'id.orig_h', 'host'],
};

interface Columns {
  user: string | null;
  auth: string;
  method: string | null;
  status: string | null;
  bytesIn: string | null;
  bytesOut: string | null;
}

/** Which raw field feeds each egress column, per log path. */
const MAPPING: Record<ZeekPath, Columns> = {
  conn: { user: null, auth: 'id.resp_h', method: null, status: null, bytesIn: 'resp_bytes', bytesOut: 'orig_bytes' },
  dns: { user: null, auth: 'query', method: null, status: null, bytesIn: null, bytesOut: null },
  ssl: { user: null, auth: 'server_name', method: null, status: null, bytesIn: null, bytesOut: null },
  http: { user: 'username', auth: 'host', method: 'method', status: 'status_code', bytesIn: 'response_body_len', bytesOut: 'request_body_len' },
};

/** Egress columns each log never carries (left out of the aggregation, NULL in the lake). */
const ABSENT: Record<ZeekPath, EgressOptionalColumn[]> = Object.fromEntries(
  zeekPaths.map((p) => {
    const m = MAPPING[p];
    const pairs: [EgressOptionalColumn, string | null][] = [['user', m.user], ['method', m.method], ['status', m.status], ['bytes_in', m.bytesIn], ['bytes_out', m.bytesOut]];
    return [p, pairs.filter(([, f]) => f === null).map(([c]) => c)];
  }),
) as Record<ZeekPath, EgressOptionalColumn[]>;

export interface ZeekHeader {
  separator: string;
  unset: string;
  empty: string;
  path: string | undefined;
  fields: string[];
  /** The #fields line exactly as written (a later, different one is a reject). */
  fieldsLine: string;
}

/** Decodes Zeek's header escapes (\x09). */
function unescape(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** The header of a Zeek TSV log from its first lines, or undefined when there is none. */
export function parseZeekHeader(head: string[]): ZeekHeader | undefined {
  let separator = '\t';
  const sepLine = head.find((l) => l.startsWith('#separator '));
  if (sepLine) separator = unescape(sepLine.slice('#separator '.length).trim()) || '\t';
  const value = (key: string): string | undefined => {
    const line = head.find((l) => l.startsWith(`#${key}${separator}`));
    return line === undefined ? undefined : line.slice(key.length + 1 + separator.length);
  };
  const fieldsLine = head.find((l) => l.startsWith(`#fields${separator}`));
  if (!fieldsLine) return undefined;
  return {
    separator,
    unset: value('unset_field') ?? '-',
    empty: value('empty_field') ?? '(empty)',
    path: value('path'),
    fields: fieldsLine.split(separator).slice(1),
    fieldsLine,
  };
}

export function sourceName(path: ZeekPath): string {
  return `zeek_${path}`;
}

function checkPath(path: string | undefined, file: string): ZeekPath {
  if (path && (zeekPaths as readonly string[]).includes(path)) return path as ZeekPath;
  throw new Error(
    path
      ? `zeek ${path}.log carries no egress shadowscan reads (import conn, dns, ssl or http logs; narrow the glob)`
      : `${file}: cannot tell which Zeek log this is (no #path, and no conn/dns/ssl/http fields)`,
  );
}

/** A Zeek TSV layout from the file's header. Throws (with what to do) when it cannot be read. */
export function zeekTsvFormat(head: string[]): EgressLineFormat | SkipFile {
  const h = parseZeekHeader(head);
  if (!h) throw new Error('Zeek TSV log without a #fields header (the header is at the top of every Zeek log; was the file cut?)');
  // Another Zeek log (x509, files, weird, …) in a folder of logs: nothing to read, not an error.
  if (h.path && !(zeekPaths as readonly string[]).includes(h.path)) return new SkipFile(`Zeek ${h.path}.log carries no egress (conn, dns, ssl and http are read)`);
  const path = checkPath(h.path ?? guessPath(h.fields), 'TSV header');
  // Log::default_scope_sep may be changed from '.', e.g. to '_' (id_orig_h).
  const position = (name: string) => {
    for (const sep of ['.', '_', ':', '-', '$']) {
      const i = h.fields.indexOf(name.replace('.', sep));
      if (i >= 0) return i + 1;
    }
    return 0;
  };
  const missing = REQUIRED[path].filter((f) => position(f) === 0);
  if (missing.length) throw new Error(`zeek ${path}.log header lacks ${missing.join(', ')} (#fields: ${h.fields.slice(0, 30).join(' ')})`);
  const n = h.fields.length;
  const idx = (name: string | null) => (name === null ? -1 : position(name));
  const m = MAPPING[path];
  // The egress columns from field accessors: f[i] of a split line, or column ci of the delimited reader.
  const columns = (field: (i: number) => string) => {
    const v = (name: string | null) => {
      const i = idx(name);
      return i <= 0 ? 'cast(null as varchar)' : `nullif(nullif(${field(i)}, ${sqlString(h.unset)}), ${sqlString(h.empty)})`;
    };
    return `ts_s, ${v(m.user)} as "user", ${v('id.orig_h')} as src_ip, ${v(m.auth)} as a, ${v(m.method)} as method,
                   ${v(m.status)} as status, try_cast(${v(m.bytesIn)} as bigint) as bytes_in, try_cast(${v(m.bytesOut)} as bigint) as bytes_out`;
  };
  const auth = path === 'http' ? portless('a') : 'a';
  const outer = `select line, ok, ts_s, "user", src_ip, ${auth} as auth, method, status, bytes_in, bytes_out`;
  const fieldsLine = sqlString(h.fieldsLine);
  // DuckDB's reader splits the records natively when the separator is one character; a header
  // line is a reader reject (another field count) unless it is a #fields line of another layout.
  const delimited: DelimitedReader | undefined =
    h.separator.length === 1 && h.separator.charCodeAt(0) < 128
      ? {
          delimiter: h.separator,
          columns: n,
          parseSql: `
    ${outer}
      from (select line, case when starts_with(c1, '#') then (case when c1 = '#fields' then false end) else ts_s is not null end as ok,
                   ${columns((i) => `c${i}`)}
              from (select *, try_cast(c${idx('ts')} as double) as ts_s from lines))`,
          headerSql: `starts_with(csv_line, '#') and not (starts_with(csv_line, '#fields') and csv_line <> ${fieldsLine})`,
        }
      : undefined;
  return {
    name: sourceName(path),
    parseSql: `
    ${outer}
      from (select line,
                   case when line is null or line = '' then null
                        when starts_with(line, '#') then (case when starts_with(line, '#fields') and line <> ${fieldsLine} then false end)
                        else len(f) = ${n} and ts_s is not null end as ok,
                   ${columns((i) => `f[${i}]`)}
              from (select line, f, try_cast(f[${idx('ts')}] as double) as ts_s
                      from (select line, string_split(line, ${sqlString(h.separator)}) as f from lines)))`,
    delimited,
    absent: ABSENT[path],
    rejectReason: (line) => {
      if (looksBinary(line)) return 'binary data';
      const long = tooLong(line);
      if (long) return long;
      if (line.startsWith('#fields')) return 'a second #fields header with a different layout (concatenated logs? split the file at the header)';
      const f = line.split(h.separator);
      if (f.length !== n) return `${f.length} fields where the #fields header has ${n} (truncated line, or a line from another log)`;
      const ts = f[idx('ts') - 1] ?? '';
      return `ts: not epoch seconds (${JSON.stringify(ts.slice(0, 40))}; masked or corrupt)`;
    },
  };
}

const JSON_KEYS = {
  path: '_path', ts: 'ts', origH: 'id.orig_h', respH: 'id.resp_h', query: 'query', serverName: 'server_name', host: 'host',
  method: 'method', status: 'status_code', username: 'username', origBytes: 'orig_bytes', respBytes: 'resp_bytes',
  reqLen: 'request_body_len', respLen: 'response_body_len',
} as const;

/** A log path from field names (for JSON logs without _path and TSV without #path). */
export function guessPath(fields: string[]): ZeekPath | undefined {
  const has = (k: string) => fields.includes(k);
  if (has('server_name') && (has('cipher') || has('version') || has('established'))) return 'ssl';
  if (has('query') && (has('qtype') || has('qtype_name') || has('rcode') || has('trans_id'))) return 'dns';
  if (has('method') && has('host') && (has('uri') || has('status_code'))) return 'http';
  if (has('conn_state') || has('orig_bytes') || has('history')) return 'conn';
  return undefined;
}

/** Keys of a Zeek JSON line, read leniently (the masked test baselines are not valid JSON). */
function jsonKeys(line: string): string[] {
  return [...line.matchAll(/"([A-Za-z_][\w.]*)"\s*:/g)].map((m) => m[1]!);
}

/** The Zeek log path of a JSON file from its sample lines. */
function zeekJsonPath(head: string[]): ZeekPath {
  const objects = head.filter((l) => l.trimStart().startsWith('{'));
  for (const l of objects) {
    const p = /"_path"\s*:\s*"([a-z_]+)"/.exec(l)?.[1];
    if (p) return checkPath(p, 'JSON log');
  }
  const keys = [...new Set(objects.slice(0, 20).flatMap(jsonKeys))];
  return checkPath(guessPath(keys), 'JSON log');
}

/**
 * A Zeek JSON layout. The file's log path (from `_path` or its fields) names the source; a line
 * with its own `_path` (one stream of mixed logs) is mapped by that path.
 */
export function zeekJsonFormat(head: string[]): EgressLineFormat {
  const filePath = zeekJsonPath(head);
  const keys = Object.values(JSON_KEYS);
  // Flattened "id.orig_h" (Zeek's default) or nested {"id": {"orig_h": …}} (scope separator off).
  const paths = [...keys.map(jsonPath), jsonNestedPath(['id', 'orig_h']), jsonNestedPath(['id', 'resp_h']), jsonPath('id_orig_h'), jsonPath('id_resp_h')];
  const at = (k: string) => `j[${keys.indexOf(k as (typeof keys)[number]) + 1}]`;
  const origH = `coalesce(${at('id.orig_h')}, j[${keys.length + 1}], j[${keys.length + 3}])`;
  const respH = `coalesce(${at('id.resp_h')}, j[${keys.length + 2}], j[${keys.length + 4}])`;
  const kind = `coalesce(${at('_path')}, ${sqlString(filePath)})`;
  const pick = (col: keyof Columns) => {
    const arms = zeekPaths
      .map((p) => {
        const field = MAPPING[p][col];
        if (field === null) return null;
        const expr = field === 'id.resp_h' ? respH : at(field);
        return `when ${sqlString(p)} then ${expr}`;
      })
      .filter((a) => a !== null);
    return arms.length ? `(case ${kind} ${arms.join(' ')} end)` : 'cast(null as varchar)';
  };
  return {
    name: sourceName(filePath),
    parseSql: `
    select line, case when starts_with(line, '#') then null else j is not null and ts_s is not null end as ok,
           ts_s, "user", src_ip, case when kind = 'http' then ${portless('a')} else a end as auth, method, status, bytes_in, bytes_out
      from (select line, j, ${epochOfAnySql(at('ts'))} as ts_s, ${kind} as kind, ${pick('user')} as "user", ${origH} as src_ip, ${pick('auth')} as a,
                   ${pick('method')} as method, ${pick('status')} as status,
                   try_cast(${pick('bytesIn')} as bigint) as bytes_in, try_cast(${pick('bytesOut')} as bigint) as bytes_out
              from (${jsonFieldsFromLinesSql(paths)}))`,
    rejectReason: (line) => {
      const o = jsonLineObject(line);
      if (o === 'not valid JSON (truncated line?)' && /"ts"\s*:\s*X/.test(line)) return 'ts: masked (XXXXXXXXXX.XXXXXX), not a number: the line is not valid JSON';
      if (typeof o === 'string') return o;
      return 'ts: missing or not a time (epoch seconds or ISO 8601)';
    },
  };
}

export const zeekLineFormats: Record<ZeekFormat, (head: string[]) => EgressLineFormat | SkipFile> = {
  tsv: zeekTsvFormat,
  json: zeekJsonFormat,
};

/** TSV when the head has a #fields header; JSON when its lines are objects with Zeek's keys. */
export function detectZeekFormat(sample: string[]): ZeekFormat | undefined {
  if (sample.some((l) => l.startsWith('#fields')) && sample.some((l) => l.startsWith('#separator'))) return 'tsv';
  const objects = sample.filter((l) => l.trimStart().startsWith('{'));
  if (objects.length && objects.filter((l) => /"(uid|id\.orig_h|id_orig_h|id)"\s*:/.test(l)).length >= objects.length / 2) return 'json';
  return undefined;
}

export const formatsTried = 'Zeek TSV (#separator/#fields header) and Zeek JSON (conn, dns, ssl, http)';
