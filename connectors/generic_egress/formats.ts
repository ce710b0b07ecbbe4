// Generic CSV / JSON-lines egress logs: the config maps each egress column to the file's column
// (CSV header name, or number when there is no header) or JSON key. Columns not mapped are NULL.
// CSV fields may be quoted ("a,b", "" inside quotes); the header line itself is skipped.
import type { EgressLineFormat } from '../../src/ingest/egress.js';
import { portless } from '../../src/ingest/egress.js';
import { sqlString } from '../../src/db/duck.js';
import { jsonFieldsFromLinesSql, jsonLineObject } from '../../src/connectors/jsonlines.js';
import { csvFieldsSql, epochOfAnySql, epochOfStrptimeSql, jsonNestedPath, looksBinary, splitCsv, tooLong, urlAuthoritySql } from '../../src/ingest/linesql.js';
import type { GenericEgressConfig, GenericFormat } from './config.js';

type Mapped = keyof GenericEgressConfig['columns'];
const MAPPED: Mapped[] = ['time', 'host', 'url', 'user', 'src_ip', 'method', 'status', 'bytes_in', 'bytes_out'];

function timeSql(expr: string, config: GenericEgressConfig): string {
  return config.time_format === 'auto' ? epochOfAnySql(expr, config.timezone) : epochOfStrptimeSql(expr, config.time_format, config.timezone);
}

/** Common tail: the egress columns from a `v(col)` accessor; `okBase` says the record was read. */
function select(config: GenericEgressConfig, v: (c: Mapped) => string, okBase: string, inner: string, extraCols = ''): string {
  const host = config.columns.host !== undefined ? `nullif(${v('host')}, '')` : `nullif(${urlAuthoritySql(`coalesce(${v('url')}, '')`)}, '')`;
  return `
    select line, ${okBase} as ok, ts_s, "user", src_ip, ${portless('a')} as auth, method, status, bytes_in, bytes_out
      from (select line, ${extraCols} ${timeSql(v('time'), config)} as ts_s, ${v('user')} as "user", ${v('src_ip')} as src_ip, ${host} as a,
                   upper(${v('method')}) as method, ${v('status')} as status,
                   try_cast(${v('bytes_in')} as bigint) as bytes_in, try_cast(${v('bytes_out')} as bigint) as bytes_out
              from (${inner}))`;
}

export function genericCsvFormat(config: GenericEgressConfig): (head: string[]) => EgressLineFormat {
  return (head) => {
    const headerLine = config.header ? head.find((l) => l.trim() !== '') : undefined;
    const names = headerLine === undefined ? [] : splitCsv(headerLine, config.delimiter).map((h) => h.trim());
    const missing: string[] = [];
    const index = (c: Mapped): number => {
      const want = config.columns[c];
      if (want === undefined) return -1;
      if (typeof want === 'number') return want;
      const i = names.findIndex((n) => n.toLowerCase() === want.toLowerCase());
      if (i < 0) missing.push(`${c} → "${want}"`);
      return i + 1;
    };
    const idx = Object.fromEntries(MAPPED.map((c) => [c, index(c)])) as Record<Mapped, number>;
    if (config.header && headerLine === undefined) throw new Error('empty file: no CSV header line');
    if (missing.length) throw new Error(`CSV header lacks the mapped column(s) ${missing.join(', ')} (header: ${names.slice(0, 40).join(config.delimiter)})`);
    const minFields = Math.max(...Object.values(idx));
    const v = (c: Mapped) => (idx[c] <= 0 ? 'cast(null as varchar)' : `nullif(f[${idx[c]}], '')`);
    const isHeader = headerLine === undefined ? 'false' : `line = ${sqlString(headerLine)}`;
    return {
      name: config.source,
      parseSql: select(
        config,
        v,
        `case when is_header then null else len(f) >= ${minFields} and ts_s is not null and a is not null end`,
        `select line, ${isHeader} as is_header, ${csvFieldsSql('line', config.delimiter)} as f from lines`,
        'is_header, f,',
      ),
      rejectReason: (line) => {
        if (looksBinary(line)) return 'binary data';
        const long = tooLong(line);
        if (long) return long;
        const f = splitCsv(line, config.delimiter);
        if (f.length < minFields) return `${f.length} fields where the mapping needs ${minFields} (truncated line?)`;
        const t = f[idx.time - 1] ?? '';
        if (t === '') return `${String(config.columns.time)}: empty time`;
        return `${String(config.columns.time)}: not a time (${JSON.stringify(t.slice(0, 40))}), or the destination (host/url) is empty`;
      },
    };
  };
}

export function genericJsonFormat(config: GenericEgressConfig): EgressLineFormat {
  const keys = MAPPED.filter((c) => config.columns[c] !== undefined);
  const paths = keys.map((c) => {
    const k = config.columns[c]!;
    return jsonNestedPath(String(k).split('.'));
  });
  const v = (c: Mapped) => (keys.includes(c) ? `nullif(j[${keys.indexOf(c) + 1}], '')` : 'cast(null as varchar)');
  return {
    name: config.source,
    parseSql: select(
      config,
      v,
      'j is not null and ts_s is not null and a is not null',
      jsonFieldsFromLinesSql(paths),
      'j,',
    ),
    rejectReason: (line) => {
      const o = jsonLineObject(line);
      if (typeof o === 'string') return o;
      return `${String(config.columns.time)}: missing or not a time, or the destination (host/url) is missing`;
    },
  };
}

export function genericFormats(config: GenericEgressConfig | undefined): Record<GenericFormat, EgressLineFormat | ((head: string[]) => EgressLineFormat)> {
  if (!config) {
    const refuse = () => {
      throw new Error('generic_egress needs a column mapping: configure an instance (type: generic_egress, columns: …) and pass --instance NAME');
    };
    return { csv: refuse, jsonl: refuse };
  }
  return { csv: genericCsvFormat(config), jsonl: genericJsonFormat(config) };
}

export function detectGeneric(sample: string[]): GenericFormat {
  const lines = sample.filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.filter((l) => l.trimStart().startsWith('{')).length >= lines.length / 2 ? 'jsonl' : 'csv';
}

export const formatsTried = 'CSV with the configured delimiter, JSON lines';
