// Squid access.log layouts as SQL over one text column (see ../shared/notes/ingest-fast-path.md):
// a capture-free whole-line regex validates, a single-space split extracts. The native format
// pads the elapsed field (%6tr), so the timestamp is cut off first and the rest split on single
// spaces; fields some logformats append after the MIME type (e.g. [headers]) are ignored.
import type { EgressLineFormat } from '../../src/ingest/egress.js';
import { hostFromUrlSql } from '../../src/ingest/egress.js';
import type { SquidFormat } from './config.js';

// ts.ms  elapsed  client  code/status  bytes  method  url  user  hier/peer  mime  [extra…]
const NATIVE_RE = String.raw`\d{9,11}(?:\.\d{1,6})? +\d+ \S+ [A-Za-z_]+/\d{3} \d+ \S+ \S+ \S+ [A-Za-z_]+/\S+ \S+(?: .*)?`;
// host ident user [dd/Mon/yyyy:hh:mm:ss +zzzz] "METHOD URL[ PROTO]" status bytes ["ref" "ua"] [squid-status:hier]
const COMMON_RE = String.raw`(\S+) (\S+) (\S+) \[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "(\S+) (\S+)(?: [^"]*)?" (\d{1,3}) (\d+|-)(?: "[^"]*" "[^"]*")?(?: \S+)?`;

export const nativeFormat: EgressLineFormat = {
  name: 'squid',
  parseSql: `
    select line, ok,
           make_timestamp(cast(cast(ts_text as double) * 1000000 as bigint)) as ts,
           f[2] as src_ip, split_part(f[3], '/', 2) as status, try_cast(f[4] as bigint) as bytes_in,
           cast(null as bigint) as bytes_out, f[5] as method, nullif(f[7], '-') as "user",
           ${hostFromUrlSql('f[5]', 'f[6]')} as host
      from (select line, ok,
                   case when ok then split_part(line, ' ', 1) end as ts_text,
                   case when ok then string_split(ltrim(substr(line, strpos(line, ' ') + 1)), ' ') end as f
              from (select line, regexp_full_match(line, '${NATIVE_RE}') as ok from lines))`,
  rejectReason: (line) => explain(line, 'native'),
};

export const commonFormat: EgressLineFormat = {
  name: 'squid',
  parseSql: `
    select line, ok,
           timezone('UTC', strptime(regexp_extract(line, '${COMMON_RE}', 4), '%d/%b/%Y:%H:%M:%S %z')) as ts,
           regexp_extract(line, '${COMMON_RE}', 1) as src_ip,
           regexp_extract(line, '${COMMON_RE}', 7) as status,
           try_cast(regexp_extract(line, '${COMMON_RE}', 8) as bigint) as bytes_in,
           cast(null as bigint) as bytes_out,
           regexp_extract(line, '${COMMON_RE}', 5) as method,
           nullif(regexp_extract(line, '${COMMON_RE}', 3), '-') as "user",
           ${hostFromUrlSql(`regexp_extract(line, '${COMMON_RE}', 5)`, `regexp_extract(line, '${COMMON_RE}', 6)`)} as host
      from (select line, regexp_full_match(line, '${COMMON_RE}') as ok from lines)`,
  rejectReason: (line) => explain(line, 'common'),
};

export const squidLineFormats: Record<SquidFormat, EgressLineFormat> = {
  native: nativeFormat,
  common: commonFormat,
  combined: commonFormat,
};

const nativeJs = new RegExp(`^${NATIVE_RE}$`);
const commonJs = new RegExp(`^${COMMON_RE}$`);

/** Which layout the sample lines are in, or undefined when none fits most of them. */
export function detectSquidFormat(sample: string[]): SquidFormat | undefined {
  const lines = sample.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const native = lines.filter((l) => nativeJs.test(l)).length;
  const common = lines.filter((l) => commonJs.test(l)).length;
  const best = native >= common ? { f: 'native' as const, n: native } : { f: 'common' as const, n: common };
  return best.n > 0 && best.n >= lines.length / 2 ? best.f : undefined;
}

export const formatsTried = 'squid native (`logformat squid`), common/combined (CLF, `emulate_httpd_log`)';

function explain(line: string, layout: 'native' | 'common'): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f]/.test(line)) return 'binary data';
  if (line.length > 65536) return `line too long (${line.length} characters)`;
  if (layout === 'native') {
    const fields = line.trim().split(/ +/);
    if (!/^\d{9,11}(\.\d{1,6})?$/.test(fields[0] ?? '')) return 'bad timestamp (expected epoch seconds such as 1717315200.123)';
    if (fields.length < 10) return `missing fields (${fields.length} of 10; truncated line?)`;
    return 'does not match the native squid logformat';
  }
  if (!/\[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]/.test(line)) return 'bad or missing [timestamp]';
  return 'does not match the common/combined logformat';
}
