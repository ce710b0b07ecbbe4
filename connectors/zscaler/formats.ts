// Zscaler ZIA NSS web logs. CSV/TSV: fields at the positions of the configured field list (NSS
// variable names: time, login/elogin, cip, ehost/host, eurl/url, reqmethod, respcode, reqsize,
// respsize); JSON: one object per line, optionally wrapped as {"sourcetype":…, "event":{…}},
// with the keys of Zscaler's SIEM JSON template (datetime, user, ClientIP, hostname, url,
// requestmethod, status, requestsize, responsesize) or the NSS variable names themselves.
// reqsize is what the client sent (bytes_out), respsize what it received (bytes_in).
import type { EgressLineFormat } from '../../src/ingest/egress.js';
import { portless } from '../../src/ingest/egress.js';
import { jsonFieldsFromLinesSql, jsonLineObject } from '../../src/connectors/jsonlines.js';
import { csvFieldsSql, epochOfAnySql, epochOfStrptimeSql, jsonNestedPath, looksBinary, splitCsv, tooLong, urlAuthoritySql } from '../../src/ingest/linesql.js';
import { DEFAULT_NSS_WEB_FIELDS, type ZscalerConfig, type ZscalerFormat } from './config.js';

type Col = 'time' | 'user' | 'src_ip' | 'host' | 'url' | 'method' | 'status' | 'bytes_in' | 'bytes_out';

/** NSS variable names (and the JSON template's keys) per egress column, in order of preference. */
const NAMES: Record<Col, string[]> = {
  time: ['time', 'datetime'],
  user: ['login', 'elogin', 'user'],
  src_ip: ['cip', 'clientip'],
  host: ['ehost', 'host', 'hostname'],
  url: ['eurl', 'url'],
  method: ['reqmethod', 'requestmethod'],
  status: ['respcode', 'status'],
  bytes_in: ['respsize', 'responsesize'],
  bytes_out: ['reqsize', 'requestsize'],
};

/** `%s{eurl}` / `%02d{hh}` / `eurl` → `eurl`. */
export function nssName(field: string): string {
  return (/\{([A-Za-z0-9_]+)\}/.exec(field)?.[1] ?? field).toLowerCase();
}

interface Cfg {
  fields: string[];
  delimiter: string;
  time_format: string;
  timezone: string;
}

const defaults: Cfg = { fields: [...DEFAULT_NSS_WEB_FIELDS], delimiter: ',', time_format: '%a %b %d %H:%M:%S %Y', timezone: 'UTC' };

function tail(v: (c: Col) => string | null, cfg: Cfg, okBase: string, inner: string, carry: string): string {
  const val = (c: Col) => v(c) ?? 'cast(null as varchar)';
  const host = v('host') !== null ? `coalesce(nullif(${val('host')}, ''), nullif(${urlAuthoritySql(`coalesce(${val('url')}, '')`)}, ''))` : `nullif(${urlAuthoritySql(`coalesce(${val('url')}, '')`)}, '')`;
  const t = val('time');
  return `
    select line, ${okBase} as ok, ts_s, "user", src_ip, ${portless('a')} as auth, method, status, bytes_in, bytes_out
      from (select line, ${carry} coalesce(${epochOfStrptimeSql(t, cfg.time_format, cfg.timezone)}, ${epochOfAnySql(t, cfg.timezone)}) as ts_s,
                   nullif(nullif(${val('user')}, ''), 'None') as "user", ${val('src_ip')} as src_ip, ${host} as a,
                   upper(${val('method')}) as method, ${val('status')} as status,
                   try_cast(${val('bytes_in')} as bigint) as bytes_in, try_cast(${val('bytes_out')} as bigint) as bytes_out
              from (${inner}))`;
}

export function zscalerCsvFormat(config: Partial<Cfg> = {}): EgressLineFormat {
  const cfg = { ...defaults, ...config };
  const names = cfg.fields.map(nssName);
  const pos = (c: Col) => {
    for (const n of NAMES[c]) {
      const i = names.indexOf(n);
      if (i >= 0) return i + 1;
    }
    return 0;
  };
  if (pos('time') === 0) throw new Error(`zscaler fields: no time field (one of ${NAMES.time.join(', ')}) in the configured field list`);
  if (pos('host') === 0 && pos('url') === 0) throw new Error('zscaler fields: no destination field (ehost, host or eurl/url) in the configured field list');
  const v = (c: Col) => (pos(c) === 0 ? null : `f[${pos(c)}]`);
  const n = names.length;
  return {
    name: 'zscaler',
    parseSql: tail(v, cfg, `len(f) = ${n} and ts_s is not null and a is not null`, `select line, ${csvFieldsSql('line', cfg.delimiter)} as f from lines`, 'f,'),
    rejectReason: (line) => {
      if (looksBinary(line)) return 'binary data';
      const long = tooLong(line);
      if (long) return long;
      const f = splitCsv(line, cfg.delimiter);
      if (f.length !== n) return `${f.length} fields where the configured feed has ${n} (truncated line, or a different feed format: set fields:)`;
      return `time: not "${cfg.time_format}" (${JSON.stringify((f[pos('time') - 1] ?? '').slice(0, 40))}), or no host/URL`;
    },
  };
}

export function zscalerJsonFormat(config: Partial<Cfg> = {}): EgressLineFormat {
  const cfg = { ...defaults, ...config };
  const keys: string[] = [];
  const v = (c: Col) => {
    const exprs = NAMES[c].flatMap((k) => {
      const variants = [...new Set([k, k === 'clientip' ? 'ClientIP' : k])];
      return variants.flatMap((key) => [jsonNestedPath(['event', key]), jsonNestedPath([key])]);
    });
    const at = exprs.map((p) => {
      keys.push(p);
      return `j[${keys.length}]`;
    });
    return `coalesce(${at.join(', ')})`;
  };
  const cols = Object.fromEntries((Object.keys(NAMES) as Col[]).map((c) => [c, v(c)])) as Record<Col, string>;
  return {
    name: 'zscaler',
    parseSql: tail(
      (c) => cols[c],
      cfg,
      'j is not null and ts_s is not null and a is not null',
      jsonFieldsFromLinesSql(keys),
      'j,',
    ),
    rejectReason: (line) => {
      const o = jsonLineObject(line);
      if (typeof o === 'string') return o;
      return 'datetime/time: missing or not a time, or no hostname/url';
    },
  };
}

export function zscalerFormats(config: ZscalerConfig | undefined): Record<ZscalerFormat, EgressLineFormat> {
  const cfg = config ? { fields: config.fields, delimiter: config.delimiter, time_format: config.time_format, timezone: config.timezone } : {};
  return { csv: zscalerCsvFormat(cfg), json: zscalerJsonFormat(cfg) };
}

/** JSON when lines are objects with the web template's keys; CSV when they start with an NSS time. */
export function detectZscaler(sample: string[]): ZscalerFormat | undefined {
  const lines = sample.filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const json = lines.filter((l) => l.trimStart().startsWith('{') && (/"zscalernss-web"/.test(l) || (/"(datetime|time)"\s*:/.test(l) && /"(hostname|url|eurl|ehost)"\s*:/.test(l)))).length;
  if (json >= lines.length / 2) return 'json';
  const csv = lines.filter((l) => /^"?(Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} {1,2}\d{1,2} \d\d:\d\d:\d\d \d{4}"?[,\t]/.test(l)).length;
  return csv >= lines.length / 2 ? 'csv' : undefined;
}

export const formatsTried = 'Zscaler NSS web feed: CSV/TSV with the configured field list (starting with an NSS time), JSON (zscalernss-web)';
